// Wrappers whose types do not say what they hand back (`any`, an untyped JavaScript module): which
// of them provably hand back a function that calls the wrapped one and returns what it returns, so
// that calls of the result are calls of the wrapped function, and an `await` added at them is right.
import { ts } from '@ts-morph/common';
import { requiredModule, type ImportIndex } from './imports.js';
import { walkTree } from './walk.js';

/**
 * A library wrapper known by its module: `caching` ones (lodash's `memoize` and `once`, `mem`,
 * `memoizee`, …) return what the function returned, kept for later calls; `promise` ones
 * (p-memoize) hand back a function that always returns a promise, whatever the wrapped one returns.
 */
export interface LibraryWrapper {
  name: string;
  kind: 'caching' | 'promise';
}

/** Packages whose whole export (default, `*` or `require`) is the wrapper. */
const WRAPPER_PACKAGES: Record<string, LibraryWrapper['kind']> = {
  'lodash.memoize': 'caching',
  'lodash/memoize': 'caching',
  'lodash-es/memoize': 'caching',
  'lodash.once': 'caching',
  'lodash/once': 'caching',
  'lodash-es/once': 'caching',
  once: 'caching',
  onetime: 'caching',
  mem: 'caching',
  memoize: 'caching',
  memoizee: 'caching',
  'memoize-one': 'caching',
  'fast-memoize': 'caching',
  'micro-memoize': 'caching',
  moize: 'caching',
  'p-memoize': 'promise',
};

/** Utility belts whose `memoize` and `once` members are caching wrappers. */
const UTILITY_PACKAGES = new Set(['lodash', 'lodash-es', 'underscore']);
const UTILITY_WRAPPERS = new Set(['memoize', 'once']);

/** The library wrapper a call calls, read from the imports (`memoize(f)`, `_.memoize(f)`, `require('lodash.memoize')(f)`). */
export function libraryWrapperOf(call: ts.CallExpression, imports: ImportIndex): LibraryWrapper | undefined {
  const callee = skipWrapping(call.expression);
  const fromModule = (module: string, exported: string): LibraryWrapper | undefined => {
    const whole = exported === 'default' || exported === '*';
    if (whole && WRAPPER_PACKAGES[module]) return { name: module.replace(/^.*[./]/, ''), kind: WRAPPER_PACKAGES[module] };
    if (!whole && UTILITY_PACKAGES.has(module) && UTILITY_WRAPPERS.has(exported)) return { name: exported, kind: 'caching' };
    return undefined;
  };
  if (ts.isIdentifier(callee)) {
    const imported = imports.get(callee.text);
    return imported && fromModule(imported.module, imported.name);
  }
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
    const imported = imports.get(callee.expression.text);
    if (imported && (imported.name === 'default' || imported.name === '*')) return fromModule(imported.module, callee.name.text);
  }
  const required = requiredModule(callee);
  return required === undefined ? undefined : fromModule(required, '*');
}

/**
 * The wrapper's body hands back a function that calls its parameter at `index` and returns what that
 * returns, on every path that calls it: `return fn`, `return (...a) => fn(...a)`, `return function
 * (...a) { log(); return fn.apply(this, a); }`, or a local function doing so. A promise the wrapped
 * function returns then reaches the wrapper's callers. Anything else (a cache, a `try` around the
 * call, a call whose result is dropped, the function stored elsewhere) is not provably so.
 */
export function passesResultThrough(wrapper: ts.SignatureDeclaration, index: number, checker: ts.TypeChecker): boolean {
  const parameter = wrapper.parameters[index];
  const body = 'body' in wrapper ? wrapper.body : undefined;
  if (!parameter || parameter.dotDotDotToken || !ts.isIdentifier(parameter.name) || !body) return false;
  const wrapped = checker.getSymbolAtLocation(parameter.name);
  const handedBack = returnedExpressions(wrapper);
  if (!wrapped || !handedBack || handedBack.length === 0) return false;
  const allowedUses = new Set<ts.Node>();
  for (const expression of handedBack) {
    if (ts.isIdentifier(expression) && checker.getSymbolAtLocation(expression) === wrapped) {
      allowedUses.add(expression);
      continue;
    }
    const inner = localFunction(expression, wrapper, checker);
    const results = inner && !inner.asteriskToken && !isAsync(inner) ? returnedExpressions(inner) : undefined;
    if (!inner || !results || results.length === 0) return false;
    for (const result of results) {
      const call = calledParameter(result, wrapped, checker);
      if (!call || insideTry(result, inner)) return false;
      allowedUses.add(call);
    }
  }
  // Any other use would be a call whose promise is dropped, or the function escaping to other callers.
  let escapes = false;
  walkTree(body, (node) => {
    if (escapes) return false;
    if (ts.isIdentifier(node) && !allowedUses.has(node) && checker.getSymbolAtLocation(node) === wrapped && !isPropertyRead(node)) escapes = true;
    return !escapes;
  });
  return !escapes;
}

/** What a function returns: its expression body, or each `return`'s expression (undefined when a `return` has none). */
function returnedExpressions(fn: ts.SignatureDeclaration): ts.Expression[] | undefined {
  const body = 'body' in fn ? fn.body : undefined;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return [skipWrapping(body as ts.Expression)];
  const returned: ts.Expression[] = [];
  let bare = false;
  walkTree(body, (node) => {
    if (node !== body && ts.isFunctionLike(node)) return false; // nested functions return for themselves
    if (ts.isReturnStatement(node)) {
      if (node.expression) returned.push(skipWrapping(node.expression));
      else bare = true;
    }
    return true;
  });
  return bare ? undefined : returned;
}

/** `(...a) => …`, `function (…) {…}`, or the name of one declared inside the wrapper. */
function localFunction(expression: ts.Expression, wrapper: ts.Node, checker: ts.TypeChecker): ts.FunctionLikeDeclaration | undefined {
  if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return expression;
  if (!ts.isIdentifier(expression)) return undefined;
  const declaration = checker.getSymbolAtLocation(expression)?.valueDeclaration;
  if (!declaration || !isWithin(declaration, wrapper)) return undefined;
  if (ts.isFunctionDeclaration(declaration)) return declaration;
  const initializer = ts.isVariableDeclaration(declaration) && declaration.initializer ? skipWrapping(declaration.initializer) : undefined;
  return initializer && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) ? initializer : undefined;
}

/** The parameter's name in `fn(…)`, `fn.call(…)` or `fn.apply(…)`, when the expression is such a call. */
function calledParameter(expression: ts.Expression, wrapped: ts.Symbol, checker: ts.TypeChecker): ts.Identifier | undefined {
  if (!ts.isCallExpression(expression)) return undefined;
  const callee = skipWrapping(expression.expression);
  const target = ts.isPropertyAccessExpression(callee) && (callee.name.text === 'call' || callee.name.text === 'apply') ? skipWrapping(callee.expression) : callee;
  return ts.isIdentifier(target) && checker.getSymbolAtLocation(target) === wrapped ? target : undefined;
}

/** `fn.name`, `fn.length`: reading a property of the function neither calls it nor hands it on. */
function isPropertyRead(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (!ts.isPropertyAccessExpression(parent) || parent.expression !== node) return false;
  const name = parent.name.text;
  return name !== 'call' && name !== 'apply' && name !== 'bind' && !(ts.isCallExpression(parent.parent) && parent.parent.expression === parent);
}

/** A `try` between the return and its function: its `finally` would run before the promise settles, its `catch` would miss the rejection. */
function insideTry(node: ts.Node, fn: ts.Node): boolean {
  for (let current = node.parent; current && current !== fn; current = current.parent) if (ts.isTryStatement(current)) return true;
  return false;
}

function isWithin(node: ts.Node, ancestor: ts.Node): boolean {
  for (let current: ts.Node | undefined = node; current; current = current.parent) if (current === ancestor) return true;
  return false;
}

function isAsync(fn: ts.Node): boolean {
  return ts.canHaveModifiers(fn) && (ts.getModifiers(fn)?.some((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword) ?? false);
}

/** Through parentheses and TypeScript's `x as T`, `<T>x`, `x!`, `x satisfies T`. */
function skipWrapping(expression: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression) || ts.isTypeAssertionExpression(expression) || ts.isNonNullExpression(expression) || ts.isSatisfiesExpression(expression)) {
      expression = expression.expression;
    } else return expression;
  }
}
