// How a stored coroutine is used: as a coroutine (awaited, handed to asyncio.gather/create_task), or
// as the value it would return (`prev.name`, `prev + 1`, `for x in prev`, `f"{prev}"`, `len(prev)`).
// The second marks a half-migrated tree: the callee became `async def`, this caller did not change.
import type { PyFunction, PyModule } from '../modules.js';
import { namedChildren, type PyNode } from '../parser.js';
import type { PySymbol } from '../resolver.js';
import { isAsyncLoop, isHandled, isVariableName } from '../walk.js';
import { expandTypeAlias } from '../type-aliases.js';

/** `resolved`: needs the value the coroutine returns. `coroutine`: fits a coroutine, or cannot be told apart. */
export interface CoroutineUse {
  kind: 'resolved' | 'coroutine';
  node: PyNode;
  /** For the message: `.name`, `+`, `for … in`, `len()`. */
  what: string;
  /**
   * The value is wanted only by an annotation (`-> int`, a parameter `: str`), which Python does not
   * enforce: the coroutine may reach code that awaits it, so nothing proves the code fails as written.
   */
  byAnnotation?: boolean;
}

/** What a coroutine object has: using one of these is using the coroutine. */
const COROUTINE_MEMBERS = new Set(['send', 'throw', 'close', 'cr_await', 'cr_frame', 'cr_running', 'cr_code', 'cr_origin', 'cr_suspended', '__await__', '__name__', '__qualname__', '__class__']);

/** Builtins that read the value they are given (a coroutine there is a TypeError or a wrong result). */
const VALUE_BUILTINS = new Set(['len', 'int', 'float', 'str', 'bool', 'bytes', 'list', 'tuple', 'set', 'frozenset', 'dict', 'sorted', 'reversed', 'sum', 'min', 'max', 'any', 'all', 'enumerate', 'zip', 'iter', 'next', 'abs', 'round', 'map', 'filter']);

/** unittest.TestCase assertions whose arguments are compared as values. */
const VALUE_ASSERTIONS = new Set(['assertEqual', 'assertNotEqual', 'assertTrue', 'assertFalse', 'assertIn', 'assertNotIn', 'assertIsNone',
  'assertIsNotNone', 'assertGreater', 'assertGreaterEqual', 'assertLess', 'assertLessEqual', 'assertAlmostEqual', 'assertNotAlmostEqual',
  'assertCountEqual', 'assertListEqual', 'assertDictEqual', 'assertSetEqual', 'assertTupleEqual', 'assertSequenceEqual', 'assertMultiLineEqual',
  'assertRegex', 'assertNotRegex']);

/** An annotation a coroutine fits: the parameter (or return) takes an awaitable, or anything. */
const TAKES_COROUTINE = /\b(Awaitable|Coroutine|Future|Task|Any|object)\b/;

export interface UseContext {
  /** The function whose body holds the use. */
  enclosing: PyFunction;
  resolveCallee(call: PyNode): PySymbol | undefined;
  /** Follows a type alias imported from another project module (`from ._types import Coro`). */
  resolver?: { moduleNamed(name: string): PyModule | undefined };
}

/** How the reference (an identifier naming the stored coroutine) is used where it stands. */
export function classifyCoroutineUse(reference: PyNode, context: UseContext): CoroutineUse {
  let node = reference;
  while (node.parent?.type === 'parenthesized_expression') node = node.parent;
  const parent = node.parent;
  const use = (kind: CoroutineUse['kind'], what: string): CoroutineUse => ({ kind, node: reference, what });
  if (!parent) return use('coroutine', 'a value');
  const is = (field: string): boolean => parent.childForFieldName(field)?.id === node.id;

  if (parent.type === 'list_splat' || parent.type === 'dictionary_splat') return use('resolved', 'unpacking');
  if (isHandled(node)) return use('coroutine', parent.type === 'await' ? '`await`' : 'an asyncio hand-off');
  switch (parent.type) {
    case 'attribute': {
      if (!is('object')) break;
      const name = parent.childForFieldName('attribute')?.text ?? '';
      return use(COROUTINE_MEMBERS.has(name) ? 'coroutine' : 'resolved', `\`.${name}\``);
    }
    case 'subscript':
      return is('value') ? use('resolved', 'a subscript') : use('resolved', 'an index');
    case 'call':
      return is('function') ? use('resolved', 'a call of it') : use('coroutine', 'a value');
    case 'binary_operator':
      return use('resolved', `\`${parent.childForFieldName('operator')?.text ?? ''}\``);
    case 'comparison_operator': {
      // Identity (`is`, `is not`) holds for a coroutine too; every other comparison reads the value.
      const operators = parent.children.filter((child) => child !== null && !child.isNamed).map((child) => child!.text);
      return operators.some((text) => text === 'is' || text === 'is not' || text === 'not') ? use('coroutine', '`is`') : use('resolved', `\`${operators[0] ?? ''}\``);
    }
    case 'unary_operator':
      return use('resolved', `\`${parent.childForFieldName('operator')?.text ?? ''}\``);
    case 'assert_statement':
      return namedChildren(parent)[0]?.id === node.id ? use('resolved', 'an assert') : use('coroutine', 'a value');
    case 'not_operator':
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
      // A coroutine is always true: the code meant the value.
      return parent.type === 'not_operator' || is('condition') ? use('resolved', 'a condition') : use('coroutine', 'a value');
    case 'conditional_expression':
      return namedChildren(parent)[1]?.id === node.id ? use('resolved', 'a condition') : use('coroutine', 'a value');
    case 'for_statement':
    case 'for_in_clause':
      // `async for` takes an async iterator: not a use of a value.
      if (isAsyncLoop(parent)) return use('coroutine', '`async for`');
      return is('right') ? use('resolved', '`for … in`') : use('coroutine', 'a loop target');
    case 'interpolation':
      return use('resolved', 'an f-string');
    case 'assignment': {
      const left = parent.childForFieldName('left');
      if (!is('right') || !left) return use('coroutine', 'a reassignment');
      return left.type === 'pattern_list' || left.type === 'tuple_pattern' || left.type === 'list_pattern' ? use('resolved', 'unpacking') : use('coroutine', 'another variable');
    }
    case 'return_statement':
      return returnUse(functionAround(parent, context.enclosing), use, context);
    case 'argument_list':
    case 'keyword_argument':
      return argumentUse(node, parent, context, use);
  }
  return use('coroutine', 'a value');
}

/** The function whose body holds the node: a nested one, where the reference is a closure's. */
function functionAround(node: PyNode, outer: PyFunction): PyFunction {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type !== 'function_definition' && current.type !== 'lambda') continue;
    return outer.module.allFunctions.find((fn) => fn.node.id === current!.id) ?? outer;
  }
  return outer;
}

/**
 * `return prev`: a return annotation a coroutine does not fit (`-> str`) wanted the value, in an
 * `async def` too (unlike a JavaScript promise, a returned coroutine is not awaited for the caller:
 * `await f()` would give the coroutine). No annotation: passed on.
 */
function returnUse(enclosing: PyFunction, use: (kind: CoroutineUse['kind'], what: string) => CoroutineUse, context: UseContext): CoroutineUse {
  if (enclosing.kind === 'module') return use('coroutine', 'a return');
  const annotation = enclosing.node.childForFieldName('return_type')?.text;
  if (!annotation || TAKES_COROUTINE.test(annotation)) return use('coroutine', 'a return');
  // `-> Response[T]` where `Response = Coroutine[Any, Any, T]`: the coroutine is what it returns.
  const expanded = expandTypeAlias(annotation.replace(/^(["'])([\s\S]*)\1$/, '$2'), enclosing.module, (name) => context.resolver?.moduleNamed(name));
  if (TAKES_COROUTINE.test(expanded)) return use('coroutine', 'a return');
  return { ...use('resolved', `a return of type \`${annotation}\``), byAnnotation: true };
}

/**
 * An argument: a builtin that reads values (`len`, `str`, `sorted`), or a project sync function whose
 * parameter is annotated with a type a coroutine does not fit, wants the value. An unannotated
 * parameter may take the coroutine on purpose (to schedule it): not known.
 */
function argumentUse(node: PyNode, parent: PyNode, context: UseContext, use: (kind: CoroutineUse['kind'], what: string) => CoroutineUse): CoroutineUse {
  const keyword = parent.type === 'keyword_argument' ? parent.childForFieldName('name')?.text : undefined;
  if (parent.type === 'keyword_argument' && parent.childForFieldName('value')?.id !== node.id) return use('coroutine', 'a value');
  const argumentList = parent.type === 'keyword_argument' ? parent.parent : parent;
  const call = argumentList?.type === 'argument_list' ? argumentList.parent : undefined;
  if (!argumentList || call?.type !== 'call') return use('coroutine', 'an argument');
  const callee = call.childForFieldName('function');
  // unittest's value assertions (`self.assertEqual(prev, 3)`) compare what they are given.
  if (callee?.type === 'attribute' && callee.childForFieldName('object')?.text === 'self' && VALUE_ASSERTIONS.has(callee.childForFieldName('attribute')?.text ?? '')) {
    return use('resolved', `\`${callee.childForFieldName('attribute')!.text}()\``);
  }
  const symbol = context.resolveCallee(call);
  if (symbol?.kind === 'external' && symbol.path.startsWith('builtins.') && VALUE_BUILTINS.has(symbol.path.slice('builtins.'.length))) {
    return use('resolved', `\`${symbol.path.slice('builtins.'.length)}()\``);
  }
  if (symbol?.kind !== 'function' || symbol.fn.isAsync) return use('coroutine', 'an argument');
  const position = keyword === undefined ? namedChildren(argumentList).filter((child) => child.type !== 'comment').findIndex((child) => child.id === node.id) : -1;
  const annotation = parameterAnnotation(symbol.fn, call, position, keyword);
  if (!annotation || TAKES_COROUTINE.test(annotation)) return use('coroutine', 'an argument');
  // `arg: FutureLike[T]` where `FutureLike = Union[Future[T], Awaitable[T]]`: the parameter takes the
  // coroutine (to schedule or shield it), and awaiting it first would pass its result instead.
  const expanded = expandTypeAlias(annotation.replace(/^(["'])([\s\S]*)\1$/, '$2'), symbol.fn.module, (name) => context.resolver?.moduleNamed(name));
  if (TAKES_COROUTINE.test(expanded)) return use('coroutine', 'an argument');
  return { ...use('resolved', `a parameter of type \`${annotation}\` of \`${symbol.fn.name}\``), byAnnotation: true };
}

/** The annotation of the parameter an argument binds to (by keyword, or by position past `self`/`cls`). */
function parameterAnnotation(fn: PyFunction, call: PyNode, position: number, keyword: string | undefined): string | undefined {
  const parameters = namedChildren(fn.node.childForFieldName('parameters') ?? fn.node).filter((child) => child.type !== 'comment');
  const boundReceiver = fn.cls !== undefined && !fn.decorators.includes('staticmethod') && call.childForFieldName('function')?.type === 'attribute';
  const candidates = boundReceiver ? parameters.slice(1) : parameters;
  const parameter = keyword !== undefined ? candidates.find((candidate) => parameterName(candidate) === keyword) : candidates[position];
  if (!parameter || (parameter.type !== 'typed_parameter' && parameter.type !== 'typed_default_parameter')) return undefined;
  return parameter.childForFieldName('type')?.text;
}

/** `x`, `x: int`, `x=1`, `x: int = 1`, `*args`, `**kwargs`: the name a parameter binds. */
function parameterName(parameter: PyNode): string | undefined {
  if (parameter.type === 'identifier') return parameter.text;
  return (parameter.childForFieldName('name') ?? namedChildren(parameter).find((child) => child.type === 'identifier'))?.text;
}

/**
 * Every read or write of `name` in the function's own body (or the module's top level), after the
 * binding itself. Nested functions and classes that bind the name themselves are another scope.
 */
export function referencesIn(enclosing: PyFunction, name: string, binding: PyNode): PyNode[] {
  const root = enclosing.kind === 'module' ? enclosing.node : enclosing.node.childForFieldName('body');
  if (!root) return [];
  const references: PyNode[] = [];
  const visit = (node: PyNode): void => {
    if (node.type === 'identifier' && node.text === name && node.id !== binding.id && isVariableName(node)) references.push(node);
    for (const child of namedChildren(node)) {
      const isScope = child.type === 'function_definition' || child.type === 'lambda' || child.type === 'class_definition';
      if (!isScope || !bindsName(child, name)) {
        visit(child);
        continue;
      }
      // Its default values and decorators run here; only its body is another scope.
      const body = child.childForFieldName('body');
      for (const part of namedChildren(child)) if (part.id !== body?.id) visit(part);
    }
  };
  visit(root);
  return references;
}

/** A nested scope with its own `name`: a parameter, or an assignment in its body. */
function bindsName(scope: PyNode, name: string): boolean {
  const parameters = namedChildren(scope.childForFieldName('parameters') ?? scope).filter((child) => child.type !== 'comment');
  if (scope.type !== 'class_definition' && parameters.some((parameter) => parameterName(parameter) === name)) return true;
  let binds = false;
  const visit = (node: PyNode): void => {
    if (binds) return;
    if ((node.type === 'assignment' || node.type === 'augmented_assignment') && node.childForFieldName('left')?.text === name) binds = true;
    for (const child of namedChildren(node)) if (child.type !== 'function_definition' && child.type !== 'lambda') visit(child);
  };
  visit(scope.childForFieldName('body') ?? scope);
  return binds;
}
