// blocking-sleep and blocking-io: calls that park the thread the event loop runs on. Cheapest first:
// the node is a call not already awaited, then its resolved path is looked up in the table.
import type { FileEditor } from '../../../frontend.js';
import { formatMessage } from '../../../transform.js';
import { BLOCKING_METHOD_NAMES, FILE_METHODS, FILE_QUIET_MEMBERS, findBlockingApi, isFileApi, LIKELY_POOL_REQUEST, type BlockingApi } from '../blocking-apis.js';
import { namedChildren, type PyNode } from '../parser.js';
import { qualifiedNameOf, type PySymbol } from '../resolver.js';
import type { PyRuleContext, PyVisitors } from '../rule-context.js';
import { isInsideGeneratorBody, walkBody } from '../graph-builder.js';
import { insertAwait, renameAndAwait, replaceCalleeAndAwait, wrapInThread } from './fixes.js';
import { isAsyncLoop, isAsyncReceiver, isVariableName, needsParentheses } from '../walk.js';
import { asTargetOf, firstWithItem, isInsideUnit, runUnitInThread, sharedStateWrittenBy, statementsUnit, withBlockUnit, type ThreadUnit, type UnitCandidate } from './thread-unit.js';
import { pipelineShapeOf } from './pipeline-unit.js';

export const MESSAGES = {
  sleeps: '`{callee}` blocks the event loop; use `{replacement}`',
  blocks: '`{callee}` blocks the event loop; use `{replacement}`',
  blocksWithEquivalent: '`{callee}` blocks the event loop; use `{replacement}`, or {equivalent}',
  reported: '`{callee}` blocks the event loop; not rewritten: {suggestion}',
  insideWith: '`{callee}` blocks the event loop; not rewritten, since the `with` block around it also closes or waits for `{receiver}` on the loop: move the whole block into a sync function and `await asyncio.to_thread(…)` it{alternative}',
  receiverCall: '`{callee}` blocks the event loop; not rewritten, since its receiver is a blocking call: bind the object to a name first, then `await asyncio.to_thread(name.method, …)`',
  argumentCall: '`{callee}` blocks the event loop; not rewritten, since an argument is a blocking call: bind its result to a name first, then `await asyncio.to_thread({callee}, …)`',
  likelyPoolRequest: '`{callee}` is likely a sync urllib3 request (urllib3 is imported here); not rewritten: {suggestion}',
  mayBlock: '`{callee}` blocks the event loop if its receiver is the sync one of the types its annotation or factory names; if so, use `{replacement}`',
  pipelineUnit: '`{callee}` blocks the event loop, and sends what was queued on the pipeline since `{builder}`: use `{replacement}` of a helper that builds and executes it, or {equivalent}',
  blocksAfterTheCall: '`{callee}` starts blocking I/O that `asyncio.to_thread` of this call alone would leave on the event loop: {advice}',
  siblingByName: 'unsafe fix: `{sibling}` is found by its name only, and may need setup the sync method does not or behave differently',
  deliberate: '{message}; unsafe fix: another branch of the same condition has `{twin}`, so the blocking call looks chosen on purpose',
  deliberateComment: '{message}; unsafe fix: the comment `{comment}` says it blocks on purpose',
  otherLoop: '`{callee}` blocks the event loop; not rewritten: this module imports {library}, under which `{replacement}` finds no asyncio loop and fails: use `{equivalent}`',
  unsafeUnit: '{message}; unsafe fix: {written}, and in a thread, concurrent calls interleave with it (a read-modify-write can lose updates, a reader can see a half-written file)',
} as const;

/**
 * Suggested with a thread unit that writes shared state. The migration does not add the lock itself:
 * it would have to be one lock shared by every unit that touches the same file or object (a path is
 * a run-time value, the object may be reached from other modules), held from the read to the write
 * across the loop code between them, and a module-level `asyncio.Lock` binds to the first event loop
 * that waits on it, so code that runs several loops (`asyncio.run` per test) would fail. The tool can
 * prove none of that, so the fix is marked unsafe (applied only with `--unsafe-fixes`) instead.
 */
const UNSAFE_UNIT_SUGGESTIONS = [
  'serialise what reads and writes that state: hold one `asyncio.Lock` (created on the running loop) from the read to the write, around the `await asyncio.to_thread(…)` calls',
  'or keep the block on the event loop, where it runs whole before any other task',
];

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
      return { path: qualifiedNameOf(symbol.fn), rule: 'blocking-io', asyncContextOnly: true, fix: { kind: 'rename', name: siblingName }, replacement: `await ….${siblingName}(…)`, siblingByName: true };
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

const PIPELINE_SUGGESTION = 'the pipeline is not built and executed here in statements that can move into a thread as a unit; move the code that builds and executes it into a sync function and `await asyncio.to_thread(…)` it, or use a `redis.asyncio` client, whose pipeline runs with `await pipe.execute()`';

/** The client of a call on `self.x`, built in this file with the sync class: it must stay that class. */
function keepClientSync(call: PyNode, api: BlockingApi, context: PyRuleContext): void {
  const constructor = clientConstructor(call, context, api.path.replace(/\.\*$/, ''));
  if (constructor) context.fixState.keepSync(`${context.file}:${constructor.startIndex}`);
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

/** Builtins that read an iterable to its end before they return: the whole call may run in the thread. */
const CONSUMING_BUILTINS = new Set(['sorted', 'list', 'set', 'tuple', 'frozenset']);

/**
 * The builtin call that reads the iterator whole, right where it is made (`sorted(r.scan_iter(…))`,
 * `list(…)`, `set(…)`, `tuple(…)`), when that whole call can run in the thread: the iterator is its
 * first argument, and its other arguments (`key=`, `reverse=`) hold no `await`, `yield` or walrus, nor
 * any project function (which may turn async, and a thread cannot await it).
 */
function wholeConsumerOf(call: PyNode, context: PyRuleContext): PyNode | undefined {
  if (!FINITE_ITERATOR_METHOD.test(methodName(call))) return undefined;
  const args = call.parent;
  const consumer = args?.type === 'argument_list' ? args.parent : null;
  if (consumer?.type !== 'call' || args!.namedChildren.filter((arg) => arg?.type !== 'comment')[0]?.equals(call) !== true) return undefined;
  const callee = consumer.childForFieldName('function');
  const symbol = callee?.type === 'identifier' && CONSUMING_BUILTINS.has(callee.text) ? context.resolveCallee(consumer) : undefined;
  if (symbol?.kind !== 'external' || symbol.path !== `builtins.${callee!.text}`) return undefined;
  const others = args!.namedChildren.filter((arg): arg is PyNode => arg !== null && !arg.equals(call) && arg.type !== 'comment');
  if (callee!.text !== 'sorted' && others.length > 0) return undefined;
  const movable = others.every((arg) => arg.type === 'keyword_argument' && arg.descendantsOfType(['await', 'yield', 'named_expression']).length === 0
    && arg.descendantsOfType('call').every((inner) => inner !== null && context.resolveCallee(inner)?.kind !== 'function')
    && arg.descendantsOfType('identifier').every((id) => id === null || !isVariableName(id)
      || context.resolver.resolveExpression(id, context.enclosing, context.module)?.kind !== 'function'));
  return movable ? consumer : undefined;
}

/**
 * `await asyncio.to_thread(lambda: <call>)`: the whole expression runs in the thread (the chain
 * `r.pipeline().set(…).execute()`), or with `collect` the iteration too
 * (`for k in await asyncio.to_thread(lambda: list(r.scan_iter(…)))`).
 */
function runExpressionInThread(editor: FileEditor, call: PyNode, collect: boolean): boolean {
  const asyncio = editor.ensureImport('asyncio', 'asyncio');
  const parenthesise = needsParentheses(call);
  editor.insert(call.startIndex, `${parenthesise ? '(' : ''}await ${asyncio}.to_thread(lambda: ${collect ? 'list(' : ''}`, -1);
  editor.insert(call.endIndex, `${collect ? ')' : ''})${parenthesise ? ')' : ''}`, 2);
  return true;
}

/**
 * Why `to_thread` of the call alone would leave the I/O on the loop, and what to do instead: the
 * result does the I/O later (a file object from `open()`, a pipeline, an iterator not iterated here).
 */
function ioAfterTheCall(api: BlockingApi, call: PyNode, unit: ThreadUnit | undefined, context: PyRuleContext): string | undefined {
  if (api.fix.kind !== 'to-thread' && api.fix.kind !== 'async-client') return undefined;
  const method = methodName(call);
  // A file bound to a name that only file methods (run in a thread too) use may open in a thread.
  const onLoop = api.opensFile && !unit ? fileUseOnLoop(call, context) : undefined;
  if (onLoop) {
    const alternative = api.asyncEquivalent ? `, or use ${api.asyncEquivalent}` : '';
    return `${onLoop}; run the code that uses the file in a thread (a helper function passed to \`asyncio.to_thread\`, or \`Path.read_text\`/\`write_text\` there)${alternative}`;
  }
  if (CLIENT_BUILDERS.has(method)) {
    return `\`${method}()\` does no I/O, the \`execute()\` of what it returns does; build and execute it in a helper function passed to \`asyncio.to_thread\``;
  }
  if (ITERATOR_METHOD.test(method) && !isIteratedWhole(call) && !wholeConsumerOf(call, context)) {
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
    if (ioAfterTheCall(api, call, unit, context)) {
      if (group) context.fixState.keepSync(group);
      return undefined;
    }
    if (ITERATOR_METHOD.test(method)) {
      if (group) context.fixState.keepSync(group);
      // Read whole by `sorted(…)`/`list(…)`…: that call runs in the thread, not a lazy iterator the loop would then step.
      const consumer = wholeConsumerOf(call, context);
      if (consumer) return (editor) => runExpressionInThread(editor, consumer, false);
      return (editor) => runExpressionInThread(editor, call, true);
    }
  }
  switch (fix.kind) {
    case 'replace-callee':
      return (editor) => replaceCalleeAndAwait(editor, call, fix.callee, fix.importModule);
    case 'to-thread':
      return (editor) => wrapInThread(editor, call);
    case 'rename':
      return (editor) => renameAndAwait(editor, call, fix.name);
    case 'report':
      return undefined;
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
  if (ITERATOR_METHOD.test(methodName(call))) {
    const consumer = wholeConsumerOf(call, context)?.childForFieldName('function')?.text;
    return `await asyncio.to_thread(lambda: ${consumer ?? 'list'}(…))`;
  }
  if (api.fix.kind === 'async-client' && (!clientConstructor(call, context, api.path.replace(/\.\*$/, '')) || classKeepsClientSync(call, context))) return 'await asyncio.to_thread(…)';
  return api.replacement;
}

/**
 * The class also builds a pipeline or iterates on the same `self.x` client, which keeps it sync (see
 * `keepSync`): said ahead, since the message is written before those calls are visited.
 */
function classKeepsClientSync(call: PyNode, context: PyRuleContext): boolean {
  const receiver = call.childForFieldName('function')?.childForFieldName('object');
  const cls = context.enclosing.cls;
  if (!receiver || !cls) return false;
  return cls.node.descendantsOfType('call').some((other) => {
    const callee = other?.childForFieldName('function');
    if (callee?.type !== 'attribute' || callee.childForFieldName('object')?.text !== receiver.text) return false;
    const method = callee.childForFieldName('attribute')?.text ?? '';
    return CLIENT_BUILDERS.has(method) || ITERATOR_METHOD.test(method);
  });
}

/** One visitor per rule: the table entry says which rule a call breaks. */
function blockingCallVisitors(rule: BlockingApi['rule']): PyVisitors {
  return { call: (node, context) => reportBlockingCall(node, context, rule) };
}

export const blockingSleepVisitors: PyVisitors = blockingCallVisitors('blocking-sleep');
export const blockingIoVisitors: PyVisitors = blockingCallVisitors('blocking-io');

/** The `with open(…)` block this call opens, when the whole block can run in a thread. */
function openUnitOf(call: PyNode, api: BlockingApi, context: PyRuleContext): ThreadUnit | undefined {
  if (!api.opensFile) return undefined;
  // A call in the block may stay in it if it is sync for good: not a project function (it may turn
  // async), and not blocking unless the function is already async (then it runs in the thread too).
  return withBlockUnit(
    call,
    context.enclosing,
    (inner) => {
      const symbol = context.resolveCallee(inner);
      if (symbol?.kind === 'function') return false;
      // A call that counts only in async code (a file method) moves with the block: the block's fix
      // applies only once the function runs async, in this run or an earlier one (same result twice).
      const innerApi = blockingApiFor(inner, context);
      return context.enclosing.isAsync || !innerApi || innerApi.asyncContextOnly === true;
    },
    () => unitCandidates(context),
  );
}

/**
 * The statements of the enclosing function that may move into helpers of their own: `with open(…)`
 * blocks and pipelines (see thread-unit's `identifiersOutside`).
 */
function unitCandidates(context: PyRuleContext): UnitCandidate[] {
  return cached(candidateCache, context, () => {
    const found: UnitCandidate[] = [];
    walkBody(context.enclosing.node.childForFieldName('body'), (node) => {
      if (node.type === 'with_statement' && openCallOf(node, context)) found.push({ first: node, last: node, ...ownName(asTargetOf(node)) });
    });
    for (const execute of pipelineExecutes(context)) {
      const shape = pipelineShapeOf(execute, context.enclosing, (call) => isPipelineBuilder(call, context));
      if (shape?.kind === 'with') found.push({ first: shape.statement, last: shape.statement, ...ownName(asTargetOf(shape.statement)) });
      if (shape?.kind === 'statements') found.push({ first: shape.first, last: shape.last, ownName: shape.name });
    }
    return found;
  });
}

const ownName = (name: string | undefined): { ownName?: string } => (name ? { ownName: name } : {});

/** Per run (its FixState) and function: what the visits of every call in that function ask again. */
type FunctionCache<T> = WeakMap<object, Map<string, T>>;
const candidateCache: FunctionCache<UnitCandidate[]> = new WeakMap();
const pipelineUnitCache: FunctionCache<PipelineUnit[]> = new WeakMap();

function cached<T>(cache: FunctionCache<T>, context: PyRuleContext, compute: () => T): T {
  let byFunction = cache.get(context.fixState);
  if (!byFunction) cache.set(context.fixState, (byFunction = new Map()));
  const key = `${context.file}:${context.enclosing.id}`;
  if (!byFunction.has(key)) byFunction.set(key, compute());
  return byFunction.get(key)!;
}

/** `r.pipeline()` on a sync redis client: it builds the object whose `execute()` sends. */
function isPipelineBuilder(call: PyNode, context: PyRuleContext): boolean {
  return methodName(call) === 'pipeline' && blockingApiFor(call, context)?.fix.kind === 'async-client';
}

/** The calls in the function's own body that send what a pipeline queued (`pipe.execute()`), in order. */
function pipelineExecutes(context: PyRuleContext): PyNode[] {
  const calls: PyNode[] = [];
  walkBody(context.enclosing.node.childForFieldName('body'), (node) => {
    if (node.type === 'call' && methodName(node) === 'execute' && blockingApiFor(node, context)?.sendsQueued) calls.push(node);
  });
  return calls;
}

/** A pipeline that runs whole in a thread: its first `execute()` carries the fix, the rest of it runs along. */
interface PipelineUnit {
  /** The statements or `with` block that move (none for a chain, which is one expression). */
  unit?: ThreadUnit;
  execute: PyNode;
  builder: PyNode;
  start: number;
  end: number;
  fix: (editor: FileEditor) => boolean;
}

/**
 * The pipelines of the function that move into a thread as a unit: a chain whose calls stay sync for
 * good (no `await`, no project function) runs in a lambda; the statements or the `with` block in a
 * helper, when thread-unit finds their meaning kept. A project function called in the unit may turn
 * async, so it stops the move; a blocking call runs in the thread with the rest.
 */
function pipelineUnits(context: PyRuleContext): PipelineUnit[] {
  return cached(pipelineUnitCache, context, () => {
    const units: PipelineUnit[] = [];
    const fn = context.enclosing;
    for (const execute of pipelineExecutes(context)) {
      // The pipeline's own methods (`pipe.set(…)`) only queue, whatever the resolver calls them.
      const pipelineType = pathOf(context.resolveCallee(execute))!.replace(/\.[^.]*$/, '.');
      const callsOk = (inner: PyNode): boolean => {
        const symbol = context.resolveCallee(inner);
        return symbol?.kind !== 'function' || pathOf(symbol)!.startsWith(pipelineType);
      };
      const shape = pipelineShapeOf(execute, fn, (call) => isPipelineBuilder(call, context));
      if (!shape || units.some((unit) => unit.start <= execute.startIndex && execute.endIndex <= unit.end)) continue;
      if (shape.kind === 'chain') {
        const stays = fn.kind !== 'module' && fn.kind !== 'arrow' && execute.descendantsOfType(['await', 'yield', 'named_expression']).length === 0
          && execute.descendantsOfType('call').every((inner) => !inner || inner.equals(execute) || inner.equals(shape.builder) || callsOk(inner));
        if (stays) units.push({ execute, builder: shape.builder, start: execute.startIndex, end: execute.endIndex, fix: (editor) => runExpressionInThread(editor, execute, false) });
        continue;
      }
      const unit = shape.kind === 'with'
        ? withBlockUnit(shape.builder, fn, callsOk, () => unitCandidates(context), PIPELINE_HELPER)
        : statementsUnit({ first: shape.first, last: shape.last, ownName: shape.name }, fn, shape.builder, callsOk, () => unitCandidates(context), PIPELINE_HELPER, true);
      if (unit) units.push({ unit, execute, builder: shape.builder, start: unit.first.startIndex, end: unit.last.endIndex, fix: (editor) => runUnitInThread(editor, unit) });
    }
    return units;
  });
}

const PIPELINE_HELPER = '_run_pipeline';

/** The `open(…)` call of a one-item `with open(…) [as f]:` statement. */
function openCallOf(statement: PyNode, context: PyRuleContext): PyNode | undefined {
  const open = firstWithItem(statement)?.manager;
  return open?.type === 'call' && blockingApiFor(open, context)?.opensFile ? open : undefined;
}

/**
 * A call in a `with open(…)` block that runs in a thread (once its function runs async) is not on the
 * loop, nor one in a pipeline unit other than the `execute()` that stands for it.
 */
function runsInThreadUnit(node: PyNode, context: PyRuleContext): boolean {
  if (pipelineUnits(context).some((unit) => unit.start <= node.startIndex && node.endIndex <= unit.end && !unit.execute.equals(node))) return true;
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
  if (!api) {
    if (rule === 'blocking-io' && context.enclosing.isAsync) reportLikelyPoolRequest(node, context);
    return;
  }
  if (api.rule !== rule) return;
  // A project method with an `_async` sibling is judged by its class, not by what else is awaited on `self`.
  if (runsInThreadUnit(node, context) || (api.fix.kind !== 'rename' && isUsedAsAsync(node, context))) return;
  const callee = node.childForFieldName('function')!;
  if (isPipelineBuilder(node, context)) {
    // The async client's pipeline is no drop-in: the client stays sync wherever it builds one.
    keepClientSync(node, api, context);
    if (pipelineExecutes(context).some((execute) => pipelineShapeOf(execute, context.enclosing, (call) => call.equals(node)))) return; // its execute() is the finding
  }
  if (!known) {
    context.report({ rule: api.rule, node, message: formatMessage(MESSAGES.mayBlock, { callee: callee.text, replacement: replacementFor(api, node, context) }), kind: 'blocking', needsAsync: false });
    return;
  }
  // In a sync function it counts once that function turns async (for another reason) in this run.
  const onlyInAsync = api.asyncContextOnly && !context.enclosing.isAsync;
  // An `await` in a generator expression's body makes it an async generator, which sum(), list()… cannot take.
  const inGenerator = isInsideGeneratorBody(node, context.enclosing.node);
  // A sibling found by its name alone (`render` -> `render_async`) is another method: it may need
  // setup the sync one does not (a template engine's async mode) or differ in what it does.
  const sibling = api.siblingByName && api.fix.kind === 'rename' ? api.fix.name : undefined;
  const otherMethod = sibling ? formatMessage(MESSAGES.siblingByName, { sibling }) : undefined;
  // A fix that may change what the program does: the message says why, the suggestions what else to do.
  const unsafeFixOf = (message: string, fix?: (editor: FileEditor) => boolean, unsafe?: () => string | undefined): { message: string; suggestions: string[] } | undefined => {
    if (!fix) return undefined;
    const written = !inGenerator && unsafe ? unsafe() : undefined;
    if (written) return { message: formatMessage(MESSAGES.unsafeUnit, { message, written }), suggestions: UNSAFE_UNIT_SUGGESTIONS };
    if (otherMethod) return { message: `${message}; ${otherMethod}`, suggestions: [`\`await ….${sibling}(…)\` once you have checked it does the same`, 'keep the sync call (run it with `asyncio.to_thread` if it blocks)'] };
    if (inGenerator) return undefined;
    const twin = twinOnOtherBranch(node, api, context);
    if (twin) return { message: formatMessage(MESSAGES.deliberate, { message, twin }), suggestions: [`keep \`${callee.text}(…)\` if it holds the event loop on purpose (simulated work, a guaranteed pause)`, api.replacement] };
    const comment = deliberateComment(node, context);
    return comment ? { message: formatMessage(MESSAGES.deliberateComment, { message, comment }), suggestions: [`keep \`${callee.text}(…)\` if it holds the event loop on purpose, as the comment says`, api.replacement] } : undefined;
  };
  const report = (message: string, fix?: (editor: FileEditor) => boolean, unsafe?: () => string | undefined): void => {
    const unsafeFix = unsafeFixOf(message, fix, unsafe);
    context.report({
      rule: api.rule,
      node,
      message: fix && inGenerator ? `${message}; not rewritten inside a generator expression (an \`await\` there makes an async generator): use a list comprehension or a loop` : unsafeFix?.message ?? message,
      kind: 'blocking',
      needsAsync: true,
      ...(onlyInAsync ? { onlyInAsync } : {}),
      ...(fix && !inGenerator ? { fix } : {}),
      ...(unsafeFix ? { applicability: 'unsafe' as const, suggestions: unsafeFix.suggestions } : {}),
    });
  };
  if (api.fix.kind === 'report') {
    report(formatMessage(MESSAGES.reported, { callee: callee.text, suggestion: api.fix.suggestion }));
    return;
  }
  // Every fix but a project's own `_async` sibling writes asyncio (`asyncio.sleep`, `asyncio.to_thread`,
  // aiofiles, asyncio clients), which fails under trio and under anyio's trio backend.
  const library = api.fix.kind === 'rename' ? undefined : otherLoopLibrary(context);
  if (library) {
    const equivalent = api.rule === 'blocking-sleep' ? `await ${library}.sleep(…)` : `await ${library}.to_thread.run_sync(…)`;
    report(formatMessage(MESSAGES.otherLoop, { callee: callee.text, library, replacement: api.rule === 'blocking-sleep' ? 'asyncio.sleep' : 'asyncio.to_thread', equivalent }));
    return;
  }
  if (api.sendsQueued) {
    const unit = pipelineUnits(context).find((candidate) => candidate.execute.equals(node));
    if (unit) report(formatMessage(MESSAGES.pipelineUnit, { callee: callee.text, builder: unit.builder.text, replacement: api.replacement, equivalent: api.asyncEquivalent ?? '' }), unit.fix, () => (unit.unit ? unsafeUnitReason(unit.unit, context) : undefined));
    else report(formatMessage(MESSAGES.reported, { callee: callee.text, suggestion: PIPELINE_SUGGESTION }));
    return;
  }
  const unit = openUnitOf(node, api, context);
  if (api.fix.kind === 'to-thread' && !unit) {
    const receiver = callee.type === 'attribute' ? callee.childForFieldName('object') : null;
    if (receiver && api.exitBlocks && isBoundByEnclosingWith(node, receiver.text)) {
      const alternative = api.asyncEquivalent ? `, or use ${api.asyncEquivalent}` : '';
      report(formatMessage(MESSAGES.insideWith, { callee: callee.text, receiver: receiver.text, alternative }));
      return;
    }
    // The wrap rewrites this call's whole text, where the inner call's own fix edits too. A first run
    // leaves the inner call wrapped in to_thread, which counts the same, so a second run agrees.
    if (receiver && containsBlockingCall(receiver, context)) {
      report(formatMessage(MESSAGES.receiverCall, { callee: callee.text }));
      return;
    }
    const args = node.childForFieldName('arguments');
    if (args && containsBlockingCall(args, context)) {
      report(formatMessage(MESSAGES.argumentCall, { callee: callee.text }));
      return;
    }
  }
  const advice = ioAfterTheCall(api, node, unit, context);
  if (advice) {
    report(formatMessage(MESSAGES.blocksAfterTheCall, { callee: callee.text, advice }));
    return;
  }
  const template = api.rule === 'blocking-sleep' ? MESSAGES.sleeps : api.asyncEquivalent ? MESSAGES.blocksWithEquivalent : MESSAGES.blocks;
  const replacement = unit ? api.replacement : replacementFor(api, node, context);
  const unsafe = (): string | undefined => (unit ? unsafeUnitReason(unit, context) : api.fix.kind === 'to-thread' && isFileApi(api) ? unsafeWrapReason(node, context) : undefined);
  report(formatMessage(template, { callee: callee.text, replacement, equivalent: api.asyncEquivalent ?? '' }), fixFor(api, node, context, unit), unsafe);
}

/** Event-loop libraries whose coroutines do not run on asyncio's loop (anyio may run on trio). */
const OTHER_LOOP_LIBRARIES = ['trio', 'anyio'] as const;

/** `trio` or `anyio` when the module (or the enclosing function) imports it, else undefined. */
function otherLoopLibrary(context: PyRuleContext): (typeof OTHER_LOOP_LIBRARIES)[number] | undefined {
  const bindings = [...context.module.imports.values(), ...(context.enclosing.imports?.values() ?? [])];
  return OTHER_LOOP_LIBRARIES.find((library) => bindings.some((binding) => binding.module === library || binding.module.startsWith(`${library}.`)));
}

/** Says the code blocks the loop on purpose: it holds or blocks the (event) loop, or does so deliberately. */
const DELIBERATE_BLOCK = /\b(?:block(?:s|ing)?|hold(?:s|ing)?|stall(?:s|ing)?|freez(?:e|es|ing))\b[^.;]{0,40}?\b(?:event[ -]?)?loop\b|\b(?:on purpose|purposeful(?:ly)?|deliberate(?:ly)?|intentional(?:ly)?)\b/i;
/** A comment that names a problem to fix, or says not to block, is no statement of intent. */
const TO_FIX = /\b(?:TODO|FIXME|XXX|HACK|BUG)\b/;
const NOT_TO_BLOCK = /\b(?:don'?t|do not|avoid(?:s|ing)?|never|without|not|shouldn'?t|must not|mustn'?t)\b[^.;]{0,20}?\b(?:block|hold|stall|freez)/i;

/**
 * The comment that says a blocking call is there on purpose (`# Block the event loop! …` above its
 * statement, or after it on the same line), as written, or undefined: the comment lines directly above
 * the statement that holds the call, and the comments on its lines. Read from the text: tree-sitter
 * puts a comment before a block's first statement outside the block.
 */
function deliberateComment(call: PyNode, context: PyRuleContext): string | undefined {
  let statement = call;
  while (statement.parent && statement.parent.type !== 'block' && statement.parent.type !== 'module') statement = statement.parent;
  const { text, lines } = context.module;
  const above: string[] = [];
  for (let end = lines.lineStart(statement.startIndex) - 1; end >= 0; ) {
    const start = lines.lineStart(end); // `end` is the newline that ends the line above
    const line = text.slice(start, end).trim();
    if (!line.startsWith('#')) break;
    above.unshift(line);
    end = start - 1;
  }
  const lineEnd = text.indexOf('\n', statement.endIndex);
  const own = text.slice(lines.lineStart(statement.startIndex), lineEnd < 0 ? text.length : lineEnd);
  const onItsLines = own.split('\n').map((line) => /#.*$/.exec(line)?.[0]).filter((comment): comment is string => comment !== undefined);
  for (const group of [above, onItsLines]) {
    const said = group.map((comment) => comment.replace(/^#\s*/, '')).join(' ');
    if (DELIBERATE_BLOCK.test(said) && !TO_FIX.test(said) && !NOT_TO_BLOCK.test(said)) return shortComment(said);
  }
  return undefined;
}

function shortComment(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= 60 ? `# ${oneLine}` : `# ${oneLine.slice(0, 57).trimEnd()}…`;
}

/** The branches of an `if` (with its `elif`/`else` clauses) or of a conditional expression. */
function branchesOf(node: PyNode): PyNode[] {
  if (node.type === 'if_statement') {
    const consequence = node.childForFieldName('consequence');
    return namedChildren(node).filter((child) => child.type === 'elif_clause' || child.type === 'else_clause' || (consequence !== null && child.equals(consequence)));
  }
  if (node.type === 'conditional_expression') {
    const parts = namedChildren(node).filter((child) => child.type !== 'comment');
    return parts.length === 3 ? [parts[0]!, parts[2]!] : [];
  }
  return [];
}

/**
 * The awaited async twin of a blocking call (`await asyncio.sleep(…)` for `time.sleep`, the `_async`
 * sibling of a method) on another branch of an `if` or conditional expression around it, in the same
 * function: the code already chooses between the two, so the blocking call is there on purpose (a
 * busy wait that stands for CPU work, a pause that must hold the loop). Its text, or undefined.
 */
function twinOnOtherBranch(call: PyNode, api: BlockingApi, context: PyRuleContext): string | undefined {
  const isTwin = (candidate: PyNode | null): candidate is PyNode => {
    if (candidate?.type !== 'call' || candidate.parent?.type !== 'await') return false;
    if (api.fix.kind === 'replace-callee') return pathOf(context.resolveCallee(candidate)) === api.fix.callee;
    if (api.fix.kind === 'rename') return methodName(candidate) === api.fix.name;
    return false;
  };
  for (let node = call; node.parent && !['function_definition', 'lambda', 'class_definition'].includes(node.parent.type); node = node.parent) {
    const branches = branchesOf(node.parent);
    if (!branches.some((branch) => branch.equals(node))) continue;
    for (const branch of branches) {
      if (branch.equals(node)) continue;
      const twin = branch.descendantsOfType('call').find(isTwin);
      if (twin) return twin.parent!.text;
    }
  }
  return undefined;
}

/**
 * Why running the unit in a thread may change what the program does: it writes a file or an object
 * that outlives it, or another `with open(…)` block of the function writes a file (the two halves of
 * a read-modify-write, each in its own thread hop, let concurrent calls interleave between them).
 * Undefined for a unit that only reads.
 */
function unsafeUnitReason(unit: ThreadUnit, context: PyRuleContext): string | undefined {
  const writesFile = (call: PyNode): string | undefined => fileWrittenBy(call, context);
  const own = sharedStateWrittenBy(unit, writesFile);
  if (own) return `the block writes ${own}`;
  const other = fileWriteOutside(unit.first.startIndex, unit.last.endIndex, context);
  return other ? `line ${other.line} of this function writes ${other.written}` : undefined;
}

/**
 * The same for one file call run in a thread (`p.write_text(…)`, `f = open(p, "w")`, `f.read()`): it
 * writes a file, or the function writes one elsewhere (the read and the write of one update, in two
 * thread hops).
 */
function unsafeWrapReason(call: PyNode, context: PyRuleContext): string | undefined {
  const own = fileWrittenBy(call, context);
  if (own) return `the call writes ${own}`;
  const other = fileWriteOutside(call.startIndex, call.endIndex, context);
  return other ? `line ${other.line} of this function writes ${other.written}` : undefined;
}

/**
 * A call of the function's own body, outside `start`…`end`, that writes a file with no `await` of
 * the original code between the two: on the loop they ran as one step, which two thread hops split.
 * With an `await` between them other tasks could run there already, and the hops add nothing new.
 */
function fileWriteOutside(start: number, end: number, context: PyRuleContext): { line: number; written: string } | undefined {
  const writers: { node: PyNode; written: string }[] = [];
  const awaits: number[] = [];
  walkBody(context.enclosing.node.childForFieldName('body'), (node) => {
    if (node.type === 'await') awaits.push(node.startIndex);
    if (node.type !== 'call' || (start <= node.startIndex && node.endIndex <= end)) return;
    const written = fileWrittenBy(node, context);
    if (written) writers.push({ node, written });
  });
  const found = writers.find(({ node }) => {
    const [from, to] = node.startIndex < start ? [node.endIndex, start] : [end, node.startIndex];
    return !awaits.some((at) => from <= at && at < to);
  });
  return found ? { line: context.module.lines.at(found.node.startIndex).line, written: found.written } : undefined;
}

/**
 * The file a call writes, in words, if it writes one: an opening call whose mode may write (`"w"`,
 * `"a"`, `"x"`, `"+"`, or a mode not written out), `Path.write_text` and kin.
 */
function fileWrittenBy(call: PyNode, context: PyRuleContext): string | undefined {
  const api = blockingApiFor(call, context);
  const callee = call.childForFieldName('function')?.text;
  if (!api) return undefined;
  if (/^pathlib\.Path\.(write_text|write_bytes|touch)$/.test(api.path)) return `a file (\`${callee}(…)\`)`;
  return api.opensFile && api.path !== 'io.open_code' && opensForWriting(call, api) ? `the file it opens for writing (\`${callee}(…)\`)` : undefined;
}

function opensForWriting(call: PyNode, api: BlockingApi): boolean {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((arg): arg is PyNode => arg !== null && arg.type !== 'comment') ?? [];
  const keyword = args.find((arg) => arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'mode');
  const positional = args.filter((arg) => arg.type !== 'keyword_argument');
  if (positional.some((arg) => arg.type === 'list_splat' || arg.type === 'dictionary_splat') || args.some((arg) => arg.type === 'dictionary_splat')) return true;
  const mode = keyword ? keyword.childForFieldName('value') : positional[api.path === 'pathlib.Path.open' ? 0 : 1];
  if (!mode) return false;
  return mode.type !== 'string' || mode.descendantsOfType('interpolation').length > 0 || /[wax+]/.test(mode.text.replace(/^[a-zA-Z]*["']+|["']+$/g, ''));
}

/** Inside the body of a `with` (in this function) whose item binds or names `receiver`. */
function isBoundByEnclosingWith(call: PyNode, receiver: string): boolean {
  for (let node = call.parent; node && node.type !== 'function_definition' && node.type !== 'lambda'; node = node.parent) {
    if (node.type !== 'with_statement') continue;
    const body = node.childForFieldName('body');
    if (!body || call.startIndex < body.startIndex) continue;
    const clause = namedChildren(node).find((child) => child.type === 'with_clause');
    for (const item of clause ? namedChildren(clause) : []) {
      const value = item.childForFieldName('value');
      const bound = value?.type === 'as_pattern' ? value.childForFieldName('alias')?.text : value?.text;
      if (bound === receiver) return true;
    }
  }
  return false;
}

const FILE_METHOD_NAMES: ReadonlySet<string> = new Set(FILE_METHODS);

/**
 * Why the file an opening call returns would be read or written on the loop, or undefined when it is
 * bound to a name whose every use in this function is a quiet member or a file method this rule runs
 * in a thread (`f = open(p)`, `f.read()`, `f.close()`).
 */
function fileUseOnLoop(call: PyNode, context: PyRuleContext): string | undefined {
  const parent = call.parent;
  if (parent?.type === 'with_item' || parent?.type === 'as_pattern') return 'the `with` block around it reads, writes and closes the file on the loop';
  const target = parent?.type === 'assignment' && parent.childForFieldName('right')?.equals(call) ? parent.childForFieldName('left') : null;
  if (target?.type !== 'identifier') return 'the file object it returns is used right here, on the loop';
  const name = target.text;
  const scope = context.enclosing.node;
  for (const use of scope.descendantsOfType('identifier')) {
    if (!use || use.text !== name || use.equals(target) || !isVariableName(use)) continue;
    const at = `\`${name}\` is used at line ${context.module.lines.at(use.startIndex).line} other than by a file method run in a thread`;
    if (enclosingScopeOf(use) !== scope.startIndex) return at;
    const member = use.parent?.type === 'attribute' && use.parent.childForFieldName('object')?.equals(use) ? use.parent : undefined;
    const attribute = member?.childForFieldName('attribute')?.text;
    if (!member || !attribute) return at;
    if (FILE_QUIET_MEMBERS.has(attribute)) continue;
    const methodCall = member.parent?.type === 'call' && member.parent.childForFieldName('function')?.equals(member) ? member.parent : undefined;
    if (!methodCall || !FILE_METHOD_NAMES.has(attribute) || methodCall.parent?.type === 'await') return at;
    const args = methodCall.childForFieldName('arguments');
    if (isBoundByEnclosingWith(methodCall, name) || (args && containsBlockingCall(args, context))) return at;
  }
  return undefined;
}

/** The start of the function (or module) whose body holds the node. */
function enclosingScopeOf(node: PyNode): number {
  let current = node.parent;
  while (current && current.type !== 'function_definition' && current.type !== 'lambda' && current.type !== 'module') current = current.parent;
  return current?.startIndex ?? 0;
}

/** A call in `node` (or `node` itself) to a blocking API, or an `asyncio.to_thread` of one. */
function containsBlockingCall(node: PyNode, context: PyRuleContext): boolean {
  const calls = node.descendantsOfType('call').filter((call): call is PyNode => call !== null);
  return calls.some((call) => {
    if (blockingApiFor(call, context)) return true;
    const symbol = context.resolveCallee(call);
    if (symbol?.kind !== 'external' || symbol.path !== 'asyncio.to_thread') return false;
    const target = call.childForFieldName('arguments')?.namedChild(0);
    const path = target ? pathOf(context.resolver.resolveExpression(target, context.enclosing, context.module)) : undefined;
    return path !== undefined && findBlockingApi(context.blockingApis, path) !== undefined;
  });
}

/** ASYNC211: `pool.request("GET", …)` on an untyped receiver in a module that imports urllib3. */
function reportLikelyPoolRequest(call: PyNode, context: PyRuleContext): void {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== LIKELY_POOL_REQUEST.method) return;
  const first = call.childForFieldName('arguments')?.namedChild(0);
  const method = first?.type === 'string' ? first.text.replace(/^[a-zA-Z]*["']+|["']+$/g, '').toLowerCase() : undefined;
  if (!method || !LIKELY_POOL_REQUEST.httpMethods.has(method)) return;
  const importsUrllib3 = [...context.module.imports.values()].some((binding) => binding.module === LIKELY_POOL_REQUEST.module || binding.module.startsWith(`${LIKELY_POOL_REQUEST.module}.`));
  if (!importsUrllib3 || context.resolveCallee(call)) return;
  context.report({
    rule: 'blocking-io',
    node: call,
    message: formatMessage(MESSAGES.likelyPoolRequest, { callee: callee.text, suggestion: LIKELY_POOL_REQUEST.suggestion }),
    kind: 'blocking',
    needsAsync: true,
  });
}
