// A Python workspace, read (never executed) from its pyproject.toml files: a uv workspace
// (`[tool.uv.workspace] members = ["packages/*"]`, `exclude = [...]`) at or above a path, its member
// packages (each a folder with a pyproject.toml naming a `[project]`), and which members each depends
// on. The per-package summaries (`check <package> --summary-out`) use it as the TypeScript step uses
// npm/pnpm/yarn workspaces.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { globbySync } from 'globby';
import { parse as parseToml } from 'smol-toml';

export interface PythonWorkspace {
  root: string;
  /** Sorted by folder; the root's own project, when it has one, is a package too (uv makes it a member). */
  packages: { name: string; dir: string; dependencies: string[] }[];
}

type Table = Record<string, unknown>;

function table(value: unknown): Table | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Table) : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** pyproject.toml as data; undefined when absent or not TOML (such a member is not a package). */
function readPyproject(file: string): Table | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parseToml(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Table;
  } catch {
    return undefined;
  }
}

/** PEP 503: names compare lowercased with runs of `-`, `_`, `.` as one `-`. */
export function normalizedName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The distribution names a pyproject.toml requires: `[project]` dependencies and extras, dependency groups, uv's dev-dependencies and sources. */
function requiredNames(document: Table): string[] {
  const project = table(document.project);
  const requirements = [
    ...strings(project?.dependencies),
    ...Object.values(table(project?.['optional-dependencies']) ?? {}).flatMap(strings),
    ...Object.values(table(document['dependency-groups']) ?? {}).flatMap(strings),
    ...strings(table(table(document.tool)?.uv)?.['dev-dependencies']),
  ];
  const names = requirements.map((requirement) => /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement)?.[1]).filter((name): name is string => name !== undefined);
  // `[tool.uv.sources] core = { workspace = true }` names a member too.
  names.push(...Object.keys(table(table(table(document.tool)?.uv)?.sources) ?? {}));
  return names;
}

/** The uv workspace at or above `start`, or undefined when no pyproject.toml there declares one. */
export function findPythonWorkspace(start: string): PythonWorkspace | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const document = readPyproject(path.join(dir, 'pyproject.toml'));
    const declared = table(table(table(document?.tool)?.uv)?.workspace);
    if (document && declared) return workspaceAt(dir, document, declared);
    if (path.dirname(dir) === dir) return undefined;
  }
}

function workspaceAt(root: string, rootDocument: Table, declared: Table): PythonWorkspace {
  const globs = [
    ...strings(declared.members).map((pattern) => `${pattern.replace(/^\.\//, '').replace(/\/+$/, '')}/pyproject.toml`),
    ...strings(declared.exclude).map((pattern) => `!${pattern.replace(/^\.\//, '').replace(/\/+$/, '')}/pyproject.toml`),
  ];
  const manifests = globbySync(globs, { cwd: root, absolute: true, ignore: ['**/node_modules/**', '**/.venv/**'] }).sort();
  const found: { name: string; dir: string; document: Table }[] = [];
  const rootName = table(rootDocument.project)?.name;
  if (typeof rootName === 'string') found.push({ name: rootName, dir: root, document: rootDocument });
  for (const manifest of manifests) {
    const dir = path.dirname(manifest);
    const document = dir === root ? undefined : readPyproject(manifest);
    const name = table(document?.project)?.name;
    if (typeof name === 'string' && document && !found.some((pkg) => normalizedName(pkg.name) === normalizedName(name))) found.push({ name, dir, document });
  }
  const byNormalized = new Map(found.map((pkg) => [normalizedName(pkg.name), pkg.name]));
  const packages = found.map(({ name, dir, document }) => {
    const dependencies = requiredNames(document)
      .map((required) => byNormalized.get(normalizedName(required)))
      .filter((member): member is string => member !== undefined && member !== name);
    return { name, dir, dependencies: [...new Set(dependencies)].sort() };
  });
  return { root, packages: packages.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0)) };
}

/** The innermost package of the workspace holding `start`, or undefined. */
export function packageHolding(workspace: PythonWorkspace, start: string): PythonWorkspace['packages'][number] | undefined {
  return workspace.packages
    .filter((pkg) => {
      const relative = path.relative(pkg.dir, start);
      return !relative.startsWith('..') && !path.isAbsolute(relative);
    })
    .sort((a, b) => b.dir.length - a.dir.length)[0];
}

const IMPORT_LINE = /^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\(?[^#\n]*)|import[ \t]+([^#\n]+))/gm;
const PATCH_TARGET = /\bpatch(?:\.object)?\s*\(\s*["']([\w.]+)["']/g;

/**
 * The dotted module names a Python text may import (over-approximated: a name in a string may count).
 * `from a.b import c` gives `a`, `a.b` and `a.b.c` (c may be a module); a relative import is read from
 * `moduleName` (the file's own module; `isPackage` for an `__init__.py`). A mock.patch target counts:
 * a test of this package may patch another package's function by its dotted name.
 */
export function importedNames(text: string, moduleName: string, isPackage: boolean): Set<string> {
  const names = new Set<string>();
  const addWithParents = (dotted: string): void => {
    const parts = dotted.split('.').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) names.add(parts.slice(0, i).join('.'));
  };
  for (const match of text.matchAll(IMPORT_LINE)) {
    const [, dots, from, imported, plain] = match;
    if (plain !== undefined) {
      for (const part of plain.split(',')) addWithParents(part.trim().split(/\s+/)[0] ?? '');
      continue;
    }
    let base = from ?? '';
    if (dots) {
      const own = moduleName.split('.');
      const packageParts = isPackage ? own : own.slice(0, -1);
      const up = dots.length - 1;
      if (up > packageParts.length) continue;
      base = [...packageParts.slice(0, packageParts.length - up), ...(from ? [from] : [])].join('.');
    }
    addWithParents(base);
    // A parenthesised list may go on over several lines: read up to its `)`.
    const list = imported?.startsWith('(') && !imported.includes(')') ? (/\(([^)]*)\)/.exec(text.slice(match.index))?.[1] ?? imported) : (imported ?? '');
    for (const part of list.replace(/[()]/g, '').split(/[,\n]/)) {
      const name = part.trim().split(/\s+/)[0];
      if (name && /^\w+$/.test(name)) names.add(base ? `${base}.${name}` : name);
    }
  }
  for (const match of text.matchAll(PATCH_TARGET)) addWithParents(match[1]!);
  return names;
}
