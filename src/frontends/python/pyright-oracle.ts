// pyright as the definition oracle for the calls the syntactic resolver could not resolve and that
// may call a function turning async (the report's `unresolvedCalls`): pyright's inference knows what
// an unannotated return value, a property chain or a dict lookup holds. It runs pyright-langserver
// over stdio and asks `textDocument/definition` at exactly those call sites, so the cost is its
// start plus those positions, not a check of the whole project (which made runs ~10x slower).
// Never required: when it cannot run, one stderr line says so and the calls stay listed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { UsageError } from '../../errors.js';

/** A 0-based LSP position (UTF-16 code units, as JavaScript strings count) in a file. */
export interface SourcePosition {
  file: string;
  line: number;
  character: number;
}

export interface DefinitionResults {
  /** One entry per query, in order: where pyright says the callee is defined, or undefined when it did not answer. */
  definitions: (SourcePosition[] | undefined)[];
  /** Why some or all queries went unanswered (pyright missing, crashed, timed out). */
  failure?: string;
  /** The wall-clock cap fired: which answers came in depends on the machine's load, so none is used. */
  timedOut?: true;
}

const DEFAULT_TIMEOUT_SECONDS = 60;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * ASYNC_MIGRATE_PYRIGHT: unset or `1` asks pyright when it is installed, `0` never does.
 * ASYNC_MIGRATE_PYRIGHT_TIMEOUT: seconds one pyright session may take (default 60).
 */
export function pyrightSettings(env: NodeJS.ProcessEnv = process.env): { enabled: boolean; timeoutMs: number } {
  const value = env.ASYNC_MIGRATE_PYRIGHT ?? '';
  if (!['', '0', '1'].includes(value)) throw new UsageError(`ASYNC_MIGRATE_PYRIGHT must be 0 (never run pyright) or 1 (run it when installed, the default), not "${value}"`);
  const timeout = env.ASYNC_MIGRATE_PYRIGHT_TIMEOUT ?? '';
  const seconds = timeout === '' ? DEFAULT_TIMEOUT_SECONDS : Number(timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`ASYNC_MIGRATE_PYRIGHT_TIMEOUT must be a positive number of seconds, not "${timeout}"`);
  // Node's timers hold at most 2^31-1 ms; a longer delay silently becomes 1 ms.
  if (seconds * 1000 > MAX_TIMER_MS) throw new UsageError(`ASYNC_MIGRATE_PYRIGHT_TIMEOUT must be at most ${Math.floor(MAX_TIMER_MS / 1000)} seconds (about 24 days), not "${timeout}"`);
  return { enabled: value !== '0', timeoutMs: seconds * 1000 };
}

/** The installed pyright-langserver script, or undefined when pyright is not installed. */
export function langserverEntry(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('pyright/langserver.index.js');
  } catch {
    return undefined;
  }
}

interface LspLocation {
  uri?: string;
  range?: { start: { line: number; character: number } };
  targetUri?: string;
  targetSelectionRange?: { start: { line: number; character: number } };
}

function positionsOf(result: unknown): SourcePosition[] {
  const locations = (Array.isArray(result) ? result : result ? [result] : []) as LspLocation[];
  const positions: SourcePosition[] = [];
  for (const location of locations) {
    const uri = location.targetUri ?? location.uri;
    const start = (location.targetSelectionRange ?? location.range)?.start;
    if (!uri?.startsWith('file:') || !start) continue;
    positions.push({ file: fileURLToPath(uri), line: start.line, character: start.character });
  }
  return positions;
}

/**
 * Asks pyright where the callee at each position is defined. `texts` holds the text of each queried
 * file (opened in the server, so pyright answers from exactly what was analysed).
 */
export async function pyrightDefinitions(root: string, queries: readonly SourcePosition[], texts: ReadonlyMap<string, string>, timeoutMs: number, entry = langserverEntry()): Promise<DefinitionResults> {
  const definitions: (SourcePosition[] | undefined)[] = queries.map(() => undefined);
  if (!entry) return { definitions, failure: 'the pyright package is not installed' };
  const child = spawn(process.execPath, [entry, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-500);
  });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let timer: NodeJS.Timeout | undefined;
  const TIMED_OUT = Symbol('timed out');
  const stopped = new Promise<string | typeof TIMED_OUT>((resolve) => {
    child.once('error', (error) => resolve(`it could not start: ${error.message}`));
    child.once('exit', (code, signal) => resolve(`it exited early (${signal ?? `code ${code}`})${stderrTail.trim() ? `: ${stderrTail.trim().split('\n').pop()}` : ''}`));
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    timer.unref();
  });
  // The session's answers, raced against the process stopping or the timeout.
  const session = askAll(connection, root, queries, texts, definitions).then(() => undefined, (error: unknown) => `it failed: ${error instanceof Error ? error.message : String(error)}`);
  const failure = await Promise.race([session, stopped]);
  clearTimeout(timer);
  await close(connection, child, failure === undefined);
  // Which answers beat the cap depends on the machine's load: none of them is used.
  if (failure === TIMED_OUT) return { definitions: queries.map(() => undefined), failure: `it took longer than ${timeoutMs / 1000} s (ASYNC_MIGRATE_PYRIGHT_TIMEOUT)`, timedOut: true };
  return failure === undefined ? { definitions } : { definitions, failure };
}

async function askAll(connection: MessageConnection, root: string, queries: readonly SourcePosition[], texts: ReadonlyMap<string, string>, definitions: (SourcePosition[] | undefined)[]): Promise<void> {
  // pyright asks for its settings; the project's own pyrightconfig.json / pyproject.toml still apply.
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  connection.onRequest(() => null);
  connection.onNotification(() => undefined);
  connection.listen();
  const rootUri = pathToFileURL(root).href;
  await connection.sendRequest('initialize', { processId: process.pid, rootUri, capabilities: {}, workspaceFolders: [{ uri: rootUri, name: 'root' }] });
  await connection.sendNotification('initialized', {});
  // Opened documents are in pyright's program at once (no waiting for it to list the workspace).
  for (const file of new Set(queries.map((query) => query.file))) {
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: pathToFileURL(file).href, languageId: 'python', version: 1, text: texts.get(file) ?? '' } });
  }
  // All at once: pyright checks open files (for diagnostics nobody reads here) when it is idle, and
  // a queue of questions leaves it no idle time before the last answer.
  await Promise.all(
    queries.map(async (query, index) => {
      const result: unknown = await connection.sendRequest('textDocument/definition', {
        textDocument: { uri: pathToFileURL(query.file).href },
        position: { line: query.line, character: query.character },
      });
      definitions[index] = positionsOf(result);
    }),
  );
}

async function close(connection: MessageConnection, child: ChildProcessWithoutNullStreams, politely: boolean): Promise<void> {
  if (politely && child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await Promise.race([connection.sendRequest('shutdown').then(() => connection.sendNotification('exit')), delay(2000)]);
    } catch {
      // the process is killed below
    }
    await Promise.race([exited, delay(2000)]);
  }
  connection.dispose();
  if (child.exitCode === null && child.signalCode === null) child.kill();
}

/** A pause that does not keep the process alive once everything else is done. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
