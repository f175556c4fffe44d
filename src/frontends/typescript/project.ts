// Loading the TypeScript program: from the tsconfig given or found, or an inferred project.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { getLibFiles } from '@ts-morph/common';
import { ts } from '@ts-morph/common';
import { describeError, UsageError } from '../../errors.js';
import { findWorkspace, type WorkspaceResolver } from './workspaces.js';
import type { Progress } from '../../progress.js';

export interface LoadedProgram {
  program: ts.Program;
  checker: ts.TypeChecker;
  options: ts.CompilerOptions;
  /** The tsconfig used, if any. */
  configFile?: string;
  /** Files the parser failed on (a stack overflow on very deep nesting): left out of the program. */
  unparsable: Map<string, string>;
  /** The tsconfig files read (each project, each base it extends): inputs of the run (`--cache`). */
  configFiles: string[];
}

/** Whether the compiler reads `fileName` from disk: the lib files live in memory (their version is TypeScript's). */
export function isOnDisk(fileName: string): boolean {
  return libText(fileName) === undefined;
}

/** The nearest tsconfig.json or jsconfig.json at or above `start`. */
export function findProjectFile(start: string): string | undefined {
  let dir = path.resolve(start);
  if (existsSync(dir) && !isDirectory(dir)) dir = path.dirname(dir);
  for (;;) {
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isDirectory(file: string): boolean {
  return ts.sys.directoryExists(file);
}

const INFERRED_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  allowJs: true,
  checkJs: false,
  noEmit: true,
  skipLibCheck: true,
  strict: true,
  jsx: ts.JsxEmit.Preserve,
};

/** TS6053 "File '…' not found.": in a tsconfig, a base config (`extends`) that cannot be found. */
const MISSING_FILE = 6053;

function describeDiagnostic(diagnostic: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
}

/**
 * Library declarations (the TypeScript lib files, @types, packages' .d.ts) never change during a
 * process: parse them once even when several programs are built (the test suite, watch-like uses).
 */
const libraryCache = new Map<string, ts.SourceFile>();

/**
 * ts-morph's TypeScript keeps its lib files (lib.es2022.d.ts…) in memory, not on disk: serve them
 * from @ts-morph/common, where the compiler looks for them.
 */
const LIB_FOLDER = path.dirname(ts.getDefaultLibFilePath({}));
let libTexts: Map<string, string> | undefined;

function libText(fileName: string): string | undefined {
  if (path.dirname(fileName) !== LIB_FOLDER) return undefined;
  libTexts ??= new Map(getLibFiles().map((file) => [file.fileName, file.text]));
  return libTexts.get(path.basename(fileName));
}

function cachingHost(options: ts.CompilerOptions, unparsable: Map<string, string>, onParsed?: () => void): ts.CompilerHost {
  // No parent pointers from the parser: the binder sets every one (the checker binds all files as it
  // is created, before any walk), and a second pass per file to set them costs a tenth of the parse.
  const host = ts.createCompilerHost(options, false);
  const parse = host.getSourceFile.bind(host);
  // The parser recurses: a file it cannot parse is left out (as if missing), not the whole program.
  const getSourceFile: typeof parse = (fileName, ...rest) => {
    try {
      onParsed?.();
      return parse(fileName, ...rest);
    } catch (error) {
      unparsable.set(path.resolve(fileName), describeError(error));
      return undefined;
    }
  };
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.fileExists = (fileName) => libText(fileName) !== undefined || fileExists(fileName);
  host.readFile = (fileName) => libText(fileName) ?? readFile(fileName);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const lib = libText(fileName);
    if (lib !== undefined) {
      const key = `${fileName}|${typeof languageVersion === 'object' ? languageVersion.languageVersion : languageVersion}`;
      let sourceFile = libraryCache.get(key);
      if (!sourceFile) libraryCache.set(key, (sourceFile = ts.createSourceFile(fileName, lib, languageVersion)));
      return sourceFile;
    }
    const isLibrary = fileName.includes('/node_modules/') && /\.d\.[cm]?ts$/.test(fileName);
    if (!isLibrary) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    const version = typeof languageVersion === 'object' ? `${languageVersion.languageVersion}:${languageVersion.impliedNodeFormat}` : languageVersion;
    const key = `${fileName}|${version}`;
    let sourceFile = libraryCache.get(key);
    if (!sourceFile) {
      sourceFile = getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (sourceFile) libraryCache.set(key, sourceFile);
    }
    return sourceFile;
  };
  return host;
}

/**
 * Module resolution as the compiler does it, except that a name it cannot resolve that is a package
 * of the workspace (not installed: no node_modules yet) resolves to that package's source file, and
 * a module reached through a symlinked folder inside the root (`src/linked -> ../lib`) resolves to
 * the file where it lies: tsc takes `src/linked/io.ts` and `lib/io.ts` for two modules, and the
 * callers importing through the link would be left out when `lib/io.ts` turns async.
 */
function resolveModules(host: ts.CompilerHost, options: ts.CompilerOptions, workspace: WorkspaceResolver | undefined, root: string | undefined): void {
  const spelled = root ? rootSpelling(host, root) : (file: string) => file;
  const cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (fileName) => host.getCanonicalFileName(fileName), options);
  host.getModuleResolutionCache = () => cache;
  host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, compilerOptions, containingSourceFile) =>
    literals.map((literal) => {
      const mode = ts.getModeForUsageLocation(containingSourceFile, literal, compilerOptions);
      const resolved = ts.resolveModuleName(literal.text, containingFile, compilerOptions, host, cache, redirectedReference, mode);
      const module = resolved.resolvedModule;
      if (module && !module.isExternalLibraryImport) {
        const file = spelled(module.resolvedFileName);
        return file === module.resolvedFileName ? resolved : { ...resolved, resolvedModule: { ...module, resolvedFileName: file } };
      }
      if (module || ts.isExternalModuleNameRelative(literal.text) || !workspace) return resolved;
      const source = workspace(literal.text);
      if (!source) return resolved;
      return { ...resolved, resolvedModule: { resolvedFileName: source, extension: extensionOf(source), isExternalLibraryImport: false } };
    });
}

/**
 * A file's real path spelt from the root as given (the root itself may be reached through a link,
 * as the discovered files are): a link below the root is resolved, the root's own spelling kept.
 * Files whose real path lies outside the root keep the spelling the compiler found.
 */
function rootSpelling(host: ts.CompilerHost, root: string): (file: string) => string {
  const realpath = host.realpath?.bind(host) ?? ((file: string) => file);
  const realRoot = realpath(root);
  const known = new Map<string, string>();
  return (file) => {
    let spelt = known.get(file);
    if (spelt === undefined) {
      const real = realpath(file);
      const relative = path.relative(realRoot, real);
      spelt = relative.startsWith('..') || path.isAbsolute(relative) ? file : path.join(root, relative);
      known.set(file, spelt);
    }
    return spelt;
  };
}

function extensionOf(file: string): ts.Extension {
  const extension = path.extname(file);
  const known = Object.values(ts.Extension).find((candidate) => candidate === extension);
  return known ?? ts.Extension.Ts;
}

function parseProject(projectFile: string, onWarning?: (message: string) => void): ts.ParsedCommandLine {
  if (!existsSync(projectFile)) throw new UsageError(`tsconfig not found: ${projectFile}`);
  const read = ts.readConfigFile(projectFile, ts.sys.readFile);
  if (read.error) throw new UsageError(`cannot read ${projectFile}: ${describeDiagnostic(read.error)}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(projectFile), undefined, projectFile);
  // A base config that is not installed yet (`extends: "@tsconfig/node22/tsconfig.json"` before
  // `npm install`): tsc reports TS6053 and goes on with the rest of the config, and so does the tool.
  for (const missing of parsed.errors.filter((error) => error.code === MISSING_FILE)) {
    onWarning?.(`${projectFile}: ${describeDiagnostic(missing)} Going on with the rest of the config.`);
  }
  const fatal = parsed.errors.find((error) => error.category === ts.DiagnosticCategory.Error && error.code !== 18003 && error.code !== MISSING_FILE);
  if (fatal) throw new UsageError(`invalid ${projectFile}: ${describeDiagnostic(fatal)}`);
  return parsed;
}

/**
 * The bases a tsconfig extends, recursively (`--cache` hashes them). Only the JSON source-file parse
 * records them, so the file is parsed once more that way; a failure there names no base.
 */
function extendedConfigFiles(projectFile: string): string[] {
  try {
    const source = ts.readJsonConfigFile(projectFile, ts.sys.readFile);
    ts.parseJsonSourceFileConfigFileContent(source, ts.sys, path.dirname(projectFile), undefined, projectFile);
    return (source.extendedSourceFiles ?? []).map((file) => path.resolve(file));
  } catch {
    return [];
  }
}

/**
 * The parsed project, or, for a references-only ("solution-style") tsconfig with no files of its
 * own, the projects it references, recursively: their files are the code, not an inferred project.
 */
function projectsOf(projectFile: string, onWarning?: (message: string) => void, seen = new Set<string>()): ts.ParsedCommandLine[] {
  seen.add(path.resolve(projectFile));
  const parsed = parseProject(projectFile, onWarning);
  const references = parsed.projectReferences ?? [];
  if (parsed.fileNames.length > 0 || references.length === 0) return [parsed];
  const projects: ts.ParsedCommandLine[] = [];
  for (const reference of references) {
    const referenced = ts.resolveProjectReferencePath(reference);
    if (seen.has(path.resolve(referenced))) continue;
    projects.push(...projectsOf(referenced, onWarning, seen));
  }
  return projects.length > 0 ? projects : [parsed];
}

/**
 * Builds the program over the tsconfig's files plus the files given. The program is created once;
 * the checker is asked only about the expressions the rules and the call graph need.
 */
/**
 * `progress` hears of each file the compiler parses and of the binding step: together they take most
 * of a large project's load time, during which nothing else can run.
 */
export function loadProgram(
  files: readonly string[],
  projectFile: string | undefined,
  onWarning?: (message: string) => void,
  progress?: Pick<Progress, 'phase' | 'advance'>,
  root?: string,
): LoadedProgram {
  if (projectFile && !existsSync(projectFile)) throw new UsageError(`tsconfig not found: ${projectFile}`);
  let options: ts.CompilerOptions = INFERRED_OPTIONS;
  const rootNames = new Set<string>();
  const configFiles: string[] = [];
  if (projectFile) {
    const projects = projectsOf(projectFile, onWarning);
    for (const project of projects) {
      const file = project.options.configFilePath;
      const extendsBase = (project.raw as { extends?: unknown } | undefined)?.extends !== undefined;
      if (typeof file === 'string') configFiles.push(path.resolve(file), ...(extendsBase ? extendedConfigFiles(file) : []));
    }
    configFiles.push(path.resolve(projectFile));
    // One program: the files of every project, with the first project's options (a solution-style
    // tsconfig has none of its own worth using: its files live in the projects it references).
    // JavaScript files are analysed whatever the tsconfig says; they are never type-checked for errors.
    options = { ...projects[0]!.options, allowJs: true, noEmit: true };
    for (const project of projects) for (const file of project.fileNames) rootNames.add(path.resolve(file));
  }
  for (const file of files) rootNames.add(file);
  const unparsable = new Map<string, string>();
  progress?.phase('ts-load');
  const host = cachingHost(options, unparsable, () => progress?.advance());
  const start = projectFile ? path.dirname(projectFile) : files[0] ? path.dirname(files[0]) : undefined;
  // Without a tsconfig the compiler looks for `@types` (a `/// <reference types="node" />` in a
  // dependency's .d.ts) from its current directory up: that is the analysed folder, as a tsconfig's
  // folder would be, not wherever the command was started (another project's @types/node changed
  // the program, and its cost, with the working directory).
  const home = projectFile ? undefined : (root ?? start);
  if (home) host.getCurrentDirectory = () => home;
  const workspace = start ? findWorkspace(start) : undefined;
  resolveModules(host, options, workspace, root);
  const program = ts.createProgram({ rootNames: [...rootNames], options, host });
  progress?.phase('ts-check'); // one opaque step: the checker binds every file
  return { program, checker: program.getTypeChecker(), options: program.getCompilerOptions(), configFile: projectFile, unparsable, configFiles };
}
