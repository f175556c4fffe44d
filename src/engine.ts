// The run: discover, analyse with each front-end, plan once over the merged graph, emit edits,
// and describe it all in a Report. Language-neutral: front-ends do everything language-specific.
import path from 'node:path';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { Config } from './config.js';
import { discoverFiles, languageOf } from './discovery.js';
import { applyEdits, EditOverlapError, EditSet, normalizeEdits, withOwnLineEndings } from './edits/edit-set.js';
import { UsageError } from './errors.js';
import { loadCompilerWithCodeCache } from './frontends/typescript/compiler-cache.js';
import type { Analysis, FrontEnd, RuleHit } from './frontend.js';
import type {
  AsyncRoot,
  BlockedEntry,
  MakeAsyncImpact,
  BreakingEntry,
  EntryPointEntry,
  UnresolvedCall,
  UnresolvedCallEntry,
  CallGraph,
  FunctionId,
  Language,
  Report,
  RuleId,
  Severity,
  SkippedFile,
  StaleMockEntry,
  Strategy,
} from './model.js';
import { capSeverity, RULE_IDS } from './model.js';
import { toReportPath } from './paths.js';
import { analyzeIsolated, markCallsIntoAsync, realRoots, undecodableFiles } from './safeguards.js';
import { decodeSource, encodeSource, stripBom, type SourceEncoding } from './source-text.js';
import { keptSyncReason, looseKey, planPropagation, type Plan } from './plan/propagate.js';
import { asyncReachable } from './plan/reachability.js';
import { TRANSFORMS } from '../transforms/index.js';
import { closestMatches } from './suggest.js';
import { isSuppressed, readSuppressions, type Suppressions } from './suppressions.js';
import { VERSION } from './version.js';
import { digestOf, FileChangedError, isWithin } from './write.js';
import { attachFixChanges, type EditedFile } from './fix-changes.js';
import type { Progress } from './progress.js';
import type { OracleName } from './frontends/typescript/oracle.js';

export interface EngineOptions {
  command: 'check' | 'migrate';
  paths: string[];
  cwd: string;
  config: Config;
  rules?: RuleId[];
  language?: Language;
  projectFile?: string;
  /** `--oracle`: which checker answers the TypeScript rules' type questions (default `js`). */
  oracle?: OracleName;
  /** Extra `--make-async` targets on top of the config's. */
  makeAsync: string[];
  strategy: Strategy;
  scope: 'reachable' | 'all';
  /** Apply fixes marked `unsafe` too (`--unsafe-fixes`); otherwise they are reported, not applied. */
  unsafeFixes?: boolean;
  /** Optional front-end factories beyond TypeScript (the Python front-end registers here). */
  extraFrontEnds?: ((root: string, config: Config, onWarning?: (message: string) => void) => FrontEnd | undefined)[];
  /** Hears of each phase and file as it finishes (cli: the progress display on a TTY). */
  progress?: Pick<Progress, 'phase' | 'advance'>;
  /** A problem the run goes on despite: one line, without the `async-migrate: warning: ` prefix. */
  onWarning?: (message: string) => void;
  /** The files to analyse, when the caller discovered them already (`--cache` hashes them first). */
  discovered?: string[];
  /** The folder report paths and function ids are relative to (default: the first path's folder). A package's summary uses the workspace root. */
  root?: string;
  /** TypeScript: declare the functions of the program's other source files too (a package's summary: calls into other workspace packages get their ids). */
  declareOtherFiles?: boolean;
}

export interface FileOutput {
  absolute: string;
  file: string;
  before: string;
  after: string;
  /** The file's own encoding, which the write keeps. */
  encoding: SourceEncoding;
  /** The sha256 of the bytes `before` was decoded from: the write checks the file still holds them. */
  digest: string;
}

export interface EngineResult {
  report: Report;
  outputs: FileOutput[];
  root: string;
  /** Files read besides those analysed (the TypeScript program's others, tsconfigs): inputs for `--cache`. */
  dependencies?: string[];
}

const MAX_ROUNDS = 6;

/**
 * What the planning starts from: the front-ends' analyses of the files found, or (`--summaries-from`)
 * the analyses the per-package runs wrote, with no front-end and so no edits.
 */
export interface AnalysedInput {
  root: string;
  /** Files found (the report's `summary.files`). */
  fileCount: number;
  absolutePaths: string[];
  frontEnds: { frontEnd: FrontEnd; files: string[] }[];
  analyses: Analysis[];
  /** Files left out before any front-end saw them (absolute path -> reason). */
  undecodable: Map<string, string>;
  /** Files no front-end of this build handles are listed from these. */
  analysable: string[];
  /** Resolves `--make-async` targets and names when there is no front-end (a combined run). */
  targets?: Pick<FrontEnd, 'resolveTarget' | 'targetNames'>;
  /** Answer the oracle step's questions when there is no front-end (a combined run: the loose matches a Python front-end drops). */
  oracles?: Pick<FrontEnd, 'language' | 'resolveCalls'>[];
  /** The hits are filtered by suppressions already (a summary's were, where the sources were read). */
  hitsUnsuppressed?: boolean;
}

/** Discovers the files and runs each front-end on its own: everything before the plan. */
export async function analyseInput(options: EngineOptions): Promise<AnalysedInput> {
  const paths = options.paths.length > 0 ? options.paths : ['.'];
  const absolutePaths = paths.map((p) => path.resolve(options.cwd, p));
  const { progress } = options;
  progress?.phase('discover');
  const discovery = { include: options.config.include, exclude: options.config.exclude, language: options.language };
  const files = options.discovered ?? (await discoverFiles(absolutePaths, discovery));
  if (files.length === 0) throw new UsageError(await noFilesFound(paths, absolutePaths, discovery));
  const root = options.root ?? (await reportRoot(absolutePaths));
  const rules = enabledRules(options.rules, options.config);
  progress?.phase('read', files.length);
  // A file that cannot be decoded exactly is skipped before any front-end sees it: a lossy decode
  // would be written back with U+FFFD in place of its bytes.
  const undecodable = await undecodableFiles(files, (count) => progress?.advance(count));

  const frontEnds: { frontEnd: FrontEnd; files: string[] }[] = [];
  const analysable = files.filter((file) => !undecodable.has(file));
  const tsFiles = analysable.filter((file) => languageOf(file) === 'typescript');
  if (tsFiles.length > 0) {
    // Imported here, not at the top: a run without TypeScript or JavaScript files never loads the compiler.
    loadCompilerWithCodeCache();
    const { createTypeScriptFrontEnd } = await import('./frontends/typescript/index.js');
    frontEnds.push({
      frontEnd: createTypeScriptFrontEnd({ root, config: options.config, projectFile: options.projectFile, oracle: options.oracle, searchFrom: absolutePaths[0]!, onWarning: options.onWarning, declareOtherFiles: options.declareOtherFiles }),
      files: tsFiles,
    });
  }
  const pyFiles = analysable.filter((file) => languageOf(file) === 'python');
  if (pyFiles.length > 0) {
    for (const factory of options.extraFrontEnds ?? []) {
      const frontEnd = factory(root, options.config, options.onWarning);
      if (frontEnd?.language === 'python') frontEnds.push({ frontEnd, files: pyFiles });
    }
  }

  const analyses: Analysis[] = [];
  for (const { frontEnd, files: languageFiles } of frontEnds) {
    analyses.push(await analyzeIsolated(frontEnd, languageFiles, rules, progress));
  }
  return { root, fileCount: files.length, absolutePaths, frontEnds, analyses, undecodable, analysable };
}

/** The hits of the enabled rules that no suppression comment silences, in the analyses' order. */
export async function unsuppressedHits(analyses: readonly Analysis[], rules: ReadonlySet<RuleId>, root: string): Promise<RuleHit[]> {
  const suppressionsByFile = new Map<string, Suppressions | undefined>();
  const suppressionsOf = async (file: string): Promise<Suppressions | undefined> => {
    if (!suppressionsByFile.has(file)) suppressionsByFile.set(file, readSuppressions(await readFile(path.join(root, file), 'utf8'), languageOf(file)));
    return suppressionsByFile.get(file);
  };
  const hits: RuleHit[] = [];
  for (const hit of analyses.flatMap((analysis) => analysis.hits)) {
    if (!rules.has(hit.finding.rule)) continue;
    if (isSuppressed(await suppressionsOf(hit.finding.file), hit.finding.rule, hit.finding.line)) continue;
    hits.push(hit);
  }
  return hits;
}

export async function runEngine(givenOptions: EngineOptions, given?: AnalysedInput): Promise<EngineResult> {
  // The front-ends learn from the config whether unsafe fixes apply (the flag or the config key).
  const unsafeFixes = givenOptions.unsafeFixes === true || givenOptions.config.unsafeFixes;
  const options: EngineOptions = { ...givenOptions, unsafeFixes, config: { ...givenOptions.config, unsafeFixes } };
  const { progress } = options;
  const input = given ?? (await analyseInput(options));
  const { root, absolutePaths, frontEnds, analyses, undecodable, analysable } = input;
  const rules = enabledRules(options.rules, options.config);
  const graph = mergeGraphs(analyses.map((analysis) => analysis.graph));
  const hits = input.hitsUnsuppressed ? analyses.flatMap((analysis) => analysis.hits).filter((hit) => rules.has(hit.finding.rule)) : await unsuppressedHits(analyses, rules, root);
  // A finding the tool cannot prove may flag a correct program: its cap keeps it below `error`.
  for (const hit of hits) hit.finding.severity = capSeverity(severityOf(hit.finding.rule, options.config), hit.severityCap);
  const resolvers: Pick<FrontEnd, 'resolveTarget' | 'targetNames'>[] = [...frontEnds.map(({ frontEnd }) => frontEnd), ...(input.targets ? [input.targets] : [])];

  // Roots chosen by the user; those given on the command line are the decision `check` weighs.
  const userRoots: AsyncRoot[] = [];
  const commandLineTargets: { target: string; roots: AsyncRoot[] }[] = [];
  const targets = [...options.config.makeAsync.map((target) => ({ target, fromCommandLine: false })), ...options.makeAsync.map((target) => ({ target, fromCommandLine: true }))];
  for (const { target, fromCommandLine } of targets) {
    const ids = resolvers.flatMap((resolver) => resolver.resolveTarget(target));
    if (ids.length === 0) {
      const names = resolvers.flatMap((resolver) => resolver.targetNames());
      const close = closestMatches(target, names);
      throw new UsageError(`--make-async: no function matches "${target}"${close.length > 0 ? `; did you mean ${close.map((n) => `"${n}"`).join(', ')}?` : ''}`);
    }
    const roots = ids.map((id): AsyncRoot => ({ function: id, reason: `--make-async ${target}` }));
    userRoots.push(...roots);
    if (fromCommandLine) commandLineTargets.push({ target, roots });
  }
  for (const name of options.config.entryPoints) {
    for (const resolver of resolvers) {
      for (const id of resolver.resolveTarget(name)) {
        const fn = graph.functions.get(id);
        if (fn && !fn.syncOnly) {
          fn.syncOnly = {
            kind: 'entry-point',
            reason: `${fn.name} is an entry point the config says must stay sync`,
            suggestion: `Bridge from ${fn.name} into async code (\`main().catch(…)\`, \`asyncio.run(…)\`) instead of awaiting in it.`,
          };
        }
      }
    }
  }

  progress?.phase('plan');
  let { plan, counted, reachable } = planToFixpoint(graph, hits, userRoots, options);
  // Calls the front-ends could not resolve that may call a function turning async: a slower oracle
  // (pyright) is asked about exactly those, and the plan is made again with what it resolved.
  const askedOracle = new Set<UnresolvedCall>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const open = oracleQuestions(graph, plan, hits, counted).filter((call) => !askedOracle.has(call));
    if (open.length === 0) break;
    let added = 0;
    for (const frontEnd of [...frontEnds.map((entry) => entry.frontEnd), ...(input.oracles ?? [])]) {
      const mine = open.filter((call) => languageOf(call.location.file) === frontEnd.language);
      if (!frontEnd.resolveCalls || mine.length === 0) continue;
      for (const call of mine) askedOracle.add(call);
      progress?.phase('pyright');
      const { sites, resolved } = await frontEnd.resolveCalls(mine);
      progress?.phase('plan');
      graph.sites.push(...sites);
      added += sites.length;
      const done = new Set(resolved);
      graph.unresolved = graph.unresolved?.filter((call) => !done.has(call));
    }
    if (added === 0) break;
    ({ plan, counted, reachable } = planToFixpoint(graph, hits, userRoots, options));
  }
  // What the oracle left unresolved in Python now blocks the functions it may call, as in TypeScript.
  if ((graph.unresolved ?? []).some((call) => languageOf(call.location.file) === 'python')) ({ plan, counted, reachable } = planToFixpoint(graph, hits, userRoots, options, ORACLE_SETTLED));
  // `check --make-async`: the same plan without the command line's targets, to show what they add.
  const commandLineRoots = new Set(commandLineTargets.flatMap(({ roots }) => roots));
  const defaultPlan =
    options.command === 'check' && commandLineTargets.length > 0
      ? planToFixpoint(graph, hits, userRoots.filter((root) => !commandLineRoots.has(root)), options, ORACLE_SETTLED)
      : undefined;

  // Which fixes apply: those whose enclosing function runs async after the plan, and, without
  // --unsafe-fixes, only safe ones. An unsafe fix is still reported as fixable, with its applicability.
  const runsAsync = (id: FunctionId): boolean => runsAsyncUnder(graph, plan, id);
  const fixes: RuleHit[] = [];
  const fallbacks: RuleHit[] = [];
  const applied = new Set<RuleHit>();
  // Some edits only --unsafe-fixes makes (a bridge with code after it, `await Promise.all` over a
  // map): a finding whose fix needs one is unsafe. The plan under the other setting says which.
  const otherPlan = planDiffersWithUnsafeFixes(graph, plan, unsafeFixes) ? planToFixpoint(graph, hits, userRoots, { ...options, unsafeFixes: !unsafeFixes }, ORACLE_SETTLED).plan : undefined;
  const safePlan = unsafeFixes ? otherPlan : plan;
  /** The edits the safe plan refused that this function's fix needs, as suggestions (what --unsafe-fixes does). */
  const unsafeEdits = (id: FunctionId): string[] | undefined => {
    if (!safePlan || !otherPlan || runsAsyncUnder(graph, safePlan, id) || !runsAsyncUnder(graph, unsafeFixes ? plan : otherPlan, id)) return undefined;
    // The root of its chain of blocks, or (a refusal that names no cause, under dual) a blocked caller.
    const edit =
      safePlan.blocked.get(rootBlock(safePlan, id))?.unsafeFix ??
      graph.sites.filter((site) => site.callee === id).map((site) => safePlan.blocked.get(site.caller)?.unsafeFix).find((fix) => fix !== undefined);
    return edit ? [edit] : [];
  };
  const markFix = (hit: RuleHit, applicability: 'safe' | 'unsafe', apply: boolean, suggestions = hit.suggestions): void => {
    hit.finding.fixable = true;
    hit.finding.applicability = applicability;
    if (suggestions && suggestions.length > 0) hit.finding.suggestions = suggestions;
    if (apply) applied.add(hit);
  };
  for (const hit of counted) {
    if (hit.kind === 'await') {
      // Say which of the two fixes applies: the callee turns async (the await stays), or the await goes.
      const callee = hit.awaitedCallee;
      const calleeTurnsAsync = callee !== undefined && plan.asyncFunctions.has(callee);
      if (calleeTurnsAsync) {
        hit.finding.message += `; fix: ${graph.functions.get(callee)!.name} turns async`;
        // The await stays: the suggestions about removing it no longer apply.
        const needed = unsafeEdits(callee);
        markFix(hit, needed ? 'unsafe' : 'safe', true, needed ?? []);
      } else if (hit.fallbackFix) {
        const applicability = hit.fallbackApplicability ?? 'safe';
        const apply = applicability === 'safe' || unsafeFixes;
        if (apply) fallbacks.push(hit);
        hit.finding.message += applicability === 'safe' ? '; fix: remove the await' : '; suggested fix (unsafe): remove the await';
        markFix(hit, applicability, apply);
      } else notFixable(hit); // neither fix is known to be right: reported, not edited
      continue;
    }
    const applicability = hit.applicability ?? 'safe';
    const needed = hit.fix && hit.needsAsync ? unsafeEdits(hit.enclosing) : undefined;
    if (hit.fix && (!hit.needsAsync || runsAsync(hit.enclosing))) {
      const apply = fixApplies(hit, unsafeFixes);
      if (apply) fixes.push(hit);
      if (needed) markFix(hit, 'unsafe', apply, [...needed, ...(hit.suggestions ?? [])]);
      else markFix(hit, applicability, apply);
    } else if (hit.fix && applicability === 'unsafe' && !unsafeFixes && couldRunAsync(graph, plan, hit)) {
      // Not applied, so it turned nothing async; with --unsafe-fixes its function would turn async.
      markFix(hit, 'unsafe', false);
    } else if (needed) markFix(hit, 'unsafe', false, [...needed, ...(hit.suggestions ?? [])]);
    else notFixable(hit);
  }

  // Emitting and checking the edits is the end of planning: nothing is written here (the cli writes).
  const edits = new EditSet();
  for (const { frontEnd } of frontEnds) frontEnd.emit({ plan, fixes, fallbacks, graph }, edits);
  const outputs: FileOutput[] = [];
  const skipped: SkippedFile[] = analyses.flatMap((analysis) =>
    analysis.skipped.map((s) => ({ file: toReportPath(root, s.file), reason: s.reason, ...(s.internalError ? { internalError: true } : {}) })),
  );
  for (const [file, reason] of undecodable) skipped.push({ file: toReportPath(root, file), reason });
  // Files of a language no front-end in this build handles are listed, never silently dropped.
  const handled = new Set(frontEnds.flatMap(({ files: handledFiles }) => handledFiles));
  for (const file of analysable) if (!handled.has(file)) skipped.push({ file: toReportPath(root, file), reason: `no ${languageOf(file)} front-end in this build` });
  // Every file so far was left out of the analysis, so nothing awaits the calls in it.
  const analysedFiles = new Set(analyses.flatMap((analysis) => analysis.files.map((file) => toReportPath(root, file))));
  await markCallsIntoAsync(skipped, root, graph, plan, analysedFiles);
  const changes: Report['changes'] = [];
  const candidates: (FileOutput & { edits: number; sources: string[]; linesCopied: number; edited: EditedFile })[] = [];
  const editedFiles: EditedFile[] = [];
  const writableRoots = await realRoots(absolutePaths);
  for (const absolute of edits.files()) {
    const file = toReportPath(root, absolute);
    // A link out of the paths given (a file given through a symlink) is never written through.
    const real = await realpath(absolute);
    if (!writableRoots.some((writable) => isWithin(writable, real))) {
      skipped.push({ file, reason: `it is a symbolic link to ${real}, outside the paths being migrated; the file is left unchanged` });
      continue;
    }
    // The edits' offsets index the text the front-end analysed: they are applied to that very text,
    // and the write later checks the file still holds these bytes (an editor's save, a second run).
    const bytes = await readFile(absolute);
    let decoded: ReturnType<typeof decodeSource>;
    try {
      decoded = decodeSource(absolute, bytes);
    } catch {
      throw new FileChangedError(shownFromCwd(options.cwd, absolute)); // it decoded when it was analysed
    }
    const { text: before, encoding } = decoded;
    const text = stripBom(before);
    const analysed = frontEnds.find(({ frontEnd }) => frontEnd.language === languageOf(absolute))?.frontEnd.analysedText?.(absolute);
    if (analysed !== undefined && analysed !== text) throw new FileChangedError(shownFromCwd(options.cwd, absolute));
    const digest = digestOf(bytes);
    try {
      const normalized = normalizeEdits(file, text, withOwnLineEndings(text, edits.editsFor(absolute)));
      if (normalized.length === 0) continue;
      const after = (before.length !== text.length ? before.slice(0, 1) : '') + applyEdits(text, normalized);
      if (after === before) continue;
      if (!encodeSource(after, encoding)) {
        skipped.push({ file, reason: `the migrated text has characters that ${encoding === 'latin1' ? 'Latin-1' : encoding} cannot encode; the file is left unchanged` });
        continue;
      }
      candidates.push({ absolute, file, before, after, encoding, digest, edits: normalized.length, sources: [...new Set(normalized.map((e) => e.source))], linesCopied: linesCopiedBy(normalized), edited: { file, text, edits: normalized } });
    } catch (error) {
      if (!(error instanceof EditOverlapError)) throw error;
      skipped.push({ file, reason: `${error.message}; the file is left unchanged` });
    }
  }
  // The last guard: a file whose edited text no longer parses is left unchanged and reported.
  for (const { frontEnd } of frontEnds) {
    const mine = candidates.filter((candidate) => languageOf(candidate.absolute) === frontEnd.language);
    const errors = await frontEnd.syntaxErrors(new Map(mine.map((candidate) => [candidate.absolute, candidate.after])));
    for (const candidate of mine) {
      const error = errors.get(candidate.absolute);
      if (error) {
        skipped.push({ file: candidate.file, reason: `the migrated text does not parse (${error}); the file is left unchanged (edits from: ${candidate.sources.join(', ')})` });
        continue;
      }
      editedFiles.push(candidate.edited);
      outputs.push({ absolute: candidate.absolute, file: candidate.file, before: candidate.before, after: candidate.after, encoding: candidate.encoding, digest: candidate.digest });
      changes.push({ file: candidate.file, edits: candidate.edits, ...(candidate.linesCopied > 0 ? { linesCopied: candidate.linesCopied } : {}) });
    }
  }

  // By package.json (a stable sort keeps each package's manifest order), whichever way the analyses came.
  const entryPoints = analyses.flatMap((analysis) => analysis.entryPoints ?? []).sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
  const report = buildReport(options, root, input.fileCount, counted, graph, plan, changes, skipped, reachable, applied, entryPoints);
  const appliedFindings = new Set([...applied].map((hit) => hit.finding));
  const withoutFinding = attachFixChanges(report.findings, appliedFindings, plan.asyncFunctions, editedFiles.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)));
  if (withoutFinding > 0) report.editsWithoutFinding = withoutFinding;
  if (defaultPlan) report.makeAsync = makeAsyncImpact(commandLineTargets, graph, plan, defaultPlan, report, unsafeFixes);
  const dependencies = frontEnds.flatMap(({ frontEnd }) => frontEnd.dependencies?.() ?? []);
  return { report, outputs, root, dependencies };
}

/** A path as the user sees it from the working directory (the CLI's error lines). */
function shownFromCwd(cwd: string, absolute: string): string {
  return path.relative(cwd, absolute).split(path.sep).join('/');
}

interface PlannedRun {
  plan: Plan;
  /** The rule hits that count once the plan is known (blocking calls on the event loop). */
  counted: RuleHit[];
  reachable: Set<FunctionId>;
}

/** planToFixpoint's last argument once the oracles have answered: Python's unresolved calls block. */
const ORACLE_SETTLED = true;

/** Plan to a fixpoint: a function that turns async makes the blocking calls it reaches count. */
export function planToFixpoint(graph: CallGraph, hits: readonly RuleHit[], userRoots: readonly AsyncRoot[], options: EngineOptions, oracleSettled = false): PlannedRun {
  let plan: Plan | undefined;
  let counted: RuleHit[] = [];
  let reachable = new Set<FunctionId>();
  const unsafeFixes = options.unsafeFixes === true;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    reachable = asyncReachable(graph, plan ? [...plan.asyncFunctions.keys()] : []);
    const current = plan;
    const awaiting = modulesMadeToAwait(graph, current, counted, unsafeFixes);
    counted = hits.filter((hit) =>
      (!hit.onlyInAsync || runsAsyncUnder(graph, current, hit.enclosing)) &&
      (hit.kind !== 'blocking' || options.scope === 'all' || countsAsAsyncCode(hit.enclosing, graph, reachable) || awaiting.has(hit.enclosing)));
    const roots = [...userRoots, ...rootsOf(counted, graph, options.strategy, unsafeFixes)];
    const next = planPropagation(graph, roots, { strategy: options.strategy, reachable, unsafeFixes, oracleSettled });
    const stable = plan !== undefined && sameKeys(plan.asyncFunctions, next.asyncFunctions);
    plan = next;
    if (stable) break;
  }
  plan ??= planPropagation(graph, userRoots, { strategy: options.strategy, unsafeFixes, oracleSettled });
  return { plan, counted, reachable };
}

/**
 * Top-level code the plan makes await (a call of a function turning async, or a floating promise
 * awaited): once migrated it is top-level code that awaits, whose blocking calls count. Counting them
 * in the same run keeps a second run from finding them (it would read the awaits as the author's).
 */
function modulesMadeToAwait(graph: CallGraph, plan: Plan | undefined, counted: readonly RuleHit[], unsafeFixes: boolean): Set<FunctionId> {
  const modules = new Set<FunctionId>();
  if (!plan) return modules;
  const isAwaitingModule = (id: FunctionId): boolean => {
    const fn = graph.functions.get(id);
    return fn?.kind === 'module' && !fn.syncOnly;
  };
  for (const site of plan.awaitSites) if (isAwaitingModule(site.caller)) modules.add(site.caller);
  for (const hit of counted) if (fixApplies(hit, unsafeFixes) && hit.needsAsync && isAwaitingModule(hit.enclosing)) modules.add(hit.enclosing);
  return modules;
}

/** What the command line's `--make-async` targets add to the default plan, and whether each was refused. */
function makeAsyncImpact(
  targets: readonly { target: string; roots: AsyncRoot[] }[],
  graph: CallGraph,
  plan: Plan,
  baseline: PlannedRun,
  report: Report,
  unsafeFixes: boolean,
): MakeAsyncImpact {
  const before = planEntries(graph, baseline.plan);
  // The same place in both plans is not new, even when its chain or reason differs.
  const added = <T extends { file: string; line: number; name?: string; callee?: string }>(entries: T[], existing: T[]): T[] => {
    const key = (entry: T): string => `${entry.file}:${entry.line}:${entry.name ?? entry.callee}`;
    const known = new Set(existing.map(key));
    return entries.filter((entry) => !known.has(key(entry)));
  };
  // A file the default plan already edits is not the decision's doing.
  const defaultFiles = new Set([...before.asyncFunctions, ...before.awaitedCalls].map((entry) => entry.file));
  for (const hit of baseline.counted) {
    if (fixApplies(hit, unsafeFixes) && (!hit.needsAsync || runsAsyncUnder(graph, baseline.plan, hit.enclosing))) defaultFiles.add(hit.finding.file);
  }
  return {
    targets: targets.flatMap(({ target, roots }) =>
      roots.map((root) => {
        const fn = graph.functions.get(root.function)!;
        const refused = plan.blocked.get(root.function);
        return {
          target,
          name: fn.name,
          file: fn.location.file,
          line: fn.location.line,
          ...(refused ? { blocked: { kind: refused.kind, reason: refused.reason, suggestion: refused.suggestion } } : {}),
        };
      }),
    ),
    asyncFunctions: added(report.asyncFunctions, before.asyncFunctions),
    awaitedCalls: added(report.awaitedCalls, before.awaitedCalls),
    files: report.changes.map((change) => change.file).filter((file) => !defaultFiles.has(file)),
    breaking: added(report.breaking, before.breaking),
    blocked: added(report.blocked, before.blocked),
  };
}

/** Paths in the report are relative to the first path given (its folder, when it is a file). */
async function reportRoot(absolutePaths: string[]): Promise<string> {
  const first = absolutePaths[0]!;
  const info = await stat(first);
  return info.isDirectory() ? first : path.dirname(first);
}

/** The rules a run applies: those asked for, else every rule the config does not turn off. */
export function enabledRules(requested: RuleId[] | undefined, config: Config): Set<RuleId> {
  const rules = new Set<RuleId>(requested ?? RULE_IDS);
  for (const [rule, setting] of Object.entries(config.rules)) if (setting === 'off' && !requested) rules.delete(rule as RuleId);
  return rules;
}

function severityOf(rule: RuleId, config: Config): Severity {
  const configured = config.rules[rule];
  if (configured && configured !== 'off') return configured;
  return TRANSFORMS.find((transform) => transform.id === rule)?.severity ?? 'error';
}

function mergeGraphs(graphs: CallGraph[]): CallGraph {
  if (graphs.length === 1) return graphs[0]!;
  const merged: CallGraph = { functions: new Map(), sites: [], families: new Map() };
  for (const graph of graphs) {
    for (const [id, fn] of graph.functions) merged.functions.set(id, fn);
    merged.sites.push(...graph.sites);
    for (const [id, family] of graph.families) merged.families.set(id, family);
    if (graph.unresolved) (merged.unresolved ??= []).push(...graph.unresolved);
  }
  return merged;
}

/** Whether code in the function runs on the event loop once the plan is applied (no plan yet: as written). */
function runsAsyncUnder(graph: CallGraph, plan: Plan | undefined, id: FunctionId): boolean {
  const fn = graph.functions.get(id);
  if (!fn || plan?.blocked.has(id)) return false;
  return fn.isAsync || (plan?.asyncFunctions.has(id) ?? false) || (fn.kind === 'module' && !fn.syncOnly);
}

/**
 * The plan met a place the planner treats differently under --unsafe-fixes (see `intrinsicBlock`):
 * without the flag, a block that names its unsafe fix; with it, a function turned async through one.
 */
function planDiffersWithUnsafeFixes(graph: CallGraph, plan: Plan, unsafeFixes: boolean): boolean {
  if (!unsafeFixes) return [...plan.blocked.values()].some((why) => why.unsafeFix !== undefined);
  if (graph.sites.some((site) => ((site.entryCall && site.entryFollowedBy !== undefined) || site.callback?.rewrite === 'promise-all') && plan.asyncFunctions.has(site.callee))) return true;
  // A function turned async although an untyped call of its language may reach it (the planner's `loose` block).
  const looseNames = new Set((graph.unresolved ?? []).map((call) => looseKey(call.location.file, call.name)));
  return [...plan.asyncFunctions.keys()].some((id) => {
    const fn = graph.functions.get(id);
    return fn !== undefined && looseNames.has(looseKey(fn.location.file, fn.name.slice(fn.name.lastIndexOf('.') + 1)));
  });
}

/** The hit has a fix this run applies: a safe one, or an unsafe one under --unsafe-fixes. */
function fixApplies(hit: RuleHit, unsafeFixes: boolean): boolean {
  return hit.fix !== undefined && (hit.applicability !== 'unsafe' || unsafeFixes);
}

/** A finding with no fix the tool can apply: what to do is in its message (and `suggestions`, when given). */
function notFixable(hit: RuleHit): void {
  hit.finding.fixable = false;
  if (hit.suggestions && hit.suggestions.length > 0) {
    hit.finding.applicability = 'display-only';
    hit.finding.suggestions = hit.suggestions;
  }
}

/** An unsafe fix that needs its function async, which nothing stops from turning async with --unsafe-fixes. */
function couldRunAsync(graph: CallGraph, plan: Plan, hit: RuleHit): boolean {
  const fn = graph.functions.get(hit.enclosing);
  return fn !== undefined && !hit.onlyInAsync && fn.syncOnly === undefined && !plan.blocked.has(hit.enclosing);
}

function rootsOf(hits: RuleHit[], graph: CallGraph, strategy: Strategy, unsafeFixes: boolean): AsyncRoot[] {
  const roots: AsyncRoot[] = [];
  for (const hit of hits) {
    // Under dual, an awaited sync callee gets its async sibling (seed 000's plan): the await was meant.
    if (hit.kind === 'await' && strategy === 'dual' && hit.awaitedCallee) {
      roots.push({ function: hit.awaitedCallee, reason: `${hit.finding.file}:${hit.finding.line} ${hit.finding.rule}` });
      continue;
    }
    // An unsafe fix never turns a function async unless the user asked for unsafe fixes.
    if (!fixApplies(hit, unsafeFixes) || !hit.needsAsync || hit.onlyInAsync) continue;
    const fn = graph.functions.get(hit.enclosing);
    if (!fn || fn.isAsync) continue;
    roots.push({ function: hit.enclosing, reason: `${hit.finding.file}:${hit.finding.line} ${hit.finding.rule}` });
  }
  return roots;
}

function sameKeys(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const key of a.keys()) if (!b.has(key)) return false;
  return true;
}

function byLocation<T extends { file: string; line: number; column?: number }>(a: T, b: T): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.column ?? 0) - (b.column ?? 0);
}

/** The first blocked function in the chain of blocks `id` waits on (itself when it waits on none). */
function rootBlock(plan: Plan, id: FunctionId): FunctionId {
  const seen = new Set<FunctionId>([id]);
  let current = id;
  for (let next = plan.blocked.get(current)?.blockedBy; next !== undefined && !seen.has(next); next = plan.blocked.get(current)?.blockedBy) {
    seen.add(next);
    current = next;
  }
  return current;
}

/** The plan as report entries, each list sorted by location. */
function planEntries(graph: CallGraph, plan: Plan): Pick<Report, 'asyncFunctions' | 'awaitedCalls' | 'blocked' | 'breaking'> {
  const nameOf = (id: FunctionId): string => graph.functions.get(id)?.name ?? id;
  // Under dual the function that is async is the sibling: name it, so the report says what exists.
  const asyncFunctions = [...plan.asyncFunctions].map(([id, because]) => {
    const fn = graph.functions.get(id)!;
    const name = !plan.dualFunctions.has(id) ? fn.name : fn.asyncSibling ? fn.name.slice(0, fn.name.lastIndexOf('.') + 1) + fn.asyncSibling : siblingName(fn.name, fn.location.file);
    const suggestion = plan.dualFunctions.has(id) ? undefined : syncNameSuggestion(fn.name, fn.location.file);
    return { name, file: fn.location.file, line: fn.location.line, because, ...(suggestion ? { suggestion } : {}) };
  });
  asyncFunctions.sort(byLocation);
  const awaitedCalls = plan.awaitSites
    .filter((site) => !site.isAwaited || plan.dualFunctions.has(site.callee))
    .map((site) => ({ file: site.location.file, line: site.location.line, callee: nameOf(site.callee) }));
  for (const site of [...plan.callbackSites, ...plan.entrySites]) {
    if (site.kind === 'callback' && site.callback?.rewrite === 'accepts-async') continue;
    awaitedCalls.push({ file: site.location.file, line: site.location.line, callee: nameOf(site.callee) });
  }
  awaitedCalls.sort(byLocation);
  const blocked: BlockedEntry[] = [...plan.blocked].map(([id, why]) => {
    const fn = graph.functions.get(id)!;
    const root = rootBlock(plan, id);
    const cause = root === id ? undefined : graph.functions.get(root);
    return {
      kind: why.kind,
      file: fn.location.file,
      line: fn.location.line,
      name: fn.name,
      reason: why.reason,
      suggestion: why.suggestion,
      ...(cause ? { cause: { name: cause.name, file: cause.location.file, line: cause.location.line } } : {}),
    };
  });
  // A call that cannot move to its callee's sibling keeps the sync version there (dual).
  for (const site of plan.keptSyncCalls ?? []) {
    const why = keptSyncReason(graph, site);
    blocked.push({ kind: 'caller', file: site.location.file, line: site.location.line, name: nameOf(site.callee), reason: why.reason, suggestion: why.suggestion });
  }
  blocked.sort(byLocation);
  const breaking: BreakingEntry[] = [];
  for (const id of plan.asyncFunctions.keys()) {
    const fn = graph.functions.get(id)!;
    if (!plan.dualFunctions.has(id) && !fn.returnsPromise) {
      for (const alias of fn.exportedAs ?? []) {
        breaking.push({ file: alias.location.file, line: alias.location.line, name: alias.name, before: alias.signature, after: alias.asyncSignature });
      }
    }
    if (!(fn.isExported || fn.entryPoint) || !fn.signature || fn.returnsPromise) continue; // Promise<T> stays Promise<T>
    const entry = fn.entryPoint ? { entryPoint: fn.entryPoint.field, package: fn.entryPoint.package } : {};
    if (plan.dualFunctions.has(id)) {
      // Under dual, nothing changes for callers; a member added to an exported interface is still
      // something every implementation outside the project must add, and a sibling a package entry
      // point exposes is new API of the package.
      if ((fn.kind === 'abstract-method' || fn.entryPoint) && fn.asyncSibling === undefined) {
        breaking.push({ file: fn.location.file, line: fn.location.line, name: siblingName(fn.name, fn.location.file), before: '', after: siblingSignature(fn.asyncSignature ?? fn.signature, fn.name, fn.location.file), kind: 'additive', ...entry });
      }
      continue;
    }
    const child = fn.returnsChildProcess;
    const note = child
      ? `its result changes from the child process object (${child.before}) to ${child.after}: callers that used the child (its pid, kill(), streams) no longer get it`
      : undefined;
    breaking.push({ file: fn.location.file, line: fn.location.line, name: fn.name, before: fn.signature, after: fn.asyncSignature ?? fn.signature, ...(note ? { note } : {}), ...entry });
  }
  breaking.sort(byLocation);
  return { asyncFunctions, awaitedCalls, blocked, breaking };
}

function buildReport(
  options: EngineOptions,
  root: string,
  fileCount: number,
  hits: RuleHit[],
  graph: CallGraph,
  plan: Plan,
  changes: Report['changes'],
  skipped: SkippedFile[],
  reachable: ReadonlySet<FunctionId>,
  applied: ReadonlySet<RuleHit>,
  entryPoints: EntryPointEntry[] = [],
): Report {
  const findings = hits.map((hit) => hit.finding).sort((a, b) => byLocation(a, b) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  const { asyncFunctions, awaitedCalls, blocked, breaking } = planEntries(graph, plan);
  changes.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const additive = breaking.filter((entry) => entry.kind === 'additive').length;
  const linesCopied = changes.reduce((sum, change) => sum + (change.linesCopied ?? 0), 0);
  const byRule: Report['summary']['byRule'] = {};
  for (const finding of findings) byRule[finding.rule] = (byRule[finding.rule] ?? 0) + 1;
  // Under --scope all every blocking call counts; otherwise those on the event loop.
  const blockingHits = hits.filter((hit) => hit.kind === 'blocking' && (options.scope === 'all' || countsAsAsyncCode(hit.enclosing, graph, reachable)));
  const unresolvedCalls = unresolvedCallsOf(graph, plan);
  const fixesBy = (applicability: 'safe' | 'unsafe'): number => findings.filter((finding) => finding.fixable && finding.applicability === applicability).length;
  const staleMocks = staleMocksOf(graph, plan);
  const report: Report = {
    tool: 'async-migrate',
    version: VERSION,
    command: options.command,
    root: toReportPath(options.cwd, root),
    findings,
    asyncFunctions,
    awaitedCalls,
    blocked,
    breaking,
    changes,
    skipped: skipped.sort((a, b) => (a.file < b.file ? -1 : 1)),
    ...(unresolvedCalls.length > 0 ? { unresolvedCalls } : {}),
    ...(staleMocks.length > 0 ? { staleMocks } : {}),
    ...(entryPoints.length > 0 ? { entryPoints } : {}),
    summary: {
      files: fileCount,
      findings: findings.length,
      byRule,
      functionsMadeAsync: asyncFunctions.length,
      callSitesAwaited: awaitedCalls.length,
      blocked: blocked.length,
      breaking: breaking.length - additive,
      ...(additive > 0 ? { additive } : {}),
      filesChanged: changes.length,
      fixes: { safe: fixesBy('safe'), unsafe: fixesBy('unsafe'), unsafeApplied: options.unsafeFixes ?? false },
      ...(linesCopied > 0 ? { linesCopied } : {}),
      ...(staleMocks.length > 0 ? { staleMocks: staleMocks.length } : {}),
      ...(unresolvedCalls.length > 0 ? { unresolvedCalls: unresolvedCalls.length } : {}),
    },
    coverage: {
      asyncReachableSites: blockingHits.length,
      stillBlocking: blockingHits.filter((hit) => !applied.has(hit)).length,
    },
  };
  return report;
}

/** Unresolved call sites whose simple name is that of a function of their language that turns async, with those functions' names. */
function unresolvedMayCallAsync(graph: CallGraph, plan: Plan): { call: UnresolvedCall; mayCall: string[] }[] {
  // A TypeScript call never reaches a Python function, nor the other way round.
  const byName = new Map<string, string[]>();
  const key = (language: Language | undefined, name: string): string => `${language}:${name}`;
  for (const id of plan.asyncFunctions.keys()) {
    const fn = graph.functions.get(id)!;
    const nameKey = key(languageOf(fn.location.file), fn.name.slice(fn.name.lastIndexOf('.') + 1));
    byName.set(nameKey, [...(byName.get(nameKey) ?? []), fn.name]);
  }
  const found: { call: UnresolvedCall; mayCall: string[] }[] = [];
  for (const call of graph.unresolved ?? []) {
    const mayCall = byName.get(key(languageOf(call.location.file), call.name));
    if (mayCall && !plan.blocked.has(call.caller)) found.push({ call, mayCall });
  }
  return found;
}

/**
 * What a front-end's oracle is asked: the unresolved calls that may call a function turning async,
 * and those in async functions (as written or turning async) that may call a function whose blocking
 * call would count once async code reaches it. Not those in sync functions async code merely
 * reaches: on AutoBot-AI they were 215 questions instead of 36, past the timeout, for no change.
 */
function oracleQuestions(graph: CallGraph, plan: Plan, hits: readonly RuleHit[], counted: readonly RuleHit[]): UnresolvedCall[] {
  const questions = new Set(unresolvedMayCallAsync(graph, plan).map(({ call }) => call));
  const countedHits = new Set(counted);
  const waiting = new Set<string>();
  for (const hit of hits) {
    const fn = graph.functions.get(hit.enclosing);
    if (hit.kind !== 'blocking' || countedHits.has(hit) || !hit.fix || !fn || fn.kind === 'module') continue;
    // Keyed by language: a Python call is never a question about a TypeScript function's name.
    waiting.add(`${languageOf(fn.location.file)}:${fn.name.slice(fn.name.lastIndexOf('.') + 1)}`);
  }
  for (const call of graph.unresolved ?? []) {
    if (!waiting.has(`${languageOf(call.location.file)}:${call.name}`) || plan.blocked.has(call.caller)) continue;
    if (runsAsyncUnder(graph, plan, call.caller)) questions.add(call);
  }
  return [...questions];
}

function unresolvedCallsOf(graph: CallGraph, plan: Plan): UnresolvedCallEntry[] {
  return unresolvedMayCallAsync(graph, plan)
    .map(({ call, mayCall }) => ({ file: call.location.file, line: call.location.line, column: call.location.column, call: call.text, mayCall: [...new Set(mayCall)].sort() }))
    .sort(byLocation);
}

/** Code that runs on the event loop: reached from async code, or a module's top level that awaits. */
function countsAsAsyncCode(id: FunctionId, graph: CallGraph, reachable: ReadonlySet<FunctionId>): boolean {
  return reachable.has(id) || graph.functions.get(id)?.awaitsAtTopLevel === true;
}

/** A function turned async in place whose name still says `Sync` misleads its callers. */
function syncNameSuggestion(name: string, file: string): string | undefined {
  const simple = name.slice(name.lastIndexOf('.') + 1);
  const suffix = file.endsWith('.py') ? '_sync' : 'Sync';
  if (!simple.endsWith(suffix) || simple.length === suffix.length) return undefined;
  const base = simple.slice(0, -suffix.length);
  const asyncName = file.endsWith('.py') ? `${base}_async` : `${base}Async`;
  return `\`${simple}\` is async now but still named for a sync function: rename it to \`${base}\` or \`${asyncName}\`, or migrate with --strategy dual to keep \`${simple}\` and add \`${asyncName}\``;
}

/** Tests patching the sync name of a function whose callers the plan moves to its async sibling. */
function staleMocksOf(graph: CallGraph, plan: Plan): StaleMockEntry[] {
  const moved = new Set(
    [...plan.awaitSites, ...plan.callbackSites, ...plan.entrySites]
      .filter((site) => plan.dualFunctions.has(site.callee) && !(site.callGroup && plan.callsWithoutSibling.has(site.callGroup)))
      .map((site) => site.callee),
  );
  const entries: StaleMockEntry[] = [];
  for (const id of moved) {
    const fn = graph.functions.get(id);
    if (!fn?.patchedBy) continue;
    const sibling = fn.asyncSibling ?? siblingName(fn.name, fn.location.file).slice(fn.name.lastIndexOf('.') + 1);
    for (const { target, location } of fn.patchedBy) entries.push({ file: location.file, line: location.line, target, name: fn.name, sibling });
  }
  return entries.sort(byLocation);
}

/** The lines of code (blank ones aside) the async siblings of a dual run write into a file. */
function linesCopiedBy(edits: readonly { text: string; source: string }[]): number {
  let lines = 0;
  for (const edit of edits) {
    if (edit.source !== 'dual' || !edit.text.includes('\n')) continue;
    lines += edit.text.split('\n').filter((line) => line.trim() !== '').length;
  }
  return lines;
}

/** The async sibling of `Class.foo`: `Class.fooAsync` (`fooSync` -> `fooAsync`) in TypeScript, `Class.foo_async` in Python. */
function siblingName(name: string, file: string): string {
  const dot = name.lastIndexOf('.');
  const simple = name.slice(dot + 1);
  const sibling = file.endsWith('.py') ? `${simple}_async` : simple.endsWith('Sync') ? `${simple.slice(0, -4)}Async` : `${simple}Async`;
  return name.slice(0, dot + 1) + sibling;
}

function siblingSignature(signature: string, name: string, file: string): string {
  const simple = name.split('.').pop()!;
  return signature.replace(new RegExp(`\\b${simple}\\b`), siblingName(simple, file));
}

/**
 * Why a run found nothing to analyse, as ESLint says "No files matching … were found": a wrong path
 * in CI must fail, not pass as clean. Names the narrowing (--language, the config's include/exclude)
 * when the files are there without it.
 */
async function noFilesFound(paths: readonly string[], absolutePaths: readonly string[], discovery: { include: readonly string[]; exclude: readonly string[]; language?: Language }): Promise<string> {
  const kind = discovery.language === 'typescript' ? 'TypeScript/JavaScript' : discovery.language === 'python' ? 'Python' : 'TypeScript/JavaScript or Python';
  const where = paths.join(', ');
  if (discovery.include.length > 0 || discovery.exclude.length > 0) {
    const unfiltered = await discoverFiles(absolutePaths, { include: [], exclude: [], language: discovery.language });
    if (unfiltered.length > 0) return `no files found: the config's include/exclude leave none of the ${unfiltered.length} ${kind} files in ${where}`;
  }
  if (discovery.language) {
    const other = await discoverFiles(absolutePaths, { ...discovery, language: undefined });
    if (other.length > 0) return `no files found: no ${kind} file in ${where} (--language ${discovery.language === 'typescript' ? 'ts' : 'python'}; ${other.length} other files are there)`;
  }
  return `no files found: no ${kind} file in ${where}`;
}
