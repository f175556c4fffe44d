// Data safety of a run on real trees (README "Safety"): crashes on odd code, files in other
// encodings, symlinks, other repositories, failing and interrupted writes, files left out of the
// analysis. Each test builds a small project in the OS temp folder and checks the whole outcome:
// exit code, the stderr line, the report's entries and the bytes on disk.
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../src/model.js';
import { writeTransaction } from '../src/write.js';
import { runCli } from './support/cli.js';
import { copyFixtureInput, readTree, REPO } from './support/files.js';
import { commitAll, expectUsageError, git, IO_MIGRATED, IO_SOURCE, jsonReport, makeProject, read, readBytes, removeProjects, skippedLine, TSCONFIG } from './support/project.js';

afterEach(removeProjects);

/** A second file calling `load` from src/io.ts, which turns async. */
const CALLER_SOURCE = `import { load } from './io.js';

export async function report(): Promise<void> {
  const prev = load('y.json');
  console.log(prev);
}
`;

const CALLER_MIGRATED = `import { load } from './io.js';

export async function report(): Promise<void> {
  const prev = await load('y.json');
  console.log(prev);
}
`;

/** Files in `dir` (recursively) whose name marks them as this tool's temp files. */
function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.includes('.async-migrate-'));
}

describe('an internal error in one file never aborts the run', () => {
  it('Python: a resolver recursion on `content = content.strip()` is never exit 2 or a stack trace', async () => {
    const dir = makeProject({
      'text.py': 'def clean(content):\n    content = content.strip()\n    return content.upper()\n',
      'app.py': 'import time\n\n\ndef pause():\n    time.sleep(1)\n\n\nasync def main():\n    pause()\n',
    });
    const result = await runCli(['check', '.', '--format', 'json'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const report = jsonReport(result);
    expect(report.findings.map((finding) => `${finding.file}:${finding.line} ${finding.rule}`)).toEqual(['app.py:5 blocking-sleep']);
    // Either the recursion is fixed (nothing skipped) or the file is skipped as an internal error.
    for (const entry of report.skipped ?? []) expect(entry).toEqual({ file: 'text.py', reason: expect.stringMatching(/^internal error while analysing this file \(/), internalError: true });
  });
});

describe('an internal error while parsing one file', () => {
  it('TypeScript: a file the parser overflows on is skipped; the other files are analysed and migrated', async () => {
    const deep = `export const b = ${'('.repeat(40_000)}1${')'.repeat(40_000)};\n`;
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/deep.ts': deep });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: skippedLine('src/deep.ts (internal error)') });
    const report = jsonReport(result);
    expect({ skipped: report.skipped, changes: report.changes }).toEqual({
      skipped: [
        { file: 'src/deep.ts', reason: 'internal error while parsing this file (RangeError: Maximum call stack size exceeded); the file is skipped', internalError: true },
      ],
      changes: [{ file: 'src/io.ts', edits: 7 }],
    });
    expect({ io: read(dir, 'src/io.ts'), deep: read(dir, 'src/deep.ts') }).toEqual({ io: IO_MIGRATED, deep });
  });

  it('Python: the same', async () => {
    const deep = `x = ${'('.repeat(100_000)}1${')'.repeat(100_000)}\n`;
    const dir = makeProject({ 'deep.py': deep, 'app.py': 'import time\n\n\nasync def main():\n    time.sleep(1)\n' });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: skippedLine('deep.py (internal error)') });
    const report = jsonReport(result);
    expect({ skipped: report.skipped, changes: report.changes }).toEqual({
      skipped: [{ file: 'deep.py', reason: 'internal error while parsing this file (RangeError: Maximum call stack size exceeded); the file is skipped', internalError: true }],
      changes: [{ file: 'app.py', edits: 4 }],
    });
    expect({ app: read(dir, 'app.py'), deep: read(dir, 'deep.py') }).toEqual({ app: 'import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n', deep });
  });
});

describe('dirty-tree guard: each target is asked of its own repository', () => {
  it('refuses `migrate proj` from outside the repository when proj has uncommitted changes', async () => {
    // The working directory is in no repository; the project is one of its own below it.
    const dir = makeProject({ 'proj/tsconfig.json': TSCONFIG, 'proj/src/io.ts': IO_SOURCE, 'proj/src/notes.ts': 'export const notes = 1;\n' });
    const proj = path.join(dir, 'proj');
    commitAll(proj);
    writeFileSync(path.join(proj, 'src/notes.ts'), 'export const notes = 2; // work in progress\n');
    const result = await runCli(['migrate', 'proj'], dir);
    expectUsageError(
      result,
      'async-migrate: refusing to write into a git work tree with uncommitted changes (proj/src/notes.ts); commit or stash them, or pass --allow-dirty',
    );
    expect(read(proj, 'src/io.ts')).toBe(IO_SOURCE);
  });

  it('refuses when a nested repository under a path given has uncommitted changes, though the outer one is clean', async () => {
    // lib/ is a repository of its own that the outer one ignores; the file given in it is migrated.
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'lib/io.ts': IO_SOURCE, 'lib/notes.ts': 'export const notes = 1;\n' });
    const lib = path.join(dir, 'lib');
    git(lib, 'init', '-q');
    git(lib, 'add', '-A');
    git(lib, 'commit', '-q', '-m', 'lib');
    writeFileSync(path.join(dir, '.gitignore'), 'node_modules\nlib/\n');
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'app');
    writeFileSync(path.join(lib, 'notes.ts'), 'export const notes = 2; // work in progress\n');
    const result = await runCli(['migrate', '.', 'lib/io.ts'], dir);
    expectUsageError(
      result,
      'async-migrate: refusing to write into a git work tree with uncommitted changes (lib/notes.ts); commit or stash them, or pass --allow-dirty',
    );
    expect({ app: read(dir, 'src/io.ts'), lib: read(dir, 'lib/io.ts') }).toEqual({ app: IO_SOURCE, lib: IO_SOURCE });
  });

  it('a target outside any repository is written', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['migrate', '.', '--format', 'json'], dir);
    // Nothing protects uncommitted work there: one warning line (silenced by --allow-dirty).
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/^async-migrate: warning: \. is in no git work tree: [^\n]+\n$/) });
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
  });

  it("git never runs the repository's core.fsmonitor command (migrate's guard, check --since)", async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    const marker = path.join(dir, 'fsmonitor-ran');
    writeFileSync(path.join(dir, 'hook.sh'), `#!/bin/sh\ntouch '${marker}'\nexit 1\n`, { mode: 0o755 });
    git(dir, 'add', 'hook.sh');
    git(dir, 'commit', '-q', '-m', 'hook');
    git(dir, 'config', 'core.fsmonitor', path.join(dir, 'hook.sh'));
    const check = await runCli(['check', '.', '--since', 'HEAD', '--format', 'json'], dir);
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: '' });
    const migrate = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect({ code: migrate.code, stderr: migrate.stderr }).toEqual({ code: 0, stderr: '' });
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('encodings: decoded per BOM or coding cookie, bytes outside the edits kept', () => {
  const LATIN1_SOURCE = '# -*- coding: latin-1 -*-\nimport time\n\n\ndef pause():\n    # caf\xe9 cr\xe8me\n    time.sleep(1)\n\n\nasync def main():\n    pause()\n';
  const LATIN1_MIGRATED = '# -*- coding: latin-1 -*-\nimport asyncio\n\n\nasync def pause():\n    # caf\xe9 cr\xe8me\n    await asyncio.sleep(1)\n\n\nasync def main():\n    await pause()\n';

  it('a Python file declaring latin-1 is migrated, its Latin-1 bytes unchanged', async () => {
    const dir = makeProject({ 'app.py': Buffer.from(LATIN1_SOURCE, 'latin1') });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr, skipped: jsonReport(result).skipped }).toEqual({ code: 0, stderr: '', skipped: undefined });
    expect(readBytes(dir, 'app.py')).toEqual(Buffer.from(LATIN1_MIGRATED, 'latin1'));
  });

  it('a Python file with a UTF-8 BOM is migrated, the BOM kept', async () => {
    const source = '\uFEFFimport time\n\n\ndef pause():\n    time.sleep(1)  # café\n\n\nasync def main():\n    pause()\n';
    const dir = makeProject({ 'app.py': Buffer.from(source, 'utf8') });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr, skipped: jsonReport(result).skipped }).toEqual({ code: 0, stderr: '', skipped: undefined });
    const expected = '\uFEFFimport asyncio\n\n\nasync def pause():\n    await asyncio.sleep(1)  # café\n\n\nasync def main():\n    await pause()\n';
    expect(readBytes(dir, 'app.py')).toEqual(Buffer.from(expected, 'utf8'));
  });

  it('a Python file in an encoding it cannot rewrite is skipped and left byte for byte', async () => {
    const bytes = Buffer.from('# coding: cp1252\nimport time\n\n\nasync def main():\n    time.sleep(1)  # \x80\n', 'latin1');
    const dir = makeProject({ 'app.py': bytes });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(jsonReport(result).skipped).toEqual([
      { file: 'app.py', reason: 'the file declares the encoding "cp1252"; only UTF-8 and Latin-1 files are analysed; the file is skipped' },
    ]);
    expect(readBytes(dir, 'app.py')).toEqual(bytes);
  });

  it('a .ts file with a stray non-UTF-8 byte is skipped, never rewritten with U+FFFD; it calls load, so exit 1', async () => {
    const [head, tail] = CALLER_SOURCE.split('console.log(prev);');
    const stray = Buffer.concat([Buffer.from(`${head}console.log(prev); // caf`), Buffer.from([0xe9]), Buffer.from(tail!)]);
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/caller.ts': stray });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: skippedLine('src/caller.ts (may call load)') });
    expect(jsonReport(result).skipped).toEqual([
      {
        file: 'src/caller.ts',
        reason: 'the file is not valid UTF-8 (line 5); the file is skipped; it may call load, which turns async: its call sites are not updated',
        mayCall: ['load'],
      },
    ]);
    expect(readBytes(dir, 'src/caller.ts')).toEqual(stray);
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
  });
});

describe('symlinks', () => {
  it('link loops are not followed: each file is counted once, and two loops do not hang', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    symlinkSync('..', path.join(dir, 'src/up'), 'dir');
    symlinkSync('.', path.join(dir, 'src/here'), 'dir');
    const result = await runCli(['check', 'src', '--format', 'json'], dir);
    const report = jsonReport(result);
    expect({ code: result.code, files: report.summary.files, findings: report.findings.map((f) => `${f.file}:${f.line}`) }).toEqual({ code: 1, files: 1, findings: ['io.ts:4'] });
  }, 30_000);

  it('never writes through a link to a file outside the paths being migrated', async () => {
    const outside = makeProject({ 'io.ts': IO_SOURCE });
    const dir = makeProject({});
    mkdirSync(path.join(dir, 'src'));
    symlinkSync(path.join(outside, 'io.ts'), path.join(dir, 'src/io.ts'), 'file');
    const result = await runCli(['migrate', 'src/io.ts', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: skippedLine('io.ts (left unchanged)') });
    expect(jsonReport(result).skipped).toEqual([
      { file: 'io.ts', reason: `it is a symbolic link to ${path.join(outside, 'io.ts')}, outside the paths being migrated; the file is left unchanged` },
    ]);
    expect(read(outside, 'io.ts')).toBe(IO_SOURCE);
    expect(lstatSync(path.join(dir, 'src/io.ts')).isSymbolicLink()).toBe(true);
  });

  it('migrate --dry-run and the default command exit 1 too when a file is left unchanged', async () => {
    const outside = makeProject({ 'io.ts': IO_SOURCE });
    const dir = makeProject({});
    mkdirSync(path.join(dir, 'src'));
    symlinkSync(path.join(outside, 'io.ts'), path.join(dir, 'src/io.ts'), 'file');
    const reason = `it is a symbolic link to ${path.join(outside, 'io.ts')}, outside the paths being migrated; the file is left unchanged`;
    for (const args of [['migrate', '--dry-run', 'src/io.ts', '--format', 'json'], ['src/io.ts', '--format', 'json']]) {
      const result = await runCli(args, dir);
      expect({ args, code: result.code, stderr: result.stderr, skipped: jsonReport(result).skipped }).toEqual({ args, code: 1, stderr: skippedLine('io.ts (left unchanged)'), skipped: [{ file: 'io.ts', reason }] });
    }
    expect(read(outside, 'io.ts')).toBe(IO_SOURCE);
  });

  it('a link inside the tree stays a link: its target is written', async () => {
    const dir = makeProject({ 'src/real/io.ts': IO_SOURCE });
    symlinkSync('real/io.ts', path.join(dir, 'src/io.ts'), 'file');
    const result = await runCli(['migrate', 'src/io.ts', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readlinkSync(path.join(dir, 'src/io.ts'))).toBe('real/io.ts');
    expect(read(dir, 'src/real/io.ts')).toBe(IO_MIGRATED);
    expect(tempFiles(dir)).toEqual([]);
  });
});

describe('failing writes: checked first, written as one transaction', () => {
  it('-o to a folder that does not exist fails before anything is written (exit 1, one line)', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['migrate', '.', '-o', 'missing/report.json'], dir);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/^async-migrate: cannot write the report to missing\/report\.json \(ENOENT: [^\n]+\); nothing was written\n$/);
    expect(read(dir, 'src/io.ts')).toBe(IO_SOURCE);
  });

  it('-o to a directory fails in check too, never as an unexpected error', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '-o', 'src'], dir);
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: 'async-migrate: cannot write the report to src (it is a directory); nothing was written\n',
    });
  });

  // A file failing midway (its temp name taken): test/safety-writes.test.ts, since temp names are random.

  it.skipIf(process.getuid?.() === 0)('a read-only file is found before anything is written', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/caller.ts': CALLER_SOURCE });
    const { chmodSync } = await import('node:fs');
    chmodSync(path.join(dir, 'src/io.ts'), 0o444);
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/^async-migrate: cannot write src\/io\.ts \(EACCES: [^\n]+\); nothing was written\n$/);
    expect(read(dir, 'src/caller.ts')).toBe(CALLER_SOURCE);
  });
});

describe('interrupted writes (SIGINT)', () => {
  /** A signal source whose SIGINT arrives as soon as the write phase starts listening. */
  const interruptAtOnce = (): EventEmitter => {
    const signals = new EventEmitter();
    signals.on('newListener', (event: string, listener: () => void) => {
      if (event === 'SIGINT') queueMicrotask(listener);
    });
    return signals;
  };

  it('a SIGINT before the renames changes nothing, leaves no temp file, and a re-run finishes the job', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/caller.ts': CALLER_SOURCE });
    const interrupted = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir, { signals: interruptAtOnce() });
    expect({ code: interrupted.code, stdout: interrupted.stdout, stderr: interrupted.stderr }).toEqual({
      code: 130,
      stdout: '',
      stderr: 'async-migrate: interrupted; nothing was written\n',
    });
    expect({ io: read(dir, 'src/io.ts'), caller: read(dir, 'src/caller.ts'), temps: tempFiles(dir) }).toEqual({ io: IO_SOURCE, caller: CALLER_SOURCE, temps: [] });
    const rerun = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: rerun.code, stderr: rerun.stderr }).toEqual({ code: 0, stderr: '' });
    expect({ io: read(dir, 'src/io.ts'), caller: read(dir, 'src/caller.ts') }).toEqual({ io: IO_MIGRATED, caller: CALLER_MIGRATED });
  });

  function twoFiles(): { dir: string; writes: { file: string; absolute: string; content: Buffer }[] } {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'am-write-'));
    writeFileSync(path.join(dir, 'a.ts'), 'a0\n');
    writeFileSync(path.join(dir, 'b.ts'), 'b0\n');
    return {
      dir,
      writes: ['a.ts', 'b.ts'].map((file) => ({ file, absolute: path.join(dir, file), content: Buffer.from(`${file[0]}1\n`) })),
    };
  }

  it('a SIGINT between two temp files: the temps are deleted and nothing changed', async () => {
    const { dir, writes } = twoFiles();
    const signals = new EventEmitter();
    const outcome = await writeTransaction(writes, signals, (phase) => phase === 'temp' && signals.emit('SIGINT'));
    expect(outcome).toEqual({ written: [], notWritten: ['a.ts', 'b.ts'], failure: undefined, interrupted: true });
    expect(readdirSync(dir).sort()).toEqual(['a.ts', 'b.ts']);
    expect([read(dir, 'a.ts'), read(dir, 'b.ts')]).toEqual(['a0\n', 'b0\n']);
    rmSync(dir, { recursive: true });
  });

  it('a SIGINT during the renames is held until every file is renamed', async () => {
    const { dir, writes } = twoFiles();
    const signals = new EventEmitter();
    const outcome = await writeTransaction(writes, signals, (phase) => phase === 'rename' && signals.emit('SIGINT'));
    expect(outcome).toEqual({ written: ['a.ts', 'b.ts'], notWritten: [], failure: undefined, interrupted: true });
    expect(readdirSync(dir).sort()).toEqual(['a.ts', 'b.ts']);
    expect([read(dir, 'a.ts'), read(dir, 'b.ts')]).toEqual(['a1\n', 'b1\n']);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    rmSync(dir, { recursive: true });
  });

  it('a real SIGINT to the process: before the renames nothing is written, during them it is held (the built module, a real process)', () => {
    for (const phase of ['temp', 'rename'] as const) {
      const { dir, writes } = twoFiles();
      // The process signals itself after the first step of the phase; the default signal source is the process.
      const script = `
        import { writeTransaction } from ${JSON.stringify(pathToFileURL(path.join(REPO, 'dist/src/write.js')).href)};
        const writes = ${JSON.stringify(writes.map((write) => ({ file: write.file, absolute: write.absolute, content: write.content.toString() })))};
        let signalled = false;
        const outcome = await writeTransaction(writes.map((w) => ({ ...w, content: Buffer.from(w.content) })), undefined, (phase) => {
          if (phase === ${JSON.stringify(phase)} && !signalled) { signalled = true; process.kill(process.pid, 'SIGINT'); }
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
        process.stdout.write(JSON.stringify(outcome));`;
      const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      const after = { outcome: JSON.parse(stdout) as unknown, files: readdirSync(dir).sort(), a: read(dir, 'a.ts'), b: read(dir, 'b.ts') };
      expect(after).toEqual(
        phase === 'temp'
          ? { outcome: { written: [], notWritten: ['a.ts', 'b.ts'], interrupted: true }, files: ['a.ts', 'b.ts'], a: 'a0\n', b: 'b0\n' }
          : { outcome: { written: ['a.ts', 'b.ts'], notWritten: [], interrupted: true }, files: ['a.ts', 'b.ts'], a: 'a1\n', b: 'b1\n' },
      );
      rmSync(dir, { recursive: true });
    }
  });

  it('a rename that fails says exactly which files were written, and leaves no temp file', async () => {
    const { dir, writes } = twoFiles();
    // Between the phases b.ts turns into a folder that is not empty: its rename fails.
    const outcome = await writeTransaction(writes, new EventEmitter(), (phase, file) => {
      if (phase !== 'temp' || file !== 'b.ts') return;
      rmSync(path.join(dir, 'b.ts'));
      mkdirSync(path.join(dir, 'b.ts'));
      writeFileSync(path.join(dir, 'b.ts', 'keep'), '');
    });
    expect(outcome).toEqual({ written: ['a.ts'], notWritten: ['b.ts'], failure: { file: 'b.ts', reason: expect.stringMatching(/^E[A-Z]+: /) }, interrupted: false });
    expect(readdirSync(dir).sort()).toEqual(['a.ts', 'b.ts']);
    expect(read(dir, 'a.ts')).toBe('a1\n');
    rmSync(dir, { recursive: true });
  });
});

describe('a half-migrated tree (an older version, `kill -9`, a hand edit) is finished by a re-run', () => {
  // One file of a migrated copy goes back to its text before the migration; the callees it calls
  // are async already. Migrating again must give exactly the tree one clean run gives.
  // A promise used as its value is awaited safely; a dropped one cannot be told apart from a
  // fire-and-forget call, so finishing it is an unsafe fix: that case runs with --unsafe-fixes.
  it.each([
    ['example', 'src/index.ts', []], // const config = loadConfig(file); config.name…
    ['example', 'src/service.ts', ['--unsafe-fixes']], // `${this.catalog.count()} items`, a dropped promise in a callback
    ['python-example', 'backend/api.py', []], // result = self.kb.store_fact(…); result["fact_id"]
    ['python-example', 'test_knowledge_base.py', []], // self.assertEqual(kb.search("hel"), ["hello"])
  ] as const)('fixtures/%s with %s reverted ends as one clean run does (runs with %j)', async (fixture, reverted, args) => {
    const clean = copyFixtureInput(path.join(REPO, 'fixtures', fixture));
    const half = copyFixtureInput(path.join(REPO, 'fixtures', fixture));
    try {
      const migrate = async (dir: string, args: readonly string[] = []): Promise<Report> => {
        const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty', ...args], dir);
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
        return jsonReport(result);
      };
      await migrate(clean.work, args);
      const before = read(half.work, reverted);
      await migrate(half.work, args);
      expect(read(half.work, reverted), 'the first run changes the file').not.toBe(before);
      writeFileSync(path.join(half.work, reverted), before);
      const rerun = await migrate(half.work, args);
      expect(rerun.changes.map((change) => change.file)).toEqual([reverted]);
      expect(Object.fromEntries(readTree(half.work))).toEqual(Object.fromEntries(readTree(clean.work)));
      expect((await migrate(half.work, args)).changes).toEqual([]);
    } finally {
      clean.cleanup();
      half.cleanup();
    }
  });
});

describe('a skipped file that calls a function turning async', () => {
  const BROKEN_CALLER = `import { load } from './io.js';

export async function report(): Promise<void> {
  const prev = load('y.json');
  console.log(prev;
}
`;

  it('TypeScript: listed in skipped with the functions it may call, and migrate exits 1', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/caller.ts': BROKEN_CALLER });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: skippedLine('src/caller.ts (may call load)') });
    expect(jsonReport(result).skipped).toEqual([
      {
        file: 'src/caller.ts',
        reason: "syntax error at line 5: ')' expected.; it may call load, which turns async: its call sites are not updated",
        mayCall: ['load'],
      },
    ]);
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
    expect(read(dir, 'src/caller.ts')).toBe(BROKEN_CALLER);
  });

  it('Python: the same, and check exits 1 for it even with no finding', async () => {
    const dir = makeProject({
      'store.py': 'def fetch():\n    return 1\n\n\nasync def main():\n    fetch()\n',
      'broken.py': 'from store import fetch\n\n\ndef use(:\n    fetch()\n',
    });
    const result = await runCli(['check', '.', '--format', 'json', '--make-async', 'fetch'], dir);
    const report = jsonReport(result);
    expect({ code: result.code, stderr: result.stderr, findings: report.findings, skipped: report.skipped }).toEqual({
      code: 1,
      stderr: skippedLine('broken.py (may call fetch)'),
      findings: [],
      skipped: [{ file: 'broken.py', reason: 'syntax error at broken.py:4:9; it may call fetch, which turns async: its call sites are not updated', mayCall: ['fetch'] }],
    });
  });
});

describe('a references-only tsconfig (solution style)', () => {
  it('loads the referenced projects, their paths mapping included, instead of inferring one project', async () => {
    const app = {
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, types: ['node'], skipLibCheck: true, noEmit: true, baseUrl: '.', paths: { '@lib/*': ['src/lib/*'] } },
      include: ['src'],
    };
    const main = `import { load } from '@lib/io';

export async function main(): Promise<void> {
  console.log(load('x.json'));
}
`;
    const io = IO_SOURCE.slice(0, IO_SOURCE.indexOf('\nexport async function main'));
    const dir = makeProject({
      'tsconfig.json': `${JSON.stringify({ files: [], references: [{ path: './packages/app' }] })}\n`,
      'packages/app/tsconfig.json': `${JSON.stringify(app)}\n`,
      'packages/app/src/lib/io.ts': io,
      'packages/app/src/main.ts': main,
    });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr, changes: jsonReport(result).changes }).toEqual({
      code: 0,
      stderr: '',
      changes: [
        { file: 'packages/app/src/lib/io.ts', edits: 6 },
        { file: 'packages/app/src/main.ts', edits: 1 },
      ],
    });
    expect(read(dir, 'packages/app/src/main.ts')).toBe(main.replace("log(load('x.json'))", "log(await load('x.json'))"));
    expect(read(dir, 'packages/app/src/lib/io.ts')).toBe(IO_MIGRATED.slice(0, IO_MIGRATED.indexOf('\nexport async function main')));
  });

  it('a reference to a missing project is one usage error', async () => {
    const dir = makeProject({ 'tsconfig.json': `${JSON.stringify({ files: [], references: [{ path: './packages/gone' }] })}\n`, 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.'], dir);
    expectUsageError(result, `async-migrate: tsconfig not found: ${path.join(dir, 'packages/gone/tsconfig.json')}`);
  });
});
