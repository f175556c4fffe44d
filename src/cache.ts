// The run cache (`--cache`, as ESLint's): a `check` or dry run whose inputs are all as they were at a
// cached run gives that run's result without loading TypeScript or parsing a file. The inputs: the
// tool's own code and its dependencies' versions, the options and the config (the entry's name), the
// bytes of every file discovered, of every other file the analysis read (the TypeScript program's
// files, tsconfigs) and of the project and lock files above the root, and the folders holding them
// (a new file there can change module resolution). Nothing here imports TypeScript: a hit must not
// pay for loading it. The design, and why it is whole-run rather than per-file: bench/README.md.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineResult } from './engine.js';
import { describeError } from './errors.js';

/** Bumped when the entry's layout changes: an entry of another layout is ignored with one line. */
const CACHE_FORMAT = 1;
const MARK = 'async-migrate-cache';
export const DEFAULT_CACHE_LOCATION = path.join('node_modules', '.cache', 'async-migrate');

/** Files above the root that decide how a project resolves and what it declares (a change to one is a miss). */
const PROJECT_FILES = [
  'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'bun.lockb', 'bun.lock',
  'tsconfig.json', 'jsconfig.json', 'pyproject.toml', 'setup.py', 'setup.cfg', 'pytest.ini', 'tox.ini', 'Pipfile', 'Pipfile.lock', 'poetry.lock', 'uv.lock',
];
const REQUIREMENTS = /^requirements.*\.(txt|in)$/;

interface Entry {
  tool: typeof MARK;
  format: number;
  fingerprint: string;
  key: string;
  /** Content hash of each discovered file. */
  files: Record<string, string>;
  /** Content hash of each other file read, or null for one that was absent. */
  dependencies: Record<string, string | null>;
  /** A hash of the source files and subfolders each folder holding an input lists: a file added there can change what resolves. */
  folders: Record<string, string | null>;
  /** The warnings the run printed, printed again on a hit. */
  warnings: string[];
  result: EngineResult;
}

export interface CachedRun {
  result: EngineResult;
  warnings: string[];
}

/** What decides a run's result besides the files: the entry's name, and part of its key. */
export interface RunSettings {
  [name: string]: unknown;
}

export class RunCache {
  private hashesBefore: { files: readonly string[]; hashes: (string | null)[] } | undefined;

  private constructor(
    /** The entry's file. */
    readonly file: string,
    /** The cache folder, left out of the folder listings. */
    private readonly location: string,
    private readonly key: string,
    private readonly fingerprint: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** The cache folder `location` (absolute); one entry per distinct settings (paths, options, config). */
  static async open(location: string, settings: RunSettings, warn: (message: string) => void): Promise<RunCache> {
    const key = digest(stableJson(settings));
    const fingerprint = await toolFingerprint();
    return new RunCache(path.join(location, `run-${key.slice(0, 20)}.json`), path.resolve(location), key, fingerprint, warn);
  }

  /** The cached result when every input is as it was; undefined (a miss) otherwise. */
  async lookup(files: readonly string[], root: string): Promise<CachedRun | undefined> {
    // Hashed before the run, hit or miss: `store` caches a run only if no file changed while it read them.
    const hashes = await hashFiles(files);
    this.hashesBefore = { files, hashes };
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.ignored(`cannot be read (${code ?? describeError(error)})`);
      return undefined;
    }
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      return this.ignored('is corrupt (not JSON)');
    }
    if (!isObject(entry) || entry.tool !== MARK) return this.ignored('is not an async-migrate cache');
    if (entry.format !== CACHE_FORMAT || entry.fingerprint !== this.fingerprint) return this.ignored('was written by another version of async-migrate');
    if (entry.key !== this.key || !isEntry(entry)) return this.ignored('is corrupt');
    if (Object.keys(entry.files).length !== files.length) return undefined;
    if (files.some((file, index) => entry.files[file] !== hashes[index])) return undefined;
    const dependencies = Object.keys(entry.dependencies);
    const current = await hashFiles(dependencies);
    if (dependencies.some((file, index) => entry.dependencies[file] !== current[index])) return undefined;
    // Requirement files (any `requirements*.txt` name) that appeared above the root are inputs too.
    for (const file of await projectFiles(root)) if (!(file in entry.dependencies)) return undefined;
    const folders = Object.keys(entry.folders);
    const listings = await Promise.all(folders.map((folder) => listingOf(folder, this.location)));
    if (folders.some((folder, index) => entry.folders[folder] !== listings[index])) return undefined;
    return { result: entry.result, warnings: entry.warnings };
  }

  /** Writes the entry atomically (a temp file beside it, then a rename); a failure is one warning, never the run's. */
  async store(files: readonly string[], dependencies: readonly string[], root: string, result: EngineResult, warnings: readonly string[]): Promise<void> {
    try {
      const discovered = new Set(files);
      const others = [...new Set([...dependencies.filter((file) => !discovered.has(file)), ...(await projectFiles(root)), ...ancestorsProjectFiles(root)])].sort();
      const [fileHashes, dependencyHashes] = await Promise.all([hashFiles(files), hashFiles(others)]);
      // A file changed while the run read it: its result holds neither the old bytes nor the new ones.
      const before = this.hashesBefore;
      if (!before || before.files.length !== files.length || fileHashes.some((hash, index) => hash === null || hash !== before.hashes[index] || before.files[index] !== files[index])) return;
      // The folders of the project's own inputs; node_modules changes show in the lockfiles and the files read.
      const folderSet = new Set<string>();
      for (const [index, file] of [...files, ...others].entries()) {
        const present = index < files.length || dependencyHashes[index - files.length] !== null;
        if (present && !file.split(path.sep).includes('node_modules')) folderSet.add(path.dirname(file));
      }
      const folders = [...folderSet].sort();
      const listings = await Promise.all(folders.map((folder) => listingOf(folder, this.location)));
      const entry: Entry = {
        tool: MARK,
        format: CACHE_FORMAT,
        fingerprint: this.fingerprint,
        key: this.key,
        files: Object.fromEntries(files.map((file, index) => [file, fileHashes[index]!])),
        dependencies: Object.fromEntries(others.map((file, index) => [file, dependencyHashes[index] ?? null])),
        folders: Object.fromEntries(folders.map((folder, index) => [folder, listings[index] ?? null])),
        warnings: [...warnings],
        result,
      };
      await mkdir(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, JSON.stringify(entry), { flag: 'wx' });
        await rename(temp, this.file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    } catch (error) {
      this.warn(`cache ${this.file} could not be written (${(error as NodeJS.ErrnoException).code ?? describeError(error)}); the run is not cached`);
    }
  }

  private ignored(why: string): undefined {
    this.warn(`cache ${this.file} ${why}; it is ignored and rebuilt`);
    return undefined;
  }
}

/** `inner` is `outer` or lies inside it. */
function isWithin(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEntry(entry: Record<string, unknown>): entry is Record<string, unknown> & Entry {
  const result = entry.result;
  return (
    isObject(entry.files) &&
    isObject(entry.dependencies) &&
    isObject(entry.folders) &&
    Array.isArray(entry.warnings) &&
    isObject(result) &&
    isObject(result.report) &&
    Array.isArray(result.outputs) &&
    typeof result.root === 'string'
  );
}

function digest(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

/** JSON with object keys sorted, so that equal settings give one key whatever their order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isObject(inner) ? Object.fromEntries(Object.keys(inner).sort().map((key) => [key, inner[key]])) : inner,
  );
}

/** Files read at once: a few thousand opened together would run into the open-file limit (EMFILE). */
const READ_CONCURRENCY = 64;

/** Each file's content hash, or null when it cannot be read (absent). */
async function hashFiles(files: readonly string[]): Promise<(string | null)[]> {
  const hashes: (string | null)[] = new Array<string | null>(files.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < files.length; index = next++) hashes[index] = await readFile(files[index]!).then(digest, () => null);
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return hashes;
}

/** Files that may be resolved as modules, or that declare a package: an added report or log does not count. */
const LISTED = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|json|py|pyi)$/;
const UNLISTED_FOLDERS = new Set(['node_modules', '__pycache__']);

/** The names of the folder's source files and subfolders (not the cache's own), hashed; null when it cannot be listed. */
async function listingOf(folder: string, cacheFolder: string): Promise<string | null> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    const names = entries
      .filter((entry) => !isWithin(path.join(folder, entry.name), cacheFolder))
      // Dot folders are left out too: a cache folder made beside the sources must not make the next run a miss.
      .filter((entry) => !entry.name.startsWith('.'))
      .filter((entry) => (entry.isDirectory() ? !UNLISTED_FOLDERS.has(entry.name) : LISTED.test(entry.name) && !/^(?!package\.json$|tsconfig|jsconfig).*\.json$/.test(entry.name)))
      .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
      .sort();
    return digest(names.join('\0'));
  } catch {
    return null;
  }
}

/** The project and lock files that exist in the root and every folder above it. */
async function projectFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    for (const name of PROJECT_FILES) if (existsSync(path.join(dir, name))) found.push(path.join(dir, name));
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) if (REQUIREMENTS.test(name)) found.push(path.join(dir, name));
    if (path.dirname(dir) === dir) return found;
  }
}

/** Every project file's path in the root and above, present or not: one that appears later is a change. */
function ancestorsProjectFiles(root: string): string[] {
  const paths: string[] = [];
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    for (const name of PROJECT_FILES) paths.push(path.join(dir, name));
    if (path.dirname(dir) === dir) return paths;
  }
}

let fingerprint: Promise<string> | undefined;

/**
 * This build of the tool: the hash of its own code (src/ and transforms/ beside this file, in dist/
 * or in a checkout) and the versions of the dependencies that decide a result, so that an upgrade,
 * or a rebuild in a checkout, never reuses an entry it did not write.
 */
function toolFingerprint(): Promise<string> {
  fingerprint ??= (async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const toolRoot = path.dirname(here);
    const code: string[] = [];
    for (const folder of [here, path.join(toolRoot, 'transforms')]) code.push(...(await codeFiles(folder)));
    code.sort();
    const hash = createHash('sha256');
    for (const file of code) hash.update(`${path.relative(toolRoot, file)}\0`).update(await readFile(file)).update('\0');
    const require = createRequire(import.meta.url);
    for (const name of ['@ts-morph/common', 'web-tree-sitter', 'tree-sitter-python', 'pyright']) {
      let version = 'absent';
      try {
        version = (JSON.parse(await readFile(require.resolve(`${name}/package.json`), 'utf8')) as { version?: string }).version ?? 'unknown';
      } catch {
        // Not installed (pyright is optional) or not resolvable by its package.json: named as absent.
      }
      hash.update(`${name}@${version}\0`);
    }
    hash.update(`node ${process.version}`);
    return hash.digest('hex').slice(0, 40);
  })();
  return fingerprint;
}

async function codeFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await codeFiles(full)));
    else if (/\.(m?js|ts|json|wasm)$/.test(entry.name) && !entry.name.endsWith('.map') && !entry.name.endsWith('.d.ts')) files.push(full);
  }
  return files;
}
