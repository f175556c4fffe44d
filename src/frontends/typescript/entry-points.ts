// A package's entry points (package.json `exports`, `main`, `module`, `bin`), resolved to the source
// files they are built from, and the functions, classes and interfaces reachable from them through
// re-exports: the package's public API, as its users import it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { globbySync } from 'globby';
import { ts } from '@ts-morph/common';
import type { EntryPointEntry } from '../../model.js';
import { toReportPath } from '../../paths.js';
import { hasModifier, skipParentheses } from './syntax.js';
import { isStackOverflow } from './walk.js';
import { conditionTargets, CONVENTIONAL_OUT_DIRS, isObject, outputRoots, readJson, sourceOf, type PackageManifest, type WorkspacePackage } from './workspaces.js';

/** One package.json that declares entry points, and what its entries resolved to. */
interface EntryPackage {
  pkg: WorkspacePackage;
  /** The package.json, relative to the report root. */
  manifestPath: string;
  /** `exports["."]`, `main`, …: the source files each API entry stands for, in the manifest's order. */
  api: { field: string; target: string; sources: string[] }[];
  /** `bin` scripts: programs, not API. */
  programs: { field: string; target: string; sources: string[] }[];
  /** The package has an `exports` map and every entry of it resolved: nothing else can be imported. */
  isEncapsulated: boolean;
  notes: EntryPointEntry[];
}

/** What the entry points make public, for the declarations pass. */
export interface PublicSurface {
  /** Declarations (functions, classes, interfaces, object literals' members) reachable from an entry point, with the first entry that reaches them. */
  readonly reachable: ReadonlyMap<ts.Node, { package: string; field: string }>;
  /** Whether a file's exports count as public by their own syntax (`export function`): false in an encapsulated package and in a bin script. */
  fileExportsArePublic(absolute: string): boolean;
  /** For the report: each entry point, the file it resolved to, or why it could not. */
  readonly entries: EntryPointEntry[];
  /** The package.json and tsconfig files read to decide it: inputs of the run, for the cache. */
  readonly readFiles: string[];
}

interface ProjectFiles {
  has(file: string): boolean;
  under(dir: string): string[];
}

export const NO_SURFACE: PublicSurface = { reachable: new Map(), fileExportsArePublic: () => true, entries: [], readFiles: [] };

/**
 * The entry points of the packages holding `files` (the nearest package.json with a name or an entry
 * field; a `{"type": "module"}` marker in a subfolder is passed over), and what they reach.
 */
export function findPublicSurface(program: ts.Program, checker: ts.TypeChecker, root: string, files: readonly string[]): PublicSurface {
  const packages = new Map<string, EntryPackage | undefined>();
  const packageOfFile = new Map<string, EntryPackage | undefined>();
  const nearest = new Map<string, string | undefined>();
  const readFiles = new Set<string>();
  // The program's own source files (not declarations, not installed packages): what entries can name.
  const sourceFiles = program.getSourceFiles().map((sourceFile) => sourceFile.fileName).filter((file) => !file.includes('/node_modules/') && !/\.d\.[cm]?ts$/.test(file));
  const own = new Set(sourceFiles);
  const project: ProjectFiles = { has: (file) => own.has(file), under: (dir) => sourceFiles.filter((file) => file.startsWith(`${dir}/`)) };
  for (const file of files) {
    const dir = nearestPackageDir(path.dirname(file), nearest, readFiles);
    const entry = dir === undefined ? undefined : packages.has(dir) ? packages.get(dir) : readEntryPackage(dir, root, project);
    if (dir !== undefined && !packages.has(dir)) {
      packages.set(dir, entry);
      for (const config of globbySync('tsconfig*.json', { cwd: dir, absolute: true })) readFiles.add(config);
    }
    packageOfFile.set(file, entry);
  }
  const found = [...packages.values()].filter((entry): entry is EntryPackage => entry !== undefined);
  if (found.length === 0) return { ...NO_SURFACE, readFiles: [...readFiles].sort() };

  const reachable = new Map<ts.Node, { package: string; field: string }>();
  const collector = new ReachableCollector(checker, reachable);
  const programFiles = new Set<string>();
  for (const entry of found) {
    for (const { field, sources } of entry.api) {
      for (const source of sources) collector.collectModule(program.getSourceFile(source), { package: entry.manifestPath, field });
    }
    for (const { sources } of entry.programs) for (const source of sources) programFiles.add(source);
  }
  const apiFiles = new Set(found.flatMap((entry) => entry.api.flatMap((api) => api.sources)));
  const entries: EntryPointEntry[] = found.flatMap((entry) => [
    ...entry.api.flatMap(({ field, target, sources }) => sources.map((source) => ({ package: entry.manifestPath, field, kind: 'api' as const, target, source: toReportPath(root, source) }))),
    ...entry.programs.flatMap(({ field, target, sources }) => sources.map((source) => ({ package: entry.manifestPath, field, kind: 'program' as const, target, source: toReportPath(root, source) }))),
    ...entry.notes,
  ]);
  return {
    reachable,
    entries,
    readFiles: [...readFiles].sort(),
    fileExportsArePublic(absolute) {
      const entry = packageOfFile.get(absolute);
      if (!entry) return true;
      // An `exports` map is all a user can import; a bin script is run, not imported.
      if (entry.isEncapsulated) return false;
      return !(programFiles.has(absolute) && !apiFiles.has(absolute));
    },
  };
}

/** The nearest folder at or above `dir` whose package.json names a package or declares an entry point (memoised per folder in `nearest`). */
function nearestPackageDir(dir: string, nearest: Map<string, string | undefined>, readFiles: Set<string>): string | undefined {
  if (nearest.has(dir)) return nearest.get(dir);
  let found: string | undefined;
  const file = path.join(dir, 'package.json');
  const manifest = existsSync(file) ? readJson(file) : undefined;
  if (manifest !== undefined) readFiles.add(file);
  if (isObject(manifest) && ['name', 'main', 'module', 'exports', 'bin'].some((key) => key in manifest)) found = dir;
  else if (path.dirname(dir) !== dir) found = nearestPackageDir(path.dirname(dir), nearest, readFiles);
  nearest.set(dir, found);
  return found;
}

function readEntryPackage(dir: string, root: string, project: ProjectFiles): EntryPackage | undefined {
  const manifest = readJson(path.join(dir, 'package.json')) as PackageManifest;
  const pkg: WorkspacePackage = { name: typeof manifest.name === 'string' ? manifest.name : '', dir, manifest, outputRoots: outputRoots(dir) };
  const manifestPath = toReportPath(root, path.join(dir, 'package.json'));
  const notes: EntryPointEntry[] = [];
  let unresolved = 0;
  const resolve = (field: string, target: string, kind: EntryPointEntry['kind']): { field: string; target: string; sources: string[] } => {
    const sources = target.includes('*') ? patternSources(pkg, target, project) : [sourceOf(pkg, path.resolve(dir, target))].filter((source): source is string => source !== undefined && project.has(source));
    if (sources.length === 0) {
      unresolved++;
      notes.push({
        package: manifestPath,
        field,
        kind,
        target,
        note: `${target.includes('*') ? `no analysed source file matches ${target}` : `${target} maps to no analysed source file (through a tsconfig's outDir/rootDir or declarationDir, or dist|lib|out|build -> src)`}: ${
          field.startsWith('exports[') ? 'what it exports is not known, so every exported function of the package counts as public' : 'what it exports is not followed'
        }`,
      });
    }
    return { field, target, sources };
  };
  const api: EntryPackage['api'] = [];
  const exportsField = manifest.exports;
  const hasExports = exportsField !== undefined && exportsField !== null;
  if (hasExports) {
    const isSubpathMap = isObject(exportsField) && Object.keys(exportsField).some((key) => key.startsWith('.'));
    const subpaths: [string, unknown][] = isSubpathMap ? Object.entries(exportsField) : [['.', exportsField]];
    for (const [subpath, value] of subpaths) {
      // `"./internal/*": null` hides a subpath: nothing to resolve there.
      // `"./package.json": "./package.json"`, styles, wasm: files users load, not code the analysis reads.
      const targets = [...new Set(conditionTargets(value))].filter(isCodePath);
      const field = `exports[${JSON.stringify(subpath)}]`;
      const resolved = targets.map((target) => resolve(field, target, 'api'));
      const sources = [...new Set(resolved.flatMap((entry) => entry.sources))];
      if (sources.length > 0) api.push({ field, target: targets.join(', '), sources });
    }
  }
  // With an `exports` map, Node reads nothing else: `main` and `module` (bundlers) add labels, not reach.
  const unresolvedExports = unresolved;
  for (const field of ['main', 'module'] as const) {
    const target = manifest[field];
    if (typeof target !== 'string') continue;
    const entry = resolve(field, target, 'api');
    if (entry.sources.length > 0) api.push(entry);
  }
  const programs: EntryPackage['programs'] = [];
  const bin = manifest.bin;
  const binTargets: [string, unknown][] = typeof bin === 'string' ? [['bin', bin]] : isObject(bin) ? Object.entries(bin).map(([name, target]) => [`bin[${JSON.stringify(name)}]`, target]) : [];
  for (const [field, target] of binTargets) {
    if (typeof target !== 'string') continue;
    const entry = resolve(field, target, 'program');
    if (entry.sources.length > 0) programs.push(entry);
  }
  if (api.length === 0 && programs.length === 0 && notes.length === 0) return undefined;
  return { pkg, manifestPath, api, programs, isEncapsulated: hasExports && unresolvedExports === 0 && api.length > 0, notes };
}

/**
 * The program's source files of the package that an `exports` pattern target (`./dist/*.js`) stands
 * for: those whose built path (outDir/rootDir, or dist|lib|out|build -> src), or own path, matches it.
 * `*` matches any string, `/` included, as in Node.
 */
function patternSources(pkg: WorkspacePackage, target: string, project: ProjectFiles): string[] {
  const absolute = path.resolve(pkg.dir, target);
  const star = absolute.indexOf('*');
  const [before, after] = [absolute.slice(0, star), absolute.slice(star + 1)];
  const matches = (candidate: string): boolean => candidate.length >= before.length + after.length && candidate.startsWith(before) && candidate.endsWith(after);
  const firstSegment = path.relative(pkg.dir, absolute).split(path.sep)[0]!;
  const roots = [...pkg.outputRoots];
  if (CONVENTIONAL_OUT_DIRS.has(firstSegment)) roots.push({ outDir: path.join(pkg.dir, firstSegment), rootDir: path.join(pkg.dir, 'src') });
  return project.under(pkg.dir).filter((source) => {
    if (matches(source)) return true;
    return roots.some(({ outDir, rootDir }) => {
      const inside = path.relative(rootDir, source);
      if (inside.startsWith('..') || path.isAbsolute(inside)) return false;
      return builtNames(path.join(outDir, inside)).some(matches);
    });
  });
}

/** A path with a script extension, or none (`./dist/*`, `./lib`). */
function isCodePath(target: string): boolean {
  const extension = path.extname(target.replaceAll('*', ''));
  return extension === '' || /^\.[cm]?[jt]sx?$/.test(extension);
}

/** `a.ts` -> `a.js`, `a.d.ts`; `a.mts` -> `a.mjs`, `a.d.mts`; `a.cts` -> `a.cjs`, `a.d.cts`; JavaScript keeps its name. */
function builtNames(file: string): string[] {
  const stem = file.replace(/\.[cm]?[jt]sx?$/, '');
  if (/\.tsx?$/.test(file)) return [`${stem}.js`, `${stem}.d.ts`];
  if (file.endsWith('.mts')) return [`${stem}.mjs`, `${stem}.d.mts`];
  if (file.endsWith('.cts')) return [`${stem}.cjs`, `${stem}.d.cts`];
  return [file];
}

/** Follows an entry module's exports to the declarations they name. */
class ReachableCollector {
  private readonly seen = new Set<ts.Symbol>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly reachable: Map<ts.Node, { package: string; field: string }>,
  ) {}

  collectModule(sourceFile: ts.SourceFile | undefined, entry: { package: string; field: string }): void {
    if (!sourceFile) return;
    try {
      const moduleSymbol = this.checker.getSymbolAtLocation(sourceFile);
      if (moduleSymbol) this.collectModuleSymbol(moduleSymbol, entry);
    } catch (error) {
      // The checker overflows its stack on some recursive types: what was collected so far stands.
      if (!isStackOverflow(error)) throw error;
    }
  }

  private collectModuleSymbol(moduleSymbol: ts.Symbol, entry: { package: string; field: string }): void {
    // `export = X` / `module.exports = X`: X is what users get.
    const assigned = moduleSymbol.exports?.get(ts.InternalSymbolName.ExportEquals);
    if (assigned) this.collectSymbol(assigned, entry);
    // `export *` and `export { x } from` are resolved by the checker.
    for (const exported of this.checker.getExportsOfModule(moduleSymbol)) this.collectSymbol(exported, entry);
  }

  private collectSymbol(start: ts.Symbol, entry: { package: string; field: string }): void {
    const symbol = start.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(start) : start;
    if (this.seen.has(symbol) || this.seen.has(start)) return;
    this.seen.add(symbol);
    this.seen.add(start);
    for (const declaration of symbol.declarations ?? []) {
      if (declaration.getSourceFile().isDeclarationFile) continue;
      if (ts.isSourceFile(declaration) || ts.isModuleDeclaration(declaration)) {
        this.collectModuleSymbol(symbol, entry); // `export * as ns from './x'`
        continue;
      }
      this.collectDeclaration(declaration, entry);
    }
  }

  private collectDeclaration(declaration: ts.Node, entry: { package: string; field: string }): void {
    if (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration) || ts.isGetAccessorDeclaration(declaration) || ts.isSetAccessorDeclaration(declaration)) {
      this.mark(declaration, entry);
    } else if (ts.isClassDeclaration(declaration) || ts.isClassExpression(declaration) || ts.isInterfaceDeclaration(declaration)) {
      this.collectType(declaration, entry);
    } else if (ts.isTypeAliasDeclaration(declaration) && ts.isTypeLiteralNode(declaration.type)) {
      for (const member of declaration.type.members) if (ts.isMethodSignature(member)) this.mark(member, entry);
    } else if (ts.isVariableDeclaration(declaration)) {
      this.mark(declaration, entry); // a wrapper holder (`export const load = traced(loadImpl)`)
      if (declaration.initializer) this.collectExpression(declaration.initializer, entry);
    } else if (ts.isExportAssignment(declaration)) {
      this.collectExpression(declaration.expression, entry);
    } else if (ts.isShorthandPropertyAssignment(declaration)) {
      const value = this.checker.getShorthandAssignmentValueSymbol(declaration);
      if (value) this.collectSymbol(value, entry);
    } else if (ts.isPropertyAssignment(declaration)) {
      this.collectExpression(declaration.initializer, entry);
    } else if (ts.isPropertyAccessExpression(declaration) || ts.isBinaryExpression(declaration)) {
      // CommonJS: `exports.load = …`, `module.exports = …`.
      const assignment = ts.isBinaryExpression(declaration) ? declaration : declaration.parent;
      if (ts.isBinaryExpression(assignment) && assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken) this.collectExpression(assignment.right, entry);
    }
  }

  private collectExpression(expression: ts.Expression, entry: { package: string; field: string }): void {
    const value = skipParentheses(expression);
    if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) this.mark(value, entry);
    else if (ts.isClassExpression(value)) this.collectType(value, entry);
    else if (ts.isObjectLiteralExpression(value)) {
      for (const property of value.properties) {
        if (ts.isMethodDeclaration(property) || ts.isGetAccessorDeclaration(property) || ts.isSetAccessorDeclaration(property)) this.mark(property, entry);
        else this.collectDeclaration(property, entry);
      }
    } else if (ts.isIdentifier(value) || ts.isPropertyAccessExpression(value)) {
      const symbol = this.checker.getSymbolAtLocation(value);
      if (symbol) this.collectSymbol(symbol, entry);
    } else if (ts.isCallExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'require' && value.arguments.length === 1) {
      // `module.exports = require('./impl')`
      const symbol = this.checker.getSymbolAtLocation(value.arguments[0]!);
      if (symbol) this.collectModuleSymbol(symbol, entry);
    }
  }

  /** A class's or interface's public members (protected ones too: subclasses outside the package see them), and its bases'. */
  private collectType(declaration: ts.ClassLikeDeclaration | ts.InterfaceDeclaration, entry: { package: string; field: string }): void {
    if (this.reachable.has(declaration)) return;
    this.reachable.set(declaration, entry);
    for (const member of declaration.members) {
      const name = member.name;
      if (hasModifier(member, ts.SyntaxKind.PrivateKeyword) || (name !== undefined && ts.isPrivateIdentifier(name))) continue;
      if (ts.isMethodDeclaration(member) || ts.isMethodSignature(member) || ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) this.mark(member, entry);
      else if (ts.isPropertyDeclaration(member) && member.initializer) {
        const value = skipParentheses(member.initializer);
        if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) this.mark(value, entry);
      }
    }
    for (const clause of declaration.heritageClauses ?? []) {
      for (const type of clause.types) {
        const symbol = this.checker.getSymbolAtLocation(type.expression);
        if (symbol) this.collectSymbol(symbol, entry);
      }
    }
  }

  private mark(node: ts.Node, entry: { package: string; field: string }): void {
    if (!this.reachable.has(node)) this.reachable.set(node, entry);
  }
}
