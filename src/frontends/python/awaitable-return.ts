// A sync function declared to return an awaitable (`def f() -> Awaitable[T]`, `Coroutine[Any, Any, T]`,
// `Future[T]`, `Task[T]`) already behaves async for its callers: they await what it returns. When it
// turns async, its callers stay as they are, each `return x` becomes `return await x`, and the
// annotation becomes `T` (an `async def f() -> Awaitable[T]` would declare a coroutine of an awaitable).
// `Optional[Awaitable[T]]` is different: callers test the result for None before awaiting it, and an
// `async def` always returns a coroutine, so such a function is not turned async automatically.
import { splitTopLevel } from './annotation-text.js';
import { expandTypeAlias } from './type-aliases.js';
import type { PyFunction, PyModule } from './modules.js';
import type { PyNode } from './parser.js';

export type AwaitableReturn =
  /**
   * `result` is the text of T, or undefined for a bare `Awaitable`. `future`: an asyncio Future or
   * Task, whose methods (`add_done_callback`, `cancel`) a coroutine lacks.
   */
  | { kind: 'awaitable'; annotation: PyNode; result: string | undefined; future: boolean }
  /** An awaitable or something else (None): the function's callers tell them apart. */
  | { kind: 'maybe'; annotation: PyNode };

const AWAITABLE = /^((?:[A-Za-z_]\w*\.)*)(Awaitable|Coroutine|Future|Task)\s*(?:\[([\s\S]*)\])?$/;
const OPTIONAL = /^(?:[A-Za-z_][\w]*\.)*(Optional|Union)\s*\[([\s\S]*)\]$/;

/** What the function's return annotation says about an awaitable, if anything. */
export function awaitableReturnOf(fn: PyFunction): AwaitableReturn | undefined {
  const annotation = fn.node.childForFieldName('return_type');
  if (!annotation) return undefined;
  // A type alias of the function's own module (`Response[T]`, `Response = Coroutine[Any, Any, T]`) is read through.
  const text = expandTypeAlias(unquoted(annotation.text.trim()), fn.module);
  const awaitable = awaitableResult(text, fn.module);
  if (awaitable) return { kind: 'awaitable', annotation, ...awaitable };
  const members = unionMembers(text);
  if (members.length > 1 && members.some((member) => awaitableResult(member, fn.module))) return { kind: 'maybe', annotation };
  return undefined;
}

/** The annotation once the function is `async def`: T, quoted as the original was. */
export function awaitedAnnotation(declared: Extract<AwaitableReturn, { kind: 'awaitable' }>): string | undefined {
  if (declared.result === undefined) return undefined;
  const text = declared.annotation.text.trim();
  const quote = /^["']/.test(text) ? text[0] : '';
  return `${quote}${declared.result}${quote}`;
}

function awaitableResult(text: string, module: PyModule): { result: string | undefined; future: boolean } | undefined {
  const match = AWAITABLE.exec(text.trim());
  if (!match) return undefined;
  const [, qualifier, name, args] = match;
  const future = name === 'Future' || name === 'Task';
  // `concurrent.futures.Future` is no awaitable: a Future or Task counts when it is asyncio's.
  if (future && !(qualifier ? /^asyncio\./.test(qualifier) : isImportedFromAsyncio(name!, module))) return undefined;
  if (args === undefined) return { result: undefined, future };
  const parts = splitTopLevel(args);
  // Coroutine[YieldType, SendType, ReturnType]; the others take the result type alone.
  const result = name === 'Coroutine' ? parts[2] : parts.length === 1 ? parts[0] : undefined;
  return result === undefined ? undefined : { result: result.trim(), future };
}

function isImportedFromAsyncio(name: string, module: PyModule): boolean {
  const binding = module.imports.get(name);
  return binding?.kind === 'symbol' && (binding.module === 'asyncio' || binding.module.startsWith('asyncio.'));
}

/** `Optional[X]`, `Union[X, None]`, `X | None`: the members, one if it is no union. */
function unionMembers(text: string): string[] {
  const bar = splitTopLevel(text, '|');
  if (bar.length > 1) return bar.map((member) => member.trim());
  const match = OPTIONAL.exec(text);
  if (!match) return [text];
  const members = splitTopLevel(match[2]!).map((member) => member.trim());
  return match[1] === 'Optional' ? [...members, 'None'] : members;
}

function unquoted(text: string): string {
  return /^(["'])[\s\S]*\1$/.test(text) && !/^("""|''')/.test(text) ? text.slice(1, -1).trim() : text;
}

/** Expressions `await` can precede as they are; any other returned value is parenthesised. */
export const PRIMARY_EXPRESSIONS: ReadonlySet<string> = new Set(['call', 'identifier', 'attribute', 'subscript', 'parenthesized_expression']);

/** The values of the function's own `return` statements (not of nested defs), `None` and `await x` left out. */
export function returnValues(fn: PyFunction): PyNode[] {
  const values: PyNode[] = [];
  const stack: PyNode[] = [...(fn.node.childForFieldName('body')?.namedChildren ?? [])].filter((child): child is PyNode => child !== null);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'function_definition' || node.type === 'lambda' || node.type === 'class_definition') continue;
    const value = node.type === 'return_statement' ? node.namedChild(0) : null;
    if (value && value.type !== 'none' && value.type !== 'await') values.push(value);
    for (const child of node.namedChildren) if (child) stack.push(child);
  }
  return values.sort((a, b) => a.startIndex - b.startIndex);
}
