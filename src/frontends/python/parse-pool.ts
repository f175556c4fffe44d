// Parses many Python texts at once on worker threads (node:worker_threads; each thread loads its own
// web-tree-sitter). Parsing and copying the trees is a fifth to a quarter of a large project's run
// and each file is independent, so on a machine with spare cores it runs beside the rest. The trees
// come back as typed arrays, transferred, and get their node ids here in file order, so a run's
// answers do not depend on which thread parsed what. Small projects, and runs from the TypeScript
// sources (tests), parse on the main thread.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../../errors.js';
import { parsePython, treeFromArrays, type PyTree } from './parser.js';
import type { ParseReply, ParseRequest } from './parse-worker.js';

/** Below this many files threads cost more to start (each loads the grammar) than they save. */
const MIN_FILES_FOR_THREADS = 64;

/** ASYNC_MIGRATE_PARSE_THREADS: how many parse threads (0: parse on the main thread); default one per core, at most 4. */
export function parseThreadCount(fileCount: number, env: NodeJS.ProcessEnv = process.env): number {
  const value = env.ASYNC_MIGRATE_PARSE_THREADS ?? '';
  if (value !== '') {
    const count = Number(value);
    if (!Number.isInteger(count) || count < 0 || count > 64) throw new UsageError(`ASYNC_MIGRATE_PARSE_THREADS must be a whole number from 0 to 64, not "${value}"`);
    return count;
  }
  if (fileCount < MIN_FILES_FOR_THREADS) return 0;
  return Math.min(4, availableParallelism());
}

/** Each text's tree, or the error parsing it raised, in the order given. */
export async function parseAll(texts: readonly string[], threads: number): Promise<(PyTree | Error)[]> {
  const workerFile = fileURLToPath(new URL('./parse-worker.js', import.meta.url));
  if (threads === 0 || texts.length === 0 || !existsSync(workerFile)) return texts.map(parseHere);
  const replies: (ParseReply | undefined)[] = new Array(texts.length);
  const workers = Array.from({ length: Math.min(threads, texts.length) }, () => new Worker(workerFile));
  try {
    let next = 0;
    await Promise.all(workers.map((worker) => new Promise<void>((resolve, reject) => {
      // One text in flight per thread: the next goes when the last comes back.
      const send = (): void => {
        if (next >= texts.length) {
          resolve();
          return;
        }
        const id = next++;
        worker.postMessage({ id, text: texts[id]! } satisfies ParseRequest);
      };
      worker.on('message', (reply: ParseReply) => {
        replies[reply.id] = reply;
        send();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (next < texts.length || replies.includes(undefined)) reject(new Error(`a parse thread exited (code ${code}) before its work was done`));
      });
      send();
    })));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  // Ids are given here, in file order: the same files give the same ids however the threads ran.
  return texts.map((text, index) => {
    const reply = replies[index]!;
    return 'error' in reply ? new Error(reply.error) : treeFromArrays(text, reply.arrays);
  });
}

function parseHere(text: string): PyTree | Error {
  try {
    return parsePython(text);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
