// Pass 2's call-graph edges: calls, constructions, references (functions used as values), getter and
// setter uses, re-exports, spies, and the calls the analysis cannot resolve.
import { ts } from '@ts-morph/common';
import type { CallSite, FunctionId } from '../../model.js';
import { lineAndColumn } from '../../paths.js';
import { isAwaited, positionWithoutAwait, usesValueAsIs } from './awaits.js';
import type { TsCallbacks } from './callbacks.js';
import type { TsAnalysisCore, TsFileInfo } from './core.js';
import { shorten } from './fix-helpers.js';
import { isCommonJsExportValue, isModuleExportsObject } from './module-exports.js';
import type { TsResolver } from './resolver.js';
import { isDeclarationName, requiredModuleSymbol, skipParentheses } from './syntax.js';
import { walkTree } from './walk.js';

export class TsGraphBuilder {


  constructor(
    private readonly core: TsAnalysisCore,
    private readonly resolver: TsResolver,
    private readonly callbacks: TsCallbacks,
  ) {}

  /**
   * `vi.spyOn(store, 'load')`, `jest.spyOn(Store.prototype, 'load')`, `spyOn(mod, 'load')`: a test
   * that replaces a function by its name. Under dual, callers moved to the sibling bypass it.
   */
  recordSpies(sourceFile: ts.SourceFile): void {
    if (!/\bspyOn\b/.test(sourceFile.text)) return;
    const info = this.core.state.files.get(sourceFile.fileName);
    if (!info) return;
    walkTree(sourceFile, (node) => {
      if (!ts.isCallExpression(node) || node.arguments.length < 2) return true;
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      const [owner, member] = node.arguments;
      if (name !== 'spyOn' || !owner || !member || !ts.isStringLiteralLike(member)) return true;
      const property = this.core.checker.getTypeAtLocation(owner).getProperty(member.text);
      const { line, column } = lineAndColumn(info.lineStarts, node.getStart(sourceFile));
      for (const id of this.resolver.functionsOfSymbol(property)) {
        const fn = this.core.state.functions.get(id);
        if (fn) (fn.patchedBy ??= []).push({ target: `${owner.getText(sourceFile)}.${member.text}`, location: { file: info.file, line, column } });
      }
      return true;
    });
  }

  recordCall(call: ts.CallExpression, info: TsFileInfo, caller: FunctionId): void {
    const targets = this.resolver.resolveCallTargets(call.expression);
    if (targets.length === 0) {
      // Through a wrapper not followed the call may run the wrapped function: reached, never awaited.
      const { functions, promiseWrapper } = this.resolver.heldWrapperFunctions(call.expression);
      for (const callee of functions) {
        // p-memoize awaits the wrapped function itself: a callback it accepts async; an opaque wrapper's function is blocked where it is wrapped.
        if (promiseWrapper) this.core.newSite({ caller, callee, kind: 'callback', isAwaited: false, callback: { api: promiseWrapper, rewrite: 'accepts-async', wrapper: true } }, call, info);
        else this.core.newSite({ caller, callee, kind: 'call', isAwaited: isAwaited(call) }, call, info);
      }
      if (!this.recordUnresolvedImportCall(call, info, caller)) this.recordUntypedReceiverCall(call, info, caller);
    }
    const callGroup = targets.length > 1 ? `${info.file}#${call.getStart(info.sourceFile)}` : undefined;
    for (const callee of targets) {
      const site: Omit<CallSite, 'id' | 'location'> = { caller, callee, kind: 'call', isAwaited: isAwaited(call) };
      if (callGroup) site.callGroup = callGroup;
      if (this.core.replacedCalls.has(call)) site.replacedByFix = true;
      if (caller === info.moduleId && !info.allowsTopLevelAwait && ts.isExpressionStatement(call.parent)) {
        site.entryCall = true;
        const after = statementsRunningAfter(call.parent, info.sourceFile);
        if (after) site.entryFollowedBy = after;
      }
      const blockedPosition = positionWithoutAwait(call, info.sourceFile);
      if (blockedPosition) site.cannotAwait = { reason: blockedPosition };
      if (usesValueAsIs(call)) site.valueUsed = true;
      this.core.newSite(site, call, info);
    }
    this.callbacks.recordCallbackArguments(call, info, caller);
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
    const required = requiredModuleSymbol(root, this.core.checker);
    if (required) {
      if (root === callee || this.core.checker.getSymbolAtLocation(name) || !this.resolver.isProjectModule(required)) return false;
    } else {
      if (!ts.isIdentifier(root)) return false;
      const symbol = this.core.checker.getSymbolAtLocation(root);
      if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return false;
      const aliased = this.core.checker.getAliasedSymbol(symbol);
      const unresolvedModule = (aliased.declarations ?? []).length === 0;
      const unknownMember = root !== callee && this.resolver.isProjectModule(aliased) && !this.core.checker.getSymbolAtLocation(name);
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
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name) || !this.core.functionNames.has(callee.name.text)) return;
    const receiver = this.core.checker.getTypeAtLocation(callee.expression);
    if (!(receiver.flags & ts.TypeFlags.Any) || this.comesFromLibrary(callee.expression)) return;
    this.pushUnresolved(call, callee.name.text, info, caller);
  }

  /**
   * `setTimeout(holder.refresh, 10)`, `const later = holder.refresh` on a receiver typed `any`: the
   * value may be a project method of that name, called where it is handed over; listed like an
   * untyped call. A write, `typeof` or `delete` of it, and a longer name (`holder.refresh.size`,
   * but not `.call`/`.apply`/`.bind`), are no use of the method.
   */
  private recordUntypedReceiverValue(node: ts.PropertyAccessExpression, info: TsFileInfo, caller: FunctionId): void {
    if (!ts.isIdentifier(node.name) || !this.core.functionNames.has(node.name.text)) return;
    let use: ts.Node = node;
    while (ts.isParenthesizedExpression(use.parent)) use = use.parent;
    const parent = use.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === use && !['call', 'apply', 'bind'].includes(parent.name.text)) return;
    if (ts.isTypeOfExpression(parent) || ts.isDeleteExpression(parent)) return;
    if (ts.isBinaryExpression(parent) && parent.left === use && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return;
    const receiver = this.core.checker.getTypeAtLocation(node.expression);
    if (!(receiver.flags & ts.TypeFlags.Any) || this.comesFromLibrary(node.expression)) return;
    const { line, column } = lineAndColumn(info.lineStarts, node.getStart(info.sourceFile));
    this.core.unresolvedCalls.push({ caller, name: node.name.text, text: shorten(node.getText(info.sourceFile)), location: { file: info.file, line, column } });
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
    if (requiredModuleSymbol(expression, this.core.checker)) return false;
    if (root.text === 'require') return true;
    const symbol = this.core.checker.getSymbolAtLocation(root);
    if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return false;
    const declarations = this.core.checker.getAliasedSymbol(symbol).declarations ?? [];
    return declarations.length === 0 || declarations.some((declaration) => !this.core.state.files.has(declaration.getSourceFile().fileName));
  }

  private pushUnresolved(call: ts.CallExpression, name: string, info: TsFileInfo, caller: FunctionId): void {
    const { line, column } = lineAndColumn(info.lineStarts, call.getStart(info.sourceFile));
    this.core.unresolvedCalls.push({ caller, name, text: shorten(call.expression.getText(info.sourceFile)), location: { file: info.file, line, column } });
  }

  recordReexport(specifier: ts.ExportSpecifier): void {
    const exported = specifier.propertyName ?? specifier.name;
    if (!ts.isIdentifier(exported) || !this.core.functionNames.has(exported.text)) return;
    let functions = this.resolver.functionsOfSymbol(this.core.checker.getSymbolAtLocation(exported));
    // A local export list (`export { load }`) names the sibling only when it is declared here too:
    // a name imported from elsewhere has its sibling in that module, not in this one.
    if (specifier.parent.parent.moduleSpecifier === undefined) {
      const here = specifier.getSourceFile();
      functions = functions.filter((id) => this.core.state.declarations.get(id)?.getSourceFile() === here);
    }
    if (functions.length > 0) this.core.state.reexports.push({ specifier, functions });
  }

  /** `new X()` runs X's constructor: a call that can never be awaited, for reachability and blocks. */
  recordConstruction(expression: ts.NewExpression, info: TsFileInfo, caller: FunctionId): void {
    this.callbacks.recordCallbackArguments(expression, info, caller);
    if (!ts.isIdentifier(expression.expression) || !this.core.constructedClassNames.has(expression.expression.text)) return;
    let symbol = this.core.checker.getSymbolAtLocation(expression.expression);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.core.checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.find(ts.isClassDeclaration);
    const constructor = declaration?.members.find((member): member is ts.ConstructorDeclaration => ts.isConstructorDeclaration(member) && member.body !== undefined);
    const callee = constructor ? this.core.idByDeclaration.get(constructor) : undefined;
    if (callee) this.core.newSite({ caller, callee, kind: 'call', isAwaited: false }, expression, info);
  }

  /**
   * `setTimeout(load, 10)`, `[store.load]` with `load` / `store` imported from a module that does not
   * resolve: the value may be the project function of that name, called where it is handed over;
   * listed as a call through such an import is (`recordUnresolvedImportCall`).
   */
  private recordUnresolvedImportValue(node: ts.Identifier | ts.PropertyAccessExpression, info: TsFileInfo, caller: FunctionId): void {
    // Cheapest first: this runs for every name. Only an imported name, or a member of an imported namespace.
    const root = ts.isPropertyAccessExpression(node) ? node.expression : node;
    if (!ts.isIdentifier(root)) return;
    const imported = info.imports.get(root.text);
    if (!imported || imported.binding === root) return;
    const name = ts.isPropertyAccessExpression(node) ? node.name.text : imported.name === 'default' || imported.name === '*' ? node.text : imported.name;
    if (!this.core.functionNames.has(name)) return;
    let use: ts.Node = node;
    while (ts.isParenthesizedExpression(use.parent)) use = use.parent;
    const parent = use.parent;
    // Part of a longer name (`settings.load.size`), but `load.bind(this)` still hands the function over.
    if (ts.isPropertyAccessExpression(parent) && (parent.name === node || (parent.expression === use && !['call', 'apply', 'bind'].includes(parent.name.text)))) return;
    if (ts.isBinaryExpression(parent) && parent.left === use && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return;
    if (ts.isCallExpression(parent) && parent.expression === use) return; // a call: recordUnresolvedImportCall
    if (isDeclarationName(node) || ts.isTypeQueryNode(parent) || ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return;
    if (ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent) || ts.isExpressionWithTypeArguments(parent) || ts.isTypeOfExpression(parent) || ts.isDeleteExpression(parent)) return;
    const symbol = this.core.checker.getSymbolAtLocation(root);
    if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias) || (this.core.checker.getAliasedSymbol(symbol).declarations ?? []).length > 0) return;
    const { line, column } = lineAndColumn(info.lineStarts, node.getStart(info.sourceFile));
    this.core.unresolvedCalls.push({ caller, name, text: shorten(node.getText(info.sourceFile)), location: { file: info.file, line, column } });
  }

  recordReference(node: ts.Identifier | ts.PropertyAccessExpression, info: TsFileInfo, caller: FunctionId): void {
    this.recordUnresolvedImportValue(node, info, caller);
    const nameNode = ts.isPropertyAccessExpression(node) ? node.name : node;
    if (!ts.isIdentifier(nameNode) || !this.core.functionNames.has(nameNode.text)) return;
    const parent = node.parent;
    // Reading a getter (writing a setter) calls it.
    if (ts.isPropertyAccessExpression(node) && !(ts.isCallExpression(parent) && parent.expression === node)) {
      const accessors = this.resolver.resolveCallTargets(node).filter((id) => {
        const kind = this.core.state.functions.get(id)?.kind;
        return kind === 'getter' || kind === 'setter';
      });
      if (accessors.length > 0) {
        const isWrite = ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
        for (const callee of accessors) {
          if ((this.core.state.functions.get(callee)!.kind === 'setter') !== isWrite) continue;
          this.core.newSite({ caller, callee, kind: 'call', isAwaited: false }, node, info);
        }
        return;
      }
    }
    if (ts.isPropertyAccessExpression(node) && !(ts.isCallExpression(parent) && parent.expression === node)) this.recordUntypedReceiverValue(node, info, caller);
    // Calls, arguments and declarations are handled elsewhere; the name part of `a.b` by its access.
    if (ts.isIdentifier(node) && ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    if (ts.isCallExpression(parent) && (parent.expression === node || parent.arguments.includes(node as ts.Expression))) return;
    if (ts.isParenthesizedExpression(parent)) return;
    if (isDeclarationName(node) || ts.isTypeQueryNode(parent) || ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent)) return;
    if (ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent) || ts.isExpressionWithTypeArguments(parent)) return;
    if (ts.isShorthandPropertyAssignment(parent) && parent.name === node) {
      if (ts.isObjectLiteralExpression(parent.parent) && isModuleExportsObject(parent.parent)) return;
      // `{ color, size }` stores the functions themselves: a reference, like `{ color: color }`.
      for (const callee of this.resolver.functionsOfSymbol(this.core.checker.getShorthandAssignmentValueSymbol(parent))) {
        if (callee !== caller) this.core.newSite({ caller, callee, kind: 'reference', isAwaited: false, text: valueUseText(node, info.sourceFile) }, node, info);
      }
      return;
    }
    // `a.b.bind(this)` / `obj.method.call(...)` still reference the function.
    const callees = this.resolver.resolveCallTargets(node);
    if (callees.length === 0) return;
    if (ts.isExportAssignment(parent) || isCommonJsExportValue(node)) return;
    for (const callee of callees) {
      if (callee === caller) continue;
      this.core.newSite({ caller, callee, kind: 'reference', isAwaited: false, text: valueUseText(node, info.sourceFile) }, node, info);
    }
  }

  /**
   * The object holding functions used as a whole (`const { [key]: f } = map`, `lookup(map)`,
   * `map[key]`): what calls its functions there is not known, so each is used as a value.
   * `map.load(…)` and `map.load` are calls and references of `load`, recorded by name.
   */
  recordHolderUse(node: ts.Identifier, info: TsFileInfo, caller: FunctionId): void {
    const parent = node.parent;
    if (isDeclarationName(node) || ts.isTypeQueryNode(parent)) return;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === node) return;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    const symbol = this.core.checker.getSymbolAtLocation(node);
    const declaration = symbol?.valueDeclaration;
    const members = declaration && ts.isVariableDeclaration(declaration) ? this.core.functionHolders.get(declaration) : undefined;
    for (const callee of members ?? []) if (callee !== caller) this.core.newSite({ caller, callee, kind: 'reference', isAwaited: false, text: valueUseText(node, info.sourceFile) }, node, info);
  }
}

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

/**
 * The top-level code that runs after an entry statement (in its block, then after each statement that
 * holds it: `if (require.main === module) main();` then `module.exports = …`), or undefined when the
 * statement is the last thing that runs. Function and class declarations (and types) run nothing.
 */
function statementsRunningAfter(statement: ts.Statement, sourceFile: ts.SourceFile): string | undefined {
  let node: ts.Node = statement;
  while (!ts.isSourceFile(node)) {
    const holder: ts.Node = node.parent;
    const siblings = ts.isBlock(holder) || ts.isSourceFile(holder) || ts.isCaseClause(holder) || ts.isDefaultClause(holder) ? holder.statements : undefined;
    const index = siblings ? siblings.indexOf(node as ts.Statement) : -1;
    const next = siblings?.slice(index + 1).find((sibling) => !runsNothing(sibling));
    if (next) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(next.getStart(sourceFile));
      return `\`${shorten(next.getText(sourceFile))}\` at line ${line + 1}`;
    }
    // A loop runs the call again before the last call's async part finishes.
    if (ts.isIterationStatement(holder, false)) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(holder.getStart(sourceFile));
      return `the next turn of the loop at line ${line + 1}`;
    }
    node = holder;
  }
  return undefined;
}

function runsNothing(statement: ts.Statement): boolean {
  return (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEmptyStatement(statement) ||
    (ts.isModuleDeclaration(statement) && (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword) ?? false))
  );
}
