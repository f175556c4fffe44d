// One walk per file: the functions and call sites of the call graph, and the rule visitors, together.
// The checker is asked only about calls whose name is a project function's name, awaits, and
// expression statements: never full diagnostics.
import { ts } from '@ts-morph/common';
import type { RuleHit } from '../../frontend.js';
import type {
  CallGraph,
  CallSite,
  CallbackRewrite,
  FunctionId,
  FunctionKind,
  FunctionNode,
  MethodFamily,
  RuleId,
  UnresolvedCall,
} from '../../model.js';
import { computeLineStarts, lineAndColumn, toReportPath } from '../../paths.js';
import type { Transform } from '../../transform.js';
import type { BlockingApiConfig } from '../../config.js';
import { indexImports, requiredModule, type ImportIndex } from './imports.js';
import { asyncResultTypeText, shorten } from './fix-helpers.js';
import { asyncSiblingName, declarationNameNode, existingSibling, isAwaitableSibling, isObjectLiteralMember, siblingContainer } from './siblings.js';
import { testRunnerCallback } from './test-runners.js';
import type { TsRuleContext, TsVisitors } from './rule-context.js';
import { attributeTo } from '../../errors.js';
import { isThenableType } from './thenables.js';
import { isStackOverflow, walkTree } from './walk.js';
import { libraryWrapperOf, passesResultThrough } from './wrappers.js';
import { MethodFamilies } from './families.js';
import type { Progress } from '../../progress.js';

export type FunctionLike =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.MethodSignature
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression;

// `ts` is a frozen namespace whose every member is a getter: the kinds asked of every node are read once.
const KIND = {
  FunctionDeclaration: ts.SyntaxKind.FunctionDeclaration,
  MethodDeclaration: ts.SyntaxKind.MethodDeclaration,
  MethodSignature: ts.SyntaxKind.MethodSignature,
  Constructor: ts.SyntaxKind.Constructor,
  GetAccessor: ts.SyntaxKind.GetAccessor,
  SetAccessor: ts.SyntaxKind.SetAccessor,
  ArrowFunction: ts.SyntaxKind.ArrowFunction,
  FunctionExpression: ts.SyntaxKind.FunctionExpression,
  CallExpression: ts.SyntaxKind.CallExpression,
  NewExpression: ts.SyntaxKind.NewExpression,
  Identifier: ts.SyntaxKind.Identifier,
  PropertyAccessExpression: ts.SyntaxKind.PropertyAccessExpression,
  ExportSpecifier: ts.SyntaxKind.ExportSpecifier,
} as const;

// Asked of every node, often twice (entering and leaving it): one switch on the kind.
export function isFunctionLike(node: ts.Node): node is FunctionLike {
  switch (node.kind) {
    case KIND.FunctionDeclaration:
    case KIND.MethodDeclaration:
    case KIND.MethodSignature:
    case KIND.Constructor:
    case KIND.GetAccessor:
    case KIND.SetAccessor:
    case KIND.ArrowFunction:
    case KIND.FunctionExpression:
      return true;
    default:
      return false;
  }
}

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

/** Where a CommonJS module exports a local function: a property of `module.exports = {…}`, an `exports.x = x` statement, or the whole `module.exports`. */
export type CommonJsExport =
  | { kind: 'property'; exportedAs: string; node: ts.ObjectLiteralElementLike }
  | { kind: 'assignment'; exportedAs: string; node: ts.ExpressionStatement; target: string }
  | { kind: 'module' };

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

const ARRAY_CALLBACK_REWRITES: Record<string, CallbackRewrite> = { forEach: 'for-of', map: 'promise-all' };

export class TsAnalyzer {
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
  private readonly idByDeclaration = new Map<ts.Node, FunctionId>();
  private readonly unresolvedCalls: UnresolvedCall[] = [];
  private readonly functionNames = new Set<string>();
  private readonly families: MethodFamilies;
  /** Classes, interfaces and object literals that may link family members, recorded before the walk. */
  private readonly familyLinks: { node: ts.Node; info: TsFileInfo }[] = [];
  private readonly visitors = new Map<ts.SyntaxKind, { transform: Transform; visit: NonNullable<TsVisitors[ts.SyntaxKind]> }[]>();
  private siteCounter = 0;
  private readonly replacedCalls = new Set<ts.Node>();
  /** Names of the project functions' parameters: the cheap filter for calls of a callback parameter. */
  private readonly parameterNames = new Set<string>();
  /** `const map = { load: () => … }`: the variable holding an object literal -> its function members. */
  private readonly functionHolders = new Map<ts.VariableDeclaration, FunctionId[]>();
  private readonly functionHolderNames = new Set<string>();
  /** `fn#index` -> the calls of that parameter inside the function (`op(attempt)` in `withRetry`). */
  private readonly parameterCalls = new Map<string, ts.CallExpression[]>();
  /** `fn#index` of parameters used otherwise than called directly (stored, passed on, called from a nested function). */
  private readonly escapingParameters = new Set<string>();
  /**
   * Uses of names that some parameter has, in walk order: only the parameters that receive a callback
   * (known once every body is walked) are asked about, so the checker is not asked of every `x`.
   */
  private readonly parameterNameUses: { node: ts.Identifier; current: FunctionId; info: TsFileInfo }[] = [];
  /** Callbacks passed to project functions, resolved once every body has been walked. */
  private readonly callbacksToProjectFunctions: { site: CallSite; functions: FunctionId[]; index: number }[] = [];
  /** Names of project classes that declare a constructor: the cheap filter for `new X()`. */
  private readonly constructedClassNames = new Set<string>();
  private readonly asyncSiblingNames = new Set<string>();
  /** Wrapper calls being resolved, so `const a = wrap(b)` with `const b = wrap(a)` ends. */
  private readonly resolvingWrappers = new Set<ts.CallExpression>();
  /** Declarations being resolved to the functions they name, so `exports.a = b` with `exports.b = a` ends. */
  private readonly resolvingDeclarations = new Set<ts.Node>();
  /** Variables inside functions initialised with a call given a function: candidates for `registerLocalHolders`. */
  private readonly localHolders: ts.VariableDeclaration[] = [];
  private readonly wrappedArguments = new Map<ts.CallExpression, ts.Expression | undefined>();
  /** Wrapper calls whose wrapped argument is being found: their entry in `wrappedArguments` is a placeholder. */
  private readonly findingWrapped = new Set<ts.CallExpression>();
  /**
   * Pass 2 asks the targets of one callee several times (each rule, then the call graph). Answers
   * are kept once every function is declared, and only those computed from a standing start that met
   * no cycle guard: an answer cut short by a guard holds only inside the resolution that cut it.
   */
  private readonly callTargets = new Map<ts.Expression, FunctionId[]>();
  private keepCallTargets = false;
  private resolvingCallTargets = 0;
  private metCycleGuard = false;
  /** `export const load = traced(loadImpl)`: public names whose type changes when the wrapped function turns async. */
  private readonly exportedWrapperHolders: { holder: ts.VariableDeclaration; info: TsFileInfo }[] = [];
  private readonly isNode: boolean;

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
    private readonly root: string,
    transforms: readonly Transform[],
    rules: ReadonlySet<RuleId>,
    private readonly isPublicFile: (file: string) => boolean,
    private readonly configBlocking: readonly BlockingApiConfig[],
    /** Unsafe fixes are applied: a call an unsafe fix moves elsewhere no longer reaches its callee. */
    private readonly unsafeFixes = false,
  ) {
    this.families = new MethodFamilies({
      checker,
      functions: this.state.functions,
      idOf: (declaration) => this.idByDeclaration.get(declaration),
      functionsOfSymbol: (symbol) => this.functionsOfSymbol(symbol),
    });
    this.isNode = checker.getAmbientModules().some((module) => /^"(node:)?timers\/promises"$/.test(module.getName()));
    this.state.isNode = this.isNode;
    for (const transform of transforms) {
      if (!rules.has(transform.id) || !transform.typescript) continue;
      for (const [kind, visit] of Object.entries(transform.typescript)) {
        if (!visit) continue;
        const list = this.visitors.get(Number(kind)) ?? [];
        list.push({ transform, visit });
        this.visitors.set(Number(kind), list);
      }
    }
  }

  /** `progress` hears of each pass over the files, and of each file done. */
  analyze(absoluteFiles: readonly string[], progress?: Pick<Progress, 'phase' | 'advance'>): void {
    const sourceFiles: ts.SourceFile[] = [];
    for (const absolute of absoluteFiles) {
      const sourceFile = this.program.getSourceFile(absolute);
      if (sourceFile) sourceFiles.push(sourceFile);
    }
    // Pass 1: declare every function, so calls resolve across files whatever the order.
    progress?.phase('ts-index', sourceFiles.length);
    for (const sourceFile of sourceFiles) {
      attributeTo(sourceFile.fileName, () => this.declareFunctions(sourceFile));
      progress?.advance();
    }
    this.registerLocalHolders();
    this.markExistingSiblings();
    this.recordExportedWrappers();
    // Families before the walk: a rule asks which members a call may dispatch to.
    for (const { node, info } of this.familyLinks) attributeTo(info.absolute, () => this.unlessCheckerOverflows(node, info, () => this.families.record(node)));
    // Pass 2: sites and rules.
    progress?.phase('ts-analyse', sourceFiles.length);
    this.keepCallTargets = true;
    for (const sourceFile of sourceFiles) {
      attributeTo(sourceFile.fileName, () => this.walkFile(sourceFile));
      progress?.advance();
    }
    for (const sourceFile of sourceFiles) attributeTo(sourceFile.fileName, () => this.recordSpies(sourceFile));
    this.followCallbackParameters();
    for (const [rootId, members] of this.families.groups()) {
      if (members.length < 2) continue;
      const head = this.familyHead(members);
      const familyId = `family:${rootId}`;
      this.state.families.set(familyId, { id: familyId, name: this.state.functions.get(head)!.name, members });
      for (const member of members) this.state.functions.get(member)!.familyId = familyId;
    }
  }

  graph(): CallGraph {
    const { functions, sites, families } = this.state;
    return { functions, sites, families, ...(this.unresolvedCalls.length > 0 ? { unresolved: this.unresolvedCalls } : {}) };
  }

  /**
   * `vi.spyOn(store, 'load')`, `jest.spyOn(Store.prototype, 'load')`, `spyOn(mod, 'load')`: a test
   * that replaces a function by its name. Under dual, callers moved to the sibling bypass it.
   */
  private recordSpies(sourceFile: ts.SourceFile): void {
    if (!/\bspyOn\b/.test(sourceFile.text)) return;
    const info = this.state.files.get(sourceFile.fileName);
    if (!info) return;
    walkTree(sourceFile, (node) => {
      if (!ts.isCallExpression(node) || node.arguments.length < 2) return true;
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      const [owner, member] = node.arguments;
      if (name !== 'spyOn' || !owner || !member || !ts.isStringLiteralLike(member)) return true;
      const property = this.checker.getTypeAtLocation(owner).getProperty(member.text);
      const { line, column } = lineAndColumn(info.lineStarts, node.getStart(sourceFile));
      for (const id of this.functionsOfSymbol(property)) {
        const fn = this.state.functions.get(id);
        if (fn) (fn.patchedBy ??= []).push({ target: `${owner.getText(sourceFile)}.${member.text}`, location: { file: info.file, line, column } });
      }
      return true;
    });
  }

  /** The interface or abstract member names a family; otherwise its first declared member. */
  private familyHead(members: FunctionId[]): FunctionId {
    return members.find((id) => this.state.functions.get(id)!.kind === 'abstract-method') ?? members[0]!;
  }

  // ---- pass 1 ---------------------------------------------------------------------------------

  private declareFunctions(sourceFile: ts.SourceFile): void {
    const absolute = sourceFile.fileName;
    const file = toReportPath(this.root, absolute);
    const isCommonJs = this.isCommonJs(sourceFile);
    const info: TsFileInfo = {
      absolute,
      file,
      sourceFile,
      imports: indexImports(sourceFile),
      lineStarts: computeLineStarts(sourceFile.text),
      allowsTopLevelAwait: !isCommonJs && this.allowsTopLevelAwait(sourceFile),
      isCommonJs,
      moduleId: `${file}#module`,
      commonJsExports: commonJsExportedNames(sourceFile),
      exportListNames: exportListNames(sourceFile),
    };
    this.state.files.set(absolute, info);
    // `import load from './x.js'`, `{ read as load }`: calls through the local name must resolve too.
    for (const local of info.imports.keys()) this.functionNames.add(local);
    // `module.exports = { write: save }`, `exports.write = save`: callers elsewhere call `write`.
    for (const exported of commonJsExportedProperties(sourceFile)) this.functionNames.add(exported);
    for (const match of sourceFile.text.matchAll(/\b([A-Za-z_$][\w$]*)Async\b/g)) this.asyncSiblingNames.add(match[1]!);
    this.state.functions.set(info.moduleId, {
      id: info.moduleId,
      name: `<top level of ${file}>`,
      kind: 'module',
      location: { file, line: 1, column: 1 },
      isAsync: false,
      ...(info.allowsTopLevelAwait && awaitsAtTopLevel(sourceFile) ? { awaitsAtTopLevel: true } : {}),
      isExported: false,
      syncOnly: info.allowsTopLevelAwait
        ? undefined
        : {
            kind: 'top-level',
            reason: isCommonJs
              ? `top-level code of the CommonJS module ${file} cannot await`
              : `top-level await is not available for ${file} under this tsconfig's module setting`,
            suggestion: 'Move the top-level code into an `async function main()` and call it with `main().catch(…)`, or make the file an ES module.',
          },
    });
    walkTree(sourceFile, (node) => {
      if (MethodFamilies.mayLink(node)) this.familyLinks.push({ node, info });
      if (isFunctionLike(node)) this.declareFunction(node, info);
      else if (ts.isVariableDeclaration(node) && !isModuleLevelVariable(node) && ts.isIdentifier(node.name) && mayHoldWrappedFunction(node.initializer)) {
        this.localHolders.push(node); // decided once every function is declared
      } else if ((ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && ts.isIdentifier(node.name) && mayHoldWrappedFunction(node.initializer)) {
        this.functionNames.add(node.name.text); // `const load = memoize(loadImpl)`: calls of `load` may reach a project function
        if (ts.isVariableDeclaration(node) && this.isPublicFile(info.file) && isExportedVariable(node)) this.exportedWrapperHolders.push({ holder: node, info });
      }
    });
  }

  private isCommonJs(sourceFile: ts.SourceFile): boolean {
    const name = sourceFile.fileName;
    if (name.endsWith('.cjs') || name.endsWith('.cts')) return true;
    if (name.endsWith('.mjs') || name.endsWith('.mts')) return false;
    if (sourceFile.impliedNodeFormat !== undefined) return sourceFile.impliedNodeFormat === ts.ModuleKind.CommonJS;
    const module = this.program.getCompilerOptions().module;
    return module === undefined || module === ts.ModuleKind.CommonJS || module === ts.ModuleKind.UMD || module === ts.ModuleKind.AMD;
  }

  private allowsTopLevelAwait(sourceFile: ts.SourceFile): boolean {
    const options = this.program.getCompilerOptions();
    const module = options.module ?? ts.ModuleKind.CommonJS;
    const moduleOk =
      module === ts.ModuleKind.ES2022 ||
      module === ts.ModuleKind.ESNext ||
      module === ts.ModuleKind.System ||
      module === ts.ModuleKind.Node16 ||
      module === ts.ModuleKind.Node18 ||
      module === ts.ModuleKind.NodeNext ||
      module === ts.ModuleKind.Preserve;
    const targetOk = (options.target ?? ts.ScriptTarget.ES5) >= ts.ScriptTarget.ES2017;
    // Top-level await needs the file to be a module (an import or export), not a script.
    const isModule = sourceFile.statements.some(
      (statement) => ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement) || hasExportModifier(statement),
    );
    return moduleOk && targetOk && isModule;
  }

  private declareFunction(node: FunctionLike, info: TsFileInfo): void {
    const start = node.getStart(info.sourceFile);
    const id = `${info.file}#${start}`;
    const { line, column } = lineAndColumn(info.lineStarts, start);
    const name = this.functionName(node, info, line);
    const kind = functionKind(node);
    const fn: FunctionNode = {
      id,
      name,
      kind,
      location: { file: info.file, line, column },
      endLine: lineAndColumn(info.lineStarts, node.end).line,
      isAsync: hasModifier(node, ts.SyntaxKind.AsyncKeyword),
      isExported: this.isExported(node, info),
    };
    // Shown only for the functions a report lists: the text is cut from the source when first read.
    let signature: string | undefined;
    let asyncSignature: string | undefined;
    Object.defineProperty(fn, 'signature', { enumerable: true, get: () => (signature ??= signatureText(node, info.sourceFile)) });
    Object.defineProperty(fn, 'asyncSignature', { enumerable: true, get: () => (asyncSignature ??= asyncSignatureText(node, info.sourceFile)) });
    if (!fn.isAsync) {
      // Asked of the functions the plan touches only: inferring every function's result would cost a full check.
      let returnsPromise: boolean | undefined;
      Object.defineProperty(fn, 'returnsPromise', { enumerable: true, get: () => (returnsPromise ??= this.returnsGlobalPromise(node)) });
    }
    const syncOnly = syncOnlyReason(node, name);
    if (syncOnly) fn.syncOnly = syncOnly;
    const nameNode = declarationNameNode(node);
    if (!nameNode) fn.noSibling = 'it has no name to give an async sibling';
    else if (nameNode && !isObjectLiteralMember(siblingContainer(node)) && info.commonJsExports.get(nameNode.text)?.kind === 'module') fn.noSibling = 'it is the whole module.exports, which has no place for a sibling';
    // Under dual an async member of a family would need a sibling that awaits it; none is written here.
    else if (fn.isAsync && (ts.isMethodDeclaration(node) || ts.isMethodSignature(node))) fn.noSibling = 'it is async already, and no sibling that awaits it is written';
    this.state.functions.set(id, fn);
    this.state.declarations.set(id, node);
    this.idByDeclaration.set(node, id);
    const simpleName = name.split('.').pop();
    if (simpleName) this.functionNames.add(simpleName);
    if (hasModifier(node, ts.SyntaxKind.DefaultKeyword)) this.functionNames.add('default'); // `ns.default(…)`
    for (const parameter of node.parameters) if (ts.isIdentifier(parameter.name)) this.parameterNames.add(parameter.name.text);
    const holder = objectLiteralHolder(node);
    if (holder) {
      this.functionHolders.set(holder, [...(this.functionHolders.get(holder) ?? []), id]);
      this.functionHolderNames.add((holder.name as ts.Identifier).text);
    }
    if (ts.isConstructorDeclaration(node) && ts.isClassDeclaration(node.parent) && node.parent.name) this.constructedClassNames.add(node.parent.name.text);
  }

  /** The declared or inferred result is the global `Promise<T>`, the one type an async function may keep. */
  private returnsGlobalPromise(node: FunctionLike): boolean {
    try {
      const signature = this.checker.getSignatureFromDeclaration(node);
      const symbol = signature ? this.checker.getReturnTypeOfSignature(signature).getSymbol() : undefined;
      return symbol?.getName() === 'Promise' && (symbol.declarations ?? []).some((declaration) => /\/lib\.[\w.]*\.d\.ts$/.test(declaration.getSourceFile().fileName));
    } catch (error) {
      if (isStackOverflow(error)) return false;
      throw error;
    }
  }

  private functionName(node: FunctionLike, info: TsFileInfo, line: number): string {
    const owner = node.parent && (ts.isClassLike(node.parent) || ts.isInterfaceDeclaration(node.parent)) ? node.parent : undefined;
    const ownerName = owner?.name?.text ?? (owner ? '<anonymous class>' : undefined);
    if (ts.isConstructorDeclaration(node)) return `${ownerName}.constructor`;
    if (node.name && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name) || ts.isStringLiteral(node.name))) {
      if (ownerName) return `${ownerName}.${node.name.text}`;
      return ts.isObjectLiteralExpression(node.parent) ? `${objectOwnerPrefix(node.parent)}${node.name.text}` : node.name.text;
    }
    // A function expression or arrow takes the name of what it is assigned to.
    const parent = node.parent;
    if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    if (parent && ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) {
      const cls = parent.parent;
      return `${ts.isClassLike(cls) && cls.name ? cls.name.text : '<anonymous class>'}.${parent.name.text}`;
    }
    if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return `${objectOwnerPrefix(parent.parent)}${parent.name.text}`;
    if (parent && (ts.isCallExpression(parent) || ts.isNewExpression(parent))) {
      // `it.each(table)('…', (n) => …)` is named after `it.each`.
      const callee = ts.isCallExpression(parent.expression) ? parent.expression.expression : parent.expression;
      const api = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : 'call';
      return `<${api} callback>@${info.file}:${line}`;
    }
    return `<anonymous>@${info.file}:${line}`;
  }

  private isExported(node: FunctionLike, info: TsFileInfo): boolean {
    if (!this.isPublicFile(info.file)) return false;
    if (ts.isFunctionDeclaration(node)) {
      return hasExportModifier(node) || (node.name !== undefined && (info.commonJsExports.has(node.name.text) || info.exportListNames.has(node.name.text)));
    }
    const parent = node.parent;
    // A method (or function property) of an object literal held by an exported const is public.
    const literal = ts.isObjectLiteralExpression(parent) ? parent : ts.isPropertyAssignment(parent) ? parent.parent : undefined;
    if (literal && ts.isObjectLiteralExpression(literal) && ts.isVariableDeclaration(literal.parent)) {
      const statement = literal.parent.parent?.parent;
      return statement !== undefined && ts.isVariableStatement(statement) && hasExportModifier(statement);
    }
    if (ts.isMethodDeclaration(node) || ts.isMethodSignature(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
      const owner = node.parent;
      // `export type Tool = { capture(…): string }` is an interface by another name.
      const ownerExported =
        ((ts.isClassDeclaration(owner) || ts.isInterfaceDeclaration(owner)) && isExportedDeclaration(owner, info)) ||
        (ts.isTypeLiteralNode(owner) && ts.isTypeAliasDeclaration(owner.parent) && hasExportModifier(owner.parent));
      // Protected members are public to subclasses outside the project: they count.
      const isPrivate = hasModifier(node, ts.SyntaxKind.PrivateKeyword) || (node.name !== undefined && ts.isPrivateIdentifier(node.name));
      return ownerExported && !isPrivate;
    }
    if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isPropertyDeclaration(parent)) {
      const owner = parent.parent;
      const isPrivate = hasModifier(parent, ts.SyntaxKind.PrivateKeyword) || ts.isPrivateIdentifier(parent.name);
      return ts.isClassDeclaration(owner) && isExportedDeclaration(owner, info) && !isPrivate;
    }
    if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(parent)) {
      const statement = parent.parent?.parent;
      if (ts.isIdentifier(parent.name) && (info.commonJsExports.has(parent.name.text) || info.exportListNames.has(parent.name.text))) return true;
      return statement !== undefined && ts.isVariableStatement(statement) && hasExportModifier(statement);
    }
    return false;
  }

  private recordExportedWrappers(): void {
    for (const { holder, info } of this.exportedWrapperHolders) {
      const call = skipParentheses(holder.initializer!);
      const wrapped = ts.isCallExpression(call) ? this.wrappedArgument(call) : undefined;
      const signature = this.checker.getTypeAtLocation(holder.name).getCallSignatures()[0];
      if (!wrapped || !signature || !ts.isIdentifier(holder.name)) continue;
      const parameters = signature.getParameters().map((p) => `${p.getName()}: ${this.checker.typeToString(this.checker.getTypeOfSymbolAtLocation(p, holder))}`);
      const result = this.checker.typeToString(signature.getReturnType());
      const name = holder.name.text;
      const start = holder.getStart(info.sourceFile);
      const { line, column } = lineAndColumn(info.lineStarts, start);
      for (const id of this.functionsOfExpression(wrapped)) {
        const fn = this.state.functions.get(id)!;
        (fn.exportedAs ??= []).push({
          name,
          location: { file: info.file, line, column },
          signature: `const ${name}: (${parameters.join(', ')}) => ${result}`,
          asyncSignature: `const ${name}: (${parameters.join(', ')}) => ${/^Promise</.test(result) ? result : `Promise<${result}>`}`,
        });
      }
    }
  }

  /**
   * `const read = traced('read', readImpl)` inside a function: its calls are followed like those of a
   * module-level holder. Only a local given a function by name (one of the project's names) or
   * inline counts, so that common local names (`const data = parse(text)`) stay out of the name filter.
   */
  private registerLocalHolders(): void {
    for (const holder of this.localHolders) {
      const call = skipParentheses(holder.initializer!) as ts.CallExpression;
      const givesFunction = call.arguments.some((argument) => {
        const inner = skipParentheses(argument);
        const name = ts.isPropertyAccessExpression(inner) ? inner.name : inner;
        return ts.isArrowFunction(inner) || ts.isFunctionExpression(inner) || (ts.isIdentifier(name) && this.functionNames.has(name.text));
      });
      if (givesFunction) this.functionNames.add((holder.name as ts.Identifier).text);
    }
  }

  /** `load` beside a hand-written `async loadAsync`: the dual strategy uses that one. */
  private markExistingSiblings(): void {
    for (const [id, declaration] of this.state.declarations) {
      const fn = this.state.functions.get(id)!;
      if (fn.isAsync || fn.kind === 'module' || fn.kind === 'constructor') continue;
      const sibling = existingSibling(declaration);
      if (!sibling || !(fn.kind === 'abstract-method' || isAwaitableSibling(sibling))) continue;
      fn.asyncSibling = asyncSiblingName(fn.name.slice(fn.name.lastIndexOf('.') + 1));
    }
  }

  // ---- pass 2 ---------------------------------------------------------------------------------

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
          current = this.idByDeclaration.get(node) ?? current;
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
          this.recordCheckerOverflow(error, node, info);
        }
      }
    }
    // Most nodes are none of these: the kind test comes before the try and its bookkeeping.
    const kind = node.kind;
    if (kind !== KIND.CallExpression && kind !== KIND.NewExpression && kind !== KIND.Identifier && kind !== KIND.PropertyAccessExpression && kind !== KIND.ExportSpecifier) return;
    try {
      if (ts.isCallExpression(node)) this.recordCall(node, info, current);
      else if (ts.isNewExpression(node)) this.recordConstruction(node, info, current);
      else if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) this.recordReference(node, info, current);
      if (ts.isIdentifier(node) && this.parameterNames.has(node.text)) this.parameterNameUses.push({ node, current, info });
      if (ts.isIdentifier(node) && this.functionHolderNames.has(node.text)) this.recordHolderUse(node, info, current);
      if (ts.isExportSpecifier(node)) this.recordReexport(node);
    } catch (error) {
      this.recordCheckerOverflow(error, node, info);
    }
  }

  /**
   * Every checker question of the walk goes through here. On some deeply recursive types the
   * checker overflows its own stack (a RangeError, which tsc itself dies of): that node's question
   * is skipped and recorded, and the walk goes on with the rest of the file.
   */
  private unlessCheckerOverflows(node: ts.Node, info: TsFileInfo, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.recordCheckerOverflow(error, node, info);
    }
  }

  /** The catch of `unlessCheckerOverflows`, also inlined where closures per node would cost. */
  private recordCheckerOverflow(error: unknown, node: ts.Node, info: TsFileInfo): void {
    if (!isStackOverflow(error)) throw error;
    const { line } = lineAndColumn(info.lineStarts, node.getStart(info.sourceFile));
    this.state.uncheckedLines.push({ absolute: info.absolute, line });
  }

  private ruleContext(info: TsFileInfo, enclosing: () => FunctionId): TsRuleContext {
    return {
      ts,
      checker: this.checker,
      program: this.program,
      sourceFile: info.sourceFile,
      file: info.file,
      imports: info.imports,
      isNode: this.isNode,
      asyncSiblingNames: this.asyncSiblingNames,
      configBlocking: this.configBlocking,
      isThenable: (type, some) => this.isThenable(type, some),
      enclosingFunction: () => this.state.functions.get(enclosing())!,
      resolveCallee: (call) => this.resolveCallTargets(call.expression),
      dispatchLine: (callee) => this.families.dispatchLine(callee).map((id) => this.state.functions.get(id)!),
      functionOf: (id) => this.state.functions.get(id),
      report: ({ node, message, fixable, rule, replacesCall, ...hit }) => {
        // An unsafe fix left unapplied leaves the call where it was.
        if (replacesCall && (hit.applicability !== 'unsafe' || this.unsafeFixes)) this.replacedCalls.add(node);
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

  /** Project functions a callee expression can reach: cheap name filter first, then the checker. */
  resolveCallTargets(callee: ts.Expression): FunctionId[] {
    const standingStart =
      this.keepCallTargets && this.resolvingCallTargets === 0 && this.resolvingDeclarations.size === 0 && this.resolvingWrappers.size === 0 && this.findingWrapped.size === 0;
    if (!standingStart) return this.computeCallTargets(callee);
    const kept = this.callTargets.get(callee);
    if (kept) return [...kept];
    this.metCycleGuard = false;
    this.resolvingCallTargets++;
    let targets: FunctionId[];
    try {
      targets = this.computeCallTargets(callee);
    } finally {
      this.resolvingCallTargets--;
    }
    if (!this.metCycleGuard) this.callTargets.set(callee, [...targets]);
    return targets;
  }

  private computeCallTargets(callee: ts.Expression): FunctionId[] {
    // An IIFE `(() => { … })()` calls the function it holds: its caller must await it, or block it.
    const called = skipParentheses(callee);
    if (ts.isArrowFunction(called) || ts.isFunctionExpression(called)) return this.functionsOfExpression(called);
    // `require('./load')(file)`: the module's `module.exports = load`.
    const required = requiredModuleSymbol(called, this.checker);
    if (required) return this.functionsOfSymbol(required.exports?.get(ts.InternalSymbolName.ExportEquals));
    const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
    if (!nameNode || !this.functionNames.has(nameNode.text)) return [];
    return this.functionsOfSymbol(this.checker.getSymbolAtLocation(nameNode));
  }

  private functionsOfSymbol(symbol: ts.Symbol | undefined): FunctionId[] {
    if (!symbol) return [];
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    const ids: FunctionId[] = [];
    const add = (found: readonly FunctionId[]): void => {
      for (const id of found) if (!ids.includes(id)) ids.push(id);
    };
    for (const declaration of symbol.declarations ?? []) {
      let target: ts.Node = declaration;
      // `module.exports = { load }`: the property stands for the local `load`.
      if (ts.isShorthandPropertyAssignment(declaration)) {
        if (this.resolvingDeclarations.has(declaration)) {
          this.metCycleGuard = true;
          continue;
        }
        this.resolvingDeclarations.add(declaration);
        add(this.functionsOfSymbol(this.checker.getShorthandAssignmentValueSymbol(declaration)));
        this.resolvingDeclarations.delete(declaration);
        continue;
      }
      const value = boundValue(declaration);
      // `{ write: save }`, `exports.write = save`, `module.exports.write = save` (JS assignment declarations): the function named.
      if (value && !ts.isVariableDeclaration(declaration) && (ts.isIdentifier(value) || ts.isPropertyAccessExpression(value))) {
        if (this.resolvingDeclarations.has(declaration)) {
          this.metCycleGuard = true;
          continue;
        }
        this.resolvingDeclarations.add(declaration);
        add(this.functionsOfSymbol(this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(value) ? value.name : value)));
        this.resolvingDeclarations.delete(declaration);
        continue;
      }
      // `const f = () => …`, class fields `f = () => …`, `{ f: () => … }` and `exports.f = () => …` call the function they hold.
      if (value) {
        target = value;
        // `const load = traced(loadImpl)`: a wrapper returning the same function type calls the function it wraps.
        if (ts.isCallExpression(target) && this.resolvingWrappers.has(target)) this.metCycleGuard = true;
        if (ts.isCallExpression(target) && !this.resolvingWrappers.has(target)) {
          const wrapped = this.wrappedArgument(target);
          if (wrapped) {
            this.resolvingWrappers.add(target);
            add(this.functionsOfExpression(wrapped));
            this.resolvingWrappers.delete(target);
          }
          continue;
        }
      }
      // Overload signatures share the implementation's id.
      if ((ts.isFunctionDeclaration(target) || ts.isMethodDeclaration(target)) && !target.body && !isAbstract(target)) {
        const implementation = symbol.declarations?.find((d) => (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) && d.body);
        if (implementation) target = implementation;
      }
      const id = this.idByDeclaration.get(target);
      if (id && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  private functionsOfExpression(expression: ts.Expression): FunctionId[] {
    if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) {
      const id = this.idByDeclaration.get(expression);
      return id ? [id] : [];
    }
    return ts.isIdentifier(expression) || ts.isPropertyAccessExpression(expression) ? this.resolveCallTargets(expression) : [];
  }

  /**
   * The function argument a call wraps and hands back with the same type (`memoize(loadImpl)`,
   * `traced('x', fn)`, a project `wrap<T>(fn: T): T`): calling the result calls that function.
   */
  private wrappedArgument(call: ts.CallExpression): ts.Expression | undefined {
    if (this.findingWrapped.has(call)) this.metCycleGuard = true;
    if (!this.wrappedArguments.has(call)) {
      this.findingWrapped.add(call);
      try {
        this.wrappedArguments.set(call, this.findWrappedArgument(call));
      } finally {
        this.findingWrapped.delete(call);
      }
    }
    return this.wrappedArguments.get(call);
  }

  private findWrappedArgument(call: ts.CallExpression): ts.Expression | undefined {
    this.wrappedArguments.set(call, undefined); // a wrapper whose callee is held through itself ends here
    const results = this.checker.getTypeAtLocation(call).getCallSignatures();
    if (results.length !== 1) return this.untypedWrappedArgument(call);
    const result = results[0]!;
    for (const argument of call.arguments) {
      const inner = skipParentheses(argument);
      if (!(ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isArrowFunction(inner) || ts.isFunctionExpression(inner))) continue;
      const signatures = this.checker.getTypeAtLocation(inner).getCallSignatures();
      if (signatures.length !== 1) continue;
      const signature = signatures[0]!;
      const sameShape =
        signature.getParameters().length === result.getParameters().length &&
        this.checker.typeToString(signature.getReturnType()) === this.checker.typeToString(result.getReturnType());
      if (sameShape) return inner;
    }
    return this.untypedWrappedArgument(call);
  }

  /**
   * A wrapper whose types do not say it hands back the same function (`any`, an untyped JavaScript
   * module): a caching library wrapper (lodash's `memoize`, `once`, `mem`, …), which returns what the
   * function returned, or a project function whose body provably returns a function returning the
   * call of its argument. An unknown wrapper is not followed (see `heldWrapperFunctions`).
   */
  private untypedWrappedArgument(call: ts.CallExpression): ts.Expression | undefined {
    const info = this.state.files.get(call.getSourceFile().fileName);
    const library = info ? libraryWrapperOf(call, info.imports) : undefined;
    if (library) return library.kind === 'caching' && call.arguments[0] && isFunctionValue(call.arguments[0]) ? skipParentheses(call.arguments[0]) : undefined;
    const [wrapper, ...others] = this.resolveCallTargets(call.expression);
    const declaration = wrapper && others.length === 0 ? this.state.declarations.get(wrapper) : undefined;
    if (!declaration) return undefined;
    const index = call.arguments.findIndex((argument, at) => isFunctionValue(argument) && passesResultThrough(declaration, at, this.checker));
    return index >= 0 ? skipParentheses(call.arguments[index]!) : undefined;
  }

  /**
   * `const cached = wrap(load)` where `wrap` is not known to hand back `load` (`isOpaqueWrapperCall`),
   * or is p-memoize: the project functions it is given, for the calls of `cached`. Those calls may run
   * them, so they count for reachability, but no `await` is added through them: the wrapped function
   * is blocked at an opaque wrapper (`opaqueWrapperCallback`), and p-memoize's calls return a promise already.
   */
  private heldWrapperFunctions(callee: ts.Expression): { functions: FunctionId[]; promiseWrapper?: string } {
    const called = skipParentheses(callee);
    const required = requiredModuleSymbol(called, this.checker);
    const nameNode = ts.isPropertyAccessExpression(called) ? called.name : ts.isIdentifier(called) ? called : undefined;
    if (!required && (!nameNode || !this.functionNames.has(nameNode.text))) return { functions: [] };
    let symbol = required ? required.exports?.get(ts.InternalSymbolName.ExportEquals) : this.checker.getSymbolAtLocation(nameNode!);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    const functions: FunctionId[] = [];
    let promiseWrapper: string | undefined;
    for (const declaration of symbol?.declarations ?? []) {
      const value = boundValue(declaration);
      if (!value || !ts.isCallExpression(value)) continue;
      const info = this.state.files.get(value.getSourceFile().fileName);
      const library = info ? libraryWrapperOf(value, info.imports) : undefined;
      if (library?.kind === 'promise') promiseWrapper = library.name;
      else if (!this.isOpaqueWrapperCall(value)) continue;
      for (const argument of value.arguments) if (isFunctionValue(argument)) functions.push(...this.functionsOfExpression(skipParentheses(argument)));
    }
    return { functions: [...new Set(functions)], ...(promiseWrapper ? { promiseWrapper } : {}) };
  }

  /**
   * A call that hands back a function (or `any`) made from the functions it is given, not known to
   * return what they return, and whose parameter types do not accept a promise-returning function
   * either: an untyped wrapper (`any`, an untyped JavaScript module), or one that changes the result
   * (`debounce`).
   */
  private isOpaqueWrapperCall(call: ts.CallExpression): boolean {
    const result = this.checker.getTypeAtLocation(call);
    if (!(result.flags & ts.TypeFlags.Any) && result.getCallSignatures().length === 0) return false;
    if (this.wrappedArgument(call)) return false;
    const info = this.state.files.get(call.getSourceFile().fileName);
    if (info && libraryWrapperOf(call, info.imports)) return false;
    const calleeName = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : call.expression.getText();
    return call.arguments.some((argument, index) => isFunctionValue(argument) && this.declaredCallbackRewrite(call, index, calleeName).rewrite === 'none');
  }

  private newSite(site: Omit<CallSite, 'id' | 'location'>, node: ts.Node, info: TsFileInfo): CallSite {
    const start = node.getStart(info.sourceFile);
    const { line, column } = lineAndColumn(info.lineStarts, start);
    const full: CallSite = { ...site, id: `site${this.siteCounter++}`, location: { file: info.file, line, column } };
    this.state.sites.push(full);
    this.state.siteNodes.set(full.id, node);
    return full;
  }

  private recordCall(call: ts.CallExpression, info: TsFileInfo, caller: FunctionId): void {
    const targets = this.resolveCallTargets(call.expression);
    if (targets.length === 0) {
      // Through a wrapper not followed the call may run the wrapped function: reached, never awaited.
      const { functions, promiseWrapper } = this.heldWrapperFunctions(call.expression);
      for (const callee of functions) {
        // p-memoize awaits the wrapped function itself: a callback it accepts async; an opaque wrapper's function is blocked where it is wrapped.
        if (promiseWrapper) this.newSite({ caller, callee, kind: 'callback', isAwaited: false, callback: { api: promiseWrapper, rewrite: 'accepts-async', wrapper: true } }, call, info);
        else this.newSite({ caller, callee, kind: 'call', isAwaited: isAwaited(call) }, call, info);
      }
      if (!this.recordUnresolvedImportCall(call, info, caller)) this.recordUntypedReceiverCall(call, info, caller);
    }
    const callGroup = targets.length > 1 ? `${info.file}#${call.getStart(info.sourceFile)}` : undefined;
    for (const callee of targets) {
      const site: Omit<CallSite, 'id' | 'location'> = { caller, callee, kind: 'call', isAwaited: isAwaited(call) };
      if (callGroup) site.callGroup = callGroup;
      if (this.replacedCalls.has(call)) site.replacedByFix = true;
      if (caller === info.moduleId && !info.allowsTopLevelAwait && ts.isExpressionStatement(call.parent)) site.entryCall = true;
      const blockedPosition = positionWithoutAwait(call, info.sourceFile);
      if (blockedPosition) site.cannotAwait = { reason: blockedPosition };
      this.newSite(site, call, info);
    }
    this.recordCallbackArguments(call, info, caller);
  }

  /**
   * A call through an import whose module does not resolve (a workspace package or a dependency that
   * is not installed), or through a project module (an import, a `require`) to a member the checker
   * cannot find (`Object.assign(module.exports, …)`, `module.exports = build()`): it cannot say what
   * it calls, so the engine lists it when its name is that of a function turning async, rather than
   * leave it unawaited silently.
   */
  private recordUnresolvedImportCall(call: ts.CallExpression, info: TsFileInfo, caller: FunctionId): boolean {
    const callee = call.expression;
    const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name : undefined;
    if (!name) return false;
    let root: ts.Expression = callee;
    while (ts.isPropertyAccessExpression(root)) root = root.expression;
    const required = requiredModuleSymbol(root, this.checker);
    if (required) {
      if (root === callee || this.checker.getSymbolAtLocation(name) || !this.isProjectModule(required)) return false;
    } else {
      if (!ts.isIdentifier(root)) return false;
      const symbol = this.checker.getSymbolAtLocation(root);
      if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return false;
      const aliased = this.checker.getAliasedSymbol(symbol);
      const unresolvedModule = (aliased.declarations ?? []).length === 0;
      const unknownMember = root !== callee && this.isProjectModule(aliased) && !this.checker.getSymbolAtLocation(name);
      if (!unresolvedModule && !unknownMember) return false;
    }
    // `import { loadSettings as load }`: `load()` calls what the module exports as `loadSettings`.
    const imported = name === callee ? info.imports.get(name.text)?.name : undefined;
    const calledName = imported && imported !== '*' && imported !== 'default' ? imported : name.text;
    this.pushUnresolved(call, calledName, info, caller);
    return true;
  }

  /**
   * `cache.isDirectory(p)` on a receiver typed `any` (an untyped parameter, a JavaScript value, a
   * `JSON.parse` result): the checker cannot say which method runs. When a project method of that
   * name turns async the call may return a promise, which a condition would take as always true, so
   * it is listed for a person to check (never awaited on a guess).
   */
  private recordUntypedReceiverCall(call: ts.CallExpression, info: TsFileInfo, caller: FunctionId): void {
    const callee = skipParentheses(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name) || !this.functionNames.has(callee.name.text)) return;
    const receiver = this.checker.getTypeAtLocation(callee.expression);
    if (!(receiver.flags & ts.TypeFlags.Any) || this.comesFromLibrary(callee.expression)) return;
    this.pushUnresolved(call, callee.name.text, info, caller);
  }

  /**
   * `statSync(p).isDirectory()` with the package's types missing: the value is made by an import
   * from outside the project (or one that does not resolve), so it holds no project object.
   */
  private comesFromLibrary(expression: ts.Expression): boolean {
    let root = expression;
    for (;;) {
      if (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isCallExpression(root)) root = root.expression;
      else if (ts.isParenthesizedExpression(root) || ts.isNonNullExpression(root) || ts.isAsExpression(root)) root = root.expression;
      else break;
    }
    if (!ts.isIdentifier(root)) return false;
    if (requiredModuleSymbol(expression, this.checker)) return false;
    if (root.text === 'require') return true;
    const symbol = this.checker.getSymbolAtLocation(root);
    if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return false;
    const declarations = this.checker.getAliasedSymbol(symbol).declarations ?? [];
    return declarations.length === 0 || declarations.some((declaration) => !this.state.files.has(declaration.getSourceFile().fileName));
  }

  private pushUnresolved(call: ts.CallExpression, name: string, info: TsFileInfo, caller: FunctionId): void {
    const { line, column } = lineAndColumn(info.lineStarts, call.getStart(info.sourceFile));
    this.unresolvedCalls.push({ caller, name, text: shorten(call.expression.getText(info.sourceFile)), location: { file: info.file, line, column } });
  }

  /** A module (or a module's `module.exports` value) declared by a file of this analysis. */
  private isProjectModule(symbol: ts.Symbol): boolean {
    return (symbol.declarations ?? []).some((declaration) => this.state.files.has(declaration.getSourceFile().fileName));
  }

  /** Functions passed as arguments (to a call, or to `new X(…)` such as a Promise executor) are callback sites. */
  private recordCallbackArguments(call: ts.CallExpression | ts.NewExpression, info: TsFileInfo, caller: FunctionId): void {
    (call.arguments ?? []).forEach((argument, index) => {
      const inner = skipParentheses(argument);
      let callees: FunctionId[] = [];
      if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) {
        const id = this.idByDeclaration.get(inner);
        if (id) callees = [id];
      } else if (ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner)) {
        callees = this.resolveCallTargets(inner);
      }
      if (callees.length === 0) return;
      const callback = this.callbackRewrite(call, index);
      const receivers = ts.isCallExpression(call) ? this.resolveCallTargets(call.expression) : [];
      for (const callee of callees) {
        // A function written inline is named after the call already (`<on callback>@file:line`); one passed by name is quoted with its call.
        const text = ts.isArrowFunction(inner) || ts.isFunctionExpression(inner) ? undefined : shorten(call.getText(info.sourceFile));
        const site = this.newSite({ caller, callee, kind: 'callback', isAwaited: false, callback, ...(text ? { text } : {}) }, inner, info);
        if (receivers.length > 0) this.callbacksToProjectFunctions.push({ site, functions: receivers, index });
      }
    });
  }

  /** A use of a name that may be a parameter of the function it sits in (or of one around it). */
  private recordParameterUse(node: ts.Identifier, current: FunctionId): void {
    const parent = node.parent;
    if (ts.isParameter(parent) && parent.name === node) return;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    const declaration = this.checker.getSymbolAtLocation(node)?.valueDeclaration;
    if (!declaration || !ts.isParameter(declaration) || !isFunctionLike(declaration.parent)) return;
    const owner = this.idByDeclaration.get(declaration.parent);
    if (!owner) return;
    const key = `${owner}#${declaration.parent.parameters.indexOf(declaration)}`;
    if (owner === current && ts.isCallExpression(parent) && parent.expression === node) {
      const calls = this.parameterCalls.get(key) ?? [];
      calls.push(parent);
      this.parameterCalls.set(key, calls);
    } else {
      this.escapingParameters.add(key);
    }
  }

  /**
   * A callback given to a project function that calls it (`withRetry(3, (n) => …)` calling
   * `op(attempt)`): the function is the callback's caller there, so when the callback turns async
   * those calls are awaited and a `try`/`catch` around them still catches. Allowed only where the
   * parameter's declared result can be a promise (a type parameter, `void`, `any`, a promise).
   */
  private followCallbackParameters(): void {
    const followed = new Set<string>();
    for (const { site, functions, index } of this.callbacksToProjectFunctions) {
      if (site.callback?.wrapper) continue;
      for (const receiver of functions) {
        const name = this.state.declarations.get(receiver)?.parameters[index]?.name;
        if (name && ts.isIdentifier(name)) followed.add(name.text);
      }
    }
    for (const { node, current, info } of this.parameterNameUses) {
      if (followed.has(node.text)) attributeTo(info.absolute, () => this.unlessCheckerOverflows(node, info, () => this.recordParameterUse(node, current)));
    }
    for (const { site, functions, index } of this.callbacksToProjectFunctions) {
      if (site.callback?.wrapper) continue; // its calls are the wrapper's calls, followed where it is held
      for (const receiver of functions) {
        const declaration = this.state.declarations.get(receiver);
        const parameter = declaration?.parameters[index];
        const key = `${receiver}#${index}`;
        const calls = this.parameterCalls.get(key);
        if (!declaration || !parameter || !calls || this.escapingParameters.has(key) || !acceptsPromiseResult(parameter, declaration)) {
          // A project function that keeps or uses the callback's result some other way: not ours to change.
          site.callback = { api: this.state.functions.get(receiver)?.name ?? site.callback?.api ?? 'call', rewrite: 'none' };
          continue;
        }
        site.callback = { api: site.callback?.api ?? this.state.functions.get(receiver)!.name, rewrite: 'accepts-async' };
        const info = this.state.files.get(declaration.getSourceFile().fileName)!;
        for (const call of calls) this.newSite({ caller: receiver, callee: site.callee, kind: 'call', isAwaited: isAwaited(call) }, call, info);
      }
    }
  }

  private recordReexport(specifier: ts.ExportSpecifier): void {
    const exported = specifier.propertyName ?? specifier.name;
    if (!ts.isIdentifier(exported) || !this.functionNames.has(exported.text)) return;
    let functions = this.functionsOfSymbol(this.checker.getSymbolAtLocation(exported));
    // A local export list (`export { load }`) names the sibling only when it is declared here too:
    // a name imported from elsewhere has its sibling in that module, not in this one.
    if (specifier.parent.parent.moduleSpecifier === undefined) {
      const here = specifier.getSourceFile();
      functions = functions.filter((id) => this.state.declarations.get(id)?.getSourceFile() === here);
    }
    if (functions.length > 0) this.state.reexports.push({ specifier, functions });
  }

  /** `new X()` runs X's constructor: a call that can never be awaited, for reachability and blocks. */
  private recordConstruction(expression: ts.NewExpression, info: TsFileInfo, caller: FunctionId): void {
    this.recordCallbackArguments(expression, info, caller);
    if (!ts.isIdentifier(expression.expression) || !this.constructedClassNames.has(expression.expression.text)) return;
    let symbol = this.checker.getSymbolAtLocation(expression.expression);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.find(ts.isClassDeclaration);
    const constructor = declaration?.members.find((member): member is ts.ConstructorDeclaration => ts.isConstructorDeclaration(member) && member.body !== undefined);
    const callee = constructor ? this.idByDeclaration.get(constructor) : undefined;
    if (callee) this.newSite({ caller, callee, kind: 'call', isAwaited: false }, expression, info);
  }

  /** What can be done when a callback passed here turns async. */
  private callbackRewrite(call: ts.CallExpression | ts.NewExpression, index: number): NonNullable<CallSite['callback']> {
    const callee = call.expression;
    const methodName = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '<call>';
    const runner = ts.isCallExpression(call) ? testRunnerCallback(call, skipParentheses(call.arguments[index]!), this.checker) : undefined;
    if (runner) return runner;
    if (ts.isCallExpression(call) && isFollowedHolder(call)) {
      const library = libraryWrapperOf(call, this.state.files.get(call.getSourceFile().fileName)!.imports);
      // p-memoize's function returns a promise whatever the wrapped one returns: its callers already wait.
      if (library?.kind === 'promise') return { api: library.name, rewrite: 'accepts-async', wrapper: true };
      if (this.wrappedArgument(call) === skipParentheses(call.arguments[index]!)) return wrapperCallback(library?.name ?? methodName);
      if (this.isOpaqueWrapperCall(call)) return opaqueWrapperCallback(methodName, call.arguments[index]!.getText(), this.declaredCallbackRewrite(call, index, methodName));
    }
    if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(callee) && index === 0) {
      const receiver = this.checker.getTypeAtLocation(callee.expression);
      if (this.checker.isArrayType(receiver) || this.checker.isTupleType(receiver) || isReadonlyArray(receiver)) {
        const api = `Array.${methodName}`;
        const rewrite = ARRAY_CALLBACK_REWRITES[methodName];
        if (rewrite === 'for-of' && ts.isExpressionStatement(call.parent) && canBecomeLoopBody(call.arguments[0]!, 1)) return { api, rewrite };
        if (rewrite === 'promise-all') return { api, rewrite };
        return { api, rewrite: 'none' };
      }
      // Set and Map iterate in order too: their forEach becomes a loop (Map yields [key, value]).
      const collection = receiver.getSymbol()?.getName();
      if (collection === 'Set' || collection === 'ReadonlySet' || collection === 'Map' || collection === 'ReadonlyMap') {
        const api = `${collection.replace('Readonly', '')}.${methodName}`;
        const isLoop = methodName === 'forEach' && ts.isExpressionStatement(call.parent) && canBecomeLoopBody(call.arguments[0]!, api.startsWith('Map') ? 2 : 1);
        return { api, rewrite: isLoop ? 'for-of' : 'none' };
      }
    }
    return this.declaredCallbackRewrite(call, index, methodName);
  }

  /**
   * Elsewhere, the declared parameter type decides: a callback whose result may be a promise may
   * turn async. One declared `void` is called and forgotten (an event listener): turning it async
   * would let what follows run before it ends, so it stays sync, like one whose result is used.
   */
  private declaredCallbackRewrite(call: ts.CallExpression | ts.NewExpression, index: number, methodName: string): NonNullable<CallSite['callback']> {
    const signature = this.checker.getResolvedSignature(call);
    const parameter = signature?.getParameters()[Math.min(index, (signature?.getParameters().length ?? 1) - 1)];
    if (!parameter) {
      // `lib.register(fn)` on an `any` (an untyped library): nothing says what it does with the callback.
      const callee = this.checker.getTypeAtLocation(call.expression);
      return { api: methodName, rewrite: 'none', ...(callee.flags & ts.TypeFlags.Any ? { receiverUnknown: true } : {}) };
    }
    const parameterType = this.checker.getTypeOfSymbolAtLocation(parameter, call);
    const returnTypes = parameterType.getCallSignatures().map((s) => s.getReturnType());
    const acceptsAsync =
      returnTypes.length > 0 &&
      returnTypes.every((type) => type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) || this.isThenable(type, true));
    const forgetsResult = returnTypes.length > 0 && returnTypes.every((type) => type.flags & ts.TypeFlags.Void);
    return { api: methodName, rewrite: acceptsAsync ? 'accepts-async' : 'none', ...(forgetsResult ? { ignoresResult: true } : {}) };
  }

  /** Whether a type is (or, when `some`, may be) a thenable. */
  isThenable(type: ts.Type, some = false): boolean {
    if (type.isUnion() && !some) return type.types.every((t) => isThenableType(this.checker, t));
    return isThenableType(this.checker, type);
  }

  private recordReference(node: ts.Identifier | ts.PropertyAccessExpression, info: TsFileInfo, caller: FunctionId): void {
    const nameNode = ts.isPropertyAccessExpression(node) ? node.name : node;
    if (!ts.isIdentifier(nameNode) || !this.functionNames.has(nameNode.text)) return;
    const parent = node.parent;
    // Reading a getter (writing a setter) calls it.
    if (ts.isPropertyAccessExpression(node) && !(ts.isCallExpression(parent) && parent.expression === node)) {
      const accessors = this.resolveCallTargets(node).filter((id) => {
        const kind = this.state.functions.get(id)?.kind;
        return kind === 'getter' || kind === 'setter';
      });
      if (accessors.length > 0) {
        const isWrite = ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
        for (const callee of accessors) {
          if ((this.state.functions.get(callee)!.kind === 'setter') !== isWrite) continue;
          this.newSite({ caller, callee, kind: 'call', isAwaited: false }, node, info);
        }
        return;
      }
    }
    // Calls, arguments and declarations are handled elsewhere; the name part of `a.b` by its access.
    if (ts.isIdentifier(node) && ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    if (ts.isCallExpression(parent) && (parent.expression === node || parent.arguments.includes(node as ts.Expression))) return;
    if (ts.isParenthesizedExpression(parent)) return;
    if (isDeclarationName(node) || ts.isTypeQueryNode(parent) || ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent)) return;
    if (ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent) || ts.isExpressionWithTypeArguments(parent)) return;
    if (ts.isShorthandPropertyAssignment(parent) && parent.name === node) {
      if (ts.isObjectLiteralExpression(parent.parent) && isModuleExportsObject(parent.parent)) return;
      // `{ color, size }` stores the functions themselves: a reference, like `{ color: color }`.
      for (const callee of this.functionsOfSymbol(this.checker.getShorthandAssignmentValueSymbol(parent))) {
        if (callee !== caller) this.newSite({ caller, callee, kind: 'reference', isAwaited: false, text: valueUseText(node, info.sourceFile) }, node, info);
      }
      return;
    }
    // `a.b.bind(this)` / `obj.method.call(...)` still reference the function.
    const callees = this.resolveCallTargets(node);
    if (callees.length === 0) return;
    if (ts.isExportAssignment(parent) || isCommonJsExportValue(node)) return;
    for (const callee of callees) {
      if (callee === caller) continue;
      this.newSite({ caller, callee, kind: 'reference', isAwaited: false, text: valueUseText(node, info.sourceFile) }, node, info);
    }
  }

  /**
   * The object holding functions used as a whole (`const { [key]: f } = map`, `lookup(map)`,
   * `map[key]`): what calls its functions there is not known, so each is used as a value.
   * `map.load(…)` and `map.load` are calls and references of `load`, recorded by name.
   */
  private recordHolderUse(node: ts.Identifier, info: TsFileInfo, caller: FunctionId): void {
    const parent = node.parent;
    if (isDeclarationName(node) || ts.isTypeQueryNode(parent)) return;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === node) return;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    const symbol = this.checker.getSymbolAtLocation(node);
    const declaration = symbol?.valueDeclaration;
    const members = declaration && ts.isVariableDeclaration(declaration) ? this.functionHolders.get(declaration) : undefined;
    for (const callee of members ?? []) if (callee !== caller) this.newSite({ caller, callee, kind: 'reference', isAwaited: false, text: valueUseText(node, info.sourceFile) }, node, info);
  }
}

// ---- syntax helpers -------------------------------------------------------------------------------

/**
 * The expression that uses a function as a value, for the refusal to quote: the reference with what
 * holds it (`[load, save]`, `{ onLoad: load }`, `load.call(this)`, `ok ? load : save`), a few levels up.
 */
function valueUseText(node: ts.Node, sourceFile: ts.SourceFile): string {
  let use = node;
  for (let level = 0; level < 3; level++) {
    const parent = use.parent;
    if (!parent) break;
    const holds =
      ts.isArrayLiteralExpression(parent) ||
      ts.isObjectLiteralExpression(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isShorthandPropertyAssignment(parent) ||
      ts.isSpreadElement(parent) ||
      ts.isParenthesizedExpression(parent) ||
      ts.isConditionalExpression(parent) ||
      ts.isBinaryExpression(parent) ||
      ts.isAsExpression(parent) ||
      // `load.call(this)`, `load.bind(this)`: the reference itself, not a literal holding it.
      (ts.isPropertyAccessExpression(parent) && parent.expression === use && use === node) ||
      (ts.isCallExpression(parent) && parent.expression === use && ts.isPropertyAccessExpression(use) && use.expression === node);
    if (!holds) break;
    use = parent;
  }
  return shorten(use.getText(sourceFile));
}

/** `memoize(loadImpl)`, `traced('x', (n) => …)`: an initializer that may wrap a function. */
function mayHoldWrappedFunction(initializer: ts.Expression | undefined): boolean {
  const call = initializer && skipParentheses(initializer);
  return call !== undefined && ts.isCallExpression(call) && call.arguments.some(isFunctionValue);
}

/** `save` in `exports.save = save` or `module.exports = { write: save }`: exporting it, not using it as a value. */
function isCommonJsExportValue(node: ts.Node): boolean {
  const parent = node.parent;
  const isExportsTarget = (left: ts.Expression): boolean => /^(module\.exports|(module\.)?exports\.[\w$]+)$/.test(left.getText());
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    if (parent.right === node) return isExportsTarget(parent.left);
    if (parent.left === node) return ts.isPropertyAccessExpression(node) && isExportsTarget(node); // the `exports.save` being assigned
  }
  if (ts.isPropertyAssignment(parent) && parent.initializer === node && ts.isObjectLiteralExpression(parent.parent)) return isModuleExportsObject(parent.parent);
  return false;
}

/** `export { load, save as store }` (without `from`): the local names exported, not type-only ones. */
function exportListNames(sourceFile: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of sourceFile.statements) {
    if (!ts.isExportDeclaration(statement) || statement.moduleSpecifier || statement.isTypeOnly) continue;
    if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) {
      const local = element.propertyName ?? element.name;
      if (!element.isTypeOnly && ts.isIdentifier(local)) names.add(local.text);
    }
  }
  return names;
}

/** `module.exports = { load, save: store }`, `module.exports = load`, `exports.load = load`: the local names exported. */
function commonJsExportedNames(sourceFile: ts.SourceFile): Map<string, CommonJsExport> {
  const names = new Map<string, CommonJsExport>();
  for (const { statement, left, target, value } of commonJsExportAssignments(sourceFile)) {
    const isModuleExports = target === 'module.exports';
    if (ts.isIdentifier(value)) names.set(value.text, isModuleExports ? { kind: 'module' } : { kind: 'assignment', exportedAs: left.name.text, node: statement, target });
    else if (isModuleExports && ts.isObjectLiteralExpression(value)) {
      for (const property of value.properties) {
        if (ts.isShorthandPropertyAssignment(property)) names.set(property.name.text, { kind: 'property', exportedAs: property.name.text, node: property });
        else if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.initializer) && ts.isIdentifier(property.name)) {
          names.set(property.initializer.text, { kind: 'property', exportedAs: property.name.text, node: property });
        }
      }
    }
  }
  return names;
}

/** The module symbol of a `require('./x')` call in JavaScript (one the checker resolved). */
function requiredModuleSymbol(expression: ts.Expression, checker: ts.TypeChecker): ts.Symbol | undefined {
  if (!requiredModule(expression) || !(expression.flags & ts.NodeFlags.JavaScriptFile)) return undefined;
  const symbol = checker.getSymbolAtLocation((expression as ts.CallExpression).arguments[0]!);
  return symbol && symbol.flags & ts.SymbolFlags.ValueModule ? symbol : undefined;
}

/**
 * The expression a declaration binds its name to: an initializer (`const f = …`, a class field, a
 * property `f: …`), or in JavaScript the value of an assignment declaration (`exports.f = …`,
 * `module.exports.f = …`, `module.exports = …`), whose declaration is the assignment or its target.
 */
function boundValue(declaration: ts.Declaration): ts.Expression | undefined {
  if (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration)) {
    return declaration.initializer && skipParentheses(declaration.initializer);
  }
  const parent = declaration.parent as ts.Node | undefined; // a module's declaration is its SourceFile
  const assignment = ts.isBinaryExpression(declaration) ? declaration : parent && ts.isBinaryExpression(parent) && parent.left === (declaration as ts.Node) ? parent : undefined;
  if (!assignment || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !(assignment.flags & ts.NodeFlags.JavaScriptFile)) return undefined;
  return skipParentheses(assignment.right);
}

/** Module-level holders of wrapped functions are always in the name filter; locals only when given a project function. */
function isModuleLevelVariable(node: ts.VariableDeclaration): boolean {
  if (!ts.isVariableStatement(node.parent.parent)) return false;
  const container = node.parent.parent.parent;
  return ts.isSourceFile(container) || ts.isModuleBlock(container);
}

/** Top-level `module.exports = …`, `module.exports.x = …` and `exports.x = …` statements. */
function* commonJsExportAssignments(sourceFile: ts.SourceFile): Generator<{ statement: ts.ExpressionStatement; left: ts.PropertyAccessExpression; target: string; value: ts.Expression }> {
  for (const statement of sourceFile.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
    const { left, operatorToken, right } = statement.expression;
    if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(left)) continue;
    const target = left.getText(sourceFile);
    if (target === 'module.exports' || /^(module\.)?exports\.[\w$]+$/.test(target)) yield { statement, left, target, value: skipParentheses(right) };
  }
}

/** The property names a CommonJS module exports whatever their values (`exports.read = other.read`, `module.exports = { write: save }`). */
function commonJsExportedProperties(sourceFile: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const { left, target, value } of commonJsExportAssignments(sourceFile)) {
    if (target !== 'module.exports') names.push(left.name.text);
    else if (ts.isObjectLiteralExpression(value)) {
      for (const property of value.properties) if (property.name && ts.isIdentifier(property.name)) names.push(property.name.text);
    }
  }
  return names;
}

/**
 * A class or interface its module exports: `export class Store`, or by name elsewhere in the file
 * (`export { Store }`, `export default Store;`, `export = Store`, `module.exports = Store`,
 * `module.exports = { Store }`): its public members are public either way.
 */
function isExportedDeclaration(node: ts.ClassDeclaration | ts.InterfaceDeclaration, info: TsFileInfo): boolean {
  if (hasExportModifier(node)) return true;
  const name = node.name?.text;
  if (name === undefined) return false;
  if (info.exportListNames.has(name) || info.commonJsExports.has(name)) return true;
  return info.sourceFile.statements.some((statement) => ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression) && statement.expression.text === name);
}

function isExportedVariable(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement) && hasExportModifier(statement);
}

/**
 * The call is the value of a holder whose calls the analysis follows (through parentheses): a
 * variable (`const load = traced(f)`), a class field, or in JavaScript a CommonJS export
 * (`module.exports = wrap(f)`, `exports.load = wrap(f)`, a property of `module.exports = {…}`). A
 * wrapper's result kept anywhere else (`this.cb = wrap(f)` in TypeScript, `{ cb: wrap(f) }`) is not
 * followed, so the function it wraps is not treated as wrapped there either.
 */
function isFollowedHolder(call: ts.CallExpression): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent)) return parent.initializer === node && ts.isIdentifier(parent.name);
  if (!(call.flags & ts.NodeFlags.JavaScriptFile)) return false;
  const exportStatement = ts.isPropertyAssignment(parent) && parent.initializer === node && ts.isObjectLiteralExpression(parent.parent) ? parent.parent.parent.parent : parent.parent;
  if (!exportStatement || !ts.isExpressionStatement(exportStatement) || !ts.isSourceFile(exportStatement.parent)) return false;
  for (const { statement, value } of commonJsExportAssignments(exportStatement.parent)) {
    if (statement === exportStatement) return value === node || (ts.isObjectLiteralExpression(value) && ts.isPropertyAssignment(parent) && parent.parent === value);
  }
  return false;
}

/** An argument that may be a function: a name, `a.b`, an arrow or a function expression. */
function isFunctionValue(argument: ts.Expression): boolean {
  const inner = skipParentheses(argument);
  return ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isArrowFunction(inner) || ts.isFunctionExpression(inner);
}

/** Wrappers whose name says they cache what the function returns. */
const CACHING_WRAPPER = /memo|cache|^once$|^mem$/i;

/**
 * A function held through a wrapper: its calls are followed (the wrapper passes the promise on). A
 * caching wrapper would keep a rejected promise where the sync version's errors were never cached:
 * that changes behaviour, so the function stays sync and is reported.
 */
function wrapperCallback(wrapper: string): NonNullable<CallSite['callback']> {
  if (!CACHING_WRAPPER.test(wrapper)) return { api: wrapper, rewrite: 'accepts-async', wrapper: true };
  return {
    api: wrapper,
    rewrite: 'none',
    wrapper: true,
    blockedBecause: {
      reason: `${wrapper} caches what the function returns: once async, a rejected promise would be cached and returned to every later call, where the sync version's errors were not cached`,
      suggestion: `Cache the promise and drop it from the cache when it rejects (or use a promise-aware memoizer such as p-memoize), make the function async by hand, then re-run.`,
    },
  };
}

/**
 * A function given to an untyped wrapper that is not known to hand it back: the calls of what the
 * wrapper returns cannot be awaited for it, since the wrapper may not return its promise.
 */
function opaqueWrapperCallback(wrapper: string, wrapped: string, declared: NonNullable<CallSite['callback']>): NonNullable<CallSite['callback']> {
  return {
    ...declared,
    wrapper: true,
    blockedBecause: {
      reason: `${wrapper} hands back a function that is not known to return what ${shorten(wrapped)} returns (its type does not say so, and its body is not one that returns the call), so the calls of what it hands back cannot be awaited for it`,
      suggestion: `Type ${wrapper} so that it returns the type of the function it wraps (\`<F extends (...args: never[]) => unknown>(fn: F) => F\`), or make its returned function \`return fn(...args)\`, then re-run; or make the function async by hand and await the calls of the wrapper's result.`,
    },
  };
}

/** The parameter's declared type is a function whose result may become a promise without a type error. */
function acceptsPromiseResult(parameter: ts.ParameterDeclaration, owner: FunctionLike): boolean {
  const type = parameter.type;
  if (!type || !ts.isFunctionTypeNode(type)) return false;
  const result = type.type;
  if (result.kind === ts.SyntaxKind.VoidKeyword || result.kind === ts.SyntaxKind.AnyKeyword || result.kind === ts.SyntaxKind.UnknownKeyword) return true;
  if (!ts.isTypeReferenceNode(result) || !ts.isIdentifier(result.typeName)) return false;
  const name = result.typeName.text;
  return name === 'Promise' || name === 'PromiseLike' || (owner.typeParameters?.some((p) => p.name.text === name) ?? false);
}

/** `api.` for the methods of `const api = { … }`; nothing for anonymous object literals. */
function objectOwnerPrefix(literal: ts.Node): string {
  const holder = literal.parent;
  return holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? `${holder.name.text}.` : '';
}

/**
 * A forEach callback can become a `for … of` body when it takes only the element and never
 * returns early (a `return` would leave the enclosing function) nor uses its own `this`/`arguments`.
 */
function canBecomeLoopBody(argument: ts.Expression, maxParameters: number): boolean {
  const callback = skipParentheses(argument);
  if (ts.isIdentifier(callback) || ts.isPropertyAccessExpression(callback)) return maxParameters === 1;
  if (!ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) return false;
  const { parameters } = callback;
  if (parameters.length === 0 || parameters.length > maxParameters || parameters.some((p) => p.dotDotDotToken || p.initializer)) return false;
  let escapes = false;
  walkTree(callback.body, (node) => {
    if (escapes) return false;
    if (node === callback.body) return true;
    if (ts.isReturnStatement(node)) escapes = true;
    else if (ts.isFunctionExpression(callback) && (node.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(node) && node.text === 'arguments'))) escapes = true;
    // Nested functions have their own `return`, `this` and `arguments`.
    return !isFunctionLike(node);
  });
  return !escapes;
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((modifier) => modifier.kind === kind) ?? false);
}

function hasExportModifier(node: ts.Node): boolean {
  return hasModifier(node, ts.SyntaxKind.ExportKeyword);
}

function isAbstract(node: ts.Node): boolean {
  return hasModifier(node, ts.SyntaxKind.AbstractKeyword);
}

function isReadonlyArray(type: ts.Type): boolean {
  const symbol = type.getSymbol();
  return symbol?.getName() === 'ReadonlyArray';
}

function isModuleExportsObject(node: ts.ObjectLiteralExpression): boolean {
  const parent = node.parent;
  return ts.isBinaryExpression(parent) && ts.isPropertyAccessExpression(parent.left) && parent.left.getText() === 'module.exports';
}

function isDeclarationName(node: ts.Node): boolean {
  const parent = node.parent;
  return (
    (ts.isFunctionDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isVariableDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) ||
      ts.isFunctionExpression(parent) ||
      ts.isBindingElement(parent)) &&
    (parent as ts.NamedDeclaration).name === node
  );
}

export function skipParentheses(node: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  return node;
}

/** The expression's value is awaited (through parentheses). */
export function isAwaited(node: ts.Node): boolean {
  let parent = node.parent;
  while (parent && ts.isParenthesizedExpression(parent)) parent = parent.parent;
  return parent !== undefined && ts.isAwaitExpression(parent);
}

/** Where `await` cannot be written: default parameter values, class field initializers, decorators. */
function positionWithoutAwait(node: ts.Node, sourceFile: ts.SourceFile): string | undefined {
  for (let current = node.parent; current && current !== sourceFile; current = current.parent) {
    if (isFunctionLike(current)) return undefined;
    if (ts.isParameter(current)) return 'a default parameter value';
    if (ts.isPropertyDeclaration(current)) return 'a class field initializer';
    if (ts.isDecorator(current)) return 'a decorator';
    if (ts.isClassStaticBlockDeclaration(current)) return 'a static block';
  }
  return undefined;
}

function functionKind(node: FunctionLike): FunctionKind {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isGetAccessorDeclaration(node)) return 'getter';
  if (ts.isSetAccessorDeclaration(node)) return 'setter';
  if (ts.isMethodSignature(node) || (ts.isMethodDeclaration(node) && isAbstract(node))) return 'abstract-method';
  if (ts.isMethodDeclaration(node)) return 'method';
  if (ts.isFunctionDeclaration(node)) return 'function';
  return 'arrow';
}

/** The untyped variable a function is a member of, when it is a property or method of `const x = { … }`. */
function objectLiteralHolder(node: FunctionLike): ts.VariableDeclaration | undefined {
  const member = ts.isMethodDeclaration(node) ? node : ts.isPropertyAssignment(node.parent) && node.parent.initializer === node ? node.parent : undefined;
  const literal = member?.parent;
  if (!literal || !ts.isObjectLiteralExpression(literal)) return undefined;
  let holder: ts.Node = literal.parent;
  while (ts.isParenthesizedExpression(holder)) holder = holder.parent;
  // A typed holder (`const store: Store = { … }`) ties its members to the type's members instead.
  return ts.isVariableDeclaration(holder) && !holder.type && ts.isIdentifier(holder.name) ? holder : undefined;
}

/** An `await` (or `for await`) outside every function and class: the module evaluates asynchronously. */
function awaitsAtTopLevel(sourceFile: ts.SourceFile): boolean {
  let found = false;
  walkTree(sourceFile, (node) => {
    if (found || isFunctionLike(node) || ts.isClassLike(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) found = true;
    return !found;
  });
  return found;
}

function syncOnlyReason(node: FunctionLike, name: string): FunctionNode['syncOnly'] {
  const owner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : 'the class';
  if (ts.isConstructorDeclaration(node)) {
    return {
      kind: 'constructor',
      reason: `${name} cannot be async: a constructor returns the instance, not a promise`,
      suggestion: `Move the async work out of the constructor: add \`static async create(...)\` that constructs ${owner} and awaits the work, or a lazy \`private async ensureInitialized()\` awaited at the start of each method that needs it.`,
    };
  }
  if (ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const accessor = ts.isGetAccessorDeclaration(node) ? 'getter' : 'setter';
    const property = name.split('.').pop() ?? name;
    const method = `${accessor === 'getter' ? 'get' : 'set'}${property.charAt(0).toUpperCase()}${property.slice(1)}`;
    return {
      kind: accessor,
      reason: `${name} is a ${accessor}; ${accessor}s cannot be async`,
      suggestion: `Replace the ${accessor} with an async method \`${method}()\` and await it where ${property} is ${accessor === 'getter' ? 'read' : 'assigned'}.`,
    };
  }
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.asteriskToken) {
    return {
      kind: 'generator',
      reason: `${name} is a generator; turning it async changes it into an async generator that callers iterate with for await`,
      suggestion: `Turn ${name} into an \`async function*\` by hand and iterate it with \`for await … of\`.`,
    };
  }
  return undefined;
}

/** The declaration head as written (no body), for `breaking`. */
export function signatureText(node: FunctionLike, sourceFile: ts.SourceFile): string {
  // A typed field or const holding an arrow shows its declared type: what callers see.
  const holder = node.parent;
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && (ts.isPropertyDeclaration(holder) || ts.isVariableDeclaration(holder)) && holder.type) {
    return `${holder.name.getText(sourceFile)}: ${holder.type.getText(sourceFile).replace(/\s+/g, ' ')}`;
  }
  const start = node.getStart(sourceFile);
  const bodyStart = 'body' in node && node.body ? node.body.getStart(sourceFile) : node.end;
  return sourceFile.text
    .slice(start, bodyStart)
    .replace(/\s+/g, ' ')
    .replace(/\s*(=>)?\s*;?\s*$/, (_match, arrow: string | undefined) => (arrow ? ' =>' : ''))
    .trim();
}

function asyncSignatureText(node: FunctionLike, sourceFile: ts.SourceFile): string {
  let text = signatureText(node, sourceFile);
  const holder = node.parent;
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && (ts.isPropertyDeclaration(holder) || ts.isVariableDeclaration(holder)) && holder.type) {
    const type = holder.type;
    if (!ts.isFunctionTypeNode(type)) return text;
    const result = type.type.getText(sourceFile);
    return /^Promise</.test(result) ? text : `${text.slice(0, text.length - result.length)}Promise<${result}>`;
  }
  const returnType = node.type ? node.type.getText(sourceFile) : undefined;
  if (node.type && returnType && !/^Promise</.test(returnType)) {
    const wrapped = asyncResultTypeText(node.type, sourceFile);
    const at = text.lastIndexOf(returnType);
    if (at >= 0) text = text.slice(0, at) + wrapped + text.slice(at + returnType.length);
  }
  if (ts.isMethodSignature(node) || isAbstract(node)) return text;
  if (ts.isFunctionDeclaration(node)) return text.replace(/(^|\s)function\b/, '$1async function');
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return `async ${text}`;
  // Methods: after the modifiers.
  return text.replace(/^((?:(?:public|private|protected|static|override|readonly)\s+)*)/, '$1async ');
}
