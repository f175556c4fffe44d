// Small edit recipes shared by the TypeScript transforms and the plan emitter.
import { ts } from '@ts-morph/common';
import type { FileEditor } from '../../frontend.js';

/**
 * `await x` must be parenthesised where the expression is the target of a member access or call; it
 * is, for readability (prettier's style), as the operand of a unary operator: `!(await exists(p))`.
 */
export function needsParenthesesForAwait(node: ts.Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isPrefixUnaryExpression(parent) || ts.isTypeOfExpression(parent)) return true;
  if (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) return parent.expression === node;
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) return parent.expression === node;
  if (ts.isTaggedTemplateExpression(parent)) return parent.tag === node;
  if (ts.isNonNullExpression(parent)) return true;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) return parent.left === node;
  return false;
}

/**
 * Inserts `await ` (or `(await …)`) around a node. `order` keeps nested insertions at one offset
 * well ordered: outer openings first, inner closings first.
 */
export function insertAwait(editor: FileEditor, node: ts.Node, sourceFile: ts.SourceFile): void {
  const start = node.getStart(sourceFile);
  if (needsParenthesesForAwait(node)) {
    editor.insert(start, '(await ', -node.end);
    editor.insert(node.end, ')', -start);
  } else {
    editor.insert(start, 'await ', -node.end);
  }
}

/** The expression that sleeps `ms` without blocking: timers/promises on Node, a timer promise elsewhere. */
export function sleepExpression(editor: FileEditor, ms: string, isNode: boolean): string {
  if (!isNode) return `new Promise((resolve) => setTimeout(resolve, ${ms}))`;
  const local = editor.ensureImport('node:timers/promises', 'setTimeout', 'sleep');
  return `${local}(${ms})`;
}

/** Replaces a whole call (an expression statement's) with `await <sleep>(ms)`. */
export function replaceWithSleep(editor: FileEditor, node: ts.Node, sourceFile: ts.SourceFile, ms: string, isNode: boolean): boolean {
  const replacement = `await ${sleepExpression(editor, ms, isNode)}`;
  editor.replace(node.getStart(sourceFile), node.end, needsParenthesesForAwait(node) ? `(${replacement})` : replacement);
  return true;
}

/** Text of a node as written. */
export function textOf(node: ts.Node, sourceFile: ts.SourceFile): string {
  return sourceFile.text.slice(node.getStart(sourceFile), node.end);
}

/** The statement is an expression statement whose value nobody uses. */
export function isStatementCall(node: ts.Node): boolean {
  let current = node;
  while (current.parent && ts.isParenthesizedExpression(current.parent)) current = current.parent;
  return current.parent !== undefined && ts.isExpressionStatement(current.parent);
}

/** An expression shown in a message: long ones are cut to 60 characters. */
export function shorten(source: string): string {
  // A snippet is quoted on one line: newlines and indentation collapse to one space.
  const text = source.replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * An expression quoted in a message, short enough to read: a long call chain keeps its callees and
 * drops its arguments and function bodies (`getPort().then(…)`, `(async () => {…})()`), where
 * `shorten` would cut it mid-argument.
 */
export function shortenExpression(node: ts.Node, sourceFile: ts.SourceFile): string {
  const text = node.getText(sourceFile).replace(/\s+/g, ' ');
  if (text.length <= 60) return text;
  if (ts.isCallExpression(node)) return `${shortenExpression(node.expression, sourceFile)}(${node.arguments.length ? '…' : ''})`;
  if (ts.isNewExpression(node)) return `new ${shortenExpression(node.expression, sourceFile)}(…)`;
  if (ts.isPropertyAccessExpression(node)) return `${shortenExpression(node.expression, sourceFile)}.${node.name.getText(sourceFile)}`;
  if (ts.isParenthesizedExpression(node)) return `(${shortenExpression(node.expression, sourceFile)})`;
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const head = sourceFile.text.slice(node.getStart(sourceFile), node.body.getStart(sourceFile)).replace(/\s+/g, ' ');
    if (head.length <= 60) return `${head}${ts.isBlock(node.body) ? '{…}' : '…'}`;
  }
  return shorten(text);
}

/**
 * Adds an argument after a call's last one, in the call's own layout: on the same line in a one-line
 * call; on its own line, with the same indent, after a trailing comma and comment in a call written
 * one argument per line (`f(\n  a, // why\n)` keeps its comment and its trailing comma).
 */
export function appendArgument(editor: FileEditor, call: ts.CallExpression, argument: string, sourceFile: ts.SourceFile): void {
  const text = sourceFile.text;
  const last = call.arguments[call.arguments.length - 1];
  if (!last) {
    editor.insert(call.arguments.end, argument);
    return;
  }
  const lastStart = last.getStart(sourceFile);
  const lineStart = text.lastIndexOf('\n', lastStart - 1) + 1;
  const ownLine = /^[ \t]*$/.test(text.slice(lineStart, lastStart));
  if (!ownLine) {
    editor.insert(last.end, `, ${argument}`);
    return;
  }
  const indent = text.slice(lineStart, lastStart);
  const hasTrailingComma = call.arguments.hasTrailingComma;
  const commaEnd = hasTrailingComma ? text.indexOf(',', last.end) + 1 : last.end;
  // The rest of the last argument's line (a comment) stays with it.
  const rest = /^[ \t]*(?:\/\/[^\r\n]*|\/\*[^\r\n]*?\*\/[ \t]*)*/.exec(text.slice(commaEnd))![0];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (!hasTrailingComma) editor.insert(last.end, ',');
  editor.insert(commaEnd + rest.length, `${eol}${indent}${argument}${hasTrailingComma ? ',' : ''}`);
}

/**
 * The declared result of a function turning async: `T` becomes `Promise<T>`, and a union that
 * already admits a promise (`void | Promise<void>`, `T | PromiseLike<T>`) becomes the promise of its
 * values (`Promise<void>`), not a promise of a promise.
 */
export function asyncResultTypeText(type: ts.TypeNode, sourceFile: ts.SourceFile): string {
  const promise = globalPromiseName(sourceFile);
  if (!ts.isUnionTypeNode(type)) return `${promise}<${type.getText(sourceFile)}>`;
  const parts: string[] = [];
  let admitsPromise = false;
  for (const member of type.types) {
    const promised =
      ts.isTypeReferenceNode(member) && ts.isIdentifier(member.typeName) && /^(Promise|PromiseLike)$/.test(member.typeName.text) && member.typeArguments?.length === 1
        ? member.typeArguments[0]!
        : undefined;
    if (promised) admitsPromise = true;
    const text = (promised ?? member).getText(sourceFile);
    if (!parts.includes(text)) parts.push(text);
  }
  return admitsPromise ? `${promise}<${parts.join(' | ')}>` : `${promise}<${type.getText(sourceFile)}>`;
}

const promiseNames = new WeakMap<ts.SourceFile, string>();

/**
 * How this file names the global Promise: `Promise`, or `globalThis.Promise` where the file binds a
 * `Promise` of its own (`import Promise from 'bluebird'`), since an async function must declare the
 * global one (TS1064).
 */
export function globalPromiseName(sourceFile: ts.SourceFile): string {
  let name = promiseNames.get(sourceFile);
  if (name === undefined) {
    name = sourceFile.statements.some(bindsPromise) ? 'globalThis.Promise' : 'Promise';
    promiseNames.set(sourceFile, name);
  }
  return name;
}

function bindsPromise(statement: ts.Statement): boolean {
  const isPromise = (identifier: ts.Identifier | undefined): boolean => identifier?.text === 'Promise';
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (!clause) return false;
    if (isPromise(clause.name)) return true;
    const bindings = clause.namedBindings;
    return bindings !== undefined && (ts.isNamespaceImport(bindings) ? isPromise(bindings.name) : bindings.elements.some((element) => isPromise(element.name)));
  }
  if (ts.isImportEqualsDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
    return isPromise(statement.name);
  }
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.some((declaration) => ts.isIdentifier(declaration.name) && isPromise(declaration.name));
  return false;
}
