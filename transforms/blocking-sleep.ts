import { blockingSleepVisitors } from '../src/frontends/python/rules/index.js';
import { BLOCKING_RULE_OPTIONS, defineTransform } from '../src/transform.js';

const blockingSleep = defineTransform({
  id: 'blocking-sleep',
  severity: 'error',
  docs: {
    what: 'Finds sleeps that park the thread: `Atomics.wait` sleeps, busy-wait loops on the clock, `execSync("sleep …")`, sync-sleep packages, `time.sleep`.',
    why: 'The event loop runs one thing at a time: while a sleep blocks it, every other request, timer and callback waits too.',
    examples: {
      typescript: {
        flagged: `function backoff(attempt: number): void {
  console.log('retrying', attempt);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 * 2 ** attempt);
}

export async function retry(task: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt === 2) throw error;
      backoff(attempt);
    }
  }
}
`,
        fixed: `import { setTimeout as sleep } from 'node:timers/promises';

async function backoff(attempt: number): Promise<void> {
  console.log('retrying', attempt);
  await sleep(100 * 2 ** attempt);
}

export async function retry(task: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt === 2) throw error;
      await backoff(attempt);
    }
  }
}
`,
        fixedBy: 'migrate',
      },
      python: {
        flagged: `import time


def pause(seconds: float) -> None:
    time.sleep(seconds)


async def retry(task):
    for _ in range(3):
        try:
            return await task()
        except OSError:
            pause(0.1)
`,
        fixed: `import asyncio


async def pause(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def retry(task):
    for _ in range(3):
        try:
            return await task()
        except OSError:
            await pause(0.1)
`,
        fixedBy: 'migrate',
      },
    },
    useInstead:
      '`await setTimeout(ms)` from node:timers/promises (Python: `await asyncio.sleep(…)`); the enclosing function turns async and its callers await it. A TypeScript function that is nothing but a sleep (`sleepSync(ms)`) stays for its sync callers, and gains an async twin (`sleepAsync`) that its async callers move to.',
    fixSafety: 'Safe where the sleep is a statement; a sleep inside a constructor or getter cannot be awaited and is reported as blocked.',
    applicability:
      'safe: the sleep becomes an awaited timer in a function that is or turns async; unsafe: one whose chain needs `await Promise.all(xs.map(cb))` (the callbacks would run concurrently) or the bridge `main().catch(…)` with top-level code after `main();`; reported without a fix where it cannot be awaited (a constructor, a getter, an expression). Python: unsafe where another branch of the same `if` (or conditional expression) already awaits `asyncio.sleep`: the code chooses between the two, so the blocking one holds the loop on purpose (a pause that stands for CPU work). Also unsafe under a comment that says the call holds or blocks the loop on purpose (`# Block the event loop! …`). Reported without a fix in a module that imports trio or anyio (`await trio.sleep(…)`).',
    doesNotFlag: 'Sleeps that only sync code reaches (startup, scripts) under the default `--scope reachable`; timer waits (`setTimeout`, `await sleep(…)`).',
    options: [...BLOCKING_RULE_OPTIONS],
  },
  messages: {
    atomics: '`Atomics.wait` sleeps for `{ms}` ms and blocks the event loop; use `await setTimeout(ms)` from node:timers/promises',
    busyWait: 'busy-wait loop on `{clock}` blocks the event loop; use `await setTimeout(ms)` from node:timers/promises',
    shell: '`{callee}` runs `sleep` synchronously and blocks the event loop; use `await setTimeout(ms)` from node:timers/promises',
    package: '`{callee}` from the `{module}` package sleeps synchronously; use `await setTimeout(ms)` from node:timers/promises',
  },
  // Loaded only when TypeScript or JavaScript files are analysed: it loads the compiler.
  typescript: async () => (await import('../src/frontends/typescript/rules/blocking-sleep.js')).visitors,
  python: blockingSleepVisitors,
});
export default blockingSleep;
