// One `migrate` at a time per root: a second run computing edits on files the first is rewriting
// would write a wrong migration (the write's byte check would catch it, late). The lock is a file
// created exclusively in the root, holding the pid; a lock whose process is gone is taken over.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, lstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
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

/** Whether process `pid` is running (EPERM: it is, as another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryCreate(file: string, content: string): boolean {
  // The lock appears with its pid already in it (a hard link to a file written first), so that no
  // one, the watchdog included, ever sees an empty lock; where links are not supported, it is created in place.
  const temp = `${file}.async-migrate-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeExclusive(temp, content);
    try {
      linkSync(temp, file);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    } finally {
      unlinkSync(temp);
    }
    writeExclusive(file, content);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new LockError(`cannot create the lock file ${file} (${describeError(error)}); nothing was written`);
  }
}

function writeExclusive(file: string, content: string): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/** The pid a lock file names, or undefined when it names none (not a lock this tool wrote). */
function holderOf(file: string): number | undefined {
  try {
    // Never through a link, and a few bytes at most: a link planted at the name (to /dev/zero, a FIFO) is no lock.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const buffer = Buffer.alloc(32);
    let length: number;
    try {
      length = readSync(fd, buffer, 0, buffer.length, 0);
    } finally {
      closeSync(fd);
    }
    const pid = Number(/^(\d+)\n/.exec(buffer.toString('latin1', 0, length))?.[1]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Deletes the lock once its run's process is gone, however it ended (Ctrl-C, SIGTERM, SIGKILL, a
 * crash): a tiny detached process that waits for the end of a pipe the run holds open. A signal
 * handler in the run could not do it: it runs only when the event loop does, so Ctrl-C during a long
 * synchronous analysis would wait for the analysis to end. Detached, so that the terminal's Ctrl-C
 * does not reach it; it deletes the lock only while it still names the run's pid.
 */
const WATCHDOG = `
const fs = require('node:fs');
const [file, pid] = process.argv.slice(1);
const done = () => {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const buffer = Buffer.alloc(32);
    const length = fs.readSync(fd, buffer, 0, buffer.length, 0);
    fs.closeSync(fd);
    if (buffer.toString('latin1', 0, length) === pid + '\\n') fs.unlinkSync(file);
  } catch {}
  process.exit(0);
};
process.stdin.on('end', done);
process.stdin.on('error', done);
process.stdin.on('close', done);
process.stdin.resume();
`;

function startWatchdog(file: string): ChildProcess | undefined {
  try {
    const child = spawn(process.execPath, ['-e', WATCHDOG, file, String(process.pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => undefined); // no watchdog: a lock left behind is taken over by the next run
    child.stdin?.on('error', () => undefined);
    // Neither the process nor its pipe keeps the run alive.
    child.unref();
    (child.stdin as { unref?: () => void } | null)?.unref?.();
    return child;
  } catch {
    return undefined;
  }
}

/** Takes the lock of `root` or throws a LockError naming the run that holds it. */
export function acquireRootLock(root: string): RootLock {
  const file = path.join(root, LOCK_NAME);
  // Started first, so that a SIGKILL right after the lock is made still has someone to delete it.
  const watchdog = startWatchdog(file);
  try {
    takeLock(root, file);
  } catch (error) {
    watchdog?.stdin?.end(); // it finds another run's pid in the file, or no file, and leaves it
    throw error;
  }
  let released = false;
  return {
    file,
    release(): void {
      if (released) return;
      released = true;
      if (holderOf(file) === process.pid) {
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      }
      watchdog?.stdin?.end();
    },
  };
}

function takeLock(root: string, file: string): void {
  const content = `${process.pid}\n`;
  if (tryCreate(file, content)) return;
  const holder = holderOf(file);
  if (holder !== undefined && processAlive(holder)) {
    throw new LockError(`another async-migrate migrate (pid ${holder}) is running on ${root}; nothing was written (if none is, delete ${file})`);
  }
  if (holder === undefined) throw new LockError(`${file} exists and is not a lock this tool wrote; nothing was written (delete it if no run is going)`);
  // The holder is gone: take the lock over, unless another run just did (then it holds it).
  const before = lstatSync(file, { throwIfNoEntry: false });
  if (before?.isFile()) unlinkSync(file);
  if (!tryCreate(file, content)) throw new LockError(`another async-migrate migrate is running on ${root}; nothing was written (if none is, delete ${file})`);
}
