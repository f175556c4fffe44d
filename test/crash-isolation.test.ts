// An internal error never aborts the run: a file whose analysis throws (in either front-end) is
// skipped with a reason and exit 1, the other files are analysed and migrated; an error no file can
// be blamed for is exit 3, one line, never exit 2 (which means bad input). The throws are injected,
// so these tests keep testing the isolation after the bugs that caused them in the wild are fixed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TsAnalyzer } from '../src/frontends/typescript/analyze.js';
import { TsCallbacks } from '../src/frontends/typescript/callbacks.js';
import { runCli } from './support/cli.js';
import { IO_MIGRATED, IO_SOURCE, jsonReport, makeProject, read, removeProjects } from './support/project.js';

const injected = vi.hoisted(() => ({ pythonFile: '', plan: false }));

vi.mock('../src/frontends/python/detect.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/frontends/python/detect.js')>();
  return {
    ...original,
    detectHits: (...args: Parameters<typeof original.detectHits>) => {
      if (injected.pythonFile && args[0].file.endsWith(injected.pythonFile)) throw new RangeError('Maximum call stack size exceeded');
      return original.detectHits(...args);
    },
  };
});

vi.mock('../src/plan/propagate.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/plan/propagate.js')>();
  return {
    ...original,
    planPropagation: (...args: Parameters<typeof original.planPropagation>) => {
      if (injected.plan) throw new TypeError("Cannot read properties of undefined (reading 'kind')");
      return original.planPropagation(...args);
    },
  };
});

afterEach(() => {
  injected.pythonFile = '';
  injected.plan = false;
  vi.restoreAllMocks();
  removeProjects();
});

/** The analyzer's per-file walk, reachable for a spy (it is private to the class). */
type WalkFile = { walkFile(sourceFile: { fileName: string }): void };

const CRASHING_TS = `export function deep(a: number): number {
  return a + a;
}
`;

describe('a file whose analysis throws is skipped; the others are migrated', () => {
  it('TypeScript: exit 1, the reason in skipped, the file byte for byte unchanged', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/deep.ts': CRASHING_TS });
    const prototype = TsAnalyzer.prototype as unknown as WalkFile;
    const walkFile = prototype.walkFile;
    vi.spyOn(prototype, 'walkFile').mockImplementation(function (this: WalkFile, sourceFile) {
      if (sourceFile.fileName.endsWith('/deep.ts')) throw new RangeError('Maximum call stack size exceeded');
      walkFile.call(this, sourceFile);
    });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: 'async-migrate: incomplete: 1 file skipped or left unchanged: src/deep.ts (internal error); each reason is under "skipped" in the report\n',
    });
    const report = jsonReport(result);
    expect({ skipped: report.skipped, changes: report.changes }).toEqual({
      skipped: [
        {
          file: 'src/deep.ts',
          reason: 'internal error while analysing this file (RangeError: Maximum call stack size exceeded); the file is skipped',
          internalError: true,
        },
      ],
      changes: [{ file: 'src/io.ts', edits: 7 }],
    });
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
    expect(read(dir, 'src/deep.ts')).toBe(CRASHING_TS);
  });

  it('Python: the same in check (exit 1 although the rest is clean)', async () => {
    const dir = makeProject({ 'text.py': 'def clean(content):\n    return content.strip()\n', 'ok.py': 'def add(a, b):\n    return a + b\n' });
    injected.pythonFile = 'text.py';
    const result = await runCli(['check', '.', '--format', 'json'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: 'async-migrate: incomplete: 1 file skipped or left unchanged: text.py (internal error); each reason is under "skipped" in the report\n',
    });
    const report = jsonReport(result);
    expect({ findings: report.findings, skipped: report.skipped, files: report.summary.files }).toEqual({
      findings: [],
      skipped: [
        { file: 'text.py', reason: 'internal error while analysing this file (RangeError: Maximum call stack size exceeded); the file is skipped', internalError: true },
      ],
      files: 2,
    });
  });

  it('an error no file can be blamed for skips that front-end\'s files, and the other language still runs', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'app.py': 'import time\n\n\nasync def main():\n    time.sleep(1)\n' });
    vi.spyOn(TsCallbacks.prototype, 'followCallbackParameters').mockImplementation(() => {
      throw new Error('boom');
    });
    const result = await runCli(['check', '.', '--format', 'json'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: 'async-migrate: incomplete: 1 file skipped or left unchanged: src/io.ts (internal error); each reason is under "skipped" in the report\n',
    });
    const report = jsonReport(result);
    expect({ findings: report.findings.map((f) => `${f.file}:${f.line} ${f.rule}`), skipped: report.skipped }).toEqual({
      findings: ['app.py:5 blocking-sleep'],
      skipped: [{ file: 'src/io.ts', reason: 'internal error in the typescript analysis (boom); the file is skipped', internalError: true }],
    });
  });
});

describe('an internal error that escapes', () => {
  it('is exit 3 with one line, and no stack trace without --debug', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    injected.plan = true;
    const result = await runCli(['migrate', '.', '--allow-dirty'], dir);
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: 3,
      stdout: '',
      stderr: "async-migrate: internal error: TypeError: Cannot read properties of undefined (reading 'kind') (a bug in async-migrate; --debug prints the stack)\n",
    });
    expect(read(dir, 'src/io.ts')).toBe(IO_SOURCE);
  });

  it('--debug adds the stack', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    injected.plan = true;
    const result = await runCli(['check', '.', '--debug'], dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^async-migrate: internal error: TypeError: [^\n]+ \(a bug in async-migrate\)\nTypeError: [^\n]+\n\s+at /);
  });
});
