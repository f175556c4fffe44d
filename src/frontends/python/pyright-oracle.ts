// pyright as an optional oracle: where the syntactic resolver cannot tell what is awaited or
// dropped, pyright's types can ("X is not awaitable", reportUnusedCoroutine). It runs as a child
// process on the analysed files only when asked (ASYNC_MIGRATE_PYRIGHT=1: it takes seconds), and
// is never required: when it cannot run, one line says so and the analysis stays syntactic.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { RuleHit } from '../../frontend.js';
import type { PyFunction, PyModule } from './modules.js';
import type { PyNode } from './parser.js';
import { MESSAGES as AWAIT_MESSAGES } from './rules/await-non-thenable.js';
import { awaitCoroutineFix, MESSAGES as FLOATING_MESSAGES } from './rules/floating-promise.js';
import { walkWithScopes } from './walk.js';

export type PyrightFinding = { file: string; line: number; character: number; kind: 'not-awaitable' | 'unused-coroutine' };

interface PyrightJson {
  generalDiagnostics?: { file: string; rule?: string; message: string; range: { start: { line: number; character: number } } }[];
}

let warned = false;

function warnOnce(reason: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`async-migrate: pyright could not run (${reason}); Python analysis stays syntactic\n`);
}

export function isPyrightRequested(): boolean {
  return process.env.ASYNC_MIGRATE_PYRIGHT === '1';
}

/** pyright's verdicts on the files, or undefined when it cannot run. */
export async function runPyright(root: string, files: readonly string[]): Promise<PyrightFinding[] | undefined> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('pyright/index.js');
  } catch {
    warnOnce('the pyright package is not installed');
    return undefined;
  }
  let stdout: string;
  try {
    // pyright exits 1 when it finds errors; its JSON is on stdout either way.
    const result = await promisify(execFile)(process.execPath, [entry, '--outputjson', ...files], { cwd: root, maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stdout?: string; message: string }) => {
        if (typeof error.stdout === 'string' && error.stdout.trim().startsWith('{')) return { stdout: error.stdout };
        throw error;
      },
    );
    stdout = result.stdout;
  } catch (error) {
    warnOnce(error instanceof Error ? error.message.split('\n')[0]! : String(error));
    return undefined;
  }
  let parsed: PyrightJson;
  try {
    parsed = JSON.parse(stdout) as PyrightJson;
  } catch {
    warnOnce('its output was not JSON');
    return undefined;
  }
  const findings: PyrightFinding[] = [];
  for (const diagnostic of parsed.generalDiagnostics ?? []) {
    const kind = diagnostic.rule === 'reportUnusedCoroutine' ? 'unused-coroutine' : /is not awaitable/.test(diagnostic.message) ? 'not-awaitable' : undefined;
    if (kind) findings.push({ file: diagnostic.file, line: diagnostic.range.start.line, character: diagnostic.range.start.character, kind });
  }
  return findings;
}

/** Hits pyright adds where the syntactic rules said nothing at the same place. */
export function hitsFromPyright(findings: readonly PyrightFinding[], modules: readonly PyModule[], existing: readonly RuleHit[]): RuleHit[] {
  const hits: RuleHit[] = [];
  const known = new Set(existing.map((hit) => `${hit.finding.file}:${hit.finding.rule}:${hit.finding.line}`));
  for (const module of modules) {
    const mine = findings.filter((finding) => finding.file === module.file);
    if (mine.length === 0) continue;
    // LSP positions count UTF-16 code units, as JavaScript strings do.
    const offsets = new Map(mine.map((finding) => [module.lines.offsetOf(finding.line + 1, finding.character + 1), finding]));
    walkWithScopes(module, (node, enclosing) => {
      const finding = offsets.get(node.startIndex);
      if (!finding) return;
      if (finding.kind === 'not-awaitable' && node.parent?.type === 'await') {
        const hit = notAwaitableHit(module, node.parent, node, enclosing);
        if (!known.has(`${module.rel}:await-non-thenable:${hit.finding.line}`)) hits.push(hit);
        offsets.delete(node.startIndex);
      } else if (finding.kind === 'unused-coroutine' && node.type === 'call') {
        const hit = unusedCoroutineHit(module, node, enclosing);
        if (!known.has(`${module.rel}:floating-promise:${hit.finding.line}`)) hits.push(hit);
        offsets.delete(node.startIndex);
      }
    });
  }
  return hits;
}

function notAwaitableHit(module: PyModule, awaitNode: PyNode, operand: PyNode, enclosing: PyFunction): RuleHit {
  const at = module.lines.at(awaitNode.startIndex);
  return {
    finding: {
      rule: 'await-non-thenable',
      severity: 'error',
      file: module.rel,
      line: at.line,
      column: at.column,
      message: AWAIT_MESSAGES.notAwaitable.replace('{callee}', operand.text.replace(/\(.*$/s, '')),
      fixable: true,
    },
    enclosing: enclosing.id,
    kind: 'await',
    needsAsync: false,
    fix: () => true,
    fallbackFix: (editor) => {
      editor.replace(awaitNode.startIndex, operand.startIndex, '');
      return true;
    },
  };
}

function unusedCoroutineHit(module: PyModule, call: PyNode, enclosing: PyFunction): RuleHit {
  const at = module.lines.at(call.startIndex);
  const atTopLevel = enclosing.kind === 'module';
  return {
    finding: {
      rule: 'floating-promise',
      severity: 'error',
      file: module.rel,
      line: at.line,
      column: at.column,
      message: FLOATING_MESSAGES.dropped.replace('{callee}', call.childForFieldName('function')?.text ?? call.text),
      fixable: true,
    },
    enclosing: enclosing.id,
    kind: 'floating',
    needsAsync: !atTopLevel,
    fix: awaitCoroutineFix(call, atTopLevel),
  };
}
