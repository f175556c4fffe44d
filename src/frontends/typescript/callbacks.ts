// Functions passed as values to calls (forEach/map, setTimeout, emitter.on, wrappers, project
// functions that call their callback parameter): what can be done when the callback turns async.
import { ts } from '@ts-morph/common';
import { attributeTo } from '../../errors.js';
import type { CallSite, CallbackRewrite, FunctionId } from '../../model.js';
import { isAwaited } from './awaits.js';
import type { TsAnalysisCore, TsFileInfo } from './core.js';
import { shorten } from './fix-helpers.js';
import { isFollowedHolder } from './module-exports.js';
import type { TsResolver } from './resolver.js';
import { type FunctionLike, isFunctionLike, isReadonlyArray, skipParentheses } from './syntax.js';
import { testRunnerCallback } from './test-runners.js';
import { walkTree } from './walk.js';
import { libraryWrapperOf } from './wrappers.js';

const ARRAY_CALLBACK_REWRITES: Record<string, CallbackRewrite> = { forEach: 'for-of', map: 'promise-all' };

/** Why a forEach callback that turns async is not rewritten: the loop would not call it as forEach does. */
const FOR_EACH_NOT_A_LOOP = {
  reason:
    'forEach does not wait for a promise the callback returns, and the `for … of` loop that would await it calls it exactly as forEach does only when it takes the element alone (forEach also passes the index and the array), never returns early, does not read its own `this` or `arguments`, and no thisArg is given',
  suggestion: 'Rewrite the forEach as a `for … of` loop that awaits each call (`for (const [index, item] of items.entries())` when it needs the index), then re-run async-migrate.',
};

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
  return admitsPromise(type.type, owner);
}

/** `void`, `any`, `unknown` (as a migration widens `void`), a promise, a type parameter of the owner, or a union of those (`void | Promise<void>`). */
function admitsPromise(result: ts.TypeNode, owner: FunctionLike): boolean {
  if (ts.isUnionTypeNode(result)) return result.types.every((member) => admitsPromise(member, owner));
  if (result.kind === ts.SyntaxKind.VoidKeyword || result.kind === ts.SyntaxKind.AnyKeyword || result.kind === ts.SyntaxKind.UnknownKeyword) return true;
  if (!ts.isTypeReferenceNode(result) || !ts.isIdentifier(result.typeName)) return false;
  const name = result.typeName.text;
  return name === 'Promise' || name === 'PromiseLike' || (owner.typeParameters?.some((p) => p.name.text === name) ?? false);
}

/**
 * A forEach callback can become a `for … of` body when it takes only the element and never
 * returns early (a `return` would leave the enclosing function) nor uses its own `this`/`arguments`.
 */
function canBecomeLoopBody(argument: ts.Expression, maxParameters: number, checker: ts.TypeChecker): boolean {
  const callback = skipParentheses(argument);
  if (ts.isIdentifier(callback) || ts.isPropertyAccessExpression(callback)) return maxParameters === 1 && takesOnlyTheElement(callback, checker);
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

/**
 * A function passed by name becomes `await cb(item)` in the loop: only the element is passed, and a
 * method is called on its object. Exact only when every declaration takes one parameter (no rest, no
 * `arguments`: forEach also passes the index and the array) and a method does not read `this`
 * (forEach calls it with `this` undefined).
 */
function takesOnlyTheElement(callback: ts.Identifier | ts.PropertyAccessExpression, checker: ts.TypeChecker): boolean {
  const signatures = checker.getTypeAtLocation(callback).getCallSignatures();
  if (signatures.length === 0) return false;
  return signatures.every((signature) => {
    const declaration = signature.getDeclaration() as ts.SignatureDeclaration | undefined;
    if (!declaration || declaration.parameters.length > 1 || declaration.parameters.some((p) => p.dotDotDotToken)) return false;
    if (!isFunctionLike(declaration) || ts.isArrowFunction(declaration)) return true;
    let readsOwnScope = false;
    walkTree(declaration, (node) => {
      if (readsOwnScope) return false;
      if (node === declaration) return true;
      if (node.kind === ts.SyntaxKind.ThisKeyword && ts.isPropertyAccessExpression(callback)) readsOwnScope = true;
      else if (ts.isIdentifier(node) && node.text === 'arguments') readsOwnScope = true;
      // An arrow reads its enclosing `this`/`arguments`; other nested functions have their own.
      return !isFunctionLike(node) || ts.isArrowFunction(node);
    });
    return !readsOwnScope;
  });
}

/**
 * Elsewhere, the declared parameter type decides: a callback whose result may be a promise may
 * turn async. One declared `void` is called and forgotten (an event listener): turning it async
 * would let what follows run before it ends, so it stays sync, like one whose result is used.
 */
export function declaredCallbackRewrite(core: TsAnalysisCore, call: ts.CallExpression | ts.NewExpression, index: number, methodName: string): NonNullable<CallSite['callback']> {
  const signature = core.checker.getResolvedSignature(call);
  const parameter = signature?.getParameters()[Math.min(index, (signature?.getParameters().length ?? 1) - 1)];
  if (!parameter) {
    // `lib.register(fn)` on an `any` (an untyped library): nothing says what it does with the callback.
    const callee = core.checker.getTypeAtLocation(call.expression);
    return { api: methodName, rewrite: 'none', ...(callee.flags & ts.TypeFlags.Any ? { receiverUnknown: true } : {}) };
  }
  // An optional parameter (`fn?: TestFn`, node:test's) is `TestFn | undefined`: its call signatures are TestFn's.
  const parameterType = core.checker.getNonNullableType(core.checker.getTypeOfSymbolAtLocation(parameter, call));
  const returnTypes = parameterType.getCallSignatures().map((s) => s.getReturnType());
  const acceptsAsync =
    returnTypes.length > 0 &&
    returnTypes.every((type) => type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) || core.isThenable(type, true));
  const forgetsResult = returnTypes.length > 0 && returnTypes.every((type) => type.flags & ts.TypeFlags.Void);
  return { api: methodName, rewrite: acceptsAsync ? 'accepts-async' : 'none', ...(forgetsResult ? { ignoresResult: true } : {}) };
}

export class TsCallbacks {
  /** `fn#index` -> the calls of that parameter inside the function (`op(attempt)` in `withRetry`). */
  private readonly parameterCalls = new Map<string, ts.CallExpression[]>();
  /** `fn#index` of parameters used otherwise than called directly (stored, passed on, called from a nested function). */
  private readonly escapingParameters = new Set<string>();
  /**
   * Uses of names that some parameter has, in walk order: only the parameters that receive a callback
   * (known once every body is walked) are asked about, so the checker is not asked of every `x`.
   */
  readonly parameterNameUses: { node: ts.Identifier; current: FunctionId; info: TsFileInfo }[] = [];
  /** Callbacks passed to project functions, resolved once every body has been walked. */
  private readonly callbacksToProjectFunctions: { site: CallSite; functions: FunctionId[]; index: number }[] = [];

  constructor(
    private readonly core: TsAnalysisCore,
    private readonly resolver: TsResolver,
  ) {}

  /** Functions passed as arguments (to a call, or to `new X(…)` such as a Promise executor) are callback sites. */
  recordCallbackArguments(call: ts.CallExpression | ts.NewExpression, info: TsFileInfo, caller: FunctionId): void {
    (call.arguments ?? []).forEach((argument, index) => {
      const inner = skipParentheses(argument);
      let callees: FunctionId[] = [];
      if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) {
        const id = this.core.idByDeclaration.get(inner);
        if (id) callees = [id];
      } else if (ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner)) {
        callees = this.resolver.resolveCallTargets(inner);
      }
      if (callees.length === 0) return;
      const callback = this.callbackRewrite(call, index);
      const receivers = ts.isCallExpression(call) ? this.resolver.resolveCallTargets(call.expression) : [];
      for (const callee of callees) {
        // A function written inline is named after the call already (`<on callback>@file:line`); one passed by name is quoted with its call.
        const text = ts.isArrowFunction(inner) || ts.isFunctionExpression(inner) ? undefined : shorten(call.getText(info.sourceFile));
        const site = this.core.newSite({ caller, callee, kind: 'callback', isAwaited: false, callback, ...(text ? { text } : {}) }, inner, info);
        if (receivers.length > 0) this.callbacksToProjectFunctions.push({ site, functions: receivers, index });
      }
    });
  }

  /** A use of a name that may be a parameter of the function it sits in (or of one around it). */
  private recordParameterUse(node: ts.Identifier, current: FunctionId): void {
    const parent = node.parent;
    if (ts.isParameter(parent) && parent.name === node) return;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    const declaration = this.core.checker.getSymbolAtLocation(node)?.valueDeclaration;
    if (!declaration || !ts.isParameter(declaration) || !isFunctionLike(declaration.parent)) return;
    const owner = this.core.idByDeclaration.get(declaration.parent);
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
  /** The project functions given a callback somewhere in the walked code. */
  receivers(): FunctionId[] {
    return [...new Set(this.callbacksToProjectFunctions.flatMap(({ functions }) => functions))];
  }

  /** The site passing the callback, for each site `followCallbackParameters` made inside the receiving function. */
  readonly followedFrom = new Map<string, CallSite>();

  followCallbackParameters(): void {
    const followed = new Set<string>();
    for (const { site, functions, index } of this.callbacksToProjectFunctions) {
      if (site.callback?.wrapper) continue;
      for (const receiver of functions) {
        const name = this.core.state.declarations.get(receiver)?.parameters[index]?.name;
        if (name && ts.isIdentifier(name)) followed.add(name.text);
      }
    }
    for (const { node, current, info } of this.parameterNameUses) {
      if (followed.has(node.text)) attributeTo(info.absolute, () => this.core.unlessCheckerOverflows(node, info, () => this.recordParameterUse(node, current)));
    }
    for (const { site, functions, index } of this.callbacksToProjectFunctions) {
      if (site.callback?.wrapper) continue; // its calls are the wrapper's calls, followed where it is held
      for (const receiver of functions) {
        const declaration = this.core.state.declarations.get(receiver);
        const parameter = declaration?.parameters[index];
        const key = `${receiver}#${index}`;
        const calls = this.parameterCalls.get(key);
        if (!declaration || !parameter || !calls || this.escapingParameters.has(key) || !acceptsPromiseResult(parameter, declaration)) {
          // A project function that keeps or uses the callback's result some other way: not ours to change.
          site.callback = { api: this.core.state.functions.get(receiver)?.name ?? site.callback?.api ?? 'call', rewrite: 'none' };
          continue;
        }
        site.callback = { api: site.callback?.api ?? this.core.state.functions.get(receiver)!.name, rewrite: 'accepts-async' };
        const info = this.core.state.files.get(declaration.getSourceFile().fileName)!;
        for (const call of calls) this.followedFrom.set(this.core.newSite({ caller: receiver, callee: site.callee, kind: 'call', isAwaited: isAwaited(call) }, call, info).id, site);
      }
    }
  }

  /** What can be done when a callback passed here turns async. */
  private callbackRewrite(call: ts.CallExpression | ts.NewExpression, index: number): NonNullable<CallSite['callback']> {
    const callee = call.expression;
    const methodName = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '<call>';
    const runner = ts.isCallExpression(call) ? testRunnerCallback(call, skipParentheses(call.arguments[index]!), this.core.checker) : undefined;
    if (runner) return runner;
    if (ts.isCallExpression(call) && isFollowedHolder(call)) {
      const library = libraryWrapperOf(call, this.core.state.files.get(call.getSourceFile().fileName)!.imports);
      // p-memoize's function returns a promise whatever the wrapped one returns: its callers already wait.
      if (library?.kind === 'promise') return { api: library.name, rewrite: 'accepts-async', wrapper: true };
      if (this.resolver.wrappedArgument(call) === skipParentheses(call.arguments[index]!)) return wrapperCallback(library?.name ?? methodName);
      if (this.resolver.isOpaqueWrapperCall(call)) return opaqueWrapperCallback(methodName, call.arguments[index]!.getText(), declaredCallbackRewrite(this.core, call, index, methodName));
    }
    if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(callee) && index === 0) {
      const receiver = this.core.checker.getTypeAtLocation(callee.expression);
      if (this.core.checker.isArrayType(receiver) || this.core.checker.isTupleType(receiver) || isReadonlyArray(receiver)) {
        const api = `Array.${methodName}`;
        const rewrite = ARRAY_CALLBACK_REWRITES[methodName];
        // A second argument (forEach's thisArg) has no place in the loop.
        if (rewrite === 'for-of' && ts.isExpressionStatement(call.parent) && call.arguments.length === 1 && canBecomeLoopBody(call.arguments[0]!, 1, this.core.checker)) return { api, rewrite };
        if (rewrite === 'promise-all') return { api, rewrite };
        if (methodName === 'forEach') return { api, rewrite: 'none', blockedBecause: FOR_EACH_NOT_A_LOOP };
        return { api, rewrite: 'none' };
      }
      // Set and Map iterate in order too: their forEach becomes a loop (Map yields [key, value]).
      const collection = receiver.getSymbol()?.getName();
      if (collection === 'Set' || collection === 'ReadonlySet' || collection === 'Map' || collection === 'ReadonlyMap') {
        const api = `${collection.replace('Readonly', '')}.${methodName}`;
        const isLoop = methodName === 'forEach' && ts.isExpressionStatement(call.parent) && call.arguments.length === 1 && canBecomeLoopBody(call.arguments[0]!, api.startsWith('Map') ? 2 : 1, this.core.checker);
        return isLoop ? { api, rewrite: 'for-of' } : { api, rewrite: 'none', ...(methodName === 'forEach' ? { blockedBecause: FOR_EACH_NOT_A_LOOP } : {}) };
      }
    }
    return declaredCallbackRewrite(this.core, call, index, methodName);
  }
}
