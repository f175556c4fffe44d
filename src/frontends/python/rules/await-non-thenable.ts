// await-non-thenable: `await` on what a project sync function returns (agents awaiting a sync
// Protocol method). The fix is the callee turning async; the fallback removes the `await`, only when
// the callee's body proves that it never returns an awaitable.
import { awaitableReturnOf } from '../awaitable-return.js';
import { FRAMEWORK_DECORATOR, isStubBody, walkBody } from '../graph-builder.js';
import { decoratorEffect } from '../decorators.js';
import type { PyClass, PyFunction } from '../modules.js';
import type { PyRuleContext, PyVisitors } from '../rule-context.js';
import { namedChildren, type PyNode } from '../parser.js';
import { parameterName, type PySymbol, type Resolver } from '../resolver.js';
import { isAsyncReceiver } from '../walk.js';

export const MESSAGES = {
  notAwaitable: '`{callee}` is a sync function: awaiting what it returns fails at run time',
  stub: '`{callee}` is a sync stub (a Protocol or abstract member): awaiting what it returns fails at run time unless its implementations are async; make it async, or remove the `await` if no implementation is',
  familyDisagrees:
    '`{callee}` is {kind}, but {members} on its method family {verb} async, and the call may run {pronoun}: the `await` is left for you to check; decide the family\'s contract (make `{callee}` async too, or make {members} sync and then remove the `await`)',
  returned:
    '`{function}` is declared to return an awaitable and returns what the sync `{callee}` returns: once `{function}` is async it awaits that, which fails at run time unless it is an awaitable; make `{callee}` async, or correct the annotation of `{function}` if it never returns one',
} as const;

/** The call that is the operand of an `await` (or the value of a `return`), through parentheses. */
function operandCall(node: PyNode): PyNode | undefined {
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
  if (annotation) return AWAITABLE_TYPE.test(annotation.text) || isAwaitableClass(context.resolver.resolveAnnotation(annotation, fn.module), context.resolver);
  if (returnedAwaitables(fn, context.resolver, (path) => path.startsWith('asyncio.')).length > 0) return true;
  // `return Connection(path)`, Connection defining `__await__` (aiosqlite's `connect`): awaitable.
  const returned: PyNode[] = [];
  walkBody(fn.node.childForFieldName('body'), (node) => {
    if (node.type === 'return_statement' && node.namedChild(0)) returned.push(node.namedChild(0)!);
  });
  return returned.some((value) => {
    const callee = value.type === 'call' ? value.childForFieldName('function') : null;
    const made = callee ? context.resolver.resolveExpression(callee, fn, fn.module) : undefined;
    return made?.kind === 'class' && isAwaitableClass({ kind: 'instance', cls: made.cls }, context.resolver);
  });
}

/** An instance of a project class that may be awaitable (mayBeAwaitableClass): awaiting it may be right. */
function isAwaitableClass(symbol: PySymbol | undefined, resolver: Resolver): boolean {
  return symbol?.kind === 'instance' && mayBeAwaitableClass(symbol.cls, resolver);
}

/** Standard-library modules none of whose classes (bar the awaitable names) gives its subclasses `__await__`. */
const PLAIN_BASE_MODULES = new Set(['builtins', 'typing', 'typing_extensions', 'abc', 'enum', 'collections', 'collections.abc',
  'dataclasses', 'threading', 'unittest', 'numbers', 'io', 'logging', 'json', 'pathlib', 'string', 'argparse']);
/** Builtin classes a base names without an import. */
const BUILTIN_BASES = /^(object|dict|list|set|frozenset|tuple|str|int|float|bytes|bytearray|type|\w*(Error|Exception|Warning))$/;

/**
 * Instances of the class may be awaitable: it or a project ancestor binds `__await__` (a method, or
 * `__await__ = _wait` in the class body, also under an `if`/`try`), or an ancestor comes from outside
 * the project (`asyncio.Future`, a library's mixin), where an `__await__` cannot be seen. Only a class
 * whose every ancestor is read and binds no `__await__` makes instances that awaiting fails on.
 */
export function mayBeAwaitableClass(cls: PyClass, resolver: Resolver): boolean {
  if (resolver.findMethod(cls, '__await__')) return true;
  return resolver.mro(cls).some((klass) => bindsAwait(klass) || klass.bases.some((base) => isUnseenBase(base, klass, resolver)));
}

function bindsAwait(cls: PyClass): boolean {
  let binds = false;
  for (const statement of namedChildren(cls.node.childForFieldName('body')!)) {
    walkBody(statement, (node) => {
      const target = node.type === 'assignment' ? node.childForFieldName('left') : node.type === 'function_definition' ? node.childForFieldName('name') : null;
      if (target?.type === 'identifier' && target.text === '__await__') binds = true;
    });
    // walkBody does not enter a def at the top of the body: look at its name here.
    if (statement.type === 'function_definition' && statement.childForFieldName('name')?.text === '__await__') binds = true;
  }
  return binds;
}

/** A base that is no project class and not known to be a plain standard one. */
function isUnseenBase(base: PyNode, cls: PyClass, resolver: Resolver): boolean {
  const node = base.type === 'subscript' ? base.childForFieldName('value')! : base;
  const symbol = resolver.resolveExpression(node, undefined, cls.module);
  if (symbol?.kind === 'class') return false; // a project class: the mro walks it
  if (symbol?.kind === 'external') {
    const dot = symbol.path.lastIndexOf('.');
    return !PLAIN_BASE_MODULES.has(symbol.path.slice(0, dot)) || AWAITABLE_TYPE.test(symbol.path.slice(dot + 1));
  }
  return !(node.type === 'identifier' && BUILTIN_BASES.test(node.text));
}

/** asyncio functions whose result is always an awaitable (a coroutine, task or future). */
const ASYNCIO_AWAITABLES = new Set(['sleep', 'gather', 'wait', 'wait_for', 'shield', 'create_task', 'ensure_future', 'to_thread', 'run_coroutine_threadsafe']
  .map((name) => `asyncio.${name}`));

/**
 * The values of the function's own `return` statements that are awaitables it made: a call of a
 * project `async def` or of an asyncio awaitable maker (`isAsyncioAwaitable` decides which), or a
 * local bound to one (`coro = fetch()` … `return coro`). Not a call a rule fix awaits already
 * (`awaitedByFix`), where it is returned or where the local is bound.
 */
export function returnedAwaitables(
  fn: PyFunction,
  resolver: Resolver,
  isAsyncioAwaitable = (path: string) => ASYNCIO_AWAITABLES.has(path),
  awaitedByFix: (call: PyNode) => boolean = () => false,
): PyNode[] {
  const body = fn.node.childForFieldName('body');
  const makesAwaitable = (value: PyNode | null | undefined): boolean => {
    const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
    if (!callee) return false;
    const returned = resolver.resolveExpression(callee, fn, fn.module);
    return (returned?.kind === 'function' && returned.fn.isAsync) || (returned?.kind === 'external' && isAsyncioAwaitable(returned.path));
  };
  const assignedAwaitables = new Set<string>();
  const returns: PyNode[] = [];
  walkBody(body, (node) => {
    const left = node.type === 'assignment' ? node.childForFieldName('left') : null;
    const right = node.type === 'assignment' ? node.childForFieldName('right') : null;
    if (left?.type === 'identifier' && makesAwaitable(right) && !awaitedByFix(right!)) assignedAwaitables.add(left.text);
    if (node.type === 'return_statement' && node.namedChild(0)) returns.push(node.namedChild(0)!);
  });
  return returns.filter((value) => (makesAwaitable(value) && !awaitedByFix(value)) || (value.type === 'identifier' && assignedAwaitables.has(value.text)));
}

/** How many functions and locals one proof may visit. */
const MAX_PROOF_STEPS = 256;

/** Values that are never awaitable, whatever their operands hold. */
const PLAIN_NODES = new Set(['none', 'true', 'false', 'integer', 'float', 'string', 'concatenated_string', 'list', 'tuple',
  'dictionary', 'set', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension', 'generator_expression',
  'comparison_operator', 'not_operator', 'lambda']);
/** Builtins whose result is a plain value (when the name is not rebound in the project). */
const PLAIN_BUILTINS = new Set(['str', 'int', 'float', 'bool', 'bytes', 'len', 'list', 'dict', 'set', 'tuple', 'frozenset',
  'sorted', 'reversed', 'repr', 'format', 'abs', 'round', 'sum', 'any', 'all', 'isinstance', 'issubclass', 'hasattr',
  'callable', 'id', 'hash', 'ord', 'chr', 'hex', 'bin', 'oct', 'range', 'enumerate', 'zip', 'print']);

/**
 * Whether every value the function returns is provably not awaitable: each `return` (or falling off
 * the end) gives a literal, a container, a comparison, a plain builtin's result, an instance of a
 * project class without `__await__`, a local bound only to such values, or what another such function
 * returns. Anything else (a parameter, an attribute, an unknown call) may be a coroutine.
 */
function returnsNoAwaitable(fn: PyFunction, resolver: Resolver, seen = new Set<string>()): boolean {
  // A cycle, or a chain too long to follow, proves nothing.
  if (seen.has(fn.id) || seen.size > MAX_PROOF_STEPS) return false;
  seen.add(fn.id);
  // A Protocol's or abstract method's stub declares the member; the implementation that runs may be async.
  if (isDeclarationStub(fn, resolver)) return false;
  const returned: PyNode[] = [];
  walkBody(fn.node.childForFieldName('body'), (node) => {
    if (node.type === 'return_statement' && node.namedChild(0)) returned.push(node.namedChild(0)!);
  });
  return returned.every((value) => isPlainValue(value, fn, resolver, seen));
}

function isPlainValue(node: PyNode, fn: PyFunction, resolver: Resolver, seen: Set<string>): boolean {
  if (PLAIN_NODES.has(node.type)) return true;
  switch (node.type) {
    case 'parenthesized_expression':
    case 'unary_operator':
    case 'binary_operator':
    case 'boolean_operator':
      return node.namedChildren.every((child) => child === null || isPlainValue(child, fn, resolver, seen));
    case 'conditional_expression': {
      const [whenTrue, , whenFalse] = node.namedChildren;
      return !!whenTrue && !!whenFalse && isPlainValue(whenTrue, fn, resolver, seen) && isPlainValue(whenFalse, fn, resolver, seen);
    }
    case 'identifier':
      return isPlainLocal(node.text, fn, resolver, seen);
    case 'call': {
      const callee = node.childForFieldName('function');
      if (!callee) return false;
      const symbol = resolver.resolveExpression(callee, fn, fn.module);
      if (!symbol) return callee.type === 'identifier' && PLAIN_BUILTINS.has(callee.text) && !isBoundIn(callee.text, fn);
      if (symbol.kind === 'external') return symbol.path.startsWith('builtins.') && PLAIN_BUILTINS.has(symbol.path.slice('builtins.'.length));
      if (symbol.kind === 'class') return !mayBeAwaitableClass(symbol.cls, resolver);
      if (symbol.kind === 'function') {
        return !symbol.fn.isAsync && symbol.fn.kind !== 'arrow' && symbol.fn.kind !== 'getter' && isUndecorated(symbol.fn, resolver) && returnsNoAwaitable(symbol.fn, resolver, seen);
      }
      return false;
    }
    default:
      return false;
  }
}

function isDeclarationStub(fn: PyFunction, resolver: Resolver): boolean {
  return fn.cls !== undefined && isStubBody(fn) && (resolver.isProtocol(fn.cls) || fn.decorators.some((decorator) => decorator.endsWith('abstractmethod')));
}

/** A local of the function (not a parameter) whose every binding is a plain `name = value`. */
function isPlainLocal(name: string, fn: PyFunction, resolver: Resolver, seen: Set<string>): boolean {
  const key = `${fn.id}:${name}`;
  if (seen.has(key) || seen.size > MAX_PROOF_STEPS || isParameter(name, fn)) return false;
  seen.add(key);
  let bound = false;
  let plain = true;
  walkBody(fn.node.childForFieldName('body'), (node) => {
    if (!plain) return;
    const target = bindingTarget(node);
    if (!target || !target.descendantsOfType('identifier').some((id) => id?.text === name)) return;
    bound = true;
    // `n += 1` on a plain `n` stays plain: the builtin types' in-place operators return plain values.
    const value = node.type === 'assignment' || node.type === 'augmented_assignment' ? node.childForFieldName('right') : null;
    plain = target.type === 'identifier' && value !== null && isPlainValue(value, fn, resolver, seen);
  });
  return bound && plain;
}

/** The target a statement binds (assignment, `for x in`, `with … as x`, walrus), if it binds one. */
function bindingTarget(node: PyNode): PyNode | null {
  switch (node.type) {
    case 'assignment':
    case 'augmented_assignment':
      return node.childForFieldName('left');
    case 'for_statement':
      return node.childForFieldName('left');
    case 'named_expression':
      return node.childForFieldName('name');
    case 'as_pattern':
      return node.childForFieldName('alias');
    default:
      return null;
  }
}

function isParameter(name: string, fn: PyFunction): boolean {
  const parameters = fn.node.childForFieldName('parameters');
  return !!parameters && parameters.namedChildren.some((parameter) => parameter !== null && parameterName(parameter) === name);
}

function isBoundIn(name: string, fn: PyFunction): boolean {
  return isParameter(name, fn) || fn.module.functions.has(name) || fn.module.classes.has(name) || fn.module.imports.has(name) || fn.module.variables.has(name);
}

/**
 * The awaitable-giving methods a call of this method may run instead, or that it stands in for: those
 * of the same name its class inherits (its bases) and those its subclasses define, when they are
 * `async def` or hand back an awaitable (`def value(self): return self._later()`). A sync base with
 * such an override is a family whose members disagree: which one runs is decided at run time.
 */
function asyncDispatchMembers(fn: PyFunction, context: PyRuleContext): PyFunction[] {
  const { resolver } = context;
  const givesAwaitable = (method: PyFunction | undefined): method is PyFunction =>
    method !== undefined && method !== fn && (method.isAsync || (method.kind !== 'getter' && mayReturnAwaitable(method, context)));
  const cls = fn.cls;
  if (!cls) return [];
  const found = new Set<PyFunction>();
  for (const base of resolver.mro(cls).slice(1)) {
    const method = base.methods.get(fn.name);
    if (givesAwaitable(method)) found.add(method);
  }
  for (const module of resolver.modules.values()) {
    for (const klass of module.classes.values()) {
      if (klass === cls || !resolver.mro(klass).includes(cls)) continue;
      const method = klass.methods.get(fn.name);
      if (givesAwaitable(method)) found.add(method);
    }
  }
  return [...found];
}

/** Calling the function calls it as written: no decorator it cannot see through stands between (decorators.ts). */
function isUndecorated(fn: PyFunction, resolver: Resolver): boolean {
  return decoratorEffect(fn, resolver, (d) => FRAMEWORK_DECORATOR.test(d)).kind === 'transparent';
}

/** The project sync function a call awaits by mistake, if it is one (its callee is no awaitable maker). */
function syncAwaitedCallee(call: PyNode, context: PyRuleContext): { fn: PyFunction; stub: boolean; plain: boolean; disagreeing: PyFunction[] } | undefined {
  const symbol = context.resolveCallee(call);
  if (symbol?.kind !== 'function' || symbol.fn.isAsync || symbol.fn.kind === 'constructor') return undefined;
  // `client.send(…)` where `send` is a @property calls what the getter returns, which may be an async
  // callable; `@sync_to_async` or a decorator not seen through makes what the call gives unknown.
  if (symbol.fn.kind === 'getter' || !isUndecorated(symbol.fn, context.resolver)) return undefined;
  if (mayReturnAwaitable(symbol.fn, context)) return undefined;
  const receiver = call.childForFieldName('function')?.childForFieldName('object');
  if (receiver && isAsyncReceiver(receiver, context.enclosing, call, context.isSyncInType, false)) return undefined;
  // A Protocol's or abstract method's stub proves nothing (returnsNoAwaitable): say why.
  const disagreeing = asyncDispatchMembers(symbol.fn, context);
  return {
    fn: symbol.fn,
    stub: isDeclarationStub(symbol.fn, context.resolver),
    plain: disagreeing.length === 0 && returnsNoAwaitable(symbol.fn, context.resolver),
    disagreeing,
  };
}

/**
 * Only a callee that provably returns no awaitable makes the `await` a certain bug (the rule's
 * severity). A stub's implementations may be async where the tool cannot see them (a Protocol is
 * structural): at most `warning`. A family whose members disagree: dispatch decides, `info`.
 */
function severityCapOf(callee: { plain: boolean; disagreeing: readonly PyFunction[] }): { severityCap?: 'warning' | 'info' } {
  if (callee.disagreeing.length > 0) return { severityCap: 'info' };
  return callee.plain ? {} : { severityCap: 'warning' };
}

function familyMessage(fn: PyFunction, disagreeing: readonly PyFunction[], stub: boolean): string {
  const names = [...new Set(disagreeing.map((member) => `\`${member.qualName}\``))].sort();
  const members = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return MESSAGES.familyDisagrees.replaceAll('{callee}', fn.qualName)
    .replace('{kind}', stub ? 'a sync stub (a Protocol or abstract member)' : 'a sync method')
    .replaceAll('{members}', members)
    .replace('{verb} async', disagreeing.every((member) => member.isAsync) ? `${names.length === 1 ? 'is' : 'are'} async` : names.length === 1 ? 'hands back an awaitable' : 'are async or hand back awaitables')
    .replace('{pronoun}', names.length === 1 ? 'it' : 'them');
}

export const awaitNonThenableVisitors: PyVisitors = {
  await(node, context: PyRuleContext) {
    const call = operandCall(node);
    const callee = call && syncAwaitedCallee(call, context);
    if (!callee) return;
    const { fn, stub, plain, disagreeing } = callee;
    // What the callee returns is not known (not a stub, not provably plain, no async member on its
    // dispatch line): the `await` may be right, as typescript-eslint's await-thenable says nothing of
    // an `await` on `any`.
    if (!stub && !plain && disagreeing.length === 0) return;
    context.report({
      rule: 'await-non-thenable',
      node,
      message: disagreeing.length > 0 ? familyMessage(fn, disagreeing, stub) : (stub ? MESSAGES.stub : MESSAGES.notAwaitable).replace('{callee}', fn.qualName),
      kind: 'await',
      needsAsync: false,
      awaitedCallee: fn.id,
      ...severityCapOf(callee),
      fix: () => true, // the planner turns the callee async (or moves this call to its async sibling)
      // Removing the `await` is right only if the callee never returns an awaitable; otherwise it is reported.
      ...(plain
        ? {
            fallbackFix: (editor) => {
              const operand = node.namedChild(0);
              if (!operand) return false;
              editor.replace(node.startIndex, operand.startIndex, '');
              return true;
            },
          }
        : {}),
    });
  },
  // A sync function declared `-> Awaitable[T]` that turns async awaits each value it returns
  // (awaitable-return.ts): a returned call of a sync project function is then the `await` above, so it
  // is judged in the same run (onlyInAsync: once the function turns async), and a second run agrees.
  return_statement(node, context: PyRuleContext) {
    const returning = context.enclosing;
    if (returning.kind === 'module' || returning.isAsync || awaitableReturnOf(returning)?.kind !== 'awaitable') return;
    const call = operandCall(node);
    const callee = call && syncAwaitedCallee(call, context);
    if (!callee) return;
    context.report({
      rule: 'await-non-thenable',
      node: node.namedChild(0)!,
      message: MESSAGES.returned.replaceAll('{callee}', callee.fn.qualName).replaceAll('{function}', returning.qualName),
      kind: 'await',
      needsAsync: false,
      onlyInAsync: true,
      awaitedCallee: callee.fn.id,
      ...severityCapOf(callee),
      // The planner turns the callee async (under dual: this call moves to its async sibling). No
      // fallback: the `await` is the declared annotation's doing, not written here.
      fix: () => true,
    });
  },
};
