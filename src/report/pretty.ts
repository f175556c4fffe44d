// The human report: findings grouped by file with a code frame, then what a migration would do.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Finding, Report } from '../model.js';

export interface PrettyOptions {
  color: boolean;
  /** Source text by report-relative path, for code frames. */
  sources: ReadonlyMap<string, string>;
  /** `migrate --dry-run`: say what would change, not what changed. */
  dryRun?: boolean;
}

function codeFrame(source: string | undefined, finding: Finding, chalk: ChalkInstance): string {
  if (source === undefined) return '';
  const lines = source.split(/\r?\n/);
  const from = Math.max(1, finding.line - 1);
  const to = Math.min(lines.length, finding.line + 1);
  const width = String(to).length;
  const out: string[] = [];
  for (let line = from; line <= to; line++) {
    const marker = line === finding.line ? chalk.red('>') : ' ';
    out.push(`  ${marker} ${chalk.dim(String(line).padStart(width))} | ${lines[line - 1] ?? ''}`);
    if (line === finding.line) out.push(`    ${' '.repeat(width)} | ${' '.repeat(Math.max(0, finding.column - 1))}${chalk.red('^')}`);
  }
  return out.join('\n');
}

export function formatPretty(report: Report, options: PrettyOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push(finding);
    byFile.set(finding.file, list);
  }
  for (const [file, findings] of byFile) {
    out.push(chalk.underline(file));
    for (const finding of findings) {
      const severity = finding.severity === 'error' ? chalk.red('error') : finding.severity === 'warning' ? chalk.yellow('warning') : chalk.blue('info');
      const fix = !finding.fixable ? (finding.applicability === 'display-only' ? chalk.dim(' (suggestion)') : '') : finding.applicability === 'unsafe' ? chalk.yellow(' (unsafe fix)') : chalk.green(' (fixable)');
      out.push(`  ${finding.line}:${finding.column}  ${severity}  ${finding.message}  ${chalk.dim(finding.rule)}${fix}`);
      if (finding.suggestions && finding.suggestions.length > 0) out.push(`    ${chalk.green('suggestions:')} ${finding.suggestions.join(' | ')}`);
      const frame = codeFrame(options.sources.get(file), finding, chalk);
      if (frame) out.push(frame);
    }
    out.push('');
  }
  if (report.asyncFunctions.length > 0) {
    out.push(chalk.bold(`Functions that turn async (${report.asyncFunctions.length}):`));
    for (const fn of report.asyncFunctions) {
      out.push(`  ${fn.name}  ${chalk.dim(`${fn.file}:${fn.line}`)}  because ${fn.because.join(' <- ')}`);
      if (fn.suggestion) out.push(`    ${chalk.dim(fn.suggestion)}`);
    }
    out.push('');
  }
  if (report.blocked.length > 0) {
    out.push(chalk.bold(chalk.yellow(`Blocked: cannot turn async (${report.blocked.length}):`)));
    for (const entry of report.blocked) {
      out.push(`  ${entry.name}  ${chalk.dim(`${entry.file}:${entry.line}`)}  [${entry.kind}] ${entry.reason}`);
      out.push(`    ${chalk.green('fix:')} ${entry.suggestion}`);
    }
    out.push('');
  }
  if (report.breaking.length > 0) {
    out.push(chalk.bold(chalk.red(`Public API changes (${report.breaking.length}):`)));
    for (const entry of report.breaking) {
      out.push(`  ${entry.name}  ${chalk.dim(`${entry.file}:${entry.line}`)}${entry.kind === 'additive' ? '  (additive: implementations must add it)' : ''}`);
      if (entry.before) out.push(`    ${chalk.red('-')} ${entry.before}`);
      out.push(`    ${chalk.green('+')} ${entry.after}`);
    }
    out.push('');
  }
  const impact = report.makeAsync;
  if (impact) {
    const targets = [...new Set(impact.targets.map((t) => t.target))].join(', ');
    out.push(chalk.bold(`Impact of --make-async ${targets} (beyond the default plan):`));
    for (const t of impact.targets) {
      out.push(`  ${t.name}  ${chalk.dim(`${t.file}:${t.line}`)}  ${t.blocked ? chalk.yellow(`refused [${t.blocked.kind}] ${t.blocked.reason}`) : 'turns async'}`);
      if (t.blocked) out.push(`    ${chalk.green('fix:')} ${t.blocked.suggestion}`);
    }
    out.push(
      `  adds ${impact.asyncFunctions.length} async functions, ${impact.awaitedCalls.length} awaited call sites, ${impact.files.length} changed files, ` +
        `${impact.breaking.length} breaking changes, ${impact.blocked.length} blocked places`,
    );
    for (const fn of impact.asyncFunctions) out.push(`  + ${fn.name}  ${chalk.dim(`${fn.file}:${fn.line}`)}`);
    for (const entry of impact.breaking) out.push(`  ${chalk.red('breaking')} ${entry.name}  ${chalk.dim(`${entry.file}:${entry.line}`)}`);
    for (const entry of impact.blocked) out.push(`  ${chalk.yellow('blocked')} ${entry.name}  ${chalk.dim(`${entry.file}:${entry.line}`)}  [${entry.kind}]`);
    out.push('');
  }
  if (report.unresolvedCalls && report.unresolvedCalls.length > 0) {
    out.push(chalk.bold(chalk.yellow(`Unresolved calls that may call a function that turns async (${report.unresolvedCalls.length}): check them by hand`)));
    for (const entry of report.unresolvedCalls) out.push(`  ${entry.call}  ${chalk.dim(`${entry.file}:${entry.line}:${entry.column}`)}  may call ${entry.mayCall.join(', ')}`);
    out.push('');
  }
  if (report.staleMocks && report.staleMocks.length > 0) {
    out.push(chalk.bold(chalk.yellow(`Mocks that no longer apply (${report.staleMocks.length}): the async callers call the sibling, not the patched name`)));
    for (const mock of report.staleMocks) out.push(`  patch ${mock.target}  ${chalk.dim(`${mock.file}:${mock.line}`)}  ${mock.name}'s async callers now call ${mock.sibling}: patch (or spy on) that too`);
    out.push('');
  }
  for (const skipped of report.skipped) out.push(chalk.yellow(`skipped ${skipped.file}: ${skipped.reason}`));
  const s = report.summary;
  if (s.linesCopied) out.push(...copyWidth(report, chalk));
  const rules = Object.entries(s.byRule).map(([rule, count]) => `${rule} ${count}`).join(', ');
  out.push(
    `${s.files} files, ${s.findings} findings${rules ? ` (${rules})` : ''}; ` +
      (report.command === 'check' || options.dryRun
        ? `a migration would make ${s.functionsMadeAsync} functions async, await ${s.callSitesAwaited} call sites, change ${s.filesChanged} files`
        : `made ${s.functionsMadeAsync} functions async, awaited ${s.callSitesAwaited} call sites, changed ${s.filesChanged} files`) +
      `; ${s.blocked} blocked, ${s.breaking} breaking${s.additive ? `, ${s.additive} additive` : ''}`,
  );
  const unsafeNote = unsafeFixesNote(report);
  if (unsafeNote) out.push(chalk.yellow(unsafeNote));
  if (report.findings.length > 0) out.push(chalk.dim(RULE_DOCS_HINT));
  return `${out.join('\n')}\n`;
}

/** Where each finding's rule is explained: the id is on every finding line. */
export const RULE_DOCS_HINT = 'see: `async-migrate rule <id>` (docs/rules/<id>.md) for what a rule finds and how to fix it';

/**
 * "2 unsafe fixes not applied; run with `--unsafe-fixes`" (ruff's wording), or undefined when the
 * run has none or applied them.
 */
export function unsafeFixesNote(report: Report): string | undefined {
  const { unsafe, unsafeApplied } = report.summary.fixes;
  if (unsafe === 0 || unsafeApplied) return undefined;
  const what = `${unsafe} unsafe ${unsafe === 1 ? 'fix' : 'fixes'}`;
  return report.command === 'check'
    ? `${what} available with \`async-migrate migrate --unsafe-fixes\` (they may change timing, ordering or dispatch: review each)`
    : `${what} not applied; run with \`--unsafe-fixes\` to apply them (they may change timing, ordering or dispatch: review each)`;
}

/**
 * Under dual, a sync API is kept by copying every function on the way to its blocking call: one
 * `existsSync` in a file registry copied a whole comment parser (+3,000 lines). Say how wide the copy
 * is, and when it is large, where it lands.
 */
export const LARGE_COPY_LINES = 500;

function copyWidth(report: Report, chalk: ChalkInstance): string[] {
  const copied = report.summary.linesCopied ?? 0;
  if (copied < LARGE_COPY_LINES) return [`async siblings beside kept sync functions copy ${copied} lines`];
  const widest = report.changes
    .filter((change) => change.linesCopied)
    .sort((a, b) => b.linesCopied! - a.linesCopied! || (a.file < b.file ? -1 : 1))
    .slice(0, 5)
    .map((change) => `${change.file} +${change.linesCopied}`);
  return [
    chalk.yellow(`async siblings beside kept sync functions copy ${copied} lines (${widest.join(', ')}): a large copy to keep the sync API; ` +
      'check which chains need it, or migrate those functions in place (--strategy inplace, --make-async)'),
  ];
}
