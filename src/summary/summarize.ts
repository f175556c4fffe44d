// `check <package> --summary-out <file>`: one workspace package analysed alone, written as data the
// combined run plans from. Ids and paths are relative to the workspace root, as in a whole-program run
// from that root, so they meet across summaries.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { languageOf } from '../discovery.js';
import { UsageError } from '../errors.js';
import { analyseInput, enabledRules, planToFixpoint, unsuppressedHits, type EngineOptions } from '../engine.js';
import type { WorkspaceInfo } from '../frontends/typescript/workspaces.js';
import { findPythonWorkspace, packageHolding, type PythonWorkspace } from '../frontends/python/workspace.js';
import type { RuleHit } from '../frontend.js';
import type { CallGraph, FunctionId, SkippedFile } from '../model.js';
import { toReportPath } from '../paths.js';
import { VERSION } from '../version.js';
import { functionToSummary, hitToSummary, SUMMARY_FORMAT, SUMMARY_VERSION, type PackageSummary } from './format.js';

/** Whether a folder at or above `start` declares an npm, pnpm, yarn or lerna workspace. */
function hasNpmWorkspaceMarker(start: string): boolean {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml')) || existsSync(path.join(dir, 'lerna.json'))) return true;
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as unknown;
      if (typeof manifest === 'object' && manifest !== null && 'workspaces' in manifest) return true;
    } catch {
      // no package.json here, or not JSON: no workspace declared by it
    }
    if (path.dirname(dir) === dir) return false;
  }
}

/**
 * The npm/pnpm/yarn workspace at or above `start`. Its reader loads the TypeScript library (tsconfig
 * files), so it is loaded only when a workspace is declared: a Python workspace's steps never need it.
 */
export async function npmWorkspaceInfo(start: string): Promise<WorkspaceInfo | undefined> {
  if (!hasNpmWorkspaceMarker(start)) return undefined;
  const { findWorkspaceInfo } = await import('../frontends/typescript/workspaces.js');
  return findWorkspaceInfo(start);
}

/**
 * The Python workspace and its package holding `start`, when `start` is in no package of an
 * npm/pnpm/yarn workspace but in a uv workspace (one line, exit 2, when in no package of it).
 */
function pythonPackageOf(start: string, npmWorkspace: WorkspaceInfo | undefined): { workspace: PythonWorkspace; pkg: PythonWorkspace['packages'][number] } | undefined {
  if (npmWorkspace && npmWorkspace.packages.some((pkg) => !path.relative(pkg.dir, start).startsWith('..'))) return undefined;
  const workspace = findPythonWorkspace(start);
  if (!workspace || (npmWorkspace && workspace.root.length < npmWorkspace.root.length)) return undefined;
  const pkg = packageHolding(workspace, start);
  if (!pkg) throw new UsageError(`--summary-out: ${start} is in no package of the Python workspace at ${workspace.root} (its [tool.uv.workspace] members, each a folder with a pyproject.toml naming a [project])`);
  return { workspace, pkg };
}

/** The workspace and the package of it that holds `start` (the innermost, for nested packages). */
export function workspacePackageOf(start: string, workspace: WorkspaceInfo | undefined): { workspace: WorkspaceInfo; pkg: WorkspaceInfo['packages'][number] } {
  if (!workspace) throw new UsageError(`--summary-out: ${start} is in no workspace (no "workspaces" in package.json, pnpm-workspace.yaml or lerna.json, nor [tool.uv.workspace] in a pyproject.toml, at or above it)`);
  const holding = workspace.packages.filter((pkg) => {
    const relative = path.relative(pkg.dir, start);
    return !relative.startsWith('..') && !path.isAbsolute(relative);
  });
  const pkg = holding.sort((a, b) => b.dir.length - a.dir.length)[0];
  if (!pkg) throw new UsageError(`--summary-out: ${start} is in no package of the workspace at ${workspace.root}`);
  return { workspace, pkg };
}

export async function summarizePackage(givenOptions: EngineOptions): Promise<PackageSummary> {
  // As in runEngine: the front-end learns from the config whether unsafe fixes apply (the flag or the key).
  const unsafeFixes = givenOptions.unsafeFixes === true || givenOptions.config.unsafeFixes;
  const options: EngineOptions = { ...givenOptions, unsafeFixes, config: { ...givenOptions.config, unsafeFixes } };
  const first = path.resolve(options.cwd, options.paths[0] ?? '.');
  // A package of an npm/pnpm/yarn workspace first; else of a Python (uv) workspace.
  const npmWorkspace = await npmWorkspaceInfo(first);
  const pythonPackage = options.language === 'typescript' ? undefined : pythonPackageOf(first, npmWorkspace);
  if (pythonPackage) {
    const { summarizePythonPackage } = await import('./summarize-python.js');
    return summarizePythonPackage(options, pythonPackage.workspace, pythonPackage.pkg);
  }
  const { workspace, pkg } = workspacePackageOf(first, npmWorkspace);
  const root = workspace.root;
  // A package of an npm workspace: its TypeScript and JavaScript (a Python package is a uv workspace member).
  const input = await analyseInput({ ...options, root, language: 'typescript', declareOtherFiles: true });
  const rules = enabledRules(options.rules, options.config);
  // Serialised before anything plans: the engine writes into hits and functions as it plans.
  const hits = await unsuppressedHits(input.analyses, rules, root);
  const summaryHits = hits.map(hitToSummary);
  const analysed = new Set(input.analyses.flatMap((analysis) => analysis.files.map((file) => toReportPath(root, file))));
  const graph = input.analyses[0]?.graph ?? { functions: new Map(), sites: [], families: new Map() };
  const isOwn = (id: FunctionId): boolean => analysed.has(graph.functions.get(id)?.location.file ?? '');
  const functions = [...graph.functions.values()].filter((fn) => analysed.has(fn.location.file));
  const foreignFacts = [...graph.functions.values()]
    .filter((fn) => !analysed.has(fn.location.file) && fn.patchedBy && fn.patchedBy.length > 0)
    .map((fn) => ({ id: fn.id, patchedBy: fn.patchedBy! }));

  const skipped: SkippedFile[] = input.analyses.flatMap((analysis) =>
    analysis.skipped.map((s) => ({ file: toReportPath(root, s.file), reason: s.reason, ...(s.internalError ? { internalError: true } : {}) })),
  );
  for (const [file, reason] of input.undecodable) skipped.push({ file: toReportPath(root, file), reason });
  const handled = new Set(input.frontEnds.flatMap(({ files }) => files));
  for (const file of input.analysable) if (!handled.has(file)) skipped.push({ file: toReportPath(root, file), reason: `no ${languageOf(file)} front-end in this build` });

  // The analysis saw every package's entry points (their files are declared too): this package's are its own.
  const manifest = toReportPath(root, path.join(pkg.dir, 'package.json'));
  const entryPoints = input.analyses.flatMap((analysis) => analysis.entryPoints ?? []).filter((entry) => entry.package === manifest);
  const packageOfFile = (file: string): string | undefined =>
    workspace.packages.filter((candidate) => !path.relative(candidate.dir, path.join(root, file)).startsWith('..')).sort((a, b) => b.dir.length - a.dir.length)[0]?.name;
  const calls = graph.sites
    .filter((site) => !isOwn(site.callee) && graph.functions.has(site.callee))
    .map((site) => {
      const owner = packageOfFile(graph.functions.get(site.callee)!.location.file);
      return { callee: site.callee, ...(owner ? { package: owner } : {}), from: site.caller, location: site.location };
    });

  const summary: PackageSummary = {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    tool: { name: 'async-migrate', version: VERSION },
    language: 'typescript',
    package: { name: pkg.name, dir: toReportPath(root, pkg.dir), dependencies: pkg.dependencies },
    settings: { rules: [...rules].sort(), unsafeFixes, public: [...options.config.public] },
    files: input.analysable.concat([...input.undecodable.keys()]).map((file) => toReportPath(root, file)).sort(),
    skipped: skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    ...(entryPoints.length > 0 ? { entryPoints } : {}),
    functions: functions.map(functionToSummary),
    foreignFacts,
    families: [...graph.families.values()].filter((family) => family.members.some(isOwn)).map((family) => ({ ...family, members: [...family.members] })),
    sites: graph.sites.map((site) => ({ ...site })),
    unresolved: [...(graph.unresolved ?? [])],
    hits: summaryHits,
    interface: { turnsAsyncWhenReached: [], calls, blockingCalls: [] },
  };
  Object.assign(summary.interface, packageInterface(graph, hits, options, isOwn));
  return summary;
}

/**
 * The package's side of the story, for people (both languages): its blocking calls, and what it would
 * turn async, and why, once async code reaches it (the package alone under --scope all).
 */
export function packageInterface(graph: CallGraph, hits: readonly RuleHit[], options: EngineOptions, isOwn: (id: FunctionId) => boolean): Pick<PackageSummary['interface'], 'blockingCalls' | 'turnsAsyncWhenReached'> {
  const blockingCalls = hits
    .filter((hit) => hit.kind === 'blocking')
    .map((hit) => ({ rule: hit.finding.rule, file: hit.finding.file, line: hit.finding.line, enclosing: hit.enclosing }));
  const { plan } = planToFixpoint(graph, [...hits], [], { ...options, scope: 'all' });
  const turnsAsyncWhenReached = [...plan.asyncFunctions]
    .filter(([id]) => isOwn(id) && graph.functions.get(id)!.isExported)
    .map(([id, because]) => ({ id, name: graph.functions.get(id)!.name, because }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { blockingCalls, turnsAsyncWhenReached };
}
