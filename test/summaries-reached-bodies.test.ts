// A package summary (`check <pkg> --summary-out`) declares the other packages' functions without
// walking them; two facts of the package's own calls come from the called function's body, and a
// whole-program run reads them there: whether the callee is a sleep helper (its calls are blocking
// sleeps) and whether it calls the callback it is given (it is then the callback's caller). The
// combined plan (`--summaries-from`) must equal the whole-program one for both. Written fresh.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './support/files.js';
import { runCli } from './support/cli.js';

interface JsonReport {
  changes: unknown[];
  summary: Record<string, unknown>;
  findings: { file: string; line: number; rule: string; fixChanges?: unknown }[];
  asyncFunctions: { name: string; because: string[] }[];
  blocked: { name: string; kind: string }[];
  [key: string]: unknown;
}

/** What a combined run cannot give: the edits (docs/monorepo.md). */
function withoutEdits(report: JsonReport): JsonReport {
  const { filesChanged: _filesChanged, linesCopied: _linesCopied, ...summary } = report.summary;
  return { ...report, findings: report.findings.map(({ fixChanges: _fixChanges, ...finding }) => finding), changes: [], summary };
}

const FILES: Record<string, string> = {
  'package.json': '{ "name": "shop", "private": true, "type": "module", "workspaces": ["packages/*"] }\n',
  'tsconfig.json': `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], skipLibCheck: true, noEmit: true }, include: ['packages'] })}\n`,
  'packages/util/package.json': '{ "name": "@shop/util", "version": "1.0.0", "type": "module", "main": "src/index.ts" }\n',
  'packages/util/src/index.ts': "export { pause } from './pause.js';\nexport { eachItem } from './each.js';\n",
  // A sleep helper: its body is nothing but a blocking sleep.
  'packages/util/src/pause.ts': 'const cell = new Int32Array(new SharedArrayBuffer(4));\n\nexport function pause(ms: number): void {\n  Atomics.wait(cell, 0, 0, ms);\n}\n',
  // A function that calls the callback it is given.
  'packages/util/src/each.ts': 'export function eachItem(items: string[], visit: (item: string) => void): void {\n  for (const item of items) visit(item);\n}\n',
  'packages/app/package.json': '{ "name": "@shop/app", "version": "1.0.0", "type": "module", "main": "src/main.ts", "dependencies": { "@shop/util": "1.0.0" } }\n',
  'packages/app/src/main.ts': [
    "import { readFileSync } from 'node:fs';",
    "import { eachItem, pause } from '@shop/util';",
    '',
    'function loadItem(item: string): void {',
    "  readFileSync(item, 'utf8');",
    '}',
    '',
    'export async function tick(): Promise<void> {',
    '  pause(5);',
    '}',
    '',
    'export async function loadAll(): Promise<void> {',
    "  eachItem(['a.txt'], loadItem);",
    '}',
    '',
  ].join('\n'),
};

let work: string;
let repo: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'am-reached-bodies-'));
  repo = path.join(work, 'repo');
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), text);
  }
  mkdirSync(path.join(repo, 'node_modules'));
  symlinkSync(path.join(REPO, 'node_modules', '@types'), path.join(repo, 'node_modules', '@types'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('summaries read what the package calls of another package', () => {
  it("plans a call of another package's sleep helper, and a callback given to another package's function, as the whole program does", { timeout: 120_000 }, async () => {
    const summaries = path.join(work, 'summaries');
    for (const pkg of ['app', 'util']) {
      const result = await runCli(['check', `packages/${pkg}`, '--summary-out', path.join(summaries, `${pkg}.json`)], repo);
      expect(result.code).toBe(0);
    }
    const whole = JSON.parse((await runCli(['check', '.', '--format', 'json'], repo)).stdout) as JsonReport;
    const combined = JSON.parse((await runCli(['check', '--summaries-from', summaries, '--format', 'json'], repo)).stdout) as JsonReport;
    // What the whole program says: `pause(5)` is a blocking sleep, and eachItem turns async with loadItem.
    expect(whole.findings.map((finding) => `${finding.file}:${finding.line} ${finding.rule}`)).toContain('packages/app/src/main.ts:9 blocking-sleep');
    expect(whole.asyncFunctions.map((fn) => fn.name)).toContain('eachItem');
    expect(whole.blocked).toEqual([]);
    expect(withoutEdits(combined)).toEqual(withoutEdits(whole));
  });
});
