// The orchestrator of the TypeScript analysis: pass 1 (declarations.ts), then one walk per file that
// runs the rule visitors and records the call graph (graph-builder.ts, callbacks.ts), together.
// The checker is asked only about calls whose name is a project function's name, awaits, and
// expression statements: never full diagnostics.
import { ts } from '@ts-morph/common';
import type { BlockingApiConfig } from '../../config.js';
import { attributeTo } from '../../errors.js';
import type { RuleHit } from '../../frontend.js';
import type { CallGraph, CallSite, FunctionId, RuleId } from '../../model.js';
import { lineAndColumn } from '../../paths.js';
import type { Progress } from '../../progress.js';
import type { Transform } from '../../transform.js';
import { TsCallbacks } from './callbacks.js';
import { TsAnalysisCore, type TsAnalysisState, type TsFileInfo } from './core.js';
import { TsDeclarations } from './declarations.js';
import { findPublicSurface, type PublicSurface } from './entry-points.js';
import { MethodFamilies } from './families.js';
import { TsGraphBuilder } from './graph-builder.js';
import { TsResolver } from './resolver.js';
import type { TsRuleContext, TsVisitors } from './rule-context.js';
import { KIND, isFunctionLike } from './syntax.js';
import { walkTree } from './walk.js';
import type { CheckerOracle } from './oracle.js';

// Other modules import these from here.
export { hasModifier, isFunctionLike, skipParentheses, type FunctionLike } from './syntax.js';
export { isAwaited } from './awaits.js';
export { signatureText } from './signatures.js';
export type { CommonJsExport } from './module-exports.js';
export type { TsAnalysisState, TsFileInfo } from './core.js';

/** A rule with its TypeScript visitors loaded (`loadTsRules`). */
export interface TsRule {
  transform: Transform;
  visitors: TsVisitors;
}

/** The TypeScript visitors of the rules that have some. */
export async function loadTsRules(transforms: readonly Transform[]): Promise<TsRule[]> {
  const rules: TsRule[] = [];
  for (const transform of transforms) if (transform.typescript) rules.push({ transform, visitors: await transform.typescript() });
  return rules;
}

export class TsAnalyzer {
  readonly state: TsAnalysisState;
  private readonly core: TsAnalysisCore;
  private readonly resolver: TsResolver;
  private readonly declarations: TsDeclarations;
  private readonly callbacks: TsCallbacks;
  private readonly graphBuilder: TsGraphBuilder;
  private readonly families: MethodFamilies;
  private readonly visitors = new Map<ts.SyntaxKind, { transform: Transform; visit: NonNullable<TsVisitors[ts.SyntaxKind]> }[]>();

  constructor(
    program: ts.Program,
    checker: ts.TypeChecker,
    root: string,
    tsRules: readonly TsRule[],
    rules: ReadonlySet<RuleId>,
    isPublicFile: ((file: string) => boolean) | undefined,
    configBlocking: readonly BlockingApiConfig[],
    /** Unsafe fixes are applied: a call an unsafe fix moves elsewhere no longer reaches its callee. */
    unsafeFixes = false,
    /** The type questions of oracle.ts (`--oracle`); the JS checker's answers by default. */
    oracle?: CheckerOracle,
  ) {
    this.core = new TsAnalysisCore(program, checker, root, isPublicFile, configBlocking, unsafeFixes, oracle);
    this.state = this.core.state;
    this.resolver = new TsResolver(this.core);
    this.declarations = new TsDeclarations(this.core, this.resolver);
    this.callbacks = new TsCallbacks(this.core, this.resolver);
    this.graphBuilder = new TsGraphBuilder(this.core, this.resolver, this.callbacks);
    this.families = new MethodFamilies({
      checker,
      functions: this.state.functions,
      idOf: (declaration) => this.core.idByDeclaration.get(declaration),
      functionsOfSymbol: (symbol) => this.resolver.functionsOfSymbol(symbol),
    });
    for (const { transform, visitors } of tsRules) {
      if (!rules.has(transform.id)) continue;
      for (const [kind, visit] of Object.entries(visitors)) {
        if (!visit) continue;
        const list = this.visitors.get(Number(kind)) ?? [];
        list.push({ transform, visit });
        this.visitors.set(Number(kind), list);
      }
    }
  }

  /**
   * `progress` hears of each pass over the files, and of each file done. `declareOnly`: files whose
   * functions are declared (so calls into them resolve, with their ids) but whose code is not walked
   * (another workspace package's source, when one package is summarised).
   */
  analyze(absoluteFiles: readonly string[], progress?: Pick<Progress, 'phase' | 'advance'>, declareOnly: readonly string[] = []): void {
    const sourceFilesOf = (files: readonly string[]): ts.SourceFile[] => files.map((absolute) => this.core.program.getSourceFile(absolute)).filter((sourceFile) => sourceFile !== undefined);
    const sourceFiles = sourceFilesOf(absoluteFiles);
    // Declared in path order with the others, as a whole-program run declares them.
    const declared = declareOnly.length === 0 ? sourceFiles : sourceFilesOf([...absoluteFiles, ...declareOnly].sort());
    // The packages' entry points decide what is public before anything is declared.
    this.core.publicSurface = findPublicSurface(this.core.program, this.core.checker, this.core.root, declared.map((sourceFile) => sourceFile.fileName));
    // Pass 1: declare every function, so calls resolve across files whatever the order.
    progress?.phase('ts-index', declared.length);
    for (const sourceFile of declared) {
      attributeTo(sourceFile.fileName, () => this.declarations.declareFunctions(sourceFile));
      progress?.advance();
    }
    this.declarations.registerLocalHolders();
    this.declarations.markExistingSiblings();
    this.declarations.markReboundNames();
    this.declarations.recordExportedWrappers();
    // Families before the walk: a rule asks which members a call may dispatch to.
    for (const { node, info } of this.declarations.familyLinks) attributeTo(info.absolute, () => this.core.unlessCheckerOverflows(node, info, () => this.families.record(node)));
    // Pass 2: sites and rules.
    progress?.phase('ts-analyse', sourceFiles.length);
    this.resolver.keepCallTargets = true;
    for (const sourceFile of sourceFiles) {
      attributeTo(sourceFile.fileName, () => this.walkFile(sourceFile));
      progress?.advance();
    }
    for (const sourceFile of sourceFiles) attributeTo(sourceFile.fileName, () => this.graphBuilder.recordSpies(sourceFile));
    if (declareOnly.length > 0) this.readReachedBodies(new Set(sourceFiles.map((sourceFile) => sourceFile.fileName)));
    this.callbacks.followCallbackParameters();
    for (const [rootId, members] of this.families.groups()) {
      if (members.length < 2) continue;
      const head = this.familyHead(members);
      const familyId = `family:${rootId}`;
      this.state.families.set(familyId, { id: familyId, name: this.state.functions.get(head)!.name, members });
      for (const member of members) this.state.functions.get(member)!.familyId = familyId;
    }
  }

  /**
   * The bodies of declared-only functions (another package's, when one package is summarised) that
   * the walked code's facts depend on, read for those facts alone: a sleep helper's sleep (its callers'
   * calls are blocking sleeps, `sleep-helpers.ts`) and a callback parameter's calls (the function is
   * the callback's caller, `callbacks.ts`). A whole-program run reads them in its walk; without this a
   * package calling another's `sleepSync`, or passing a callback to another's `runAll`, was planned
   * otherwise from the summaries than from the whole program. Hits found here are the other file's and
   * are left out of the package's part (index.ts `ownPart`).
   */
  private readReachedBodies(own: ReadonlySet<string>): void {
    const declaredOnly = (id: FunctionId): ts.Node | undefined => {
      const declaration = this.state.declarations.get(id);
      return declaration && !own.has(declaration.getSourceFile().fileName) ? declaration : undefined;
    };
    const receivers = new Set(this.callbacks.receivers().filter((id) => declaredOnly(id) !== undefined));
    const helpers = new Set<FunctionId>();
    for (const site of this.state.sites) {
      const fn = this.state.functions.get(site.callee);
      if (site.kind === 'call' && fn && !fn.isAsync && (fn.kind === 'function' || fn.kind === 'arrow' || fn.kind === 'method') && declaredOnly(site.callee)) helpers.add(site.callee);
    }
    const sleepVisitors = new Map<ts.SyntaxKind, NonNullable<TsVisitors[ts.SyntaxKind]>[]>();
    for (const [kind, listeners] of this.visitors) {
      const mine = listeners.filter(({ transform }) => transform.id === 'blocking-sleep').map(({ visit }) => visit);
      if (mine.length > 0) sleepVisitors.set(kind, mine);
    }
    for (const id of [...new Set([...helpers, ...receivers])].sort()) {
      const declaration = declaredOnly(id)!;
      const info = this.state.files.get(declaration.getSourceFile().fileName);
      if (!info) continue;
      let current: FunctionId = id;
      const enclosing: FunctionId[] = [];
      const context = this.ruleContext(info, () => current);
      attributeTo(info.absolute, () =>
        walkTree(declaration, {
          enter: (node) => {
            if (helpers.has(id)) {
              for (const visit of sleepVisitors.get(node.kind) ?? []) {
                try {
                  visit(node, context);
                } catch (error) {
                  this.core.recordCheckerOverflow(error, node, info);
                }
              }
            }
            if (receivers.has(id) && ts.isIdentifier(node) && this.core.parameterNames.has(node.text)) this.callbacks.parameterNameUses.push({ node, current, info });
            if (node !== declaration && isFunctionLike(node)) {
              enclosing.push(current);
              current = this.core.idByDeclaration.get(node) ?? current;
            }
          },
          leave: (node) => {
            if (node !== declaration && isFunctionLike(node)) current = enclosing.pop()!;
          },
        }),
      );
    }
  }

  /** What the packages' entry points made public, and each entry point for the report. */
  get publicSurface(): PublicSurface {
    return this.core.publicSurface;
  }

  /** For a site made inside a function that calls a callback it is given: the site passing that callback. */
  callbackPassedBy(siteId: string): CallSite | undefined {
    return this.callbacks.followedFrom.get(siteId);
  }

  graph(): CallGraph {
    const { functions, sites, families } = this.state;
    return { functions, sites, families, ...(this.core.unresolvedCalls.length > 0 ? { unresolved: this.core.unresolvedCalls } : {}) };
  }

  /** The interface or abstract member names a family; otherwise its first declared member. */
  private familyHead(members: FunctionId[]): FunctionId {
    return members.find((id) => this.state.functions.get(id)!.kind === 'abstract-method') ?? members[0]!;
  }

  private walkFile(sourceFile: ts.SourceFile): void {
    const info = this.state.files.get(sourceFile.fileName)!;
    let current: FunctionId = info.moduleId;
    const enclosing: FunctionId[] = [];
    const context = this.ruleContext(info, () => current);
    walkTree(sourceFile, {
      enter: (node) => {
        this.visitNode(node, info, current, context);
        if (isFunctionLike(node)) {
          enclosing.push(current);
          current = this.core.idByDeclaration.get(node) ?? current;
        }
      },
      leave: (node) => {
        if (isFunctionLike(node)) current = enclosing.pop()!;
      },
    });
  }

  private visitNode(node: ts.Node, info: TsFileInfo, current: FunctionId, context: TsRuleContext): void {
    const listeners = this.visitors.get(node.kind);
    if (listeners) {
      for (const { visit: listener } of listeners) {
        try {
          listener(node, context);
        } catch (error) {
          this.core.recordCheckerOverflow(error, node, info);
        }
      }
    }
    // Most nodes are none of these: the kind test comes before the try and its bookkeeping.
    const kind = node.kind;
    if (kind !== KIND.CallExpression && kind !== KIND.NewExpression && kind !== KIND.Identifier && kind !== KIND.PropertyAccessExpression && kind !== KIND.ExportSpecifier) return;
    try {
      if (ts.isCallExpression(node)) this.graphBuilder.recordCall(node, info, current);
      else if (ts.isNewExpression(node)) this.graphBuilder.recordConstruction(node, info, current);
      else if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) this.graphBuilder.recordReference(node, info, current);
      if (ts.isIdentifier(node) && this.core.parameterNames.has(node.text)) this.callbacks.parameterNameUses.push({ node, current, info });
      if (ts.isIdentifier(node) && this.core.functionHolderNames.has(node.text)) this.graphBuilder.recordHolderUse(node, info, current);
      if (ts.isExportSpecifier(node)) this.graphBuilder.recordReexport(node);
    } catch (error) {
      this.core.recordCheckerOverflow(error, node, info);
    }
  }

  private ruleContext(info: TsFileInfo, enclosing: () => FunctionId): TsRuleContext {
    return {
      ts,
      checker: this.core.checker,
      oracle: this.core.oracle,
      program: this.core.program,
      sourceFile: info.sourceFile,
      file: info.file,
      imports: info.imports,
      isNode: this.core.isNode,
      asyncSiblingNames: this.core.asyncSiblingNames,
      configBlocking: this.core.configBlocking,
      isThenable: (type, some) => this.isThenable(type, some),
      enclosingFunction: () => this.state.functions.get(enclosing())!,
      resolveCallee: (call) => this.resolveCallTargets(call.expression),
      dispatchLine: (callee) => this.families.dispatchLine(callee).map((id) => this.state.functions.get(id)!),
      functionOf: (id) => this.state.functions.get(id),
      reboundValues: (name) => this.declarations.reboundValues(name),
      report: ({ node, message, fixable, rule, replacesCall, ...hit }) => {
        // An unsafe fix left unapplied leaves the call where it was.
        if (replacesCall && (hit.applicability !== 'unsafe' || this.core.unsafeFixes)) this.core.replacedCalls.add(node);
        const start = node.getStart(info.sourceFile);
        const { line, column } = lineAndColumn(info.lineStarts, start);
        const full: RuleHit = {
          ...hit,
          enclosing: enclosing(),
          finding: {
            rule,
            severity: 'error',
            file: info.file,
            line,
            column,
            message,
            fixable: fixable ?? hit.fix !== undefined,
          },
        };
        this.state.hits.push(full);
        this.state.hitNodes.set(full, node);
      },
    };
  }

  /** Project functions a callee expression can reach (see `TsResolver`). */
  resolveCallTargets(callee: ts.Expression): FunctionId[] {
    return this.resolver.resolveCallTargets(callee);
  }

  /** Whether a type is (or, when `some`, may be) a thenable. */
  isThenable(type: ts.Type, some = false): boolean {
    return this.core.isThenable(type, some);
  }
}
