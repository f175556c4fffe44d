// floating-promise: a coroutine created and dropped (`save()` as a statement, `save` being async).
// Inside a function the fix awaits it; at module level it bridges with `asyncio.run(…)`.
import type { FileEditor } from '../../../frontend.js';
import type { PyNode } from '../parser.js';
import type { PyVisitors } from '../rule-context.js';
import { insertAwait } from './fixes.js';

export const MESSAGES = {
  dropped: 'The coroutine from `{callee}` is never awaited, so its body never runs',
} as const;

const KNOWN_COROUTINE_FUNCTIONS = new Set(['asyncio.sleep', 'asyncio.wait_for', 'asyncio.gather']);

export const floatingPromiseVisitors: PyVisitors = {
  expression_statement(node, context) {
    const call = node.namedChild(0);
    if (call?.type !== 'call' || node.namedChildCount !== 1) return;
    const symbol = context.resolveCallee(call);
    const isCoroutine =
      (symbol?.kind === 'function' && symbol.fn.isAsync && symbol.fn.kind !== 'module') ||
      (symbol?.kind === 'external' && KNOWN_COROUTINE_FUNCTIONS.has(symbol.path));
    if (!isCoroutine) return;
    const atTopLevel = context.enclosing.kind === 'module';
    context.report({
      rule: 'floating-promise',
      node: call,
      message: MESSAGES.dropped.replace('{callee}', call.childForFieldName('function')!.text),
      kind: 'floating',
      needsAsync: !atTopLevel,
      fix: awaitCoroutineFix(call, atTopLevel),
    });
  },
};

/** Awaits a dropped coroutine; at module level, where nothing can await, runs it with `asyncio.run`. */
export function awaitCoroutineFix(call: PyNode, atTopLevel: boolean): (editor: FileEditor) => boolean {
  return (editor) => {
    if (!atTopLevel) {
      insertAwait(editor, call);
      return true;
    }
    const asyncio = editor.ensureImport('asyncio', 'asyncio');
    editor.insert(call.startIndex, `${asyncio}.run(`, 0);
    editor.insert(call.endIndex, ')', 1);
    return true;
  };
}
