// A call that uses as a value the thenable its callee already returns keeps that callee sync (in place)
// or on its sync version (dual). Planned from per-package summaries, the rule needs what only the
// program knows (the callee's result type, how the call's value is used): the summaries carry it, so
// the combined report is the whole-program one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './support/files.js';
import { runCli } from './support/cli.js';

interface JsonReport {
  changes: unknown[];
  summary: Record<string, unknown>;
  asyncFunctions: { name: string }[];
  blocked: { name: string; reason: string }[];
  [key: string]: unknown;
}

function withoutEdits(report: JsonReport): JsonReport {
  const { filesChanged: _filesChanged, linesCopied: _linesCopied, ...summary } = report.summary;
  return { ...report, changes: [], summary };
}

const CORE = `import { readFileSync } from 'node:fs';

export class Pending<T> implements PromiseLike<T> {
  constructor(private readonly value: T) {}
  then<A = T, B = never>(onfulfilled?: ((value: T) => A | PromiseLike<A>) | null, onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
    return Promise.resolve(this.value).then(onfulfilled, onrejected);
  }
}

export function readRows(file: string): string[] {
  return readFileSync(file, 'utf8').split('\\n');
}

export function loadRows(file: string): Pending<string[]> {
  return new Pending(readRows(file));
}
`;

const APP = `import { loadRows, readRows, type Pending } from '@thn/core';

function keep(rows: Pending<string[]>): Pending<string[]> {
  return rows;
}

export async function report(file: string): Promise<number> {
  const kept = keep(loadRows(file));
  return (await kept).length + readRows(file).length;
}

export async function count(file: string): Promise<number> {
  return (await loadRows(file)).length;
}
`;

let work: string;
let summaries: string;
beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'am-thenable-'));
  const repo = path.join(work, 'repo');
  summaries = path.join(work, 'summaries');
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), text);
  };
  const typeRoots = path.join(REPO, 'node_modules', '@types');
  write('package.json', JSON.stringify({ name: 'thn', private: true, type: 'module', workspaces: ['packages/*'] }));
  write('tsconfig.base.json', JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [typeRoots] } }));
  write('tsconfig.json', JSON.stringify({ files: [], references: [{ path: 'packages/core' }, { path: 'packages/app' }] }));
  for (const [name, text, dependencies] of [['core', CORE, {}], ['app', APP, { '@thn/core': '*' }]] as const) {
    write(`packages/${name}/package.json`, JSON.stringify({ name: `@thn/${name}`, version: '1.0.0', type: 'module', main: 'dist/index.js', types: 'dist/index.d.ts', dependencies }));
    write(`packages/${name}/tsconfig.json`, JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] }));
    write(`packages/${name}/src/index.ts`, text);
  }
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function compare(strategy: string): Promise<{ whole: JsonReport; combined: JsonReport }> {
  const repo = path.join(work, 'repo');
  const dir = path.join(summaries, strategy);
  for (const name of ['core', 'app']) {
    const written = await runCli(['check', `packages/${name}`, '--strategy', strategy, '--summary-out', path.join(dir, `${name}.json`)], repo);
    expect(written.code).toBe(0);
  }
  const whole = JSON.parse((await runCli(['check', '.', '--strategy', strategy, '--format', 'json'], repo)).stdout) as JsonReport;
  const combined = JSON.parse((await runCli(['check', '--summaries-from', dir, '--strategy', strategy, '--format', 'json'], repo)).stdout) as JsonReport;
  return { whole, combined };
}

describe('a thenable used as a value, planned from summaries', () => {
  it('in place: loadRows stays sync in both reports', async () => {
    const { whole, combined } = await compare('inplace');
    expect(whole.blocked.find((entry) => entry.name === 'loadRows')?.reason).toContain('returns a thenable already (Pending<string[]>)');
    expect(withoutEdits(combined)).toEqual(withoutEdits(whole));
  }, 60_000);

  it('dual: the call keeps loadRows, the awaited one moves to loadRowsAsync, in both reports', async () => {
    const { whole, combined } = await compare('dual');
    expect(whole.asyncFunctions.map((fn) => fn.name)).toContain('loadRowsAsync');
    expect(whole.blocked.find((entry) => entry.name === 'loadRows')?.reason).toContain('it keeps calling the sync loadRows');
    expect(withoutEdits(combined)).toEqual(withoutEdits(whole));
  }, 60_000);
});
