// The Python front-end: tree-sitter parsing, a syntactic resolver, the call graph, rule hits and the
// emitter, behind the language-neutral FrontEnd interface.
import type { Analysis, EmitRequest, FrontEnd, FrontEndOptions } from '../../frontend.js';
import type { EditSet } from '../../edits/edit-set.js';
import type { RuleId } from '../../model.js';
import { BLOCKING_APIS, configuredBlockingApis, type BlockingApi } from './blocking-apis.js';
import { detectHits } from './detect.js';
import { emitPython } from './emitter.js';
import { buildGraph, type BuiltGraph } from './graph-builder.js';
import { buildModule, relativePath, type PyModule } from './modules.js';
import { findMisplacedAwait, findSyntaxError, LineIndex, loadPythonParser, parsePython } from './parser.js';
import { hitsFromPyright, isPyrightRequested, runPyright } from './pyright-oracle.js';
import { importNameOf, readProjectSettings, type PytestAsyncio } from './project.js';
import { Resolver } from './resolver.js';
import { attributeTo, describeError } from '../../errors.js';
import { readSource, stripBom } from '../../source-text.js';
import { FixState } from './rule-context.js';
import { pythonTargetNames, resolvePythonTarget } from './targets.js';

export { BLOCKING_APIS } from './blocking-apis.js';
export type { PyVisitors, PyRuleContext } from './rule-context.js';

export function isPythonFile(file: string): boolean {
  return file.endsWith('.py');
}

/** The first syntax error of a Python text (`syntax error at 3:7`), or undefined when it parses. */
export function syntaxErrorIn(text: string): string | undefined {
  let tree;
  try {
    tree = parsePython(text);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  try {
    const node = findSyntaxError(tree.rootNode);
    if (node) {
      const at = new LineIndex(text).at(node.startIndex);
      return `syntax error at ${at.line}:${at.column}`;
    }
    const misplaced = findMisplacedAwait(tree.rootNode);
    if (misplaced) {
      const at = new LineIndex(text).at(misplaced.startIndex);
      return `'await' outside an async function at ${at.line}:${at.column}`;
    }
    return undefined;
  } finally {
    tree.delete();
  }
}

export function createPythonFrontEnd(options: FrontEndOptions): FrontEnd {
  const blockingApis: BlockingApi[] = [...configuredBlockingApis(options.config.blocking), ...BLOCKING_APIS];
  let modules: PyModule[] = [];
  let byName = new Map<string, PyModule>();
  let resolver: Resolver | undefined;
  let built: BuiltGraph | undefined;
  let fixState = new FixState();
  let pytestAsyncio: PytestAsyncio = 'none';

  return {
    language: 'python',

    async analyze(files: readonly string[], rules: ReadonlySet<RuleId>): Promise<Analysis> {
      await loadPythonParser();
      const pythonFiles = [...files].filter(isPythonFile).sort();
      const settings = readProjectSettings(options.root, pythonFiles[0]);
      const taken = new Set<string>();
      const skipped: Analysis['skipped'] = [];
      modules = [];
      fixState = new FixState();
      for (const file of pythonFiles) {
        try {
          // Decoded per its BOM or coding cookie; offsets index the text without the BOM, as edits do.
          const text = stripBom((await readSource(file)).text);
          // Two files Python would import by one name (scripts in two folders): the second keeps its path's name.
          const importName = importNameOf(file, settings, options.root);
          const module = buildModule(options.root, file, text, taken.has(importName.name) ? undefined : importName);
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
      byName = new Map(modules.map((module) => [module.name, module]));
      resolver = new Resolver(modules);
      // pytest-asyncio counts as used when declared or when the tests already use it.
      const usesPytestAsyncio = modules.some((module) => /\bpytest_asyncio\b|pytest\.mark\.asyncio\b/.test(module.text));
      pytestAsyncio = settings.pytestAsyncio === 'none' && usesPytestAsyncio ? 'strict' : settings.pytestAsyncio;
      built = buildGraph(modules, resolver, blockingApis, { entryPoints: options.config.entryPoints, consoleScripts: settings.consoleScripts, pytestAsyncio });
      const hits = modules.flatMap((module) =>
        attributeTo(module.file, () => detectHits(module, resolver!, blockingApis, rules, options.config.rules, fixState)),
      );
      if (isPyrightRequested() && (rules.has('await-non-thenable') || rules.has('floating-promise'))) {
        const findings = await runPyright(options.root, modules.map((m) => m.file));
        if (findings) hits.push(...hitsFromPyright(findings, modules, hits).filter((hit) => rules.has(hit.finding.rule)));
      }
      return { language: 'python', files: modules.map((m) => m.file), graph: built.graph, hits, skipped };
    },

    emit(request: EmitRequest, edits: EditSet): void {
      if (!built || !resolver) return;
      emitPython(request, edits, built, resolver, byName, fixState, pytestAsyncio);
    },

    syntaxErrors(texts: ReadonlyMap<string, string>): Map<string, string> {
      const errors = new Map<string, string>();
      for (const [file, text] of texts) {
        const error = syntaxErrorIn(text);
        if (error) errors.set(file, error);
      }
      return errors;
    },

    resolveTarget(target: string): string[] {
      return resolvePythonTarget(target, modules);
    },

    targetNames(): string[] {
      return pythonTargetNames(modules);
    },
  };
}
