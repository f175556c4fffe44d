// Runs the Python front-end end to end without the engine: analyze, choose roots, plan, emit, apply.
// The fixture tests use it until src/engine.ts lands on main; the engine does the same across
// front-ends and owns the real report.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { RuleHit } from '../../frontend.js';
import { EditSet, applyEdits, normalizeEdits } from '../../edits/edit-set.js';
import { RULE_IDS, type AsyncRoot, type CallGraph, type FunctionId, type Scope, type Strategy } from '../../model.js';
import { planPropagation, type Plan } from '../../plan/propagate.js';
import { DEFAULT_CONFIG, type Config } from '../../config.js';
import { createPythonFrontEnd } from './index.js';
import { readFile } from 'node:fs/promises';

export interface StandaloneOptions {
  strategy?: Strategy;
  scope?: Scope;
  makeAsync?: string[];
  config?: Partial<Config>;
}

export interface StandaloneReport {
  findings: { rule: string; file: string; line: number; column: number; message: string }[];
  asyncFunctions: { name: string; file: string; line: number; because: string[] }[];
  awaitedCalls: { file: string; line: number; callee: string }[];
  blocked: { kind: string; file: string; line: number; name: string; reason: string; suggestion: string }[];
  changes: { file: string; edits: number }[];
  skipped: { file: string; reason: string }[];
}

export interface StandaloneResult {
  /** New text per absolute path, for files that changed. */
  output: Map<string, string>;
  report: StandaloneReport;
}

const IGNORED_DIRECTORIES = new Set(['__pycache__', '.git', 'node_modules', '.venv', 'venv']);

export async function listPythonFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!IGNORED_DIRECTORIES.has(entry.name)) await walk(path.join(dir, entry.name));
      } else if (entry.name.endsWith('.py')) found.push(path.join(dir, entry.name));
    }
  };
  await walk(root);
  return found.sort();
}

/** Functions async code calls, transitively: where a blocking call stalls the event loop. */
function asyncReachable(graph: CallGraph): Set<FunctionId> {
  const reached = new Set<FunctionId>();
  const queue: FunctionId[] = [];
  for (const fn of graph.functions.values()) if (fn.isAsync) { reached.add(fn.id); queue.push(fn.id); }
  const callees = new Map<FunctionId, FunctionId[]>();
  for (const site of graph.sites) if (site.kind === 'call') callees.set(site.caller, [...(callees.get(site.caller) ?? []), site.callee]);
  while (queue.length > 0) {
    for (const callee of callees.get(queue.shift()!) ?? []) {
      if (!reached.has(callee)) { reached.add(callee); queue.push(callee); }
    }
  }
  return reached;
}

export async function migratePythonProject(root: string, options: StandaloneOptions = {}): Promise<StandaloneResult> {
  const config: Config = { ...DEFAULT_CONFIG, ...options.config };
  const strategy = options.strategy ?? config.strategy;
  const scope = options.scope ?? config.scope;
  const frontEnd = createPythonFrontEnd({ root, config });
  const analysis = await frontEnd.analyze(await listPythonFiles(root), new Set(RULE_IDS));
  const { graph } = analysis;
  const reachable = asyncReachable(graph);
  const inScope = (hit: RuleHit): boolean => hit.kind !== 'blocking' || scope === 'all' || reachable.has(hit.enclosing);
  const hits = analysis.hits.filter(inScope);

  const roots: AsyncRoot[] = [];
  for (const hit of hits) {
    const where = `${hit.finding.file}:${hit.finding.line} ${hit.finding.rule}`;
    if (hit.kind === 'await' && hit.awaitedCallee) roots.push({ function: hit.awaitedCallee, reason: where });
    else if (hit.needsAsync && hit.fix && graph.functions.get(hit.enclosing)?.kind !== 'module') roots.push({ function: hit.enclosing, reason: where });
  }
  for (const target of options.makeAsync ?? config.makeAsync) {
    for (const id of frontEnd.resolveTarget(target)) roots.push({ function: id, reason: `--make-async ${target}` });
  }
  const plan = strategy === 'dual' ? narrowDualPlan(graph, planPropagation(graph, roots, { strategy }), roots) : planPropagation(graph, roots, { strategy });

  const runsAsync = (id: FunctionId): boolean => graph.functions.get(id)?.isAsync === true || plan.asyncFunctions.has(id);
  const fixes: RuleHit[] = [];
  const fallbacks: RuleHit[] = [];
  for (const hit of hits) {
    if (!hit.fix) continue;
    if (hit.kind === 'await') {
      if (hit.awaitedCallee && plan.asyncFunctions.has(hit.awaitedCallee)) fixes.push(hit);
      else if (hit.fallbackFix) fallbacks.push(hit);
    } else if (!hit.needsAsync || runsAsync(hit.enclosing)) {
      fixes.push(hit);
    }
  }

  const edits = new EditSet();
  frontEnd.emit({ plan, fixes, fallbacks, graph }, edits);
  const output = new Map<string, string>();
  const changes: StandaloneReport['changes'] = [];
  const skipped = analysis.skipped.map((s) => ({ file: path.relative(root, s.file).split(path.sep).join('/'), reason: s.reason }));
  for (const file of edits.files()) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const source = await readFile(file, 'utf8');
    try {
      const sorted = normalizeEdits(rel, source, edits.editsFor(file));
      const text = applyEdits(source, sorted);
      if (text === source) continue;
      if (!frontEnd.parses(file, text)) {
        skipped.push({ file: rel, reason: `the edited text does not parse (${[...new Set(sorted.map((e) => e.source))].join(', ')})` });
        continue;
      }
      output.set(file, text);
      changes.push({ file: rel, edits: sorted.length });
    } catch (error) {
      skipped.push({ file: rel, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { output, report: buildReport(graph, plan, hits, changes, skipped) };
}

/**
 * Under dual, a function keeping its sync body serves its sync callers as before: only callers that
 * already run async move to the sibling, so async stops spreading at a dual function. The planner
 * carries async through them; until it learns this, the narrowing happens here.
 */
export function narrowDualPlan(graph: CallGraph, plan: Plan, roots: readonly AsyncRoot[]): Plan {
  const callersOf = new Map<FunctionId, FunctionId[]>();
  for (const site of graph.sites) {
    if (site.kind !== 'call' || site.entryCall) continue;
    callersOf.set(site.callee, [...(callersOf.get(site.callee) ?? []), site.caller]);
  }
  const reached = new Set<FunctionId>();
  const queue: FunctionId[] = [];
  const reach = (id: FunctionId): void => {
    if (!plan.asyncFunctions.has(id) || reached.has(id)) return;
    reached.add(id);
    queue.push(id);
  };
  for (const root of roots) reach(root.function);
  while (queue.length > 0) {
    const id = queue.shift()!;
    const fn = graph.functions.get(id)!;
    const family = fn.familyId ? graph.families.get(fn.familyId)?.members ?? [] : [];
    for (const member of family) reach(member);
    if (plan.dualFunctions.has(id)) continue;
    for (const caller of callersOf.get(id) ?? []) reach(caller);
  }
  const asyncFunctions = new Map([...plan.asyncFunctions].filter(([id]) => reached.has(id)));
  const runsAsync = (id: FunctionId): boolean => graph.functions.get(id)?.isAsync === true || asyncFunctions.has(id);
  return {
    ...plan,
    asyncFunctions,
    dualFunctions: new Set([...plan.dualFunctions].filter((id) => reached.has(id))),
    awaitSites: plan.awaitSites.filter((site) => asyncFunctions.has(site.callee) && runsAsync(site.caller)),
    entrySites: plan.entrySites.filter((site) => asyncFunctions.has(site.callee)),
    callbackSites: plan.callbackSites.filter((site) => asyncFunctions.has(site.callee)),
  };
}

function buildReport(graph: CallGraph, plan: Plan, hits: RuleHit[], changes: StandaloneReport['changes'], skipped: StandaloneReport['skipped']): StandaloneReport {
  const byPosition = <T extends { file: string; line: number }>(a: T, b: T): number => a.file.localeCompare(b.file) || a.line - b.line;
  return {
    findings: hits
      .map((hit) => ({ rule: hit.finding.rule, file: hit.finding.file, line: hit.finding.line, column: hit.finding.column, message: hit.finding.message }))
      .sort((a, b) => byPosition(a, b) || a.column - b.column),
    asyncFunctions: [...plan.asyncFunctions]
      .map(([id, because]) => {
        const fn = graph.functions.get(id)!;
        return { name: fn.name, file: fn.location.file, line: fn.location.line, because };
      })
      .sort(byPosition),
    awaitedCalls: plan.awaitSites
      .map((site) => ({ file: site.location.file, line: site.location.line, callee: graph.functions.get(site.callee)!.name }))
      .sort(byPosition),
    blocked: [...plan.blocked]
      .map(([id, why]) => {
        const fn = graph.functions.get(id)!;
        return { kind: why.kind, file: fn.location.file, line: fn.location.line, name: fn.name, reason: why.reason, suggestion: why.suggestion };
      })
      .sort(byPosition),
    changes: changes.sort((a, b) => a.file.localeCompare(b.file)),
    skipped,
  };
}
