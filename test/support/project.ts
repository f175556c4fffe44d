// Small temporary projects for the CLI tests: a tsconfig, package.json, the files given, the repo's
// node_modules linked, and helpers to commit them and read them back.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Report } from '../../src/model.js';
import type { CliResult } from './cli.js';
import { REPO } from './files.js';

export const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      types: ['node'],
      skipLibCheck: true,
      noEmit: true,
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

/** A blocking read in a sync function that async code calls: one `blocking-io` warning. */
export const IO_SOURCE = `import { readFileSync } from 'node:fs';

export function load(file: string): string {
  return readFileSync(file, 'utf8');
}

export async function main(): Promise<void> {
  console.log(load('x.json'));
}
`;

export const IO_MIGRATED = `import { readFile } from 'node:fs/promises';

export async function load(file: string): Promise<string> {
  return await readFile(file, 'utf8');
}

export async function main(): Promise<void> {
  console.log(await load('x.json'));
}
`;

export const CLEAN_SOURCE = `export function add(a: number, b: number): number {
  return a + b;
}
`;

const cleanups: (() => void)[] = [];

/** Deletes the projects made since the last call: each test file runs it `afterEach`. */
export function removeProjects(): void {
  for (const cleanup of cleanups.splice(0)) cleanup();
}

/**
 * A temporary project: a tsconfig (unless given), package.json, the files given, and the repo's
 * node_modules linked so `"types": ["node"]` resolves.
 */
export function makeProject(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'am-cli-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const all: Record<string, string | Buffer> = { 'tsconfig.json': TSCONFIG, 'package.json': '{ "type": "module" }\n', ...files };
  for (const [file, content] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

export const read = (dir: string, file: string): string => readFileSync(path.join(dir, file), 'utf8');
export const readBytes = (dir: string, file: string): Buffer => readFileSync(path.join(dir, file));

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
}

/** A git work tree with everything committed (node_modules ignored). */
export function commitAll(dir: string): void {
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
}

export function jsonReport(result: CliResult): Report {
  return JSON.parse(result.stdout) as Report;
}

/** Exit 2, nothing on stdout, exactly one line on stderr, no stack trace. */
export function expectUsageError(result: CliResult, line: string | RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
  expect(result.stderr).toMatch(/^async-migrate: [^\n]+\n$/);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  if (typeof line === 'string') expect(result.stderr).toBe(`${line}\n`);
  else expect(result.stderr.trimEnd()).toMatch(line);
}

/** The stderr line of a run that exits 1 because of skipped files: each as `file (why)`. */
export function skippedLine(...entries: string[]): string {
  return `async-migrate: incomplete: ${entries.length} ${entries.length === 1 ? 'file' : 'files'} skipped or left unchanged: ${entries.join(', ')}; each reason is under "skipped" in the report\n`;
}
