// The analysis state shared by the TypeScript front-end's modules: the files, functions, sites and
// hits being built, the name filters the walk consults, and the checker-overflow bookkeeping.
import { ts } from '@ts-morph/common';
import type { BlockingApiConfig } from '../../config.js';
import type { RuleHit } from '../../frontend.js';
import type { CallSite, FunctionId, FunctionNode, MethodFamily, UnresolvedCall } from '../../model.js';
import { lineAndColumn } from '../../paths.js';
import { NO_SURFACE, type PublicSurface } from './entry-points.js';
import type { ImportIndex } from './imports.js';
import type { CommonJsExport } from './module-exports.js';
import type { FunctionLike } from './syntax.js';
import { isThenableType } from './thenables.js';
import { isStackOverflow } from './walk.js';
import { jsOracle, type CheckerOracle } from './oracle.js';

export interface TsFileInfo {
  absolute: string;
  file: string;
  sourceFile: ts.SourceFile;
  imports: ImportIndex;
  lineStarts: number[];
  /** Top-level await is allowed (an ES module under a module setting that supports it). */
  allowsTopLevelAwait: boolean;
  isCommonJs: boolean;
  moduleId: FunctionId;
  /** Top-level names a CommonJS module exports (`module.exports = { load }`, `exports.load = load`), and where. */
  commonJsExports: ReadonlyMap<string, CommonJsExport>;
  /** Local names an export list exports (`export { load, save as store }`, no `from`). */
  exportListNames: ReadonlySet<string>;
}

export interface TsAnalysisState {
  files: Map<string, TsFileInfo>;
  functions: Map<FunctionId, FunctionNode>;
  /** The declaration node behind each function id. */
  declarations: Map<FunctionId, FunctionLike>;
  sites: CallSite[];
  /** The call (or argument) node behind each site id. */
  siteNodes: Map<string, ts.Node>;
  families: Map<string, MethodFamily>;
  hits: RuleHit[];
  /** Which node each hit was reported on, for fixes that need the original syntax. */
  hitNodes: Map<RuleHit, ts.Node>;
  /** The program has Node.js types (so `process`, `node:` modules exist). */
  isNode: boolean;
  /** `export { load } from './load.js'` (barrel files): the project functions each specifier re-exports. */
  reexports: { specifier: ts.ExportSpecifier; functions: FunctionId[] }[];
  /** Where the type checker overflowed its stack: those nodes were skipped, the rest analysed. */
  uncheckedLines: { absolute: string; line: number }[];
}

export class TsAnalysisCore {
  readonly state: TsAnalysisState = {
    files: new Map(),
    functions: new Map(),
    declarations: new Map(),
    sites: [],
    siteNodes: new Map(),
    families: new Map(),
    hits: [],
    hitNodes: new Map(),
    isNode: false,
    reexports: [],
    uncheckedLines: [],
  };
  readonly idByDeclaration = new Map<ts.Node, FunctionId>();
  readonly unresolvedCalls: UnresolvedCall[] = [];
  readonly functionNames = new Set<string>();
  private siteCounter = 0;
  readonly replacedCalls = new Set<ts.Node>();
  /** Names of the project functions' parameters: the cheap filter for calls of a callback parameter. */
  readonly parameterNames = new Set<string>();
  /** `const map = { load: () => … }`: the variable holding an object literal -> its function members. */
  readonly functionHolders = new Map<ts.VariableDeclaration, FunctionId[]>();
  readonly functionHolderNames = new Set<string>();
  /** Names of project classes that declare a constructor: the cheap filter for `new X()`. */
  readonly constructedClassNames = new Set<string>();
  readonly asyncSiblingNames = new Set<string>();
  /** What the packages' entry points make public (set before pass 1). */
  publicSurface: PublicSurface = NO_SURFACE;

  readonly isNode: boolean;

  constructor(
    readonly program: ts.Program,
    readonly checker: ts.TypeChecker,
    readonly root: string,
    /** The config's `public` globs, when given: the user's word on which files' exports are public. */
    readonly isPublicFile: ((file: string) => boolean) | undefined,
    readonly configBlocking: readonly BlockingApiConfig[],
    /** Unsafe fixes are applied: a call an unsafe fix moves elsewhere no longer reaches its callee. */
    readonly unsafeFixes = false,
    /** The type questions of oracle.ts (`--oracle`); the JS checker's answers by default. */
    readonly oracle: CheckerOracle = jsOracle(program),
  ) {
    this.isNode = checker.getAmbientModules().some((module) => /^"(node:)?timers\/promises"$/.test(module.getName()));
    this.state.isNode = this.isNode;
  }

  newSite(site: Omit<CallSite, 'id' | 'location'>, node: ts.Node, info: TsFileInfo): CallSite {
    const start = node.getStart(info.sourceFile);
    const { line, column } = lineAndColumn(info.lineStarts, start);
    const full: CallSite = { ...site, id: `site${this.siteCounter++}`, location: { file: info.file, line, column } };
    this.state.sites.push(full);
    this.state.siteNodes.set(full.id, node);
    return full;
  }

  /** Whether a type is (or, when `some`, may be) a thenable. */
  isThenable(type: ts.Type, some = false): boolean {
    if (type.isUnion() && !some) return type.types.every((t) => isThenableType(this.checker, t));
    return isThenableType(this.checker, type);
  }

  /**
   * Every checker question of the walk goes through here. On some deeply recursive types the
   * checker overflows its own stack (a RangeError, which tsc itself dies of): that node's question
   * is skipped and recorded, and the walk goes on with the rest of the file.
   */
  unlessCheckerOverflows(node: ts.Node, info: TsFileInfo, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.recordCheckerOverflow(error, node, info);
    }
  }

  /** The catch of `unlessCheckerOverflows`, also inlined where closures per node would cost. */
  recordCheckerOverflow(error: unknown, node: ts.Node, info: TsFileInfo): void {
    if (!isStackOverflow(error)) throw error;
    const { line } = lineAndColumn(info.lineStarts, node.getStart(info.sourceFile));
    this.state.uncheckedLines.push({ absolute: info.absolute, line });
  }
}
