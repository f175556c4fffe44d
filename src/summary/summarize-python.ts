// `check <package> --summary-out <file>` for a package of a Python (uv) workspace. The package's files
// are analysed together with the workspace modules their imports reach (read as a whole-program run
// reads them, so calls into other packages resolve to the same ids), and only the package's own part
// of the graph is written: its functions, its call sites, its hits, the facts its code adds to other
// packages' functions. Ids and paths are relative to the workspace root, as in a whole-program run.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { discoverFiles } from '../discovery.js';
import { UsageError } from '../errors.js';
import { analyseInput, enabledRules, unsuppressedHits, type EngineOptions } from '../engine.js';
import type { FunctionNode, SkippedFile } from '../model.js';
import { toReportPath } from '../paths.js';
import { VERSION } from '../version.js';
import { createPythonFrontEnd, usesPytestAsyncioIn, type PythonFrontEnd } from '../frontends/python/index.js';
import { importNameOf, readProjectSettings } from '../frontends/python/project.js';
import { importedNames, packageHolding, type PythonWorkspace } from '../frontends/python/workspace.js';
import { functionToSummary, hitToSummary, SUMMARY_FORMAT, SUMMARY_VERSION, type PackageSummary } from './format.js';
import { packageInterface } from './summarize.js';

type Package = PythonWorkspace['packages'][number];

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * The workspace files the package's files import, transitively (over-approximated from the import
 * lines: an extra module costs a parse, never a different id). A whole-program run resolves these
 * calls with every module loaded; the modules nothing here imports cannot change what this package's
 * calls resolve to.
 */
async function importClosure(own: readonly string[], all: readonly string[], root: string): Promise<string[]> {
  const settings = readProjectSettings(root);
  const byName = new Map<string, string>();
  const nameOf = new Map<string, { name: string; isPackage: boolean }>();
  for (const file of all) {
    const imported = importNameOf(file, settings, root);
    nameOf.set(file, imported);
    // Two files with one import name: the first in file order keeps it, as in the front-end.
    if (!byName.has(imported.name)) byName.set(imported.name, file);
  }
  const reached = new Set(own);
  const queue = [...own];
  while (queue.length > 0) {
    const file = queue.pop()!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue; // the analysis says why it cannot read it
    }
    const { name, isPackage } = nameOf.get(file) ?? importNameOf(file, settings, root);
    for (const imported of importedNames(text, name, isPackage)) {
      const target = byName.get(imported);
      if (target && !reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  return [...reached].sort();
}

/** Whether any module of the workspace uses pytest-asyncio, as a whole-program run would find among its modules. */
async function workspaceUsesPytestAsyncio(all: readonly string[]): Promise<boolean> {
  for (const file of all) {
    try {
      if (usesPytestAsyncioIn(await readFile(file, 'utf8'))) return true;
    } catch {
      // unreadable: skipped by the run that reads it
    }
  }
  return false;
}

export async function summarizePythonPackage(options: EngineOptions, workspace: PythonWorkspace, pkg: Package): Promise<PackageSummary> {
  const { root } = workspace;
  const discovery = { include: options.config.include, exclude: options.config.exclude, language: 'python' as const };
  // Found from the root, as a whole-program run finds them, so both see the same files.
  const all = await discoverFiles([root], discovery);
  const inner = workspace.packages.filter((other) => other !== pkg && isInside(pkg.dir, other.dir));
  const ownFiles = all.filter((file) => (pkg.dir === root || isInside(pkg.dir, file)) && !inner.some((other) => isInside(other.dir, file)));
  if (ownFiles.length === 0) throw new UsageError(`--summary-out: package ${pkg.name} (${toReportPath(root, pkg.dir) || '.'}) has no Python files`);
  const closure = await importClosure(ownFiles, all, root);
  const usesPytestAsyncio = readProjectSettings(root).pytestAsyncio === 'none' ? await workspaceUsesPytestAsyncio(all) : undefined;
  let frontEnd: PythonFrontEnd | undefined;
  const input = await analyseInput({
    ...options,
    paths: [pkg.dir],
    root,
    language: 'python',
    discovered: closure,
    extraFrontEnds: [(frontEndRoot, config, onWarning) => (frontEnd = createPythonFrontEnd({ root: frontEndRoot, config, onWarning, workspaceUsesPytestAsyncio: usesPytestAsyncio }))],
  });
  const rules = enabledRules(options.rules, options.config);
  const own = new Set(ownFiles.map((file) => toReportPath(root, file)));
  const analysis = input.analyses[0];
  const graph = analysis?.graph ?? { functions: new Map(), sites: [], families: new Map() };
  const ownHits = (analysis?.hits ?? []).filter((hit) => own.has(hit.finding.file));
  const hits = await unsuppressedHits(analysis ? [{ ...analysis, hits: ownHits }] : [], rules, root);
  const summaryHits = hits.map(hitToSummary);
  const fileOf = (id: string): string => graph.functions.get(id)?.location.file ?? id.slice(0, id.lastIndexOf('#'));
  const isOwn = (id: string): boolean => own.has(fileOf(id));

  // A fact this package's code puts on a function: a test here patching it, or a call here using a
  // Future-returning function as a Future (it must stay sync). On another package's function it is a
  // foreign fact; on one of this package's, only those from here are kept (the others come with the
  // summaries of the packages whose code adds them).
  const fromHere = (fn: FunctionNode): NonNullable<FunctionNode['patchedBy']> => (fn.patchedBy ?? []).filter((patch) => own.has(patch.location.file));
  const syncOnlyFromHere = (fn: FunctionNode): FunctionNode['syncOnly'] => {
    const at = fn.syncOnly?.kind === 'caller' ? /used as one at (.+):\d+ \(not awaited/.exec(fn.syncOnly.reason)?.[1] : undefined;
    return at !== undefined && own.has(at) ? fn.syncOnly : undefined;
  };
  const functions = [...graph.functions.values()]
    .filter((fn) => own.has(fn.location.file))
    .map((fn) => {
      const plain = functionToSummary(fn);
      const patches = fromHere(fn);
      if (patches.length > 0) plain.patchedBy = patches;
      else delete plain.patchedBy;
      return plain;
    });
  const foreignFacts = [...graph.functions.values()]
    .filter((fn) => !own.has(fn.location.file))
    .flatMap((fn) => {
      const patchedBy = fromHere(fn);
      const syncOnly = syncOnlyFromHere(fn);
      return patchedBy.length > 0 || syncOnly ? [{ id: fn.id, patchedBy, ...(syncOnly ? { syncOnly } : {}) }] : [];
    });

  const skipped: SkippedFile[] = (analysis?.skipped ?? [])
    .map((s) => ({ file: toReportPath(root, s.file), reason: s.reason, ...(s.internalError ? { internalError: true } : {}) }))
    .filter((entry) => own.has(entry.file));
  for (const [file, reason] of input.undecodable) if (own.has(toReportPath(root, file))) skipped.push({ file: toReportPath(root, file), reason });

  const ownUnresolved = (graph.unresolved ?? []).filter((call) => isOwn(call.caller));
  const loose = frontEnd?.looseCalls(ownUnresolved) ?? new Set();
  const ownSites = graph.sites.filter((site) => isOwn(site.caller));
  const packageOfFile = (file: string): string | undefined => packageHolding(workspace, path.join(root, file))?.name;
  const calls = ownSites
    .filter((site) => !isOwn(site.callee) && graph.functions.has(site.callee))
    .map((site) => {
      const owner = packageOfFile(fileOf(site.callee));
      return { callee: site.callee, ...(owner ? { package: owner } : {}), from: site.caller, location: site.location };
    });

  const summary: PackageSummary = {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    tool: { name: 'async-migrate', version: VERSION },
    language: 'python',
    package: { name: pkg.name, dir: toReportPath(root, pkg.dir) || '.', dependencies: pkg.dependencies },
    settings: { rules: [...rules].sort(), unsafeFixes: options.unsafeFixes === true, public: [...options.config.public] },
    files: [...own].sort(),
    skipped: skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    functions,
    foreignFacts,
    families: [...graph.families.values()].filter((family) => family.members.some(isOwn)).map((family) => ({ ...family, members: [...family.members] })),
    sites: ownSites.map((site) => ({ ...site })),
    unresolved: ownUnresolved.map((call) => ({ ...call, ...(loose.has(call) ? { loose: true } : {}) })),
    hits: summaryHits,
    interface: { turnsAsyncWhenReached: [], calls, blockingCalls: [] },
  };
  Object.assign(summary.interface, packageInterface(graph, hits, options, isOwn));
  return summary;
}
