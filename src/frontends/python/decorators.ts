// What a decorator does to whether calling the function gives an awaitable. The front-end can turn a
// function async, await its calls or remove an `await` only when the decorated name still calls the
// function as written (`@staticmethod`, `@abstractmethod`, a registry decorator that hands it back);
// a decorator it cannot see through makes the result's awaitability unknown, and asgiref's
// `@sync_to_async` runs a sync body in a worker thread and hands back an awaitable.
import type { PyFunction } from './modules.js';
import { namedChildren, type PyNode } from './parser.js';
import { qualifiedNameOf, type Resolver } from './resolver.js';

export type DecoratorEffect =
  /** Calling the decorated name calls the function as written: its own `async` says what it gives. */
  | { kind: 'transparent' }
  /** The sync body runs in a worker thread and the call gives an awaitable (`@sync_to_async`). */
  | { kind: 'thread'; decorator: string }
  /** What the decorated name gives is not known (a retry wrapper, an executor, `async_to_sync`). */
  | { kind: 'unknown'; decorator: string };

/**
 * Decorators that hand the function back, or a wrapper that calls it and returns what it returns,
 * whatever it is: pytest's fixtures and marks, mock's patches and unittest's skips wrap coroutine
 * functions as coroutine functions. Properties, caches, generators' context managers and framework
 * registrations are judged where the function's kind is (graph-builder.ts).
 */
const TRANSPARENT = new RegExp(
  '^(' +
    [
      'staticmethod',
      'classmethod',
      '(\\w+\\.)*abstract(method|classmethod|staticmethod|property)',
      '((typing|typing_extensions)\\.)?(overload|override|final|no_type_check)',
      '(functools\\.)?(wraps|total_ordering)',
      '(pytest\\.)?fixture',
      'pytest_asyncio\\.fixture',
      'pytest\\.mark\\.\\w+',
      '((unittest\\.)?mock\\.)?patch(\\.object|\\.dict|\\.multiple)?',
      '(unittest\\.)?(skip|skipIf|skipUnless|expectedFailure)',
      '(\\w+\\.)*(property|cached_property|getter|setter|deleter)',
      '(functools\\.)?(lru_cache|cache)',
      '(contextlib\\.)?(contextmanager|asynccontextmanager)',
      '((typing_extensions|warnings)\\.)?deprecated',
    ].join('|') +
    ')$',
);

/** asgiref's and Django Channels' thread runners: the decorated sync function is awaited by its callers. */
const THREAD_RUNNER = /(^|\.)(sync_to_async|database_sync_to_async)$/;

/** The decorator expressions of a def, outermost first (`app.route` for `@app.route("/")`). */
function decoratorNodes(fn: PyFunction): PyNode[] {
  if (fn.outer.type !== 'decorated_definition') return [];
  return namedChildren(fn.outer)
    .filter((child) => child.type === 'decorator')
    .map((decorator) => namedChildren(decorator)[0]!)
    .filter((expression) => expression !== undefined);
}

const effects = new WeakMap<PyFunction, DecoratorEffect>();

/** The effect of a function's decorators together: the first that is not transparent decides. */
export function decoratorEffect(fn: PyFunction, resolver: Resolver, frameworkDecorator: (name: string) => boolean = () => false): DecoratorEffect {
  const known = effects.get(fn);
  if (known) return known;
  let effect: DecoratorEffect = { kind: 'transparent' };
  for (const expression of decoratorNodes(fn)) {
    const one = effectOf(expression, fn, resolver, frameworkDecorator);
    if (one.kind !== 'transparent') {
      effect = one;
      break;
    }
  }
  effects.set(fn, effect);
  return effect;
}

function effectOf(expression: PyNode, fn: PyFunction, resolver: Resolver, frameworkDecorator: (name: string) => boolean): DecoratorEffect {
  const written = expression.type === 'call' ? expression.childForFieldName('function') : expression;
  if (!written) return { kind: 'unknown', decorator: expression.text };
  const text = written.text.replace(/\s+/g, '');
  // Decorators are evaluated where the def is: in its parent function, or at the module's top level.
  const symbol = resolver.resolveExpression(written, fn.parent ?? fn.module.topLevel, fn.module);
  const path = symbol?.kind === 'external' ? symbol.path : symbol?.kind === 'function' ? qualifiedNameOf(symbol.fn) : text;
  if (THREAD_RUNNER.test(path) || THREAD_RUNNER.test(text)) return { kind: 'thread', decorator: text };
  if (TRANSPARENT.test(text) || TRANSPARENT.test(path) || frameworkDecorator(text)) return { kind: 'transparent' };
  // A project decorator is followed when it provably hands the function back, or a wrapper that only
  // returns the function's own result (`@functools.wraps(f) def inner(*a, **kw): return f(*a, **kw)`).
  if (symbol?.kind === 'function' && expression.type !== 'call' && isPassThroughDecorator(symbol.fn)) return { kind: 'transparent' };
  return { kind: 'unknown', decorator: text };
}

/** The values of a function's own `return` statements, not those of nested defs (a bare `return` gives the statement). */
function ownReturns(fn: PyFunction): PyNode[] {
  const returns: PyNode[] = [];
  const visit = (node: PyNode): void => {
    for (const child of namedChildren(node)) {
      if (child.type === 'function_definition' || child.type === 'decorated_definition' || child.type === 'class_definition' || child.type === 'lambda') continue;
      if (child.type === 'return_statement') returns.push(child.namedChild(0) ?? child);
      else visit(child);
    }
  };
  const body = fn.node.childForFieldName('body');
  if (body) visit(body);
  return returns;
}

/**
 * `def register(f): REGISTRY.append(f); return f`, or a decorator whose every return is a nested
 * wrapper that does nothing but return `f(…)`: calling the decorated name gives what `f` gives.
 */
function isPassThroughDecorator(decorator: PyFunction): boolean {
  const parameter = namedChildren(decorator.node.childForFieldName('parameters')!)[0];
  const name = parameter?.type === 'identifier' ? parameter.text : parameter?.type === 'typed_parameter' ? namedChildren(parameter)[0]?.text : undefined;
  if (!name || decorator.isAsync) return false;
  const returns = ownReturns(decorator);
  if (returns.length === 0) return false;
  return returns.every((value) => {
    if (value.type === 'identifier' && value.text === name) return true;
    const wrapper = value.type === 'identifier' ? decorator.nested?.get(value.text) : undefined;
    if (!wrapper || wrapper.isAsync) return false;
    const body = namedChildren(wrapper.node.childForFieldName('body')!).filter((statement) => statement.type !== 'comment');
    const last = body[body.length - 1];
    const call = last?.type === 'return_statement' ? last.namedChild(0) : null;
    // The wrapped call, returned as it is, after plain statements (a log line): code after it
    // (timing, retries, `finally`) would run before a coroutine's body does.
    const before = body.slice(0, -1);
    const plain = before.every((statement) => statement.type === 'expression_statement' && !/\b(await|yield)\b/.test(statement.text));
    return plain && call?.type === 'call' && call.childForFieldName('function')?.text === name;
  });
}
