// `check --format json` of every TypeScript fixture case with `--oracle js` and `--oracle tsgo`,
// compared byte for byte (issue 17 item 2; docs/native-oracle.md). Run after `npm run build`.
//   node bench/oracle-compare.mjs [filter]
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../dist/src/cli.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';
const cases = [];
const walk = (dir) => {
  if (existsSync(path.join(dir, 'input')) && statSync(path.join(dir, 'input')).isDirectory()) return void cases.push(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory() && entry.name !== 'node_modules') walk(path.join(dir, entry.name));
};
walk(path.join(REPO, 'fixtures'));

async function check(work, args, oracle) {
  let stdout = '';
  let stderr = '';
  const code = await run(['check', '.', '--format', 'json', '--oracle', oracle, ...args], {
    cwd: work,
    isTTY: false,
    stdout: (text) => (stdout += typeof text === 'string' ? text : Buffer.from(text).toString('utf8')),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

const tally = { identical: 0, differ: [], refused: new Map() };
for (const caseDir of cases.sort()) {
  const name = path.relative(path.join(REPO, 'fixtures'), caseDir);
  if (name.split(path.sep).includes('python') || !name.includes(filter)) continue;
  const argsFile = path.join(caseDir, 'args.json');
  const args = existsSync(argsFile) ? JSON.parse(readFileSync(argsFile, 'utf8')) : [];
  const base = mkdtempSync(path.join(os.tmpdir(), 'am-oracle-'));
  try {
    symlinkSync(path.join(REPO, 'node_modules'), path.join(base, 'node_modules'), 'dir');
    const work = path.join(base, path.relative(REPO, path.join(caseDir, 'input')));
    mkdirSync(path.dirname(work), { recursive: true });
    cpSync(path.join(caseDir, 'input'), work, { recursive: true });
    const js = await check(work, args, 'js');
    const tsgo = await check(work, args, 'tsgo');
    if (tsgo.code === 2 && js.code !== 2) {
      const reason = tsgo.stderr.trim().replace(/ for \/.*$/, '');
      tally.refused.set(reason, [...(tally.refused.get(reason) ?? []), name]);
    } else if (js.stdout === tsgo.stdout && js.code === tsgo.code && js.stderr === tsgo.stderr) tally.identical++;
    else tally.differ.push(name);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
console.log(`identical: ${tally.identical}`);
console.log(`different: ${tally.differ.length}${tally.differ.length ? `\n  ${tally.differ.join('\n  ')}` : ''}`);
for (const [reason, names] of tally.refused) console.log(`refused by --oracle tsgo (${names.length}): ${reason}\n  ${names.join('\n  ')}`);
