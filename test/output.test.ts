// What a person reads: no control character from the user's files reaches a terminal raw, the
// dry-run diff applies with `patch -p1` and `git apply` (Latin-1 files and odd names included), an
// exit 1 for skipped files says which on stderr, and the pretty report ends with a verdict and the
// next command, folds long lists, and fits the terminal's width (issues 15 and 16).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPretty } from '../src/report/pretty.js';
import { quoteDiffPath } from '../src/report/diff.js';
import type { BlockedEntry, Report } from '../src/model.js';
import { runCli } from './support/cli.js';
import { IO_MIGRATED, IO_SOURCE, jsonReport, makeProject, removeProjects } from './support/project.js';
import { loadSampleReport } from './report-helpers.js';

afterEach(removeProjects);

/** Any C0 control but tab and LF, DEL, C1, or a bidi control: what a terminal would act on. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// A file name and a line that try to retitle the terminal (OSC), clear it (CSI) and reorder text (RLO).
const HOSTILE_NAME = 'src/e\u001b]0;pwned\u0007vil.ts';
const HOSTILE_SOURCE = IO_SOURCE.replace("return readFileSync(file, 'utf8');", "return readFileSync(file, 'utf8'); // \u001b[2J\u202e cleared");

describe('control characters from the user files are escaped for the terminal (issue 15, item 13)', () => {
  it('pretty check: file names, messages and code frames show \\x1b, never the byte; JSON keeps it exact', async () => {
    const dir = makeProject({ [HOSTILE_NAME]: HOSTILE_SOURCE });
    const pretty = await runCli(['check', '.', '--no-color'], dir);
    expect(pretty.code).toBe(1);
    expect(pretty.stdout).not.toMatch(RAW_CONTROL);
    expect(pretty.stdout).toContain('src/e\\x1b]0;pwned\\x07vil.ts');
    expect(pretty.stdout).toContain("// \\x1b[2J\\u202e cleared");
    const json = await runCli(['check', '.', '--format', 'json'], dir);
    expect(jsonReport(json).findings[0]!.file).toBe(HOSTILE_NAME);
  });

  it('migrate lists the files it wrote with their names escaped', async () => {
    const dir = makeProject({ [HOSTILE_NAME]: HOSTILE_SOURCE });
    const result = await runCli(['migrate', '.', '--no-color'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain('wrote 1 file: src/e\\x1b]0;pwned\\x07vil.ts\n');
  });

  it('the dry-run diff escapes the lines and names, and says it does not apply as printed', async () => {
    const dir = makeProject({ [HOSTILE_NAME]: HOSTILE_SOURCE });
    const result = await runCli(['--no-color'], dir);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain('control characters in src/e\\x1b]0;pwned\\x07vil.ts are shown escaped');
    // In another format the diff goes to stderr: escaped there too.
    const json = await runCli(['--format', 'json'], dir);
    expect(json.stderr).not.toMatch(RAW_CONTROL);
    expect(json.stderr).toContain('\\x1b[2J');
  });

  it('markdown and github annotations escape them too; the workflow command stays one line', async () => {
    const dir = makeProject({ [HOSTILE_NAME]: HOSTILE_SOURCE });
    const markdown = await runCli(['check', '.', '--format', 'markdown'], dir);
    expect(markdown.stdout).not.toMatch(RAW_CONTROL);
    const github = await runCli(['check', '.', '--format', 'github'], dir);
    expect(github.stdout).not.toMatch(RAW_CONTROL);
    expect(github.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(github.stdout).toContain('file=src/e\\x1b]0;pwned\\x07vil.ts');
  });

  it('an error line quoting a path escapes it', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', 'no\u001b]0;x\u0007pe'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr).toContain('no\\x1b]0;x\\x07pe');
  });
});

/** Applies `diff` with `patch -p1` (and checks it with `git apply`) in a copy of `input`; returns the copy. */
function applyPatch(input: string, diff: Buffer): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'am-patch-'));
  cpSync(input, copy, { recursive: true, filter: (source) => !source.endsWith('node_modules') });
  const patchFile = path.join(copy, '..', `${path.basename(copy)}.diff`);
  writeFileSync(patchFile, diff);
  const check = spawnSync('git', ['apply', '--check', '-p1', patchFile], { cwd: copy, encoding: 'utf8' });
  expect(check.stderr).toBe('');
  expect(check.status).toBe(0);
  execFileSync('patch', ['-p1', '--quiet', '-i', patchFile], { cwd: copy });
  rmSync(patchFile);
  return copy;
}

describe('the dry-run diff applies with patch -p1 and git apply (issue 15, item 14)', () => {
  it('an ordinary file', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['--no-color'], dir);
    const copy = applyPatch(dir, result.stdoutBytes);
    try {
      expect(readFileSync(path.join(copy, 'src/io.ts'), 'utf8')).toBe(IO_MIGRATED);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  const LATIN1_SOURCE = '# -*- coding: latin-1 -*-\nimport time\n\n\ndef pause():\n    # caf\xe9 cr\xe8me\n    time.sleep(1)\n\n\nasync def main():\n    pause()\n';
  const LATIN1_MIGRATED = '# -*- coding: latin-1 -*-\nimport asyncio\n\n\nasync def pause():\n    # caf\xe9 cr\xe8me\n    await asyncio.sleep(1)\n\n\nasync def main():\n    await pause()\n';

  it('a Latin-1 file: its lines are its Latin-1 bytes and the header says so', async () => {
    const dir = makeProject({ 'app.py': Buffer.from(LATIN1_SOURCE, 'latin1') });
    const result = await runCli(['--no-color'], dir);
    expect(result.stdout).toContain('# async-migrate: app.py is Latin-1 (ISO-8859-1), not UTF-8: its lines below are the Latin-1 bytes the migration writes');
    expect(result.stdoutBytes.includes(Buffer.from('caf\xe9 cr\xe8me', 'latin1'))).toBe(true);
    const copy = applyPatch(dir, result.stdoutBytes);
    try {
      expect(readFileSync(path.join(copy, 'app.py'))).toEqual(Buffer.from(LATIN1_MIGRATED, 'latin1'));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    // On a terminal the lines are readable UTF-8, and the header says the file keeps its bytes.
    const tty = await runCli(['--no-color'], dir, { isTTY: true });
    expect(tty.stdout).toContain('\n     # café crème\n');
    expect(tty.stdout).toContain('    6 |     # café crème\n'); // the code frame decodes Latin-1 too
    expect(tty.stdout).toContain('app.py is Latin-1 (ISO-8859-1), not UTF-8: its lines are shown in UTF-8');
    // The diff on stderr (another format on stdout) is text too.
    const json = await runCli(['--format', 'json'], dir);
    expect(json.stderr).toContain('\n     # café crème\n');
    expect(json.stderr).toContain('app.py is Latin-1 (ISO-8859-1), not UTF-8: its lines are shown in UTF-8');
  });

  it('a name with a tab, a quote or a newline gets a git-quoted header, and the diff applies', async () => {
    expect(quoteDiffPath('a/na\tme.ts')).toBe('"a/na\\tme.ts"');
    expect(quoteDiffPath('a/say "hi".ts')).toBe('"a/say \\"hi\\".ts"');
    expect(quoteDiffPath('a/line\nbreak.ts')).toBe('"a/line\\nbreak.ts"');
    expect(quoteDiffPath('a/caf\u00e9.ts')).toBe('a/caf\u00e9.ts');
    const dir = makeProject({ 'src/na\tme.ts': IO_SOURCE });
    const result = await runCli(['--no-color'], dir);
    expect(result.stdout).toContain('--- "a/src/na\\tme.ts"\n+++ "b/src/na\\tme.ts"\n');
    // The report names it as it is on disk, the tab shown as \t.
    expect(result.stdout).toContain('\nsrc/na\\tme.ts\n  4:10  warning');
    const copy = applyPatch(dir, result.stdoutBytes);
    try {
      expect(readFileSync(path.join(copy, 'src/na\tme.ts'), 'utf8')).toBe(IO_MIGRATED);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('exit 1 for a skipped file names it on stderr (issue 15, item 15)', () => {
  // The broken file calls `load`, which turns async: the migration is incomplete while it is skipped.
  const BROKEN_CALLER = "import { load } from './io.js';\n\nexport function report( {\n  return load('r.json');\n}\n";

  it.each([['pretty'], ['json']])('--format %s', async (format) => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/broken.ts': BROKEN_CALLER });
    const result = await runCli(['migrate', '.', '--dry-run', '--format', format], dir);
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('async-migrate:'));
    expect(lines).toEqual([expect.stringMatching(/^async-migrate: incomplete: 1 file skipped or left unchanged: src\/broken\.ts \(may call load\)/)]);
  });
});

function blockedEntry(name: string, line: number, cause?: BlockedEntry['cause']): BlockedEntry {
  return {
    kind: cause ? 'caller' : 'constructor',
    file: 'src/convert.ts',
    line,
    name,
    reason: cause ? `called by ${cause.name}, which must stay sync (constructor)` : `${name} cannot be async`,
    suggestion: cause ? `Resolve the block on ${cause.name} first, or use --strategy dual.` : 'Move the async work out of the constructor.',
    ...(cause ? { cause } : {}),
  };
}

describe('the pretty report: a verdict, folded details, the terminal width (issue 16)', () => {
  const root = { name: 'TypeConverter.constructor', file: 'src/convert.ts', line: 3 };
  const blocked = [blockedEntry(root.name, 3), ...Array.from({ length: 52 }, (_, i) => blockedEntry(`Caller${i}.convert`, 10 + i, root))];
  const report: Report = { ...loadSampleReport(), blocked, summary: { ...loadSampleReport().summary, blocked: blocked.length } };

  it('folds blocked places by their root cause; --verbose lists each', () => {
    const folded = formatPretty(report, { color: false, sources: new Map(), width: Infinity });
    expect(folded).toContain('Blocked: cannot turn async (53):\n  TypeConverter.constructor  src/convert.ts:3  [constructor]');
    expect(folded).toContain('+ 52 places wait on it (Caller0.convert, Caller1.convert, Caller2.convert, …): resolve this block first');
    expect(folded).not.toContain('Caller51.convert');
    const verbose = formatPretty(report, { color: false, sources: new Map(), verbose: true, width: Infinity });
    expect(verbose).toContain('waits on it: Caller51.convert  src/convert.ts:61');
  });

  it('the engine names each blocked place\'s root cause, through the chain (a callee of a callee of a constructor)', async () => {
    const source = [
      "import { readFileSync } from 'node:fs';",
      '',
      'function readIndex(file: string): string {',
      "  return readFileSync(file, 'utf8');",
      '}',
      '',
      'function loadIndex(): string {',
      "  return readIndex('index.json');",
      '}',
      '',
      'export class KnowledgeBase {',
      '  index: string;',
      '  constructor() {',
      '    this.index = loadIndex();',
      '  }',
      '',
      '  async search(): Promise<string> {',
      '    return loadIndex();',
      '  }',
      '}',
      '',
    ].join('\n');
    const dir = makeProject({ 'src/kb.ts': source });
    const result = await runCli(['check', '.', '--no-color'], dir, { isTTY: true, columns: 300 });
    expect(result.stdout).toContain(
      'Blocked: cannot turn async (3):\n  KnowledgeBase.constructor  src/kb.ts:13  [constructor]',
    );
    expect(result.stdout).toContain('    + 2 places wait on it (readIndex, loadIndex): resolve this block first\n');
    // The JSON report is unchanged: no `cause` field.
    const json = await runCli(['check', '.', '--format', 'json'], dir);
    expect(jsonReport(json).blocked.map((entry) => Object.keys(entry))).toEqual(Array(3).fill(['kind', 'file', 'line', 'name', 'reason', 'suggestion']));
  });

  it('orders findings by severity, errors first', () => {
    // In the order of the files, the error comes after the warnings and the note.
    const sample = loadSampleReport();
    const byFile = [...sample.findings].sort((a, b) => (a.file < b.file ? -1 : 1));
    expect(byFile.map((finding) => finding.severity)).not.toEqual(['error', 'warning', 'warning', 'warning', 'info']);
    const text = formatPretty({ ...sample, findings: byFile }, { color: false, sources: new Map() });
    const severities = [...text.matchAll(/^ {2}\d+:\d+ {2}(error|warning|info) /gm)].map((match) => match[1]);
    expect(severities.length).toBe(loadSampleReport().findings.length);
    const rank = { error: 0, warning: 1, info: 2 } as const;
    expect(severities).toEqual([...severities].sort((a, b) => rank[a as keyof typeof rank] - rank[b as keyof typeof rank]));
  });

  it('ends with the verdict and the next command', () => {
    const text = formatPretty(loadSampleReport(), { color: false, sources: new Map(), rerun: ['src'], width: Infinity });
    const tail = text.trimEnd().split('\n').slice(-2).join('\n');
    expect(tail).toContain('✖ 5 problems (1 error, 3 warnings, 1 info): 3 fixable by `migrate`, 1 with --unsafe-fixes (unsafe), 1 not fixable; 1 file skipped\n');
    expect(tail).toContain('\nnext: `async-migrate migrate src --dry-run` to see the changes to 4 files, then `async-migrate migrate src` to apply them');
  });

  it('fits 80 columns when stdout is not a TTY, and the TTY width when it is', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE.replace("readFileSync(file, 'utf8')", `readFileSync(file, 'utf8' /* ${'x'.repeat(120)} */)`) });
    const piped = await runCli(['check', '.', '--no-color'], dir);
    for (const line of piped.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    const narrow = await runCli(['check', '.', '--no-color'], dir, { isTTY: true, columns: 50 });
    for (const line of narrow.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(50);
  });

  it('a dry run starts with a header saying nothing was written', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['--no-color'], dir);
    expect(result.stdout.split('\n')[0]).toBe('dry run: nothing written; run `async-migrate migrate` to apply');
    const withPath = await runCli(['src', '--no-color'], dir);
    expect(withPath.stdout.split('\n')[0]).toBe('dry run: nothing written; run `async-migrate migrate src` to apply');
  });

  it('migrate ends with the files it wrote and how to review and undo them', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const outside = await runCli(['migrate', '.', '--no-color'], dir, { isTTY: true, columns: 200 });
    expect(outside.code).toBe(0);
    expect(outside.stdout).toContain('wrote 1 file: src/io.ts\nnot in a git work tree: review the files above; there is no undo but your own copy\n');
    const repo = makeProject({ 'src/io.ts': IO_SOURCE });
    const git = (...args: string[]): void => void execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: repo });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'init');
    const inside = await runCli(['migrate', '.', '--no-color'], repo, { isTTY: true, columns: 200 });
    expect(inside.stdout).toContain('wrote 1 file: src/io.ts\nreview: `git diff`; undo: `git restore .`\n');
  });

  it('--statistics prints counts per rule instead of the findings', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--statistics', '--no-color'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Findings by rule ([*]: every one fixable by `migrate`):\n1  blocking-io  [*] 1 safe\n');
    expect(result.stdout).not.toContain(' | ');
    const json = await runCli(['check', '.', '--statistics', '--format', 'json'], dir);
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 2, stderr: 'async-migrate: --statistics is for the pretty format, not --format json (its report has summary.byRule)\n' });
  });
});
