#!/usr/bin/env node
// Regenerates a fixture case's report.json (and expected/, when the case has one or --expected is
// given) from the built tool. Review the diff by hand before committing: a fixture states what is
// right, not what the tool happens to print.
//   npm run build && node test/support/update-fixture.mjs fixtures/<group>/<case> [--expected | --report-only]
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../dist/src/cli.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const caseDir = path.resolve(process.argv[2]);
const withExpected = !process.argv.includes('--report-only') && (process.argv.includes('--expected') || existsSync(path.join(caseDir, 'expected')));
const argsFile = path.join(caseDir, 'args.json');
const args = existsSync(argsFile) ? JSON.parse(readFileSync(argsFile, 'utf8')) : [];

async function cli(argv, cwd) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { cwd, isTTY: false, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function copyInput() {
  const base = mkdtempSync(path.join(os.tmpdir(), 'am-update-'));
  symlinkSync(path.join(repo, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  const target = path.join(base, path.relative(repo, path.join(caseDir, 'input')));
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(path.join(caseDir, 'input'), target, { recursive: true, filter: (s) => !['node_modules', 'out', '__pycache__'].includes(path.basename(s)) });
  return { base, work: target };
}

const check = copyInput();
const checked = await cli(['check', '.', '--format', 'json', ...args], check.work);
if (checked.stderr) process.stderr.write(checked.stderr);
writeFileSync(path.join(caseDir, 'report.json'), checked.stdout);
rmSync(check.base, { recursive: true, force: true });
console.log(`wrote ${path.relative(repo, path.join(caseDir, 'report.json'))} (exit ${checked.code})`);

if (withExpected) {
  const migrate = copyInput();
  const migrated = await cli(['migrate', '.', '--format', 'json', '--allow-dirty', ...args], migrate.work);
  if (migrated.stderr) process.stderr.write(migrated.stderr);
  const expected = path.join(caseDir, 'expected');
  rmSync(expected, { recursive: true, force: true });
  cpSync(migrate.work, expected, { recursive: true, filter: (s) => !['node_modules', 'out', '__pycache__'].includes(path.basename(s)) });
  rmSync(migrate.base, { recursive: true, force: true });
  console.log(`wrote ${path.relative(repo, expected)} (exit ${migrated.code})`);
}
