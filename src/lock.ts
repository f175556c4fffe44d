// One `migrate` at a time per root: a second run computing edits on files the first is rewriting
// would write a wrong migration. The lock is a file created exclusively in the root, holding the
// pid; a lock whose process is gone (SIGKILL, a crash) is taken over.
import { closeSync, constants, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describeError } from './errors.js';

export const LOCK_NAME = '.async-migrate.lock';

/** Another run holds the lock, or it cannot be made: one line, nothing written. */
export class LockError extends Error {
  override name = 'LockError';
}

export interface RootLock {
  readonly file: string;
  /** Deletes the lock file (if it is still this run's); safe to call twice. */
  release(): void;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryCreate(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new LockError(`cannot create the lock file ${file} (${describeError(error)}); nothing was written`);
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The pid a lock file names, or undefined when it names none (not a lock this tool wrote). */
function holderOf(file: string): number | undefined {
  try {
    const pid = Number(/^(\d+)\n/.exec(readFileSync(file, 'utf8'))?.[1]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of `root` or throws a LockError naming the run that holds it. With the process as
 * the signal source, a SIGINT/SIGTERM outside the write phase (which holds signals itself) deletes
 * the lock and then stops the process as the signal would have.
 */
export function acquireRootLock(root: string, handleSignals: boolean): RootLock {
  const file = path.join(root, LOCK_NAME);
  const content = `${process.pid}\n`;
  if (!tryCreate(file, content)) {
    const holder = holderOf(file);
    if (holder !== undefined && pidAlive(holder)) {
      throw new LockError(`another async-migrate migrate (pid ${holder}) is running on ${root}; nothing was written (if none is, delete ${file})`);
    }
    if (holder === undefined) throw new LockError(`${file} exists and is not a lock this tool wrote; nothing was written (delete it if no run is going)`);
    // The holder is gone: take the lock over, unless another run just did (then it holds it).
    const before = lstatSync(file, { throwIfNoEntry: false });
    if (before?.isFile()) unlinkSync(file);
    if (!tryCreate(file, content)) throw new LockError(`another async-migrate migrate is running on ${root}; nothing was written (if none is, delete ${file})`);
  }
  let released = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // The write phase listens too and holds the signal until its renames are done; it then returns
    // and the lock is released on the normal way out.
    if (process.listenerCount(signal) > 1) return;
    lock.release();
    process.kill(process.pid, signal); // no listener left: the signal's default action
  };
  const lock: RootLock = {
    file,
    release(): void {
      if (released) return;
      released = true;
      if (handleSignals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      if (holderOf(file) === process.pid) {
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      }
    },
  };
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return lock;
}
