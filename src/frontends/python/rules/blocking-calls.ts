// blocking-sleep and blocking-io: calls that park the thread the event loop runs on. Cheapest first:
// the node is a call not already awaited, then its resolved path is looked up in the table.
import type { FileEditor } from '../../../frontend.js';
import { BLOCKING_METHOD_NAMES, findBlockingApi, type BlockingApi } from '../blocking-apis.js';
import type { PyNode } from '../parser.js';
import { qualifiedNameOf, type PySymbol } from '../resolver.js';
import type { PyRuleContext, PyVisitors } from '../rule-context.js';
import { walkBody } from '../graph-builder.js';
import { insertAwait, renameAndAwait, replaceCalleeAndAwait, wrapInThread } from './fixes.js';
import { isAsyncLoop, isAsyncReceiver } from '../walk.js';
import { firstWithItem, isInsideUnit, runUnitInThread, withBlockUnit, type ThreadUnit } from './thread-unit.js';

export const MESSAGES = {
  sleeps: '`{callee}` blocks the event loop; use `{replacement}`',
  blocks: '`{callee}` blocks the event loop; use `{replacement}`',
  mayBlock: '`{callee}` blocks the event loop if its receiver is the sync one of the types its annotation or factory names; if so, use `{replacement}`',
  blocksAfterTheCall: '`{callee}` starts blocking I/O that `asyncio.to_thread` of this call alone would leave on the event loop: {advice}',
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

/**
 * The `redis.Redis(...)` that made the receiver `self.x`, when it is in this file and calls the sync
 * client class itself: a project factory (`get_redis_client(...)`) or `from_url` takes other arguments.
 */
function clientConstructor(call: PyNode, context: PyRuleContext, clientClass: string): PyNode | undefined {
  const receiver = call.childForFieldName('function')?.childForFieldName('object');
  const cls = context.enclosing.cls;
  if (!receiver || receiver.type !== 'attribute' || !cls) return undefined;
  const attr = receiver.childForFieldName('attribute')!.text;
  for (const klass of context.resolver.mro(cls)) {
    const info = klass.attributes.get(attr);
    if (!info) continue;
    const constructor = info.valueNode?.type === 'call' && klass.module === context.module ? info.valueNode.childForFieldName('function') : null;
    if (!constructor) return undefined;
    const made = context.resolver.resolveExpression(constructor, info.method, klass.module);
    const madePath = made?.kind === 'external' ? made.path : made?.kind === 'class' ? made.cls.qualifiedName : undefined;
    return madePath === clientClass ? constructor : undefined;
  }
  return undefined;
}

/** Client methods that do no I/O: they build an object whose own calls do (`pipe.execute()`). */
const CLIENT_BUILDERS = new Set(['pipeline', 'pubsub']);
/** Methods that return an iterator: every step of the iteration does I/O, not the call. */
const ITERATOR_METHOD = /(^|_)iter$|^iter_|^listen$/;
/** Iterators known to end (a SCAN walks the keyspace once), so collecting them in the thread is safe; `listen()` never ends. */
const FINITE_ITERATOR_METHOD = /^[hsz]?scan_iter$/;

function methodName(call: PyNode): string {
  const callee = call.childForFieldName('function');
  return (callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text) ?? '';
}

/**
 * The call is what a `for` loop (that never leaves early) or a comprehension iterates, over an
 * iterator that ends: a list of all its items serves as well.
 */
function isIteratedWhole(call: PyNode): boolean {
  const parent = call.parent;
  if (!FINITE_ITERATOR_METHOD.test(methodName(call))) return false;
  if ((parent?.type !== 'for_statement' && parent?.type !== 'for_in_clause') || parent.childForFieldName('right')?.equals(call) !== true) return false;
  let leavesEarly = false;
  walkBody(parent.childForFieldName('body'), (node) => {
    if (node.type === 'break_statement' || node.type === 'return_statement' || node.type === 'raise_statement') leavesEarly = true;
  });
  return !leavesEarly;
}

/** `for k in r.scan_iter(…)` -> `for k in await asyncio.to_thread(lambda: list(r.scan_iter(…)))`: the iteration runs in the thread. */
function materialiseInThread(editor: FileEditor, call: PyNode): boolean {
  const asyncio = editor.ensureImport('asyncio', 'asyncio');
  editor.insert(call.startIndex, `await ${asyncio}.to_thread(lambda: list(`, -1);
  editor.insert(call.endIndex, '))', 2);
  return true;
}

/**
 * Why `to_thread` of the call alone would leave the I/O on the loop, and what to do instead: the
 * result does the I/O later (a file object from `open()`, a pipeline, an iterator not iterated here).
 */
function ioAfterTheCall(api: BlockingApi, call: PyNode, unit: ThreadUnit | undefined): string | undefined {
  if (api.fix.kind !== 'to-thread' && api.fix.kind !== 'async-client') return undefined;
  const method = methodName(call);
  if (api.path === 'builtins.open' && !unit) {
    return 'the file object it returns reads and writes on the loop; run the whole `with` block in a thread (a helper function passed to `asyncio.to_thread`, or `Path.read_text`/`write_text` there)';
  }
  if (CLIENT_BUILDERS.has(method)) {
    return `\`${method}()\` does no I/O, the \`execute()\` of what it returns does; build and execute it in a helper function passed to \`asyncio.to_thread\``;
  }
  if (ITERATOR_METHOD.test(method) && !isIteratedWhole(call)) {
    return 'every step of the iterator it returns does I/O; iterate it in the thread (a helper function passed to `asyncio.to_thread`, or `lambda: list(…)` for an iterator that ends and is read whole)';
  }
  return undefined;
}

/**
 * The fix of a blocking call, or undefined when no edit is known to be right: it is then reported only.
 * `to_thread` moves only the call itself to the thread, so a call whose result does the I/O later
 * (a file object from `open()`, an iterator, a pipeline) is not wrapped.
 */
function fixFor(api: BlockingApi, call: PyNode, context: PyRuleContext, unit: ThreadUnit | undefined): ((editor: FileEditor) => boolean) | undefined {
  const fix = api.fix;
  if (unit) return (editor) => runUnitInThread(editor, unit);
  const method = methodName(call);
  // The sync client moves to its async one only if every call on it is a plain awaited call.
  const constructor = fix.kind === 'async-client' ? clientConstructor(call, context, api.path.replace(/\.\*$/, '')) : undefined;
  const group = constructor ? `${context.file}:${constructor.startIndex}` : undefined;
  if (group) {
    const at = context.module.lines.at(call.startIndex);
    context.fixState.addToGroup(group, `${context.file}:${at.line}:${at.column}`);
  }
  if (fix.kind === 'to-thread' || fix.kind === 'async-client') {
    if (ioAfterTheCall(api, call, unit)) {
      if (group) context.fixState.keepSync(group);
      return undefined;
    }
    if (ITERATOR_METHOD.test(method)) {
      if (group) context.fixState.keepSync(group);
      return (editor) => materialiseInThread(editor, call);
    }
  }
  switch (fix.kind) {
    case 'replace-callee':
      return (editor) => replaceCalleeAndAwait(editor, call, fix.callee, fix.importModule);
    case 'to-thread':
      return (editor) => wrapInThread(editor, call);
    case 'rename':
      return (editor) => renameAndAwait(editor, call, fix.name);
    case 'async-client': {
      if (!constructor || !group) return (editor) => wrapInThread(editor, call);
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

/**
 * What the finding tells to use: the fix `fixFor` applies. A client method moves to the async client
 * only when this file builds the client with the sync class itself; any other client (`from_url`, a
 * factory) gets the call run in a thread, and an iterator that ends is read whole there.
 */
function replacementFor(api: BlockingApi, call: PyNode, context: PyRuleContext): string {
  if (api.fix.kind !== 'to-thread' && api.fix.kind !== 'async-client') return api.replacement;
  if (ITERATOR_METHOD.test(methodName(call))) return 'await asyncio.to_thread(lambda: list(…))';
  if (api.fix.kind === 'async-client' && !clientConstructor(call, context, api.path.replace(/\.\*$/, ''))) return 'await asyncio.to_thread(…)';
  return api.replacement;
}

/** One visitor per rule: the table entry says which rule a call breaks. */
function blockingCallVisitors(rule: BlockingApi['rule']): PyVisitors {
  return { call: (node, context) => reportBlockingCall(node, context, rule) };
}

export const blockingSleepVisitors: PyVisitors = blockingCallVisitors('blocking-sleep');
export const blockingIoVisitors: PyVisitors = blockingCallVisitors('blocking-io');

/** The `with open(…)` block this call opens, when the whole block can run in a thread. */
function openUnitOf(call: PyNode, api: BlockingApi, context: PyRuleContext): ThreadUnit | undefined {
  if (api.path !== 'builtins.open') return undefined;
  // A call in the block may stay in it if it is sync for good: not a project function (it may turn
  // async), and not blocking unless the function is already async (then it runs in the thread too).
  return withBlockUnit(
    call,
    context.enclosing,
    (inner) => {
      const symbol = context.resolveCallee(inner);
      if (symbol?.kind === 'function') return false;
      return context.enclosing.isAsync || !blockingApiFor(inner, context);
    },
    (statement) => openCallOf(statement, context) !== undefined,
  );
}

/** The `open(…)` call of a one-item `with open(…) [as f]:` statement. */
function openCallOf(statement: PyNode, context: PyRuleContext): PyNode | undefined {
  const open = firstWithItem(statement)?.manager;
  return open?.type === 'call' && blockingApiFor(open, context)?.path === 'builtins.open' ? open : undefined;
}

/** Inside an async function, a call in a `with open(…)` block that runs in a thread is not on the loop. */
function runsInThreadUnit(node: PyNode, context: PyRuleContext): boolean {
  if (!context.enclosing.isAsync) return false;
  return isInsideUnit(node, (statement) => {
    const open = openCallOf(statement, context);
    const api = open ? blockingApiFor(open, context) : undefined;
    return open !== undefined && api !== undefined && openUnitOf(open, api, context) !== undefined;
  }, context.enclosing);
}

/** The code already treats the call's value as async, whatever the resolver says (see `isAsyncReceiver`). */
function isUsedAsAsync(call: PyNode, context: PyRuleContext): boolean {
  const parent = call.parent;
  if ((parent?.type === 'for_statement' || parent?.type === 'for_in_clause') && parent.childForFieldName('right')?.equals(call) === true && isAsyncLoop(parent)) return true;
  const callee = call.childForFieldName('function');
  const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  return !!receiver && isAsyncReceiver(receiver, context.enclosing, call, context.isSyncInType);
}

function reportBlockingCall(node: PyNode, context: PyRuleContext, rule: BlockingApi['rule']): void {
  if (node.parent?.type === 'await') return;
  // A receiver that may be either client (a Union, a factory returning both) is reported, not fixed.
  const { value: known, guess } = context.resolver.throughUnions(() => blockingApiFor(node, context));
  const api = known ?? guess;
  if (!api || api.rule !== rule) return;
  // A project method with an `_async` sibling is judged by its class, not by what else is awaited on `self`.
  if (runsInThreadUnit(node, context) || (api.fix.kind !== 'rename' && isUsedAsAsync(node, context))) return;
  if (!known) {
    const callee = node.childForFieldName('function')!.text;
    context.report({ rule: api.rule, node, message: MESSAGES.mayBlock.replace('{callee}', callee).replace('{replacement}', replacementFor(api, node, context)), kind: 'blocking', needsAsync: false });
    return;
  }
  const unit = openUnitOf(node, api, context);
  const callee = node.childForFieldName('function')!.text;
  const advice = ioAfterTheCall(api, node, unit);
  const message = advice
    ? MESSAGES.blocksAfterTheCall.replace('{callee}', callee).replace('{advice}', advice)
    : (api.rule === 'blocking-sleep' ? MESSAGES.sleeps : MESSAGES.blocks).replace('{callee}', callee).replace('{replacement}', unit ? api.replacement : replacementFor(api, node, context));
  context.report({
    rule: api.rule,
    node,
    message,
    kind: 'blocking',
    needsAsync: true,
    // In a sync function it counts once that function turns async (for another reason) in this run.
    ...(api.asyncContextOnly && !context.enclosing.isAsync ? { onlyInAsync: true } : {}),
    fix: fixFor(api, node, context, unit),
  });
}
