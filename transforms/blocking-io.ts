import { blockingIoVisitors } from '../src/frontends/python/rules/index.js';
import { BLOCKING_RULE_OPTIONS, defineTransform } from '../src/transform.js';

const blockingIo = defineTransform({
  id: 'blocking-io',
  severity: 'warning',
  docs: {
    what: 'Finds blocking I/O in code an event loop runs: `fs.*Sync`, `child_process.*Sync`, `zlib.*Sync`, sync crypto, a method whose `xAsync` sibling exists, and calls the config names as blocking.',
    why: 'A sync call holds the event loop for the whole disk, process or CPU operation; every other task waits.',
    examples: {
      typescript: {
        flagged: `import { readFileSync } from 'node:fs';

export async function loadConfig(file: string): Promise<unknown> {
  return JSON.parse(readFileSync(file, 'utf8'));
}
`,
        fixed: `import { readFile } from 'node:fs/promises';

export async function loadConfig(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}
`,
        fixedBy: 'migrate',
      },
      python: {
        flagged: `import json
from pathlib import Path


async def load_config(path: str) -> dict:
    return json.loads(Path(path).read_text())
`,
        fixed: `import asyncio
import json
from pathlib import Path


async def load_config(path: str) -> dict:
    return json.loads(await asyncio.to_thread(Path(path).read_text))
`,
        fixedBy: 'migrate',
      },
    },
    useInstead: "The async twin (`await readFile(path, 'utf8')` from node:fs/promises), the promisified callback API, or the `xAsync` sibling; Python: the call run in `await asyncio.to_thread(…)`, or `aiofiles` / `anyio` for files.",
    fixSafety:
      'Safe for the fs/promises twins, promisified zlib and crypto calls, the `access()` check that replaces `existsSync`, and the config\'s own equivalents. Unsafe: moving a call to a method\'s existing `xAsync` (Python `x_async`) sibling, another method found by its name that may need setup or differ (a template\'s `render_async` needs an async-enabled engine); `execSync` becomes `(await execAsync(cmd, { encoding: "buffer" })).stdout`, the same value, but stderr is captured rather than inherited (a failing command no longer prints its error), so it is applied only with `--unsafe-fixes`; a call with an option only the Sync form has (`stdio: \'inherit\'`, `input`) or options it cannot read is reported, not fixed. Descriptor APIs and `spawnSync` are reported, not fixed. Python: a `with open(…)` block or file call run in a thread that writes a file or shared state (`self.x`, a module dict), or reads what the same function writes with no `await` between, is unsafe: on the loop it ran as one step, in threads concurrent calls interleave (lost updates, half-written files).',
    applicability:
      "safe: fs/promises twins, promisified zlib/crypto, `existsSync` -> `access()`, the config's equivalents, `asyncio.to_thread` wraps; unsafe: moving to an existing `xAsync` / `x_async` sibling (another method, found by name), `execSync`/`execFileSync` (stderr captured instead of inherited), Python thread hops that write a file or shared state, or read what their function then writes with no `await` between (concurrent calls interleave in threads), and a fix whose chain needs `await Promise.all(xs.map(cb))` (the callbacks would run concurrently) or the bridge `main().catch(…)` with top-level code after `main();` (that code would run first); APIs with no equivalent are reported without a fix, and so is every asyncio fix in a Python module that imports trio or anyio (`await trio.to_thread.run_sync(…)` is named instead); Python calls under a comment that says they block the loop on purpose get an unsafe fix.",
    doesNotFlag: 'Blocking calls that only sync code reaches (startup, build scripts) under the default `--scope reachable`; callback and promise APIs; sync calls of libraries it does not know (list them in the config\'s `blocking`).',
    options: [
      ...BLOCKING_RULE_OPTIONS,
      {
        key: 'blocking',
        effect:
          'more calls to report as blocking. TypeScript: `{ "call": "db.querySync", "asyncEquivalent": "query" }` turns `db.querySync(sql)` into `await db.query(sql)`, and an entry without `asyncEquivalent` is reported without a fix; Python: `{ "call": "vectorstore.Client.query" }` (dotted) is run in `await asyncio.to_thread(…)`. `language` limits an entry to one language; `module` names the module to import the equivalent from.',
      },
      {
        flag: '--unsafe-fixes',
        key: 'unsafeFixes',
        effect: '`migrate` also applies the unsafe fixes: the move to an `xAsync` / `x_async` sibling, `execSync` -> `exec`, Python thread hops that write.',
      },
    ],
  },
  messages: {
    api: '`{callee}` blocks the event loop; use {replacement}',
    noEquivalent: '`{callee}` blocks the event loop; {hint}',
    syncOnlyOption: '`{callee}` blocks the event loop; its `{option}` option has no `{async}` equivalent: use spawn() and await its "close" event',
    unreadableOptions: '`{callee}` blocks the event loop; its options `{option}` may hold settings only the Sync form has (`stdio`, `input`): use `await promisify({async})(…)` with options exec takes, or spawn()',
    sibling: '`{callee}` blocks while `{sibling}` exists on the same type; `await {sibling}(…)` is an unsafe fix: it is another method, which may need setup or behave differently',
    configured: '`{callee}` is listed as blocking in the config; use `{replacement}`',
  },
  // Loaded only when TypeScript or JavaScript files are analysed: it loads the compiler.
  typescript: async () => (await import('../src/frontends/typescript/rules/blocking-io.js')).visitors,
  python: blockingIoVisitors,
});
export default blockingIo;
