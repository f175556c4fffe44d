// Loads ts-morph's TypeScript (a 9 MB bundle) with a V8 code cache, before anything imports it.
// Compiling it is most of the front-end's start-up, paid on every run; with the cache V8 deserialises
// the bytecode instead. @ts-morph/common (3 MB, mostly the lib files as strings) is left to the
// ordinary loader: its cache is larger than its source, saved no time and grew the heap by 23 MB.
//
// Node >= 22.1 has this built in (`module.enableCompileCache`). On Node 20 the CommonJS file is
// compiled here with `vm.Script` and put in `require.cache`, where `@ts-morph/common` finds it. The
// cache is written once, at exit, after the analysis: it then holds the functions the run compiled
// lazily too (parser, binder, checker), not only the top level. Anything that goes wrong (no
// writable folder, a corrupt or foreign file, a rejected cache) means an ordinary compile; the
// report never depends on it. This module must not import the compiler itself.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** `ASYNC_MIGRATE_CODE_CACHE=0` turns the cache off; any other value is the folder to keep it in. */
const SETTING = 'ASYNC_MIGRATE_CODE_CACHE';

const require = createRequire(import.meta.url);

interface ModuleInternals {
  wrap(source: string): string;
  _cache: Record<string, unknown>;
  _nodeModulePaths(from: string): string[];
}

interface NodeModule {
  filename: string;
  paths: string[];
  loaded: boolean;
  exports: unknown;
}

let started = false;

/** Call before the first import of `@ts-morph/common`; later calls do nothing. */
export function loadCompilerWithCodeCache(): void {
  if (started) return;
  started = true;
  const setting = process.env[SETTING];
  if (setting === '0') return;
  try {
    const common = require.resolve('@ts-morph/common');
    const bundles = [path.join(path.dirname(common), 'typescript.js')];
    const internals = Module as unknown as ModuleInternals;
    if (bundles.some((file) => internals._cache[file] !== undefined)) return;
    const folder = cacheFolder(setting, common);
    const builtIn = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
    if (builtIn) {
      if (folder) builtIn(folder);
      return;
    }
    const pending: { script: vm.Script; file: string }[] = [];
    for (const bundle of bundles) {
      const loaded = compileBundle(bundle, folder, internals);
      if (loaded.writeTo) pending.push({ script: loaded.script, file: loaded.writeTo });
    }
    if (pending.length > 0) process.once('exit', () => pending.forEach(({ script, file }) => writeAtomically(file, script.createCachedData())));
  } catch {
    // Loaded the ordinary way by the imports that follow.
  }
}

/** The folder for the cache, created if needed, or undefined when none is safe to use. */
function cacheFolder(setting: string | undefined, common: string): string | undefined {
  const candidates = setting
    ? [setting]
    : [
        // node_modules/.cache/async-migrate beside the tool's dependencies, else a per-user folder in tmp.
        path.join(path.resolve(path.dirname(common), '../../..'), '.cache', 'async-migrate', 'code-cache'),
        path.join(os.tmpdir(), `async-migrate-code-cache-${process.getuid?.() ?? 'user'}`),
      ];
  for (const candidate of candidates) {
    try {
      mkdirSync(candidate, { recursive: true, mode: 0o700 });
      if (isOwnedAndPrivate(lstatSync(candidate), true)) return candidate;
    } catch {
      // Not creatable here: try the next place.
    }
  }
  return undefined;
}

/**
 * V8 runs whatever bytecode a cache holds, and checks little more than the source's length: use only
 * a folder and files that are this user's and that no one else can write (not a symlink).
 */
function isOwnedAndPrivate(stats: { uid: number; mode: number; isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }, directory: boolean): boolean {
  if (stats.isSymbolicLink() || (directory ? !stats.isDirectory() : !stats.isFile())) return false;
  const uid = process.getuid?.();
  return (uid === undefined || stats.uid === uid) && (stats.mode & 0o022) === 0;
}

function compileBundle(file: string, folder: string | undefined, internals: ModuleInternals): { script: vm.Script; writeTo?: string } {
  const source = readFileSync(file, 'utf8');
  const cacheFile = folder ? path.join(folder, `${cacheKey(file)}.bin`) : undefined;
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  const script = new vm.Script(internals.wrap(source), { filename: file, cachedData });
  const module = new Module(file) as unknown as NodeModule;
  module.filename = file;
  module.paths = internals._nodeModulePaths(path.dirname(file));
  internals._cache[file] = module;
  try {
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void;
    wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
    module.loaded = true;
  } catch (error) {
    delete internals._cache[file];
    throw error;
  }
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  return { script, writeTo: accepted ? undefined : cacheFile };
}

/**
 * The bundle (path, size, modification time: an install or update changes them; hashing 12 MB would
 * cost a tenth of what the cache saves) and the Node and V8 that compiled it (V8 rejects another's
 * cache anyway).
 */
function cacheKey(file: string): string {
  const { size, mtimeMs, ino } = statSync(file);
  return createHash('sha256').update([file, size, mtimeMs, ino, process.version, process.arch, process.versions.v8].join('\0')).digest('hex').slice(0, 32);
}

function readCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (!isOwnedAndPrivate(fstatSync(fd), false) || !isOwnedAndPrivate(lstatSync(file), false)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A temporary file renamed into place: a reader sees the old cache, the new one, or none. */
function writeAtomically(file: string, data: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
  }
}
