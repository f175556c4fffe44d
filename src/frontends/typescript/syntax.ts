// Syntax predicates and small node helpers the analysis modules share (function kinds, modifiers,
// what a declaration binds its name to).
import { ts } from '@ts-morph/common';
import type { FunctionKind } from '../../model.js';
import { requiredModule } from './imports.js';

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
export const KIND = {
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

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((modifier) => modifier.kind === kind) ?? false);
}

export function hasExportModifier(node: ts.Node): boolean {
  return hasModifier(node, ts.SyntaxKind.ExportKeyword);
}

export function isAbstract(node: ts.Node): boolean {
  return hasModifier(node, ts.SyntaxKind.AbstractKeyword);
}

export function isReadonlyArray(type: ts.Type): boolean {
  const symbol = type.getSymbol();
  return symbol?.getName() === 'ReadonlyArray';
}

export function isDeclarationName(node: ts.Node): boolean {
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

export function functionKind(node: FunctionLike): FunctionKind {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isGetAccessorDeclaration(node)) return 'getter';
  if (ts.isSetAccessorDeclaration(node)) return 'setter';
  if (ts.isMethodSignature(node) || (ts.isMethodDeclaration(node) && isAbstract(node))) return 'abstract-method';
  if (ts.isMethodDeclaration(node)) return 'method';
  if (ts.isFunctionDeclaration(node)) return 'function';
  return 'arrow';
}

/** The untyped variable a function is a member of, when it is a property or method of `const x = { … }`. */
export function objectLiteralHolder(node: FunctionLike): ts.VariableDeclaration | undefined {
  const member = ts.isMethodDeclaration(node) ? node : ts.isPropertyAssignment(node.parent) && node.parent.initializer === node ? node.parent : undefined;
  const literal = member?.parent;
  if (!literal || !ts.isObjectLiteralExpression(literal)) return undefined;
  let holder: ts.Node = literal.parent;
  while (ts.isParenthesizedExpression(holder)) holder = holder.parent;
  // A typed holder (`const store: Store = { … }`) ties its members to the type's members instead.
  return ts.isVariableDeclaration(holder) && !holder.type && ts.isIdentifier(holder.name) ? holder : undefined;
}

/** `api.` for the methods of `const api = { … }`; nothing for anonymous object literals. */
export function objectOwnerPrefix(literal: ts.Node): string {
  const holder = literal.parent;
  return holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? `${holder.name.text}.` : '';
}

/** An argument that may be a function: a name, `a.b`, an arrow or a function expression. */
export function isFunctionValue(argument: ts.Expression): boolean {
  const inner = skipParentheses(argument);
  return ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isArrowFunction(inner) || ts.isFunctionExpression(inner);
}

/** `memoize(loadImpl)`, `traced('x', (n) => …)`: an initializer that may wrap a function. */
export function mayHoldWrappedFunction(initializer: ts.Expression | undefined): boolean {
  const call = initializer && skipParentheses(initializer);
  return call !== undefined && ts.isCallExpression(call) && call.arguments.some(isFunctionValue);
}

/** Module-level holders of wrapped functions are always in the name filter; locals only when given a project function. */
export function isModuleLevelVariable(node: ts.VariableDeclaration): boolean {
  if (!ts.isVariableStatement(node.parent.parent)) return false;
  const container = node.parent.parent.parent;
  return ts.isSourceFile(container) || ts.isModuleBlock(container);
}

/**
 * The expression a declaration binds its name to: an initializer (`const f = …`, a class field, a
 * property `f: …`), or in JavaScript the value of an assignment declaration (`exports.f = …`,
 * `module.exports.f = …`, `module.exports = …`), whose declaration is the assignment or its target.
 */
export function boundValue(declaration: ts.Declaration): ts.Expression | undefined {
  if (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration)) {
    return declaration.initializer && skipParentheses(declaration.initializer);
  }
  const parent = declaration.parent as ts.Node | undefined; // a module's declaration is its SourceFile
  const assignment = ts.isBinaryExpression(declaration) ? declaration : parent && ts.isBinaryExpression(parent) && parent.left === (declaration as ts.Node) ? parent : undefined;
  if (!assignment || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !(assignment.flags & ts.NodeFlags.JavaScriptFile)) return undefined;
  return skipParentheses(assignment.right);
}

/** The module symbol of a `require('./x')` call in JavaScript (one the checker resolved). */
export function requiredModuleSymbol(expression: ts.Expression, checker: ts.TypeChecker): ts.Symbol | undefined {
  if (!requiredModule(expression) || !(expression.flags & ts.NodeFlags.JavaScriptFile)) return undefined;
  const symbol = checker.getSymbolAtLocation((expression as ts.CallExpression).arguments[0]!);
  return symbol && symbol.flags & ts.SymbolFlags.ValueModule ? symbol : undefined;
}
