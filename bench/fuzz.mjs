#!/usr/bin/env node
// `npm run fuzz`: tries the built CLI as a hostile or unlucky user would (issue 15) and prints a
// table of case / expected / result. Not run in CI: it spawns many processes, and some cases need
// root (chattr +a, a small tmpfs for the full disk); those say "skipped" and why where this machine
// cannot. Exit 1 when a case that ran did not hold its promise.
//
//   node bench/fuzz.mjs [--rounds N] [--only TEXT]
//     --rounds: rounds of the racy cases (concurrent edit, concurrent runs; default 5)
//     --only:   run only the cases whose name contains TEXT
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin', 'async-migrate.js');
const roundsFlag = process.argv.indexOf('--rounds');
const ROUNDS = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 5;
const onlyFlag = process.argv.indexOf('--only');
const ONLY = onlyFlag > 0 ? process.argv[onlyFlag + 1] : undefined;
const isRoot = process.getuid?.() === 0;

if (!fs.existsSync(path.join(REPO, 'dist', 'src', 'cli.js'))) {
  console.error('fuzz: no build (run `npm run build`, or `npm run fuzz`, which builds first)');
  process.exit(1);
}

const TSCONFIG = JSON.stringify({
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], skipLibCheck: true, noEmit: true },
  include: ['src'],
});

const IO = `import { readFileSync } from 'node:fs';

export function load(file: string): string {
  return readFileSync(file, 'utf8');
}

export async function main(): Promise<void> {
  console.log(load('x.json'));
}
`;

const IO_MIGRATED = `import { readFile } from 'node:fs/promises';

export async function load(file: string): Promise<string> {
  return await readFile(file, 'utf8');
}

export async function main(): Promise<void> {
  console.log(await load('x.json'));
}
`;

const cleanups = [];

/** A project with the repo's node_modules linked; `base` is the folder to make it in. */
function project(files, base = os.tmpdir()) {
  const dir = fs.mkdtempSync(path.join(base, 'am-fuzz-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [file, content] of Object.entries({ 'tsconfig.json': TSCONFIG, 'package.json': '{ "type": "module" }\n', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

function gitCommitAll(dir) {
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n');
  const git = (...args) => spawnSync('git', ['-c', 'user.name=f', '-c', 'user.email=f@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
}

function cli(args, cwd, options = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', ...options });
}

function cliAsync(args, cwd) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, done };
}

const read = (file) => fs.readFileSync(file, 'utf8');
const temps = (dir) => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('.async-migrate-') && !f.startsWith('node_modules'));
const oneLine = (text) => text.split('\n').filter(Boolean).length <= 1 && !/^\s+at /m.test(text);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const rows = [];
function record(name, expected, outcome) {
  rows.push({ name, expected, result: outcome.skipped ? `skipped: ${outcome.skipped}` : outcome.ok ? `ok${outcome.note ? ` (${outcome.note})` : ''}` : `FAILED: ${outcome.detail}`, failed: !outcome.skipped && !outcome.ok });
}

async function runCase(name, expected, body) {
  if (ONLY !== undefined && !name.includes(ONLY)) return;
  try {
    record(name, expected, await body());
  } catch (error) {
    record(name, expected, { ok: false, detail: `threw ${error instanceof Error ? error.message : String(error)}` });
  }
}

// ---------------------------------------------------------------------------------------------
// Cases

await runCase('symlink at the old temp name', 'nothing written outside; file migrated, regular', async () => {
  const outside = project({ 'victim.txt': 'outside\n' });
  const dir = project({ 'src/io.ts': IO });
  // Old temp names held the pid: plant links for a range of likely pids.
  const start = process.pid;
  for (let pid = start; pid < start + 200; pid++) fs.symlinkSync(path.join(outside, 'victim.txt'), path.join(dir, 'src', `.io.ts.async-migrate-${pid}.tmp`));
  gitCommitAll(dir);
  const run = cli(['migrate', '.', '--allow-dirty', '--format', 'json'], dir);
  const ok = run.status === 0 && read(path.join(outside, 'victim.txt')) === 'outside\n' && fs.lstatSync(path.join(dir, 'src/io.ts')).isFile() && read(path.join(dir, 'src/io.ts')) === IO_MIGRATED;
  return { ok, detail: `exit ${run.status}; ${run.stderr.trim()}` };
});

await runCase('symlink at the -o report name', 'exit 1, one line; nothing written anywhere', async () => {
  const outside = project({ 'victim.txt': 'outside\n' });
  const dir = project({ 'src/io.ts': IO });
  fs.symlinkSync(path.join(outside, 'victim.txt'), path.join(dir, 'async-migrate.sarif'));
  gitCommitAll(dir);
  const run = cli(['migrate', '.', '--allow-dirty', '-o', 'async-migrate.sarif'], dir);
  const ok = run.status === 1 && oneLine(run.stderr) && read(path.join(outside, 'victim.txt')) === 'outside\n' && read(path.join(dir, 'src/io.ts')) === IO;
  return { ok, detail: `exit ${run.status}; ${run.stderr.trim()}` };
});

await runCase(`concurrent edit (${ROUNDS} rounds)`, 'never a migration of one text applied to another: refused (exit 1) or the edited text migrated', async () => {
  const edited = `// saved by an editor\n${IO}`;
  const editedMigrated = `// saved by an editor\n${IO_MIGRATED}`;
  const seen = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    const dir = project({ 'src/io.ts': IO });
    const { done } = cliAsync(['migrate', '.', '--allow-dirty', '--format', 'json'], dir);
    // The editor saves at a different moment each round, from the start of the run to its end.
    await sleep(300 + round * 700);
    fs.writeFileSync(path.join(dir, 'src/io.ts'), edited);
    const run = await done;
    const after = read(path.join(dir, 'src/io.ts'));
    const outcome =
      run.status === 1 && /changed during the run; nothing was written/.test(run.stderr) && after === edited
        ? 'refused'
        : run.status === 0 && after === edited
          ? 'edit after the write'
          : run.status === 0 && after === editedMigrated
            ? 'edited text migrated'
            : `WRONG (exit ${run.status}, ${run.stderr.trim() || 'no stderr'})`;
    seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
  }
  const summary = [...seen].map(([outcome, count]) => `${count}x ${outcome}`).join(', ');
  return { ok: ![...seen.keys()].some((outcome) => outcome.startsWith('WRONG')), detail: summary, note: summary };
});

await runCase(`two concurrent migrates (${ROUNDS} rounds)`, 'one migrates, the other is refused with one line; file migrated once', async () => {
  const problems = [];
  for (let round = 0; round < ROUNDS; round++) {
    const dir = project({ 'src/io.ts': IO });
    const [a, b] = await Promise.all([cliAsync(['migrate', '.', '--allow-dirty', '--format', 'json'], dir).done, cliAsync(['migrate', '.', '--allow-dirty', '--format', 'json'], dir).done]);
    const codes = [a.status, b.status].sort().join(',');
    const refused = [a, b].find((run) => run.status === 1);
    // Both may succeed when one finished before the other started: the second then has nothing to do.
    const fine = (codes === '0,1' && /another async-migrate migrate \(pid \d+\) is running/.test(refused.stderr) && oneLine(refused.stderr)) || codes === '0,0';
    if (!fine || read(path.join(dir, 'src/io.ts')) !== IO_MIGRATED || fs.existsSync(path.join(dir, '.async-migrate.lock'))) problems.push(`round ${round}: exits ${codes}`);
  }
  return { ok: problems.length === 0, detail: problems.join('; ') };
});

function chattr(flag, target) {
  return isRoot && spawnSync('chattr', [flag, target]).status === 0;
}

await runCase('append-only file (chattr +a)', 'exit 1, one line, nothing written, no temp file', async () => {
  const dir = project({ 'src/io.ts': IO, 'src/other.ts': IO.replace(/load/g, 'load2').replace('main', 'main2') });
  const target = path.join(dir, 'src/io.ts');
  if (!chattr('+a', target)) return { skipped: isRoot ? 'chattr +a failed (file system?)' : 'needs root' };
  try {
    const run = cli(['migrate', '.', '--allow-dirty', '--format', 'json'], dir);
    const ok = run.status === 1 && oneLine(run.stderr) && /nothing was written/.test(run.stderr) && read(target) === IO && temps(dir).length === 0 && read(path.join(dir, 'src/other.ts')).includes('readFileSync');
    return { ok, detail: `exit ${run.status}; ${run.stderr.trim()}; temps ${temps(dir).join(',')}` };
  } finally {
    chattr('-a', target);
  }
});

await runCase('append-only folder (chattr +a)', 'exit 1, one line, nothing written (one probe file, named)', async () => {
  const dir = project({ 'src/io.ts': IO });
  const folder = path.join(dir, 'src');
  if (!chattr('+a', folder)) return { skipped: isRoot ? 'chattr +a failed (file system?)' : 'needs root' };
  try {
    const run = cli(['migrate', '.', '--allow-dirty', '--format', 'json'], dir);
    const left = temps(dir);
    const ok = run.status === 1 && oneLine(run.stderr) && /nothing was written/.test(run.stderr) && read(path.join(folder, 'io.ts')) === IO && left.length <= 1 && left.every((file) => run.stderr.includes(path.basename(file)));
    return { ok, detail: `exit ${run.status}; ${run.stderr.trim()}` };
  } finally {
    chattr('-a', folder);
  }
});

await runCase('SIGKILL during the write, then a re-run', 'the re-run removes the temp files left and finishes', async () => {
  const files = {};
  for (let index = 0; index < 60; index++) files[`src/io${index}.ts`] = IO.replace(/load/g, `load${index}`).replace('main', `main${index}`);
  const dir = project(files);
  const { child, done } = cliAsync(['migrate', '.', '--allow-dirty', '--format', 'json'], dir);
  const started = Date.now();
  while (temps(dir).length === 0 && child.exitCode === null && Date.now() - started < 30_000) await new Promise((resolve) => setImmediate(resolve));
  const leftBefore = temps(dir).length;
  child.kill('SIGKILL');
  await done;
  const rerun = cli(['migrate', '.', '--allow-dirty', '--format', 'json'], dir);
  const ok = rerun.status === 0 && temps(dir).length === 0 && Object.keys(files).every((file) => !read(path.join(dir, file)).includes('readFileSync'));
  return { ok, detail: `temps when killed: ${leftBefore}; re-run exit ${rerun.status}; ${rerun.stderr.trim()}` };
});

await runCase('stdout to /dev/full', 'exit 3, one line that says the migration was applied', async () => {
  if (!fs.existsSync('/dev/full')) return { skipped: 'no /dev/full' };
  const dir = project({ 'src/io.ts': IO });
  const full = fs.openSync('/dev/full', 'w');
  const run = cli(['migrate', '.', '--allow-dirty', '--format', 'json'], dir, { stdio: ['ignore', full, 'pipe'] });
  fs.closeSync(full);
  const ok = run.status === 3 && oneLine(run.stderr) && /the migration was applied \(written: src\/io\.ts\)/.test(run.stderr);
  return { ok, detail: `exit ${run.status}; ${run.stderr.trim()}` };
});

await runCase('full disk (a 1 MiB tmpfs)', 'migrated files: exit 1, nothing written, no temp; -o: exit 1 saying the migration was applied', async () => {
  if (!isRoot) return { skipped: 'needs root to mount a tmpfs' };
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'am-fuzz-tmpfs-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]).status !== 0) {
    fs.rmdirSync(mount);
    return { skipped: 'mount -t tmpfs failed (no CAP_SYS_ADMIN?)' };
  }
  try {
    const big = IO + `// ${'x'.repeat(100_000)}\n`;
    const dir = project({ 'src/io.ts': big }, mount);
    // Fill the disk but for a little less than one more copy of the file.
    const filler = path.join(mount, 'filler');
    const free = () => fs.statfsSync(mount).bavail * fs.statfsSync(mount).bsize;
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 50_000)));
    const run = cli(['migrate', '.', '--allow-dirty', '--format', 'json'], dir);
    const first = run.status === 1 && oneLine(run.stderr) && /ENOSPC[^\n]*nothing was written/.test(run.stderr) && read(path.join(dir, 'src/io.ts')) === big && temps(dir).length === 0;
    // The report on a full disk, the project elsewhere: the migration is written, the report is not.
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      fs.writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024));
    } catch {
      // ENOSPC: the disk is full now, as wanted.
    }
    const elsewhere = project({ 'src/io.ts': IO });
    const second = cli(['migrate', '.', '--allow-dirty', '--format', 'json', '-o', path.join(mount, 'report.json')], elsewhere);
    const applied = second.status === 1 && oneLine(second.stderr) && /ENOSPC[^\n]*the migration was applied \(written: src\/io\.ts\)/.test(second.stderr) && read(path.join(elsewhere, 'src/io.ts')) === IO_MIGRATED;
    const leftOnDisk = fs.readdirSync(mount).filter((file) => file !== 'filler');
    return { ok: first && applied && leftOnDisk.length === 0, detail: `migrate: exit ${run.status} ${run.stderr.trim()} | -o: exit ${second.status} ${second.stderr.trim()} | left: ${leftOnDisk.join(',')}` };
  } finally {
    spawnSync('umount', [mount]);
    fs.rmdirSync(mount);
  }
});

await runCase('control characters in names and content', 'pretty output and the diff print no raw ESC/BEL (JSON stays exact)', async () => {
  const osc = '\x1b]0;pwned\x07';
  const name = `src/ev\x1b[31mil\x07.ts`;
  const dir = project({ 'src/io.ts': IO.replace("'x.json'", `'x.json' /* ${osc} */`), [name]: `// ${osc}\n${IO.replace(/load/g, 'load2').replace('main', 'main2')}` });
  const raw = /[\x07\x1b]/;
  const checks = [
    ['check', cli(['check', '.'], dir)],
    ['dry-run', cli(['migrate', '--dry-run', '.'], dir)],
  ];
  const leaking = checks.filter(([, run]) => raw.test(run.stdout) || raw.test(run.stderr)).map(([label]) => label);
  const json = cli(['check', '.', '--format', 'json'], dir);
  let exact = false;
  try {
    exact = JSON.parse(json.stdout).findings.some((finding) => finding.file.includes('\x1b[31m'));
  } catch {
    exact = false;
  }
  return { ok: leaking.length === 0 && exact, detail: `${leaking.length > 0 ? `raw control characters in: ${leaking.join(', ')}` : 'escaped'}; json ${exact ? 'exact' : 'not exact'}` };
});

for (const cleanup of cleanups) cleanup();

// ---------------------------------------------------------------------------------------------
// Table

const widths = ['name', 'expected', 'result'].map((key) => Math.min(70, Math.max(key.length, ...rows.map((row) => row[key].length))));
const cell = (text, width) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
const line = (values) => `| ${values.map((value, index) => cell(value, widths[index])).join(' | ')} |`;
console.log(line(['case', 'expected', 'result']));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const row of rows) console.log(line([row.name, row.expected, row.result]));
const failed = rows.filter((row) => row.failed);
for (const row of failed) console.log(`\n${row.name}: ${row.result}`);
process.exitCode = failed.length > 0 ? 1 : 0;
