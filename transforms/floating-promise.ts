import { ts } from '@ts-morph/common';
import { floatingPromiseVisitors } from '../src/frontends/python/rules/index.js';
import { defineTransform, formatMessage } from '../src/transform.js';
import { skipParentheses } from '../src/frontends/typescript/analyze.js';
import { insertAwait, shorten } from '../src/frontends/typescript/fix-helpers.js';
import { walkTree } from '../src/frontends/typescript/walk.js';
import type { TsReport, TsRuleContext } from '../src/frontends/typescript/rule-context.js';
import { isArrayLikeOnly, isBuiltinPromise } from '../src/frontends/typescript/thenables.js';
import { classifyUse, referencesOf, type PromiseUse } from '../src/frontends/typescript/resolved-uses.js';
import type { FileEditor } from '../src/frontend.js';
import type { FunctionNode } from '../src/model.js';

const floatingPromise = defineTransform({
  id: 'floating-promise',
  severity: 'error',
  docs: {
    what: 'Finds promises (and coroutines) that are created and dropped: not awaited, returned, stored, passed on, `void`-ed or handled; each operand of `?:`, `,` and the logical operators on its own, and arrays of promises. Also a promise of a project async function used as the value it resolves to, stored or not (`const prev = f(p); prev.length`, `prev + 1`, `for (… of prev)`, a `string` parameter, a `number` return): a caller a migration left behind.',
    why: 'A dropped promise runs out of order with the code after it, and its rejection is unhandled: errors vanish or crash the process.',
    examples: {
      typescript: {
        flagged: `export async function save(name: string): Promise<void> {
  console.log(name);
}

export async function register(name: string): Promise<void> {
  save(name);
  console.log('registered');
}
`,
        fixed: `export async function save(name: string): Promise<void> {
  console.log(name);
}

export async function register(name: string): Promise<void> {
  await save(name);
  console.log('registered');
}
`,
        fixedBy: 'migrate --unsafe-fixes',
      },
      python: {
        flagged: `async def save(name: str) -> None:
    print(name)


async def register(name: str) -> None:
    save(name)
    print("registered")
`,
        fixed: `async def save(name: str) -> None:
    print(name)


async def register(name: str) -> None:
    await save(name)
    print("registered")
`,
        fixedBy: 'migrate',
      },
    },
    useInstead: '`await saveAsync(user);` (the enclosing function turns async if it is not), or `void saveAsync(user)` when fire-and-forget is intended; where nothing can await (CommonJS top level), `.catch(…)` that reports the error and sets the exit code. A promise used as its value: `const prev = await f(p);`.',
    fixSafety: 'Unsafe for a promise dropped before the migration: adding `await` makes the code wait where it did not (a fire-and-forget listener or child process, a `Promise.all(…).then(…)` that a later loop resolves), so it is a suggestion (`await` or `void`) applied only with `--unsafe-fixes`; at a CommonJS top level the `.catch` that reports the error is unsafe too. Safe for a promise used as the value it resolves to (a caller a migration left behind) in TypeScript, where the checker rejects most such uses, and in Python, where they raise: it is awaited only when every use of it wants the value, so no concurrency (`Promise.all`) and no handler (`.catch`) changes. In JavaScript such code runs as written (a promise\'s `.code` is `undefined`), so awaiting it there is unsafe. Calls of functions this migration turns async are awaited by the propagation, safely.',
    applicability:
      'unsafe: `await` (or `void`) for a promise dropped before the migration, and a Python coroutine dropped in sync code; safe: awaiting a promise used as its value (unsafe in JavaScript, where that code runs as written), or a coroutine dropped in an `async def`.',
    doesNotFlag: 'Thenables that are not built-in Promises (`PromiseLike`, a class with `then`: typescript-eslint\'s default `checkThenables: false`); `any`; promises awaited, returned, assigned, passed on, `void`-ed, or handled by `.catch(f)` / `.then(_, f)` with a function `f`; a stored promise used only as a promise (awaited later, `.then`/`.catch`/`.finally`, `Promise.all([a, b])`, `asyncio.gather`, a parameter taking a Promise, `unknown`, `any` or a type parameter, returned from an async function or one declared to return a Promise); one used both ways is reported, not fixed.',
    options: [
      {
        flag: '--unsafe-fixes',
        key: 'unsafeFixes',
        effect: '`migrate` also awaits the promises that were dropped before the migration (and, at a CommonJS top level, adds the `.catch` that reports the error).',
      },
    ],
  },
  messages: {
    floating: 'promise from `{expression}` is neither awaited, returned nor handled',
    floatingOwnHandler:
      'promise from `{expression}` is neither awaited, returned nor handled; not fixed: this module installs a `process.on(\'unhandledRejection\', …)` handler, which a `.catch` would bypass',
    floatingArray: 'array of promises `{expression}` is neither awaited nor handled; use `await Promise.all(…)`',
    floatingUselessHandler: 'promise from `{expression}` is not handled: the rejection handler `{handler}` is not always a function',
    callUsedAsValue: 'promise from `{expression}` is used as the value it resolves to ({uses}) without being awaited',
    usedAsValue: 'promise from `{expression}` is stored in `{name}` and used as the value it resolves to ({uses}) without being awaited',
    usedAsValueMixed:
      'promise from `{expression}` is stored in `{name}` and used as the value it resolves to ({uses}) without being awaited; not fixed: `{name}` is also used as a promise or reassigned ({promiseUses}), so await it by hand where the value is needed',
  },
  typescript: {
    [ts.SyntaxKind.ExpressionStatement]: (node, context) => detectFloating(node as ts.ExpressionStatement, context),
    [ts.SyntaxKind.VariableDeclaration]: (node, context) => detectStoredPromise(node as ts.VariableDeclaration, context),
    [ts.SyntaxKind.CallExpression]: (node, context) => detectPromiseUsedAsValue(node as ts.CallExpression, context),
  },
  python: floatingPromiseVisitors,
});
export default floatingPromise;

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
  const shown = shorten(call.getText(context.sourceFile));
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
  const shown = shorten(first.node.getText(sourceFile));
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
