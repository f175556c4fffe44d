// `--cache`: a cached run's report is the cold run's, byte for byte, whatever was edited in between;
// an unchanged tree is answered from the cache without analysing; a bad cache is one line and rebuilt.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editFiles } from '../bench/lib/edits.mjs';
import { generateTsProject } from '../bench/generate.mjs';
import { parseConfig, PYPROJECT_SYNTAX } from '../src/config.js';
import type { Phase } from '../src/progress.js';
import { runCli } from './support/cli.js';
import { TSCONFIG } from './support/project.js';
import { REPO } from './support/files.js';

let workspace: string;

beforeAll(() => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'async-migrate-cache-'));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/** A run, and whether it analysed (a hit never reads the files for a front-end). */
async function check(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string; analysed: boolean }> {
  const phases: Phase[] = [];
  const result = await runCli(args, cwd, { onPhase: (phase) => phases.push(phase) });
  return { ...result, analysed: phases.includes('read') };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file))
    .sort();
}

/** A project of a few files in `name`, with this repo's node_modules (for @types/node). */
function project(name: string, files: Record<string, string>): string {
  const dir = path.join(workspace, name);
  for (const [file, text] of Object.entries({ 'tsconfig.json': TSCONFIG, 'package.json': '{ "type": "module" }\n', ...files })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(path.join(REPO, 'node_modules', '@types'), path.join(dir, 'node_modules', '@types'));
  return dir;
}

describe('--cache', () => {
  it('gives the cold report byte for byte after random edits, and answers an unchanged tree without analysing', { timeout: 300_000 }, async () => {
    const dir = path.join(workspace, 'generated');
    generateTsProject({ outDir: dir, files: 60 });
    const files = sourceFiles(path.join(dir, 'src'));
    const cached = ['check', '.', '--format', 'json', '--cache'];
    const first = await check(cached, dir);
    expect(first.analysed).toBe(true);
    for (let round = 1; round <= 4; round++) {
      const edited = editFiles(files, { seed: round, percent: 5 });
      expect(edited.length).toBeGreaterThan(0);
      const warm = await check(cached, dir);
      const cold = await check(['check', '.', '--format', 'json'], dir);
      expect(warm.analysed).toBe(true);
      expect(warm.stdout).toBe(cold.stdout);
      expect(warm.code).toBe(cold.code);
      const again = await check(cached, dir);
      expect(again.analysed).toBe(false);
      expect(again.stdout).toBe(cold.stdout);
      expect(again.code).toBe(cold.code);
      expect(again.stderr).toBe('');
    }
    // A dry run has its own entry: the diff (on stderr with --format json) and the report.
    const dryRun = ['migrate', '.', '--dry-run', '--format', 'json'];
    const coldDry = await check(dryRun, dir);
    await check([...dryRun, '--cache'], dir);
    const warmDry = await check([...dryRun, '--cache'], dir);
    expect(warmDry.analysed).toBe(false);
    expect([warmDry.code, warmDry.stdout, warmDry.stderr]).toEqual([coldDry.code, coldDry.stdout, coldDry.stderr]);
  });

  it('caches a Python run, and sees an edit to a .py file', { timeout: 120_000 }, async () => {
    const dir = path.join(workspace, 'python');
    cpSync(path.join(REPO, 'fixtures', 'python-example'), dir, { recursive: true });
    const args = ['check', '.', '--format', 'json', '--cache', '--cache-location', '.cache'];
    const first = await check(args, dir);
    const hit = await check(args, dir);
    expect([hit.analysed, hit.code, hit.stdout]).toEqual([false, first.code, first.stdout]);
    const main = path.join(dir, 'main.py');
    writeFileSync(main, `import time\n\n\nasync def edited():\n    time.sleep(1)\n\n\n${readFileSync(main, 'utf8')}`);
    const warm = await check(args, dir);
    expect(warm.analysed).toBe(true);
    expect(warm.stdout).toBe((await check(['check', '.', '--format', 'json'], dir)).stdout);
    expect(warm.stdout).not.toBe(first.stdout);
  });

  it('sees an edit to a file outside the paths that the program imports', { timeout: 120_000 }, async () => {
    const dir = project('outside', {
      'src/app.ts': "import { load } from '../lib/store.js';\n\nexport async function main(): Promise<void> {\n  console.log(await load());\n}\n",
      'lib/store.ts': 'export function load(): string {\n  return "x";\n}\n',
    });
    const args = ['check', 'src', '--format', 'json', '--cache'];
    const before = await check(args, dir);
    expect(JSON.parse(before.stdout).findings).toHaveLength(1); // await on a sync function
    writeFileSync(path.join(dir, 'lib/store.ts'), 'export async function load(): Promise<string> {\n  return "x";\n}\n');
    const after = await check(args, dir);
    expect(after.analysed).toBe(true);
    expect(after.stdout).toBe((await check(['check', 'src', '--format', 'json'], dir)).stdout);
    expect(JSON.parse(after.stdout).findings).toHaveLength(0);
  });

  it('sees a new file that an import now resolves to, and a tsconfig edit', { timeout: 120_000 }, async () => {
    const dir = project('resolve', {
      'src/app.ts': "import { load } from './store.js';\n\nexport async function main(): Promise<void> {\n  console.log(load());\n}\n",
    });
    const args = ['check', 'src/app.ts', '--format', 'json', '--cache'];
    await check(args, dir);
    expect((await check(args, dir)).analysed).toBe(false);
    writeFileSync(path.join(dir, 'src/store.ts'), "import { readFileSync } from 'node:fs';\n\nexport function load(): string {\n  return readFileSync('x', 'utf8');\n}\n");
    const after = await check(args, dir);
    expect(after.analysed).toBe(true);
    expect(after.stdout).toBe((await check(['check', 'src/app.ts', '--format', 'json'], dir)).stdout);
    writeFileSync(path.join(dir, 'tsconfig.json'), TSCONFIG.replace('"strict": true', '"strict": false'));
    expect((await check(args, dir)).analysed).toBe(true);
    expect((await check(args, dir)).analysed).toBe(false);
    // Another rule selection is another entry, not the same result.
    expect((await check([...args, '--rules', 'blocking-io'], dir)).analysed).toBe(true);
  });

  it('ignores a corrupt, foreign or other-version cache with one line, and rebuilds it', { timeout: 120_000 }, async () => {
    const dir = project('damaged', { 'src/app.ts': "import { readFileSync } from 'node:fs';\n\nexport async function main(): Promise<string> {\n  return readFileSync('x', 'utf8');\n}\n" });
    const location = path.join(dir, 'cache-here');
    const args = ['check', '.', '--format', 'json', '--cache', '--cache-location', 'cache-here'];
    const cold = await check(['check', '.', '--format', 'json'], dir);
    await check(args, dir);
    const [entry] = readdirSync(location);
    const file = path.join(location, entry!);
    const good = readFileSync(file, 'utf8');
    const damaged: [string, RegExp][] = [
      [good.slice(0, good.length / 2), /is corrupt \(not JSON\)/],
      ['{"name":"something else"}', /is not an async-migrate cache/],
      [good.replace(/"fingerprint":"[0-9a-f]+"/, '"fingerprint":"0000"'), /was written by another version of async-migrate/],
      [good.replace('"warnings":[', '"warnings":7,"was":['), /is corrupt;/],
    ];
    for (const [text, why] of damaged) {
      writeFileSync(file, text);
      const run = await check(args, dir);
      expect(run.analysed).toBe(true);
      expect(run.stdout).toBe(cold.stdout);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(why);
      expect(lines[0]).toMatch(/it is ignored and rebuilt$/);
      const next = await check(args, dir);
      expect([next.analysed, next.stderr, next.stdout]).toEqual([false, '', cold.stdout]);
    }
  });

  it('runs on when the cache cannot be written: one line, the exit code of a run without it', { timeout: 120_000 }, async () => {
    const dir = project('unwritable', { 'src/app.ts': 'export async function main(): Promise<number> {\n  return 1;\n}\n' });
    writeFileSync(path.join(dir, 'blocker'), '');
    const run = await check(['check', '.', '--format', 'json', '--cache', '--cache-location', 'blocker/inside'], dir);
    const cold = await check(['check', '.', '--format', 'json'], dir);
    expect([run.code, run.stdout]).toEqual([cold.code, cold.stdout]);
    expect(run.stderr).toMatch(/^async-migrate: warning: cache .*blocker\/inside\/run-[0-9a-f]+\.json could not be written \(ENOTDIR\); the run is not cached\n$/);
  });

  it('hashes a project of more files than the process may open at once', { timeout: 120_000 }, () => {
    const dir = path.join(workspace, 'many');
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    for (let i = 0; i < 300; i++) writeFileSync(path.join(dir, 'src', `f${i}.ts`), `export const a${i} = ${i};\n`);
    // The built CLI under a limit of 100 open files: reading every file at once failed (EMFILE) and left nothing cached.
    const run = spawnSync('sh', ['-c', `ulimit -n 100 && exec "${process.execPath}" "${path.join(REPO, 'bin/async-migrate.js')}" check . --cache --cache-location store --format json`], { cwd: dir, encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(readdirSync(path.join(dir, 'store'))).toHaveLength(1);
  });

  it('is turned on by the config key, with its location relative to the config file', { timeout: 120_000 }, async () => {
    const dir = project('configured', {
      'async-migrate.config.json': '{ "cache": true, "cacheLocation": ".cached" }\n',
      'src/app.ts': 'export async function main(): Promise<number> {\n  return 1;\n}\n',
    });
    // From src/, the config above it names `.cached` beside itself, not in the working directory.
    await check(['check', '.', '--format', 'json'], path.join(dir, 'src'));
    expect(readdirSync(path.join(dir, '.cached'))).toHaveLength(1);
    expect((await check(['check', '.', '--format', 'json'], path.join(dir, 'src'))).analysed).toBe(false);
    // pyproject.toml spells it `cache-location`; a bad value is one error naming the key.
    expect(parseConfig({ cache: true, 'cache-location': '.cached' }, 'pyproject.toml', PYPROJECT_SYNTAX)).toMatchObject({ cache: true, cacheLocation: '.cached' });
    expect(() => parseConfig({ cache: 'yes' }, 'async-migrate.config.json')).toThrow(/cache: must be true or false/);
  });
});
