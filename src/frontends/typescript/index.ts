// The TypeScript/JavaScript front-end: program loading, analysis, emission, target resolution.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { EditSet } from '../../edits/edit-set.js';
import type { Analysis, EmitRequest, FrontEnd, FrontEndOptions } from '../../frontend.js';
import type { FunctionId, RuleId } from '../../model.js';
import { TRANSFORMS } from '../../../transforms/index.js';
import { TsAnalyzer } from './analyze.js';
import { markSleepHelpers } from './sleep-helpers.js';
import { emitTypeScript } from './emit.js';
import { findProjectFile, loadProgram } from './project.js';
import { matchesAnyGlob } from '../../globs.js';

export interface TsFrontEndOptions extends FrontEndOptions {
  /** `-p`: the tsconfig to use; else the nearest one above `searchFrom`. */
  projectFile?: string;
  searchFrom: string;
}

export function createTypeScriptFrontEnd(options: TsFrontEndOptions): FrontEnd {
  let analyzer: TsAnalyzer | undefined;
  return {
    language: 'typescript',
    async analyze(files: readonly string[], rules: ReadonlySet<RuleId>): Promise<Analysis> {
      const projectFile = options.projectFile ? path.resolve(options.projectFile) : findProjectFile(options.searchFrom);
      const loaded = loadProgram(files, projectFile);
      const publicGlobs = options.config.public;
      analyzer = new TsAnalyzer(
        loaded.program,
        loaded.checker,
        options.root,
        TRANSFORMS,
        rules,
        (file) => publicGlobs.length === 0 || matchesAnyGlob(file, publicGlobs),
        options.config.blocking.filter((entry) => entry.language !== 'python'),
      );
      const skipped: Analysis['skipped'] = [];
      const parseable: string[] = [];
      for (const file of files) {
        const sourceFile = loaded.program.getSourceFile(file);
        const syntaxError = sourceFile ? loaded.program.getSyntacticDiagnostics(sourceFile)[0] : undefined;
        if (!sourceFile) skipped.push({ file, reason: 'not part of the TypeScript program' });
        else if (syntaxError) {
          const { line } = sourceFile.getLineAndCharacterOfPosition(syntaxError.start ?? 0);
          skipped.push({ file, reason: `syntax error at line ${line + 1}: ${ts.flattenDiagnosticMessageText(syntaxError.messageText, ' ')}` });
        } else parseable.push(file);
      }
      analyzer.analyze(parseable);
      markSleepHelpers(analyzer.state);
      return { language: 'typescript', files: parseable, graph: analyzer.graph(), hits: analyzer.state.hits, skipped };
    },
    emit(request: EmitRequest, edits: EditSet): void {
      if (analyzer) emitTypeScript(analyzer.state, request, edits);
    },
    syntaxErrors(texts: ReadonlyMap<string, string>): Map<string, string> {
      return grammarErrors(texts);
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

/**
 * Syntax and grammar errors of edited texts, in one lib-less program: grammar errors (a misplaced
 * `async`, an `await` outside an async function) come from the checker, not the parser, and have
 * codes below 2000; everything else (unresolved names without a lib) is ignored.
 */
function grammarErrors(texts: ReadonlyMap<string, string>): Map<string, string> {
  const errors = new Map<string, string>();
  if (texts.size === 0) return errors;
  const options: ts.CompilerOptions = { noLib: true, noResolve: true, types: [], allowJs: true, checkJs: true, noEmit: true, target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, jsx: ts.JsxEmit.Preserve };
  const sourceFiles = new Map<string, ts.SourceFile>();
  for (const [file, text] of texts) {
    const kind = /\.(tsx|jsx)$/.test(file) ? ts.ScriptKind.TSX : /\.[cm]?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
    sourceFiles.set(file, ts.createSourceFile(file, text, ts.ScriptTarget.ESNext, true, kind));
  }
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (fileName) => sourceFiles.get(fileName);
  host.fileExists = (fileName) => sourceFiles.has(fileName);
  host.readFile = (fileName) => texts.get(fileName);
  const program = ts.createProgram({ rootNames: [...texts.keys()], options, host });
  for (const [file, sourceFile] of sourceFiles) {
    const diagnostic = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile).filter((d) => d.code < 2000)][0];
    if (!diagnostic) continue;
    const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    errors.set(file, `line ${line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
  }
  return errors;
}

/** `fn`, `Class.method`, `Interface.member`, `Class.*`, `path/file.ts:42`. */
export function resolveTarget(target: string, functions: readonly import('../../model.js').FunctionNode[]): FunctionId[] {
  const location = /^(.+):(\d+)$/.exec(target);
  if (location) {
    const [, file, lineText] = location;
    const line = Number(lineText);
    const inFile = functions.filter((fn) => fn.kind !== 'module' && (fn.location.file === file || fn.location.file.endsWith(`/${file}`)));
    const exact = inFile.filter((fn) => fn.location.line === line);
    if (exact.length > 0) return exact.map((fn) => fn.id);
    // Otherwise the innermost function starting above the line.
    const above = inFile.filter((fn) => fn.location.line <= line).sort((a, b) => b.location.line - a.location.line);
    return above[0] ? [above[0].id] : [];
  }
  if (target.endsWith('.*')) {
    const owner = target.slice(0, -2);
    return functions
      .filter((fn) => (fn.kind === 'method' || fn.kind === 'abstract-method') && fn.name.startsWith(`${owner}.`) && !fn.name.slice(owner.length + 1).includes('.'))
      .map((fn) => fn.id);
  }
  return functions.filter((fn) => fn.name === target && fn.kind !== 'module').map((fn) => fn.id);
}
