// Writing migrated files: never over uncommitted work, never through a link out of the tree, and as
// one transaction: every temp file first, then the renames, so that a failure or Ctrl-C leaves
// either nothing changed or everything written.
import { createHash, randomBytes } from 'node:crypto';
import { access, constants, lstat, open, readdir, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { describeError, UsageError } from './errors.js';
import { runGit } from './git.js';
import { LOCK_NAME, processAlive } from './lock.js';

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
export async function nearestGitFolder(dir: string, cache = new Map<string, Promise<string | undefined>>()): Promise<string | undefined> {
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
  // Not uncommitted work: this run's own lock file (untracked, in the root), and temp files a killed
  // run left (deleted before the write).
  const dirty = (await uncommittedFiles(cwd, paths, files)).filter((file) => path.posix.basename(file) !== LOCK_NAME && !isStaleTemp(path.posix.basename(file)));
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

/** Temp and probe files: `.<name>.async-migrate-<pid>-<12 hex>.tmp` (a probe, once renamed, ends `.b.tmp`). */
const TEMP_NAME = /^\..+\.async-migrate-(\d+)-[0-9a-f]{12}(?:\.b)?\.tmp$/;

/**
 * A fresh temp name beside `file`. The random part makes the name unguessable, so that a file or a
 * link planted at it (committed to the repository, say) is never written through; the temp is also
 * created with O_EXCL | O_NOFOLLOW, which fails on anything already there.
 */
export function tempPathFor(file: string, random: () => string = () => randomBytes(6).toString('hex')): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.async-migrate-${process.pid}-${random()}.tmp`);
}

/** Flags for a temp file: created here and now, never an existing file or a link. */
const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** A name this tool gives its temp files, of a process that is gone. */
function isStaleTemp(name: string): boolean {
  const match = TEMP_NAME.exec(name);
  return match !== null && !processAlive(Number(match[1]));
}

/**
 * Deletes the temp and probe files an earlier run left in `dirs` (it was killed with SIGKILL, or the
 * machine stopped): regular files named as this tool names them whose process is gone. Returns them.
 */
export async function removeStaleTemps(dirs: Iterable<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!isStaleTemp(name)) continue;
      const file = path.join(dir, name);
      const info = await lstat(file).catch(() => undefined);
      if (!info?.isFile()) continue; // a link or a folder by that name is not ours
      if (await unlink(file).then(() => true, () => false)) removed.push(file);
    }
  }
  return removed;
}

/**
 * Whether a folder lets this run do what the write does there: create a file and rename it (the
 * rename takes an entry out of the folder, as replacing a file does). `access()` says yes for an
 * append-only folder (`chattr +a`), where the rename then fails; so the probe does it for real.
 * Where the probe cannot be deleted (that very folder), the reason names the file left behind.
 */
export async function probeFolder(dir: string): Promise<string | undefined> {
  const probe = tempPathFor(path.join(dir, 'async-migrate-probe'));
  const renamed = probe.replace(/\.tmp$/, '.b.tmp');
  let left: string | undefined;
  let problem: string | undefined;
  try {
    await (await open(probe, CREATE_EXCLUSIVE, 0o600)).close();
    left = probe;
    await rename(probe, renamed); // the file's own flags are checked by `unwritableReason`
    left = renamed;
  } catch (error) {
    problem = `the folder does not allow it: ${describeError(error)}`;
  }
  if (left !== undefined && !(await unlink(left).then(() => true, () => false))) {
    // A folder that refuses the rename refuses deleting the probe too (append-only): say what is left.
    problem = `${problem ?? 'the folder does not allow deleting a file'}; probe file left: ${path.basename(left)}`;
  }
  return problem;
}

/**
 * Why `target` cannot be written (missing folder, no permission, a directory, an append-only file
 * or folder), or undefined. `probed` caches the folders probed in this run.
 */
export async function unwritableReason(target: string, probed: Map<string, Promise<string | undefined>> = new Map()): Promise<string | undefined> {
  const real = await realpath(target).catch(() => target); // a link is written at its target
  const info = await stat(real).catch(() => undefined);
  if (info?.isDirectory()) return 'it is a directory';
  try {
    // A temp file is created beside it and renamed over it: the folder must be writable too.
    await access(path.dirname(real), constants.W_OK | constants.X_OK);
    if (info) {
      // Opening for writing without O_APPEND is what an append-only or immutable file refuses
      // (`access()` passes it); nothing is written, and the file is not truncated.
      await (await open(real, constants.O_RDWR | constants.O_NOFOLLOW)).close();
    }
  } catch (error) {
    return describeError(error);
  }
  if (info && !info.isFile()) return undefined; // a device (`-o /dev/null`) is written in place
  const dir = path.dirname(real);
  if (!probed.has(dir)) probed.set(dir, probeFolder(dir));
  return probed.get(dir);
}

export function digestOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The file changed on disk after it was read for the analysis: the run writes nothing. */
export class FileChangedError extends Error {
  override name = 'FileChangedError';
  constructor(readonly file: string) {
    super(`${file} changed during the run; nothing was written`);
  }
}

export interface PlannedWrite {
  /** The path shown to the user. */
  file: string;
  absolute: string;
  content: Buffer;
  /** The sha256 of the bytes the edits were computed on: the file on disk must still hold them. */
  expectedDigest?: string;
}

export interface WriteOutcome {
  written: string[];
  notWritten: string[];
  /** The file that could not be written, and why; `changed` when it changed during the run. */
  failure?: { file: string; reason: string; changed?: boolean };
  /** A SIGINT/SIGTERM arrived during the write phase. */
  interrupted: boolean;
}

/** Where the signals that stop the run come from (the process; a test passes its own emitter). */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface WriteOptions {
  /** The real folders the files must lie in after the rename (the paths being migrated). */
  roots?: readonly string[];
  /** The random part of temp names (tests plant a file at a known name). */
  random?: () => string;
}

/**
 * Writes `content` to a new temp file beside `real`, with `real`'s mode and owner (as root, the
 * file's owner stays the user's), and returns the temp's path and inode.
 */
async function writeTemp(real: string, content: Buffer, random: (() => string) | undefined): Promise<{ temp: string; ino: number }> {
  const { mode, uid, gid } = await stat(real);
  const temp = tempPathFor(real, random);
  const handle = await open(temp, CREATE_EXCLUSIVE, 0o600);
  let done = false;
  try {
    await handle.writeFile(content);
    const mine = await handle.stat();
    if (mine.uid !== uid || mine.gid !== gid) {
      // Only root may give a file away; anyone else's rename makes the file theirs, as an editor's save does.
      await handle.chown(uid, gid).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
      });
    }
    await handle.chmod(mode & 0o7777); // after chown, which clears set-id bits; the umask is not applied
    done = true;
    return { temp, ino: mine.ino };
  } finally {
    await handle.close().catch(() => undefined);
    if (!done) await unlink(temp).catch(() => undefined);
  }
}

/**
 * Writes every file as one transaction. Phase 1 writes a temp file beside each real file (through
 * a symlink to its target, so links stay links) with the file's mode and owner; a failure or a
 * signal there deletes the temps and nothing has changed. Before phase 2 every file must still hold
 * the bytes the migration was computed on, else nothing is written. Phase 2 renames them all, with
 * signals held until the renames are done; only a failing rename (rare: the temps sit in the same
 * folders) can leave the tree part-migrated, and the outcome then says exactly what was written.
 * No temp file outlives the call, whatever happens.
 */
export async function writeTransaction(
  writes: readonly PlannedWrite[],
  signals: SignalSource = process,
  afterEachStep?: (phase: 'temp' | 'rename', file: string) => void,
  options: WriteOptions = {},
): Promise<WriteOutcome> {
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  const staged: { write: PlannedWrite; real: string; temp: string; ino: number }[] = [];
  const pending = new Set<string>(); // temps not renamed yet: deleted on every way out
  let failure: WriteOutcome['failure'];
  try {
    for (const write of writes) {
      if (interrupted) break;
      try {
        const real = await realpath(write.absolute);
        const { temp, ino } = await writeTemp(real, write.content, options.random);
        pending.add(temp);
        staged.push({ write, real, temp, ino });
      } catch (error) {
        failure = { file: write.file, reason: describeError(error) };
        break;
      }
      afterEachStep?.('temp', write.file);
    }
    if (!failure && !interrupted) failure = await changedSinceAnalysis(staged);
    if (failure || interrupted) {
      return { written: [], notWritten: writes.map((write) => write.file), failure, interrupted };
    }
    const written: string[] = [];
    for (const { write, real, temp, ino } of staged) {
      try {
        // The temp must still be the file written (not swapped for a link) before it replaces the original.
        const before = await lstat(temp);
        if (!before.isFile() || before.ino !== ino) throw new Error(`the temp file ${path.basename(temp)} was replaced during the write`);
        await rename(temp, real);
        pending.delete(temp);
      } catch (error) {
        failure = { file: write.file, reason: describeError(error) };
        break;
      }
      written.push(write.file);
      const problem = await notWhereWritten(real, ino, options.roots);
      if (problem) {
        failure = { file: write.file, reason: problem };
        break;
      }
      afterEachStep?.('rename', write.file);
    }
    // A signal that arrived during the last rename is delivered on the next turn of the event loop:
    // take it while still listening, so that it is reported rather than lost.
    await new Promise((resolve) => setImmediate(resolve));
    const done = new Set(written);
    return { written, notWritten: writes.map((write) => write.file).filter((file) => !done.has(file)), failure, interrupted };
  } finally {
    await Promise.all([...pending].map((temp) => unlink(temp).catch(() => undefined)));
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  }
}

/** The first file whose bytes on disk are no longer those the migration was computed on. */
async function changedSinceAnalysis(staged: readonly { write: PlannedWrite; real: string }[]): Promise<WriteOutcome['failure']> {
  for (const { write, real } of staged) {
    if (write.expectedDigest === undefined) continue;
    const now = await readFile(real).then(digestOf, () => undefined);
    if (now !== write.expectedDigest) return { file: write.file, reason: 'it changed during the run', changed: true };
  }
  return undefined;
}

/** After the rename, `real` must be the regular file written, inside the paths being migrated. */
async function notWhereWritten(real: string, ino: number, roots: readonly string[] | undefined): Promise<string | undefined> {
  const info = await lstat(real).catch(() => undefined);
  if (!info?.isFile() || info.ino !== ino) return 'after the rename it is not the regular file written';
  if (roots) {
    const at = await realpath(real).catch(() => real);
    if (!roots.some((root) => isWithin(root, at))) return `after the rename it lies at ${at}, outside the paths being migrated`;
  }
  return undefined;
}

/** Why the `-o` report cannot be written at `target`, or undefined: as `unwritableReason`, and never through a link. */
export async function reportTargetProblem(target: string): Promise<string | undefined> {
  const link = await lstat(target).then((info) => info.isSymbolicLink(), () => false);
  // A link committed at the report's name (the CI recipe's file) would send the report anywhere.
  if (link) return 'it is a symbolic link; the report is never written through one';
  return unwritableReason(target);
}

/**
 * Writes the `-o` report: a regular file (or a new one) is replaced atomically by a temp file
 * renamed over it, so that a reader never sees half a report and a link planted meanwhile is
 * replaced, not followed; a device (`/dev/null`) is written in place.
 */
export async function writeReport(target: string, text: string): Promise<void> {
  const info = await lstat(target).catch(() => undefined);
  if (info?.isSymbolicLink()) throw new Error('it is a symbolic link; the report is never written through one');
  if (info && !info.isFile()) {
    const handle = await open(target, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
    return;
  }
  let temp: string;
  if (info) temp = (await writeTemp(target, Buffer.from(text, 'utf8'), undefined)).temp;
  else {
    temp = tempPathFor(target);
    const handle = await open(temp, CREATE_EXCLUSIVE, 0o666); // a new report: the umask's mode
    try {
      await handle.writeFile(text, 'utf8');
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
