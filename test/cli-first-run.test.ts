// The first run as a newcomer lives it: a mistyped command, a path with nothing to analyse, the
// dirty-tree refusal before any analysis, the warning outside git, and progress that names each phase.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli.js';
import { runCli, type CliResult } from './support/cli.js';
import { commitAll, expectUsageError, IO_MIGRATED, IO_SOURCE, makeProject, read, removeProjects } from './support/project.js';

afterEach(removeProjects);

/** A stream that says it is a terminal and keeps what was written. */
function fakeTerminal(): PassThrough & { isTTY: boolean; columns: number; written: () => string } {
  const chunks: string[] = [];
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, written: () => chunks.join('') });
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return stream;
}

/** Runs the CLI with a terminal for the progress display, shown from the start. */
async function runWithProgress(argv: string[], cwd: string, isTTY = true): Promise<CliResult & { progress: string }> {
  const terminal = Object.assign(fakeTerminal(), { isTTY });
  const chunks: Buffer[] = [];
  let stderr = '';
  const code = await run(argv, {
    cwd,
    isTTY: false,
    stdout: (text) => void chunks.push(Buffer.from(text)),
    stderr: (text) => (stderr += text),
    progress: { stream: terminal, delayMs: 0 },
  });
  const stdoutBytes = Buffer.concat(chunks);
  return { code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr, progress: terminal.written() };
}

describe('a mistyped command', () => {
  it('`chek` suggests check, exit 2', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    expectUsageError(await runCli(['chek'], dir), "async-migrate: unknown command 'chek'; did you mean 'check'?");
    expectUsageError(await runCli(['migrat', 'src'], dir), "async-migrate: unknown command 'migrat'; did you mean 'migrate'?");
  });

  it('a path named like a command is a path', async () => {
    const dir = makeProject({ 'chek/app.py': 'def add(a, b):\n    return a + b\n' });
    const result = await runCli(['chek', '--format', 'json'], dir);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ summary: { files: 1 } });
  });

  it('a word close to no command is still a missing path', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    expectUsageError(await runCli(['sources'], dir), /^async-migrate: path does not exist: .*sources$/);
  });
});

describe('no files found: exit 2, as ESLint does, so a wrong path in CI fails', () => {
  it('a directory with no TypeScript, JavaScript or Python file', async () => {
    const dir = makeProject({ 'docs/README.md': '# docs\n' });
    expectUsageError(await runCli(['check', 'docs'], dir), 'async-migrate: no files found: no TypeScript/JavaScript or Python file in docs');
    expectUsageError(await runCli(['migrate', 'docs', '--dry-run', '--format', 'json'], dir), 'async-migrate: no files found: no TypeScript/JavaScript or Python file in docs');
  });

  it('a file that is not source', async () => {
    const dir = makeProject({ 'notes.txt': 'x\n' });
    expectUsageError(await runCli(['check', 'notes.txt'], dir), 'async-migrate: no files found: no TypeScript/JavaScript or Python file in notes.txt');
  });

  it("the config's include/exclude filter every file out", async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'async-migrate.config.json': '{ "exclude": ["src/**"] }\n' });
    expectUsageError(await runCli(['check', '.'], dir), "async-migrate: no files found: the config's include/exclude leave none of the 1 TypeScript/JavaScript or Python files in .");
  });

  it('--language narrows to none', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    expectUsageError(await runCli(['check', 'src', '--language', 'python'], dir), 'async-migrate: no files found: no Python file in src (--language python; 1 other files are there)');
  });
});

describe('migrate: the work tree is asked first', () => {
  it('refuses a dirty tree before any analysis runs', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    writeFileSync(path.join(dir, 'src/io.ts'), `${IO_SOURCE}// work in progress\n`);
    const result = await runWithProgress(['migrate', '.'], dir);
    expectUsageError(result, /^async-migrate: refusing to write into a git work tree with uncommitted changes \(src\/io\.ts\)/);
    expect(result.progress).toBe(''); // not even discovery ran
    // An error the analysis would raise (a -p to no tsconfig) never shows: the refusal came first.
    const withBadProject = await runCli(['migrate', '.', '-p', 'missing/tsconfig.json'], dir);
    expectUsageError(withBadProject, /^async-migrate: refusing to write into a git work tree with uncommitted changes \(src\/io\.ts\)/);
  });

  it('outside a git work tree: one warning line, then the files are written', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect(result.stderr).toBe('async-migrate: warning: . is in no git work tree: nothing protects uncommitted work, and files are rewritten in place (--allow-dirty silences this)\n');
    expect(result.code).toBe(0);
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
  });

  it('outside a git work tree, a path that does not exist: its error line alone', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    expectUsageError(await runCli(['migrate', 'nosuch'], dir), /^async-migrate: path does not exist: .*nosuch$/);
  });

  it('outside a git work tree: no warning with --allow-dirty, with --dry-run, or for check', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    for (const argv of [['migrate', '.', '--dry-run'], ['.'], ['check', '.']]) {
      expect((await runCli(argv, dir)).stderr).toBe('');
    }
    expect((await runCli(['migrate', '.', '--allow-dirty'], dir)).stderr).toBe('');
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
  });
});

describe('progress on a terminal: a line per phase that runs', () => {
  const PHASES = ['finding files', 'reading', 'TypeScript: parsing', 'TypeScript: binding the program', 'TypeScript: indexing functions', 'TypeScript: analysing', 'planning'];

  it('check: every analysis phase, no writing, no Python', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runWithProgress(['check', '.'], dir);
    expect(result.code).toBe(1);
    for (const phase of PHASES) expect(result.progress).toContain(`async-migrate ${phase}`);
    expect(result.progress).toContain('TypeScript: analysing [');
    expect(result.progress).toContain('1/1 files');
    expect(result.progress).not.toContain('writing');
    expect(result.progress).not.toContain('Python');
  });

  it('migrate: a writing bar over the files written', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    const result = await runWithProgress(['migrate', '.'], dir);
    expect(result.code).toBe(0);
    for (const phase of [...PHASES, 'writing']) expect(result.progress).toContain(`async-migrate ${phase}`);
  });

  it('Python only: its phases and none of TypeScript', async () => {
    const dir = makeProject({});
    mkdirSync(path.join(dir, 'py'));
    writeFileSync(path.join(dir, 'py/app.py'), 'import time\n\n\nasync def main():\n    time.sleep(1)\n');
    const result = await runWithProgress(['check', 'py'], dir);
    expect(result.progress).toContain('async-migrate Python: parsing');
    expect(result.progress).toContain('async-migrate Python: analysing');
    expect(result.progress).not.toContain('TypeScript');
  });

  it('not a terminal: nothing', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runWithProgress(['check', '.'], dir, false);
    expect(result.progress).toBe('');
    expect(result.stderr).toBe('');
  });
});
