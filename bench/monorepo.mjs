#!/usr/bin/env node
// Per-package summaries against a whole-program run, on a generated monorepo (bench/generate-monorepo.mjs):
// the peak memory and time of `check .` at the root, of each `check <package> --summary-out`, and of
// `check --summaries-from`; and whether the combined report equals the whole-program one (but for the
// edits, which a combined run does not make: docs/monorepo.md).
//
//   npm run bench:monorepo -- [--packages 20] [--files 25] [--functions 12] [--shape chain|star] [--language typescript|python] [--jobs 2] [--json out.json]
//
// --language python: the same shape as a uv workspace of Python packages (its one unresolved call per
// package is a loose match, so pyright is asked nothing, which a combined run could not do:
// docs/monorepo.md, "What differs").
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateMonorepo } from './generate-monorepo.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO_ROOT, 'bin', 'async-migrate.js');
const OUT = path.join(REPO_ROOT, '.bench', 'monorepo-out');

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};

const hasGnuTime = (() => {
  const probe = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && /^\d+\s*$/.test(probe.stderr.trim().split('\n').pop() ?? '');
})();

/** Runs the CLI once in `cwd`; resolves to wall seconds, peak RSS (MiB) and the exit status. */
function measure(name, cliArgs, cwd) {
  const usage = path.join(OUT, `${name}.usage`);
  fs.rmSync(usage, { force: true });
  const [command, commandArgs, env] = hasGnuTime
    ? ['/usr/bin/time', ['-f', '%M', '-o', usage, process.execPath, CLI, ...cliArgs], process.env]
    : [process.execPath, ['--import', pathToFileURL(path.join(REPO_ROOT, 'bench', 'rss-probe.mjs')).href, CLI, ...cliArgs], { ...process.env, BENCH_RSS_FILE: usage }];
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd, env, stdio: ['ignore', 'ignore', fs.openSync(path.join(OUT, `${name}.stderr`), 'w')] });
    child.on('exit', (status) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const kib = fs.existsSync(usage) ? Number(fs.readFileSync(usage, 'utf8').trim().split('\n').pop().trim().split(/\s+/)[0]) : NaN;
      resolve({ name, seconds, peakMiB: kib / 1024, status });
    });
  });
}

/** Runs the tasks `jobs` at a time, as a task runner would schedule the per-package step. */
async function pool(tasks, jobs) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      results.push(await task());
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return results;
}

function withoutEdits(report) {
  const { filesChanged: _filesChanged, linesCopied: _linesCopied, ...summary } = report.summary;
  return { ...report, changes: [], summary };
}

async function main() {
  const packages = Number(flag('packages', '20'));
  const files = Number(flag('files', '25'));
  const functions = Number(flag('functions', '12'));
  const jobs = Number(flag('jobs', '1'));
  const language = flag('language', 'typescript');
  const repo = path.join(REPO_ROOT, '.bench', language === 'python' ? 'monorepo-python' : 'monorepo');
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(path.join(OUT, 'summaries'), { recursive: true });
  const shape = generateMonorepo({ outDir: repo, packages, files, functions, shape: flag('shape', 'chain'), language, gitInit: true });
  process.stdout.write(`${language === 'python' ? 'Python (uv) ' : ''}monorepo (${shape.layout}): ${packages} packages, ${shape.filesPerPackage} files each, ${shape.lines} lines; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}\n`);

  const whole = await measure('whole', ['check', '.', '--format', 'json', '-o', path.join(OUT, 'whole.json'), '--quiet'], repo);
  const startedPackages = process.hrtime.bigint();
  const names = fs.readdirSync(path.join(repo, 'packages')).sort();
  const perPackage = await pool(
    names.map((pkg) => () => measure(`summary-${pkg}`, ['check', `packages/${pkg}`, '--summary-out', path.join(OUT, 'summaries', `${pkg}.json`)], repo)),
    jobs,
  );
  const packagesWall = Number(process.hrtime.bigint() - startedPackages) / 1e9;
  const combined = await measure('combined', ['check', '--summaries-from', path.join(OUT, 'summaries'), '--format', 'json', '-o', path.join(OUT, 'combined.json'), '--quiet'], repo);

  const failed = [whole, combined, ...perPackage].filter((run) => run.status !== 0 && run.status !== 1);
  const wholeReport = JSON.parse(fs.readFileSync(path.join(OUT, 'whole.json'), 'utf8'));
  const combinedReport = JSON.parse(fs.readFileSync(path.join(OUT, 'combined.json'), 'utf8'));
  const equal = JSON.stringify(withoutEdits(wholeReport)) === JSON.stringify(withoutEdits(combinedReport));
  const summaryBytes = names.reduce((sum, pkg) => sum + fs.statSync(path.join(OUT, 'summaries', `${pkg}.json`)).size, 0);
  const largest = perPackage.reduce((a, b) => (b.peakMiB > a.peakMiB ? b : a));
  const smallest = perPackage.reduce((a, b) => (b.peakMiB < a.peakMiB ? b : a));
  const rows = [
    ['whole program: check .', whole.seconds, whole.peakMiB],
    [`per package: ${names.length} x check <pkg> --summary-out (${jobs} at a time), largest ${largest.name.replace('summary-', '')}`, packagesWall, largest.peakMiB],
    [`  smallest peak (${smallest.name.replace('summary-', '')})`, smallest.seconds, smallest.peakMiB],
    ['combined: check --summaries-from', combined.seconds, combined.peakMiB],
  ];
  process.stdout.write(`\n| step | wall s | peak RSS MiB |\n|---|---:|---:|\n${rows.map(([label, s, mib]) => `| ${label} | ${s.toFixed(1)} | ${mib.toFixed(0)} |`).join('\n')}\n`);
  process.stdout.write(`\nsummaries: ${(summaryBytes / 1024).toFixed(0)} KiB in ${names.length} files; findings ${wholeReport.summary.findings}, functions made async ${wholeReport.summary.functionsMadeAsync}, blocked ${wholeReport.summary.blocked}\n`);
  process.stdout.write(`combined report equals the whole-program report (but for the edits): ${equal ? 'yes' : 'NO'}\n`);
  const json = flag('json', undefined);
  if (json) {
    fs.writeFileSync(json, `${JSON.stringify({ shape, jobs, whole, perPackage, packagesWall, combined, summaryBytes, equal }, null, 2)}\n`);
  }
  if (failed.length > 0) process.stderr.write(`failed: ${failed.map((run) => `${run.name} (exit ${run.status}, see .bench/monorepo-out/${run.name}.stderr)`).join(', ')}\n`);
  process.exitCode = equal && failed.length === 0 ? 0 : 1;
}

await main();
