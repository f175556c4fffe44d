// The Python front-end: tree-sitter parsing, a syntactic resolver, the call graph, rule hits and the
// emitter, behind the language-neutral FrontEnd interface.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Analysis, EmitRequest, FrontEnd, FrontEndOptions, RuleHit } from '../../frontend.js';
import type { EditSet } from '../../edits/edit-set.js';
import type { CallSite, RuleId, UnresolvedCall } from '../../model.js';
import { BLOCKING_APIS, configuredBlockingApis, type BlockingApi } from './blocking-apis.js';
import { detectHits } from './detect.js';
import { emitPython } from './emitter.js';
import { compileTimeoutLine, compileWithPython3, type CompileCheck } from './compile-check.js';
import { buildGraph, oracleSites, type BuiltGraph } from './graph-builder.js';
import { recordMockPatches } from './mock-patches.js';
import { buildModule, relativePath, type PyFunction, type PyModule } from './modules.js';
import { findMisplacedAwait, findSyntaxError, LineIndex, loadPythonParser, readWasmTree, type PyTree } from './parser.js';
import { parseAll, parseThreadCount } from './parse-pool.js';
import { pyrightDefinitions, pyrightSettings, type SourcePosition } from './pyright-oracle.js';
import { importNameOf, readProjectSettings, type PyProjectSettings, type PytestAsyncio } from './project.js';
import { linkedFolders } from '../../discovery.js';
import { Resolver } from './resolver.js';
import { dependencyFolders, knownLibraryModules } from './libraries.js';
import { attributeTo, describeError, IncompleteRunError } from '../../errors.js';
import { readSourceSync, stripBom } from '../../source-text.js';
import { isWithin } from '../../write.js';
import { FixState } from './rule-context.js';
import { pythonTargetNames, resolvePythonTarget } from './targets.js';
import type { Progress } from '../../progress.js';
import { collectGarbage } from '../../collect-garbage.js';

/**
 * From this much Python text (about 100k lines) the analysis ends with a full garbage collection:
 * it costs a few hundred ms there and saves tens of MB of peak memory; below, neither matters.
 */
export const COLLECT_AFTER_ANALYSIS_CHARS = 4_000_000;

export { BLOCKING_APIS } from './blocking-apis.js';
export type { PyVisitors, PyRuleContext } from './rule-context.js';

/** A module that uses pytest-asyncio (its tests then run `async def` tests), declared or not. */
export function usesPytestAsyncioIn(text: string): boolean {
  return /\bpytest_asyncio\b|pytest\.mark\.asyncio\b/.test(text);
}

export function isPythonFile(file: string): boolean {
  return file.endsWith('.py');
}

/** The first syntax error of a Python text (`syntax error at 3:7`), or undefined when it parses. */
export function syntaxErrorIn(text: string): string | undefined {
  // web-tree-sitter's own tree: one question about the whole text needs no compact copy.
  let found: { kind: 'syntax' | 'await'; offset: number } | undefined;
  try {
    found = readWasmTree(text, (root) => {
      const node = findSyntaxError(root);
      if (node) return { kind: 'syntax' as const, offset: node.startIndex };
      const misplaced = findMisplacedAwait(root);
      return misplaced ? { kind: 'await' as const, offset: misplaced.startIndex } : undefined;
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (!found) return undefined;
  const at = new LineIndex(text).at(found.offset);
  return found.kind === 'syntax' ? `syntax error at ${at.line}:${at.column}` : `'await' outside an async function at ${at.line}:${at.column}`;
}

export interface PythonFrontEndOptions extends FrontEndOptions {
  /**
   * A package's summary analyses part of a workspace: whether any module of the whole workspace uses
   * pytest-asyncio (read by the caller) stands for what a whole-program run finds in its modules.
   */
  workspaceUsesPytestAsyncio?: boolean;
}

/** The front-end, plus what a package's summary asks of it. */
export interface PythonFrontEnd extends FrontEnd {
  /** The unresolved calls that are loose matches (`d.get(…)` where no instance of a project class with a `get` can be): the oracle step drops them unasked. */
  looseCalls(calls: readonly UnresolvedCall[]): Set<UnresolvedCall>;
}

export function createPythonFrontEnd(options: PythonFrontEndOptions): PythonFrontEnd {
  const blockingApis: BlockingApi[] = [...configuredBlockingApis(options.config.blocking), ...BLOCKING_APIS];
  let modules: PyModule[] = [];
  let byName = new Map<string, PyModule>();
  let resolver: Resolver | undefined;
  let built: BuiltGraph | undefined;
  let fixState = new FixState();
  let pytestAsyncio: PytestAsyncio = 'none';
  const pyright = pyrightSettings();

  return {
    language: 'python',

    async analyze(files: readonly string[], rules: ReadonlySet<RuleId>, progress?: Pick<Progress, 'phase' | 'advance'>): Promise<Analysis> {
      await loadPythonParser();
      const pythonFiles = [...files].filter(isPythonFile).sort();
      const settings = readProjectSettings(options.root, pythonFiles[0]);
      const taken = new Set<string>();
      const skipped: Analysis['skipped'] = [];
      modules = [];
      fixState = new FixState();
      progress?.phase('py-parse', pythonFiles.length);
      // Read every file, then parse them all at once (on threads when there are many), then build the
      // modules in file order: what each file's failure does is as when each was read and parsed in turn.
      const read = pythonFiles.map((file) => {
        try {
          // Decoded per its BOM or coding cookie; offsets index the text without the BOM, as edits do.
          return stripBom(readSourceSync(file).text);
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      });
      const texts = read.filter((text): text is string => typeof text === 'string');
      const parsed = await parseAll(texts, parseThreadCount(texts.length));
      // python3 compiles every file while the modules are built and analysed: started once the parse
      // threads are done, so it does not take a core from them.
      const compiling = compileWithPython3(pythonFiles, options.root);
      const trees = new Map<number, PyTree | Error>();
      let parsedIndex = 0;
      read.forEach((text, index) => {
        if (typeof text === 'string') trees.set(index, parsed[parsedIndex++]!);
      });
      for (const [index, file] of pythonFiles.entries()) {
        progress?.advance();
        try {
          const text = read[index]!;
          if (text instanceof Error) throw text;
          // Two files Python would import by one name (scripts in two folders): the second keeps its path's name.
          const importName = importNameOf(file, settings, options.root);
          const tree = trees.get(index)!;
          if (tree instanceof Error) throw tree;
          const module = buildModule(options.root, file, text, taken.has(importName.name) ? undefined : importName, tree);
          taken.add(module.name);
          const error = findSyntaxError(module.tree.rootNode);
          if (error) {
            const at = module.lines.at(error.startIndex);
            skipped.push({ file, reason: `syntax error at ${relativePath(options.root, file)}:${at.line}:${at.column}` });
            continue;
          }
          modules.push(module);
        } catch (error) {
          // The file was decoded before (the engine checks every file): this is the front-end failing.
          skipped.push({ file, reason: `internal error while parsing this file (${describeError(error)}); the file is skipped`, internalError: true });
        }
      }
      // The analysis runs on every module while python3 compiles them (it runs on the other core): when
      // python3 rejects none, the usual case, that is the answer; when it rejects some, the analysis is
      // made again without them, as if it had waited for the verdict.
      // What an import may name outside the project (read once: the files on disk, not the modules kept);
      // any other module it cannot place is unknown.
      const libraries = knownLibraryModules(dependencyFolders(options.root, pythonFiles, settings.dir), blockingApis.map((api) => api.path.split('.')[0]!));
      const analyse = async (kept: PyModule[]): Promise<RuleHit[]> => {
        modules = kept;
        fixState = new FixState();
        byName = new Map(modules.map((module) => [module.name, module]));
        resolver = new Resolver(modules, await linkedModuleNames(options.root, modules, byName, settings), libraries);
        // pytest-asyncio counts as used when declared or when the tests already use it.
        const usesPytestAsyncio = options.workspaceUsesPytestAsyncio ?? modules.some((module) => usesPytestAsyncioIn(module.text));
        pytestAsyncio = settings.pytestAsyncio === 'none' && usesPytestAsyncio ? 'strict' : settings.pytestAsyncio;
        built = buildGraph(modules, resolver, blockingApis, { entryPoints: options.config.entryPoints, consoleScripts: settings.consoleScripts, pytestAsyncio });
        recordMockPatches(modules, byName, resolver, built.graph.functions);
        progress?.phase('py-analyse', modules.length);
        return modules.flatMap((module) => {
          const found = attributeTo(module.file, () => detectHits(module, resolver!, blockingApis, rules, options.config.rules, fixState));
          progress?.advance();
          return found;
        });
      };
      const parsedModules = modules;
      const ahead = await analyse(parsedModules).then((hits) => ({ hits }), (error: unknown) => ({ error }));
      const compiled = await compileWithPython3Verdict(compiling, pythonFiles.length, options.onWarning);
      const compiles = parsedModules.filter((module) => {
        const error = compiled.errors.get(module.file);
        if (!error) return true;
        const at = error.line > 0 ? `${relativePath(options.root, module.file)}:${error.line}${error.column > 0 ? `:${error.column}` : ''}` : relativePath(options.root, module.file);
        skipped.push({ file: module.file, reason: `does not compile under Python ${compiled.version ?? '3'} (${error.message} at ${at}); the file is skipped` });
        return false;
      });
      let hits: RuleHit[];
      if (compiles.length < parsedModules.length) hits = await analyse(compiles);
      else if ('error' in ahead) throw ahead.error;
      else hits = ahead.hits;
      // The analysis's temporaries are dead now; on a large project V8 would hold them until its next
      // collection, which may come after the plan and the edits (the run's peak) or never.
      if (modules.reduce((chars, module) => chars + module.text.length, 0) >= COLLECT_AFTER_ANALYSIS_CHARS) await collectGarbage();
      return { language: 'python', files: modules.map((m) => m.file), graph: built!.graph, hits, skipped };
    },

    looseCalls(calls: readonly UnresolvedCall[]): Set<UnresolvedCall> {
      return new Set(calls.filter((call) => {
        const info = built?.unresolvedInfos.get(call);
        return info !== undefined && !built!.reach.mayReach(call, info.call, info.module);
      }));
    },

    async resolveCalls(calls: readonly UnresolvedCall[]): Promise<{ sites: CallSite[]; resolved: UnresolvedCall[] }> {
      // An untyped `x.get(…)` where no instance of a class with a method `get` can be is dict.get and the
      // like: it calls nothing turning async, and pyright is not asked about it.
      const loose: UnresolvedCall[] = [];
      const asked = calls.flatMap((call) => {
        const info = built?.unresolvedInfos.get(call);
        if (info && !built!.reach.mayReach(call, info.call, info.module)) {
          loose.push(call);
          return [];
        }
        return info ? [{ call, info }] : [];
      });
      if (!built || !resolver || !pyright.enabled || asked.length === 0) return { sites: [], resolved: loose };
      const queries = asked.map(({ info }): SourcePosition => {
        const at = info.module.lines.at(info.nameNode.startIndex);
        return { file: info.module.file, line: at.line - 1, character: at.column - 1 };
      });
      const texts = new Map(asked.map(({ info }) => [info.module.file, info.module.text]));
      const { definitions, failure, timedOut } = await pyrightDefinitions(options.root, queries, texts, pyright.timeoutMs);
      if (timedOut) throw new IncompleteRunError(pyrightTimeoutLine(pyright.timeoutMs, asked.map(({ call }) => call)));
      const unanswered = definitions.filter((definition) => definition === undefined).length;
      if (failure) process.stderr.write(`async-migrate: pyright could not run (${failure}); ${unanswered} of ${asked.length} unresolved call(s) it was asked about stay listed in unresolvedCalls\n`);
      const targets = new DefinitionTargets(options.root, modules, resolver);
      const answers = new Map<UnresolvedCall, PyFunction>();
      const resolved: UnresolvedCall[] = [];
      for (const [index, { call }] of asked.entries()) {
        const places = (definitions[index] ?? []).map((position) => targets.at(position));
        // Nothing found, or a definition that is no function we know (a variable, a stub): still listed.
        if (places.length === 0 || places.includes(undefined)) continue;
        const inProject = [...new Set(places.filter((place): place is PyFunction => place !== 'outside'))];
        if (inProject.length === 0) resolved.push(call); // only code outside the project: calls nothing turning async
        else if (inProject.length === 1 && !places.includes('outside')) {
          answers.set(call, inProject[0]!);
          resolved.push(call);
        }
      }
      return { sites: oracleSites(built, resolver, blockingApis, answers), resolved: [...loose, ...resolved] };
    },

    emit(request: EmitRequest, edits: EditSet): void {
      if (!built || !resolver) return;
      emitPython(request, edits, built, resolver, byName, fixState, pytestAsyncio);
    },

    async syntaxErrors(texts: ReadonlyMap<string, string>): Promise<Map<string, string>> {
      const errors = new Map<string, string>();
      for (const [file, text] of texts) {
        const error = syntaxErrorIn(text);
        if (error) errors.set(file, error);
      }
      // The migrated text must compile under Python 3 too, as its input did (or it was skipped).
      const rest = [...texts].filter(([file]) => !errors.has(file));
      const compiled = await compileWithPython3(rest.map(([file]) => file), options.root, 'python3', rest.map(([, text]) => text));
      if (compiled.timedOut) throw new IncompleteRunError(compileTimeoutLine(compiled, rest.length));
      for (const [file, error] of compiled.errors) errors.set(file, `${error.message} at ${error.line}:${error.column}`);
      return errors;
    },

    analysedText(file: string): string | undefined {
      return modules.find((module) => module.file === file)?.text;
    },

    resolveTarget(target: string): string[] {
      return resolvePythonTarget(target, modules);
    },

    targetNames(): string[] {
      return pythonTargetNames(modules);
    },
  };
}

/**
 * The one line of a run pyright's wall-clock cap cut short. The cap fires or not with the machine's
 * load, so the run stops (exit 1) rather than report a list that would change from run to run.
 */
export function pyrightTimeoutLine(timeoutMs: number, calls: readonly UnresolvedCall[]): string {
  const shown = calls.slice(0, 3).map((call) => `${call.location.file}:${call.location.line} ${call.text}`);
  const more = calls.length > shown.length ? ` and ${calls.length - shown.length} more` : '';
  return `pyright timed out after ${timeoutMs / 1000} s (ASYNC_MIGRATE_PYRIGHT_TIMEOUT) with ${calls.length} unresolved call(s) unanswered (${shown.join(', ')}${more}); the run is incomplete: raise ASYNC_MIGRATE_PYRIGHT_TIMEOUT, or set ASYNC_MIGRATE_PYRIGHT=0 to report them unresolved`;
}

/** What a definition pyright gives is: a project function, code outside the project, or unknown (undefined). */
class DefinitionTargets {
  private readonly byFile = new Map<string, PyModule>();
  private readonly byOffset = new Map<PyModule, Map<number, PyFunction | undefined>>();
  private readonly roots: string[];

  constructor(root: string, modules: readonly PyModule[], private readonly resolver: Resolver) {
    // pyright may name a file by its real path (a symlinked root): both spellings are known.
    for (const module of modules) for (const name of spellings(module.file)) this.byFile.set(name, module);
    this.roots = spellings(root);
  }

  at(position: SourcePosition): PyFunction | 'outside' | undefined {
    const names = spellings(position.file);
    const module = names.map((name) => this.byFile.get(name)).find((found) => found !== undefined);
    // A file of the project that was not analysed (excluded, a stub beside a module) may stand for
    // code that turns async: only what lies outside the project counts as calling none of it.
    if (!module) return names.some((name) => this.roots.some((root) => isWithin(root, name))) ? undefined : 'outside';
    return this.definitionsOf(module).get(module.lines.offsetOf(position.line + 1, position.character + 1));
  }

  /** Project functions by the offset of the name pyright points at: a def's name, or a class's (its `__init__`). */
  private definitionsOf(module: PyModule): Map<number, PyFunction | undefined> {
    let offsets = this.byOffset.get(module);
    if (!offsets) {
      offsets = new Map();
      for (const cls of module.classes.values()) {
        const name = cls.node.childForFieldName('name');
        if (name) offsets.set(name.startIndex, this.resolver.findMethod(cls, '__init__'));
      }
      for (const fn of module.allFunctions) {
        const name = fn.kind === 'module' ? null : fn.node.childForFieldName('name');
        if (name) offsets.set(name.startIndex, fn);
      }
      this.byOffset.set(module, offsets);
    }
    return offsets;
  }
}

/** Each module's name through a symlinked folder inside the root, where no module has that name. */
async function linkedModuleNames(root: string, modules: readonly PyModule[], byName: ReadonlyMap<string, PyModule>, settings: PyProjectSettings): Promise<Map<string, PyModule>> {
  const aliases = new Map<string, PyModule>();
  const links = await linkedFolders(root);
  for (const { link, target } of links) {
    for (const module of modules) {
      if (!isWithin(target, module.file)) continue;
      const name = importNameOf(path.join(link, path.relative(target, module.file)), settings, root).name;
      if (!byName.has(name) && !aliases.has(name)) aliases.set(name, module);
    }
  }
  return aliases;
}

/** python3's verdict; when it could not run, a warning says the grammar alone checks the files. */
async function compileWithPython3Verdict(compiling: Promise<CompileCheck>, fileCount: number, onWarning?: (message: string) => void): Promise<CompileCheck> {
  const compiled = await compiling;
  if (compiled.timedOut) throw new IncompleteRunError(compileTimeoutLine(compiled, fileCount));
  if (compiled.unavailable) {
    const message = `${compiled.unavailable}; Python files are checked with the tree-sitter grammar only, which accepts some files Python 3 rejects (a Python 2 print statement, mixed tabs and spaces)`;
    if (onWarning) onWarning(message);
    else process.stderr.write(`async-migrate: warning: ${message}\n`);
  }
  return compiled;
}

function spellings(file: string): string[] {
  const resolved = path.resolve(file);
  try {
    const real = realpathSync(resolved);
    return real === resolved ? [resolved] : [resolved, real];
  } catch {
    return [resolved];
  }
}
