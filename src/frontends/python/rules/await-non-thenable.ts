// await-non-thenable: `await` on what a project sync function returns (agents awaiting a sync
// Protocol method). The fix is the callee turning async; the fallback removes the `await`.
import type { PyFunction } from '../modules.js';
import type { PyRuleContext, PyVisitors } from '../rule-context.js';
import type { PyNode } from '../parser.js';

export const MESSAGES = {
  notAwaitable: '`{callee}` is a sync function: awaiting what it returns fails at run time',
} as const;

function awaitedCall(node: PyNode): PyNode | undefined {
  let inner = node.namedChild(0);
  while (inner?.type === 'parenthesized_expression') inner = inner.namedChild(0);
  return inner?.type === 'call' ? inner : undefined;
}

const AWAITABLE_TYPE = /\b(Awaitable|Coroutine|Future|Task)\b/;

/**
 * A sync function can hand back something awaitable: annotated so, or returning a coroutine, a task
 * or a future it made (`def fetch(self): return self._fetch()`). Awaiting that is right.
 */
function mayReturnAwaitable(fn: PyFunction, context: PyRuleContext): boolean {
  const annotation = fn.node.childForFieldName('return_type');
  if (annotation) return AWAITABLE_TYPE.test(annotation.text);
  const body = fn.node.childForFieldName('body');
  for (const statement of body?.descendantsOfType('return_statement') ?? []) {
    const value = statement?.namedChild(0);
    const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
    if (!callee) continue;
    const returned = context.resolver.resolveExpression(callee, fn, fn.module);
    if (returned?.kind === 'function' && returned.fn.isAsync) return true;
    if (returned?.kind === 'external' && returned.path.startsWith('asyncio.')) return true;
  }
  return false;
}

export const awaitNonThenableVisitors: PyVisitors = {
  await(node, context: PyRuleContext) {
    const call = awaitedCall(node);
    if (!call) return;
    const symbol = context.resolveCallee(call);
    if (symbol?.kind !== 'function' || symbol.fn.isAsync || symbol.fn.kind === 'constructor') return;
    if (mayReturnAwaitable(symbol.fn, context)) return;
    context.report({
      rule: 'await-non-thenable',
      node,
      message: MESSAGES.notAwaitable.replace('{callee}', symbol.fn.qualName),
      kind: 'await',
      needsAsync: false,
      awaitedCallee: symbol.fn.id,
      fix: () => true, // the planner turns the callee async (or moves this call to its async sibling)
      fallbackFix: (editor) => {
        const operand = node.namedChild(0);
        if (!operand) return false;
        editor.replace(node.startIndex, operand.startIndex, '');
        return true;
      },
    });
  },
};
