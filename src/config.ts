// async-migrate.config.json: the team's settings. Validation lives here so a wrong key or value is
// one clear line naming it.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { RULE_IDS } from './model.js';
import type { RuleId, Scope, Severity, Strategy } from './model.js';

/** A blocking API the config adds, with its async equivalent when one exists. */
export interface BlockingApiConfig {
  /** TypeScript: `module.export` or `module.export.method` (`better-sqlite3.Database.prepare`), or a
   * project call `db.querySync`; Python: dotted `vectorstore.Client.query`. */
  call: string;
  language?: 'typescript' | 'python';
  /** The async equivalent as a call path (`db.query`, `aiofiles.open`); absent: wrap (Python:
   * `asyncio.to_thread`) or report. */
  asyncEquivalent?: string;
  /** Module to import the async equivalent from, when it differs. */
  module?: string;
}

export interface Config {
  include: string[];
  exclude: string[];
  rules: Partial<Record<RuleId, Severity | 'off'>>;
  scope: Scope;
  strategy: Strategy;
  makeAsync: string[];
  blocking: BlockingApiConfig[];
  /** Functions that must stay sync (entry points a framework calls synchronously). */
  entryPoints: string[];
  /** Files whose exports are the public API (for `breaking` and the dual strategy). */
  public: string[];
  /** `migrate` also applies fixes marked unsafe (as `--unsafe-fixes`). */
  unsafeFixes: boolean;
}

export const DEFAULT_CONFIG: Config = {
  include: [],
  exclude: [],
  rules: {},
  scope: 'reachable',
  strategy: 'inplace',
  makeAsync: [],
  blocking: [],
  entryPoints: [],
  public: [],
  unsafeFixes: false,
};

export const CONFIG_FILE_NAME = 'async-migrate.config.json';

/**
 * Reads the config: the explicit file (which must exist), else `async-migrate.config.json` at `root`
 * when present, else the defaults. Any unknown key or bad value is a UsageError naming the key.
 */
export async function loadConfig(root: string, explicitPath?: string): Promise<{ config: Config; path?: string }> {
  // An explicit path is what the user typed, so it is relative to the working directory, not the root.
  const path = explicitPath === undefined ? join(root, CONFIG_FILE_NAME) : resolve(explicitPath);
  const shownPath = explicitPath ?? path;
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (explicitPath === undefined && code === 'ENOENT') return { config: defaultConfig() };
    throw new UsageError(`config ${shownPath}: ${code === 'ENOENT' ? 'file not found' : `cannot read: ${code ?? String(error)}`}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`config ${shownPath}: not valid JSON: ${(error as Error).message}`);
  }
  return { config: parseConfig(parsed, shownPath), path };
}

/** A fresh copy of the defaults, so a caller mutating its config never changes them. */
export function defaultConfig(): Config {
  return structuredClone(DEFAULT_CONFIG);
}

type KeyCheck = (value: unknown, key: string) => void;

const SEVERITY_VALUES: readonly string[] = ['error', 'warning', 'info', 'off'];
const SCOPES: readonly Scope[] = ['reachable', 'all'];
const STRATEGIES: readonly Strategy[] = ['inplace', 'dual'];
const LANGUAGES: readonly string[] = ['typescript', 'python'];

/** Validates a parsed config file; `file` names it in errors. */
export function parseConfig(value: unknown, file: string): Config {
  const fail = (key: string, what: string): never => {
    throw new UsageError(`config ${file}: ${key}: ${what}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `${typeof v} ${JSON.stringify(v)}`);
  const oneOf = (allowed: readonly string[]): KeyCheck => (v, key) => {
    if (typeof v !== 'string' || !allowed.includes(v)) fail(key, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(v)}`);
  };
  const nonEmptyString: KeyCheck = (v, key) => {
    if (typeof v !== 'string' || v.trim() === '') fail(key, `must be a non-empty string, got ${describe(v)}`);
  };
  const stringList: KeyCheck = (v, key) => {
    if (!Array.isArray(v)) fail(key, `must be an array of strings, got ${describe(v)}`);
    (v as unknown[]).forEach((item, index) => nonEmptyString(item, `${key}[${index}]`));
  };
  const checkKeys = (object: Record<string, unknown>, allowed: readonly string[], prefix: string): void => {
    for (const key of Object.keys(object)) {
      if (allowed.includes(key)) continue;
      const suggestion = closest(key, allowed);
      fail(`${prefix}${key}`, `unknown key${suggestion === undefined ? '' : ` (did you mean "${prefix}${suggestion}"?)`}`);
    }
  };

  // Globs: within the matchers' length limit (longer ones throw inside them: an internal error), and
  // for `include`, inside the root (`../lib/**` or `/etc/**` would read files outside it).
  const globList = (insideRoot: boolean): KeyCheck => (v, key) => {
    stringList(v, key);
    (v as string[]).forEach((glob, index) => {
      const problem = globProblem(glob, insideRoot);
      if (problem) fail(`${key}[${index}]`, problem);
    });
  };
  const topLevel: Record<keyof Config, KeyCheck> = {
    include: globList(true),
    exclude: globList(false),
    rules: (v, key) => {
      if (!isObject(v)) return fail(key, `must be an object of rule id to severity, got ${describe(v)}`);
      for (const [rule, severity] of Object.entries(v)) {
        if (!(RULE_IDS as readonly string[]).includes(rule)) {
          const suggestion = closest(rule, RULE_IDS);
          fail(`${key}.${rule}`, `unknown rule id; known: ${RULE_IDS.join(', ')}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
        }
        oneOf(SEVERITY_VALUES)(severity, `${key}.${rule}`);
      }
    },
    scope: oneOf(SCOPES),
    strategy: oneOf(STRATEGIES),
    makeAsync: stringList,
    blocking: (v, key) => {
      if (!Array.isArray(v)) return fail(key, `must be an array of {"call": …} objects, got ${describe(v)}`);
      v.forEach((entry: unknown, index) => {
        const at = `${key}[${index}]`;
        if (!isObject(entry)) return fail(at, `must be an object like {"call": "db.querySync"}, got ${describe(entry)}`);
        checkKeys(entry, ['call', 'language', 'asyncEquivalent', 'module'], `${at}.`);
        if (!('call' in entry)) fail(`${at}.call`, 'is required');
        nonEmptyString(entry.call, `${at}.call`);
        if ('language' in entry) oneOf(LANGUAGES)(entry.language, `${at}.language`);
        if ('asyncEquivalent' in entry) nonEmptyString(entry.asyncEquivalent, `${at}.asyncEquivalent`);
        if ('module' in entry) nonEmptyString(entry.module, `${at}.module`);
      });
    },
    entryPoints: stringList,
    public: globList(false),
    unsafeFixes: (v, key) => {
      if (typeof v !== 'boolean') fail(key, `must be true or false, got ${describe(v)}`);
    },
  };

  if (!isObject(value)) return fail('(top level)', `must be a JSON object, got ${describe(value)}`);
  // `$schema` lets editors complete the file; it has no effect.
  checkKeys(value, ['$schema', ...Object.keys(topLevel)], '');
  if ('$schema' in value && typeof value.$schema !== 'string') fail('$schema', `must be a string, got ${describe(value.$schema)}`);
  for (const [key, check] of Object.entries(topLevel)) {
    if (key in value) check(value[key], key);
  }
  const { $schema: _editorSchema, ...settings } = value;
  return { ...defaultConfig(), ...(structuredClone(settings) as Partial<Config>) };
}

/** picomatch (under globby) and minimatch refuse patterns longer than this. */
export const MAX_GLOB_LENGTH = 65_536;

/** Why a config glob cannot be used, or undefined. */
function globProblem(glob: string, insideRoot: boolean): string | undefined {
  if (glob.length > MAX_GLOB_LENGTH) return `a glob of ${glob.length} characters; at most ${MAX_GLOB_LENGTH}`;
  if (!insideRoot) return undefined;
  const shown = glob.length > 80 ? `${glob.slice(0, 77)}…` : glob;
  // Without expanding braces (exponential in their number): an alternative of a brace counts as a
  // start (`{src,/etc}/**`), and a `..` between separators or brace marks as leaving the root.
  if (/^([\\/]|[A-Za-z]:)|[{,][\\/]/.test(glob) || isAbsolute(glob)) return `"${shown}" is an absolute path; include globs are relative to the root, inside it`;
  if (glob.split(/[\\/{},]/).includes('..')) return `"${shown}" leaves the root (\`..\`); include globs must stay inside it`;
  return undefined;
}

/** The allowed name nearest to a misspelt one, when it is near enough to be the likely intent. */
function closest(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_unused, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
