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
    parses(file: string, text: string): boolean {
      const kind = /\.(tsx|jsx)$/.test(file) ? ts.ScriptKind.TSX : /\.[cm]?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
      const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
      // parseDiagnostics is internal but stable; a cheap program-free syntax check.
      const diagnostics = (sourceFile as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
      return diagnostics.length === 0;
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
