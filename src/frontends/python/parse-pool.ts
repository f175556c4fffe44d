// Parses many Python texts at once on worker threads (node:worker_threads; each thread loads its own
// web-tree-sitter) and on the main thread. Parsing and copying the trees is a fifth to a quarter of a large project's run
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
import type { ParseReply, ParseRequest, TreeArrays } from './parse-worker.js';

/** Below this many files threads cost more to start (each loads the grammar) than they save. */
const MIN_FILES_FOR_THREADS = 64;

/**
 * ASYNC_MIGRATE_PARSE_THREADS: how many threads parse, the main thread included (0 or 1: the main
 * thread alone); default one per core, at most 4.
 */
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

/**
 * Each text's tree, or the error parsing it raised, in the order given. The main thread parses too
 * (it would only wait): `threads - 1` workers beside it, each kept two texts ahead.
 */
export async function parseAll(texts: readonly string[], threads: number): Promise<(PyTree | Error)[]> {
  const workerFile = fileURLToPath(new URL('./parse-worker.js', import.meta.url));
  const workerCount = Math.min(threads - 1, texts.length);
  if (workerCount < 1 || !existsSync(workerFile)) return texts.map(parseHere);
  const results: (TreeArrays | PyTree | Error | undefined)[] = new Array(texts.length);
  const workers = Array.from({ length: workerCount }, () => new Worker(workerFile));
  let next = 0;
  const take = (): number | undefined => (next < texts.length ? next++ : undefined);
  try {
    const threaded = workers.map((worker) => new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      const send = (): void => {
        const id = take();
        if (id === undefined) {
          if (inFlight === 0) resolve();
          return;
        }
        inFlight++;
        worker.postMessage({ id, text: texts[id]! } satisfies ParseRequest);
      };
      worker.on('message', (reply: ParseReply) => {
        inFlight--;
        results[reply.id] = 'error' in reply ? new Error(reply.error) : reply.arrays;
        send();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`a parse thread exited (code ${code}) before its work was done`)));
      send();
      send();
    }));
    // Handled now, awaited after the main thread's share: a thread failing meanwhile is no unhandled rejection.
    const workersDone = Promise.all(threaded);
    workersDone.catch(() => undefined);
    // The main thread's share: one text at a time, yielding between texts so the workers' replies
    // are taken (and answered with the next text) while it parses.
    for (let id = take(); id !== undefined; id = take()) {
      results[id] = parseHere(texts[id]!);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await workersDone;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  // Ids are given here, in file order: the same files give the same ids however the threads ran.
  return texts.map((text, index) => {
    const result = results[index]!;
    return result instanceof Error ? result : treeFromArrays(text, result);
  });
}
function parseHere(text: string): PyTree | Error {
  try {
    return parsePython(text);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
