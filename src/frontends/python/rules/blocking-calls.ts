// blocking-sleep and blocking-io: calls that park the thread the event loop runs on. Cheapest first:
// the node is a call not already awaited, then its resolved path is looked up in the table.
import type { FileEditor } from '../../../frontend.js';
import { BLOCKING_METHOD_NAMES, findBlockingApi, type BlockingApi } from '../blocking-apis.js';
import type { PyNode } from '../parser.js';
import { qualifiedNameOf, type PySymbol } from '../resolver.js';
import type { PyRuleContext, PyVisitors } from '../rule-context.js';
import { insertAwait, renameAndAwait, replaceCalleeAndAwait, wrapInThread } from './fixes.js';

export const MESSAGES = {
  sleeps: '`{callee}` blocks the event loop; use `{replacement}`',
  blocks: '`{callee}` blocks the event loop; use `{replacement}`',
} as const;

function pathOf(symbol: PySymbol | undefined): string | undefined {
  if (symbol?.kind === 'external') return symbol.path;
  if (symbol?.kind === 'function') return qualifiedNameOf(symbol.fn);
  return undefined;
}

/** The table entry for a call, or a sibling `x_async` of a project method. */
function blockingApiFor(call: PyNode, context: PyRuleContext): BlockingApi | undefined {
  const callee = call.childForFieldName('function');
  if (!callee || (callee.type !== 'identifier' && callee.type !== 'attribute')) return undefined;
  const symbol = context.resolveCallee(call);
  const path = pathOf(symbol);
  const api = path ? findBlockingApi(context.blockingApis, path) : undefined;
  if (api) return api;
  if (symbol?.kind === 'function' && symbol.fn.cls && !symbol.fn.isAsync) {
    const siblingName = `${symbol.fn.name}_async`;
    const sibling = context.resolver.findMethod(symbol.fn.cls, siblingName);
    if (sibling?.isAsync && context.enclosing.name !== siblingName) {
      // Only async code moves to the sibling: a sync caller keeps the sync API (the dual strategy's promise).
      return { path: qualifiedNameOf(symbol.fn), rule: 'blocking-io', asyncContextOnly: true, fix: { kind: 'rename', name: siblingName }, replacement: `await ….${siblingName}(…)` };
    }
  }
  if (!symbol && callee.type === 'attribute') {
    const method = callee.childForFieldName('attribute')!.text;
    if (BLOCKING_METHOD_NAMES.has(method)) return findBlockingApi(context.blockingApis, `pathlib.Path.${method}`);
  }
  return undefined;
}

/** The `redis.Redis(...)` that made the receiver `self.x`, when it is in this file. */
function clientConstructor(call: PyNode, context: PyRuleContext): PyNode | undefined {
  const receiver = call.childForFieldName('function')?.childForFieldName('object');
  const cls = context.enclosing.cls;
  if (!receiver || receiver.type !== 'attribute' || !cls) return undefined;
  const attr = receiver.childForFieldName('attribute')!.text;
  for (const klass of context.resolver.mro(cls)) {
    const info = klass.attributes.get(attr);
    if (!info) continue;
    if (info.valueNode?.type === 'call' && klass.module === context.module) return info.valueNode.childForFieldName('function') ?? undefined;
    return undefined;
  }
  return undefined;
}

function fixFor(api: BlockingApi, call: PyNode, context: PyRuleContext): ((editor: FileEditor) => boolean) | undefined {
  const fix = api.fix;
  switch (fix.kind) {
    case 'replace-callee':
      return (editor) => replaceCalleeAndAwait(editor, call, fix.callee, fix.importModule);
    case 'to-thread':
      return (editor) => wrapInThread(editor, call);
    case 'rename':
      return (editor) => renameAndAwait(editor, call, fix.name);
    case 'async-client': {
      const constructor = clientConstructor(call, context);
      if (!constructor) return (editor) => wrapInThread(editor, call);
      const group = `${context.file}:${constructor.startIndex}`;
      const at = context.module.lines.at(call.startIndex);
      context.fixState.addToGroup(group, `${context.file}:${at.line}:${at.column}`);
      return (editor) => {
        if (!context.fixState.isWholeGroupFixed(group)) return wrapInThread(editor, call);
        const local = editor.ensureImport(fix.importModule, fix.importModule);
        editor.replace(constructor.startIndex, constructor.endIndex, `${local}${fix.clientPath.slice(fix.importModule.length)}`);
        insertAwait(editor, call);
        return true;
      };
    }
  }
}

/** One visitor per rule: the table entry says which rule a call breaks. */
function blockingCallVisitors(rule: BlockingApi['rule']): PyVisitors {
  return { call: (node, context) => reportBlockingCall(node, context, rule) };
}

export const blockingSleepVisitors: PyVisitors = blockingCallVisitors('blocking-sleep');
export const blockingIoVisitors: PyVisitors = blockingCallVisitors('blocking-io');

function reportBlockingCall(node: PyNode, context: PyRuleContext, rule: BlockingApi['rule']): void {
  if (node.parent?.type === 'await') return;
  const api = blockingApiFor(node, context);
  if (!api || api.rule !== rule) return;
  const callee = node.childForFieldName('function')!.text;
  context.report({
    rule: api.rule,
    node,
    message: (api.rule === 'blocking-sleep' ? MESSAGES.sleeps : MESSAGES.blocks).replace('{callee}', callee).replace('{replacement}', api.replacement),
    kind: 'blocking',
    needsAsync: true,
    // In a sync function it counts once that function turns async (for another reason) in this run.
    ...(api.asyncContextOnly && !context.enclosing.isAsync ? { onlyInAsync: true } : {}),
    fix: fixFor(api, node, context),
  });
}
