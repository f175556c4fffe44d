import { ts } from '@ts-morph/common';
import { blockingSleepVisitors } from '../src/frontends/python/rules/index.js';
import { SYNC_SLEEP_PACKAGES } from '../src/data/ts-blocking-apis.js';
import { BLOCKING_RULE_OPTIONS, defineTransform, formatMessage } from '../src/transform.js';
import { isStatementCall, replaceWithSleep, sleepExpression, textOf } from '../src/frontends/typescript/fix-helpers.js';
import { resolveImportedCallee } from '../src/frontends/typescript/imports.js';
import type { TsRuleContext } from '../src/frontends/typescript/rule-context.js';

const SHELL_SLEEP = /^sleep\s+(\d+(?:\.\d+)?)\s*$/;
const CLOCK_READS = ['Date.now()', 'performance.now()', 'new Date().getTime()', 'new Date().valueOf()', '+new Date()', 'process.hrtime.bigint()'];

const blockingSleep = defineTransform({
  id: 'blocking-sleep',
  severity: 'error',
  docs: {
    what: 'Finds sleeps that park the thread: `Atomics.wait` sleeps, busy-wait loops on the clock, `execSync("sleep …")`, sync-sleep packages, `time.sleep`.',
    why: 'The event loop runs one thing at a time: while a sleep blocks it, every other request, timer and callback waits too.',
    examples: {
      typescript: {
        flagged: `function backoff(attempt: number): void {
  console.log('retrying', attempt);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 * 2 ** attempt);
}

export async function retry(task: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt === 2) throw error;
      backoff(attempt);
    }
  }
}
`,
        fixed: `import { setTimeout as sleep } from 'node:timers/promises';

async function backoff(attempt: number): Promise<void> {
  console.log('retrying', attempt);
  await sleep(100 * 2 ** attempt);
}

export async function retry(task: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt === 2) throw error;
      await backoff(attempt);
    }
  }
}
`,
        fixedBy: 'migrate',
      },
      python: {
        flagged: `import time


def pause(seconds: float) -> None:
    time.sleep(seconds)


async def retry(task):
    for _ in range(3):
        try:
            return await task()
        except OSError:
            pause(0.1)
`,
        fixed: `import asyncio


async def pause(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def retry(task):
    for _ in range(3):
        try:
            return await task()
        except OSError:
            await pause(0.1)
`,
        fixedBy: 'migrate',
      },
    },
    useInstead:
      '`await setTimeout(ms)` from node:timers/promises (Python: `await asyncio.sleep(…)`); the enclosing function turns async and its callers await it. A TypeScript function that is nothing but a sleep (`sleepSync(ms)`) stays for its sync callers, and gains an async twin (`sleepAsync`) that its async callers move to.',
    fixSafety: 'Safe where the sleep is a statement; a sleep inside a constructor or getter cannot be awaited and is reported as blocked.',
    applicability:
      'safe: the sleep becomes an awaited timer in a function that is or turns async; unsafe: one whose chain needs `await Promise.all(xs.map(cb))` (the callbacks would run concurrently) or the bridge `main().catch(…)` with top-level code after `main();`; reported without a fix where it cannot be awaited (a constructor, a getter, an expression).',
    doesNotFlag: 'Sleeps that only sync code reaches (startup, scripts) under the default `--scope reachable`; timer waits (`setTimeout`, `await sleep(…)`).',
    options: [...BLOCKING_RULE_OPTIONS],
  },
  messages: {
    atomics: '`Atomics.wait` sleeps for `{ms}` ms and blocks the event loop; use `await setTimeout(ms)` from node:timers/promises',
    busyWait: 'busy-wait loop on `{clock}` blocks the event loop; use `await setTimeout(ms)` from node:timers/promises',
    shell: '`{callee}` runs `sleep` synchronously and blocks the event loop; use `await setTimeout(ms)` from node:timers/promises',
    package: '`{callee}` from the `{module}` package sleeps synchronously; use `await setTimeout(ms)` from node:timers/promises',
  },
  typescript: {
    [ts.SyntaxKind.CallExpression]: (node, context) => detectSleepCall(node as ts.CallExpression, context),
    [ts.SyntaxKind.WhileStatement]: (node, context) => detectBusyWait(node as ts.WhileStatement, context),
    [ts.SyntaxKind.ForStatement]: (node, context) => detectBusyWait(node as ts.ForStatement, context),
  },
  python: blockingSleepVisitors,
});
export default blockingSleep;

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
