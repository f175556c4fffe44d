// Writing migrated files: never over uncommitted work, never through a link out of the tree, and as
// one transaction: every temp file first, then the renames, so that a failure or Ctrl-C leaves
// either nothing changed or everything written.
import { access, chmod, constants, lstat, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError, UsageError } from './errors.js';
import { runGit } from './git.js';

/** `inner` is `outer` or inside it. */
export function isWithin(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The nearest folder at or above `dir` with a `.git` (a repository, a submodule, a worktree): a
 * cheap file-system walk, cached per folder, so that git is asked once per repository and not once
 * per file to write.
 */
async function nearestGitFolder(dir: string, cache: Map<string, Promise<string | undefined>>): Promise<string | undefined> {
  let found = cache.get(dir);
  if (!found) {
    found = lstat(path.join(dir, '.git')).then(
      () => dir,
      () => (path.dirname(dir) === dir ? undefined : nearestGitFolder(path.dirname(dir), cache)),
    );
    cache.set(dir, found);
  }
  return found;
}

/** The git work tree holding `dir`, as git says, or undefined outside any. */
async function workTreeOf(dir: string, target: string): Promise<string | undefined> {
  try {
    return (await runGit(dir, ['rev-parse', '--show-toplevel'])).trim();
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: unknown };
    if (code === 'ENOENT') return undefined; // no git installed: nothing to protect with
    const message = typeof stderr === 'string' ? stderr.trim() : '';
    if (/not a git repository/i.test(message)) return undefined;
    // Anything else (a repository git refuses to read, say) must not pass for "outside a repo".
    throw new UsageError(`cannot ask git whether ${target} has uncommitted changes (${message.split('\n')[0] || describeError(error)}); pass --allow-dirty to write anyway`);
  }
}

/**
 * Files with uncommitted changes under `paths` (the paths being migrated) and in the work trees of
 * `files` (those about to be written), each asked of its own repository; shown relative to `cwd`.
 */
export async function uncommittedFiles(cwd: string, paths: readonly string[], files: readonly string[] = []): Promise<string[]> {
  const realOf = (target: string): Promise<string> => realpath(target).catch(() => target);
  const givenPaths = await Promise.all(paths.map(realOf));
  const gitFolders = new Map<string, Promise<string | undefined>>();
  const trees = new Map<string, Promise<string | undefined>>();
  const pathspecsByTree = new Map<string, Set<string>>();
  for (const real of [...givenPaths, ...(await Promise.all(files.map(realOf)))]) {
    const info = await stat(real).catch(() => undefined);
    const folder = await nearestGitFolder(info?.isDirectory() ? real : path.dirname(real), gitFolders);
    if (folder === undefined) continue;
    if (!trees.has(folder)) trees.set(folder, workTreeOf(folder, real));
    const tree = await trees.get(folder);
    if (tree === undefined) continue;
    // A path given that holds the whole tree (a nested repository, a submodule) covers all of it;
    // otherwise the path itself. Pathspecs are literal below: `[ab].ts` is that file, not a glob.
    const pathspecs = pathspecsByTree.get(tree) ?? new Set<string>();
    pathspecs.add(givenPaths.some((given) => isWithin(given, tree)) ? tree : real);
    pathspecsByTree.set(tree, pathspecs);
  }
  const dirty: string[] = [];
  const queue = [...pathspecsByTree];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const [tree, pathspecs] = next;
    const relative = [...pathspecs].map((spec) => path.relative(tree, spec) || '.');
    // git would run `status` inside each submodule, under that repository's own config, which this
    // process never read: each checked-out submodule is asked as a repository of its own instead.
    for (const submodule of await submodulesUnder(tree, relative)) queue.push([submodule, new Set([submodule])]);
    const entries = (await runGit(tree, ['--literal-pathspecs', 'status', '--porcelain', '-z', '--ignore-submodules=dirty', '--', ...relative], { readsWorkTree: true })).split('\0');
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index]!;
      if (entry.length < 4) continue;
      dirty.push(path.relative(cwd, path.join(tree, entry.slice(3))).split(path.sep).join('/'));
      if (entry[0] === 'R' || entry[0] === 'C') index++; // the rename's source follows
    }
  }
  return [...new Set(dirty)].sort();
}

/** The checked-out submodules (gitlinks with a `.git`) that `pathspecs` cover in `tree`. */
async function submodulesUnder(tree: string, pathspecs: readonly string[]): Promise<string[]> {
  const listing = await runGit(tree, ['--literal-pathspecs', 'ls-files', '-z', '--stage', '--', ...pathspecs]);
  const found: string[] = [];
  for (const entry of listing.split('\0')) {
    const tab = entry.indexOf('\t');
    if (!entry.startsWith('160000 ') || tab < 0) continue;
    const dir = path.join(tree, entry.slice(tab + 1));
    if (await lstat(path.join(dir, '.git')).then(() => true, () => false)) found.push(dir);
  }
  return found;
}

export async function assertCleanWorkTree(cwd: string, paths: readonly string[], files: readonly string[] = []): Promise<void> {
  const dirty = await uncommittedFiles(cwd, paths, files);
  if (dirty.length > 0) {
    const shown = dirty.slice(0, 3).join(', ') + (dirty.length > 3 ? `, and ${dirty.length - 3} more` : '');
    throw new UsageError(`refusing to write into a git work tree with uncommitted changes (${shown}); commit or stash them, or pass --allow-dirty`);
  }
}

/** Those of `paths` in no git work tree (or with no git installed): nothing there protects uncommitted work. */
export async function pathsOutsideWorkTrees(paths: readonly string[]): Promise<string[]> {
  const gitFolders = new Map<string, Promise<string | undefined>>();
  const outside: string[] = [];
  for (const given of paths) {
    const real = await realpath(given).catch(() => given);
    const info = await stat(real).catch(() => undefined);
    const folder = await nearestGitFolder(info?.isDirectory() ? real : path.dirname(real), gitFolders);
    if (folder === undefined || (await workTreeOf(folder, real)) === undefined) outside.push(given);
  }
  return outside;
}

/** Why `target` cannot be written (missing folder, no permission, a directory), or undefined. */
export async function unwritableReason(target: string): Promise<string | undefined> {
  const real = await realpath(target).catch(() => target); // a link is written at its target
  const info = await stat(real).catch(() => undefined);
  if (info?.isDirectory()) return 'it is a directory';
  try {
    // A temp file is created beside it and renamed over it: the folder must be writable too.
    await access(path.dirname(real), constants.W_OK | constants.X_OK);
    if (info) await access(real, constants.W_OK);
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

export interface PlannedWrite {
  /** The path shown to the user. */
  file: string;
  absolute: string;
  content: Buffer;
}

export interface WriteOutcome {
  written: string[];
  notWritten: string[];
  /** The file that could not be written, and why. */
  failure?: { file: string; reason: string };
  /** A SIGINT/SIGTERM arrived during the write phase. */
  interrupted: boolean;
}

/** Where the signals that stop the run come from (the process; a test passes its own emitter). */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.async-migrate-${process.pid}.tmp`);
}

/**
 * Writes every file as one transaction. Phase 1 writes a temp file beside each real file (through
 * a symlink to its target, so links stay links) with the file's mode; a failure or a signal there
 * deletes the temps and nothing has changed. Phase 2 renames them all, with signals held until the
 * renames are done; only a failing rename (rare: the temps sit in the same folders) can leave the
 * tree part-migrated, and the outcome then says exactly what was written.
 */
export async function writeTransaction(writes: readonly PlannedWrite[], signals: SignalSource = process, afterEachStep?: (phase: 'temp' | 'rename', file: string) => void): Promise<WriteOutcome> {
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  const staged: { write: PlannedWrite; real: string; temp: string }[] = [];
  let failure: WriteOutcome['failure'];
  try {
    for (const write of writes) {
      if (interrupted) break;
      try {
        const real = await realpath(write.absolute);
        const temp = tempPathFor(real);
        const { mode } = await stat(real);
        staged.push({ write, real, temp });
        await writeFile(temp, write.content, { mode });
        await chmod(temp, mode); // the umask may have narrowed it
      } catch (error) {
        failure = { file: write.file, reason: describeError(error) };
        break;
      }
      afterEachStep?.('temp', write.file);
    }
    if (failure || interrupted) {
      await Promise.all(staged.map(({ temp }) => unlink(temp).catch(() => undefined)));
      return { written: [], notWritten: writes.map((write) => write.file), failure, interrupted };
    }
    const written: string[] = [];
    for (const [index, { write, real, temp }] of staged.entries()) {
      try {
        await rename(temp, real);
      } catch (error) {
        failure = { file: write.file, reason: describeError(error) };
        await Promise.all(staged.slice(index).map((rest) => unlink(rest.temp).catch(() => undefined)));
        break;
      }
      written.push(write.file);
      afterEachStep?.('rename', write.file);
    }
    // A signal that arrived during the last rename is delivered on the next turn of the event loop:
    // take it while still listening, so that it is reported rather than lost.
    await new Promise((resolve) => setImmediate(resolve));
    const done = new Set(written);
    return { written, notWritten: writes.map((write) => write.file).filter((file) => !done.has(file)), failure, interrupted };
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  }
}
