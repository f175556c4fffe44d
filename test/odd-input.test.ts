// Odd input (docs/safety.md, "Odd input"): each is one line on stderr with the documented exit code,
// naming the real cause; never a stack trace, never exit 3, never a run that passes by accident.
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pyrightSettings } from '../src/frontends/python/pyright-oracle.js';
import { runCli } from './support/cli.js';
import { expectUsageError, IO_SOURCE, jsonReport, makeProject, removeProjects } from './support/project.js';

afterEach(removeProjects);

describe('path arguments that are neither a file nor a directory', () => {
  it('a FIFO is one line naming it, exit 2 (it was exit 3)', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    expectUsageError(await runCli(['check', 'src', 'pipe'], dir), `async-migrate: path ${path.join(dir, 'pipe')} is a FIFO, not a file or directory`);
    expectUsageError(await runCli(['check', 'pipe'], dir), `async-migrate: path ${path.join(dir, 'pipe')} is a FIFO, not a file or directory`);
  });

  it('/dev/null is named as a device, not as a config file it does not have', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    expectUsageError(await runCli(['check', '/dev/null'], dir), 'async-migrate: path /dev/null is a character device, not a file or directory');
  });

  it('a symbolic link loop is named as one', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    symlinkSync('b', path.join(dir, 'a'));
    symlinkSync('a', path.join(dir, 'b'));
    expectUsageError(await runCli(['check', 'a'], dir), `async-migrate: path ${path.join(dir, 'a')}: a symbolic link loop (too many levels of symbolic links)`);
  });
});

describe('config globs', () => {
  it('an include glob over 65,536 characters is a config error (exit 2, not an internal error)', async () => {
    const long = `src/${'a'.repeat(70_000)}/**`;
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'async-migrate.config.json': JSON.stringify({ include: [long] }) });
    expectUsageError(await runCli(['check', '.'], dir), `async-migrate: config ${path.join(dir, 'async-migrate.config.json')}: include[0]: a glob of ${long.length} characters; at most 65536`);
  });

  it('an exclude or public glob over the limit too', async () => {
    const long = 'b'.repeat(65_537);
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'async-migrate.config.json': JSON.stringify({ exclude: ['x', long] }) });
    expectUsageError(await runCli(['check', '.'], dir), /: exclude\[1\]: a glob of 65537 characters; at most 65536$/);
  });
});

describe('--rules', () => {
  it("an empty list ('' or ',') is a usage error, not every rule turned off", async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    for (const rules of ['', ',', ' , ']) {
      expectUsageError(await runCli(['check', '.', '--rules', rules], dir), /^async-migrate: --rules: the list is empty; name at least one of blocking-sleep, /);
    }
  });
});

describe('--baseline', () => {
  const baselineOf = (fields: Record<string, unknown>): string => JSON.stringify({ findings: [], ...fields });

  it('a report from another tool is one line, exit 2', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'other.json': baselineOf({ tool: 'eslint', version: '9.0.0' }), 'none.json': baselineOf({}) });
    expectUsageError(await runCli(['check', '.', '--baseline', 'other.json'], dir), /^async-migrate: baseline .*other\.json: not an async-migrate JSON report \(tool: "eslint"\); write one with --format json$/);
    expectUsageError(await runCli(['check', '.', '--baseline', 'none.json'], dir), /^async-migrate: baseline .*none\.json: not an async-migrate JSON report \(tool: missing\)/);
  });

  it('a report from a newer major version is one line, exit 2; the same major is read', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const current = await runCli(['check', '.', '--format', 'json'], dir);
    const report = jsonReport(current);
    writeFileSync(path.join(dir, 'same.json'), current.stdout);
    writeFileSync(path.join(dir, 'newer.json'), JSON.stringify({ ...report, version: '99.0.0' }));
    expectUsageError(await runCli(['check', '.', '--baseline', 'newer.json'], dir), /^async-migrate: baseline .*newer\.json: written by async-migrate 99\.0\.0, a newer major version than this one \(\d+\.\d+\.\d+\); regenerate it with this version$/);
    const same = await runCli(['check', '.', '--baseline', 'same.json', '--format', 'json'], dir);
    expect({ code: same.code, stderr: same.stderr, findings: jsonReport(same).findings }).toEqual({ code: 0, stderr: '', findings: [] });
  });
});

describe('ASYNC_MIGRATE_PYRIGHT_TIMEOUT', () => {
  it('above what a timer holds (2^31-1 ms) is refused, not turned into 1 ms', () => {
    expect(() => pyrightSettings({ ASYNC_MIGRATE_PYRIGHT_TIMEOUT: '2147484' })).toThrow('ASYNC_MIGRATE_PYRIGHT_TIMEOUT must be at most 2147483 seconds (about 24 days), not "2147484"');
    expect(() => pyrightSettings({ ASYNC_MIGRATE_PYRIGHT_TIMEOUT: '1e300' })).toThrow(/must be at most 2147483 seconds/);
    expect(pyrightSettings({ ASYNC_MIGRATE_PYRIGHT_TIMEOUT: '2147483' }).timeoutMs).toBe(2_147_483_000);
  });
});
