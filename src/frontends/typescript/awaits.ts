// Await analysis: whether a call is awaited, where `await` cannot be written, top-level await.
import { ts } from '@ts-morph/common';
import { isFunctionLike } from './syntax.js';
import { walkTree } from './walk.js';

/** The expression's value is awaited (through parentheses). */
export function isAwaited(node: ts.Node): boolean {
  let parent = node.parent;
  while (parent && ts.isParenthesizedExpression(parent)) parent = parent.parent;
  return parent !== undefined && ts.isAwaitExpression(parent);
}

/**
 * The call's value is used as it is: not awaited, dropped (`f();`, `void f()`) or returned (an async
 * caller's result adopts a returned thenable, awaited or not), but passed on, stored, or a member read.
 */
export function usesValueAsIs(call: ts.Expression): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isAwaitExpression(parent) || ts.isExpressionStatement(parent) || ts.isVoidExpression(parent) || ts.isReturnStatement(parent)) return false;
  return !(ts.isArrowFunction(parent) && parent.body === node);
}

/** Where `await` cannot be written: default parameter values, class field initializers, decorators. */
export function positionWithoutAwait(node: ts.Node, sourceFile: ts.SourceFile): string | undefined {
  for (let current = node.parent; current && current !== sourceFile; current = current.parent) {
    if (isFunctionLike(current)) return undefined;
    if (ts.isParameter(current)) return 'a default parameter value';
    if (ts.isPropertyDeclaration(current)) return 'a class field initializer';
    if (ts.isDecorator(current)) return 'a decorator';
    if (ts.isClassStaticBlockDeclaration(current)) return 'a static block';
  }
  return undefined;
}

/** An `await` (or `for await`) outside every function and class: the module evaluates asynchronously. */
export function awaitsAtTopLevel(sourceFile: ts.SourceFile): boolean {
  let found = false;
  walkTree(sourceFile, (node) => {
    if (found || isFunctionLike(node) || ts.isClassLike(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) found = true;
    return !found;
  });
  return found;
}
