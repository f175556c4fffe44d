#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self and inclusive time per function and per
// phase, where a phase is decided by the source file of a frame and, inside TypeScript's own code, by
// the function name. Usage: node bench/profile-summary.mjs FILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((arg) => !arg.startsWith('--'));
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Time per sample: the delta to the next sample (V8 records the delta before each sample).
const selfMicros = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = deltas[i + 1] ?? 0;
  selfMicros.set(profile.samples[i], (selfMicros.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url) => url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, '').replace(/.*\/dist\d*\/src\//, 'src/').replace(/.*\/dist\d*\/transforms\//, 'transforms/');
const key = (frame) => `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;

function phaseOf(frame) {
  const url = frame.url;
  const name = frame.functionName;
  if (name === '(garbage collector)') return 'gc';
  if (name === '(program)' || name === '(idle)' || name === '(root)') return 'vm/other';
  if (/\/dist\d*\/src\/frontends\/typescript\/analyze\.js/.test(url)) return 'ours: analysis (analyze.ts)';
  if (/\/dist\d*\/src\/frontends\/typescript\//.test(url)) return 'ours: ts front-end (other files)';
  if (/\/dist\d*\/src\/plan\//.test(url)) return 'ours: planning';
  if (/\/dist\d*\/src\/report\//.test(url)) return 'ours: reporting';
  if (/\/dist\d*\/(src|transforms)\//.test(url)) return 'ours: engine/transforms';
  if (/typescript\.js$/.test(url)) return tsPhase(name);
  if (/ts-morph|@ts-morph/.test(url)) return 'ts-morph wrappers';
  if (url === '' ) return 'native/builtin';
  if (url.startsWith('node:')) return 'node internals';
  return 'other js';
}

// TypeScript's compiler is one file: tell parser, binder and checker apart by function name.
function tsPhase(name) {
  if (/^(parse|scan|next[A-Z]|re[Ss]can|create(Node|SourceFile)|finishNode|speculationHelper|lookAhead|tryParse|isStartOf|token$|lookAheadHelper)/.test(name)) return 'ts: parser/scanner';
  if (/^(bind|declareSymbol|addDeclarationToSymbol|createBinder|getContainerFlags|setExportContextFlag|declareModuleMember|delayedBindJSDocTypedefTag|createFlowNode|finishFlowLabel|addAntecedent|createFlow)/.test(name)) return 'ts: binder';
  if (/^(resolveModuleName|nodeModuleNameResolver|tryResolve|loadModuleFrom|getPackageJsonInfo|readPackageJson|directoryProbablyExists|tryFile|fileExists|resolveTypeReferenceDirective|nodeNextModuleNameResolver)/.test(name)) return 'ts: module resolution';
  if (/^(processRootFile|processSourceFile|findSourceFile|processImportedModules|createProgram|getSourceFileFromReferenceWorker|collectExternalModuleReferences)/.test(name)) return 'ts: program creation';
  return 'ts: checker & utilities';
}

// Inclusive: each function counted once per sample stack (recursion not double-counted).
const inclusive = new Map();
const selfByFn = new Map();
const phaseSelf = new Map();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  const own = key(node.callFrame);
  selfByFn.set(own, (selfByFn.get(own) ?? 0) + micros);
  const phase = phaseOf(node.callFrame);
  phaseSelf.set(phase, (phaseSelf.get(phase) ?? 0) + micros);
  const seen = new Set();
  for (let cursor = id; cursor !== undefined; cursor = parent.get(cursor)) {
    const k = key(byId.get(cursor).callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + micros);
  }
}

// Phases of a run, by the frames on the stack (the first rule that matches, outermost frame first),
// each split by where the sample's own (leaf) frame is: TypeScript, our code, GC and the rest.
const PHASES = [
  ['load: parse (ts-morph host, TypeScript parser)', (names) => names.includes('loadProgram') && names.some((n) => n === 'host.getSourceFile' || n === 'getSourceFile')],
  ['load: bind (getTypeChecker)', (names) => names.includes('loadProgram') && names.includes('getTypeChecker')],
  ['load: program creation, module resolution', (names) => names.includes('loadProgram')],
  ['skip check: syntactic diagnostics', (names) => names.includes('getSyntacticDiagnostics')],
  ['index (pass 1: declareFunctions, holders, families)', (names) => names.includes('declareFunctions') || names.includes('registerLocalHolders') || names.includes('recordExportedWrappers') || names.includes('markExistingSiblings') || (names.includes('record') && !names.includes('walkFile'))],
  ['analyse (pass 2: rules + call graph)', (names) => names.includes('walkFile') || names.includes('recordSpies') || names.includes('followCallbackParameters')],
  ['analyse: lazy returnsPromise / sleep helpers', (names) => names.includes('returnsGlobalPromise') || names.includes('markSleepHelpers')],
  ['plan (reachability, propagation)', (names, urls) => urls.some((u) => /\/dist\d*\/src\/plan\//.test(u))],
  ['emit (edits, grammar check)', (names) => names.includes('emitTypeScript') || names.includes('grammarErrors')],
  ['report', (names, urls) => urls.some((u) => /\/dist\d*\/src\/report\//.test(u))],
  ['engine, other', (names) => names.includes('runEngine')],
  ['startup: module loading', (names, urls) => urls.some((u) => u.startsWith('node:internal/modules'))],
];
const phaseRows = new Map();
for (const [id, micros] of selfMicros) {
  const names = [];
  const urls = [];
  for (let cursor = id; cursor !== undefined; cursor = parent.get(cursor)) {
    const frame = byId.get(cursor).callFrame;
    names.push(frame.functionName);
    urls.push(frame.url);
  }
  const phase = PHASES.find(([, test]) => test(names, urls))?.[0] ?? 'other (idle, program, gc outside a phase)';
  const leaf = byId.get(id).callFrame;
  const where = leaf.functionName === '(garbage collector)' ? 'gc' : /typescript\.js$/.test(leaf.url) ? 'ts' : /\/dist\d*\/(src|transforms)\//.test(leaf.url) ? 'ours' : 'other';
  const row = phaseRows.get(phase) ?? { total: 0, ts: 0, ours: 0, gc: 0, other: 0 };
  row.total += micros;
  row[where] += micros;
  phaseRows.set(phase, row);
}

const ms = (micros) => (micros / 1000).toFixed(0).padStart(7);
const pct = (micros) => ((100 * micros) / total).toFixed(1).padStart(5);
console.log(`total sampled: ${(total / 1e6).toFixed(2)} s`);
console.log('\n## phases (inclusive), split by the leaf frame: TypeScript / ours / gc / other');
for (const [phase, row] of [...phaseRows].sort((a, b) => b[1].total - a[1].total)) {
  console.log(`${ms(row.total)} ms ${pct(row.total)}%  ${phase}   [ts ${ms(row.ts).trim()}, ours ${ms(row.ours).trim()}, gc ${ms(row.gc).trim()}, other ${ms(row.other).trim()}]`);
}
console.log('\n## self time by phase');
for (const [phase, micros] of [...phaseSelf].sort((a, b) => b[1] - a[1])) console.log(`${ms(micros)} ms ${pct(micros)}%  ${phase}`);
console.log(`\n## top ${top} self`);
for (const [k, micros] of [...selfByFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(micros)} ms ${pct(micros)}%  ${k}`);
console.log(`\n## top ${top} inclusive (our code)`);
for (const [k, micros] of [...inclusive].filter(([k]) => /\s(src|transforms)\//.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(micros)} ms ${pct(micros)}%  ${k}`);
// Checker queries by kind: the first TypeScript frame below a frame of ours (getTypeAtLocation…),
// with the frame of ours that asked.
const queries = new Map();
const askers = new Map();
for (const [id, micros] of selfMicros) {
  let below;
  for (let cursor = id; cursor !== undefined; cursor = parent.get(cursor)) {
    const frame = byId.get(cursor).callFrame;
    const ours = /\/dist\d*\/(src|transforms)\//.test(frame.url);
    if (ours && below) {
      const q = below.functionName || '(anonymous)';
      queries.set(q, (queries.get(q) ?? 0) + micros);
      const a = `${q} <- ${key(frame)}`;
      askers.set(a, (askers.get(a) ?? 0) + micros);
      break;
    }
    below = /typescript\.js$/.test(frame.url) ? frame : ours ? undefined : below;
  }
}
console.log(`\n## TypeScript entry points called from our code (inclusive)`);
for (const [k, micros] of [...queries].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(micros)} ms ${pct(micros)}%  ${k}`);
console.log(`\n## ... by caller`);
for (const [k, micros] of [...askers].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(micros)} ms ${pct(micros)}%  ${k}`);
