// The command line: parse, run the engine, print the report, return the exit code. bin/ only sets
// process.exitCode; bad input is a UsageError printed as one line with exit 2.
import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from './config.js';
import { pathKind } from './discovery.js';
import type { EngineResult } from './engine.js';
import { describeError, IncompleteRunError, UsageError } from './errors.js';
import { RULE_IDS, SEVERITY_RANK, type Language, type Report, type RuleId, type Severity } from './model.js';
import { fileDiff } from './report/diff.js';
import { formatJson } from './report/json.js';
import { formatMarkdown } from './report/markdown.js';
import { formatGithub } from './report/github.js';
import { formatGitlab } from './report/gitlab.js';
import { formatJunit } from './report/junit.js';
import { formatSarif } from './report/sarif.js';
import { changedLinesSince, filterByBaseline, filterFindingsToLines, loadBaseline } from './report/filters.js';
import { createProgress, type Phase, type Progress, type ProgressOptions } from './progress.js';
import { dryRunHeader, FOLD_AFTER, formatPretty, type PrettyOptions } from './report/pretty.js';
import { terminalLines, terminalText, terminalWidth } from './report/terminal.js';
import { closestMatches } from './suggest.js';
import { ruleDocsUrl } from './rule-links.js';
import { VERSION } from './version.js';
import { encodeSource, readSource, stripBom } from './source-text.js';
import { existsSync } from 'node:fs';
import { acquireRootLock, LockError } from './lock.js';
import { DEFAULT_CACHE_LOCATION, RunCache } from './cache.js';
import { discoverFiles } from './discovery.js';
import {
  assertCleanWorkTree,
  FileChangedError,
  nearestGitFolder,
  pathsOutsideWorkTrees,
  removeStaleTemps,
  reportTargetProblem,
  unwritableReason,
  writeReport,
  writeTransaction,
  type SignalSource,
  type WriteOutcome,
} from './write.js';

type Format = 'pretty' | 'json' | 'markdown' | 'sarif' | 'github' | 'gitlab' | 'junit';
const FORMATS: readonly Format[] = ['pretty', 'json', 'markdown', 'sarif', 'github', 'gitlab', 'junit'];

interface CliOptions {
  project?: string;
  oracle?: string;
  rules?: string;
  scope?: string;
  makeAsync: string[];
  strategy?: string;
  format?: string;
  output?: string;
  failOn: string;
  config?: string;
  since?: string;
  baseline?: string;
  allowDirty?: boolean;
  unsafeFixes?: boolean;
  dryRun?: boolean;
  language?: string;
  summaryOut?: string;
  summariesFrom?: string;
  quiet?: boolean;
  verbose?: boolean;
  statistics?: boolean;
  progress: boolean;
  color: boolean;
  debug?: boolean;
  cache?: boolean;
  cacheLocation?: string;
}

export interface CliIo {
  /** Text, or bytes (a Latin-1 file's lines in the dry-run diff, written as the file's own bytes). */
  stdout: (text: string | Uint8Array) => void;
  stderr: (text: string) => void;
  cwd: string;
  isTTY: boolean;
  /** The terminal's width when stdout is a TTY (80 is used otherwise). */
  columns?: number;
  /** Where SIGINT/SIGTERM come from during the write phase (default: the process). */
  signals?: SignalSource;
  /** Where the progress display goes, and after how long (default: process.stderr, if a TTY). */
  progress?: Pick<ProgressOptions, 'stream' | 'delayMs'>;
  /** Told each phase of the run as it starts (tests change a file between the analysis and the write). */
  onPhase?: (phase: Phase) => void;
  /** Waits for stdout to take everything written, and returns the error it failed with, if any. */
  stdoutError?: () => Promise<NodeJS.ErrnoException | undefined>;
}

const defaultIo = (): CliIo => {
  let stdoutError: NodeJS.ErrnoException | undefined;
  return {
    // The first error is kept (later writes fail as "destroyed"); bin/ keeps the stream's 'error' event from throwing.
    stdout: (text) => process.stdout.write(text, (error) => void (stdoutError ??= error ?? undefined)),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns,
    stdoutError: () => new Promise((resolve) => process.stdout.write('', () => resolve(stdoutError))),
  };
};

function buildProgram(io: CliIo): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
  return new Command('async-migrate')
    .description('Find blocking and misused async code, and migrate sync call chains to async (TypeScript/JavaScript and Python).')
    .usage('[check|migrate] [paths...] [options]')
    .argument('[paths...]', 'files or directories (default: .)')
    .option('-p, --project <tsconfig>', 'TypeScript project file (default: nearest tsconfig.json/jsconfig.json)')
    .addOption(new Option('--oracle <oracle>', 'TypeScript: the checker that answers the rules\' type questions: js (default) or tsgo (TypeScript 7, native; experimental)').choices(['js', 'tsgo']))
    .option('--rules <ids>', `comma-separated rule ids (${RULE_IDS.join(', ')})`)
    .addOption(new Option('--scope <scope>', 'reachable: blocking calls in async-reachable code; all: everywhere').choices(['reachable', 'all']))
    .option('--make-async <targets>', 'turn these functions async as roots: fn, Class.method, Interface.member, Class.*, file.ts:line (repeatable)', collect, [])
    .addOption(new Option('--strategy <strategy>', 'inplace: turn functions async; dual: keep sync APIs, add fooAsync siblings').choices(['inplace', 'dual']))
    .addOption(new Option('--format <format>', 'report format on stdout').choices([...FORMATS]))
    .option('-o, --output <file>', 'also write the report to a file (format: --format if given, else the extension .json .md .sarif .xml)')
    .addOption(new Option('--fail-on <severity>', 'check: lowest severity that fails the run').choices(['error', 'warning', 'info']).default('warning'))
    .option('--config <file>', 'config file: async-migrate.config.json, pyproject.toml or package.json (default: the nearest at or above the first path)')
    .option('--since <git-ref>', 'check: report only findings on lines changed since this git ref')
    .option('--baseline <report.json>', 'check: do not count findings already in this JSON report')
    .option('--allow-dirty', 'migrate: allow writing into a git work tree with uncommitted changes (and, outside git, skip the warning)')
    .option('--unsafe-fixes', 'migrate: also apply fixes marked unsafe (they may change timing, ordering, error flow or dispatch); without it they are reported as suggestions')
    .option('--dry-run', 'migrate: print the diff and the report, write nothing')
    .addOption(new Option('--language <language>', 'only this language').choices(['ts', 'typescript', 'python', 'py']))
    .option('--cache', 'check and dry runs: reuse the result of a run whose inputs (files, options, config, dependencies) are all unchanged')
    .option('--cache-location <path>', `the cache folder (default ${DEFAULT_CACHE_LOCATION} under the working directory)`)
    .option('--summary-out <file>', "check: analyse the one workspace package at the path and write its summary (the facts --summaries-from plans from) instead of a report")
    .option('--summaries-from <dir>', 'check: plan the whole workspace from the package summaries in this folder (written by --summary-out), loading no program')
    .option('--quiet', 'print only the report')
    .option('--verbose', 'pretty: list every entry (long lists and blocked places are folded otherwise)')
    .option('--statistics', 'pretty: counts of findings per rule instead of the findings')
    .option('--no-progress', 'no progress on stderr')
    .option('--no-color', 'no colors')
    .option('--debug', 'print the stack of an internal error')
    .version(VERSION, '-v, --version')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: () => undefined })
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      `
Other commands:
  rule <id>  print a rule's page: what it finds, examples, fix safety, options (docs/rules/<id>.md)

Exit codes:
  ${EXIT.ok}    success, or check found nothing at or above --fail-on
  ${EXIT.problems}    check found problems; or a file could not be analysed, edited or written (see skipped)
  ${EXIT.usage}    usage, configuration or input error
  ${EXIT.internal}    internal error (a bug in async-migrate; --debug prints the stack), or stdout cannot be written
  ${EXIT.interrupted}  interrupted (SIGINT/SIGTERM)

Environment:
  ASYNC_MIGRATE_PYRIGHT=0          Python: never ask pyright (by default it is asked, when installed,
                                   where the calls the resolver cannot see go)
  ASYNC_MIGRATE_PYRIGHT_TIMEOUT=S  Python: seconds one pyright session may take (default 60); past
                                   it the run is incomplete: exit 1, one line, no report
  ASYNC_MIGRATE_PARSE_THREADS=N    Python: threads that parse files, the main one included (default
                                   one per core, at most 4, from 64 files; 1: the main thread alone)`,
    );
}

/** Exit codes (README "Exit codes"): 2 is only ever bad input, never a crash. */
export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 3, interrupted: 130 } as const;

/** A file (a migrated file, the -o report) that could not be written: one line, exit 1. */
class WriteFailure extends Error {
  override name = 'WriteFailure';
}

/** What a run has done that its error line must tell: the files written, once the migration is applied. */
interface RunState {
  written?: readonly string[];
}

/** Added to every error line after the migration was written, so that no failure hides it. */
function appliedNote(state: RunState): string {
  const written = state.written ?? [];
  if (written.length === 0) return '';
  const shown = written.slice(0, 5).join(', ') + (written.length > 5 ? `, and ${written.length - 5} more` : '');
  return `; the migration was applied (written: ${shown})`;
}

export async function run(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  let debug = argv.includes('--debug');
  const state: RunState = {};
  try {
    const [first, ...rest] = argv;
    if (first === 'rule') return await printRulePage(rest, io);
    const command = first === 'check' || first === 'migrate' ? first : undefined;
    if (!command && first !== undefined) assertNotMistypedCommand(first, io.cwd);
    const program = buildProgram(io);
    try {
      program.parse(command ? rest : argv, { from: 'user' });
    } catch (error) {
      if (error instanceof CommanderError) {
        if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
        throw new UsageError(error.message.replace(/^error: /, ''));
      }
      throw error;
    }
    const options = program.opts<CliOptions>();
    debug = Boolean(options.debug);
    const rerun = rerunArguments(command ? rest : argv, program.args);
    const code = await withRootLock(command, program.args, options.dryRun, io, () => execute(command ?? 'default', program.args, options, io, state, rerun));
    // A reader that closed early (EPIPE) is not an error; a full disk or a broken device is.
    const stdoutError = await io.stdoutError?.();
    if (stdoutError && stdoutError.code !== 'EPIPE') {
      io.stderr(`async-migrate: cannot write the report to stdout (${describeError(stdoutError)})${terminalText(appliedNote(state))}\n`);
      return EXIT.internal;
    }
    return code;
  } catch (error) {
    // A message can quote a path or a config value: shown with its control characters escaped.
    if (error instanceof UsageError) {
      io.stderr(`async-migrate: ${terminalText(error.message + appliedNote(state))}\n`);
      return EXIT.usage;
    }
    if (error instanceof WriteFailure || error instanceof FileChangedError || error instanceof LockError || error instanceof IncompleteRunError) {
      io.stderr(`async-migrate: ${terminalText(error.message + appliedNote(state))}\n`);
      return EXIT.problems;
    }
    io.stderr(`async-migrate: internal error: ${terminalText(describeError(error))} (a bug in async-migrate${debug ? '' : '; --debug prints the stack'})${terminalText(appliedNote(state))}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr(`${terminalLines(error.stack)}\n`);
    return EXIT.internal;
  }
}

/** `async-migrate rule <id>`: the rule's page, as `ruff rule` prints one. */
async function printRulePage(args: readonly string[], io: CliIo): Promise<number> {
  const [id, ...extra] = args;
  if (id === '-h' || id === '--help') {
    io.stdout(`Usage: async-migrate rule <id>\n\nPrints a rule's page. Rules: ${RULE_IDS.join(', ')}\n`);
    return EXIT.ok;
  }
  if (id === undefined) throw new UsageError(`rule: name a rule: ${RULE_IDS.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`rule: one rule id at a time (got ${args.join(' ')})`);
  const { TRANSFORMS } = await import('../transforms/index.js');
  const transform = TRANSFORMS.find((t) => t.id === id);
  if (!transform) {
    const close = closestMatches(id, RULE_IDS);
    throw new UsageError(`unknown rule "${id}"${close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : `; rules are ${RULE_IDS.join(', ')}`}`);
  }
  const { rulePage } = await import('./rule-docs.js');
  io.stdout(rulePage(transform, { terminal: true }));
  return EXIT.ok;
}

const COMMANDS = ['check', 'migrate', 'rule'] as const;

/**
 * `async-migrate chek` is a mistyped command, not a path: when no such path exists and the word is
 * close to a command, say so (as git and cargo do) rather than "path does not exist".
 */
function assertNotMistypedCommand(first: string, cwd: string): void {
  if (!/^[a-z][a-z-]{2,}$/i.test(first) || existsSync(path.resolve(cwd, first))) return;
  const close = closestMatches(first, COMMANDS, 1);
  if (close.length > 0) throw new UsageError(`unknown command '${first}'; did you mean '${close[0]}'?`);
}

function parseRules(value: string | undefined): RuleId[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((id) => id.trim()).filter(Boolean);
  // An empty list would turn every rule off and let CI pass on anything.
  if (ids.length === 0) throw new UsageError(`--rules: the list is empty; name at least one of ${RULE_IDS.join(', ')}`);
  for (const id of ids) {
    if (!RULE_IDS.includes(id as RuleId)) {
      const close = closestMatches(id, RULE_IDS);
      throw new UsageError(`unknown rule "${id}"${close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : `; rules are ${RULE_IDS.join(', ')}`}`);
    }
  }
  return ids as RuleId[];
}

function formatFromOutput(file: string | undefined): Format | undefined {
  if (!file) return undefined;
  const ext = path.extname(file);
  return ext === '.json' ? 'json' : ext === '.md' ? 'markdown' : ext === '.sarif' ? 'sarif' : ext === '.xml' ? 'junit' : undefined;
}

/**
 * Runs `work` holding the root's lock when it writes the migration (`migrate` without --dry-run):
 * a second concurrent `migrate` is refused with one line. The lock is deleted on every way out.
 */
async function withRootLock(command: string | undefined, paths: readonly string[], dryRun: boolean | undefined, io: CliIo, work: () => Promise<number>): Promise<number> {
  if (command !== 'migrate' || dryRun) return work();
  const given = path.resolve(io.cwd, paths[0] ?? '.');
  // The real folder of the first path (a file's folder); a path that does not exist is reported by the run itself.
  const root = await stat(given).then((info) => realpath(info.isDirectory() ? given : path.dirname(given)), () => undefined);
  const lock = root === undefined ? undefined : acquireRootLock(root);
  try {
    // The lock's own temp file, had a run been killed while making it.
    if (root !== undefined) await removeStaleTemps([root]);
    return await work();
  } finally {
    lock?.release();
  }
}

async function execute(command: 'check' | 'migrate' | 'default', paths: string[], options: CliOptions, io: CliIo, state: RunState, rerun: readonly string[]): Promise<number> {
  // First, so that the display's timer runs from the start of the run (the first line comes within a second).
  // Timed from the process's start: loading the modules is part of the wait a user sees.
  const display = createProgress({ startedAt: performance.timeOrigin, ...io.progress, quiet: options.quiet, progress: options.progress });
  const progress = io.onPhase ? observed(display, io.onPhase) : display;
  try {
    return await prepareAndRun(command, paths, options, io, progress, state, rerun);
  } finally {
    progress.stop();
  }
}

async function prepareAndRun(command: 'check' | 'migrate' | 'default', paths: string[], options: CliOptions, io: CliIo, progress: Progress, state: RunState, rerun: readonly string[]): Promise<number> {
  const dryRun = command === 'default' || Boolean(options.dryRun);
  const engineCommand = command === 'check' ? 'check' : 'migrate';
  // Each path is a file or a folder (else one line naming what it is); the config sits in the first
  // path's folder, found by stat (`my.project/` is a folder).
  const kinds: ('file' | 'directory')[] = [];
  // Named by their absolute path, as the engine names a path that is missing.
  for (const given of paths.length > 0 ? paths : ['.']) kinds.push(await pathKind(path.resolve(io.cwd, given)));
  const firstPath = path.resolve(io.cwd, paths[0] ?? '.');
  const configRoot = kinds[0] === 'file' ? path.dirname(firstPath) : firstPath;
  const { config, path: configPath } = await loadConfig(configRoot, options.config ? path.resolve(io.cwd, options.config) : undefined);
  const format: Format = (options.format as Format | undefined) ?? formatFromOutput(options.output) ?? 'pretty';
  if (options.statistics && format !== 'pretty') throw new UsageError(`--statistics is for the pretty format, not --format ${format} (its report has summary.byRule)`);
  if (options.summaryOut !== undefined && options.summariesFrom !== undefined) throw new UsageError('--summary-out writes one package\'s summary and --summaries-from reads them all: give one of them');
  if (options.summaryOut !== undefined) {
    // The report, and what filters it, belong to the combined run: a summary holds every finding.
    const reportOption = ([['-o', options.output], ['--since', options.since], ['--baseline', options.baseline]] as const).find(([, value]) => value !== undefined);
    if (reportOption) throw new UsageError(`--summary-out writes a package's summary, not a report: give ${reportOption[0]} to the --summaries-from run`);
  }
  for (const [given, flag] of [[options.summaryOut, '--summary-out'], [options.summariesFrom, '--summaries-from']] as const) {
    // Edits need the program, which neither step keeps: the combined run plans, it does not write.
    if (given !== undefined && engineCommand !== 'check') throw new UsageError(`${flag} is for check (the combined plan cannot write edits: migrate each package with its program loaded)`);
  }
  const baseline = options.baseline ? await loadBaseline(path.resolve(io.cwd, options.baseline)) : undefined;
  // -o is checked before the run, so that a bad path neither wastes the analysis nor fails after
  // the migrated files were written.
  const outputProblem = options.output ? await reportTargetProblem(path.resolve(io.cwd, options.output)) : undefined;
  if (options.output && outputProblem) throw new WriteFailure(`cannot write the report to ${options.output} (${outputProblem}); nothing was written`);
  const language: Language | undefined = options.language === 'ts' || options.language === 'typescript' ? 'typescript' : options.language ? 'python' : undefined;
  const writes = engineCommand === 'migrate' && !dryRun;
  if (writes && !options.allowDirty) {
    // Refused before the analysis, not after it: the paths given must be clean (the files actually
    // written are asked again before the write). Outside git nothing protects them: say so, once.
    const targets = (paths.length > 0 ? paths : ['.']).map((p) => path.resolve(io.cwd, p));
    await assertCleanWorkTree(io.cwd, targets);
    // A path that does not exist gets its own error from the discovery, not this warning too.
    const outside = await pathsOutsideWorkTrees(targets.filter((target) => existsSync(target)));
    if (outside.length > 0) {
      const shown = outside.map((p) => path.relative(io.cwd, p).split(path.sep).join('/') || '.').join(', ');
      progress.clear();
      io.stderr(`async-migrate: warning: ${terminalText(shown)} ${outside.length === 1 ? 'is' : 'are'} in no git work tree: nothing protects uncommitted work, and files are rewritten in place (--allow-dirty silences this)\n`);
    }
  }
  return analyseAndReport(paths, options, io, { config, configPath, format, baseline, language, dryRun, engineCommand, progress, rerun }, state);
}

interface RunSettings {
  config: Awaited<ReturnType<typeof loadConfig>>['config'];
  /** The config file read, if any (its `cacheLocation` is relative to its folder). */
  configPath?: string;
  format: Format;
  baseline: Awaited<ReturnType<typeof loadBaseline>> | undefined;
  language: Language | undefined;
  dryRun: boolean;
  engineCommand: 'check' | 'migrate';
  progress: Progress;
  rerun: readonly string[];
}

async function analyseAndReport(paths: string[], options: CliOptions, io: CliIo, settings: RunSettings, state: RunState): Promise<number> {
  const { config, format, baseline, language, dryRun, engineCommand, progress, rerun } = settings;
  progress.phase('start');
  const warnings: string[] = [];
  const onWarning = (message: string): void => {
    progress.clear();
    io.stderr(`async-migrate: warning: ${terminalText(message)}\n`);
  };
  const engineOptions = {
    command: engineCommand,
    paths,
    cwd: io.cwd,
    config,
    rules: parseRules(options.rules),
    language,
    projectFile: options.project ? path.resolve(io.cwd, options.project) : undefined,
    oracle: options.oracle as 'js' | 'tsgo' | undefined,
    makeAsync: options.makeAsync,
    strategy: (options.strategy as 'inplace' | 'dual' | undefined) ?? config.strategy,
    unsafeFixes: Boolean(options.unsafeFixes),
    scope: (options.scope as 'reachable' | 'all' | undefined) ?? config.scope,
  };
  let result: EngineResult;
  if (options.summaryOut !== undefined || options.summariesFrom !== undefined) {
    // Per-package summaries: neither step uses the run cache (a summary is the cacheable unit itself).
    const { runEngine } = await import('./engine.js');
    const { EXTRA_FRONT_ENDS } = await import('./frontends/registry.js');
    const summaryOptions = { ...engineOptions, extraFrontEnds: EXTRA_FRONT_ENDS, progress, onWarning };
    if (options.summaryOut !== undefined) return writeSummary(options.summaryOut, summaryOptions, io, progress);
    result = await runEngine(summaryOptions, await summariesInput(options.summariesFrom!, summaryOptions, io, Boolean(options.quiet)));
  } else {
    // A writing `migrate` always analyses afresh: the cache is for the runs that write nothing.
    const cached = (options.cache || config.cache) && (engineCommand === 'check' || dryRun) ? await openCache(engineOptions, options, settings, io, onWarning) : undefined;
    if (cached?.hit) {
      for (const warning of cached.hit.warnings) onWarning(warning);
      result = cached.hit.result;
    } else {
      // Loaded here, after the progress display started, so that its first line need not wait for them
      // (evaluating ts-morph takes a few tenths of a second in which no timer fires).
      const { runEngine } = await import('./engine.js');
      const { EXTRA_FRONT_ENDS } = await import('./frontends/registry.js');
      result = await runEngine({
        ...engineOptions,
        discovered: cached?.files,
        extraFrontEnds: EXTRA_FRONT_ENDS,
        progress,
        onWarning: (message) => {
          warnings.push(message);
          onWarning(message);
        },
      });
      if (cached && isCacheable(result)) await cached.cache.store(cached.files, result.dependencies ?? [], cached.root, result, warnings);
    }
  }
  // Adoption filters: only findings on lines changed since a ref, and none already in a baseline.
  if (options.since) result.report = filterFindingsToLines(result.report, await changedLinesSince(result.root, options.since));
  if (baseline) result.report = filterByBaseline(result.report, baseline);
  const color = options.color && io.isTTY && format === 'pretty';
  const pretty: Omit<PrettyOptions, 'sources'> = {
    color,
    dryRun,
    width: terminalWidth(io.isTTY, io.columns),
    verbose: Boolean(options.verbose),
    statistics: Boolean(options.statistics),
    rerun,
  };

  if (engineCommand === 'check') {
    progress.stop();
    io.stdout(await renderReport(result, format, pretty));
    await writeOutput(options.output, io.cwd, result, format, pretty);
    const threshold = SEVERITY_RANK[options.failOn as Severity];
    const failing = result.report.findings.some((finding) => SEVERITY_RANK[finding.severity] >= threshold);
    const incomplete = result.report.skipped.filter(leavesMigrationIncomplete);
    reportSkipped(io, incomplete);
    return failing || incomplete.length > 0 ? EXIT.problems : EXIT.ok;
  }

  if (dryRun) {
    progress.stop();
    // On stdout but not on a terminal, a Latin-1 file's lines are its own bytes, so the diff applies
    // with `patch`; stderr takes text.
    const diffs = result.outputs.map((output) =>
      fileDiff(output.file, output.before, output.after, { color: options.color && io.isTTY, encoding: output.encoding, fileBytes: format === 'pretty' && !io.isTTY }),
    ).filter((diff) => diff.length > 0);
    if (format === 'pretty') {
      io.stdout(`${dryRunHeader(rerun)}\n${diffs.length > 0 ? '\n' : ''}`);
      for (const diff of diffs) io.stdout(diff);
      if (diffs.length > 0) io.stdout('\n');
    } else if (diffs.length > 0 && !options.quiet) {
      io.stderr(`${dryRunHeader(rerun)}\n`);
      for (const diff of diffs) io.stderr(diff.toString());
    }
    io.stdout(await renderReport(result, format, pretty));
    await writeOutput(options.output, io.cwd, result, format, pretty);
    reportSkipped(io, result.report.skipped.filter(makesMigrationIncomplete));
    return migrationIncomplete(result.report) ? EXIT.problems : EXIT.ok;
  }

  // The code frames show the code as it was: read before the write.
  const sources = format === 'pretty' ? await readSources(result) : undefined;
  const written = await writeMigration(result, paths, options, io, progress, state);
  progress.stop();
  if (written.exitCode !== undefined) return written.exitCode;
  io.stdout(await renderReport(result, format, { ...pretty, written: written.files, vcs: await versionControl(result, options) }, sources));
  await writeOutput(options.output, io.cwd, result, format, pretty);
  if (written.interrupted) {
    io.stderr(`async-migrate: interrupted; the signal was held until all ${result.outputs.length} files were written, so the migration is complete\n`);
    return EXIT.interrupted;
  }
  reportSkipped(io, result.report.skipped.filter(makesMigrationIncomplete));
  return migrationIncomplete(result.report) ? EXIT.problems : EXIT.ok;
}

/** `check --summary-out`: the package's summary, written atomically; one line says what it holds. */
async function writeSummary(file: string, engineOptions: import('./engine.js').EngineOptions, io: CliIo, progress: Progress): Promise<number> {
  const { summarizePackage } = await import('./summary/summarize.js');
  const summary = await summarizePackage(engineOptions);
  try {
    // A task runner's output folder (`.async-migrate/`) need not exist before the first run.
    await mkdir(path.dirname(path.resolve(io.cwd, file)), { recursive: true });
    await writeReport(path.resolve(io.cwd, file), `${JSON.stringify(summary, null, 1)}\n`);
  } catch (error) {
    throw new WriteFailure(`cannot write the summary to ${file} (${describeError(error)})`);
  }
  progress.stop();
  const into = new Set(summary.interface.calls.map((call) => call.package ?? call.callee));
  io.stderr(
    `async-migrate: summary of ${summary.package.name} (${summary.files.length} files, ${summary.functions.length} functions, ${summary.interface.calls.length} calls into ${into.size} other packages) written to ${terminalText(file)}\n`,
  );
  const incomplete = summary.skipped.filter((entry) => entry.internalError);
  reportSkipped(io, incomplete);
  return incomplete.length > 0 ? EXIT.problems : EXIT.ok;
}

/** `check --summaries-from`: the summaries in the folder, checked against this run's options, as the engine's input. */
async function summariesInput(dir: string, engineOptions: import('./engine.js').EngineOptions, io: CliIo, quiet: boolean): Promise<import('./engine.js').AnalysedInput> {
  const { readSummaries, combinedInput } = await import('./summary/combine.js');
  const { npmWorkspaceInfo } = await import('./summary/summarize.js');
  const { findPythonWorkspace } = await import('./frontends/python/workspace.js');
  const first = path.resolve(io.cwd, engineOptions.paths[0] ?? '.');
  const root = (await npmWorkspaceInfo(first))?.root ?? findPythonWorkspace(first)?.root ?? first;
  const { config } = engineOptions;
  const { enabledRules } = await import('./engine.js');
  const rules = enabledRules(engineOptions.rules, config);
  const summaries = await readSummaries(path.resolve(io.cwd, dir));
  const input = combinedInput(summaries, { root, rules, unsafeFixes: engineOptions.unsafeFixes === true || config.unsafeFixes, public: config.public, onWarning: engineOptions.onWarning });
  if (!quiet) {
    const order = input.order.length > 4 ? `${input.order.slice(0, 3).join(', ')}, … ${input.order.at(-1)}` : input.order.join(', ');
    io.stderr(`async-migrate: planned from ${summaries.length} package summaries (${terminalText(order)}); edits need the program, so the report counts no changed files\n`);
  }
  return input;
}

/**
 * The run cache for these settings, the files it is keyed on (discovered here, and handed to the
 * engine so that it does not look again) and the cached result when nothing changed. Undefined when
 * no file is found: the engine then says so, as without the cache.
 */
async function openCache(
  engineOptions: { command: string; paths: string[]; cwd: string; rules?: RuleId[]; language?: Language; projectFile?: string; makeAsync: string[]; strategy: string; unsafeFixes: boolean; scope: string },
  options: CliOptions,
  settings: RunSettings,
  io: CliIo,
  warn: (message: string) => void,
): Promise<{ cache: RunCache; files: string[]; root: string; hit?: Awaited<ReturnType<RunCache['lookup']>> } | undefined> {
  const { config, configPath, dryRun } = settings;
  const absolutePaths = (engineOptions.paths.length > 0 ? engineOptions.paths : ['.']).map((p) => path.resolve(io.cwd, p));
  const files = await discoverFiles(absolutePaths, { include: config.include, exclude: config.exclude, language: engineOptions.language });
  if (files.length === 0) return undefined;
  const first = absolutePaths[0]!;
  const root = (await stat(first)).isDirectory() ? first : path.dirname(first);
  const location = options.cacheLocation
    ? path.resolve(io.cwd, options.cacheLocation)
    : config.cacheLocation
      ? path.resolve(configPath ? path.dirname(configPath) : io.cwd, config.cacheLocation)
      : path.resolve(io.cwd, DEFAULT_CACHE_LOCATION);
  // Everything that shapes the result besides the files: where the cache puts it does not.
  const key = {
    ...engineOptions,
    paths: absolutePaths,
    dryRun,
    config: { ...config, cache: undefined, cacheLocation: undefined },
    pyright: process.env.ASYNC_MIGRATE_PYRIGHT ?? null,
    pyrightTimeout: process.env.ASYNC_MIGRATE_PYRIGHT_TIMEOUT ?? null,
  };
  const cache = await RunCache.open(location, key, warn);
  return { cache, files, root, hit: await cache.lookup(files, root) };
}

/**
 * A result worth reusing: not one a crash or the checker's stack depth shaped (a skip for an internal
 * error or a stack overflow may not happen again), which a cold run would redo.
 */
function isCacheable(result: EngineResult): boolean {
  return !result.report.skipped.some((entry) => entry.internalError === true || /overflowed its stack/.test(entry.reason));
}

/**
 * The one stderr line that says which skipped files make the run exit 1 (the report has each
 * reason), in every format: a script that reads only the exit code and stderr learns why.
 */
function reportSkipped(io: CliIo, entries: readonly Report['skipped'][number][]): void {
  if (entries.length === 0) return;
  const why = (entry: Report['skipped'][number]): string =>
    entry.internalError ? 'internal error' : entry.mayCall && entry.mayCall.length > 0 ? `may call ${entry.mayCall.slice(0, 2).join(', ')}${entry.mayCall.length > 2 ? ', …' : ''}` : 'left unchanged';
  const shown = entries.slice(0, FOLD_AFTER).map((entry) => `${entry.file} (${why(entry)})`);
  const more = entries.length > FOLD_AFTER ? `, and ${entries.length - FOLD_AFTER} more` : '';
  io.stderr(
    `async-migrate: incomplete: ${entries.length} ${entries.length === 1 ? 'file' : 'files'} skipped or left unchanged: ${terminalText(shown.join(', '))}${more}; ` +
      'each reason is under "skipped" in the report\n',
  );
}

/**
 * The arguments a suggested next command repeats: the paths and the options that shape the plan,
 * without the command, the output options and the check-only filters; shell-quoted, escaped.
 */
function rerunArguments(argv: readonly string[], paths: readonly string[]): string[] {
  // A combined plan cannot write: the next command is the whole-program run that can.
  const dropWithValue = new Set(['--format', '-o', '--output', '--fail-on', '--since', '--baseline', '--cache-location', '--summaries-from', '--summary-out']);
  const drop = new Set(['--dry-run', '--quiet', '--verbose', '--statistics', '--no-progress', '--no-color', '--debug', '--allow-dirty', '--cache']);
  const kept: string[] = [];
  let pathsSeen = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.startsWith('--') ? arg.split('=')[0]! : arg;
    if (dropWithValue.has(name)) {
      if (!arg.includes('=')) i++;
      continue;
    }
    if (drop.has(name)) continue;
    if (!arg.startsWith('-') && pathsSeen < paths.length && arg === paths[pathsSeen]) pathsSeen++;
    kept.push(arg);
  }
  return kept.map(shellQuote);
}

function shellQuote(arg: string): string {
  const text = /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
  return terminalText(text);
}

/** Where the written files are: a git work tree (clean before the write unless --allow-dirty), or none. */
async function versionControl(result: EngineResult, options: CliOptions): Promise<PrettyOptions['vcs']> {
  // Looked up on disk, not by running git: a repository's config cannot make it run a command.
  const first = result.outputs[0]?.absolute ?? result.root;
  if ((await nearestGitFolder(path.dirname(first))) === undefined) return 'none';
  return options.allowDirty ? 'git-dirty' : 'git-clean';
}

/**
 * `migrate` (written or --dry-run, and the default command) could not apply a change to some file:
 * a file left unchanged (its migrated text does not parse, overlapping edits, a link out of the
 * tree, …), or a skipped file that makes the run incomplete.
 */
function migrationIncomplete(report: Report): boolean {
  return report.skipped.some(makesMigrationIncomplete);
}

function makesMigrationIncomplete(entry: Report['skipped'][number]): boolean {
  return entry.reason.includes('left unchanged') || leavesMigrationIncomplete(entry);
}

/**
 * Writes the migrated files (after the dirty-tree guard and a writability check of every file) as
 * one transaction. `exitCode` when the write did not happen or did not finish (the error line is
 * printed); `interrupted` when a signal was held until every file was written.
 */
async function writeMigration(result: EngineResult, paths: readonly string[], options: CliOptions, io: CliIo, progress: Progress, state: RunState): Promise<{ exitCode?: number; interrupted: boolean; files: string[] }> {
  const targets = (paths.length > 0 ? paths : ['.']).map((p) => path.resolve(io.cwd, p));
  const { realRoots } = await import('./safeguards.js');
  const roots = await realRoots(targets);
  // Temp files of an earlier run that was killed (SIGKILL) are deleted before git is asked about the tree.
  await removeStaleTemps(await Promise.all(result.outputs.map(async (output) => path.dirname(await realpath(output.absolute).catch(() => output.absolute)))));
  if (!options.allowDirty && result.outputs.length > 0) {
    // The paths being migrated must be clean, so that `git diff` afterwards shows the migration
    // alone; each is asked of its own repository, as is every file about to be written.
    await assertCleanWorkTree(io.cwd, targets, result.outputs.map((output) => output.absolute));
  }
  const shown = (output: { absolute: string }): string => path.relative(io.cwd, output.absolute).split(path.sep).join('/');
  const probed = new Map<string, Promise<string | undefined>>();
  for (const output of result.outputs) {
    const problem = await unwritableReason(output.absolute, probed);
    if (problem) throw new WriteFailure(`cannot write ${shown(output)} (${problem}); nothing was written`);
  }
  if (result.outputs.length > 0) progress.phase('write', result.outputs.length);
  const outcome = await writeTransaction(
    result.outputs.map((output) => ({ file: shown(output), absolute: output.absolute, content: encodeSource(output.after, output.encoding)!, expectedDigest: output.digest })),
    io.signals,
    (step) => {
      if (step === 'temp') progress.advance();
    },
    { roots },
  );
  state.written = outcome.written;
  progress.stop();
  if (outcome.failure || (outcome.interrupted && outcome.written.length === 0 && result.outputs.length > 0)) {
    io.stderr(`async-migrate: ${terminalText(describeWriteOutcome(outcome))}\n`);
    return { exitCode: outcome.failure ? EXIT.problems : EXIT.interrupted, interrupted: outcome.interrupted, files: outcome.written };
  }
  return { interrupted: outcome.interrupted, files: outcome.written };
}

/** The progress display, with each phase also told to `onPhase`. */
function observed(progress: Progress, onPhase: (phase: Phase) => void): Progress {
  return {
    ...progress,
    phase: (name, total) => {
      progress.phase(name, total);
      onPhase(name);
    },
  };
}

/** A skipped file that makes the run incomplete: an internal error, or calls into code turning async. */
function leavesMigrationIncomplete(entry: Report['skipped'][number]): boolean {
  return entry.internalError === true || (entry.mayCall?.length ?? 0) > 0;
}

function describeWriteOutcome(outcome: WriteOutcome): string {
  const list = (files: readonly string[]): string => files.join(', ') || 'none';
  if (outcome.failure?.changed && outcome.written.length === 0) return `${outcome.failure.file} changed during the run; nothing was written`;
  const cause = outcome.failure ? `cannot write ${outcome.failure.file} (${outcome.failure.reason})` : 'interrupted';
  if (outcome.written.length === 0) return `${cause}; nothing was written`;
  return `${cause}; the tree is part-migrated: written: ${list(outcome.written)}; not written: ${list(outcome.notWritten)} (restore the written files, e.g. with git checkout, and run again)`;
}

async function renderReport(result: EngineResult, format: Format, pretty: Omit<PrettyOptions, 'sources'>, sources?: ReadonlyMap<string, string>): Promise<string> {
  if (format === 'json') return formatJson(result.report);
  if (format === 'markdown') return formatMarkdown(result.report);
  if (format === 'github') return formatGithub(result.report);
  if (format === 'junit') return formatJunit(result.report);
  if (format === 'sarif') {
    const { TRANSFORMS } = await import('../transforms/index.js');
    const rules = TRANSFORMS.map((t) => ({ id: t.id, what: t.docs.what, why: t.docs.why, fixSafety: t.docs.fixSafety, severity: t.severity, helpUri: ruleDocsUrl(t.id) }));
    return formatSarif(result.report, rules);
  }
  const texts = sources ?? (await readSources(result));
  if (format === 'gitlab') return formatGitlab(result.report, { sources: texts });
  return formatPretty(result.report, { ...pretty, sources: texts });
}

/**
 * The text of each file with a finding, for code frames and fingerprints, as it was read: a migrated
 * file's text from before the write (`-o` renders after it), any other from disk in its own encoding.
 */
async function readSources(result: EngineResult): Promise<Map<string, string>> {
  const sources = new Map<string, string>(result.outputs.map((output) => [output.file, output.before]));
  for (const finding of result.report.findings) {
    if (sources.has(finding.file)) continue;
    sources.set(finding.file, await readSource(path.join(result.root, finding.file)).then((source) => stripBom(source.text), () => ''));
  }
  return sources;
}

async function writeOutput(file: string | undefined, cwd: string, result: EngineResult, format: Format, pretty: Omit<PrettyOptions, 'sources'>): Promise<void> {
  if (!file) return;
  const report: Report = result.report;
  // A pretty report file gets every entry, unwrapped: a file is where the details are looked up.
  const text = await renderReport({ ...result, report }, format, { ...pretty, color: false, verbose: true, width: Number.POSITIVE_INFINITY });
  try {
    await writeReport(path.resolve(cwd, file), text);
  } catch (error) {
    throw new WriteFailure(`cannot write the report to ${file} (${describeError(error)})`);
  }
}
