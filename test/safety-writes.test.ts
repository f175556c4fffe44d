// Writes under hostile or unlucky conditions (docs/safety.md, "Writes"): planted symlinks at temp
// and report names, a file changed during the run, a second concurrent run, append-only files and
// folders, temp files left by a killed run, a full disk or device for the report, a user's files
// migrated by root, mixed line endings. Each test builds a small project and checks the exit code,
// the stderr line and the bytes on disk, outside the project too.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_NAME } from '../src/lock.js';
import { digestOf, writeReport, writeTransaction } from '../src/write.js';
import { runCli } from './support/cli.js';
import { REPO } from './support/files.js';
import { commitAll, IO_MIGRATED, IO_SOURCE, jsonReport, makeProject, read, readBytes, removeProjects } from './support/project.js';

afterEach(removeProjects);

const BIN = path.join(REPO, 'bin/async-migrate.js');
const isRoot = process.getuid?.() === 0;

/** A second file calling `load` from src/io.ts, which turns async. */
const CALLER_SOURCE = `import { load } from './io.js';

export async function report(): Promise<void> {
  console.log(load('y.json'));
}
`;

/** Files under `dir` named as this tool names its temp and probe files. */
function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.includes('.async-migrate-') && !file.startsWith('node_modules'));
}

/** A pid that no process has (a child that has exited). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

/** `chattr +a` on `target`, or false where this machine cannot (not root, not an ext/xfs/btrfs file system). */
function appendOnly(target: string): boolean {
  if (!isRoot) return false;
  return spawnSync('chattr', ['+a', target]).status === 0;
}

function clearAppendOnly(target: string): void {
  spawnSync('chattr', ['-a', target]);
}

describe('temp files: exclusive, never through a planted link', () => {
  it('a link committed at the old temp name (.io.ts.async-migrate-<pid>.tmp) sends nothing outside the root', async () => {
    const outside = makeProject({ 'victim.txt': 'outside\n' });
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    symlinkSync(path.join(outside, 'victim.txt'), path.join(dir, 'src', `.io.ts.async-migrate-${process.pid}.tmp`));
    commitAll(dir);
    const result = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(read(outside, 'victim.txt')).toBe('outside\n');
    expect(lstatSync(path.join(dir, 'src/io.ts')).isFile()).toBe(true);
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
    expect(lstatSync(path.join(dir, 'src', `.io.ts.async-migrate-${process.pid}.tmp`)).isSymbolicLink()).toBe(true);
  });

  it('a link at the very temp name chosen is never followed (O_EXCL | O_NOFOLLOW): nothing written, nothing outside', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'am-outside-'));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'am-write-'));
    try {
      writeFileSync(path.join(outside, 'victim.txt'), 'outside\n');
      writeFileSync(path.join(dir, 'a.ts'), 'a0\n');
      const planted = path.join(dir, `.a.ts.async-migrate-${process.pid}-aaaaaaaaaaaa.tmp`);
      symlinkSync(path.join(outside, 'victim.txt'), planted);
      const outcome = await writeTransaction([{ file: 'a.ts', absolute: path.join(dir, 'a.ts'), content: Buffer.from('a1\n') }], new EventEmitter(), undefined, {
        random: () => 'aaaaaaaaaaaa',
      });
      expect(outcome).toEqual({ written: [], notWritten: ['a.ts'], failure: { file: 'a.ts', reason: expect.stringMatching(/^EEXIST: /) }, interrupted: false });
      expect({ a: read(dir, 'a.ts'), victim: read(outside, 'victim.txt'), link: lstatSync(planted).isSymbolicLink() }).toEqual({ a: 'a0\n', victim: 'outside\n', link: true });
    } finally {
      rmSync(outside, { recursive: true });
      rmSync(dir, { recursive: true });
    }
  });

  it('a temp swapped for a link before the rename is never renamed over the file', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'am-outside-'));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'am-write-'));
    try {
      writeFileSync(path.join(outside, 'victim.txt'), 'outside\n');
      writeFileSync(path.join(dir, 'a.ts'), 'a0\n');
      const outcome = await writeTransaction([{ file: 'a.ts', absolute: path.join(dir, 'a.ts'), content: Buffer.from('a1\n') }], new EventEmitter(), (phase) => {
        if (phase !== 'temp') return;
        const temp = path.join(dir, readdirSync(dir).find((name) => name.endsWith('.tmp'))!);
        rmSync(temp);
        symlinkSync(path.join(outside, 'victim.txt'), temp);
      });
      expect(outcome).toEqual({ written: [], notWritten: ['a.ts'], failure: { file: 'a.ts', reason: expect.stringMatching(/was replaced during the write/) }, interrupted: false });
      expect({ a: lstatSync(path.join(dir, 'a.ts')).isFile(), content: read(dir, 'a.ts'), victim: read(outside, 'victim.txt'), files: readdirSync(dir) }).toEqual({
        a: true,
        content: 'a0\n',
        victim: 'outside\n',
        files: ['a.ts'],
      });
    } finally {
      rmSync(outside, { recursive: true });
      rmSync(dir, { recursive: true });
    }
  });

  it('a file that fails to write midway (its temp name taken) leaves every file unchanged and no temp file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'am-write-'));
    try {
      writeFileSync(path.join(dir, 'a.ts'), 'a0\n');
      writeFileSync(path.join(dir, 'b.ts'), 'b0\n');
      mkdirSync(path.join(dir, `.b.ts.async-migrate-${process.pid}-bbbbbbbbbbbb.tmp`));
      const names = ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'];
      const writes = ['a.ts', 'b.ts'].map((file) => ({ file, absolute: path.join(dir, file), content: Buffer.from(`${file[0]}1\n`) }));
      const outcome = await writeTransaction(writes, new EventEmitter(), undefined, { random: () => names.shift()! });
      expect(outcome).toEqual({ written: [], notWritten: ['a.ts', 'b.ts'], failure: { file: 'b.ts', reason: expect.stringMatching(/^EEXIST: /) }, interrupted: false });
      expect(readdirSync(dir).sort()).toEqual([`.b.ts.async-migrate-${process.pid}-bbbbbbbbbbbb.tmp`, 'a.ts', 'b.ts']);
      expect([read(dir, 'a.ts'), read(dir, 'b.ts')]).toEqual(['a0\n', 'b0\n']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('-o never writes through a link', () => {
  it('a link committed at the report name is refused before anything is written (exit 1, one line)', async () => {
    const outside = makeProject({ 'victim.txt': 'outside\n' });
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    symlinkSync(path.join(outside, 'victim.txt'), path.join(dir, 'async-migrate.sarif'));
    commitAll(dir);
    for (const command of ['check', 'migrate']) {
      const result = await runCli([command, '.', '-o', 'async-migrate.sarif'], dir);
      expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr: 'async-migrate: cannot write the report to async-migrate.sarif (it is a symbolic link; the report is never written through one); nothing was written\n',
      });
    }
    expect({ victim: read(outside, 'victim.txt'), io: read(dir, 'src/io.ts') }).toEqual({ victim: 'outside\n', io: IO_SOURCE });
  });

  it('the report replaces a regular file atomically (its mode kept), a link planted later is replaced, not followed; a device is written in place', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'am-report-'));
    try {
      const report = path.join(dir, 'report.json');
      writeFileSync(report, 'old\n');
      chmodSync(report, 0o640);
      await writeReport(report, 'new\n');
      expect({ text: readFileSync(report, 'utf8'), mode: statSync(report).mode & 0o777 }).toEqual({ text: 'new\n', mode: 0o640 });
      await writeReport(path.join(dir, 'fresh.json'), 'fresh\n');
      expect(readFileSync(path.join(dir, 'fresh.json'), 'utf8')).toBe('fresh\n');
      writeFileSync(path.join(dir, 'victim.txt'), 'victim\n');
      symlinkSync(path.join(dir, 'victim.txt'), path.join(dir, 'linked.json'));
      await expect(writeReport(path.join(dir, 'linked.json'), 'x\n')).rejects.toThrow('it is a symbolic link; the report is never written through one');
      expect(read(dir, 'victim.txt')).toBe('victim\n');
      await writeReport('/dev/null', 'nothing\n');
      expect(readdirSync(dir).sort()).toEqual(['fresh.json', 'linked.json', 'report.json', 'victim.txt']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('edits are applied to the exact text analysed', () => {
  const EDITED = `// saved by an editor during the run\n${IO_SOURCE}`;

  // 'plan': after the analysis, before the engine applies the edits (the engine's check);
  // 'write': after the edits were applied, before the temp files (the write's byte check).
  it.each(['plan', 'write'] as const)('a file changed at the %s phase (between the analysis and the write): exit 1, one line, nothing written', async (at) => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/caller.ts': CALLER_SOURCE });
    const onPhase = (phase: string): void => {
      if (phase === at) writeFileSync(path.join(dir, 'src/io.ts'), EDITED);
    };
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir, { onPhase });
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: 'async-migrate: src/io.ts changed during the run; nothing was written\n',
    });
    expect({ io: read(dir, 'src/io.ts'), caller: read(dir, 'src/caller.ts'), temps: tempFiles(dir) }).toEqual({ io: EDITED, caller: CALLER_SOURCE, temps: [] });
  });

  it.each(['plan', 'write'] as const)('Python: the same at the %s phase', async (at) => {
    const dir = makeProject({ 'app.py': 'import time\n\n\nasync def main():\n    time.sleep(1)\n' });
    const edited = '# saved\nimport time\n\n\nasync def main():\n    time.sleep(1)\n';
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir, { onPhase: (phase) => phase === at && writeFileSync(path.join(dir, 'app.py'), edited) });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: 'async-migrate: app.py changed during the run; nothing was written\n' });
    expect(read(dir, 'app.py')).toBe(edited);
  });

  it('a file changed after its temp file was written: the whole transaction is dropped', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'am-write-'));
    try {
      writeFileSync(path.join(dir, 'a.ts'), 'a0\n');
      writeFileSync(path.join(dir, 'b.ts'), 'b0\n');
      const writes = ['a.ts', 'b.ts'].map((file) => ({
        file,
        absolute: path.join(dir, file),
        content: Buffer.from(`${file[0]}1\n`),
        expectedDigest: digestOf(Buffer.from(`${file[0]}0\n`)),
      }));
      const outcome = await writeTransaction(writes, new EventEmitter(), (phase, file) => {
        if (phase === 'temp' && file === 'b.ts') writeFileSync(path.join(dir, 'b.ts'), 'b0 saved\n');
      });
      expect(outcome).toEqual({ written: [], notWritten: ['a.ts', 'b.ts'], failure: { file: 'b.ts', reason: 'it changed during the run', changed: true }, interrupted: false });
      expect({ files: readdirSync(dir).sort(), a: read(dir, 'a.ts'), b: read(dir, 'b.ts') }).toEqual({ files: ['a.ts', 'b.ts'], a: 'a0\n', b: 'b0 saved\n' });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('one migrate at a time per root', () => {
  it('two concurrent runs: one migrates, the other is refused with one line; the lock is gone after', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const results = await Promise.all([runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir), runCli(['migrate', '.', '--format', 'json'], dir)]);
    const refused = results.filter((result) => result.code === 1);
    expect(results.map((result) => result.code).sort()).toEqual([0, 1]);
    expect(refused[0]!.stderr).toBe(
      `async-migrate: another async-migrate migrate (pid ${process.pid}) is running on ${dir}; nothing was written (if none is, delete ${path.join(dir, LOCK_NAME)})\n`,
    );
    expect({ io: read(dir, 'src/io.ts'), lock: existsSync(path.join(dir, LOCK_NAME)) }).toEqual({ io: IO_MIGRATED, lock: false });
  });

  it('a lock left by a process that is gone is taken over; --dry-run and check take no lock', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    writeFileSync(path.join(dir, LOCK_NAME), `${deadPid()}\n`);
    const check = await runCli(['check', '.', '--format', 'json'], dir);
    expect(check.code).toBe(1);
    expect(existsSync(path.join(dir, LOCK_NAME))).toBe(true);
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect({ io: read(dir, 'src/io.ts'), lock: existsSync(path.join(dir, LOCK_NAME)) }).toEqual({ io: IO_MIGRATED, lock: false });
  });

  it('the lock is deleted on a failing run, and the dirty-tree guard does not count it', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    writeFileSync(path.join(dir, 'src/notes.ts'), 'export const notes = 1;\n');
    const dirty = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect({ code: dirty.code, stderr: dirty.stderr }).toEqual({
      code: 2,
      stderr: 'async-migrate: refusing to write into a git work tree with uncommitted changes (src/notes.ts); commit or stash them, or pass --allow-dirty\n',
    });
    expect(existsSync(path.join(dir, LOCK_NAME))).toBe(false);
    rmSync(path.join(dir, 'src/notes.ts'));
    // The lock file is untracked while the guard asks git: it is not an uncommitted change.
    const clean = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect({ code: clean.code, stderr: clean.stderr, io: read(dir, 'src/io.ts'), lock: existsSync(path.join(dir, LOCK_NAME)) }).toEqual({ code: 0, stderr: '', io: IO_MIGRATED, lock: false });
  });

  it('a link planted at the lock name (to /dev/zero) is no lock: one line, never a hang, nothing written', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    symlinkSync('/dev/zero', path.join(dir, LOCK_NAME));
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `async-migrate: ${path.join(dir, LOCK_NAME)} exists and is not a lock this tool wrote; nothing was written (delete it if no run is going)\n`,
    });
    expect({ io: read(dir, 'src/io.ts'), link: lstatSync(path.join(dir, LOCK_NAME)).isSymbolicLink() }).toEqual({ io: IO_SOURCE, link: true });
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)('a %s during the analysis (a real process) stops the run and the lock is deleted', async (signal) => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const child = spawn(process.execPath, [BIN, 'migrate', '.', '--format', 'json', '--allow-dirty'], { cwd: dir, stdio: 'ignore' });
    const lock = path.join(dir, LOCK_NAME);
    const until = async (condition: () => boolean): Promise<void> => {
      const started = Date.now();
      while (!condition() && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await until(() => existsSync(lock));
    expect(existsSync(lock)).toBe(true);
    const exited = new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    child.kill(signal);
    expect(await exited).toBe(signal);
    await until(() => !existsSync(lock)); // the watchdog deletes it once the run is gone
    expect({ lock: existsSync(lock), io: read(dir, 'src/io.ts') }).toEqual({ lock: false, io: IO_SOURCE });
  }, 60_000);
});

describe.skipIf(!isRoot)('append-only files and folders (chattr +a; root on ext4 here)', () => {
  it('an append-only file is found before anything is written; no temp file is left', async (context) => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/caller.ts': CALLER_SOURCE });
    const target = path.join(dir, 'src/io.ts');
    if (!appendOnly(target)) return context.skip();
    try {
      const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
      expect(result.stderr).toMatch(/^async-migrate: cannot write src\/io\.ts \(EPERM: [^\n]+\); nothing was written\n$/);
      expect({ io: read(dir, 'src/io.ts'), caller: read(dir, 'src/caller.ts'), temps: tempFiles(dir) }).toEqual({ io: IO_SOURCE, caller: CALLER_SOURCE, temps: [] });
    } finally {
      clearAppendOnly(target);
    }
  });

  it('an append-only folder (create allowed, rename refused) is found by the probe before anything is written', async (context) => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'lib/caller.ts': CALLER_SOURCE.replace("'./io.js'", "'../src/io.js'") });
    writeFileSync(path.join(dir, 'tsconfig.json'), readFileSync(path.join(dir, 'tsconfig.json'), 'utf8').replace('"src"', '"src", "lib"'));
    const folder = path.join(dir, 'src');
    if (!appendOnly(folder)) return context.skip();
    try {
      const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
      // The probe file the folder refuses to delete is named, and no temp file is left anywhere else.
      expect(result.stderr).toMatch(
        /^async-migrate: cannot write src\/io\.ts \(the folder does not allow it: EPERM: [^\n]+; probe file left: \.async-migrate-probe\.async-migrate-\d+-[0-9a-f]{12}\.tmp\); nothing was written\n$/,
      );
      expect({ io: read(dir, 'src/io.ts'), caller: read(dir, 'lib/caller.ts'), temps: tempFiles(path.join(dir, 'lib')) }).toEqual({
        io: IO_SOURCE,
        caller: CALLER_SOURCE.replace("'./io.js'", "'../src/io.js'"),
        temps: [],
      });
      // Once the folder is writable again, the next run deletes the probe left and migrates.
      clearAppendOnly(folder);
      const rerun = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
      expect({ code: rerun.code, stderr: rerun.stderr, temps: tempFiles(dir) }).toEqual({ code: 0, stderr: '', temps: [expect.stringMatching(/probe/)] });
    } finally {
      clearAppendOnly(folder);
    }
  });
});

describe('temp files left by a killed run', () => {
  it('a later run deletes the temp files of a process that is gone, and nothing else', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const dead = deadPid();
    const stale = `.io.ts.async-migrate-${dead}-0123456789ab.tmp`;
    const live = `.io.ts.async-migrate-${process.ppid}-0123456789ab.tmp`;
    const linked = `.x.ts.async-migrate-${dead}-0123456789ab.tmp`;
    writeFileSync(path.join(dir, 'src', stale), 'half written');
    writeFileSync(path.join(dir, 'src', live), 'another run, still going');
    symlinkSync('io.ts', path.join(dir, 'src', linked));
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(path.join(dir, 'src')).sort()).toEqual([live, linked, 'io.ts'].sort());
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
  });

  it("in a git work tree, a killed run's temp files are no uncommitted change: the next migrate deletes them and writes", async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    const stale = `.io.ts.async-migrate-${deadPid()}-0123456789ab.tmp`;
    writeFileSync(path.join(dir, 'src', stale), 'half written');
    const result = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect({ code: result.code, stderr: result.stderr, files: readdirSync(path.join(dir, 'src')), io: read(dir, 'src/io.ts') }).toEqual({ code: 0, stderr: '', files: ['io.ts'], io: IO_MIGRATED });
  });

  it('after a SIGKILL in the write phase (a real process), a re-run cleans up and finishes', async () => {
    // Many files, so that the kill lands while temp files exist or just after the renames.
    const files: Record<string, string> = {};
    for (let index = 0; index < 20; index++) files[`src/io${index}.ts`] = IO_SOURCE.replace(/load/g, `load${index}`).replace('main', `main${index}`);
    const dir = makeProject(files);
    const child = spawn(process.execPath, [BIN, 'migrate', '.', '--format', 'json', '--allow-dirty'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const started = Date.now();
    while (tempFiles(dir).length === 0 && child.exitCode === null && child.signalCode === null && Date.now() - started < 20_000) await new Promise((resolve) => setImmediate(resolve));
    child.kill('SIGKILL');
    await exited;
    const rerun = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: rerun.code, stderr: rerun.stderr, temps: tempFiles(dir), lock: existsSync(path.join(dir, LOCK_NAME)) }).toEqual({ code: 0, stderr: '', temps: [], lock: false });
    for (let index = 0; index < 20; index++) expect(read(dir, `src/io${index}.ts`)).toBe(IO_MIGRATED.replace(/load/g, `load${index}`).replace('main', `main${index}`));
  }, 180_000);
});

describe('a failure after the files were written says so', () => {
  it('stdout to a full device (/dev/full, a real process): exit 3, one line naming the files written', () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawnSync(process.execPath, [BIN, 'migrate', '.', '--format', 'json', '--allow-dirty'], { cwd: dir, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect({ status: child.status, stderr: child.stderr }).toEqual({
        status: 3,
        stderr: 'async-migrate: cannot write the report to stdout (ENOSPC: no space left on device, write); the migration was applied (written: src/io.ts)\n',
      });
    } finally {
      closeSync(full);
    }
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
  });

  it('check to /dev/full: exit 3, one line; a reader that closes early (EPIPE) is no error', () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawnSync(process.execPath, [BIN, 'check', '.', '--format', 'json'], { cwd: dir, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 3, stderr: 'async-migrate: cannot write the report to stdout (ENOSPC: no space left on device, write)\n' });
    } finally {
      closeSync(full);
    }
    const piped = execFileSync('bash', ['-c', `node ${JSON.stringify(BIN)} check . --format json | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: dir, encoding: 'utf8' });
    expect(piped).toBe('1\n');
  });

  it('-o to a full device after the migration: exit 1, one line saying the migration was applied', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty', '-o', '/dev/full'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: 'async-migrate: cannot write the report to /dev/full (ENOSPC: no space left on device, write); the migration was applied (written: src/io.ts)\n',
    });
    expect(jsonReport(result).changes).toEqual([{ file: 'src/io.ts', edits: 7 }]);
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
  });
});

describe.skipIf(!isRoot)("root migrating a user's files", () => {
  it('keeps each file its owner, group and mode', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/caller.ts': CALLER_SOURCE });
    chownSync(path.join(dir, 'src/io.ts'), 1234, 2345);
    chmodSync(path.join(dir, 'src/io.ts'), 0o640);
    chownSync(path.join(dir, 'src/caller.ts'), 4321, 4321);
    chmodSync(path.join(dir, 'src/caller.ts'), 0o604);
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const owner = (file: string): [number, number, string] => {
      const info = statSync(path.join(dir, file));
      return [info.uid, info.gid, (info.mode & 0o7777).toString(8)];
    };
    expect({ io: owner('src/io.ts'), caller: owner('src/caller.ts'), text: read(dir, 'src/io.ts') }).toEqual({
      io: [1234, 2345, '640'],
      caller: [4321, 4321, '604'],
      text: IO_MIGRATED,
    });
  });
});

describe('a file mixing CRLF and LF lines', () => {
  it('TypeScript: the lines an edit adds or rewrites take the ending of their own line', async () => {
    const source = "import { readFileSync } from 'node:fs';\r\nimport path from 'node:path';\n\nexport function load(file: string): string {\n  return readFileSync(path.join(file), 'utf8');\n}\n\nexport async function main(): Promise<void> {\r\n  console.log(load('x.json'));\r\n}\r\n";
    const dir = makeProject({ 'src/io.ts': source });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty', '--strategy', 'dual'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(read(dir, 'src/io.ts')).toBe(
      "import { readFileSync } from 'node:fs';\r\nimport path from 'node:path';\nimport { readFile } from 'node:fs/promises';\n\nexport function load(file: string): string {\n  return readFileSync(path.join(file), 'utf8');\n}\n\nexport async function loadAsync(file: string): Promise<string> {\n  return await readFile(path.join(file), 'utf8');\n}\n\nexport async function main(): Promise<void> {\r\n  console.log(await loadAsync('x.json'));\r\n}\r\n",
    );
  });

  it('Python: the same', async () => {
    const dir = makeProject({ 'app.py': 'import time\r\n\n\ndef pause():\n    time.sleep(1)\n\n\nasync def main():\r\n    pause()\r\n' });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty', '--strategy', 'dual'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readBytes(dir, 'app.py').toString('latin1')).toBe(
      'import asyncio\r\nimport time\r\n\n\ndef pause():\n    time.sleep(1)\n\n\nasync def pause_async():\n    await asyncio.sleep(1)\n\n\nasync def main():\r\n    await pause_async()\r\n',
    );
  });
});
