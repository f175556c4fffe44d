// The TypeScript/JavaScript front-end: program loading, analysis, emission, target resolution.
import path from 'node:path';
import { ts } from '@ts-morph/common';
import type { EditSet } from '../../edits/edit-set.js';
import type { Analysis, EmitRequest, FrontEnd, FrontEndOptions } from '../../frontend.js';
import type { FunctionId, RuleId } from '../../model.js';
import { TRANSFORMS } from '../../../transforms/index.js';
import { hasModifier, isFunctionLike, loadTsRules, TsAnalyzer } from './analyze.js';
import { markSleepHelpers } from './sleep-helpers.js';
import { emitTypeScript } from './emit.js';
import { walkTree } from './walk.js';
import { findProjectFile, isOnDisk, loadProgram, type LoadedProgram } from './project.js';
import { matchesAnyGlob } from '../../globs.js';
import { describeError } from '../../errors.js';
import { languageOf } from '../../discovery.js';
import { toReportPath } from '../../paths.js';
import type { Progress } from '../../progress.js';
import { jsOracle, type CheckerOracle, type OracleName } from './oracle.js';
import { resolveTarget } from '../../function-targets.js';

export interface TsFrontEndOptions extends FrontEndOptions {
  /** `-p`: the tsconfig to use; else the nearest one above `searchFrom`. */
  projectFile?: string;
  /** `--oracle`: the checker for the type questions of oracle.ts (default `js`). */
  oracle?: OracleName;
  searchFrom: string;
  /** A problem the run goes on despite (a tsconfig base that is not installed): one line for stderr. */
  onWarning?: (message: string) => void;
  /**
   * Declare the functions of the program's other source files under the root too (another workspace
   * package's source, reached through an import), so that calls into them get the ids a whole-program
   * run gives them; the sites, hits and families returned are those of `files`' code.
   */
  declareOtherFiles?: boolean;
}

export function createTypeScriptFrontEnd(options: TsFrontEndOptions): FrontEnd {
  let analyzer: TsAnalyzer | undefined;
  let program: ts.Program | undefined;
  let loadedProgram: LoadedProgram | undefined;
  return {
    language: 'typescript',
    async analyze(files: readonly string[], rules: ReadonlySet<RuleId>, progress?: Pick<Progress, 'phase' | 'advance'>): Promise<Analysis> {
      const projectFile = options.projectFile ? path.resolve(options.projectFile) : findProjectFile(options.searchFrom);
      const loaded = loadProgram(files, projectFile, options.onWarning, progress, options.root);
      program = loaded.program;
      loadedProgram = loaded;
      const publicGlobs = options.config.public;
      const oracle = await createOracle(options.oracle, loaded.program, loaded.configFile);
      analyzer = new TsAnalyzer(
        loaded.program,
        loaded.checker,
        options.root,
        await loadTsRules(TRANSFORMS),
        rules,
        publicGlobs.length === 0 ? undefined : (file) => matchesAnyGlob(file, publicGlobs),
        options.config.blocking.filter((entry) => entry.language !== 'python'),
        options.config.unsafeFixes,
        oracle,
      );
      const skipped: Analysis['skipped'] = [];
      const parseable: string[] = [];
      for (const file of files) {
        const sourceFile = loaded.program.getSourceFile(file);
        const syntaxError = sourceFile ? loaded.program.getSyntacticDiagnostics(sourceFile)[0] : undefined;
        const parseFailure = loaded.unparsable.get(file);
        if (parseFailure) skipped.push({ file, reason: `internal error while parsing this file (${parseFailure}); the file is skipped`, internalError: true });
        else if (!sourceFile) skipped.push({ file, reason: 'not part of the TypeScript program' });
        else if (syntaxError) {
          const { line } = sourceFile.getLineAndCharacterOfPosition(syntaxError.start ?? 0);
          skipped.push({ file, reason: `syntax error at line ${line + 1}: ${ts.flattenDiagnosticMessageText(syntaxError.messageText, ' ')}` });
        } else parseable.push(file);
      }
      const others = options.declareOtherFiles ? otherSourceFiles(loaded.program, options.root, files) : [];
      try {
        analyzer.analyze(parseable, progress, others);
      } finally {
        oracle.close();
      }
      markSleepHelpers(analyzer.state);
      skipped.push(...uncheckedFiles(analyzer.state.uncheckedLines));
      const entries = analyzer.publicSurface.entries;
      const entryPoints = entries.length > 0 ? { entryPoints: entries } : {};
      if (others.length === 0) return { language: 'typescript', files: parseable, graph: analyzer.graph(), hits: analyzer.state.hits, skipped, ...entryPoints };
      return { language: 'typescript', files: parseable, ...ownPart(analyzer, options.root, parseable), skipped: skipped.filter((entry) => files.includes(entry.file)), ...entryPoints };
    },
    emit(request: EmitRequest, edits: EditSet): void {
      if (analyzer) emitTypeScript(analyzer.state, request, edits);
    },
    syntaxErrors(texts: ReadonlyMap<string, string>): Map<string, string> {
      return grammarErrors(texts);
    },
    dependencies(): string[] {
      if (!loadedProgram) return [];
      const read = loadedProgram.program.getSourceFiles().map((sourceFile) => sourceFile.fileName).filter(isOnDisk).map((file) => path.resolve(file));
      return [...read, ...loadedProgram.configFiles, ...(analyzer?.publicSurface.readFiles ?? [])];
    },
    analysedText(file: string): string | undefined {
      return program?.getSourceFile(file)?.text;
    },
    resolveTarget(target: string): FunctionId[] {
      if (!analyzer) return [];
      return resolveTarget(target, [...analyzer.state.functions.values()]);
    },
    targetNames(): string[] {
      if (!analyzer) return [];
      return [...analyzer.state.functions.values()].filter((fn) => fn.kind !== 'module' && !fn.name.startsWith('<')).map((fn) => fn.name);
    },
  };
}

/** The program's source files under `root` other than `files` (not declarations, not in node_modules). */
function otherSourceFiles(program: ts.Program, root: string, files: readonly string[]): string[] {
  const own = new Set(files);
  const inside = (file: string): boolean => {
    const relative = path.relative(root, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  };
  return program
    .getSourceFiles()
    .map((sourceFile) => sourceFile.fileName)
    .filter((file) => !own.has(file) && !/\.d\.[cm]?ts$/.test(file) && !file.includes('/node_modules/') && inside(file) && languageOf(file) === 'typescript');
}

/** The graph and hits of `files`' code: sites and hits whose function is in them (the other files' functions stay, as callees). */
function ownPart(analyzer: TsAnalyzer, root: string, files: readonly string[]): Pick<Analysis, 'graph' | 'hits'> {
  const own = new Set(files.map((file) => toReportPath(root, file)));
  const graph = analyzer.graph();
  const isOwn = (id: string): boolean => own.has(graph.functions.get(id)?.location.file ?? '');
  const unresolved = graph.unresolved?.filter((call) => isOwn(call.caller));
  return {
    // A call the receiving function makes of a callback this code passes it is this code's fact too.
    graph: { ...graph, sites: graph.sites.filter((site) => isOwn(site.caller) || isOwn(analyzer.callbackPassedBy(site.id)?.caller ?? '')), ...(unresolved && unresolved.length > 0 ? { unresolved } : { unresolved: undefined }) },
    hits: analyzer.state.hits.filter((hit) => own.has(hit.finding.file)),
  };
}

/** The native oracle is loaded only when asked for: it starts a process and needs the optional typescript7. */
async function createOracle(name: OracleName | undefined, program: ts.Program, configFile: string | undefined): Promise<CheckerOracle> {
  if (name !== 'tsgo') return jsOracle(program);
  const { createTsgoOracle } = await import('./tsgo-oracle.js');
  return createTsgoOracle(program, configFile);
}

/** One entry per file whose analysis skipped nodes the type checker could not answer for. */
function uncheckedFiles(unchecked: readonly { absolute: string; line: number }[]): Analysis['skipped'] {
  const linesByFile = new Map<string, Set<number>>();
  for (const { absolute, line } of unchecked) linesByFile.set(absolute, (linesByFile.get(absolute) ?? new Set()).add(line));
  return [...linesByFile].map(([file, lines]) => ({
    file,
    reason: `the type checker overflowed its stack at line ${[...lines].join(', ')}; those expressions were not analysed, the rest of the file was`,
  }));
}

/**
 * Syntax errors of edited texts, plus the two grammar errors an edit can introduce that the parser
 * leaves to the checker: an `async` modifier on something that is not a function, and an `await`
 * in a function that is not async. A full (lib-less) check of every changed file costs as much as
 * type-checking them; these walks cost a parse.
 */
function grammarErrors(texts: ReadonlyMap<string, string>): Map<string, string> {
  const errors = new Map<string, string>();
  for (const [file, text] of texts) {
    try {
      const problem = grammarError(file, text);
      if (problem) errors.set(file, problem);
    } catch (error) {
      // The parser and the walk recurse: a stack overflow leaves the file unchanged, not the run aborted.
      errors.set(file, `the parser failed (${describeError(error)})`);
    }
  }
  return errors;
}

function grammarError(file: string, text: string): string | undefined {
  const kind = /\.(tsx|jsx)$/.test(file) ? ts.ScriptKind.TSX : /\.[cm]?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  // No parent pointers: nothing below reads them (positions take the source file), and setting
  // them is a second pass over every edited file.
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  // parseDiagnostics is internal but stable: the parser's own errors, without a program.
  const parseError = (sourceFile as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics?.[0];
  const problem = parseError
    ? { at: parseError.start ?? 0, message: ts.flattenDiagnosticMessageText(parseError.messageText, ' ') }
    : misplacedAsyncOrAwait(sourceFile);
  if (!problem) return undefined;
  const { line } = sourceFile.getLineAndCharacterOfPosition(problem.at);
  return `line ${line + 1}: ${problem.message}`;
}

function misplacedAsyncOrAwait(sourceFile: ts.SourceFile): { at: number; message: string } | undefined {
  let problem: { at: number; message: string } | undefined;
  const enclosing: ts.Node[] = [];
  walkTree(sourceFile, {
    enter: (node) => {
      if (problem) return false;
      const around = enclosing[enclosing.length - 1];
      if (ts.canHaveModifiers(node) && !isFunctionLike(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) {
        problem = { at: node.getStart(sourceFile), message: "'async' modifier cannot be used here" };
      } else if ((ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) && around && !hasModifier(around, ts.SyntaxKind.AsyncKeyword)) {
        problem = { at: node.getStart(sourceFile), message: "'await' expressions are only allowed within async functions" };
      }
      if (problem) return false;
      if (isFunctionLike(node)) enclosing.push(node);
      return true;
    },
    leave: (node) => {
      if (isFunctionLike(node)) enclosing.pop();
    },
  });
  return problem;
}

// Kept apart (src/function-targets.ts) so that a combined run of Python summaries resolves targets
// without loading the TypeScript library.
export { resolveTarget };
