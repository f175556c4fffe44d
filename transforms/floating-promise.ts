import { floatingPromiseVisitors } from '../src/frontends/python/rules/index.js';
import { defineTransform } from '../src/transform.js';

const floatingPromise = defineTransform({
  id: 'floating-promise',
  severity: 'error',
  docs: {
    what: 'Finds promises (and coroutines) that are created and dropped: not awaited, returned, stored, passed on, `void`-ed or handled; each operand of `?:`, `,` and the logical operators on its own, and arrays of promises. Also a promise of a project async function used as the value it resolves to, stored or not (`const prev = f(p); prev.length`, `prev + 1`, `for (… of prev)`, a `string` parameter, a `number` return): a caller a migration left behind.',
    why: 'A dropped promise runs out of order with the code after it, and its rejection is unhandled: errors vanish or crash the process.',
    examples: {
      typescript: {
        flagged: `export async function save(name: string): Promise<void> {
  console.log(name);
}

export async function register(name: string): Promise<void> {
  save(name);
  console.log('registered');
}
`,
        fixed: `export async function save(name: string): Promise<void> {
  console.log(name);
}

export async function register(name: string): Promise<void> {
  await save(name);
  console.log('registered');
}
`,
        fixedBy: 'migrate --unsafe-fixes',
      },
      python: {
        flagged: `async def save(name: str) -> None:
    print(name)


async def register(name: str) -> None:
    save(name)
    print("registered")
`,
        fixed: `async def save(name: str) -> None:
    print(name)


async def register(name: str) -> None:
    await save(name)
    print("registered")
`,
        fixedBy: 'migrate',
      },
    },
    useInstead: '`await saveAsync(user);` (the enclosing function turns async if it is not), or `void saveAsync(user)` when fire-and-forget is intended; where nothing can await (CommonJS top level), `.catch(…)` that reports the error and sets the exit code. A promise used as its value: `const prev = await f(p);`.',
    fixSafety: 'Unsafe for a promise dropped before the migration: adding `await` makes the code wait where it did not (a fire-and-forget listener or child process, a `Promise.all(…).then(…)` that a later loop resolves), so it is a suggestion (`await` or `void`) applied only with `--unsafe-fixes`; at a CommonJS top level the `.catch` that reports the error is unsafe too. Safe for a promise used as the value it resolves to (a caller a migration left behind) in TypeScript, where the checker rejects most such uses, and in Python, where they raise (in a sync function where only an annotation wants the value, `-> int` or a parameter `: str`, nothing raises: Python does not check annotations and callers may await the coroutine the function hands on, so that fix, which turns the function async, is unsafe and the finding at most a warning): it is awaited only when every use of it wants the value, so no concurrency (`Promise.all`) and no handler (`.catch`) changes. In JavaScript such code runs as written (a promise\'s `.code` is `undefined`), so awaiting it there is unsafe. Calls of functions this migration turns async are awaited by the propagation, safely.',
    applicability:
      'unsafe: `await` (or `void`) for a promise dropped before the migration, and a Python coroutine dropped in sync code; safe: awaiting a promise used as its value (unsafe in JavaScript, where that code runs as written, and in a Python sync function where only an annotation wants the value: `-> int`, a parameter `: str`), or a coroutine dropped in an `async def`.',
    doesNotFlag: 'Thenables that are not built-in Promises (`PromiseLike`, a class with `then`: typescript-eslint\'s default `checkThenables: false`); `any`; promises awaited, returned, assigned, passed on, `void`-ed, or handled by `.catch(f)` / `.then(_, f)` with a function `f`; a stored promise used only as a promise (awaited later, `.then`/`.catch`/`.finally`, `Promise.all([a, b])`, `asyncio.gather`, a parameter taking a Promise, `unknown`, `any` or a type parameter, returned from an async function or one declared to return a Promise); one used both ways is reported, not fixed. Test registrations of node:test and tap (`test(…)`, `it(…)`, `describe(…)`, `t.test(…)`, their `.only`/`.skip`/`.todo`): the runner waits for the promise they return, which never rejects (typescript-eslint\'s `allowForKnownSafeCalls` documents node:test\'s).',
    options: [
      {
        flag: '--unsafe-fixes',
        key: 'unsafeFixes',
        effect: '`migrate` also awaits the promises that were dropped before the migration (and, at a CommonJS top level, adds the `.catch` that reports the error).',
      },
    ],
  },
  messages: {
    floating: 'promise from `{expression}` is neither awaited, returned nor handled',
    floatingOwnHandler:
      'promise from `{expression}` is neither awaited, returned nor handled; not fixed: this module installs a `process.on(\'unhandledRejection\', …)` handler, which a `.catch` would bypass',
    floatingArray: 'array of promises `{expression}` is neither awaited nor handled; use `await Promise.all(…)`',
    floatingUselessHandler: 'promise from `{expression}` is not handled: the rejection handler `{handler}` is not always a function',
    callUsedAsValue: 'promise from `{expression}` is used as the value it resolves to ({uses}) without being awaited',
    usedAsValue: 'promise from `{expression}` is stored in `{name}` and used as the value it resolves to ({uses}) without being awaited',
    usedAsValueMixed:
      'promise from `{expression}` is stored in `{name}` and used as the value it resolves to ({uses}) without being awaited; not fixed: `{name}` is also used as a promise or reassigned ({promiseUses}), so await it by hand where the value is needed',
  },
  // Loaded only when TypeScript or JavaScript files are analysed: it loads the compiler.
  typescript: async () => (await import('../src/frontends/typescript/rules/floating-promise.js')).visitors,
  python: floatingPromiseVisitors,
});
export default floatingPromise;
