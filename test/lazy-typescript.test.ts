// A run with no TypeScript or JavaScript file to analyse never loads the TypeScript compiler
// (ts-morph's 9 MB bundle and its lib files: ~0.3 s of CPU and ~50 MB before the first file).
// The built CLI runs with a preload that lists, at exit, every CommonJS module the process loaded;
// Node keeps a CommonJS module imported from ESM in the same cache, so both ways of loading count.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from './support/files.js';
import { makeProject, removeProjects } from './support/project.js';

afterEach(removeProjects);

const PROBE = `import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
process.on('exit', () => writeFileSync(process.env.LOADED_MODULES_OUT, Object.keys(require.cache).join('\\n')));
`;

const PYTHON = `import time


def pause() -> None:
    time.sleep(1)


async def handler() -> None:
    pause()
`;

/** The CommonJS modules a `check` of `dir` loaded, and its exit code. */
function modulesLoaded(dir: string, ...args: string[]): { loaded: string[]; status: number | null } {
  const probeDir = mkdtempSync(path.join(os.tmpdir(), 'am-probe-'));
  try {
    const probe = path.join(probeDir, 'probe.mjs');
    const out = path.join(probeDir, 'loaded.txt');
    writeFileSync(probe, PROBE);
    const run = spawnSync(process.execPath, ['--import', probe, path.join(REPO, 'bin/async-migrate.js'), 'check', '.', '--format', 'json', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, LOADED_MODULES_OUT: out, ASYNC_MIGRATE_PYRIGHT: '0' },
    });
    return { loaded: readFileSync(out, 'utf8').split('\n'), status: run.status };
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

const isTypeScriptCompiler = (file: string): boolean => /[\\/](typescript|@ts-morph[\\/]common|ts-morph)[\\/]/.test(file);

describe('loading TypeScript only for TypeScript and JavaScript files', () => {
  it('a Python project: the compiler is not loaded, and the findings are there', () => {
    const dir = makeProject({ 'app/service.py': PYTHON });
    const { loaded, status } = modulesLoaded(dir, '--language', 'python');
    expect(status).toBe(1);
    expect(loaded.filter(isTypeScriptCompiler)).toEqual([]);
  });

  it('a Python project without --language (no TS/JS file found): not loaded either', () => {
    const dir = makeProject({ 'app/service.py': PYTHON });
    expect(modulesLoaded(dir).loaded.filter(isTypeScriptCompiler)).toEqual([]);
  });

  it('a TypeScript project: loaded (the probe sees it)', () => {
    const dir = makeProject({ 'src/a.ts': 'import { readFileSync } from "node:fs";\nexport async function f(): Promise<string> {\n  return readFileSync("x", "utf8");\n}\n' });
    const { loaded, status } = modulesLoaded(dir);
    expect(status).toBe(1);
    expect(loaded.some(isTypeScriptCompiler)).toBe(true);
  });
});
