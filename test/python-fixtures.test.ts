// Python fixture cases: each fixtures/python/<case>/ holds input/ (a stdlib-only project with main.py
// and a unittest test), expected/ (the tree after migrate), report.json and optional args.json.
// A case runs the CLI (`check` for report.json, then `migrate`) on a temporary copy, compares every
// file byte for byte, compiles and runs the result, runs its tests, and migrates again expecting no
// change. An optional expected-stdout.txt gives the output after migration when it differs from
// before (the input was already broken). UPDATE_FIXTURES=1 rewrites expected/ and report.json.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { langserverEntry } from '../src/frontends/python/pyright-oracle.js';
import { checkExitFor, runCli } from './support/cli.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/python');
const UPDATE = process.env.UPDATE_FIXTURES === '1';
const PYTHON_ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0' };

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === '__pycache__') return [];
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  }).sort();
}

function python(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('python3', args, { cwd, env: PYTHON_ENV, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function migrate(dir: string, args: string[]): Promise<{ code: number; report: { changes: unknown[] } }> {
  const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty', ...args], dir);
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) as { changes: unknown[] } };
}

// A case with a `needs-pyright` file (its reason) resolves calls through pyright, an optional dependency.
const hasPyright = langserverEntry() !== undefined;

const cases = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((name) => existsSync(path.join(FIXTURES, name, 'input'))).sort() : [];

describe('python fixtures', () => {
  for (const name of cases) {
    it(name, async (context) => {
      const caseDir = path.join(FIXTURES, name);
      const needsPyright = path.join(caseDir, 'needs-pyright');
      if (existsSync(needsPyright) && !hasPyright) context.skip(`pyright is not installed: ${readFileSync(needsPyright, 'utf8').trim()}`);
      const argsFile = path.join(caseDir, 'args.json');
      const args = existsSync(argsFile) ? (JSON.parse(readFileSync(argsFile, 'utf8')) as string[]) : [];
      const work = mkdtempSync(path.join(os.tmpdir(), `async-migrate-py-${name}-`));
      try {
        cpSync(path.join(caseDir, 'input'), work, { recursive: true });
        const before = python(['main.py'], work);
        expect(before.status, before.stderr).toBe(0);

        // report.json is what `check` says about the input, as in the TypeScript cases.
        const check = await runCli(['check', '.', '--format', 'json', ...args], work);
        expect(check.stderr).toBe('');
        const report = JSON.parse(check.stdout) as { findings: { severity: string }[] };
        expect(check.code).toBe(checkExitFor(report.findings, args));
        const first = await migrate(work, args);
        expect(first.code).toBe(0);
        const expectedDir = path.join(caseDir, 'expected');
        const reportFile = path.join(caseDir, 'report.json');
        if (UPDATE) {
          rmSync(expectedDir, { recursive: true, force: true });
          mkdirSync(expectedDir, { recursive: true });
          cpSync(work, expectedDir, { recursive: true });
          writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
        }
        expect(listFiles(work)).toEqual(listFiles(expectedDir));
        for (const file of listFiles(expectedDir)) {
          expect(readFileSync(path.join(work, file), 'utf8'), file).toBe(readFileSync(path.join(expectedDir, file), 'utf8'));
        }
        expect(report).toEqual(JSON.parse(readFileSync(reportFile, 'utf8')));

        // One interpreter compiles every file (py_compile without writing .pyc files).
        const sources = listFiles(work).filter((f) => f.endsWith('.py'));
        const compiled = python(['-c', 'import sys\nfor f in sys.argv[1:]: compile(open(f, "rb").read(), f, "exec")', ...sources], work);
        expect(compiled.status, compiled.stderr).toBe(0);
        const after = python(['-W', 'error::RuntimeWarning', 'main.py'], work);
        expect(after.status, after.stderr).toBe(0);
        // A case whose input is already broken (awaiting a sync method) states the fixed output.
        const stdoutFile = path.join(caseDir, 'expected-stdout.txt');
        expect(after.stdout).toBe(existsSync(stdoutFile) ? readFileSync(stdoutFile, 'utf8') : before.stdout);
        const tests = python(['-W', 'error::RuntimeWarning', '-m', 'unittest', '-q'], work);
        expect(tests.status, tests.stderr).toBe(0);
        expect(tests.stderr).toMatch(/\nOK/);

        const again = await migrate(work, args);
        expect(again.report.changes).toEqual([]);
        for (const file of listFiles(expectedDir)) {
          expect(readFileSync(path.join(work, file), 'utf8'), file).toBe(readFileSync(path.join(expectedDir, file), 'utf8'));
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
});

