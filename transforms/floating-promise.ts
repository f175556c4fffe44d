import { ts } from 'ts-morph';
import { floatingPromiseVisitors } from '../src/frontends/python/rules/index.js';
import { defineTransform, formatMessage } from '../src/transform.js';
import { skipParentheses } from '../src/frontends/typescript/analyze.js';
import { shorten } from '../src/frontends/typescript/fix-helpers.js';
import { walkTree } from '../src/frontends/typescript/walk.js';
import type { TsRuleContext } from '../src/frontends/typescript/rule-context.js';

const floatingPromise = defineTransform({
  id: 'floating-promise',
  severity: 'error',
  docs: {
    what: 'Finds promises (and coroutines) that are created and dropped: not awaited, returned, stored, passed on, `void`-ed or handled.',
    why: 'A dropped promise runs out of order with the code after it, and its rejection is unhandled: errors vanish or crash the process.',
    example: 'saveAsync(user); // in an async function',
    useInstead: '`await saveAsync(user);` (the enclosing function turns async if it is not), or `void saveAsync(user)` when fire-and-forget is intended; where nothing can await (CommonJS top level), `.catch(…)` that reports the error and sets the exit code.',
    fixSafety: 'Adding `await` makes the code wait where it did not; that is what the code meant in almost every case, but review fire-and-forget calls.',
  },
  messages: {
    floating: 'promise from `{expression}` is neither awaited, returned nor handled',
    floatingOwnHandler:
      'promise from `{expression}` is neither awaited, returned nor handled; not fixed: this module installs a `process.on(\'unhandledRejection\', …)` handler, which a `.catch` would bypass',
    floatingArray: 'array of promises `{expression}` is neither awaited nor handled; use `await Promise.all(…)`',
  },
  typescript: {
    [ts.SyntaxKind.ExpressionStatement]: (node, context) => detectFloating(node as ts.ExpressionStatement, context),
  },
  python: floatingPromiseVisitors,
});
export default floatingPromise;

function detectFloating(statement: ts.ExpressionStatement, context: TsRuleContext): void {
  const expression = skipParentheses(statement.expression);
  if (ts.isAwaitExpression(expression) || ts.isVoidExpression(expression) || ts.isDeleteExpression(expression)) return;
  if (ts.isBinaryExpression(expression) && isAssignment(expression.operatorToken.kind)) return;
  if (ts.isStringLiteral(expression)) return; // 'use strict'
  if (isHandled(expression)) return;
  const { checker, sourceFile } = context;
  const type = checker.getTypeAtLocation(expression);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  const shown = shorten(expression.getText(sourceFile));
  const enclosing = context.enclosingFunction();
  // Top-level code that cannot await is reported only: the fix there is a person's choice.
  const canAwait = enclosing.kind !== 'module' || enclosing.syncOnly === undefined;
  const start = statement.expression.getStart(sourceFile);
  if (context.isThenable(type, true)) {
    // Where nothing can await (CommonJS top level), handle the rejection the way an uncaught one
    // ended the process: print it and exit with 1.
    const handler = context.isNode
      ? '.catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n})'
      : '.catch((error) => console.error(error))';
    const eol = context.sourceFile.text.includes('\r\n') ? '\r\n' : '\n';
    // The module's own handler decides what a dropped rejection does (often: exit at once); a
    // `.catch` would take that away, so such a module is reported only.
    const ownHandler = !canAwait && installsUnhandledRejectionHandler(sourceFile);
    context.report({
      rule: 'floating-promise',
      node: statement,
      message: formatMessage(floatingPromise.messages[ownHandler ? 'floatingOwnHandler' : 'floating']!, { expression: shown }),
      kind: 'floating',
      needsAsync: canAwait,
      fix: canAwait
        ? (editor) => {
            editor.insert(start, 'await ');
            return true;
          }
        : ownHandler
          ? undefined
          : (editor) => {
            const needsParentheses = !ts.isCallExpression(expression) && !ts.isIdentifier(expression) && !ts.isPropertyAccessExpression(expression);
            if (needsParentheses) editor.insert(start, '(');
            editor.insert(statement.expression.end, `${needsParentheses ? ')' : ''}${handler.replace(/\n/g, eol)}`);
            return true;
          },
    });
    return;
  }
  if (isArrayOfPromises(type, context)) {
    context.report({
      rule: 'floating-promise',
      node: statement,
      message: formatMessage(floatingPromise.messages.floatingArray!, { expression: shown }),
      kind: 'floating',
      needsAsync: true,
      fix: canAwait
        ? (editor) => {
            editor.insert(start, 'await Promise.all(', -statement.expression.end);
            editor.insert(statement.expression.end, ')', -start);
            return true;
          }
        : undefined,
    });
  }
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

/** `.catch(handler)` or `.then(onFulfilled, onRejected)` handles a rejection (no-floating-promises). */
function isHandled(expression: ts.Expression): boolean {
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return false;
  const method = expression.expression.name.text;
  if (method === 'catch') return expression.arguments.length >= 1;
  if (method === 'then') return expression.arguments.length >= 2;
  if (method === 'finally') return isHandled(skipParentheses(expression.expression.expression));
  return false;
}

function isArrayOfPromises(type: ts.Type, context: TsRuleContext): boolean {
  const { checker } = context;
  if (!checker.isArrayType(type) && !checker.isTupleType(type)) return false;
  const elements = checker.getTypeArguments(type as ts.TypeReference);
  return elements.length > 0 && elements.some((element) => context.isThenable(element, true));
}
