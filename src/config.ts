// async-migrate.config.json: the team's settings. Validation lives here so a wrong key or value is
// one clear line naming it.
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
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
  /** `check` and dry runs use the run cache (as `--cache`). */
  cache: boolean;
  /** The run cache's folder (as `--cache-location`), relative to the config file's folder; '' for the default. */
  cacheLocation: string;
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
  cache: false,
  cacheLocation: '',
};

export const CONFIG_FILE_NAME = 'async-migrate.config.json';

/** Where a config can live. In one directory they are tried in this order; the first found wins,
 * and sources are never merged (as ruff and ESLint do), so one file says all of a project's settings. */
type SourceKind = 'json' | 'pyproject' | 'package-json';
const SOURCE_FILES: readonly { kind: SourceKind; fileName: string }[] = [
  { kind: 'json', fileName: CONFIG_FILE_NAME },
  { kind: 'pyproject', fileName: 'pyproject.toml' },
  { kind: 'package-json', fileName: 'package.json' },
];
const PACKAGE_JSON_KEY = 'async-migrate';

/**
 * Reads the config: the explicit file (which must exist and, for a `pyproject.toml` or
 * `package.json`, hold the settings), else the nearest source at or above `root` (in each directory
 * `async-migrate.config.json`, then a `pyproject.toml` with a `[tool.async-migrate]` table, then a
 * `package.json` with an `"async-migrate"` key), else the defaults. Any unknown key or bad value is
 * a UsageError naming the source and the key.
 */
export async function loadConfig(root: string, explicitPath?: string): Promise<{ config: Config; path?: string }> {
  if (explicitPath !== undefined) {
    // An explicit path is what the user typed, so it is relative to the working directory, not the root.
    const name = basename(explicitPath);
    const kind = SOURCE_FILES.find((source) => source.kind !== 'json' && source.fileName === name)?.kind ?? 'json';
    const loaded = await readSource(kind, resolve(explicitPath), explicitPath, true);
    if (loaded === undefined) {
      throw new UsageError(`config ${explicitPath}: ${kind === 'pyproject' ? 'has no [tool.async-migrate] table' : `has no "${PACKAGE_JSON_KEY}" key`}`);
    }
    return loaded;
  }
  for (let directory = resolve(root); ; directory = dirname(directory)) {
    for (const { kind, fileName } of SOURCE_FILES) {
      const path = join(directory, fileName);
      const loaded = await readSource(kind, path, path, false);
      if (loaded !== undefined) return loaded;
    }
    if (dirname(directory) === directory) return { config: defaultConfig() };
  }
}

/** The config one source holds; undefined when the file is absent (unless explicit) or does not
 * mention async-migrate (a pyproject.toml without the table, a package.json without the key). */
async function readSource(kind: SourceKind, path: string, shownPath: string, explicit: boolean): Promise<{ config: Config; path: string } | undefined> {
  let raw: string;
  try {
    raw = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Walking up, a name that is not a readable file here (absent, or a directory) is no config.
    if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')) return undefined;
    throw new UsageError(`config ${shownPath}: ${code === 'ENOENT' ? 'file not found' : `cannot read: ${code ?? String(error)}`}`);
  }
  if (kind === 'pyproject') {
    let document: Record<string, unknown>;
    try {
      document = parseToml(raw);
    } catch (error) {
      const position = error instanceof TomlError ? ` (line ${error.line}, column ${error.column})` : '';
      throw new UsageError(`config ${shownPath}: not valid TOML: ${firstLine(error)}${position}`);
    }
    const tool = document.tool;
    if (!isPlainObject(tool) || !(PACKAGE_JSON_KEY in tool)) return undefined;
    return { config: parseConfig(tool[PACKAGE_JSON_KEY], `${shownPath} [tool.async-migrate]`, PYPROJECT_SYNTAX), path };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new UsageError(`config ${shownPath}: not valid JSON: ${firstLine(error)}`);
  }
  if (kind === 'json') return { config: parseConfig(parsed, shownPath), path };
  if (!isPlainObject(parsed) || !(PACKAGE_JSON_KEY in parsed)) return undefined;
  return { config: parseConfig(parsed[PACKAGE_JSON_KEY], `${shownPath} "${PACKAGE_JSON_KEY}"`, PACKAGE_JSON_SYNTAX), path };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/^Invalid TOML document: /, '');
}

/** A fresh copy of the defaults, so a caller mutating its config never changes them. */
export function defaultConfig(): Config {
  return structuredClone(DEFAULT_CONFIG);
}

type KeyCheck = (value: unknown, key: string) => void;

// Exported so that test/config-schema.test.ts can hold schemas/async-migrate.config.schema.json to them.
export const SEVERITY_VALUES: readonly string[] = ['error', 'warning', 'info', 'off'];
export const SCOPES: readonly Scope[] = ['reachable', 'all'];
export const STRATEGIES: readonly Strategy[] = ['inplace', 'dual'];
export const LANGUAGES: readonly string[] = ['typescript', 'python'];
export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as (keyof Config)[];
export const BLOCKING_KEYS: readonly (keyof BlockingApiConfig)[] = ['call', 'language', 'asyncEquivalent', 'module'];

/** How a source spells its keys. */
export interface ConfigSyntax {
  /** pyproject.toml keys are kebab-case (`make-async`), as ruff's, mypy's and pytest's are there;
   * JSON and package.json keys are camelCase. Rule ids and values are the same everywhere. */
  keyCase: 'camelCase' | 'kebab-case';
  /** `"$schema"` means something only in a file of its own, where an editor reads it. */
  allowsSchema: boolean;
  /** What the top level must be, in the source's words. */
  topLevel: string;
}
export const JSON_FILE_SYNTAX: ConfigSyntax = { keyCase: 'camelCase', allowsSchema: true, topLevel: 'a JSON object' };
export const PYPROJECT_SYNTAX: ConfigSyntax = { keyCase: 'kebab-case', allowsSchema: false, topLevel: 'a table' };
export const PACKAGE_JSON_SYNTAX: ConfigSyntax = { keyCase: 'camelCase', allowsSchema: false, topLevel: 'a JSON object' };

/** A camelCase config key as `syntax` spells it: `makeAsync` -> `make-async` in pyproject.toml. */
export function spellKey(key: string, syntax: ConfigSyntax): string {
  return syntax.keyCase === 'camelCase' ? key : key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** A table or object, not an array, null or a parsed TOML date. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Validates a parsed config; `file` names its source in errors, `syntax` says how it spells keys. */
export function parseConfig(value: unknown, file: string, syntax: ConfigSyntax = JSON_FILE_SYNTAX): Config {
  const fail = (key: string, what: string): never => {
    throw new UsageError(`config ${file}: ${key}: ${what}`);
  };
  const spell = (key: string): string => spellKey(key, syntax);
  const describe = (v: unknown): string =>
    v === null ? 'null' : Array.isArray(v) ? 'an array' : v instanceof Date ? `a date ${JSON.stringify(v)}` : `${typeof v} ${JSON.stringify(v)}`;
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
  /** The entry with its keys spelt as the Config type spells them. */
  const blockingEntry = (entry: Record<string, unknown>): BlockingApiConfig =>
    Object.fromEntries(BLOCKING_KEYS.filter((key) => spell(key) in entry).map((key) => [key, entry[spell(key)]])) as unknown as BlockingApiConfig;

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
      if (!isPlainObject(v)) return fail(key, `must be an object of rule id to severity, got ${describe(v)}`);
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
        if (!isPlainObject(entry)) return fail(at, `must be an object like {"call": "db.querySync"}, got ${describe(entry)}`);
        checkKeys(entry, BLOCKING_KEYS.map(spell), `${at}.`);
        if (!('call' in entry)) fail(`${at}.call`, 'is required');
        nonEmptyString(entry.call, `${at}.call`);
        const { language, asyncEquivalent, module } = blockingEntry(entry);
        if (language !== undefined) oneOf(LANGUAGES)(language, `${at}.language`);
        if (asyncEquivalent !== undefined) nonEmptyString(asyncEquivalent, `${at}.${spell('asyncEquivalent')}`);
        if (module !== undefined) nonEmptyString(module, `${at}.module`);
      });
    },
    entryPoints: stringList,
    public: globList(false),
    unsafeFixes: (v, key) => {
      if (typeof v !== 'boolean') fail(key, `must be true or false, got ${describe(v)}`);
    },
    cache: (v, key) => {
      if (typeof v !== 'boolean') fail(key, `must be true or false, got ${describe(v)}`);
    },
    cacheLocation: nonEmptyString,
  };

  if (!isPlainObject(value)) return fail('(top level)', `must be ${syntax.topLevel}, got ${describe(value)}`);
  // `$schema` lets editors complete the file; it has no effect.
  checkKeys(value, [...(syntax.allowsSchema ? ['$schema'] : []), ...CONFIG_KEYS.map(spell)], '');
  if ('$schema' in value && typeof value.$schema !== 'string') fail('$schema', `must be a string, got ${describe(value.$schema)}`);
  const settings: Partial<Record<keyof Config, unknown>> = {};
  for (const key of CONFIG_KEYS) {
    const spelt = spell(key);
    if (!(spelt in value)) continue;
    topLevel[key](value[spelt], spelt);
    settings[key] = key === 'blocking' ? (value[spelt] as Record<string, unknown>[]).map(blockingEntry) : value[spelt];
  }
  // The clone also turns a TOML table's null-prototype objects into plain ones.
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
