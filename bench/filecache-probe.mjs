#!/usr/bin/env node
// Would a per-file `--cache` give the cold report? An experiment on the bench corpus, not a feature
// (bench/README.md, "The cache"). It plays the design of issue 17's per-file cache with the
// summary machinery the monorepo runs use (src/summary/): the facts of every file from a cold run
// of the tree as it was (its functions, the call sites and hits whose code is in it, its unresolved
// calls, the families), then, after seeded random edits (bench/lib/edits.mjs), a partial analysis
// of the edited files and every file importing one, transitively, in a program rooted at those files
// only (their other imports declared, not walked: `declareOtherFiles`), merged with the earlier
// facts of every other file, and planned as `--summaries-from` plans: no program for the rest.
// Each merged report is compared with a cold run of the edited tree, section by section (the edits
// aside: a merged run has no program for the files it did not analyse, so it cannot emit them).
//
//   node bench/filecache-probe.mjs [--project .bench/ts-project] [--seeds 1,2,3] [--percent 1] [--show 3] [--time]
//                                  [--edit 'src/file.ts::text::replacement[::text::replacement…]']   (one scripted edit instead)
//
// `--time` also times, each in a fresh process (CPU seconds, user + system): `tsc --noEmit` of
// TypeScript 5.9 (bench/oracles: `npm ci --prefix bench/oracles`) and a cold `check` of the edited
// tree, and the partial analysis alone (Node start, loading TypeScript, the program rooted at the
// re-analysed files, their walk): the least a warm run of this design pays before reading the cached
// facts, merging, planning and emitting. Built code only (npm run build first). Exit code 0 when
// every merged report equals its cold one (the edits aside).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { editFiles } from './lib/edits.mjs';
import { parseFlags, sourceFiles } from './lib/source-file.mjs';

import { spawnSync } from 'node:child_process';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = parseFlags(process.argv.slice(2));
const timed = flags.time !== undefined;
const pristine = path.resolve(REPO_ROOT, flags.project ?? '.bench/ts-project');
const seeds = String(flags.seeds ?? '1,2,3').split(',').map(Number);
const percent = Number(flags.percent ?? 1);
const show = Number(flags.show ?? 3);

const { analyseInput, runEngine, unsuppressedHits, enabledRules } = await import('../dist/src/engine.js');
const { defaultConfig } = await import('../dist/src/config.js');

// The child of `--time`: the partial analysis alone, in a process of its own.
if (flags['partial-only']) {
  const { work, walked, projectFile } = JSON.parse(fs.readFileSync(flags['partial-only'], 'utf8'));
  await analyseInput({ command: 'check', paths: ['.'], cwd: work, config: defaultConfig(), makeAsync: [], strategy: 'inplace', scope: 'reachable', discovered: walked, declareOtherFiles: true, projectFile, root: work });
  process.exit(0);
}

/** CPU seconds (user + system) of a command in a process of its own. */
function cpuOf(command, args, cwd) {
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', command, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0 && result.status !== 1 && result.status !== 2) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const [user, system] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
  return user + system;
}
const TSC_59 = path.join(REPO_ROOT, 'bench/oracles/node_modules/typescript-5.9/bin/tsc');
const { functionToSummary, hitToSummary, hitFromSummary } = await import('../dist/src/summary/format.js');
const { resolveTarget } = await import('../dist/src/frontends/typescript/index.js');

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

const optionsFor = (dir, extra = {}) => ({
  command: 'check',
  paths: ['.'],
  cwd: dir,
  config: defaultConfig(),
  makeAsync: [],
  strategy: 'inplace',
  scope: 'reachable',
  ...extra,
});

/** The report without what only emitting edits gives (a merged run emits nothing). */
function withoutEdits(report) {
  const { filesChanged: _filesChanged, linesCopied: _linesCopied, ...summary } = report.summary;
  const findings = report.findings.map(({ fixChanges: _fixChanges, ...finding }) => finding);
  const { editsWithoutFinding: _e, ...rest } = report;
  return { ...rest, findings, changes: [], summary };
}

/** Per-file facts of a whole-program analysis, as plain data (what a per-file cache would store). */
async function factsByFile(input, root) {
  const analysis = input.analyses[0];
  const rules = enabledRules(undefined, defaultConfig());
  const hits = await unsuppressedHits(input.analyses, rules, root);
  const graph = analysis.graph;
  const fileOf = (id) => graph.functions.get(id)?.location.file;
  const byFile = new Map();
  const entry = (file) => {
    if (!byFile.has(file)) byFile.set(file, { functions: [], sites: [], hits: [], unresolved: [] });
    return byFile.get(file);
  };
  for (const fn of graph.functions.values()) entry(fn.location.file).functions.push(functionToSummary(fn));
  for (const site of graph.sites) entry(fileOf(site.caller)).sites.push({ ...site });
  for (const call of graph.unresolved ?? []) entry(fileOf(call.caller)).unresolved.push({ ...call });
  for (const hit of hits) entry(hit.finding.file).hits.push(hitToSummary(hit));
  const families = [...graph.families.values()].map((family) => ({ ...family, members: [...family.members] }));
  return { byFile, families, skipped: analysis.skipped, entryPoints: analysis.entryPoints ?? [] };
}

/** Families joined across the parts (as combine.ts joins the packages'), members in first-met order. */
function joinFamilies(familyLists, functions) {
  const parent = new Map();
  const order = [];
  const find = (id) => {
    if (!parent.has(id)) parent.set(id, id), order.push(id);
    let top = id;
    while (parent.get(top) !== top) top = parent.get(top);
    parent.set(id, top);
    return top;
  };
  for (const list of familyLists) {
    for (const family of list) {
      const members = family.members.filter((member) => functions.has(member));
      for (const member of members) {
        const a = find(members[0]);
        const b = find(member);
        if (a !== b) parent.set(b, a);
      }
    }
  }
  const groups = new Map();
  for (const id of order) groups.set(find(id), [...(groups.get(find(id)) ?? []), id]);
  const families = new Map();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const head = members.find((id) => functions.get(id).kind === 'abstract-method') ?? members[0];
    const id = `family:${members[0]}`;
    families.set(id, { id, name: functions.get(head).name, members });
    for (const member of members) functions.get(member).familyId = id;
  }
  return families;
}

function firstDifference(a, b, where = '') {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${where}: ${a.length} entries in the cold report, ${b.length} merged`;
    for (let i = 0; i < a.length; i++) {
      const inner = firstDifference(a[i], b[i], `${where}[${i}]`);
      if (inner) return inner;
    }
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const inner = firstDifference(a[key], b[key], `${where}.${key}`);
      if (inner) return inner;
    }
  }
  return `${where}: cold ${JSON.stringify(a)?.slice(0, 300)} / merged ${JSON.stringify(b)?.slice(0, 300)}`;
}

function scriptedEdit(work, spec) {
  const [file, ...pairs] = spec.split('::');
  const absolute = path.join(work, file);
  let text = fs.readFileSync(absolute, 'utf8');
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    if (!text.includes(pairs[i])) throw new Error(`--edit: ${file} has no ${JSON.stringify(pairs[i])}`);
    text = text.replace(pairs[i], pairs[i + 1].replaceAll('\\n', '\n'));
  }
  fs.writeFileSync(absolute, text);
  return absolute;
}

let failures = 0;
for (const seed of seeds) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'filecache-probe-'));
  // Same depth as the pristine corpus's folder keeps its tsconfig's relative typeRoots valid.
  const work = path.join(path.dirname(pristine), `.probe-${seed}-${process.pid}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.cpSync(pristine, work, { recursive: true });
  try {
    const files = sourceFiles(path.join(work, 'src'));
    // 1. The cold run of the tree as it was: what a per-file cache holds.
    const before = await analyseInput(optionsFor(work));
    const cached = await factsByFile(before, work);
    // The old tree's migrated texts, to count the files whose edits change though their text did not.
    const oldOutputs = new Map((await runEngine(optionsFor(work), before)).outputs.map((output) => [output.file, output.after]));
    // 2. Random edits, and the cold run of the edited tree: the report to match.
    // `--edit 'src/a.ts::text::replacement'` edits one file so (the first match), instead of the random edits.
    const edited = flags.edit ? [scriptedEdit(work, flags.edit)] : editFiles(files, { seed, percent });
    const coldStart = cpuNow();
    const cold = await runEngine(optionsFor(work));
    const coldCpu = cpuNow() - coldStart;
    // 3. What the cache re-analyses: the edited files and their importers, transitively.
    const importsOf = new Map(
      files.map((file) => [file, [...fs.readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].map((m) => path.resolve(path.dirname(file), `${m[1]}.ts`))]),
    );
    const importers = new Map(files.map((file) => [file, []]));
    for (const [file, imports] of importsOf) for (const imported of imports) importers.get(imported)?.push(file);
    const again = new Set(edited);
    const stack = [...edited];
    while (stack.length > 0) for (const next of importers.get(stack.pop()) ?? []) if (!again.has(next)) again.add(next), stack.push(next);
    const walked = [...again].sort();
    const partialConfig = path.join(work, 'tsconfig.probe.json');
    fs.writeFileSync(partialConfig, JSON.stringify({ extends: './tsconfig.json', include: [], files: walked.map((file) => path.relative(work, file)) }));
    const partialStart = cpuNow();
    const partial = await analyseInput(optionsFor(work, { discovered: walked, declareOtherFiles: true, projectFile: partialConfig, root: work }));
    const partialCpu = cpuNow() - partialStart;
    let times;
    if (timed) {
      const job = path.join(dir, 'partial.json');
      fs.writeFileSync(job, JSON.stringify({ work, walked, projectFile: partialConfig }));
      const tsc = cpuOf(process.execPath, [TSC_59, '--noEmit', '-p', work], work);
      const check = cpuOf(process.execPath, [path.join(REPO_ROOT, 'bin/async-migrate.js'), 'check', '.', '--format', 'json'], work);
      const partialAlone = cpuOf(process.execPath, [fileURLToPath(import.meta.url), '--partial-only', job], REPO_ROOT);
      times = { tsc, check, partialAlone };
    }
    fs.rmSync(partialConfig);
    // 4. The merge: the re-analysed files' facts, every other file's cached ones, in file order.
    const analysis = partial.analyses[0];
    const own = new Set(walked.map((file) => path.relative(work, file).split(path.sep).join('/')));
    const functions = new Map();
    const sites = [];
    const hits = [];
    const unresolved = [];
    const partialByFile = await factsByFile(partial, work);
    for (const file of files.map((f) => path.relative(work, f).split(path.sep).join('/'))) {
      const facts = own.has(file) ? partialByFile.byFile.get(file) : cached.byFile.get(file);
      if (!facts) continue;
      for (const fn of facts.functions) functions.set(fn.id, { ...fn });
      sites.push(...facts.sites);
      unresolved.push(...facts.unresolved);
      hits.push(...facts.hits.map(hitFromSummary));
    }
    const families = joinFamilies([cached.families.map((f) => ({ ...f, members: f.members.filter((m) => !own.has(m.split('#')[0])) })), partialByFile.families], functions);
    const merged = {
      root: work,
      fileCount: files.length,
      absolutePaths: [work],
      frontEnds: [],
      analyses: [{ language: 'typescript', files, graph: { functions, sites, families, ...(unresolved.length > 0 ? { unresolved } : {}) }, hits, skipped: [...cached.skipped.filter((s) => !walked.includes(s.file)), ...analysis.skipped], entryPoints: cached.entryPoints }],
      undecodable: new Map(),
      analysable: [],
      targets: { resolveTarget: (target) => resolveTarget(target, [...functions.values()]), targetNames: () => [] },
      hitsUnsuppressed: true,
    };
    const planStart = cpuNow();
    const warm = await runEngine(optionsFor(work), merged);
    const planCpu = cpuNow() - planStart;
    // Files the merge did not re-analyse whose migrated text (so `changes`, and a dry run's diff) is not what it was.
    const newOutputs = new Map(cold.outputs.map((output) => [output.file, output.after]));
    const reEmit = [...new Set([...oldOutputs.keys(), ...newOutputs.keys()])].filter((file) => !own.has(file) && oldOutputs.get(file) !== newOutputs.get(file));
    const a = withoutEdits(cold.report);
    const b = withoutEdits(warm.report);
    const sections = Object.keys(a).filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
    const equal = sections.length === 0;
    if (!equal) failures++;
    console.log(
      `seed ${seed}: ${edited.length} edited, ${walked.length} re-analysed (${analysis.graph.functions.size} functions declared in its program); ` +
        `CPU in this process: cold ${coldCpu.toFixed(2)} s, partial analysis ${partialCpu.toFixed(2)} s, merged plan ${planCpu.toFixed(2)} s; merged report ${equal ? 'equals the cold one (edits aside)' : `differs in ${sections.join(', ')}`}; ` +
        `${reEmit.length} other file(s) whose migrated text changed (to emit, they need the program)${reEmit.length > 0 ? `: ${reEmit.slice(0, 3).join(', ')}${reEmit.length > 3 ? ', …' : ''}` : ''}`,
    );
    if (times) {
      const ratio = (value) => `${value.toFixed(2)} s (${(value / times.tsc).toFixed(2)}x)`;
      console.log(`  fresh processes, CPU: tsc 5.9 --noEmit ${times.tsc.toFixed(2)} s; check ${ratio(times.check)}; the partial analysis alone ${ratio(times.partialAlone)}`);
    }
    for (const key of sections.slice(0, show)) console.log(`  ${firstDifference(a[key], b[key], key)}`);
    if (process.env.PROBE_DUMP) for (const key of sections) console.log(key, JSON.stringify(a[key]).slice(0, 3000), "\n---\n", JSON.stringify(b[key]).slice(0, 3000));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
process.exitCode = failures === 0 ? 0 : 1;
