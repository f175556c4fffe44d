// .pre-commit-hooks.yaml, run as the pre-commit framework runs a hook: the staged files that match
// `files` are appended to the entry (unless pass_filenames is false), in the repository's root, with
// the package's bin on PATH (language: node installs the package). pre-commit itself is not needed.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './support/files.js';

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files?: string;
  exclude?: string;
  args?: string[];
  pass_filenames?: boolean;
  require_serial?: boolean;
}

const hooks = parse(readFileSync(path.join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const hook = (id: string): Hook => {
  const found = hooks.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no hook ${id} in .pre-commit-hooks.yaml`);
  return found;
};

const work = mkdtempSync(path.join(os.tmpdir(), 'am-pre-commit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// What `npm install -g` of the package puts on PATH.
const binDir = path.join(work, 'bin');
mkdirSync(binDir);
writeFileSync(path.join(binDir, 'async-migrate'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO, 'bin/async-migrate.js')}" "$@"\n`);
chmodSync(path.join(binDir, 'async-migrate'), 0o755);

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The files pre-commit hands a hook on `git commit`: staged, added or changed, matching `files`. */
function filesFor(repo: string, chosen: Hook): string[] {
  const staged = git(repo, 'diff', '--staged', '--name-only', '--diff-filter=ACMRTUXB', '-z').split('\0').filter(Boolean);
  const files = new RegExp(chosen.files ?? '');
  const exclude = new RegExp(chosen.exclude ?? '^$');
  return staged.filter((file) => files.test(file) && !exclude.test(file));
}

/** Runs the hook as the framework does; returns its exit code, output and the files it was given. */
function runHook(repo: string, chosen: Hook): { status: number | null; output: string; files: string[] } {
  // pre-commit splits the entry with shlex; these entries have no quoting for a plain split to miss.
  expect(chosen.entry).not.toMatch(/["'\\]/);
  const files = chosen.pass_filenames === false ? [] : filesFor(repo, chosen);
  const [command, ...words] = chosen.entry.split(/\s+/).filter(Boolean);
  const result = spawnSync(command!, [...words, ...(chosen.args ?? []), ...files], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  return { status: result.status, output: result.stdout + result.stderr, files };
}

/** A git repository holding the three-file chain fixture (a blocking read two calls below an async
 * handler) and a README, with one commit. */
function makeRepo(name: string): string {
  const repo = path.join(work, name);
  cpSync(path.join(REPO, 'fixtures/migrate/chain-three-files/input'), repo, { recursive: true });
  writeFileSync(path.join(repo, 'README.md'), '# app\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'init');
  return repo;
}

const append = (repo: string, file: string, text: string): void => writeFileSync(path.join(repo, file), readFileSync(path.join(repo, file), 'utf8') + text);

describe('.pre-commit-hooks.yaml', () => {
  it('declares node hooks with one serial run over the source files', () => {
    expect(hooks.map((entry) => entry.id)).toEqual(['async-migrate', 'async-migrate-changed-lines']);
    for (const entry of hooks) {
      expect(entry).toMatchObject({ language: 'node', require_serial: true });
      expect(entry.name).toBeTruthy();
      const files = new RegExp(entry.files ?? '');
      for (const file of ['a.ts', 'b.tsx', 'c.mts', 'd.cts', 'e.js', 'f.jsx', 'g.mjs', 'h.cjs', 'pkg/i.py']) expect(files.test(file), file).toBe(true);
      for (const file of ['README.md', 'package.json', 'x.pyi', 'y.tsbuildinfo']) expect(files.test(file), file).toBe(false);
    }
  });

  it('async-migrate: checks the staged source files, given as a list, and fails on a finding', () => {
    const repo = makeRepo('list-finding');
    for (const file of ['src/repository.ts', 'src/service.ts', 'src/controller.ts', 'README.md']) append(repo, file, '\n');
    git(repo, 'add', '-A');
    const { status, output, files } = runHook(repo, hook('async-migrate'));
    expect(files).toEqual(['src/controller.ts', 'src/repository.ts', 'src/service.ts']);
    expect(output).toMatch(/repository\.ts\n\s+8:29\s+warning\s+`readFileSync` blocks the event loop/);
    expect(output).toContain('3 files, 1 findings (blocking-io 1)');
    expect(status).toBe(1);
    // The hook reports; it leaves the work tree as staged (pre-commit fails a hook that edits files).
    expect(git(repo, 'status', '--porcelain')).toBe(['M  README.md', 'M  src/controller.ts', 'M  src/repository.ts', 'M  src/service.ts', ''].join('\n'));
  }, 60_000);

  it('async-migrate: passes when the staged files hold nothing to report', () => {
    const repo = makeRepo('list-clean');
    append(repo, 'main.ts', '// a comment\n');
    append(repo, 'README.md', 'more\n');
    git(repo, 'add', '-A');
    const { status, output, files } = runHook(repo, hook('async-migrate'));
    expect(files).toEqual(['main.ts']);
    expect(output).toContain('1 files, 0 findings');
    expect(status).toBe(0);
  }, 60_000);

  it('async-migrate-changed-lines: analyses the project, fails on a finding on a changed line only', () => {
    const repo = makeRepo('changed-lines');
    append(repo, 'src/repository.ts', '// a comment\n');
    git(repo, 'add', '-A');
    const untouched = runHook(repo, hook('async-migrate-changed-lines'));
    expect(untouched.files).toEqual([]);
    expect(untouched.output).toContain('4 files, 0 findings');
    expect(untouched.status).toBe(0);

    const text = readFileSync(path.join(repo, 'src/repository.ts'), 'utf8');
    writeFileSync(path.join(repo, 'src/repository.ts'), text.replace("readFileSync(this.dataFile, 'utf8')", 'readFileSync(this.dataFile, "utf8")'));
    git(repo, 'add', '-A');
    const touched = runHook(repo, hook('async-migrate-changed-lines'));
    expect(touched.output).toContain('4 files, 1 findings (blocking-io 1)');
    expect(touched.status).toBe(1);
  }, 60_000);

  it("the README's pre-commit recipe names a hook that exists", () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const recipe = /pre-commit \(`\.pre-commit-hooks\.yaml`\)[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    const config = parse(recipe ?? '') as { repos: { hooks: { id: string }[] }[] };
    const ids = config.repos.flatMap((repo) => repo.hooks.map((entry) => entry.id));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(hooks.map((entry) => entry.id)).toContain(id);
  });
});

