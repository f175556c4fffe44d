// Packages of the same workspace (npm/yarn `workspaces`, pnpm-workspace.yaml, lerna.json), resolved
// to their source when node_modules is absent (before `pnpm install`), so that a call from one
// package into another is a call the checker can follow and the migration can cross packages.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { globbySync } from 'globby';
import { ts } from '@ts-morph/common';

export interface PackageManifest {
  name?: unknown;
  types?: unknown;
  typings?: unknown;
  main?: unknown;
  module?: unknown;
  exports?: unknown;
  bin?: unknown;
  workspaces?: unknown;
  dependencies?: unknown;
  devDependencies?: unknown;
  peerDependencies?: unknown;
  optionalDependencies?: unknown;
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  manifest: PackageManifest;
  /** `outDir` -> `rootDir` of the package's tsconfig files, to map a built path back to its source. */
  outputRoots: readonly { outDir: string; rootDir: string }[];
}

/** The source file a workspace package's specifier (`builder-util`, `builder-util/internal`) stands for. */
export type WorkspaceResolver = (specifier: string) => string | undefined;

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** A built file's extension -> the source extensions it may come from. */
export const SOURCE_OF_OUTPUT: readonly [RegExp, readonly string[]][] = [
  [/\.d\.ts$/, ['.ts', '.tsx']],
  [/\.d\.mts$/, ['.mts']],
  [/\.d\.cts$/, ['.cts']],
  [/\.js$/, ['.ts', '.tsx', '.js', '.jsx']],
  [/\.mjs$/, ['.mts', '.ts', '.mjs']],
  [/\.cjs$/, ['.cts', '.ts', '.cjs']],
];
/** Directories a build conventionally writes to, tried (as `src`) when no tsconfig says where. */
export const CONVENTIONAL_OUT_DIRS = new Set(['dist', 'lib', 'out', 'build']);
/** Conditions of an `exports` entry, in the order a type checker without node_modules wants them. */
const CONDITIONS = ['types', 'typings', 'import', 'node', 'require', 'default'];

/**
 * The workspace at or above `start`, as a resolver of its package names; undefined when there is no
 * workspace (or it lists no package), so a plain project resolves modules exactly as before.
 */
export function findWorkspace(start: string): WorkspaceResolver | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const patterns = workspacePatterns(dir);
    if (patterns) {
      const packages = listPackages(dir, patterns);
      if (packages.size === 0) return undefined;
      const resolved = new Map<string, string | undefined>();
      return (specifier) => {
        if (!resolved.has(specifier)) resolved.set(specifier, resolveSpecifier(packages, specifier));
        return resolved.get(specifier);
      };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A workspace's root and its packages, each with the packages of the same workspace it depends on. */
export interface WorkspaceInfo {
  root: string;
  packages: { name: string; dir: string; dependencies: string[] }[];
}

/** The workspace at or above `start` (its packages sorted by folder), or undefined when there is none. */
export function findWorkspaceInfo(start: string): WorkspaceInfo | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const patterns = workspacePatterns(dir);
    if (patterns) {
      const packages = listPackages(dir, patterns);
      const names = new Set(packages.keys());
      const dependenciesOf = (manifest: PackageManifest): string[] => {
        const declared = [manifest.dependencies, manifest.devDependencies, manifest.peerDependencies, manifest.optionalDependencies].flatMap((field) => (isObject(field) ? Object.keys(field) : []));
        return [...new Set(declared.filter((name) => names.has(name)))].sort();
      };
      const list = [...packages.values()].map((pkg) => ({ name: pkg.name, dir: pkg.dir, dependencies: dependenciesOf(pkg.manifest) }));
      return { root: dir, packages: list.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0)) };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The package globs a workspace root declares, or undefined when `dir` is not a workspace root. */
function workspacePatterns(dir: string): string[] | undefined {
  const patterns: string[] = [];
  let isRoot = false;
  const pnpm = path.join(dir, 'pnpm-workspace.yaml');
  if (existsSync(pnpm)) {
    isRoot = true;
    patterns.push(...yamlPackagesList(readFileSync(pnpm, 'utf8')));
  }
  const manifest = readJson(path.join(dir, 'package.json')) as PackageManifest | undefined;
  const workspaces = manifest?.workspaces;
  // `"workspaces": [...]` (npm, yarn) or `"workspaces": { "packages": [...] }` (yarn classic).
  const declared = Array.isArray(workspaces) ? workspaces : isObject(workspaces) && Array.isArray(workspaces.packages) ? workspaces.packages : undefined;
  if (declared) {
    isRoot = true;
    patterns.push(...declared.filter((p): p is string => typeof p === 'string'));
  }
  const lerna = readJson(path.join(dir, 'lerna.json'));
  if (lerna !== undefined) {
    isRoot = true;
    const listed = isObject(lerna) && Array.isArray(lerna.packages) ? lerna.packages.filter((p): p is string => typeof p === 'string') : [];
    // Lerna's default when lerna.json lists none (and the package manager's list is not used).
    patterns.push(...(listed.length > 0 || declared ? listed : ['packages/*']));
  }
  return isRoot ? patterns : undefined;
}

/**
 * The `packages:` sequence of a pnpm-workspace.yaml: a block list (`- "packages/*"`) or a flow list
 * (`[a, b]`) of plain or quoted strings. The rest of the file (catalogs, settings) is not needed.
 */
export function yamlPackagesList(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^packages\s*:/.test(line));
  if (start < 0) return [];
  const unquote = (value: string): string => value.trim().replace(/^(['"])(.*)\1$/, '$2');
  const withoutComment = (value: string): string => value.replace(/(^|\s)#.*$/, '').trim();
  const inline = withoutComment(lines[start]!.replace(/^packages\s*:/, ''));
  if (inline.startsWith('[')) return inline.replace(/^\[|\]$/g, '').split(',').map(unquote).filter(Boolean);
  const patterns: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const content = withoutComment(line);
    if (content === '') continue;
    if (/^\S/.test(line)) break; // the next top-level key
    const item = /^-\s*(.*)$/.exec(content);
    if (item) patterns.push(unquote(item[1]!));
  }
  return patterns.filter(Boolean);
}

/** Each package's name -> the package (the first one found, when two share a name). */
function listPackages(root: string, patterns: readonly string[]): Map<string, WorkspacePackage> {
  const globs = patterns.map((pattern) => {
    const negated = pattern.startsWith('!');
    const body = (negated ? pattern.slice(1) : pattern).replace(/^\.\//, '').replace(/\/+$/, '');
    return `${negated ? '!' : ''}${body === '' || body === '.' ? '' : `${body}/`}package.json`;
  });
  const manifests = globbySync(globs, { cwd: root, absolute: true, ignore: ['**/node_modules/**'] }).sort();
  const packages = new Map<string, WorkspacePackage>();
  for (const file of manifests) {
    const manifest = readJson(file) as PackageManifest | undefined;
    if (!manifest || typeof manifest.name !== 'string' || packages.has(manifest.name)) continue;
    const dir = path.dirname(file);
    packages.set(manifest.name, { name: manifest.name, dir, manifest, outputRoots: outputRoots(dir) });
  }
  return packages;
}

/** The outDir -> rootDir pairs of the tsconfig*.json files directly in a package directory. */
export function outputRoots(dir: string): { outDir: string; rootDir: string }[] {
  const roots: { outDir: string; rootDir: string }[] = [];
  const configs = globbySync('tsconfig*.json', { cwd: dir, absolute: true }).sort();
  for (const config of configs) {
    const read = ts.readConfigFile(config, ts.sys.readFile);
    if (read.error) continue;
    // Only the options are needed (with `extends` applied); errors such as a missing base are ignored.
    const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, config);
    // Declarations may be written apart from the JavaScript (`types: "types/index.d.ts"`).
    const outDirs = [options.outDir, options.declarationDir].filter((value): value is string => value !== undefined);
    // Without rootDir, tsc takes the common directory of the inputs: usually `src`, else the package.
    const rootDirs = options.rootDir ? [options.rootDir] : [path.join(dir, 'src'), dir];
    for (const outDir of outDirs) for (const rootDir of rootDirs) roots.push({ outDir: path.resolve(outDir), rootDir: path.resolve(rootDir) });
  }
  return roots;
}

function resolveSpecifier(packages: ReadonlyMap<string, WorkspacePackage>, specifier: string): string | undefined {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const pkg = packages.get(parts.slice(0, nameLength).join('/'));
  if (!pkg) return undefined;
  const subpath = parts.slice(nameLength).join('/');
  for (const target of entryTargets(pkg.manifest, subpath)) {
    const source = sourceOf(pkg, path.resolve(pkg.dir, target));
    if (source) return source;
  }
  return subpath === '' ? firstFile(SOURCE_EXTENSIONS.map((extension) => path.join(pkg.dir, 'src', `index${extension}`))) : undefined;
}

/** The files (relative to the package) a subpath points at: through `exports`, else `types`/`main`, else the path itself. */
function entryTargets(manifest: PackageManifest, subpath: string): string[] {
  const key = subpath === '' ? '.' : `./${subpath}`;
  const exported = exportTargets(manifest.exports, key);
  if (exported.length > 0) return exported;
  if (subpath !== '') return [subpath];
  return [manifest.types, manifest.typings, manifest.module, manifest.main].filter((value): value is string => typeof value === 'string');
}

/** The targets of `exports[key]` (or of a `./*` pattern matching it), in condition order. */
function exportTargets(exports: unknown, key: string): string[] {
  if (exports === undefined || exports === null) return [];
  // `"exports": "./dist/index.js"` or a conditions object without subpaths: the package root only.
  const isSubpathMap = isObject(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  if (!isSubpathMap) return key === '.' ? conditionTargets(exports) : [];
  const map = exports as Record<string, unknown>;
  if (key in map) return conditionTargets(map[key]);
  for (const [pattern, value] of Object.entries(map)) {
    const star = pattern.indexOf('*');
    if (star < 0) continue;
    const [before, after] = [pattern.slice(0, star), pattern.slice(star + 1)];
    if (!key.startsWith(before) || !key.endsWith(after) || key.length < pattern.length - 1) continue;
    const matched = key.slice(before.length, key.length - after.length);
    return conditionTargets(value).map((target) => target.replaceAll('*', matched));
  }
  return [];
}

export function conditionTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(conditionTargets);
  if (!isObject(value)) return [];
  const known = CONDITIONS.filter((condition) => condition in value);
  const others = Object.keys(value).filter((condition) => !CONDITIONS.includes(condition));
  return [...known, ...others].flatMap((condition) => conditionTargets(value[condition]));
}

/**
 * The source file a package path stands for: the file its build came from (outDir -> rootDir of the
 * package's tsconfig files, or `dist|lib|out|build` -> `src`), else the path itself when it is source
 * (`main: "index.js"` in a JavaScript package, `pkg/src/util` written as the source path). A build
 * output that happens to exist (built, not installed) is not taken for the source.
 */
export function sourceOf(pkg: WorkspacePackage, target: string): string | undefined {
  const firstSegment = path.relative(pkg.dir, target).split(path.sep)[0]!;
  const roots = [...pkg.outputRoots];
  if (CONVENTIONAL_OUT_DIRS.has(firstSegment)) roots.push({ outDir: path.join(pkg.dir, firstSegment), rootDir: path.join(pkg.dir, 'src') });
  for (const { outDir, rootDir } of roots) {
    const inside = path.relative(outDir, target);
    if (inside.startsWith('..') || path.isAbsolute(inside)) continue;
    const source = sourceCandidates(path.join(rootDir, inside)).find(isSourceFile);
    if (source) return source;
  }
  if (SOURCE_EXTENSIONS.some((extension) => target.endsWith(extension)) && isSourceFile(target)) return target;
  return sourceCandidates(target).find(isSourceFile);
}

/** `dist/util.d.ts` -> `util.ts`, `util.tsx`; `util` -> `util.ts`…, `util/index.ts`… */
function sourceCandidates(file: string): string[] {
  for (const [output, sources] of SOURCE_OF_OUTPUT) {
    if (output.test(file)) {
      const stem = file.replace(output, '');
      return sources.map((extension) => `${stem}${extension}`);
    }
  }
  return [...SOURCE_EXTENSIONS.map((extension) => `${file}${extension}`), ...SOURCE_EXTENSIONS.map((extension) => path.join(file, `index${extension}`))];
}

function isSourceFile(file: string): boolean {
  return !/\.d\.[cm]?ts$/.test(file) && isFile(file);
}

function firstFile(files: readonly string[]): string | undefined {
  return files.find(isFile);
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function readJson(file: string): unknown {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
