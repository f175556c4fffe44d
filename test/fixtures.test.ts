// Walks fixtures/: each case is a directory with input/, report.json, and optionally expected/ and
// args.json. Adding a case needs no test code. Python cases have their own runner. A case whose
// input is broken on purpose (a half-migrated tree: it does not type-check, or JavaScript misbehaves) has
// expected-stdout.txt: its input is neither built nor run, and the migrated program must print that.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExitFor, runCli } from './support/cli.js';
import { buildProject, programEntry, runProgram } from './support/compile.js';
import { copyFixtureInput, findCases, readTree, REPO } from './support/files.js';

const cases = findCases(path.join(REPO, 'fixtures')).filter((dir) => !path.relative(REPO, dir).split(path.sep).includes('python'));

function argsOf(caseDir: string): string[] {
  const file = path.join(caseDir, 'args.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
}

describe.each(cases.map((dir) => [path.relative(path.join(REPO, 'fixtures'), dir), dir]))('%s', (_name, caseDir) => {
  const args = argsOf(caseDir);
  const expectedDir = path.join(caseDir, 'expected');
  const stdoutFile = path.join(caseDir, 'expected-stdout.txt');
  const fixedStdout = existsSync(stdoutFile) ? readFileSync(stdoutFile, 'utf8') : undefined;

  it('check reports exactly report.json', async () => {
    const { work, cleanup } = copyFixtureInput(path.join(caseDir, 'input'));
    try {
      const result = await runCli(['check', '.', '--format', 'json', ...args], work);
      expect(result.stderr).toBe('');
      const expected = readFileSync(path.join(caseDir, 'report.json'), 'utf8');
      expect(JSON.parse(result.stdout)).toEqual(JSON.parse(expected));
      const report = JSON.parse(result.stdout) as { findings: { severity: string }[] };
      expect(result.code).toBe(checkExitFor(report.findings, args));
    } finally {
      cleanup();
    }
  });

  it.runIf(existsSync(expectedDir))('migrate gives expected/, compiles, behaves the same, and is idempotent', async () => {
    const { work, cleanup } = copyFixtureInput(path.join(caseDir, 'input'));
    try {
      const entry = programEntry(work);
      // What the migrated program must print: what the input printed, or expected-stdout.txt for a broken input.
      let before: Pick<ReturnType<typeof runProgram>, 'status' | 'stdout'> | undefined = fixedStdout === undefined ? undefined : { status: 0, stdout: fixedStdout };
      if (entry && fixedStdout === undefined) {
        if (entry.needsBuild) expect(buildProject(work, true).errors).toEqual([]);
        before = runProgram(work, entry.entry);
        rmSync(path.join(work, 'out'), { recursive: true, force: true });
      }

      const first = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty', ...args], work);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      // (3) the whole migrated tree equals expected/, byte for byte
      expect(Object.fromEntries(readTree(work))).toEqual(Object.fromEntries(readTree(expectedDir)));
      // (1) it type-checks, (2) the program prints the same
      expect(buildProject(work, Boolean(entry?.needsBuild)).errors).toEqual([]);
      if (entry && before) {
        const after = runProgram(work, entry.entry);
        expect({ status: after.status, stdout: after.stdout }).toEqual({ status: before.status, stdout: before.stdout });
        rmSync(path.join(work, 'out'), { recursive: true, force: true });
      }
      // (4) a second run changes nothing
      const second = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty', ...args], work);
      expect((JSON.parse(second.stdout) as { changes: unknown[] }).changes).toEqual([]);
      expect(Object.fromEntries(readTree(work))).toEqual(Object.fromEntries(readTree(expectedDir)));
    } finally {
      cleanup();
    }
  });
});
