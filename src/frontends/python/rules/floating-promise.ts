// floating-promise: a coroutine created and dropped (`save()` as a statement, `save` being async), or
// used as the value it returns (`prev = load(p)` then `prev.name`: a caller a migration left behind).
// Inside a function the fix awaits it; at module level it bridges with `asyncio.run(…)`.
import type { FileEditor } from '../../../frontend.js';
import type { PyNode } from '../parser.js';
import type { PyReport, PyRuleContext, PyVisitors } from '../rule-context.js';
import { formatMessage } from '../../../transform.js';
import { FRAMEWORK_DECORATOR, hasOwnYield } from '../graph-builder.js';
import { decoratorEffect } from '../decorators.js';
import type { PySymbol } from '../resolver.js';
import { insertAwait } from './fixes.js';
import { classifyCoroutineUse, referencesIn, type CoroutineUse } from './coroutine-uses.js';

export const MESSAGES = {
  dropped: 'The coroutine from `{callee}` is never awaited, so its body never runs',
  callUsedAsValue: 'The coroutine from `{callee}` is used as the value it returns ({uses}) without being awaited',
  usedAsValue: 'The coroutine from `{callee}` is stored in `{name}` and used as the value it returns ({uses}) without being awaited',
  usedAsValueMixed:
    'The coroutine from `{callee}` is stored in `{name}` and used as the value it returns ({uses}) without being awaited; not fixed: `{name}` is also used as a coroutine or reassigned ({coroutineUses}), so await it by hand where the value is needed',
} as const;

const KNOWN_COROUTINE_FUNCTIONS = new Set(['asyncio.sleep', 'asyncio.wait_for', 'asyncio.gather']);

export const floatingPromiseVisitors: PyVisitors = {
  expression_statement(node, context) {
    const call = node.namedChild(0);
    if (call?.type !== 'call' || node.namedChildCount !== 1) return;
    const symbol = context.resolveCallee(call);
    const isCoroutine = makesCoroutine(symbol, context) || (symbol?.kind === 'external' && KNOWN_COROUTINE_FUNCTIONS.has(symbol.path));
    if (!isCoroutine) return;
    const atTopLevel = context.enclosing.kind === 'module';
    const callee = call.childForFieldName('function')!.text;
    context.report({
      rule: 'floating-promise',
      node: call,
      message: MESSAGES.dropped.replace('{callee}', callee),
      kind: 'floating',
      needsAsync: !atTopLevel,
      fix: awaitCoroutineFix(call, atTopLevel),
      // A coroutine never awaited never ran: awaiting it in a function that is already async is what
      // the code meant. Turning a sync function async for it (a breaking change for its callers), or
      // running it with asyncio.run at module level, starts code that never ran: unsafe.
      ...(context.enclosing.isAsync ? {} : { applicability: 'unsafe' as const, suggestions: [atTopLevel ? `asyncio.run(${shortCall(call, callee)})` : `await ${shortCall(call, callee)}`, `delete the call to ${callee}`] }),
    });
  },
  /** `load_user(i).name`, `shout(read_title())`, `f"{count()}"`: the same shape without a variable. */
  call(node, context) {
    let holder = node;
    while (holder.parent?.type === 'parenthesized_expression') holder = holder.parent;
    const parent = holder.parent;
    // `prev = load(p)` is judged by its variable's uses (the assignment visitor).
    if (parent?.type === 'assignment' && parent.childForFieldName('left')?.type === 'identifier') return;
    if (!makesCoroutine(context.resolveCallee(node), context)) return;
    const use = classifyCoroutineUse(node, context);
    if (use.kind !== 'resolved') return;
    const atTopLevel = context.enclosing.kind === 'module';
    context.report({
      rule: 'floating-promise',
      node,
      message: formatMessage(MESSAGES.callUsedAsValue, { callee: node.childForFieldName('function')!.text, uses: describeUses([use], context) }),
      kind: 'floating',
      needsAsync: !atTopLevel,
      fix: awaitCoroutineFix(node, atTopLevel),
      ...(use.byAnnotation && !context.enclosing.isAsync ? unprovenByAnnotation(node) : {}),
    });
  },
  /**
   * `prev = load(p)` where `load` is a project `async def` and `prev` is used as the value it returns
   * (`prev.name`, `prev + 1`, `len(prev)`): a caller left behind when `load` turned async. Awaited at
   * the call when every use wants the value; a coroutine use beside them (`asyncio.gather(prev)`,
   * `await prev` later) is reported, not edited.
   */
  assignment(node, context) {
    const target = node.childForFieldName('left');
    let call = node.childForFieldName('right');
    while (call?.type === 'parenthesized_expression') call = call.namedChild(0);
    if (target?.type !== 'identifier' || call?.type !== 'call' || node.childForFieldName('type')) return;
    if (!makesCoroutine(context.resolveCallee(call), context)) return;
    const uses = referencesIn(context.enclosing, target.text, target).map((reference) => classifyCoroutineUse(reference, context));
    const valueUses = uses.filter((use) => use.kind === 'resolved');
    if (valueUses.length === 0) return;
    const coroutineUses = uses.filter((use) => use.kind === 'coroutine');
    const atTopLevel = context.enclosing.kind === 'module';
    const data = {
      callee: call.childForFieldName('function')!.text,
      name: target.text,
      uses: describeUses(valueUses, context),
      coroutineUses: describeUses(coroutineUses, context),
    };
    context.report({
      rule: 'floating-promise',
      node: call,
      message: formatMessage(coroutineUses.length === 0 ? MESSAGES.usedAsValue : MESSAGES.usedAsValueMixed, data),
      kind: 'floating',
      needsAsync: !atTopLevel,
      fix: coroutineUses.length === 0 ? awaitCoroutineFix(call, atTopLevel) : undefined,
      ...(!context.enclosing.isAsync && valueUses.every((use) => use.byAnnotation) ? unprovenByAnnotation(call) : {}),
    });
  },
};

/**
 * A project `async def` without `yield`: its call makes a coroutine. An async generator's call makes
 * an async iterator, which `async for` consumes and `await` rejects.
 */
function makesCoroutine(symbol: PySymbol | undefined, context: PyRuleContext): boolean {
  if (symbol?.kind !== 'function' || !symbol.fn.isAsync || symbol.fn.kind === 'module' || hasOwnYield(symbol.fn)) return false;
  // A decorator not seen through (asgiref's `async_to_sync`, a wrapper) may give something else than a coroutine.
  return decoratorEffect(symbol.fn, context.resolver, (d) => FRAMEWORK_DECORATOR.test(d)).kind === 'transparent';
}

/** `.name` on line 12, `+` on line 13 (the first three). */
function describeUses(uses: readonly CoroutineUse[], context: PyRuleContext): string {
  const shown = uses.slice(0, 3).map((use) => `${use.what} on line ${context.module.lines.at(use.node.startIndex).line}`);
  return uses.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}

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

/**
 * Only an annotation wants the value (`-> int`, `shout(text: str)`), in a sync function. Python does
 * not check annotations, and a sync function may hand a coroutine on to callers that await it (a
 * `get_client(async_client=True)` whose callers write `await get_client(async_client=True)`). Awaiting
 * it turns the function async, which changes what those working callers get: an unsafe suggestion, at
 * most a warning. In an `async def` the await is what the annotation says its callers get.
 */
function unprovenByAnnotation(call: PyNode): Pick<PyReport, 'applicability' | 'severityCap' | 'suggestions'> {
  const callee = call.childForFieldName('function')!.text;
  return {
    applicability: 'unsafe',
    severityCap: 'warning',
    suggestions: [`await ${shortCall(call, callee)}`, 'correct the annotation, if the coroutine is meant to be passed on to code that awaits it'],
  };
}

/** The call as written when it is short and on one line, else `callee(…)`. */
function shortCall(call: PyNode, callee: string): string {
  return call.text.length <= 60 && !call.text.includes('\n') ? call.text : `${callee}(…)`;
}
