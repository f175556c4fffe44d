// The V8 code cache of ts-morph's TypeScript bundle (src/frontends/typescript/compiler-cache.ts):
// written after a run, used by the next, and never a reason for a different report or a failed run
// (no writable folder, a corrupt cache, a folder others can write).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from './support/files.js';
import { makeProject, removeProjects } from './support/project.js';

afterEach(removeProjects);

const SOURCE = `import { readFileSync } from 'node:fs';

export function load(file: string): string {
  return readFileSync(file, 'utf8');
}

export async function handler(): Promise<void> {
  console.log(load('a.json'));
}
`;

/** `check`'s JSON report, exit code and stderr, with the code cache in `cache` (`0`: off). */
function check(dir: string, cache: string): { report: string; status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(REPO, 'bin/async-migrate.js'), 'check', '.', '--format', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ASYNC_MIGRATE_CODE_CACHE: cache },
  });
  return { report: run.stdout, status: run.status, stderr: run.stderr };
}

const cacheFiles = (folder: string): string[] => readdirSync(folder).filter((file) => file.endsWith('.bin')).sort();

describe('the compiler code cache', () => {
  it('is written by a first run, used as it is by the second, and the reports are those of a run without it', () => {
    const dir = makeProject({ 'src/io.ts': SOURCE });
    const folder = path.join(dir, 'code-cache');
    const plain = check(dir, '0');
    expect(plain.status).toBe(1);
    expect(JSON.parse(plain.report).summary.functionsMadeAsync).toBe(1);

    const first = check(dir, folder);
    expect(first).toEqual(plain);
    const written = cacheFiles(folder);
    expect(written).toHaveLength(1); // typescript.js
    const times = written.map((file) => statSync(path.join(folder, file)).mtimeMs);

    const second = check(dir, folder);
    expect(second).toEqual(plain);
    // Accepted: a cache V8 rejects is written anew.
    expect(cacheFiles(folder)).toEqual(written);
    expect(written.map((file) => statSync(path.join(folder, file)).mtimeMs)).toEqual(times);
  });

  it('a corrupt cache is compiled past and replaced', () => {
    const dir = makeProject({ 'src/io.ts': SOURCE });
    const folder = path.join(dir, 'code-cache');
    const plain = check(dir, '0');
    check(dir, folder);
    const files = cacheFiles(folder);
    for (const file of files) writeFileSync(path.join(folder, file), Buffer.alloc(4096, 7), { mode: 0o600 });
    expect(check(dir, folder)).toEqual(plain);
    for (const file of files) expect(readFileSync(path.join(folder, file)).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('no folder it can create (a file in the way): the run is the same, and says nothing', () => {
    const dir = makeProject({ 'src/io.ts': SOURCE, 'blocker': 'a file, not a folder\n' });
    expect(check(dir, path.join(dir, 'blocker', 'code-cache'))).toEqual(check(dir, '0'));
  });

  it('a folder others can write is not used', () => {
    const dir = makeProject({ 'src/io.ts': SOURCE });
    const folder = path.join(dir, 'shared');
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    expect(check(dir, folder)).toEqual(check(dir, '0'));
    expect(cacheFiles(folder)).toEqual([]);
  });
});
