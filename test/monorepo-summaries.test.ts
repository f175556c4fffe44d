// A monorepo analysed package by package (`check <pkg> --summary-out`) and planned from the summaries
// (`check --summaries-from`) gives the report a whole-program run gives, field for field, but for the
// edits, which need the program (docs/monorepo.md).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './support/files.js';
import { runCli } from './support/cli.js';
// @ts-expect-error: the generator is a plain ESM script of the bench, without types
import { generateMonorepo } from '../bench/generate-monorepo.mjs';

const generate = generateMonorepo as (options: { outDir: string; packages: number; files: number; functions: number }) => unknown;

interface JsonReport {
  changes: unknown[];
  summary: Record<string, unknown>;
  asyncFunctions: { name: string; because: string[] }[];
  blocked: { name: string; kind: string }[];
  [key: string]: unknown;
}

/** The fields a combined run does not produce: the edits (docs/monorepo.md, "What differs"). */
function withoutEdits(report: JsonReport): JsonReport {
  const { filesChanged: _filesChanged, linesCopied: _linesCopied, ...summary } = report.summary;
  return { ...report, changes: [], summary };
}

let work: string;
let repo: string;
let summaries: string;
beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'am-monorepo-'));
  repo = path.join(work, 'repo');
  summaries = path.join(work, 'summaries');
  generate({ outDir: repo, packages: 4, files: 1, functions: 2 });
  await writeSummaries(summaries);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function writeSummaries(dir: string, extra: string[] = []): Promise<void> {
  for (const pkg of readdirSync(path.join(repo, 'packages')).sort()) {
    const result = await runCli(['check', `packages/${pkg}`, '--summary-out', path.join(dir, `${pkg}.json`), ...extra], repo);
    expect(result.stderr).toContain(`summary of @mono/${pkg}`);
    expect(result.code).toBe(0);
  }
}

describe('per-package summaries', () => {
  it('combined from the summaries, the report equals the whole-program report but for the edits', async () => {
    const whole = await runCli(['check', '.', '--format', 'json'], repo);
    expect(whole.code).toBe(1);
    const combined = await runCli(['check', '--summaries-from', summaries, '--format', 'json'], repo);
    expect(combined.stderr).toBe('async-migrate: planned from 4 package summaries (@mono/p00, @mono/p01, @mono/p02, @mono/p03); edits need the program, so the report counts no changed files\n');
    expect(combined.code).toBe(1);
    const wholeReport = JSON.parse(whole.stdout) as JsonReport;
    const combinedReport = JSON.parse(combined.stdout) as JsonReport;
    expect(combinedReport.changes).toEqual([]);
    expect(combinedReport.summary.filesChanged).toBe(0);
    expect(wholeReport.changes).toHaveLength(4);
    expect(withoutEdits(combinedReport)).toEqual(withoutEdits(wholeReport));
    // What the equality holds: a chain across all four packages, a family across them, a block that
    // travels from p03's getter down into p02, p01 and p00.
    const byName = new Map(combinedReport.asyncFunctions.map((fn) => [fn.name, fn.because]));
    expect(byName.get('step3')).toEqual(['step2', 'step1', 'step0', 'packages/p00/src/store.ts:16 blocking-io']);
    expect(byName.get('P2Store.load')).toEqual(['FileStore.load (method family Store.load)', 'packages/p00/src/store.ts:11 blocking-io']);
    expect(byName.get('loadTwice3')?.[0]).toBe('P3Store.load');
    expect(combinedReport.blocked.map((entry) => `${entry.name} ${entry.kind}`)).toEqual(['label0 caller', 'label1 caller', 'label2 caller', 'Cached3.label getter']);
  });

  it('the same under --strategy dual and a --make-async decision (its makeAsync.files come from the edits too)', async () => {
    const options = ['--strategy', 'dual', '--make-async', 'h2_0_1', '--format', 'json'];
    const whole = JSON.parse((await runCli(['check', '.', ...options], repo)).stdout) as JsonReport & { makeAsync: { files: string[]; asyncFunctions: unknown[] } };
    const combined = JSON.parse((await runCli(['check', '--summaries-from', summaries, ...options], repo)).stdout) as typeof whole;
    expect(whole.makeAsync.asyncFunctions.length).toBeGreaterThan(0);
    expect(combined.makeAsync.files).toEqual([]);
    expect(withoutEdits({ ...combined, makeAsync: { ...combined.makeAsync, files: [] } })).toEqual(withoutEdits({ ...whole, makeAsync: { ...whole.makeAsync, files: [] } }));
  });

  it('the same with --unsafe-fixes, given to both steps', async () => {
    const unsafe = path.join(work, 'unsafe');
    await writeSummaries(unsafe, ['--unsafe-fixes']);
    const whole = JSON.parse((await runCli(['check', '.', '--unsafe-fixes', '--format', 'json'], repo)).stdout) as JsonReport;
    const combined = JSON.parse((await runCli(['check', '--summaries-from', unsafe, '--unsafe-fixes', '--format', 'json'], repo)).stdout) as JsonReport;
    expect(whole.asyncFunctions.map((fn) => fn.name)).toContain('kick2'); // the dropped promise is awaited
    expect(withoutEdits(combined)).toEqual(withoutEdits(whole));
  });

  it('each summary follows schemas/async-migrate.summary.schema.json and names its calls into other packages', () => {
    const schema = JSON.parse(readFileSync(path.join(REPO, 'schemas/async-migrate.summary.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const file of readdirSync(summaries)) {
      const summary = JSON.parse(readFileSync(path.join(summaries, file), 'utf8')) as unknown;
      expect(validate(summary) ? [] : validate.errors).toEqual([]);
    }
    const p02 = JSON.parse(readFileSync(path.join(summaries, 'p02.json'), 'utf8')) as { package: { dependencies: string[] }; interface: { calls: { package?: string }[] } };
    expect(p02.package.dependencies).toEqual(['@mono/p00', '@mono/p01']);
    expect([...new Set(p02.interface.calls.map((call) => call.package))].sort()).toEqual(['@mono/p00', '@mono/p01']);
    // Alone, p00 has no async code: what would turn async once async code reaches it, and why.
    const p00 = JSON.parse(readFileSync(path.join(summaries, 'p00.json'), 'utf8')) as { interface: { turnsAsyncWhenReached: { name: string; because: string[] }[] } };
    expect(p00.interface.turnsAsyncWhenReached.map((fn) => `${fn.name} <- ${fn.because.join(' <- ')}`)).toEqual([
      'FileStore.load <- packages/p00/src/store.ts:11 blocking-io',
      'step0 <- packages/p00/src/store.ts:16 blocking-io',
      'label0 <- packages/p00/src/store.ts:20 blocking-io',
      'Store.load <- FileStore.load (method family Store.load) <- packages/p00/src/store.ts:11 blocking-io',
    ]);
  });

  it("summaries kept in each package, as a task runner's outputs, are found under the root (other JSON files passed over)", async () => {
    for (const pkg of readdirSync(path.join(repo, 'packages'))) {
      const result = await runCli(['check', '.', '--summary-out', '.async-migrate/summary.json'], path.join(repo, 'packages', pkg));
      expect(result.code).toBe(0);
    }
    const combined = await runCli(['check', '--summaries-from', '.', '--format', 'json'], repo);
    expect(combined.stderr).toMatch(/^async-migrate: planned from 4 package summaries/);
    const fromFolder = await runCli(['check', '--summaries-from', summaries, '--format', 'json'], repo);
    expect(JSON.parse(combined.stdout)).toEqual(JSON.parse(fromFolder.stdout));
    for (const pkg of readdirSync(path.join(repo, 'packages'))) rmSync(path.join(repo, 'packages', pkg, '.async-migrate'), { recursive: true });
  });

  it('a missing summary is said in one warning line, and its calls are not followed', async () => {
    const partial = path.join(work, 'partial');
    await writeSummaries(partial);
    rmSync(path.join(partial, 'p00.json'));
    const combined = await runCli(['check', '--summaries-from', partial, '--format', 'json'], repo);
    expect(combined.stderr).toMatch(/^async-migrate: warning: --summaries-from: no summary holds @mono\/p00: \d+ calls into it are not followed/m);
    const names = (JSON.parse(combined.stdout) as JsonReport).asyncFunctions.map((fn) => fn.name);
    expect(names).not.toContain('step1');
  });

  it('a call into a package the caller does not declare as a dependency is said: a task cache would miss its changes', async () => {
    const manifestFile = path.join(repo, 'packages', 'p02', 'package.json');
    const manifest = readFileSync(manifestFile, 'utf8');
    const undeclared = path.join(work, 'undeclared');
    try {
      const parsed = JSON.parse(manifest) as { dependencies: Record<string, string> };
      delete parsed.dependencies['@mono/p01'];
      writeFileSync(manifestFile, JSON.stringify(parsed));
      await writeSummaries(undeclared);
    } finally {
      writeFileSync(manifestFile, manifest);
    }
    const combined = await runCli(['check', '--summaries-from', undeclared, '--format', 'json'], repo);
    expect(combined.stderr).toMatch(/^async-migrate: warning: --summaries-from: @mono\/p02 calls @mono\/p01 \(3 calls\) without declaring it in its package.json: a task runner's cache of its summary would not see @mono\/p01 change$/m);
  });

  it('refuses a summary of another format version, or written with other settings, in one line (exit 2)', async () => {
    const odd = path.join(work, 'odd');
    await writeSummaries(odd, ['--rules', 'blocking-io']);
    const combined = await runCli(['check', '--summaries-from', odd], repo);
    expect(combined.code).toBe(2);
    expect(combined.stderr).toMatch(/^async-migrate: --summaries-from: the summary of @mono\/p00 was written with rules blocking-io \(this run: .*\): write it again with the same options and config\n$/);
    const file = path.join(odd, 'p00.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), version: 99 }));
    const versioned = await runCli(['check', '--summaries-from', odd, '--rules', 'blocking-io'], repo);
    expect(versioned.code).toBe(2);
    expect(versioned.stderr).toMatch(/^async-migrate: --summaries-from: \S+p00\.json is a summary of format version 99; this async-migrate reads version 1/);
    const withReport = await runCli(['check', 'packages/p00', '--summary-out', path.join(odd, 'x.json'), '-o', 'report.json'], repo);
    expect(withReport.code).toBe(2);
    expect(withReport.stderr).toBe("async-migrate: --summary-out writes a package's summary, not a report: give -o to the --summaries-from run\n");
    const outside = await runCli(['check', '.', '--summary-out', path.join(odd, 'x.json')], path.join(repo, 'packages'));
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^async-migrate: --summary-out: \S+ is in no package of the workspace at \S+\n$/);
    const migrate = await runCli(['migrate', '--summaries-from', odd], repo);
    expect(migrate.code).toBe(2);
    expect(migrate.stderr).toContain('--summaries-from is for check');
  });
});
