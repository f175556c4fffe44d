// The command line: parse, run the engine, print the report, return the exit code. bin/ only sets
// process.exitCode; bad input is a UsageError printed as one line with exit 2.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from './config.js';
import { runEngine, type EngineResult } from './engine.js';
import { UsageError } from './errors.js';
import { RULE_IDS, SEVERITY_RANK, type Language, type Report, type RuleId, type Severity } from './model.js';
import { unifiedDiff } from './report/diff.js';
import { formatJson } from './report/json.js';
import { formatMarkdown } from './report/markdown.js';
import { formatGithub } from './report/github.js';
import { formatSarif } from './report/sarif.js';
import { changedLinesSince, filterByBaseline, filterFindingsToLines, loadBaseline } from './report/filters.js';
import { createProgress } from './progress.js';
import { TRANSFORMS } from '../transforms/index.js';
import { EXTRA_FRONT_ENDS } from './frontends/registry.js';
import { formatPretty } from './report/pretty.js';
import { closestMatches } from './suggest.js';
import { VERSION } from './version.js';
import { assertCleanWorkTree, writeFileAtomic } from './write.js';

type Format = 'pretty' | 'json' | 'markdown' | 'sarif' | 'github';
const FORMATS: readonly Format[] = ['pretty', 'json', 'markdown', 'sarif', 'github'];

interface CliOptions {
  project?: string;
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
  dryRun?: boolean;
  language?: string;
  quiet?: boolean;
  progress: boolean;
  color: boolean;
  debug?: boolean;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  isTTY: boolean;
}

const defaultIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
});

function buildProgram(io: CliIo): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
  return new Command('async-migrate')
    .description('Find blocking and misused async code, and migrate sync call chains to async (TypeScript/JavaScript and Python).')
    .usage('[check|migrate] [paths...] [options]')
    .argument('[paths...]', 'files or directories (default: .)')
    .option('-p, --project <tsconfig>', 'TypeScript project file (default: nearest tsconfig.json/jsconfig.json)')
    .option('--rules <ids>', `comma-separated rule ids (${RULE_IDS.join(', ')})`)
    .addOption(new Option('--scope <scope>', 'reachable: blocking calls in async-reachable code; all: everywhere').choices(['reachable', 'all']))
    .option('--make-async <targets>', 'turn these functions async as roots: fn, Class.method, Interface.member, Class.*, file.ts:line (repeatable)', collect, [])
    .addOption(new Option('--strategy <strategy>', 'inplace: turn functions async; dual: keep sync APIs, add fooAsync siblings').choices(['inplace', 'dual']))
    .addOption(new Option('--format <format>', 'report format on stdout').choices([...FORMATS]))
    .option('-o, --output <file>', 'also write the report to a file (format from --format or the extension)')
    .addOption(new Option('--fail-on <severity>', 'check: lowest severity that fails the run').choices(['error', 'warning', 'info']).default('warning'))
    .option('--config <file>', 'config file (default: async-migrate.config.json at the root)')
    .option('--since <git-ref>', 'check: report only findings on lines changed since this git ref')
    .option('--baseline <report.json>', 'check: do not count findings already in this JSON report')
    .option('--allow-dirty', 'migrate: allow writing into a git work tree with uncommitted changes')
    .option('--dry-run', 'migrate: print the diff and the report, write nothing')
    .addOption(new Option('--language <language>', 'only this language').choices(['ts', 'typescript', 'python', 'py']))
    .option('--quiet', 'print only the report')
    .option('--no-progress', 'no progress on stderr')
    .option('--no-color', 'no colors')
    .option('--debug', 'print stack traces of unexpected errors')
    .version(VERSION, '-v, --version')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: () => undefined })
    .showHelpAfterError(false);
}

export async function run(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const [first, ...rest] = argv;
    const command = first === 'check' || first === 'migrate' ? first : undefined;
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
    return await execute(command ?? 'default', program.args, options, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`async-migrate: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`async-migrate: unexpected error: ${message}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return 2;
  }
}

function parseRules(value: string | undefined): RuleId[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((id) => id.trim()).filter(Boolean);
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
  return ext === '.json' ? 'json' : ext === '.md' ? 'markdown' : ext === '.sarif' ? 'sarif' : undefined;
}

async function execute(command: 'check' | 'migrate' | 'default', paths: string[], options: CliOptions, io: CliIo): Promise<number> {
  const dryRun = command === 'default' || Boolean(options.dryRun);
  const engineCommand = command === 'check' ? 'check' : 'migrate';
  const firstPath = path.resolve(io.cwd, paths[0] ?? '.');
  const configRoot = /\.[a-z]+$/i.test(firstPath) ? path.dirname(firstPath) : firstPath;
  const { config } = await loadConfig(configRoot, options.config ? path.resolve(io.cwd, options.config) : undefined);
  const format: Format = (options.format as Format | undefined) ?? formatFromOutput(options.output) ?? 'pretty';
  const baseline = options.baseline ? await loadBaseline(path.resolve(io.cwd, options.baseline)) : undefined;
  const progress = createProgress({ quiet: options.quiet, progress: options.progress });
  const language: Language | undefined = options.language === 'ts' || options.language === 'typescript' ? 'typescript' : options.language ? 'python' : undefined;
  const result = await runEngine({
    command: engineCommand,
    paths,
    cwd: io.cwd,
    config,
    rules: parseRules(options.rules),
    language,
    projectFile: options.project ? path.resolve(io.cwd, options.project) : undefined,
    makeAsync: options.makeAsync,
    strategy: (options.strategy as 'inplace' | 'dual' | undefined) ?? config.strategy,
    scope: (options.scope as 'reachable' | 'all' | undefined) ?? config.scope,
    extraFrontEnds: EXTRA_FRONT_ENDS,
    onPhase: (phase, _done, total) => progress.phase(phase, total ?? 0),
    onWarning: (message) => io.stderr(`async-migrate: warning: ${message}\n`),
  });
  progress.stop();
  // Adoption filters: only findings on lines changed since a ref, and none already in a baseline.
  if (options.since) result.report = filterFindingsToLines(result.report, await changedLinesSince(result.root, options.since));
  if (baseline) result.report = filterByBaseline(result.report, baseline);
  const color = options.color && io.isTTY && format === 'pretty';
  const rendered = await renderReport(result, format, color, dryRun);

  if (engineCommand === 'check') {
    io.stdout(rendered);
    await writeOutput(options.output, io.cwd, result, format);
    const threshold = SEVERITY_RANK[options.failOn as Severity];
    return result.report.findings.some((finding) => SEVERITY_RANK[finding.severity] >= threshold) ? 1 : 0;
  }

  if (dryRun) {
    const diffs = result.outputs.map((output) => unifiedDiff(output.file, output.before, output.after, options.color && io.isTTY));
    if (format === 'pretty') io.stdout(diffs.join('') + (diffs.length > 0 ? '\n' : ''));
    else if (diffs.length > 0 && !options.quiet) io.stderr(diffs.join(''));
    io.stdout(rendered);
    await writeOutput(options.output, io.cwd, result, format);
    return 0;
  }

  if (!options.allowDirty && result.outputs.length > 0) {
    // The paths being migrated must be clean, so that `git diff` afterwards shows the migration alone.
    await assertCleanWorkTree(io.cwd, (paths.length > 0 ? paths : ['.']).map((p) => path.resolve(io.cwd, p)));
  }
  for (const output of result.outputs) await writeFileAtomic(output.absolute, output.after);
  io.stdout(rendered);
  await writeOutput(options.output, io.cwd, result, format);
  return result.report.skipped.some((entry) => entry.reason.includes('left unchanged')) ? 1 : 0;
}

async function renderReport(result: EngineResult, format: Format, color: boolean, dryRun = false): Promise<string> {
  if (format === 'json') return formatJson(result.report);
  if (format === 'markdown') return formatMarkdown(result.report);
  if (format === 'github') return formatGithub(result.report);
  if (format === 'sarif') {
    const rules = TRANSFORMS.map((t) => ({ id: t.id, what: t.docs.what, why: t.docs.why, fixSafety: t.docs.fixSafety, severity: t.severity }));
    return formatSarif(result.report, rules);
  }
  const sources = new Map<string, string>();
  for (const finding of result.report.findings) {
    if (sources.has(finding.file)) continue;
    sources.set(finding.file, await readFile(path.join(result.root, finding.file), 'utf8').catch(() => ''));
  }
  return formatPretty(result.report, { color, sources, dryRun });
}

async function writeOutput(file: string | undefined, cwd: string, result: EngineResult, format: Format): Promise<void> {
  if (!file) return;
  const report: Report = result.report;
  const text = await renderReport({ ...result, report }, formatFromOutput(file) ?? format, false);
  await writeFile(path.resolve(cwd, file), text, 'utf8');
}
