// The TypeScript visitors of `floating-promise` (transforms/floating-promise.ts holds its docs, messages and Python visitors).
import { ts } from '@ts-morph/common';
import { formatMessage } from '../../../transform.js';
import { skipParentheses } from '../analyze.js';
import { insertAwait, shorten, shortenExpression } from '../fix-helpers.js';
import { isTestRegistration } from '../test-runners.js';
import { walkTree } from '../walk.js';
import { isArrayLikeOnly, isBuiltinPromise } from '../thenables.js';
import { classifyUse, positionalPromiseUse, referencesOf, type PromiseUse } from '../resolved-uses.js';
import type { FileEditor } from '../../../frontend.js';
import type { FunctionNode } from '../../../model.js';
import floatingPromise from '../../../../transforms/floating-promise.js';
import type { TsReport, TsRuleContext, TsVisitors } from '../rule-context.js';

export const visitors: TsVisitors = {
  [ts.SyntaxKind.ExpressionStatement]: (node, context) => detectFloating(node as ts.ExpressionStatement, context),
  [ts.SyntaxKind.VariableDeclaration]: (node, context) => detectStoredPromise(node as ts.VariableDeclaration, context),
  [ts.SyntaxKind.CallExpression]: (node, context) => detectPromiseUsedAsValue(node as ts.CallExpression, context),
};

/**
 * `const prev = load(p)` where `load` (a project function) already returns a promise and `prev` is
 * used as the value it resolves to (`prev.length`, `prev + 1`): the caller of a function that turned
 * async was left behind (a half-migrated tree). Awaited at the call only when every use wants the
 * value; a promise use beside them (`Promise.all([prev])`, `.then`) is reported, not edited.
 */
function detectStoredPromise(declaration: ts.VariableDeclaration, context: TsRuleContext): void {
  const { name, initializer } = declaration;
  if (!ts.isIdentifier(name) || !initializer) return;
  const call = skipParentheses(initializer);
  if (!ts.isCallExpression(call) || context.resolveCallee(call).length === 0) return;
  const { checker, program, sourceFile } = context;
  const promiseType = checker.getTypeAtLocation(call);
  if (!isBuiltinPromise(program, promiseType)) return;
  const references = referencesOf(checker, declaration as ts.VariableDeclaration & { name: ts.Identifier });
  if (!references) return;
  const uses = references.map((reference) => classifyUse(checker, program, reference, promiseType));
  const valueUses = uses.filter((use) => use.kind === 'resolved');
  if (valueUses.length === 0) return;
  const promiseUses = uses.filter((use) => use.kind === 'promise');
  const data = { expression: shorten(call.getText(sourceFile)), name: name.text, uses: describeUses(valueUses, sourceFile), promiseUses: describeUses(promiseUses, sourceFile) };
  // A declared type (`const prev: Promise<T> = …`) would no longer hold the awaited value.
  const message = formatMessage(floatingPromise.messages[promiseUses.length === 0 ? 'usedAsValue' : 'usedAsValueMixed']!, data);
  reportUsedAsValue(call, message, promiseUses.length === 0 && declaration.type === undefined, context);
}

/**
 * `load(p).length`, `shout(readTitle())`, `` `${count()}` ``: the same half-migrated shape without a
 * variable, where the one use is the call's own position.
 */
function detectPromiseUsedAsValue(call: ts.CallExpression, context: TsRuleContext): void {
  const holder = skipParenthesesUp(call).parent;
  // `const prev = load(p)` is judged by its variable's uses (detectStoredPromise).
  if ((ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) || context.resolveCallee(call).length === 0) return;
  // Awaited, dropped, returned from an async function…: a promise use whatever the type, so the
  // checker is not asked (half of these calls' positions on a large project).
  if (positionalPromiseUse(call) !== undefined) return;
  const { checker, program, sourceFile } = context;
  const promiseType = checker.getTypeAtLocation(call);
  if (!isBuiltinPromise(program, promiseType)) return;
  const use = classifyUse(checker, program, call, promiseType);
  if (use.kind !== 'resolved') return;
  const message = formatMessage(floatingPromise.messages.callUsedAsValue!, { expression: shorten(call.getText(sourceFile)), uses: describeUses([use], sourceFile) });
  reportUsedAsValue(call, message, true, context);
}

/** The finding on the call; its fix awaits the call, where the code can await and the uses allow it. */
function reportUsedAsValue(call: ts.CallExpression, message: string, usesAllowFix: boolean, context: TsRuleContext): void {
  const canAwait = canAwaitIn(context.enclosingFunction());
  // In TypeScript the checker rejects most such uses, so the code never ran as written; JavaScript
  // runs it (a promise's `.code` is `undefined`), and awaiting changes what it does: unsafe there.
  const runsAsWritten = /\.[cm]?jsx?$/.test(context.sourceFile.fileName);
  const shown = shortenExpression(call, context.sourceFile);
  context.report({
    rule: 'floating-promise',
    node: call,
    message,
    kind: 'floating',
    needsAsync: canAwait,
    ...(runsAsWritten ? { applicability: 'unsafe' as const, suggestions: [`await ${shown}`] } : {}),
    fix:
      usesAllowFix && canAwait
        ? (editor) => {
            insertAwait(editor, call, context.sourceFile);
            return true;
          }
        : undefined,
  });
}

/** Anything but top-level code that cannot use top-level await (CommonJS). */
function canAwaitIn(enclosing: FunctionNode): boolean {
  return enclosing.kind !== 'module' || enclosing.syncOnly === undefined;
}

/** The outermost parenthesised expression around the node (the node itself when it has none). */
function skipParenthesesUp(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current.parent)) current = current.parent;
  return current;
}

/** `.length` on line 12, `+` on line 13 (the first three). */
function describeUses(uses: readonly PromiseUse[], sourceFile: ts.SourceFile): string {
  const shown = uses.slice(0, 3).map((use) => `${use.what} on line ${sourceFile.getLineAndCharacterOfPosition(use.node.getStart(sourceFile)).line + 1}`);
  return uses.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}

/** Why a dropped value is a finding: a promise, a rejection handler that is not a function, an array of promises. */
interface Unhandled {
  kind: 'promise' | 'nonFunctionHandler' | 'array';
  /** The expression whose value floats: the one to await. */
  node: ts.Expression;
  /** `.catch(x)` / `.then(f, x)`: the handler that handles nothing. */
  handler?: ts.Expression;
  /** Found inside a comma expression nested in a `?:` or `&&`: no single `await` fixes it. */
  nested?: boolean;
}

function detectFloating(statement: ts.ExpressionStatement, context: TsRuleContext): void {
  const expression = skipParentheses(statement.expression);
  if (ts.isStringLiteral(expression)) return; // 'use strict'
  // Each operand of a comma expression is dropped on its own, the last one with the statement.
  const operands = ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.CommaToken ? commaOperands(expression) : [expression];
  const unhandled = operands.flatMap((operand) => findUnhandled(operand, context, false) ?? []);
  const first = unhandled[0];
  if (!first) return;
  const { sourceFile } = context;
  const shown = shortenExpression(first.node, sourceFile);
  // Top-level code that cannot await (CommonJS) gets a `.catch` that reports the error instead.
  const canAwait = canAwaitIn(context.enclosingFunction());
  const message =
    first.kind === 'array'
      ? formatMessage(floatingPromise.messages.floatingArray!, { expression: shown })
      : first.kind === 'nonFunctionHandler'
        ? formatMessage(floatingPromise.messages.floatingUselessHandler!, { expression: shown, handler: shorten(first.handler!.getText(sourceFile)) })
        : formatMessage(floatingPromise.messages[ownsRejections(canAwait, sourceFile) ? 'floatingOwnHandler' : 'floating']!, { expression: shown });
  context.report({
    rule: 'floating-promise',
    node: statement,
    message,
    kind: 'floating',
    needsAsync: canAwait,
    fix: fixOf(statement, unhandled, canAwait, context),
    // The promise floated before the migration: its caller may have chosen fire-and-forget (a
    // listener, a child process, a deadlock-prone `Promise.all(…).then(…)`), so waiting for it
    // changes timing and error flow. typescript-eslint offers the same two suggestions.
    applicability: 'unsafe',
    suggestions: canAwait ? [`await ${shown}`, `void ${shown}`] : [`${shown}.catch(…)`, `void ${shown}`],
  });
}

/**
 * `await` each floating operand where the code can await; else (CommonJS top level) a `.catch`
 * on the whole statement. None where one edit cannot cover it: a comma expression inside a `?:`,
 * several operands at the top level, or an array that may be `undefined` (`Promise.all(undefined)`
 * rejects).
 */
function fixOf(statement: ts.ExpressionStatement, unhandled: readonly Unhandled[], canAwait: boolean, context: TsRuleContext): TsReport['fix'] {
  const { checker, sourceFile } = context;
  if (unhandled.some((entry) => entry.nested)) return undefined;
  if (!canAwait) {
    const [only] = unhandled;
    if (ownsRejections(canAwait, sourceFile)) return undefined;
    if (unhandled.length !== 1 || only!.node !== skipParentheses(statement.expression) || only!.kind === 'array') return undefined;
    return (editor) => {
      catchAtTopLevel(editor, statement, context);
      return true;
    };
  }
  if (unhandled.some((entry) => entry.kind === 'array' && !isArrayLikeOnly(checker, checker.getTypeAtLocation(entry.node)))) return undefined;
  return (editor) => {
    for (const entry of unhandled) awaitValue(editor, entry, sourceFile);
    return true;
  };
}

/** `a, b, c` -> [a, b, c]. */
function commaOperands(expression: ts.BinaryExpression): ts.Expression[] {
  const left = skipParentheses(expression.left);
  const head = ts.isBinaryExpression(left) && left.operatorToken.kind === ts.SyntaxKind.CommaToken ? commaOperands(left) : [expression.left];
  return [...head, expression.right];
}

/**
 * no-floating-promises' decision, for a value nobody uses: assignments and awaits are handled; a
 * `.catch(f)` or `.then(_, f)` with a function `f` handles the rejection; `.finally` passes the
 * question to its receiver; each branch of `?:` and each side of `&&` `||` `??` is judged on its
 * own, and so is each operand of a comma expression.
 */
function findUnhandled(expression: ts.Expression, context: TsRuleContext, nested: boolean): Unhandled | undefined {
  const node = skipParentheses(expression);
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    if (isAssignment(operator)) return undefined;
    if (operator === ts.SyntaxKind.CommaToken) {
      for (const operand of commaOperands(node)) {
        const found = findUnhandled(operand, context, true);
        if (found) return { ...found, nested: nested || found.nested };
      }
      return undefined;
    }
  }
  const { checker } = context;
  const value = context.oracle.valueKind(node, !ts.isAwaitExpression(node));
  if (value === 'promise-array') return { kind: 'array', node: expression };
  if (value !== 'promise') return undefined;
  if (ts.isCallExpression(node)) {
    if (isTestRegistration(node, checker)) return undefined;
    const method = promiseMethodOf(node);
    if (method === 'catch' || method === 'then') {
      const handler = rejectionHandler(node, method);
      if (!handler) return { kind: 'promise', node: expression };
      return checker.getTypeAtLocation(handler).getCallSignatures().length > 0 ? undefined : { kind: 'nonFunctionHandler', node: expression, handler };
    }
    if (method === 'finally') {
      const receiver = findUnhandled(calleeObject(node)!, context, nested);
      // The statement's value is the `.finally(…)` call: that is what gets awaited.
      return receiver && { ...receiver, node: expression };
    }
    return { kind: 'promise', node: expression };
  }
  if (ts.isConditionalExpression(node)) {
    const branch = findUnhandled(node.whenFalse, context, true) ?? findUnhandled(node.whenTrue, context, true);
    return branch && { ...branch, node: expression };
  }
  if (ts.isBinaryExpression(node) && isLogical(node.operatorToken.kind)) {
    const side = findUnhandled(node.left, context, true) ?? findUnhandled(node.right, context, true);
    return side && { ...side, node: expression };
  }
  return { kind: 'promise', node: expression };
}

function isLogical(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken;
}

/**
 * Top-level code that cannot await, in a module with its own `unhandledRejection` handler: that
 * handler decides what a dropped rejection does (often: exit at once), and a `.catch` would take
 * it away, so the finding is reported without a fix.
 */
function ownsRejections(canAwait: boolean, sourceFile: ts.SourceFile): boolean {
  return !canAwait && installsUnhandledRejectionHandler(sourceFile);
}

const handlerInstalled = new WeakMap<ts.SourceFile, boolean>();

/** `process.on('unhandledRejection', …)` (or `once`, `addListener`, `prependListener`) anywhere in the file. */
function installsUnhandledRejectionHandler(sourceFile: ts.SourceFile): boolean {
  let installed = handlerInstalled.get(sourceFile);
  if (installed === undefined) {
    let found = false;
    walkTree(sourceFile, (node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        ts.isIdentifier(node.expression.expression) &&
        node.expression.expression.text === 'process' &&
        ['on', 'once', 'addListener', 'prependListener', 'prependOnceListener'].includes(node.expression.name.text) &&
        node.arguments[0] !== undefined &&
        ts.isStringLiteralLike(node.arguments[0]) &&
        node.arguments[0].text === 'unhandledRejection'
      ) {
        found = true;
      }
      return !found;
    });
    installed = found;
    handlerInstalled.set(sourceFile, installed);
  }
  return installed;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** `p.then(…)`, `p['catch'](…)`: the method name, when it is written statically. */
function promiseMethodOf(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression)) return callee.argumentExpression.text;
  return undefined;
}

function calleeObject(call: ts.CallExpression): ts.Expression | undefined {
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee) ? callee.expression : undefined;
}

/** The rejection handler as written: `.catch(h)`, `.then(f, h)`; none behind a spread (`.then(...args)`). */
function rejectionHandler(call: ts.CallExpression, method: 'catch' | 'then'): ts.Expression | undefined {
  const index = method === 'catch' ? 0 : 1;
  const upToHandler = call.arguments.slice(0, index + 1);
  if (upToHandler.length <= index || upToHandler.some(ts.isSpreadElement)) return undefined;
  return upToHandler[index];
}

/** `await x`, parenthesised where the operand binds looser than `await` (`a ? b : c`, `a && b`). */
function awaitValue(editor: FileEditor, entry: Unhandled, sourceFile: ts.SourceFile): void {
  const start = entry.node.getStart(sourceFile);
  const end = entry.node.end;
  const opening = entry.kind === 'array' ? 'await Promise.all(' : bindsLooserThanAwait(entry.node) ? 'await (' : 'await ';
  editor.insert(start, opening, -end);
  if (opening.endsWith('(')) editor.insert(end, ')', -start);
}

function bindsLooserThanAwait(node: ts.Expression): boolean {
  return (
    ts.isBinaryExpression(node) ||
    ts.isConditionalExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isYieldExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node)
  );
}

/**
 * Where nothing can await (CommonJS top level), handle the rejection the way an uncaught one ended
 * the process: print it and set the exit code.
 */
function catchAtTopLevel(editor: FileEditor, statement: ts.ExpressionStatement, context: TsRuleContext): void {
  const { sourceFile } = context;
  const expression = skipParentheses(statement.expression);
  const handler = context.isNode ? '.catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n})' : '.catch((error) => console.error(error))';
  const eol = sourceFile.text.includes('\r\n') ? '\r\n' : '\n';
  const needsParentheses = !ts.isCallExpression(expression) && !ts.isIdentifier(expression) && !ts.isPropertyAccessExpression(expression);
  if (needsParentheses) editor.insert(statement.expression.getStart(sourceFile), '(');
  editor.insert(statement.expression.end, `${needsParentheses ? ')' : ''}${handler.replace(/\n/g, eol)}`);
}
