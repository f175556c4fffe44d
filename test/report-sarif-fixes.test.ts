// SARIF `fixes` are the run's edits, exactly: for every fixture case with an expected/ tree, applying
// the fixes of `check --format sarif` to the input (as a SARIF consumer reads the regions) gives what
// `migrate` writes, byte for byte; with `--unsafe-fixes` the unsafe fixes join, marked `unsafe`, and
// applying them all gives what `migrate --unsafe-fixes` writes. Each log validates against the schema.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { langserverEntry } from '../src/frontends/python/pyright-oracle.js';
import { runCli } from './support/cli.js';
import { copyFixtureInput, findCases, readTree, REPO } from './support/files.js';
import { applySarifFixes } from './support/sarif-fixes.js';
import { sarifValidator } from './report-helpers.js';

const validate = sarifValidator();
const hasPyright = langserverEntry() !== undefined;
const cases = findCases(path.join(REPO, 'fixtures')).filter((dir) => existsSync(path.join(dir, 'expected')));

function argsOf(caseDir: string): string[] {
  const file = path.join(caseDir, 'args.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
}

function decidesMakeAsync(caseDir: string, args: readonly string[]): boolean {
  if (args.some((arg) => arg.startsWith('--make-async'))) return true;
  const configs = ['async-migrate.config.json', 'pyproject.toml', 'package.json'].map((name) => path.join(caseDir, 'input', name));
  return configs.some((file) => existsSync(file) && /makeAsync|make-async/.test(readFileSync(file, 'utf8')));
}

async function sarifOf(work: string, args: string[]): Promise<Sarif.Log> {
  const result = await runCli(['check', '.', '--format', 'sarif', ...args], work);
  expect(result.stderr).toBe('');
  const log = JSON.parse(result.stdout) as Sarif.Log;
  expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
  return log;
}

function fixesOf(log: Sarif.Log): { result: Sarif.Result; fix: Sarif.Fix }[] {
  return (log.runs[0]?.results ?? []).flatMap((result) => (result.fixes ?? []).map((fix) => ({ result, fix })));
}

async function migrated(caseDir: string, args: string[]): Promise<Map<string, string>> {
  const { work, cleanup } = copyFixtureInput(path.join(caseDir, 'input'));
  try {
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty', ...args], work);
    expect(result.stderr).toBe('');
    return readTree(work);
  } finally {
    cleanup();
  }
}

describe.each(cases.map((dir) => [path.relative(path.join(REPO, 'fixtures'), dir), dir]))('%s', (_name, caseDir) => {
  const args = argsOf(caseDir);
  const needsPyright = existsSync(path.join(caseDir, 'needs-pyright'));

  it.skipIf(needsPyright && !hasPyright)('applying every SARIF fix gives expected/; each fix says its applicability', async () => {
    const { work, cleanup } = copyFixtureInput(path.join(caseDir, 'input'));
    try {
      const log = await sarifOf(work, args);
      // A `--make-async` decision's edits may belong to no finding: the log counts them, and only then.
      const withoutResult = log.runs[0]?.properties?.editsWithoutResult;
      if (withoutResult !== undefined) {
        expect(decidesMakeAsync(caseDir, args)).toBe(true);
        return;
      }
      const unsafeRun = args.includes('--unsafe-fixes');
      for (const { result, fix } of fixesOf(log)) {
        expect(fix.properties?.applicability).toBe(result.properties?.applicability);
        expect(fix.properties?.applicability).toBe(unsafeRun ? fix.properties?.applicability : 'safe');
      }
      applySarifFixes(log, work);
      expect(Object.fromEntries(readTree(work))).toEqual(Object.fromEntries(readTree(path.join(caseDir, 'expected'))));
    } finally {
      cleanup();
    }
  });

  const report = JSON.parse(readFileSync(path.join(caseDir, 'report.json'), 'utf8')) as { summary: { fixes: { unsafe: number } } };
  const hasUnsafe = report.summary.fixes.unsafe > 0 && !args.includes('--unsafe-fixes');
  // Only cases with unsafe fixes get this test (not a skipped one per other case).
  if (hasUnsafe) it.skipIf(needsPyright && !hasPyright)('with --unsafe-fixes: the unsafe fixes join, marked, and applying all gives migrate --unsafe-fixes', async () => {
    const withUnsafe = [...args, '--unsafe-fixes'];
    const { work, cleanup } = copyFixtureInput(path.join(caseDir, 'input'));
    try {
      const log = await sarifOf(work, withUnsafe);
      const kinds = new Set(fixesOf(log).map(({ fix }) => fix.properties?.applicability));
      expect(kinds.has('unsafe')).toBe(true);
      for (const { result, fix } of fixesOf(log)) {
        expect(fix.properties?.applicability).toBe(result.properties?.applicability);
        expect(fix.description?.text).toMatch(fix.properties?.applicability === 'unsafe' ? /^Unsafe fix/ : /^Safe fix/);
      }
      applySarifFixes(log, work);
      expect(Object.fromEntries(readTree(work))).toEqual(Object.fromEntries(await migrated(caseDir, withUnsafe)));
    } finally {
      cleanup();
    }
  });
});

// Regions are exact where columns are easy to get wrong: a BOM (not counted), CRLF line breaks (one
// break each), and characters outside the BMP (two UTF-16 code units) before the edit on its line.
describe('fix regions in awkward text', () => {
  const cases = [
    {
      name: 'TypeScript: BOM, CRLF, astral characters',
      files: {
        'tsconfig.json': '{ "compilerOptions": { "strict": true, "target": "es2022", "module": "nodenext" } }\n',
        'src/load.ts': '\uFEFFimport { readFileSync } from "node:fs";\r\n\r\nexport async function load(): Promise<string> {\r\n  const tag = "\u{1F600}\u{1F600}"; return tag + readFileSync("x.txt", "utf8");\r\n}\r\n',
      },
      // The two emoji count 4 code units: `readFileSync` starts at column 36 of line 4.
      region: { startLine: 4, startColumn: 36 },
    },
    {
      name: 'Python: CRLF, astral characters',
      files: {
        'svc.py': 'import time\r\n\r\n\r\nasync def tick():\r\n    tag = "\u{1F600}"; time.sleep(1)\r\n    return tag\r\n',
      },
      region: { startLine: 5, startColumn: 17 },
    },
  ];
  it.each(cases)('$name', async ({ files, region }) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'am-sarif-regions-'));
    try {
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), text);
      }
      const log = await sarifOf(dir, []);
      const all = fixesOf(log);
      expect(all.length).toBeGreaterThan(0);
      // The rule's own edit sits where the finding is, counted in UTF-16 code units after the BOM.
      const starts = all.flatMap(({ fix }) => fix.artifactChanges.flatMap((change) => change.replacements.map((r) => r.deletedRegion)));
      expect(starts).toContainEqual(expect.objectContaining(region));
      const expected = cpTree(dir);
      await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], expected);
      const changed = applySarifFixes(log, dir);
      expect(changed.length).toBeGreaterThan(0);
      expect(Object.fromEntries(readTree(dir))).toEqual(Object.fromEntries(readTree(expected)));
      rmSync(expected, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function cpTree(dir: string): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'am-sarif-migrated-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}
