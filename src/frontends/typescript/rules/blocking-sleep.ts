// The TypeScript visitors of `blocking-sleep` (transforms/blocking-sleep.ts holds its docs, messages and Python visitors).
import { ts } from '@ts-morph/common';
import { SYNC_SLEEP_PACKAGES } from '../../../data/ts-blocking-apis.js';
import { formatMessage } from '../../../transform.js';
import { isStatementCall, replaceWithSleep, sleepExpression, textOf } from '../fix-helpers.js';
import { resolveImportedCallee } from '../imports.js';
import blockingSleep from '../../../../transforms/blocking-sleep.js';
import type { TsRuleContext, TsVisitors } from '../rule-context.js';

const SHELL_SLEEP = /^sleep\s+(\d+(?:\.\d+)?)\s*$/;
const CLOCK_READS = ['Date.now()', 'performance.now()', 'new Date().getTime()', 'new Date().valueOf()', '+new Date()', 'process.hrtime.bigint()'];

export const visitors: TsVisitors = {
  [ts.SyntaxKind.CallExpression]: (node, context) => detectSleepCall(node as ts.CallExpression, context),
  [ts.SyntaxKind.WhileStatement]: (node, context) => detectBusyWait(node as ts.WhileStatement, context),
  [ts.SyntaxKind.ForStatement]: (node, context) => detectBusyWait(node as ts.ForStatement, context),
};

function message(id: keyof typeof blockingSleep.messages, data: Record<string, string>): string {
  return formatMessage(blockingSleep.messages[id]!, data);
}

function reportSleep(context: TsRuleContext, node: ts.CallExpression, ms: string, text: string): void {
  const fixable = isStatementCall(node);
  context.report({
    rule: 'blocking-sleep',
    node,
    message: text,
    kind: 'blocking',
    needsAsync: true,
    fix: fixable ? (editor) => replaceWithSleep(editor, node, context.sourceFile, ms, context.isNode) : undefined,
  });
}

function detectSleepCall(call: ts.CallExpression, context: TsRuleContext): void {
  const callee = call.expression;
  const { sourceFile } = context;
  // Atomics.wait(int32, index, value, timeout): with a timeout and nobody to notify, it is a sleep.
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'wait' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Atomics') {
    const timeout = call.arguments[3];
    if (!timeout) return;
    const ms = textOf(timeout, sourceFile);
    reportSleep(context, call, ms, message('atomics', { ms }));
    return;
  }
  const imported = resolveImportedCallee(callee, context.imports);
  if (!imported) return;
  if (imported.module === 'child_process' && ['execSync', 'execFileSync', 'spawnSync'].includes(imported.name)) {
    const seconds = shellSleepSeconds(call);
    if (seconds === undefined) return;
    reportSleep(context, call, String(Math.round(seconds * 1000)), message('shell', { callee: imported.name }));
    return;
  }
  const exports = SYNC_SLEEP_PACKAGES[imported.module];
  const entry = exports?.find((candidate) => candidate.names.includes(imported.name));
  const amount = call.arguments[0];
  if (!entry || !amount) return;
  const amountText = textOf(amount, sourceFile);
  const ms = entry.unit === 's' ? `(${amountText}) * 1000` : entry.unit === 'us' ? `(${amountText}) / 1000` : amountText;
  reportSleep(context, call, ms, message('package', { callee: textOf(callee, sourceFile), module: imported.module }));
}

/** `execSync('sleep 0.5')`, `spawnSync('sleep', ['0.5'])`: the seconds slept, else undefined. */
export function shellSleepSeconds(call: ts.CallExpression): number | undefined {
  const [first, second] = call.arguments;
  if (!first || !ts.isStringLiteralLike(first)) return undefined;
  const inline = SHELL_SLEEP.exec(first.text);
  if (inline) return Number(inline[1]);
  if (first.text === 'sleep' && second && ts.isArrayLiteralExpression(second) && second.elements.length === 1) {
    const arg = second.elements[0]!;
    if (ts.isStringLiteralLike(arg) && /^\d+(\.\d+)?$/.test(arg.text)) return Number(arg.text);
  }
  return undefined;
}

/** `while (Date.now() < end) {}`: an empty loop whose condition compares a clock read. */
function detectBusyWait(loop: ts.WhileStatement | ts.ForStatement, context: TsRuleContext): void {
  const condition = ts.isWhileStatement(loop) ? loop.expression : loop.condition;
  if (!condition || !isEmptyBody(loop.statement)) return;
  if (ts.isForStatement(loop) && loop.incrementor) return;
  if (!ts.isBinaryExpression(condition)) return;
  const operator = condition.operatorToken.kind;
  if (operator !== ts.SyntaxKind.LessThanToken && operator !== ts.SyntaxKind.LessThanEqualsToken) return;
  const { sourceFile } = context;
  const left = textOf(condition.left, sourceFile);
  const clock = CLOCK_READS.find((read) => left.replace(/\s+/g, '').includes(read.replace(/\s+/g, '')));
  if (!clock || clock === 'process.hrtime.bigint()') {
    if (clock) context.report({ rule: 'blocking-sleep', node: loop, message: message('busyWait', { clock }), kind: 'blocking', needsAsync: true });
    return;
  }
  // The time left is (right) - (left): `end - Date.now()`, `ms - (Date.now() - start)`.
  const right = textOf(condition.right, sourceFile);
  const remaining = left === clock ? `${right} - ${clock}` : `${right} - (${left})`;
  const fixable = ts.isBlock(loop.parent) || ts.isSourceFile(loop.parent);
  context.report({
    rule: 'blocking-sleep',
    node: loop,
    message: message('busyWait', { clock }),
    kind: 'blocking',
    needsAsync: true,
    fix: fixable
      ? (editor) => {
          const sleep = sleepExpression(editor, `Math.max(0, ${remaining})`, context.isNode);
          editor.replace(loop.getStart(sourceFile), loop.end, `await ${sleep};`);
          return true;
        }
      : undefined,
  });
}

function isEmptyBody(statement: ts.Statement): boolean {
  return ts.isEmptyStatement(statement) || (ts.isBlock(statement) && statement.statements.length === 0);
}
