// Which project functions an expression can reach: a cheap name filter, then the checker; through
// aliases, CommonJS exports, holders and wrappers (`const load = memoize(loadImpl)`).
import { ts } from '@ts-morph/common';
import type { FunctionId } from '../../model.js';
import { declaredCallbackRewrite } from './callbacks.js';
import type { TsAnalysisCore } from './core.js';
import { boundValue, isAbstract, isFunctionValue, requiredModuleSymbol, skipParentheses } from './syntax.js';
import { libraryWrapperOf, passesResultThrough } from './wrappers.js';

export class TsResolver {
  /** Wrapper calls being resolved, so `const a = wrap(b)` with `const b = wrap(a)` ends. */
  private readonly resolvingWrappers = new Set<ts.CallExpression>();
  /** Declarations being resolved to the functions they name, so `exports.a = b` with `exports.b = a` ends. */
  private readonly resolvingDeclarations = new Set<ts.Node>();
  private readonly wrappedArguments = new Map<ts.CallExpression, ts.Expression | undefined>();
  /** Wrapper calls whose wrapped argument is being found: their entry in `wrappedArguments` is a placeholder. */
  private readonly findingWrapped = new Set<ts.CallExpression>();
  /**
   * Pass 2 asks the targets of one callee several times (each rule, then the call graph). Answers
   * are kept once every function is declared, and only those computed from a standing start that met
   * no cycle guard: an answer cut short by a guard holds only inside the resolution that cut it.
   */
  private readonly callTargets = new Map<ts.Expression, FunctionId[]>();
  keepCallTargets = false;
  private resolvingCallTargets = 0;
  private metCycleGuard = false;

  constructor(private readonly core: TsAnalysisCore) {}

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
    const required = requiredModuleSymbol(called, this.core.checker);
    if (required) return this.functionsOfSymbol(required.exports?.get(ts.InternalSymbolName.ExportEquals));
    const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
    if (!nameNode || !this.core.functionNames.has(nameNode.text)) return [];
    return this.functionsOfDeclarations(this.core.oracle.calleeDeclarations(nameNode));
  }

  functionsOfSymbol(symbol: ts.Symbol | undefined): FunctionId[] {
    if (!symbol) return [];
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = this.core.checker.getAliasedSymbol(symbol);
    return this.functionsOfDeclarations(symbol.declarations ?? []);
  }

  /** The project functions the declarations of one symbol declare, through holders, wrappers and overloads. */
  private functionsOfDeclarations(declarations: readonly ts.Declaration[]): FunctionId[] {
    const ids: FunctionId[] = [];
    const add = (found: readonly FunctionId[]): void => {
      for (const id of found) if (!ids.includes(id)) ids.push(id);
    };
    for (const declaration of declarations) {
      let target: ts.Node = declaration;
      // `module.exports = { load }`: the property stands for the local `load`.
      if (ts.isShorthandPropertyAssignment(declaration)) {
        if (this.resolvingDeclarations.has(declaration)) {
          this.metCycleGuard = true;
          continue;
        }
        this.resolvingDeclarations.add(declaration);
        add(this.functionsOfSymbol(this.core.checker.getShorthandAssignmentValueSymbol(declaration)));
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
        add(this.functionsOfSymbol(this.core.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(value) ? value.name : value)));
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
        const implementation = declarations.find((d) => (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) && d.body);
        if (implementation) target = implementation;
      }
      const id = this.core.idByDeclaration.get(target);
      if (id && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  functionsOfExpression(expression: ts.Expression): FunctionId[] {
    if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) {
      const id = this.core.idByDeclaration.get(expression);
      return id ? [id] : [];
    }
    return ts.isIdentifier(expression) || ts.isPropertyAccessExpression(expression) ? this.resolveCallTargets(expression) : [];
  }

  /**
   * The function argument a call wraps and hands back with the same type (`memoize(loadImpl)`,
   * `traced('x', fn)`, a project `wrap<T>(fn: T): T`): calling the result calls that function.
   */
  wrappedArgument(call: ts.CallExpression): ts.Expression | undefined {
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
    const results = this.core.checker.getTypeAtLocation(call).getCallSignatures();
    if (results.length !== 1) return this.untypedWrappedArgument(call);
    const result = results[0]!;
    for (const argument of call.arguments) {
      const inner = skipParentheses(argument);
      if (!(ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isArrowFunction(inner) || ts.isFunctionExpression(inner))) continue;
      const signatures = this.core.checker.getTypeAtLocation(inner).getCallSignatures();
      if (signatures.length !== 1) continue;
      const signature = signatures[0]!;
      const sameShape =
        signature.getParameters().length === result.getParameters().length &&
        this.core.checker.typeToString(signature.getReturnType()) === this.core.checker.typeToString(result.getReturnType());
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
    const info = this.core.state.files.get(call.getSourceFile().fileName);
    const library = info ? libraryWrapperOf(call, info.imports) : undefined;
    if (library) return library.kind === 'caching' && call.arguments[0] && isFunctionValue(call.arguments[0]) ? skipParentheses(call.arguments[0]) : undefined;
    const [wrapper, ...others] = this.resolveCallTargets(call.expression);
    const declaration = wrapper && others.length === 0 ? this.core.state.declarations.get(wrapper) : undefined;
    if (!declaration) return undefined;
    const index = call.arguments.findIndex((argument, at) => isFunctionValue(argument) && passesResultThrough(declaration, at, this.core.checker));
    return index >= 0 ? skipParentheses(call.arguments[index]!) : undefined;
  }

  /**
   * `const cached = wrap(load)` where `wrap` is not known to hand back `load` (`isOpaqueWrapperCall`),
   * or is p-memoize: the project functions it is given, for the calls of `cached`. Those calls may run
   * them, so they count for reachability, but no `await` is added through them: the wrapped function
   * is blocked at an opaque wrapper (`opaqueWrapperCallback`), and p-memoize's calls return a promise already.
   */
  heldWrapperFunctions(callee: ts.Expression): { functions: FunctionId[]; promiseWrapper?: string } {
    const called = skipParentheses(callee);
    const required = requiredModuleSymbol(called, this.core.checker);
    const nameNode = ts.isPropertyAccessExpression(called) ? called.name : ts.isIdentifier(called) ? called : undefined;
    if (!required && (!nameNode || !this.core.functionNames.has(nameNode.text))) return { functions: [] };
    let symbol = required ? required.exports?.get(ts.InternalSymbolName.ExportEquals) : this.core.checker.getSymbolAtLocation(nameNode!);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.core.checker.getAliasedSymbol(symbol);
    const functions: FunctionId[] = [];
    let promiseWrapper: string | undefined;
    for (const declaration of symbol?.declarations ?? []) {
      const value = boundValue(declaration);
      if (!value || !ts.isCallExpression(value)) continue;
      const info = this.core.state.files.get(value.getSourceFile().fileName);
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
  isOpaqueWrapperCall(call: ts.CallExpression): boolean {
    const result = this.core.checker.getTypeAtLocation(call);
    if (!(result.flags & ts.TypeFlags.Any) && result.getCallSignatures().length === 0) return false;
    if (this.wrappedArgument(call)) return false;
    const info = this.core.state.files.get(call.getSourceFile().fileName);
    if (info && libraryWrapperOf(call, info.imports)) return false;
    const calleeName = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : call.expression.getText();
    return call.arguments.some((argument, index) => isFunctionValue(argument) && declaredCallbackRewrite(this.core, call, index, calleeName).rewrite === 'none');
  }

  /** A module (or a module's `module.exports` value) declared by a file of this analysis. */
  isProjectModule(symbol: ts.Symbol): boolean {
    return (symbol.declarations ?? []).some((declaration) => this.core.state.files.has(declaration.getSourceFile().fileName));
  }
}
