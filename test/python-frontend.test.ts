// The Python front-end's pieces on small in-memory projects: module names, targets, parsing, the
// resolver's families, and the edit shapes a fixture would take many files to show.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config.js';
import { EditSet, applyEdits, normalizeEdits } from '../src/edits/edit-set.js';
import { RULE_IDS, type AsyncRoot, type Report } from '../src/model.js';
import { planPropagation } from '../src/plan/propagate.js';
import { createPythonFrontEnd } from '../src/frontends/python/index.js';
import { moduleNameOf } from '../src/frontends/python/modules.js';
import { Resolver } from '../src/frontends/python/resolver.js';
import { langserverEntry, pyrightDefinitions } from '../src/frontends/python/pyright-oracle.js';
import { runCli } from './support/cli.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function project(files: Record<string, string>): { root: string; paths: string[] } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'async-migrate-pyunit-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return { root, paths: Object.keys(files).map((name) => path.join(root, name)) };
}

/** Analyses, roots every fixable hit and the given targets, plans in place, and returns the new texts. */
async function migrate(files: Record<string, string>, targets: string[] = []): Promise<Record<string, string>> {
  const { root, paths } = project(files);
  const frontEnd = createPythonFrontEnd({ root, config: DEFAULT_CONFIG });
  const analysis = await frontEnd.analyze(paths, new Set(RULE_IDS));
  const rootsOf: AsyncRoot[] = analysis.hits.filter((hit) => hit.needsAsync && hit.fix).map((hit) => ({ function: hit.enclosing, reason: hit.finding.rule }));
  for (const target of targets) for (const id of frontEnd.resolveTarget(target)) rootsOf.push({ function: id, reason: target });
  const plan = planPropagation(analysis.graph, rootsOf, { strategy: 'inplace' });
  const fixes = analysis.hits.filter((hit) => hit.kind !== 'await' && hit.fix && (!hit.needsAsync || plan.asyncFunctions.has(hit.enclosing) || analysis.graph.functions.get(hit.enclosing)?.isAsync));
  const edits = new EditSet();
  frontEnd.emit({ plan, fixes, fallbacks: [], graph: analysis.graph }, edits);
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, name);
    out[name] = applyEdits(text, normalizeEdits(name, text, edits.editsFor(file)));
  }
  return out;
}

describe('module names', () => {
  it('follows packages and __init__.py', () => {
    expect(moduleNameOf('pkg/sub/mod.py')).toEqual({ name: 'pkg.sub.mod', isPackage: false });
    expect(moduleNameOf('pkg/__init__.py')).toEqual({ name: 'pkg', isPackage: true });
    expect(moduleNameOf('main.py')).toEqual({ name: 'main', isPackage: false });
  });
});

describe('targets', () => {
  const files = {
    'pkg/__init__.py': '',
    'pkg/store.py': 'from typing import Protocol\n\n\nclass IStore(Protocol):\n    def save(self, x: int) -> None: ...\n\n\nclass Memory:\n    def save(self, x: int) -> None:\n        pass\n\n    def load(self) -> int:\n        return 1\n\n\ndef helper() -> int:\n    return 2\n',
  };
  it('resolves fn, Class.method, Class.*, file:line and dotted names', async () => {
    const { root, paths } = project(files);
    const frontEnd = createPythonFrontEnd({ root, config: DEFAULT_CONFIG });
    const analysis = await frontEnd.analyze(paths, new Set(RULE_IDS));
    const names = (ids: string[]): string[] => ids.map((id) => analysis.graph.functions.get(id)!.name).sort();
    expect(names(frontEnd.resolveTarget('helper'))).toEqual(['helper']);
    expect(names(frontEnd.resolveTarget('Memory.*'))).toEqual(['Memory.load', 'Memory.save']);
    expect(names(frontEnd.resolveTarget('pkg.store.Memory.load'))).toEqual(['Memory.load']);
    expect(names(frontEnd.resolveTarget('pkg/store.py:13'))).toEqual(['Memory.load']);
    expect(names(frontEnd.resolveTarget('IStore.save'))).toEqual(['IStore.save']);
    expect(frontEnd.resolveTarget('nothing')).toEqual([]);
    // A structural implementation of the Protocol joins its family.
    const family = analysis.graph.functions.get(frontEnd.resolveTarget('IStore.save')[0]!)!.familyId!;
    expect(analysis.graph.families.get(family)!.members.map((id) => analysis.graph.functions.get(id)!.name).sort()).toEqual(['IStore.save', 'Memory.save']);
  });
});

describe('syntaxErrors', () => {
  it('reports ERROR and MISSING nodes with their position', async () => {
    const { root, paths } = project({ 'a.py': 'x = 1\n' });
    const frontEnd = createPythonFrontEnd({ root, config: DEFAULT_CONFIG });
    await frontEnd.analyze(paths, new Set(RULE_IDS));
    const errors = await frontEnd.syntaxErrors(
      new Map([
        ['ok.py', 'async def f():\n    return (await g()).x\n'],
        ['bad.py', 'def f(:\n'],
        ['open.py', 'x = (1,\n'],
      ]),
    );
    expect([...errors.keys()].sort()).toEqual(['bad.py', 'open.py']);
    const misplaced = await frontEnd.syntaxErrors(
      new Map([
        ['sync.py', 'def f():\n    return await g()\n'],
        ['top.py', 'await g()\n'],
        ['lambda.py', 'async def f():\n    h = lambda: await g()\n'],
        ['fine.py', 'async def f():\n    return [await g(x) for x in y]\n'],
      ]),
    );
    expect([...misplaced.keys()].sort()).toEqual(['lambda.py', 'sync.py', 'top.py']);
    expect(misplaced.get('sync.py')).toBe("'await' outside an async function at 2:12");
    expect(errors.get('bad.py')).toMatch(/^syntax error at 1:\d+$/);
  });

  it('a migrated text the grammar accepts but Python 3 does not compile is an error too', async () => {
    const { root, paths } = project({ 'a.py': 'x = 1\n' });
    const frontEnd = createPythonFrontEnd({ root, config: DEFAULT_CONFIG });
    await frontEnd.analyze(paths, new Set(RULE_IDS));
    const errors = await frontEnd.syntaxErrors(
      new Map([
        ['tabs.py', 'async def f():\n    if x:\n\tawait g()\n        return 1\n'],
        ['fine.py', '# -*- coding: latin-1 -*-\nasync def f():\n    return "é"\n'],
      ]),
    );
    expect([...errors]).toEqual([['tabs.py', 'TabError: inconsistent use of tabs and spaces in indentation at 3:1']]);
  });
});

describe('emit', () => {
  it('parenthesises await where the call is a receiver, and awaits in comprehensions', async () => {
    const out = await migrate({
      'm.py': 'import time\n\n\nclass A:\n    def get(self) -> "A":\n        time.sleep(0.01)\n        return self\n\n    x = 1\n\n\ndef use(a: A) -> int:\n    return a.get().x + [a.get() for _ in range(2)][0].x\n',
    });
    expect(out['m.py']).toBe(
      'import asyncio\n\n\nclass A:\n    async def get(self) -> "A":\n        await asyncio.sleep(0.01)\n        return self\n\n    x = 1\n\n\nasync def use(a: A) -> int:\n    return (await a.get()).x + [await a.get() for _ in range(2)][0].x\n',
    );
  });

  it('keeps non-ASCII text and CRLF outside the edits', async () => {
    const source = '# ünï 😀\r\nfrom time import sleep\r\n\r\ndef wait() -> str:\r\n    sleep(0)  # é\r\n    return "😀"\r\n';
    const out = await migrate({ 'w.py': source }, ['wait']);
    // `sleep` is used by nothing else: its import goes with the call it served.
    expect(out['w.py']).toBe('# ünï 😀\r\nimport asyncio\r\n\r\nasync def wait() -> str:\r\n    await asyncio.sleep(0)  # é\r\n    return "😀"\r\n');
  });

  it('turns TestCase classes with async tests into IsolatedAsyncioTestCase, setUp into asyncSetUp', async () => {
    const out = await migrate({
      'db.py': 'import time\n\n\ndef connect() -> str:\n    time.sleep(0)\n    return "c"\n',
      'test_db.py': 'from unittest import TestCase\n\nfrom db import connect\n\n\nclass DbTest(TestCase):\n    def setUp(self) -> None:\n        self.conn = connect()\n\n    def test_conn(self) -> None:\n        self.assertEqual(self.conn, "c")\n',
    });
    expect(out['test_db.py']).toBe(
      'from unittest import IsolatedAsyncioTestCase\n\nfrom db import connect\n\n\nclass DbTest(IsolatedAsyncioTestCase):\n    async def asyncSetUp(self) -> None:\n        self.conn = await connect()\n\n    def test_conn(self) -> None:\n        self.assertEqual(self.conn, "c")\n',
    );
  });

  it('removes imports its edits leave unused, in their own layout, and only those', async () => {
    const body = '\n\nasync def main() -> None:\n    sleep(0)\n';
    const out = await migrate({
      'lines.py': 'from time import (\n    monotonic,\n    sleep,  # pauses\n)' + body + '    monotonic()\n',
      'only.py': 'from time import (\n    sleep,\n)' + body,
      'semicolon.py': 'from time import sleep; import os' + body,
      'pkg/__init__.py': 'from time import sleep' + body,
      'shadow.py': 'from time import sleep\n\nLATER = sleep' + body,
    });
    expect(out['lines.py']).toBe('import asyncio\nfrom time import (\n    monotonic,\n)\n\nasync def main() -> None:\n    await asyncio.sleep(0)\n    monotonic()\n');
    expect(out['only.py']).toBe('import asyncio\n\nasync def main() -> None:\n    await asyncio.sleep(0)\n');
    // A statement sharing its line with another stays; so does a package's import (a re-export) and a name still read.
    expect(out['semicolon.py']).toBe('import asyncio\nfrom time import sleep; import os\n\nasync def main() -> None:\n    await asyncio.sleep(0)\n');
    expect(out['pkg/__init__.py']).toContain('from time import sleep\n');
    expect(out['shadow.py']).toContain('from time import sleep\n');
  });

  it('bridges the __main__ entry call with asyncio.run', async () => {
    const out = await migrate({ 'main.py': 'import time\n\n\ndef main() -> None:\n    time.sleep(0)\n\n\nif __name__ == "__main__":\n    main()\n' });
    expect(out['main.py']).toBe('import asyncio\n\n\nasync def main() -> None:\n    await asyncio.sleep(0)\n\n\nif __name__ == "__main__":\n    asyncio.run(main())\n');
  });
});

const hasPyright = langserverEntry() !== undefined;

describe('pyright oracle', () => {
  // `svc.lookup()` reads an instance out of a dict: only pyright knows it calls Repo.load.
  const files = {
    'svc.py':
      'import time\n\n\nclass Repo:\n    def load(self) -> int:\n        time.sleep(0.001)\n        return 1\n\n\nREPOS = {"a": Repo()}\n\n\n' +
      'def lookup() -> int:\n    return REPOS["a"].load()\n\n\nasync def run() -> int:\n    return Repo().load() + lookup()\n',
  };
  const listed = [{ file: 'svc.py', line: 14, column: 12, call: 'REPOS["a"].load', mayCall: ['Repo.load'] }];

  async function checkWith(env: Record<string, string>, args: string[] = []): Promise<{ code: number; report: Report; stderr: string[] }> {
    const { root } = project(files);
    const saved = { ...process.env };
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    Object.assign(process.env, env);
    try {
      const result = await runCli(['check', '.', '--format', 'json', ...args], root);
      lines.push(...(result.stderr ? [result.stderr] : []));
      return { code: result.code, report: result.stdout ? (JSON.parse(result.stdout) as Report) : ({} as Report), stderr: lines };
    } finally {
      spy.mockRestore();
      for (const key of Object.keys(env)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  }

  const needsPyright = 'pyright is not installed (an optional dependency)';

  it('resolves an unresolved call that may call a function turning async, so its caller turns async', async (context) => {
    context.skip(!hasPyright, needsPyright);
    const { report, stderr } = await checkWith({});
    expect(stderr).toEqual([]);
    expect(report.unresolvedCalls).toBeUndefined();
    expect(report.asyncFunctions.map((entry) => entry.name)).toEqual(['Repo.load', 'lookup']);
  });

  it('asks about a call in async code that may reach a blocking function nothing else reaches', async (context) => {
    context.skip(!hasPyright, needsPyright);
    const { root } = project({
      'svc.py':
        'import time\n\n\nclass Repo:\n    def load(self) -> int:\n        time.sleep(0.001)\n        return 1\n\n\nREPOS = {"a": Repo()}\n\n\n' +
        'async def run() -> int:\n    return REPOS["a"].load()\n',
    });
    const result = await runCli(['check', '.', '--format', 'json'], root);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.findings.map((finding) => [finding.rule, finding.line])).toEqual([['blocking-sleep', 6]]);
    expect(report.asyncFunctions.map((entry) => entry.name)).toEqual(['Repo.load']);
    expect(report.awaitedCalls.map((entry) => [entry.callee, entry.line])).toEqual([['Repo.load', 14]]);
  });

  it('a call pyright places in a project file that was not analysed stays listed', async (context) => {
    context.skip(!hasPyright, needsPyright);
    const { root } = project({
      'svc.py':
        'import time\n\nfrom vendor.other import OTHERS\n\n\nclass Repo:\n    def load(self) -> int:\n        time.sleep(0.001)\n        return 1\n\n\n' +
        'def lookup() -> int:\n    return OTHERS["a"].load()\n\n\nasync def run() -> int:\n    return Repo().load() + lookup()\n',
      'vendor/__init__.py': '',
      'vendor/other.py': 'class Other:\n    def load(self) -> int:\n        return 2\n\n\nOTHERS = {"a": Other()}\n',
      'async-migrate.config.json': JSON.stringify({ exclude: ['vendor/**'] }),
    });
    // --unsafe-fixes turns Repo.load async anyway and lists the call; by default the call blocks it.
    const unsafe = JSON.parse((await runCli(['check', '.', '--format', 'json', '--unsafe-fixes'], root)).stdout) as Report;
    expect(unsafe.unresolvedCalls).toEqual([{ file: 'svc.py', line: 13, column: 12, call: 'OTHERS["a"].load', mayCall: ['Repo.load'] }]);
    expect(unsafe.asyncFunctions.map((entry) => entry.name)).toEqual(['Repo.load']);
    const report = JSON.parse((await runCli(['check', '.', '--format', 'json'], root)).stdout) as Report;
    expect(report.unresolvedCalls).toBeUndefined();
    expect(report.asyncFunctions).toEqual([]);
    expect(report.blocked.map((entry) => [entry.kind, entry.name, entry.reason.slice(0, entry.reason.indexOf(','))])).toEqual([
      ['caller', 'Repo.load', 'Repo.load may be called at svc.py:13 (`OTHERS["a"].load`)'],
    ]);
  });

  it('ASYNC_MIGRATE_PYRIGHT=0 never runs it: the call blocks the method it may call, or with --unsafe-fixes stays listed', async () => {
    const { report, stderr } = await checkWith({ ASYNC_MIGRATE_PYRIGHT: '0' });
    expect(stderr).toEqual([]);
    expect(report.unresolvedCalls).toBeUndefined();
    expect(report.blocked.map((entry) => [entry.kind, entry.name])).toEqual([['caller', 'Repo.load']]);
    const unsafe = await checkWith({ ASYNC_MIGRATE_PYRIGHT: '0' }, ['--unsafe-fixes']);
    expect(unsafe.stderr).toEqual([]);
    expect(unsafe.report.unresolvedCalls).toEqual(listed);
    expect(unsafe.report.asyncFunctions.map((entry) => entry.name)).toEqual(['Repo.load']);
  });

  it('a pyright that times out: the run is incomplete, exit 1 and one stderr line naming the calls left unresolved, no report', async (context) => {
    context.skip(!hasPyright, needsPyright);
    const { code, report, stderr } = await checkWith({ ASYNC_MIGRATE_PYRIGHT_TIMEOUT: '0.001' });
    expect([code, report, stderr]).toEqual([
      1,
      {},
      [
        'async-migrate: pyright timed out after 0.001 s (ASYNC_MIGRATE_PYRIGHT_TIMEOUT) with 1 unresolved call(s) unanswered (svc.py:14 REPOS["a"].load); the run is incomplete: raise ASYNC_MIGRATE_PYRIGHT_TIMEOUT, or set ASYNC_MIGRATE_PYRIGHT=0 to report them unresolved\n',
      ],
    ]);
  });

  it('a timeout uses none of the answers that came in before it (they depend on the load), whatever pyright answered', async () => {
    // A stand-in language server: answers `initialize` and the first definition question, never the second.
    const { root } = project({
      'stub-server.cjs': `
let buffer = Buffer.alloc(0);
let definitions = 0;
const send = (message) => {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }));
  process.stdout.write('Content-Length: ' + body.length + '\\r\\n\\r\\n');
  process.stdout.write(body);
};
process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const length = Number(/Content-Length: (\\d+)/.exec(buffer.subarray(0, end).toString())[1]);
    if (buffer.length < end + 4 + length) return;
    const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
    buffer = buffer.subarray(end + 4 + length);
    if (message.method === 'initialize') send({ id: message.id, result: { capabilities: {} } });
    if (message.method === 'textDocument/definition' && definitions++ === 0) {
      send({ id: message.id, result: [{ uri: message.params.textDocument.uri, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }] });
    }
  }
});
`,
      'a.py': 'x.load()\ny.load()\n',
    });
    const file = path.join(root, 'a.py');
    const queries = [{ file, line: 0, character: 2 }, { file, line: 1, character: 2 }];
    const result = await pyrightDefinitions(root, queries, new Map([[file, 'x.load()\ny.load()\n']]), 1500, path.join(root, 'stub-server.cjs'));
    expect(result).toEqual({ definitions: [undefined, undefined], failure: 'it took longer than 1.5 s (ASYNC_MIGRATE_PYRIGHT_TIMEOUT)', timedOut: true });
  });

  it('a bad ASYNC_MIGRATE_PYRIGHT or ASYNC_MIGRATE_PYRIGHT_TIMEOUT: one error line, exit 2', async () => {
    const bad = await checkWith({ ASYNC_MIGRATE_PYRIGHT: 'yes' });
    expect([bad.code, bad.stderr]).toEqual([2, ['async-migrate: ASYNC_MIGRATE_PYRIGHT must be 0 (never run pyright) or 1 (run it when installed, the default), not "yes"\n']]);
    const timeout = await checkWith({ ASYNC_MIGRATE_PYRIGHT_TIMEOUT: '-3' });
    expect([timeout.code, timeout.stderr]).toEqual([2, ['async-migrate: ASYNC_MIGRATE_PYRIGHT_TIMEOUT must be a positive number of seconds, not "-3"\n']]);
  });
});

describe('analyze', () => {
  it('resolves values that refer to themselves without overflowing (x = x or f(x), self.c = self.c or C(), NAME = NAME.strip())', async () => {
    const { root, paths } = project({
      'a.py': 'class Client:\n    def get(self):\n        return 1\n\n\nclass S:\n    def __init__(self):\n        self.c = self.c or Client()\n\n    def run(self):\n        return self.c.get()\n\n\ndef f(x):\n    x = x.strip() or f(x)\n    return x.upper()\n\n\nNAME = NAME.strip() or "x"\n',
    });
    const frontEnd = createPythonFrontEnd({ root, config: DEFAULT_CONFIG });
    const analysis = await frontEnd.analyze(paths, new Set(RULE_IDS));
    expect(analysis.skipped).toEqual([]);
    const run = [...analysis.graph.functions.values()].find((fn) => fn.name === 'S.run')!;
    const get = [...analysis.graph.functions.values()].find((fn) => fn.name === 'Client.get')!;
    expect(analysis.graph.sites.some((site) => site.caller === run.id && site.callee === get.id)).toBe(true);
  });


  it('skips a file that does not parse, naming where, and keeps the others', async () => {
    const { root, paths } = project({ 'bad.py': 'def f(:\n    pass\n', 'good.py': 'def g() -> int:\n    return 1\n' });
    const frontEnd = createPythonFrontEnd({ root, config: DEFAULT_CONFIG });
    const analysis = await frontEnd.analyze(paths, new Set(RULE_IDS));
    expect(analysis.skipped).toEqual([{ file: path.join(root, 'bad.py'), reason: 'syntax error at bad.py:1:7' }]);
    expect(analysis.files).toEqual([path.join(root, 'good.py')]);
  });
});

describe('await-non-thenable', () => {
  it('flags an await on a sync function, not on one that hands back a coroutine', async () => {
    const { root, paths } = project({
      'svc.py':
        'import asyncio\nfrom typing import Awaitable\n\n\nasync def fetch() -> int:\n    return 1\n\n\ndef wrapper():\n    return fetch()\n\n\ndef typed() -> Awaitable[int]:\n    return fetch()\n\n\ndef task():\n    return asyncio.ensure_future(fetch())\n\n\ndef plain() -> int:\n    return 2\n\n\nasync def run() -> int:\n    return await wrapper() + await typed() + await task() + await plain()\n',
    });
    const frontEnd = createPythonFrontEnd({ root, config: DEFAULT_CONFIG });
    const analysis = await frontEnd.analyze(paths, new Set(RULE_IDS));
    expect(analysis.hits.map((hit) => [hit.finding.rule, hit.finding.line, hit.finding.column])).toEqual([['await-non-thenable', 26, 61]]);
  });
});

describe('blocking APIs outside the project', () => {
  it('types httpx clients, urllib3 pools and files by their constructors, not by a stand-in package', async () => {
    const out = await migrate({
      'net.py':
        'import io\nimport typing\n\nimport httpx\nimport urllib3\n\n\nasync def fetch(url: str, log: typing.TextIO, out: io.BufferedWriter) -> int:\n    with httpx.Client() as client:\n        response = client.get(url)\n    pool = urllib3.connection_from_url(url)\n    log.write("maybe a StringIO")\n    out.write(b"a real file")\n    return pool.urlopen("GET", "/").status + response.status_code\n',
    });
    expect(out['net.py']).toBe(
      'import asyncio\nimport io\nimport typing\n\nimport httpx\nimport urllib3\n\n\nasync def fetch(url: str, log: typing.TextIO, out: io.BufferedWriter) -> int:\n    with httpx.Client() as client:\n        response = await asyncio.to_thread(client.get, url)\n    pool = urllib3.connection_from_url(url)\n    log.write("maybe a StringIO")\n    await asyncio.to_thread(out.write, b"a real file")\n    return (await asyncio.to_thread(pool.urlopen, "GET", "/")).status + response.status_code\n',
    );
  });

  it('wraps open() only when its file is used by nothing but file methods of this function', async () => {
    const out = await migrate({
      'files.py':
        'def later(f):\n    return f.read()\n\n\nasync def own(p: str) -> str:\n    f = open(p)\n    text = f.read()\n    print(f.name, f.fileno() > 0)\n    f.close()\n    return text\n\n\nasync def iterated(p: str) -> int:\n    f = open(p)\n    count = len([line for line in f])\n    f.close()\n    return count\n\n\nasync def passed(p: str) -> str:\n    f = open(p)\n    return later(f)\n',
    });
    expect(out['files.py']).toBe(
      'import asyncio\n\n\ndef later(f):\n    return f.read()\n\n\nasync def own(p: str) -> str:\n    f = await asyncio.to_thread(open, p)\n    text = await asyncio.to_thread(f.read)\n    print(f.name, f.fileno() > 0)\n    await asyncio.to_thread(f.close)\n    return text\n\n\nasync def iterated(p: str) -> int:\n    f = open(p)\n    count = len([line for line in f])\n    await asyncio.to_thread(f.close)\n    return count\n\n\nasync def passed(p: str) -> str:\n    f = open(p)\n    return later(f)\n',
    );
  });
});

describe('decorators', () => {
  // Which decorated functions may turn async: those whose decorator is known, or provably hands back
  // the function or its result; the others stay sync (syncOnly), and @sync_to_async is a thread.
  it('keeps sync what a decorator it cannot see through wraps', async () => {
    const { root, paths } = project({
      'hooks.py': [
        'import functools',
        'from asgiref.sync import sync_to_async as to_async',
        'REGISTRY = []',
        'def register(f):',
        '    REGISTRY.append(f)',
        '    return f',
        'def logged(f):',
        '    @functools.wraps(f)',
        '    def inner(*a, **kw):',
        '        print("call")',
        '        return f(*a, **kw)',
        '    return inner',
        'def timed(f):',
        '    def inner(*a):',
        '        result = f(*a)',
        '        print("done")',
        '        return result',
        '    return inner',
        '@register',
        'def a(): pass',
        '@logged',
        'def b(): pass',
        '@timed',
        'def c(): pass',
        '@to_async',
        'def d(): pass',
        'class K:',
        '    @staticmethod',
        '    def e(): pass',
        '    @functools.lru_cache',
        '    def f(self): pass',
        '',
      ].join('\n'),
    });
    const analysis = await createPythonFrontEnd({ root, config: DEFAULT_CONFIG }).analyze(paths, new Set(RULE_IDS));
    const kinds = Object.fromEntries([...analysis.graph.functions.values()].map((fn) => [fn.name, fn.syncOnly?.reason.match(/@[\w.]+/)?.[0] ?? null]));
    expect(kinds).toMatchObject({ a: null, b: null, c: '@timed', d: '@to_async', 'K.e': null, 'K.f': '@functools.lru_cache' });
  });
});

describe('rebound locals', () => {
  it('resolves a name bound many times to values that read it, evaluating each value a bounded number of times', async () => {
    // `q = q.where(…)` nine times: each read of `q` inside a value once re-evaluated every other value (9!).
    const filters = Array.from({ length: 9 }, (_, index) => `    if flags[${index}]:\n        q = q.where(${index})\n`).join('');
    const files = {
      'app.py': `import time\n\n\nclass Query:\n    def where(self, n):\n        return self\n\n    def run(self):\n        time.sleep(1)\n        return []\n\n\nasync def search(flags):\n    q = Query()\n${filters}    return q.run()\n`,
    };
    const resolveExpression = vi.spyOn(Resolver.prototype, 'resolveExpression');
    try {
      const out = await migrate(files);
      // Every binding of `q` agrees (`where` returns self), so `q.run()` is Query.run, which turned async.
      expect(out['app.py']).toContain('    return await q.run()\n');
      expect(out['app.py']).toContain('    async def run(self):\n        await asyncio.sleep(1)\n');
      expect(resolveExpression.mock.calls.length).toBeLessThan(5_000);
    } finally {
      resolveExpression.mockRestore();
    }
  });
});

describe('files python3 rejects', () => {
  it('are left out of the analysis the run reports, though it started before python3 gave its verdict', async () => {
    // tree-sitter parses the Python 2 print statement; python3 does not. The analysis of every file
    // runs while python3 compiles them, and is made again without the file it rejects.
    const { root, paths } = project({
      'legacy.py': 'import time\n\n\ndef helper():\n    print "slow"\n    time.sleep(1)\n',
      'service.py': 'from legacy import helper\n\n\nasync def main():\n    helper()\n',
    });
    const analysis = await createPythonFrontEnd({ root, config: DEFAULT_CONFIG }).analyze(paths, new Set(RULE_IDS));
    if (analysis.skipped.length === 0) return; // no python3 on this machine: the grammar alone checks the files
    expect(analysis.skipped.map((entry) => [path.basename(entry.file), entry.reason.startsWith('does not compile under Python 3')])).toEqual([['legacy.py', true]]);
    expect(analysis.files.map((file) => path.basename(file))).toEqual(['service.py']);
    expect(analysis.hits).toEqual([]);
    expect([...analysis.graph.functions.keys()].filter((id) => id.startsWith('legacy.py'))).toEqual([]);
    expect(analysis.graph.sites).toEqual([]);
  });
});
