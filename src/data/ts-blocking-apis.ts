// The blocking Node.js APIs and their async equivalents, one entry per API. Extend the table (or the
// config's `blocking` list) to teach the tool a new API; the engine reads nothing else.
import type { RuleId } from '../model.js';

/** How the async equivalent is reached and what differs in its result. */
export type AsyncEquivalent =
  /** A promise API with the same arguments and result: `await readFile(…)`. */
  | { kind: 'direct'; module: string; name: string }
  /** A callback API promisified once per file: `const gzipAsync = promisify(gzip)`. */
  | { kind: 'promisify'; module: string; name: string }
  /**
   * `execSync` returns stdout; `promisify(exec)` resolves `{ stdout, stderr }`. `syncOnlyOptions`
   * exist only on the Sync form (Node's child_process docs): a call that passes one, or options the
   * tool cannot read, is reported, not fixed.
   */
  | { kind: 'promisify-stdout'; module: string; name: string; syncOnlyOptions: readonly string[] }
  /** `existsSync` has no promise twin: `await access(p).then(() => true, () => false)`. */
  | { kind: 'exists' }
  /** No safe equivalent: reported, not fixed. */
  | { kind: 'none'; hint: string };

export interface BlockingApi {
  rule: RuleId;
  /**
   * A call whose first argument is a literal size below this (bytes) is cheap enough not to report:
   * `randomBytes(16)` for a token takes about a microsecond.
   */
  cheapBelow?: number;
  /** Module specifiers this export comes from (`node:` prefix and bare). */
  modules: readonly string[];
  name: string;
  equivalent: AsyncEquivalent;
}

const FS = ['fs', 'node:fs'];
const CHILD_PROCESS = ['child_process', 'node:child_process'];
const ZLIB = ['zlib', 'node:zlib'];
const CRYPTO = ['crypto', 'node:crypto'];

/** `fs.xSync` whose `fs/promises` twin takes the same arguments and resolves the same value. */
const FS_DIRECT = [
  'readFile', 'writeFile', 'appendFile', 'readdir', 'stat', 'lstat', 'mkdir', 'mkdtemp', 'rm', 'rmdir',
  'unlink', 'rename', 'copyFile', 'cp', 'access', 'chmod', 'chown', 'lchown', 'realpath', 'readlink',
  'symlink', 'link', 'truncate', 'utimes', 'lutimes', 'statfs', 'opendir',
];

const FS_EXTRA = ['fs-extra'];

/**
 * fs-extra's own sync API, `xSync` -> `x`: without a callback each returns a promise of the same
 * value (`pathExistsSync` -> `pathExists`, `readJsonSync` -> `readJson`).
 */
const FS_EXTRA_OWN = [
  'pathExists', 'readJson', 'readJSON', 'writeJson', 'writeJSON', 'outputFile', 'outputJson', 'outputJSON', 'ensureDir',
  'mkdirs', 'mkdirp', 'ensureFile', 'createFile', 'copy', 'move', 'remove', 'emptyDir', 'emptydir', 'ensureLink',
  'createLink', 'ensureSymlink', 'createSymlink',
];

/** Descriptor-based `fs` calls: their promise API works on FileHandles, not numbers. */
const FS_DESCRIPTOR = ['open', 'close', 'read', 'write', 'fstat', 'fsync', 'fdatasync', 'ftruncate', 'futimes', 'fchmod', 'fchown', 'readv', 'writev'];

export const TS_BLOCKING_APIS: readonly BlockingApi[] = [
  ...FS_DIRECT.map((name): BlockingApi => ({
    rule: 'blocking-io',
    modules: FS,
    name: `${name}Sync`,
    equivalent: { kind: 'direct', module: 'node:fs/promises', name },
  })),
  { rule: 'blocking-io', modules: FS, name: 'existsSync', equivalent: { kind: 'exists' } },
  ...FS_DESCRIPTOR.map((name): BlockingApi => ({
    rule: 'blocking-io',
    modules: FS,
    name: `${name}Sync`,
    equivalent: { kind: 'none', hint: `use a FileHandle from fs/promises open() instead of ${name}Sync on a descriptor` },
  })),
  // `stdio` (streaming to the terminal with 'inherit') and `input` (stdin text) have no exec/execFile twin.
  // fs-extra re-exports fs with promise-returning versions of each method, and adds its own.
  ...[...FS_DIRECT, ...FS_EXTRA_OWN].map((name): BlockingApi => ({
    rule: 'blocking-io',
    modules: FS_EXTRA,
    name: `${name}Sync`,
    equivalent: { kind: 'direct', module: 'fs-extra', name },
  })),
  // fs-extra's `pathExists` is the promise twin fs never had.
  { rule: 'blocking-io', modules: FS_EXTRA, name: 'existsSync', equivalent: { kind: 'direct', module: 'fs-extra', name: 'pathExists' } },
  ...FS_DESCRIPTOR.map((name): BlockingApi => ({
    rule: 'blocking-io',
    modules: FS_EXTRA,
    name: `${name}Sync`,
    equivalent: { kind: 'none', hint: `use a FileHandle from fs/promises open() instead of ${name}Sync on a descriptor` },
  })),
  { rule: 'blocking-io', modules: CHILD_PROCESS, name: 'execSync', equivalent: { kind: 'promisify-stdout', module: 'node:child_process', name: 'exec', syncOnlyOptions: ['stdio', 'input'] } },
  { rule: 'blocking-io', modules: CHILD_PROCESS, name: 'execFileSync', equivalent: { kind: 'promisify-stdout', module: 'node:child_process', name: 'execFile', syncOnlyOptions: ['stdio', 'input'] } },
  { rule: 'blocking-io', modules: CHILD_PROCESS, name: 'spawnSync', equivalent: { kind: 'none', hint: 'use spawn() and await its "close" event, or promisify(execFile)' } },
  ...['gzip', 'gunzip', 'deflate', 'inflate', 'deflateRaw', 'inflateRaw', 'unzip', 'brotliCompress', 'brotliDecompress'].map(
    (name): BlockingApi => ({
      rule: 'blocking-io',
      modules: ZLIB,
      name: `${name}Sync`,
      equivalent: { kind: 'promisify', module: 'node:zlib', name },
    }),
  ),
  // promisify(scrypt) loses scrypt's overloads (the result is `unknown`): reported, not fixed.
  { rule: 'blocking-io', modules: CRYPTO, name: 'scryptSync', equivalent: { kind: 'none', hint: 'wrap scrypt() in a Promise (promisify loses its types), or run it in a worker' } },
  ...['pbkdf2', 'randomFill'].map(
    (name): BlockingApi => ({
      rule: 'blocking-io',
      modules: CRYPTO,
      name: `${name}Sync`,
      equivalent: { kind: 'promisify', module: 'node:crypto', name },
    }),
  ),
  { rule: 'blocking-io', modules: CRYPTO, name: 'generateKeyPairSync', equivalent: { kind: 'none', hint: 'use generateKeyPair() with a callback or promisify it with the key format options' } },
];

/**
 * Bytes under which a literal-size `randomBytes` is not reported: the CSPRNG produces hundreds of
 * MB a second, so 64 KiB is tens of microseconds, less than the promise round trip costs.
 */
export const CHEAP_RANDOM_BYTES = 64 * 1024;

/** Calls of these, with a single size argument and no callback, are sync. */
export const SYNC_WHEN_NO_CALLBACK: readonly BlockingApi[] = [
  { rule: 'blocking-io', modules: CRYPTO, name: 'randomBytes', cheapBelow: CHEAP_RANDOM_BYTES, equivalent: { kind: 'promisify', module: 'node:crypto', name: 'randomBytes' } },
];

/** npm packages whose calls sleep synchronously: module -> export names ('default' for the module itself). */
export const SYNC_SLEEP_PACKAGES: Readonly<Record<string, { names: readonly string[]; unit: 'ms' | 's' | 'us' | 'default' }[]>> = {
  sleep: [
    { names: ['sleep'], unit: 's' },
    { names: ['msleep'], unit: 'ms' },
    { names: ['usleep'], unit: 'us' },
  ],
  'system-sleep': [{ names: ['default'], unit: 'ms' }],
  'sleep-sync': [{ names: ['default'], unit: 'ms' }],
  deasync: [{ names: ['sleep'], unit: 'ms' }],
};

export function findBlockingApi(module: string, name: string): BlockingApi | undefined {
  return TS_BLOCKING_APIS.find((api) => api.name === name && api.modules.includes(module));
}
