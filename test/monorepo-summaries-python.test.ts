// A Python (uv) workspace analysed package by package (`check <pkg> --summary-out`) and planned from
// the summaries (`check --summaries-from`) gives the report a whole-program `check .` at the
// workspace root gives, byte for byte once the edits are left out (docs/monorepo.md, "What differs").
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './support/files.js';
import { runCli } from './support/cli.js';
// @ts-expect-error: the generator is a plain ESM script of the bench, without types
import { generateMonorepo } from '../bench/generate-monorepo.mjs';

const generate = generateMonorepo as (options: { outDir: string; packages: number; files: number; functions: number; language: 'python' }) => unknown;

interface JsonReport {
  changes: unknown[];
  summary: Record<string, unknown>;
  asyncFunctions: { name: string; because: string[] }[];
  blocked: { name: string; kind: string }[];
  makeAsync?: { files: string[] };
  [key: string]: unknown;
}

/** The report as text without what a combined run does not produce: the edits (docs/monorepo.md). */
function withoutEdits(stdout: string): string {
  const report = JSON.parse(stdout) as JsonReport;
  const { filesChanged: _filesChanged, linesCopied: _linesCopied, ...summary } = report.summary;
  return JSON.stringify({ ...report, changes: [], summary, ...(report.makeAsync ? { makeAsync: { ...report.makeAsync, files: [] } } : {}) }, null, 2);
}

const PACKAGES = ['p00', 'p01', 'p02', 'p03', 'p04', 'p05'];
let work: string;
let repo: string;
let summaries: string;
beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'am-pymonorepo-'));
  repo = path.join(work, 'repo');
  summaries = path.join(work, 'summaries');
  generate({ outDir: repo, packages: PACKAGES.length, files: 1, functions: 2, language: 'python' });
  await writeSummaries(summaries);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function writeSummaries(dir: string, extra: string[] = []): Promise<void> {
  for (const pkg of PACKAGES) {
    const result = await runCli(['check', `packages/${pkg}`, '--summary-out', path.join(dir, `${pkg}.json`), ...extra], repo);
    expect(result.stderr).toMatch(new RegExp(`^async-migrate: summary of ${pkg} \\(`));
    expect(result.code).toBe(0);
  }
}

async function bothReports(options: string[], dir = summaries): Promise<{ whole: string; combined: string; stderr: string; codes: number[] }> {
  const whole = await runCli(['check', '.', '--format', 'json', ...options], repo);
  const combined = await runCli(['check', '--summaries-from', dir, '--format', 'json', ...options], repo);
  return { whole: whole.stdout, combined: combined.stdout, stderr: combined.stderr, codes: [whole.code, combined.code] };
}

describe('per-package summaries of a Python workspace', () => {
  it('combined from the summaries, the report is the whole-program report byte for byte but for the edits', async () => {
    const { whole, combined, stderr, codes } = await bothReports([]);
    expect(stderr).toBe('async-migrate: planned from 6 package summaries (p00, p01, p02, … p05); edits need the program, so the report counts no changed files\n');
    expect(codes).toEqual([1, 1]);
    const combinedReport = JSON.parse(combined) as JsonReport;
    expect(combinedReport.changes).toEqual([]);
    expect((JSON.parse(whole) as JsonReport).changes.length).toBeGreaterThan(0);
    expect(withoutEdits(combined)).toBe(withoutEdits(whole));
    // What the equality holds: a chain across all six packages, a Protocol family implemented by shape
    // in every package, a block that travels from p03's property down into p02, p01 and p00, a test in
    // p05 bridged, and no unresolved call (the untyped `options.get(…)` is a loose match of Client.get).
    const byName = new Map(combinedReport.asyncFunctions.map((fn) => [fn.name, fn.because]));
    expect(byName.get('step5')).toEqual(['step4', 'step3', 'step2', 'step1', 'step0', 'packages/p00/src/p00/store.py:27 blocking-sleep']);
    expect(byName.get('P3Store.load')).toEqual(['FileStore.load (method family Store.load)', 'packages/p00/src/p00/store.py:17 blocking-io']);
    expect(byName.get('Client.get')).toEqual(['packages/p00/src/p00/store.py:22 blocking-sleep']);
    expect(combinedReport.blocked.map((entry) => `${entry.name} ${entry.kind}`)).toEqual(['label0 caller', 'label1 caller', 'label2 caller', 'Cached3.label getter', 'test_step5 entry-point']);
    expect(combinedReport.unresolvedCalls).toBeUndefined();
  });

  it('the same under --strategy dual (a test patching another package by name: a stale mock), --unsafe-fixes and --make-async', async () => {
    const dual = await bothReports(['--strategy', 'dual']);
    expect(withoutEdits(dual.combined)).toBe(withoutEdits(dual.whole));
    expect(JSON.parse(dual.combined).staleMocks).toEqual([expect.objectContaining({ target: 'p04.chain.step4', file: 'packages/p05/tests/test_chain.py' })]);
    const decided = await bothReports(['--make-async', 'h2_0_1', '--strategy', 'dual']);
    expect((JSON.parse(decided.whole) as { makeAsync: { asyncFunctions: unknown[] } }).makeAsync.asyncFunctions.length).toBeGreaterThan(0);
    expect(withoutEdits(decided.combined)).toBe(withoutEdits(decided.whole));
    const unsafe = path.join(work, 'unsafe');
    await writeSummaries(unsafe, ['--unsafe-fixes']);
    const withUnsafe = await bothReports(['--unsafe-fixes'], unsafe);
    expect(JSON.parse(withUnsafe.whole).asyncFunctions.map((fn: { name: string }) => fn.name)).toContain('kick2'); // the dropped coroutine is awaited
    expect(withoutEdits(withUnsafe.combined)).toBe(withoutEdits(withUnsafe.whole));
  });

  it('each summary follows the schema, says what its package calls of the others and what turns async once reached', () => {
    const schema = JSON.parse(readFileSync(path.join(REPO, 'schemas/async-migrate.summary.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const file of readdirSync(summaries)) {
      const summary = JSON.parse(readFileSync(path.join(summaries, file), 'utf8')) as unknown;
      expect(validate(summary) ? [] : validate.errors).toEqual([]);
    }
    type Summary = {
      language: string;
      package: { dependencies: string[] };
      files: string[];
      unresolved: { text: string; loose?: boolean }[];
      foreignFacts: { id: string; patchedBy: { target: string }[] }[];
      interface: { calls: { package?: string }[]; turnsAsyncWhenReached: { name: string; because: string[] }[] };
    };
    const read = (pkg: string): Summary => JSON.parse(readFileSync(path.join(summaries, `${pkg}.json`), 'utf8')) as Summary;
    const p02 = read('p02');
    expect(p02.language).toBe('python');
    expect(p02.package.dependencies).toEqual(['p00', 'p01']);
    expect([...new Set(p02.interface.calls.map((call) => call.package))].sort()).toEqual(['p00', 'p01']);
    // Its own files only, though p00's and p01's modules were read to resolve its calls.
    expect(p02.files).toEqual(['packages/p02/src/p02/__init__.py', 'packages/p02/src/p02/chain.py', 'packages/p02/src/p02/helpers0.py']);
    expect(p02.unresolved.find((call) => call.text === 'options.get')?.loose).toBe(true);
    expect(read('p05').foreignFacts.map((fact) => fact.patchedBy.map((patch) => patch.target))).toEqual([['p04.chain.step4']]);
    expect(read('p00').interface.turnsAsyncWhenReached.map((fn) => `${fn.name} <- ${fn.because.join(' <- ')}`)).toEqual([
      'Store.load <- FileStore.load (method family Store.load) <- packages/p00/src/p00/store.py:17 blocking-io',
      'FileStore.load <- packages/p00/src/p00/store.py:17 blocking-io',
      'Client.get <- packages/p00/src/p00/store.py:22 blocking-sleep',
      'step0 <- packages/p00/src/p00/store.py:27 blocking-sleep',
      // Alone, nothing keeps label0 sync: the property that does is in p03.
      'label0 <- packages/p00/src/p00/store.py:32 blocking-io',
    ]);
  });

  it('pytest-asyncio used in one package counts for the tests of every package, as in a whole-program run', async () => {
    // p05's test reaches nothing of p00's tests: only a look at the whole workspace sees pytest-asyncio.
    const conftest = path.join(repo, 'packages', 'p00', 'tests', 'conftest.py');
    const withAsyncio = path.join(work, 'asyncio');
    try {
      mkdirSync(path.dirname(conftest), { recursive: true });
      writeFileSync(conftest, 'import pytest_asyncio\n\n\n@pytest_asyncio.fixture\nasync def ready() -> bool:\n    return True\n');
      await writeSummaries(withAsyncio);
      const { whole, combined } = await bothReports([], withAsyncio);
      expect(withoutEdits(combined)).toBe(withoutEdits(whole));
      const blocked = (JSON.parse(combined) as JsonReport).blocked.map((entry) => entry.name);
      expect(blocked).not.toContain('test_step5');
    } finally {
      rmSync(path.dirname(conftest), { recursive: true, force: true });
    }
  });

  it('a function of one package that another uses as a Future stays sync: the fact travels in the user\'s summary', async () => {
    const small = path.join(work, 'futures');
    const files: Record<string, string> = {
      'pyproject.toml': '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
      'libs/timer/pyproject.toml': '[project]\nname = "timer"\n',
      'libs/timer/src/timer/__init__.py': [
        'import asyncio',
        'import time',
        'from asyncio import Future',
        '',
        '',
        'def later(n: int) -> Future[int]:',
        '    time.sleep(0.1)',
        '    done = asyncio.get_event_loop().create_future()',
        '    done.set_result(n)',
        '    return done',
        '',
        '',
        'async def run(n: int) -> int:',
        '    return await later(n)',
        '',
      ].join('\n'),
      'libs/watcher/pyproject.toml': '[project]\nname = "watcher"\ndependencies = ["timer>=1"]\n',
      'libs/watcher/src/watcher/__init__.py': 'from timer import later\n\n\ndef watch(n: int) -> None:\n    later(n).add_done_callback(print)\n',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(small, file)), { recursive: true });
      writeFileSync(path.join(small, file), text);
    }
    const out = path.join(work, 'futures-summaries');
    for (const lib of ['timer', 'watcher']) expect((await runCli(['check', `libs/${lib}`, '--summary-out', path.join(out, `${lib}.json`)], small)).code).toBe(0);
    const watcher = JSON.parse(readFileSync(path.join(out, 'watcher.json'), 'utf8')) as { package: { dependencies: string[] }; foreignFacts: { syncOnly?: { kind: string } }[] };
    expect(watcher.package.dependencies).toEqual(['timer']);
    expect(watcher.foreignFacts.map((fact) => fact.syncOnly?.kind)).toEqual(['caller']);
    const whole = await runCli(['check', '.', '--format', 'json'], small);
    const combined = await runCli(['check', '--summaries-from', out, '--format', 'json'], small);
    expect(withoutEdits(combined.stdout)).toBe(withoutEdits(whole.stdout));
    expect((JSON.parse(combined.stdout) as JsonReport).blocked.map((entry) => `${entry.name} ${entry.kind}`)).toEqual(['later caller']);
  });

  it("the root's own project is a member too, and its files around the other members' folders are planned in file order", async () => {
    // aa/ sorts before packages/, zz/ after: of f's two callees, equally far from their blocking
    // call, the whole-program run meets mid's g1 first, so that is the chain it reports.
    const rooted = path.join(work, 'rooted');
    const files: Record<string, string> = {
      'pyproject.toml': '[project]\nname = "app"\ndependencies = ["mid"]\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n',
      'packages/mid/pyproject.toml': '[project]\nname = "mid"\n',
      'packages/mid/src/mid/__init__.py': 'import time\n\n\ndef g1() -> None:\n    time.sleep(1)\n',
      'aa/__init__.py': '',
      'aa/f.py': 'from mid import g1\nfrom zz.two import g2\n\n\ndef f() -> None:\n    g2()\n    g1()\n\n\nasync def main() -> None:\n    f()\n',
      'zz/__init__.py': '',
      'zz/two.py': 'import time\n\n\ndef g2() -> None:\n    time.sleep(1)\n',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(rooted, file)), { recursive: true });
      writeFileSync(path.join(rooted, file), text);
    }
    const out = path.join(work, 'rooted-summaries');
    const app = await runCli(['check', '.', '--summary-out', path.join(out, 'app.json')], rooted);
    expect(app.stderr).toMatch(/^async-migrate: summary of app \(4 files,/);
    expect((await runCli(['check', 'packages/mid', '--summary-out', path.join(out, 'mid.json')], rooted)).code).toBe(0);
    const whole = await runCli(['check', '.', '--format', 'json'], rooted);
    const combined = await runCli(['check', '--summaries-from', out, '--format', 'json'], rooted);
    expect(withoutEdits(combined.stdout)).toBe(withoutEdits(whole.stdout));
    const because = (JSON.parse(combined.stdout) as JsonReport).asyncFunctions.find((fn) => fn.name === 'f')?.because;
    expect(because).toEqual(['g1', 'packages/mid/src/mid/__init__.py:5 blocking-sleep']);
  });

  it("summaries kept in each member, as a task runner's outputs, are found under the root; a virtualenv is passed over", async () => {
    for (const pkg of PACKAGES) {
      const result = await runCli(['check', '.', '--summary-out', '.async-migrate/summary.json'], path.join(repo, 'packages', pkg));
      expect(result.code).toBe(0);
    }
    // An installed package's file that happens to be named like a summary is not read.
    mkdirSync(path.join(repo, '.venv', 'lib'), { recursive: true });
    writeFileSync(path.join(repo, '.venv', 'lib', 'summary.json'), '{"not": "a summary"}');
    try {
      const combined = await runCli(['check', '--summaries-from', '.', '--format', 'json'], repo);
      expect(combined.stderr).toMatch(/^async-migrate: planned from 6 package summaries/);
      const whole = await runCli(['check', '.', '--format', 'json'], repo);
      expect(withoutEdits(combined.stdout)).toBe(withoutEdits(whole.stdout));
    } finally {
      rmSync(path.join(repo, '.venv'), { recursive: true, force: true });
      for (const pkg of PACKAGES) rmSync(path.join(repo, 'packages', pkg, '.async-migrate'), { recursive: true, force: true });
    }
  });

  it('a missing summary is said in one warning line, and its calls are not followed', async () => {
    const partial = path.join(work, 'partial');
    await writeSummaries(partial);
    rmSync(path.join(partial, 'p00.json'));
    const combined = await runCli(['check', '--summaries-from', partial, '--format', 'json'], repo);
    expect(combined.stderr).toMatch(/^async-migrate: warning: --summaries-from: no summary holds p00: \d+ calls into it are not followed/m);
    expect((JSON.parse(combined.stdout) as JsonReport).asyncFunctions.map((fn) => fn.name)).not.toContain('step1');
  });

  it('bad input is one line, exit 2: a path in no package of the workspace, outside any workspace, a summary of another version or other settings', async () => {
    const root = await runCli(['check', '.', '--summary-out', path.join(work, 'x.json')], repo);
    expect(root.code).toBe(2);
    expect(root.stderr).toBe(`async-migrate: --summary-out: ${repo} is in no package of the Python workspace at ${repo} (its [tool.uv.workspace] members, each a folder with a pyproject.toml naming a [project])\n`);
    const empty = path.join(repo, 'packages', 'p99');
    try {
      mkdirSync(empty, { recursive: true });
      writeFileSync(path.join(empty, 'pyproject.toml'), '[project]\nname = "p99"\n');
      const noFiles = await runCli(['check', 'packages/p99', '--summary-out', path.join(work, 'x.json')], repo);
      expect(noFiles.code).toBe(2);
      expect(noFiles.stderr).toBe('async-migrate: --summary-out: package p99 (packages/p99) has no Python files\n');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const outside = path.join(work, 'loose-scripts');
    writeFileSync(path.join(work, 'script.py'), 'print(1)\n');
    const alone = await runCli(['check', 'script.py', '--summary-out', path.join(outside, 'x.json')], work);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/^async-migrate: --summary-out: \S+script\.py is in no workspace \(no "workspaces" in package\.json, pnpm-workspace\.yaml or lerna\.json, nor \[tool\.uv\.workspace\] in a pyproject\.toml, at or above it\)\n$/);
    const odd = path.join(work, 'odd');
    await writeSummaries(odd, ['--rules', 'blocking-io']);
    const otherRules = await runCli(['check', '--summaries-from', odd], repo);
    expect(otherRules.code).toBe(2);
    expect(otherRules.stderr).toMatch(/^async-migrate: --summaries-from: the summary of p00 was written with rules blocking-io \(this run: .*\): write it again with the same options and config\n$/);
    const file = path.join(odd, 'p03.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), version: 2 }));
    const versioned = await runCli(['check', '--summaries-from', odd, '--rules', 'blocking-io'], repo);
    expect(versioned.code).toBe(2);
    expect(versioned.stderr).toMatch(/^async-migrate: --summaries-from: \S+p03\.json is a summary of format version 2; this async-migrate reads version 1: write it again with this version\n$/);
  });
});
