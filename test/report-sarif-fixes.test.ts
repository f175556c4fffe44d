// SARIF `fixes` are the run's edits, exactly: for every fixture case with an expected/ tree, applying
// the fixes of `check --format sarif` to the input (as a SARIF consumer reads the regions) gives what
// `migrate` writes, byte for byte; with `--unsafe-fixes` the unsafe fixes join, marked `unsafe`, and
// applying them all gives what `migrate --unsafe-fixes` writes. Each log validates against the schema.
import { existsSync, readFileSync } from 'node:fs';
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
  it.runIf(hasUnsafe && !(needsPyright && !hasPyright))('with --unsafe-fixes: the unsafe fixes join, marked, and applying all gives migrate --unsafe-fixes', async () => {
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
