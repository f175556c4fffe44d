import { awaitNonThenableVisitors } from '../src/frontends/python/rules/index.js';
import { defineTransform } from '../src/transform.js';

const awaitNonThenable = defineTransform({
  id: 'await-non-thenable',
  severity: 'error',
  docs: {
    what: 'Finds `await` on a value that is not a promise or thenable (such as the result of a sync method), `Promise.all`/`allSettled`/`race`/`any` given values that are never promises, `for await` over a sync iterable of plain values, and `await using` of a sync-only `Disposable`.',
    why: 'The code expects the callee to be async; it is not, so the await is a no-op today and a sign of a half-done migration (or a callee that should turn async).',
    examples: {
      typescript: {
        flagged: `class Cache {
  get(key: string): string | undefined {
    return key;
  }
}

export async function lookup(cache: Cache, key: string): Promise<string | undefined> {
  return await cache.get(key);
}
`,
        fixed: `class Cache {
  get(key: string): string | undefined {
    return key;
  }
}

export async function lookup(cache: Cache, key: string): Promise<string | undefined> {
  return cache.get(key);
}
`,
        fixedBy: 'migrate --unsafe-fixes',
      },
      python: {
        flagged: `def cached_user(user_id: int) -> str:
    return f"user-{user_id}"


async def handler(user_id: int) -> str:
    return await cached_user(user_id)
`,
        fixed: `def cached_user(user_id: int) -> str:
    return f"user-{user_id}"


async def handler(user_id: int) -> str:
    return cached_user(user_id)
`,
        fixedBy: 'migrate',
      },
    },
    useInstead: 'Make the callee async when it blocks or a migration makes it so; otherwise drop the `await`.',
    fixSafety:
      'Making the callee async (when it blocks or the strategy asks for it) is safe and carries `async` to all of its callers. In TypeScript, removing the `await` is unsafe: even on a value that provably is no thenable, the `await` gives other pending callbacks a turn first, so without it the next line runs earlier than it did (two tasks interleave in another order); it is suggested only where the value provably is no thenable, and applied only with `--unsafe-fixes`. In Python, an `await` on a project function that never returns an awaitable raises `TypeError` at run time, so removing it is safe. A type declared by a package can be wrong at run time (stale @types), and a function declared to return `void` (a callback, an interface member) may be given an async one, so those awaits are reported, not removed. A name given more than one value (`let run = readLocal; … run = readRemote;`, a `var` declared twice) is judged by every value it may hold, not by the one the checker types it by. Severity: only an `await` the tool proves useless is at the rule\'s severity; one it cannot prove (a `void` result, a type declared by a package or a `.d.ts`, a body returning values typed elsewhere, a callable `then`, a name given more than one value, a Python stub whose implementations it cannot see) is at most `warning`, and one that dispatch decides (a method family whose members disagree) is `info`, whatever severity the config gives the rule; a rule configured lower stays lower.',
    applicability:
      'safe: the callee turns async; in Python, removing an `await` on a project function that returns no awaitable (it raises today); unsafe: removing an `await` in TypeScript (it changes the order in which pending callbacks run); reported without a fix: types declared by packages, `void` results, names given more than one function, stubs whose implementations are not seen (at most `warning`, so `check --fail-on error` passes), dispatch the tool cannot see (a method family whose members disagree: at `info`, so `check` passes).',
    doesNotFlag: '`await` on `any`, `unknown`, an unconstrained type parameter (or a union holding one) or `never`; thenables whose `then` takes a callback (`PromiseLike`, hand-written); `Promise.all` of a value that is not iterable (a type error already); `for await` over a sync iterable whose elements may be promises.',
    options: [
      {
        flag: '--unsafe-fixes',
        key: 'unsafeFixes',
        effect: '`migrate` also removes the `await`s whose removal is unsafe (TypeScript).',
      },
      {
        flag: '--make-async',
        key: 'makeAsync',
        effect: 'Decide the other way: `--make-async Cache.get` turns the callee async (and carries that to its callers), so the `await` stays and becomes right.',
      },
    ],
  },
  messages: {
    nonThenable: '`await` on `{expression}` of type `{type}`, which is not a promise',
    callableThen: '`await` on `{expression}` of type `{type}`, whose `then` takes no callback: no thenable, yet `await` calls it at run time, so the await is left for you to check',
    unprovenCallee: '`await` on `{expression}` of type `{type}`, which is not a promise by its declared type; its body returns values typed outside the project (or `any`), so removing the await is not provably safe',
    voidResult: '`await` on `{expression}` of type `void`: a function declared to return `void` may still return a promise (TypeScript lets an async function stand in for it), so the await is left for you to check',
    familyDisagrees: '`await` on `{expression}` of type `{type}`: `{callee}` is not async, but {members} on its method family {verb} a promise, and the call may run {pronoun}; the await is left for you to check',
    unproven: '`await` on `{expression}` of type `{type}`, which is not a promise by declarations (a `.d.ts`, a package) that may be wrong at run time, so the await is left for you to check',
    rebound: '`await` on `{expression}` of type `{type}`: `{name}` is bound more than once (re-assigned or declared twice) and typed by one of its values; not all of them provably give no promise here, so the await is left for you to check',
    aggregatorInput: '`{expression}` of type `{type}` passed to `Promise.{method}` is not a promise; it settles at once',
    aggregatorIterable: '`{expression}` of type `{type}` passed to `Promise.{method}` holds values that are not promises; they settle at once',
    forAwaitSync: '`for await` over `{expression}` of type `{type}`, which is not async iterable; use `for … of`',
    awaitUsingSync: '`await using` of `{expression}` of type `{type}`, which is not async disposable (no `[Symbol.asyncDispose]`); use `using`',
  },
  // Loaded only when TypeScript or JavaScript files are analysed: it loads the compiler.
  typescript: async () => (await import('../src/frontends/typescript/rules/await-non-thenable.js')).visitors,
  python: awaitNonThenableVisitors,
});
export default awaitNonThenable;
