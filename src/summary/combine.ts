// `check --summaries-from <dir>`: the packages' summaries planned together, with no program loaded.
// The planner runs once over the union of the summaries' graphs, as a whole-program run does over its
// one graph: blocks travel from callers down to callees, reachability from async code down, and a
// method family spans packages, so a single bottom-up pass in dependency order would not be exact.
// The packages' dependency order is used to check the summaries against each other.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { AnalysedInput } from '../engine.js';
import type { Analysis } from '../frontend.js';
import { resolveTarget } from '../function-targets.js';
import type { CallGraph, FunctionId, FunctionNode, Language, Location, MethodFamily, RuleId, UnresolvedCall } from '../model.js';
import { pythonFamilyHead } from '../frontends/python/families.js';
import { hitFromSummary, SUMMARY_FORMAT, SUMMARY_VERSION, type PackageSummary } from './format.js';

/**
 * The summaries under `dir`, recursively (a task runner keeps each package's in the package:
 * `packages/<name>/.async-migrate/summary.json`), node_modules, .git, .venv and __pycache__ aside. Other JSON files
 * (package.json, tsconfig.json) are passed over; a file named `*summary.json` must be a summary.
 */
export async function readSummaries(dir: string): Promise<PackageSummary[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).map(String);
  } catch (error) {
    throw new UsageError(`--summaries-from: cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // A Python virtualenv (uv makes one at the workspace root) holds installed packages, never summaries.
  const skippedFolder = /(^|[\\/])(node_modules|\.git|\.venv|__pycache__)([\\/]|$)/;
  const files = entries.filter((entry) => entry.endsWith('.json') && !skippedFolder.test(entry)).sort();
  const summaries: PackageSummary[] = [];
  for (const file of files) {
    const shown = path.join(dir, file);
    const mustBeSummary = path.basename(file).endsWith('summary.json');
    let data: unknown;
    try {
      data = JSON.parse(await readFile(shown, 'utf8')) as unknown;
    } catch {
      if (mustBeSummary) throw new UsageError(`--summaries-from: ${shown} is not JSON (a summary cut short?): write it again`);
      continue;
    }
    const format = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).format : undefined;
    if (format === undefined && !mustBeSummary) continue;
    summaries.push(checkedSummary(data, shown));
  }
  if (summaries.length === 0) throw new UsageError(`--summaries-from: no package summary in ${dir} (written by check <package> --summary-out <file>)`);
  return summaries;
}

function checkedSummary(data: unknown, shown: string): PackageSummary {
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  if (record.format !== SUMMARY_FORMAT) throw new UsageError(`--summaries-from: ${shown} is not an async-migrate package summary (written by check --summary-out)`);
  if (record.version !== SUMMARY_VERSION) throw new UsageError(`--summaries-from: ${shown} is a summary of format version ${String(record.version)}; this async-migrate reads version ${SUMMARY_VERSION}: write it again with this version`);
  const lists = ['files', 'skipped', 'functions', 'foreignFacts', 'families', 'sites', 'unresolved', 'hits'];
  const missing = lists.find((key) => !Array.isArray(record[key]));
  if (missing || typeof record.package !== 'object' || record.package === null) throw new UsageError(`--summaries-from: ${shown} is not a complete summary (${missing ?? 'package'} is missing)`);
  return data as PackageSummary;
}

/** The packages in dependency order (a package after those it depends on; otherwise by folder); a cycle keeps folder order among its packages. */
export function dependencyOrder(summaries: readonly PackageSummary[]): PackageSummary[] {
  const byName = new Map(summaries.map((summary) => [summary.package.name, summary]));
  const ordered: PackageSummary[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (summary: PackageSummary): void => {
    if (state.has(summary.package.name)) return;
    state.set(summary.package.name, 'visiting');
    for (const dependency of summary.package.dependencies) {
      const next = byName.get(dependency);
      if (next) visit(next);
    }
    state.set(summary.package.name, 'done');
    ordered.push(summary);
  };
  for (const summary of [...summaries].sort((a, b) => (a.package.dir < b.package.dir ? -1 : 1))) visit(summary);
  return ordered;
}

export interface CombineSettings {
  root: string;
  rules: ReadonlySet<RuleId>;
  unsafeFixes: boolean;
  public: readonly string[];
  onWarning?: (message: string) => void;
}

/** The summaries as the engine's input: one analysis whose graph is the union of theirs, in the order a whole-program run builds it (by file). */
export function combinedInput(summaries: readonly PackageSummary[], settings: CombineSettings): AnalysedInput & { order: string[] } {
  const seenPackage = new Map<string, string>();
  for (const summary of summaries) {
    const earlier = seenPackage.get(summary.package.name);
    if (earlier !== undefined) throw new UsageError(`--summaries-from: two summaries of package ${summary.package.name} (${earlier}, ${summary.package.dir}); keep one per package`);
    seenPackage.set(summary.package.name, summary.package.dir);
    checkSettings(summary, settings);
  }
  const order = dependencyOrder(summaries);
  // A call into a package the caller does not declare: a task runner hashing the declared
  // dependencies would replay this summary from its cache after that package changed.
  for (const summary of order) {
    const undeclared = new Map<string, number>();
    for (const call of summary.interface.calls) {
      if (call.package && call.package !== summary.package.name && !summary.package.dependencies.includes(call.package)) undeclared.set(call.package, (undeclared.get(call.package) ?? 0) + 1);
    }
    for (const [target, count] of undeclared) {
      settings.onWarning?.(`--summaries-from: ${summary.package.name} calls ${target} (${count} call${count === 1 ? '' : 's'}) without declaring it in its package.json: a task runner's cache of its summary would not see ${target} change`);
    }
  }
  // A whole-program run walks the files in sorted order: the summaries are merged the same way, so
  // that where two chains are equally short, the same one is reported. One analysis per language, as
  // a whole-program run has one per front-end.
  const byFiles = [...summaries].sort((a, b) => (firstFile(a) < firstFile(b) ? -1 : firstFile(a) > firstFile(b) ? 1 : 0));
  const languages = [...new Set(byFiles.map(languageOfSummary))].sort((a, b) => (a === 'typescript' ? -1 : b === 'typescript' ? 1 : 0));
  const combined = languages.map((language) => combinedAnalysis(byFiles.filter((summary) => languageOfSummary(summary) === language), language, settings));
  const functions = new Map(combined.flatMap(({ analysis }) => [...analysis.graph.functions]));
  const loose = new Set(combined.flatMap(({ loose: calls }) => [...calls]));
  const targetFunctions = (): FunctionNode[] => [...functions.values()];
  return {
    root: settings.root,
    fileCount: summaries.reduce((sum, summary) => sum + summary.files.length, 0),
    absolutePaths: [settings.root],
    frontEnds: [],
    analyses: combined.map(({ analysis }) => analysis),
    undecodable: new Map(),
    analysable: [],
    targets: {
      resolveTarget: (target) => resolveTarget(target, targetFunctions()),
      targetNames: () => targetFunctions().filter((fn) => fn.kind !== 'module' && !fn.name.startsWith('<')).map((fn) => fn.name),
    },
    hitsUnsuppressed: true,
    // The loose matches a whole-program run's oracle step drops from the unresolved calls, unasked.
    ...(loose.size > 0 ? { oracles: [{ language: 'python' as const, resolveCalls: async (calls: readonly UnresolvedCall[]) => ({ sites: [], resolved: calls.filter((call) => loose.has(call)) }) }] } : {}),
    order: order.map((summary) => summary.package.name),
  };
}

function languageOfSummary(summary: PackageSummary): Language {
  return summary.language === 'python' ? 'python' : 'typescript';
}

/** The summaries of one language as that language's analysis. */
function combinedAnalysis(byFiles: readonly PackageSummary[], language: Language, settings: CombineSettings): { analysis: Analysis; loose: Set<UnresolvedCall> } {
  // Python: a whole-program run meets everything module by module, in file order; a member's files
  // need not be contiguous in that order (the root's own project beside its members), so each list is
  // put in file order (stable: within a file, the one summary holding it has the run's order).
  const inFileOrder = <T>(items: T[], fileOf: (item: T) => string): T[] => (language === 'python' ? items.sort((a, b) => (fileOf(a) < fileOf(b) ? -1 : fileOf(a) > fileOf(b) ? 1 : 0)) : items);
  const functions = new Map<FunctionId, FunctionNode>();
  for (const fn of inFileOrder(byFiles.flatMap((summary) => summary.functions), (node) => node.location.file)) functions.set(fn.id, { ...fn });
  for (const summary of byFiles) {
    for (const { id, patchedBy, syncOnly } of summary.foreignFacts) {
      const fn = functions.get(id);
      if (!fn) continue;
      if (patchedBy.length > 0) fn.patchedBy = [...(fn.patchedBy ?? []), ...patchedBy];
      // The first call found decides, as in the front-end (the whole-program run walks files in order).
      if (syncOnly && !fn.syncOnly) fn.syncOnly = syncOnly;
    }
  }
  if (language === 'python') {
    // A whole-program run records a function's patches as it meets the tests, in file order.
    for (const fn of functions.values()) if (fn.patchedBy && fn.patchedBy.length > 1) fn.patchedBy.sort((a, b) => compareLocations(a.location, b.location));
  }
  const families = mergedFamilies(byFiles, functions, language);
  const missing = new Map<string, number>();
  const sites = inFileOrder(byFiles.flatMap((summary) =>
    summary.sites.filter((site) => {
      if (functions.has(site.callee)) return true;
      const owner = summary.interface.calls.find((call) => call.callee === site.callee)?.package ?? site.callee.split('#')[0]!;
      missing.set(owner, (missing.get(owner) ?? 0) + 1);
      return false;
    }),
  ), (site) => site.location.file);
  for (const [owner, count] of missing) {
    settings.onWarning?.(`--summaries-from: no summary holds ${owner}: ${count} call${count === 1 ? '' : 's'} into it ${count === 1 ? 'is' : 'are'} not followed (write its summary into the folder too)`);
  }
  const loose = new Set<UnresolvedCall>();
  const unresolved = inFileOrder(byFiles.flatMap((summary) =>
    summary.unresolved.map(({ loose: isLoose, ...call }) => {
      if (isLoose) loose.add(call);
      return call;
    }),
  ), (call) => call.location.file);
  const graph: CallGraph = { functions, sites, families, ...(unresolved.length > 0 ? { unresolved } : {}) };
  const hits = inFileOrder(byFiles.flatMap((summary) => summary.hits.map(hitFromSummary)), (hit) => hit.finding.file);
  const absolute = (file: string): string => path.join(settings.root, ...file.split('/'));
  const analysis: Analysis = {
    language,
    files: byFiles.flatMap((summary) => summary.files.filter((file) => !summary.skipped.some((entry) => entry.file === file)).map(absolute)),
    graph,
    hits,
    skipped: byFiles.flatMap((summary) => summary.skipped.map((entry) => ({ ...entry, file: absolute(entry.file) }))),
    entryPoints: byFiles.flatMap((summary) => summary.entryPoints ?? []),
  };
  return { analysis, loose };
}

function compareLocations(a: Location, b: Location): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

function firstFile(summary: PackageSummary): string {
  return summary.files[0] ?? summary.package.dir;
}

function checkSettings(summary: PackageSummary, settings: CombineSettings): void {
  const rules = [...settings.rules].sort().join(',');
  const problems: string[] = [];
  if (summary.settings.rules.join(',') !== rules) problems.push(`rules ${summary.settings.rules.join(',')} (this run: ${rules})`);
  if (summary.settings.unsafeFixes !== settings.unsafeFixes) problems.push(`unsafe fixes ${summary.settings.unsafeFixes ? 'on' : 'off'} (this run: ${settings.unsafeFixes ? 'on' : 'off'})`);
  if (summary.settings.public.join('\n') !== settings.public.join('\n')) problems.push(`the config's public globs differ`);
  if (problems.length > 0) throw new UsageError(`--summaries-from: the summary of ${summary.package.name} was written with ${problems.join(', ')}: write it again with the same options and config`);
}

/**
 * Families joined across summaries: each package saw the members its code links (an interface of
 * another package and its own implementations), so families sharing a member are one. Members keep
 * the order they are first met in, by file, as the whole-program run meets them.
 */
function mergedFamilies(summaries: readonly PackageSummary[], functions: Map<FunctionId, FunctionNode>, language: Language): Map<string, MethodFamily> {
  const parent = new Map<FunctionId, FunctionId>();
  const order: FunctionId[] = [];
  const find = (id: FunctionId): FunctionId => {
    if (!parent.has(id)) {
      parent.set(id, id);
      order.push(id);
    }
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(id, root);
    return root;
  };
  for (const summary of summaries) {
    for (const family of summary.families) {
      const members = family.members.filter((member) => functions.has(member));
      for (const member of members) {
        const a = find(members[0]!);
        const b = find(member);
        if (a !== b) parent.set(b, a);
      }
    }
  }
  const groups = new Map<FunctionId, FunctionId[]>();
  for (const id of order) {
    const root = find(id);
    groups.set(root, [...(groups.get(root) ?? []), id]);
  }
  const families = new Map<string, MethodFamily>();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    if (language === 'python') {
      // Named as the Python front-end names a family: its members sorted, after its interface member.
      members.sort();
      const named = pythonFamilyHead(members, (id) => functions.get(id));
      const id = `family:${named}`;
      families.set(id, { id, name: functions.get(named)!.name, members });
      for (const member of members) functions.get(member)!.familyId = id;
      continue;
    }
    const head = members.find((id) => functions.get(id)!.kind === 'abstract-method') ?? members[0]!;
    const id = `family:${members[0]}`;
    families.set(id, { id, name: functions.get(head)!.name, members });
    for (const member of members) functions.get(member)!.familyId = id;
  }
  return families;
}
