#!/usr/bin/env node
// What bounds a warm `check --cache` after a 1% edit on the bench corpus, measured piece by piece
// (bench/README.md, "The cache"): the process start, the files a conservative cache must analyse
// again (the edited files and every file that imports one, transitively), and what building a
// program and walking only the edited files costs.
//
//   node bench/cache-bounds.mjs [--project .bench/ts-project] [--percent 1] [--seed 7]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, sourceFiles } from './lib/source-file.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = parseFlags(process.argv.slice(2));
const project = path.resolve(REPO_ROOT, flags.project ?? '.bench/ts-project');
const percent = Number(flags.percent ?? 1);
let seed = Number(flags.seed ?? 7);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

// CPU seconds (user + system), not wall: on a shared machine the load moves wall time by several times.
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const seconds = (start) => cpuNow() - start;
const nodeTime = (args) => {
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0 && result.status !== 1) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  const [user, system] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
  return user + system;
};

const files = sourceFiles(path.join(project, 'src'));
// The corpus imports project files by relative `.js` specifiers only.
const importsOf = new Map(
  files.map((file) => [
    file,
    [...fs.readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].map((match) => path.resolve(path.dirname(file), `${match[1]}.ts`)),
  ]),
);
const importers = new Map(files.map((file) => [file, []]));
for (const [file, imports] of importsOf) for (const imported of imports) importers.get(imported)?.push(file);
const closure = (start, edges) => {
  const seen = new Set(start);
  const stack = [...start];
  while (stack.length > 0) for (const next of edges.get(stack.pop()) ?? []) if (!seen.has(next)) seen.add(next), stack.push(next);
  return seen;
};

const edited = new Set();
while (edited.size < Math.max(1, Math.round((files.length * percent) / 100))) edited.add(files[Math.floor(random() * files.length)]);
const dependents = closure(edited, importers);
const dependencies = closure(edited, importsOf);
const dependentsDependencies = closure(dependents, importsOf);

const { ts } = await import('@ts-morph/common');
const { loadProgram, findProjectFile } = await import('../dist/src/frontends/typescript/project.js');
const { loadTsRules, TsAnalyzer } = await import('../dist/src/frontends/typescript/analyze.js');
const { TRANSFORMS } = await import('../dist/transforms/index.js');
const TS_RULES = await loadTsRules(TRANSFORMS);
const { RULE_IDS } = await import('../dist/src/model.js');

/** A program over `roots` only (no tsconfig file list, the tsconfig's options), then a walk of `walked`. */
function partial(roots, walked) {
  const start = cpuNow();
  const configFile = findProjectFile(project);
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configFile));
  const host = ts.createCompilerHost(parsed.options, false);
  const program = ts.createProgram({ rootNames: [...roots], options: { ...parsed.options, noEmit: true }, host });
  const checker = program.getTypeChecker();
  const built = seconds(start);
  const analyzer = new TsAnalyzer(program, checker, project, TS_RULES, new Set(RULE_IDS), () => true, [], false);
  analyzer.analyze([...walked]);
  return { programFiles: program.getSourceFiles().length, built, total: seconds(start) };
}

function whole() {
  const start = cpuNow();
  const loaded = loadProgram(files, findProjectFile(project), undefined, undefined, project);
  const built = seconds(start);
  const analyzer = new TsAnalyzer(loaded.program, loaded.checker, project, TS_RULES, new Set(RULE_IDS), () => true, [], false);
  analyzer.analyze(files);
  return { programFiles: loaded.program.getSourceFiles().length, built, total: seconds(start) };
}

const rows = [];
rows.push(['node start, no module', nodeTime(['-e', '0'])]);
rows.push(['node start + the CLI without TypeScript (discovery, config, commander)', nodeTime(['-e', "await import('./dist/src/discovery.js'); await import('./dist/src/config.js'); await import('commander')", '--input-type=module'])]);
rows.push(['node start + TypeScript (@ts-morph/common)', nodeTime(['--input-type=module', '-e', "await import('@ts-morph/common')"])]);
rows.push(['tsc --noEmit, whole corpus', nodeTime([path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', project])]);
// The libraries alone (lib.*.d.ts, @types/node): what any checker of this project parses and binds.
const emptyFile = path.join(project, 'src', '__empty__.ts');
fs.writeFileSync(emptyFile, 'export {};\n');
const librariesOnly = partial([emptyFile], []);
fs.rmSync(emptyFile);
const editedOnly = partial(edited, edited);
const conservative = partial(dependents, dependents);
const all = whole();

console.log(`corpus: ${files.length} files; edited: ${edited.size} (${percent}%, seed ${flags.seed ?? 7})`);
console.log(`files importing an edited file, transitively (with the edited ones): ${dependents.size}`);
console.log(`files the edited ones import, transitively (with them): ${dependencies.size}; those of the importers: ${dependentsDependencies.size}`);
console.log('CPU seconds (user + system):');
for (const [what, time] of rows) console.log(`${what}: ${time.toFixed(2)} s`);
console.log(`program of one empty file (${librariesOnly.programFiles} files: the libraries): ${librariesOnly.built.toFixed(2)} s`);
console.log(`program from the edited files (${editedOnly.programFiles} files with libs), walk of the edited files: build ${editedOnly.built.toFixed(2)} s, total ${editedOnly.total.toFixed(2)} s`);
console.log(`program from edited + importers (${conservative.programFiles} files), walk of those: build ${conservative.built.toFixed(2)} s, total ${conservative.total.toFixed(2)} s`);
console.log(`whole program (${all.programFiles} files), walk of every file (in this process, after the two above): build ${all.built.toFixed(2)} s, total ${all.total.toFixed(2)} s`);
