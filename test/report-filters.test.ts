import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import type { Finding, Report } from '../src/model.js';
import {
  changedLinesSince,
  filterByBaseline,
  filterFindingsToLines,
  loadBaseline,
  parseUnifiedDiff,
} from '../src/report/filters.js';
import { loadSampleReport } from './report-helpers.js';

const lines = (count: number, prefix = 'line'): string =>
  Array.from({ length: count }, (_unused, index) => `${prefix} ${index + 1}\n`).join('');

describe('changedLinesSince', () => {
  let repo: string;
  const gitIn = (cwd: string, ...args: string[]): string =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
      },
    });

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'async-migrate-changed-'));
    gitIn(repo, 'init', '-q');
    await mkdir(join(repo, 'src', 'deep'), { recursive: true });
    await writeFile(join(repo, 'src', 'a.ts'), lines(10));
    await writeFile(join(repo, 'src', 'deep', 'b.ts'), lines(6));
    await writeFile(join(repo, 'src', 'odd "name", é.ts'), lines(3));
    await writeFile(join(repo, 'src', 'staged.ts'), lines(4));
    await writeFile(join(repo, 'src', 'gone.ts'), lines(2));
    await writeFile(join(repo, '.gitignore'), 'ignored.ts\n');
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '-q', '-m', 'base');

    // a.ts: line 2 edited, two lines inserted after line 5, last line removed.
    const a = lines(10).split('\n');
    a[1] = 'line 2 edited';
    a.splice(5, 0, 'new 1', 'new 2');
    a.splice(11, 1);
    await writeFile(join(repo, 'src', 'a.ts'), a.join('\n'));
    // b.ts: only a deletion.
    await writeFile(join(repo, 'src', 'deep', 'b.ts'), lines(6).replace('line 3\n', ''));
    await writeFile(join(repo, 'src', 'odd "name", é.ts'), lines(3).replace('line 3', 'line three'));
    await writeFile(join(repo, 'src', 'staged.ts'), lines(4).replace('line 1', 'line one'));
    gitIn(repo, 'add', 'src/staged.ts');
    await rm(join(repo, 'src', 'gone.ts'));
    await writeFile(join(repo, 'src', 'new.ts'), lines(3));
    await writeFile(join(repo, 'src', 'deep', 'no-newline.ts'), 'one\ntwo');
    await writeFile(join(repo, 'ignored.ts'), lines(2));
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('lists changed and added lines, staged or not, with untracked files fully changed', async () => {
    const changed = await changedLinesSince(repo, 'HEAD');
    const asObject = Object.fromEntries([...changed].map(([file, set]) => [file, [...set].sort((x, y) => x - y)]));
    expect(asObject).toEqual({
      'src/a.ts': [2, 6, 7],
      'src/deep/b.ts': [],
      'src/odd "name", é.ts': [3],
      'src/staged.ts': [1],
      'src/new.ts': [1, 2, 3],
      'src/deep/no-newline.ts': [1, 2],
    });
  });

  it('gives paths relative to a root below the repository top', async () => {
    const changed = await changedLinesSince(join(repo, 'src', 'deep'), 'HEAD');
    expect([...changed.keys()].sort()).toEqual(['b.ts', 'no-newline.ts']);
  });

  it('turns a bad ref or a directory outside git into a UsageError', async () => {
    await expect(changedLinesSince(repo, 'no-such-branch')).rejects.toThrow(
      new UsageError(`git ref "no-such-branch" is not a commit in ${repo}`),
    );
    await expect(changedLinesSince(repo, '--output=/tmp/x')).rejects.toBeInstanceOf(UsageError);
    const outside = await mkdtemp(join(tmpdir(), 'async-migrate-nogit-'));
    try {
      await expect(changedLinesSince(outside, 'HEAD')).rejects.toBeInstanceOf(UsageError);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('reads C-quoted paths and bare hunk counts', () => {
    const diff = [
      'diff --git "a/x\\tq.ts" "b/x\\tq.ts"',
      '+++ "b/x\\tq\\303\\251.ts"',
      '@@ -3 +3 @@',
      '-old',
      '+new',
      '@@ -10,0 +11,2 @@',
      '+a',
      '+b',
      'diff --git a/gone.ts b/gone.ts',
      '--- a/gone.ts',
      '+++ /dev/null',
      '@@ -1,2 +0,0 @@',
      '-x',
      '-y',
    ].join('\n');
    expect(parseUnifiedDiff(diff)).toEqual(new Map([['x\tqé.ts', new Set([3, 11, 12])]]));
  });

  it('reads a hunk by its line counts: an added line `++ x` (shown `+++ x`) does not end the file', () => {
    const diff = [
      'diff --git a/notes.py b/notes.py',
      '--- a/notes.py',
      '+++ b/notes.py',
      '@@ -1,0 +2,2 @@',
      '+++ counter',
      '+--- ruler',
      '@@ -8 +10 @@',
      '-old',
      '+new',
      '\\ No newline at end of file',
      'diff --git a/img.png b/img.png',
      'Binary files a/img.png and b/img.png differ',
      '@@ garbage @@',
    ].join('\n');
    expect(parseUnifiedDiff(diff)).toEqual(new Map([['notes.py', new Set([2, 3, 10])]]));
  });
});

describe('finding filters', () => {
  const report = loadSampleReport();

  it('keeps only findings on changed lines and recounts the summary', () => {
    const filtered = filterFindingsToLines(report, new Map([['src/kb/store.ts', new Set([57])], ['src/app.ts', new Set([1])]]));
    expect(filtered.findings.map((finding) => `${finding.file}:${finding.line}`)).toEqual(['src/kb/store.ts:57']);
    expect(filtered.summary).toEqual({ ...report.summary, findings: 1, byRule: { 'blocking-io': 1 }, fixes: { safe: 0, unsafe: 0, unsafeApplied: false } });
    expect(filtered.asyncFunctions).toBe(report.asyncFunctions);
  });

  it('drops findings the baseline has, even when they moved, and keeps new ones', () => {
    const [sleep, readSync, querySync] = report.findings as [Finding, Finding, Finding, ...Finding[]];
    const baseline: Report = { ...report, findings: [{ ...sleep, line: 3 }, readSync, querySync] };
    const current: Report = {
      ...report,
      findings: [
        { ...sleep, line: 30 }, // moved down: known
        { ...sleep, line: 40 }, // a second identical finding: new
        readSync,
        { ...querySync, message: 'a different message' }, // changed text: new
      ],
    };
    const filtered = filterByBaseline(current, baseline);
    expect(filtered.findings).toEqual([{ ...sleep, line: 40 }, { ...querySync, message: 'a different message' }]);
    expect(filtered.summary.findings).toBe(2);
    expect(filtered.summary.byRule).toEqual({ 'blocking-sleep': 1, 'blocking-io': 1 });
  });

  it('counts an exact-line match as the known one among identical findings', () => {
    const [sleep] = report.findings as [Finding, ...Finding[]];
    const filtered = filterByBaseline({ ...report, findings: [{ ...sleep, line: 5 }, { ...sleep, line: 9 }] }, {
      findings: [{ ...sleep, line: 9 }],
    });
    expect(filtered.findings.map((finding) => finding.line)).toEqual([5]);
  });

  it('loads a baseline written by --format json, and names what is wrong with a bad one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'async-migrate-baseline-'));
    try {
      const good = join(dir, 'baseline.json');
      await writeFile(good, JSON.stringify(report));
      expect((await loadBaseline(good)).findings).toEqual(report.findings);
      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify({ tool: 'async-migrate', version: report.version, findings: [{ rule: 'blocking-io', file: 'a.ts', message: 'm' }] }));
      await expect(loadBaseline(bad)).rejects.toThrow(new UsageError(`baseline ${bad}: findings[0].line: must be a number`));
      await expect(loadBaseline(join(dir, 'none.json'))).rejects.toThrow(`baseline ${join(dir, 'none.json')}: file not found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
