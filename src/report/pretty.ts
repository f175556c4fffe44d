// The human report: findings by severity with a code frame, what a migration would do (long lists
// folded unless --verbose: the JSON and markdown reports always hold everything), and a verdict with
// the next command, as ESLint and ruff end theirs. Everything from the user's files passes through
// terminalSafe first, and every line fits the terminal's width.
import { stripVTControlCharacters } from 'node:util';
import { Chalk, type ChalkInstance } from 'chalk';
import { RULE_IDS, SEVERITY_RANK, type BlockedEntry, type Finding, type Report, type RuleId, type Severity } from '../model.js';
import { displayWidth, terminalLine, terminalName, terminalSafe, wrapLine } from './terminal.js';
import { plural } from './text.js';

export interface PrettyOptions {
  color: boolean;
  /** Source text by report-relative path, for code frames. */
  sources: ReadonlyMap<string, string>;
  /** `migrate --dry-run`: say what would change, not what changed. */
  dryRun?: boolean;
  /** Columns to fit (process.stdout.columns on a TTY, else 80). */
  width?: number;
  /** List every entry instead of folding long lists and blocked places by their cause. */
  verbose?: boolean;
  /** Counts per rule instead of the findings (`--statistics`, as ruff's). */
  statistics?: boolean;
  /** The paths and options of this run that the suggested next command repeats (already shell-quoted). */
  rerun?: readonly string[];
  /** `migrate` wrote these files (paths as the user gave them); omitted in check and dry runs. */
  written?: readonly string[];
  /** Where the written files live: a git work tree that was clean before, one with other changes (--allow-dirty), or none. */
  vcs?: 'git-clean' | 'git-dirty' | 'none';
}

/** Lists of files longer than this fold to their first entries and a count, unless --verbose. */
export const FOLD_AFTER = 10;
/**
 * The plan's lists (functions that turn async, blocked causes, API changes, …) fold sooner: on a
 * repository of a few hundred files the summary must stay about a screen; the report files list all.
 */
const PLAN_FOLD_AFTER = 5;
const DEFAULT_WIDTH = 80;
const TAB = '    ';

/** The first line of a dry run, before the diff: nothing was written, and how to write it. */
export function dryRunHeader(rerun: readonly string[] = []): string {
  return `dry run: nothing written; run \`${command('migrate', rerun)}\` to apply`;
}

export function formatPretty(unsafeReport: Report, options: PrettyOptions): string {
  const report = terminalSafe(unsafeReport);
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const width = options.width ?? DEFAULT_WIDTH;
  const verbose = options.verbose === true;
  const out: string[] = [];
  const fold = <T>(items: readonly T[], after = PLAN_FOLD_AFTER): { shown: readonly T[]; more: string | undefined } =>
    verbose || items.length <= after + 1
      ? { shown: items, more: undefined }
      : { shown: items.slice(0, after), more: `  ${chalk.dim(`… and ${items.length - after} more (--verbose lists them; so do the reports of -o report.json or report.md)`)}` };

  if (options.statistics) out.push(...statistics(report, chalk));
  else out.push(...findingsSection(unsafeReport, report, options, chalk, width));

  if (!options.statistics) {
    if (report.asyncFunctions.length > 0) {
      out.push(chalk.bold(`Functions that turn async (${report.asyncFunctions.length}):`));
      const { shown, more } = fold(report.asyncFunctions);
      for (const fn of shown) {
        out.push(`  ${fn.name}  ${chalk.dim(`${fn.file}:${fn.line}`)}  because ${fn.because.join(' <- ')}`);
        if (fn.suggestion) out.push(`    ${chalk.dim(fn.suggestion)}`);
      }
      if (more) out.push(more);
      out.push('');
    }
    if (report.blocked.length > 0) out.push(...blockedSection(report.blocked, verbose, chalk), '');
    if (report.breaking.length > 0) {
      out.push(chalk.bold(chalk.red(`Public API changes (${report.breaking.length}):`)));
      const { shown, more } = fold(report.breaking);
      for (const entry of shown) {
        // A sibling a package entry point exposes is new API; one added to an interface is owed by its implementations.
        const additive = entry.kind !== 'additive' ? '' : entry.entryPoint ? '  (additive: new API)' : '  (additive: implementations must add it)';
        out.push(`  ${entry.name}  ${chalk.dim(`${entry.file}:${entry.line}`)}${additive}`);
        if (entry.entryPoint) out.push(`    ${chalk.dim(`exposed by ${entry.package} ${entry.entryPoint}`)}`);
        if (entry.before) out.push(`    ${chalk.red('-')} ${entry.before}`);
        out.push(`    ${chalk.green('+')} ${entry.after}`);
        if (entry.note) out.push(`    ${chalk.dim(entry.note)}`);
      }
      if (more) out.push(more);
      out.push('');
    }
    const impact = report.makeAsync;
    if (impact) {
      const targets = [...new Set(impact.targets.map((t) => t.target))].join(', ');
      out.push(chalk.bold(`Impact of --make-async ${targets} (beyond the default plan):`));
      // The refused targets first: they are the decisions left to make.
      const ordered = [...impact.targets.filter((t) => t.blocked), ...impact.targets.filter((t) => !t.blocked)];
      const targetList = fold(ordered);
      for (const t of targetList.shown) {
        out.push(`  ${t.name}  ${chalk.dim(`${t.file}:${t.line}`)}  ${t.blocked ? chalk.yellow(`refused [${t.blocked.kind}] ${t.blocked.reason}`) : 'turns async'}`);
        if (t.blocked) out.push(`    ${chalk.green('fix:')} ${t.blocked.suggestion}`);
      }
      if (targetList.more) out.push(targetList.more);
      out.push(
        `  adds ${impact.asyncFunctions.length} async functions, ${impact.awaitedCalls.length} awaited call sites, ${impact.files.length} changed files, ` +
          `${impact.breaking.length} breaking changes, ${impact.blocked.length} blocked places`,
      );
      const added = [
        ...impact.asyncFunctions.map((fn) => `  + ${fn.name}  ${chalk.dim(`${fn.file}:${fn.line}`)}`),
        ...impact.breaking.map((entry) => `  ${chalk.red('breaking')} ${entry.name}  ${chalk.dim(`${entry.file}:${entry.line}`)}`),
        ...impact.blocked.map((entry) => `  ${chalk.yellow('blocked')} ${entry.name}  ${chalk.dim(`${entry.file}:${entry.line}`)}  [${entry.kind}]`),
      ];
      const { shown, more } = fold(added);
      out.push(...shown, ...(more ? [more] : []), '');
    }
    if (report.unresolvedCalls && report.unresolvedCalls.length > 0) {
      out.push(chalk.bold(chalk.yellow(`Unresolved calls that may call a function that turns async (${report.unresolvedCalls.length}): check them by hand`)));
      const { shown, more } = fold(report.unresolvedCalls);
      for (const entry of shown) out.push(`  ${entry.call}  ${chalk.dim(`${entry.file}:${entry.line}:${entry.column}`)}  may call ${entry.mayCall.join(', ')}`);
      if (more) out.push(more);
      out.push('');
    }
    if (report.staleMocks && report.staleMocks.length > 0) {
      out.push(chalk.bold(chalk.yellow(`Mocks that no longer apply (${report.staleMocks.length}): the async callers call the sibling, not the patched name`)));
      const { shown, more } = fold(report.staleMocks);
      for (const mock of shown) out.push(`  patch ${mock.target}  ${chalk.dim(`${mock.file}:${mock.line}`)}  ${mock.name}'s async callers now call ${mock.sibling}: patch (or spy on) that too`);
      if (more) out.push(more);
      out.push('');
    }
  }
  {
    const { shown, more } = fold(report.skipped, FOLD_AFTER);
    for (const skipped of shown) out.push(chalk.yellow(`skipped ${skipped.file}: ${skipped.reason}`));
    if (more) out.push(more);
  }
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
  out.push(...verdict(report, options, chalk));
  return `${out.map((line) => fit(line, width)).join('\n')}\n`;
}

/** A line wrapped to the width, continuation lines indented under its text; code frames are fitted before. */
function fit(line: string, width: number): string {
  if (line.startsWith(FRAME)) return line.slice(FRAME.length);
  const plain = stripVTControlCharacters(line);
  const indent = plain.length - plain.trimStart().length;
  return wrapLine(line, width, Math.min(indent + 2, Math.floor(width / 2)));
}

/** Marks a line already fitted to the width (a code frame line), which `fit` must not wrap. */
const FRAME = '\u0000frame\u0000';

function findingsSection(unsafeReport: Report, report: Report, options: PrettyOptions, chalk: ChalkInstance, width: number): string[] {
  const out: string[] = [];
  // Errors first, then warnings, then notes: within a severity by file and position. A file with
  // findings of two severities appears under each.
  const order = report.findings
    .map((finding, index) => ({ finding, source: unsafeReport.findings[index]! }))
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity] ||
        (a.finding.file < b.finding.file ? -1 : a.finding.file > b.finding.file ? 1 : 0) ||
        a.finding.line - b.finding.line ||
        a.finding.column - b.finding.column,
    );
  let file: string | undefined;
  for (const { finding, source } of order) {
    if (finding.file !== file) {
      if (file !== undefined) out.push('');
      file = finding.file;
      out.push(chalk.underline(file));
    }
    const severity = finding.severity === 'error' ? chalk.red('error') : finding.severity === 'warning' ? chalk.yellow('warning') : chalk.blue('info');
    const fix = !finding.fixable ? (finding.applicability === 'display-only' ? chalk.dim(' (suggestion)') : '') : finding.applicability === 'unsafe' ? chalk.yellow(' (unsafe fix)') : chalk.green(' (fixable)');
    out.push(`  ${finding.line}:${finding.column}  ${severity}  ${finding.message}  ${chalk.dim(finding.rule)}${fix}`);
    if (finding.suggestions && finding.suggestions.length > 0) out.push(`    ${chalk.green('suggestions:')} ${finding.suggestions.join(' | ')}`);
    out.push(...codeFrame(options.sources.get(source.file), finding, chalk, width).map((line) => FRAME + line));
  }
  if (file !== undefined) out.push('');
  return out;
}

/** A source line as the frame shows it: tabs as spaces (so the caret lines up), controls escaped. */
function frameText(text: string): string {
  return terminalLine(text.replaceAll('\t', TAB));
}

function codeFrame(source: string | undefined, finding: Finding, chalk: ChalkInstance, width: number): string[] {
  if (source === undefined) return [];
  const lines = source.split(/\r?\n/);
  const from = Math.max(1, finding.line - 1);
  const to = Math.min(lines.length, finding.line + 1);
  const gutter = String(to).length;
  // The frame's text has the room the gutter leaves: `  > 12 | `.
  const room = Math.max(20, width - (gutter + 7));
  const caretAt = Math.max(0, finding.column - 1);
  const out: string[] = [];
  for (let line = from; line <= to; line++) {
    const raw = lines[line - 1] ?? '';
    const { text, caret } = fitToRoom(frameText(raw.slice(0, caretAt)), frameText(raw.slice(caretAt)), room);
    const marker = line === finding.line ? chalk.red('>') : ' ';
    out.push(`  ${marker} ${chalk.dim(String(line).padStart(gutter))} | ${text}`.trimEnd());
    if (line === finding.line) out.push(`    ${' '.repeat(gutter)} | ${' '.repeat(caret)}${chalk.red('^')}`);
  }
  return out;
}

/**
 * A code line cut to `room` columns around the finding's column, `…` where it was cut, and the
 * caret's column in the result. A long line is cut rather than wrapped: a minified line would wrap
 * into dozens of lines, and the caret must stay under its column.
 */
function fitToRoom(before: string, after: string, room: number): { text: string; caret: number } {
  const whole = before + after;
  if (displayWidth(whole) <= room) return { text: whole, caret: displayWidth(before) };
  const head = [...before];
  const tail = [...after];
  // Keep up to a third of the room before the column, the rest after it.
  let left = '';
  let leftWidth = 0;
  const leftRoom = Math.floor(room / 3);
  for (let i = head.length - 1; i >= 0; i--) {
    const w = displayWidth(head[i]!);
    if (leftWidth + w > leftRoom - 1) break;
    left = head[i]! + left;
    leftWidth += w;
  }
  const cutLeft = left.length < before.length;
  const prefix = cutLeft ? '…' : '';
  let right = '';
  let rightWidth = 0;
  const rightRoom = room - leftWidth - prefix.length - 1;
  for (const char of tail) {
    const w = displayWidth(char);
    if (rightWidth + w > rightRoom) break;
    right += char;
    rightWidth += w;
  }
  const suffix = right.length < after.length ? '…' : '';
  return { text: prefix + left + right + suffix, caret: prefix.length + leftWidth };
}

/**
 * Blocked places folded by their root cause: a place that waits on another blocked place (a caller
 * of a blocked constructor) is counted under the first place in its chain, which is shown with the
 * fix. --verbose lists each place.
 */
function blockedSection(blocked: readonly BlockedEntry[], verbose: boolean, chalk: ChalkInstance): string[] {
  const out = [chalk.bold(chalk.yellow(`Blocked: cannot turn async (${blocked.length}):`))];
  const key = (place: { name: string; file: string; line: number }): string => `${place.file}:${place.line}:${place.name}`;
  const groups = new Map<string, { root?: BlockedEntry; cause: { name: string; file: string; line: number }; waiting: BlockedEntry[] }>();
  for (const entry of blocked) {
    const cause = entry.cause ?? entry;
    const group = groups.get(key(cause)) ?? { cause, waiting: [] };
    if (entry.cause) group.waiting.push(entry);
    else group.root = entry;
    groups.set(key(cause), group);
  }
  // The causes that hold the most places first.
  const ordered = [...groups.values()].sort((a, b) => b.waiting.length - a.waiting.length);
  const shownGroups = verbose || ordered.length <= PLAN_FOLD_AFTER + 1 ? ordered : ordered.slice(0, PLAN_FOLD_AFTER);
  for (const group of shownGroups) {
    const { root, cause, waiting } = group;
    if (root) {
      out.push(`  ${root.name}  ${chalk.dim(`${root.file}:${root.line}`)}  [${root.kind}] ${root.reason}`);
      out.push(`    ${chalk.green('fix:')} ${root.suggestion}`);
    } else {
      out.push(`  ${cause.name}  ${chalk.dim(`${cause.file}:${cause.line}`)}`);
    }
    if (waiting.length === 0) continue;
    if (!verbose) {
      const names = waiting.slice(0, 3).map((entry) => entry.name).join(', ');
      out.push(`    ${chalk.yellow(`+ ${waiting.length} ${waiting.length === 1 ? 'place waits' : 'places wait'} on it`)} (${names}${waiting.length > 3 ? ', …' : ''}): resolve this block first`);
      continue;
    }
    for (const entry of waiting) {
      out.push(`    ${chalk.yellow('waits on it:')} ${entry.name}  ${chalk.dim(`${entry.file}:${entry.line}`)}  [${entry.kind}] ${entry.reason}`);
      if (verbose) out.push(`      ${chalk.green('fix:')} ${entry.suggestion}`);
    }
  }
  if (shownGroups.length < ordered.length) {
    const rest = ordered.slice(shownGroups.length);
    const places = rest.reduce((sum, group) => sum + group.waiting.length + (group.root ? 1 : 0), 0);
    out.push(`  ${chalk.dim(`… and ${places} more places under ${rest.length} more causes (--verbose lists them; so do the reports of -o report.json or report.md)`)}`);
  }
  return out;
}

/** `--statistics`: one line per rule, the most frequent first, as `ruff --statistics`. */
function statistics(report: Report, chalk: ChalkInstance): string[] {
  const rows = new Map<RuleId, { count: number; safe: number; unsafe: number }>();
  for (const finding of report.findings) {
    const row = rows.get(finding.rule) ?? { count: 0, safe: 0, unsafe: 0 };
    row.count++;
    if (finding.fixable && finding.applicability === 'unsafe') row.unsafe++;
    else if (finding.fixable) row.safe++;
    rows.set(finding.rule, row);
  }
  if (rows.size === 0) return [];
  const ordered = [...rows].sort(([a, x], [b, y]) => y.count - x.count || RULE_IDS.indexOf(a) - RULE_IDS.indexOf(b));
  const countWidth = Math.max(...ordered.map(([, row]) => String(row.count).length));
  const ruleWidth = Math.max(...ordered.map(([rule]) => rule.length));
  const out = ordered.map(([rule, row]) => {
    const none = row.count - row.safe - row.unsafe;
    const marker = row.safe === row.count ? '[*]' : '[ ]';
    const parts = [row.safe > 0 ? `${row.safe} safe` : '', row.unsafe > 0 ? `${row.unsafe} unsafe` : '', none > 0 ? `${none} not fixable` : ''].filter(Boolean);
    return `${String(row.count).padStart(countWidth)}  ${rule.padEnd(ruleWidth)}  ${marker} ${parts.join(', ')}`;
  });
  return [chalk.bold('Findings by rule ([*]: every one fixable by `migrate`):'), ...out, ''];
}


function command(verb: string, rerun: readonly string[], extra: readonly string[] = []): string {
  return ['async-migrate', verb, ...rerun, ...extra].join(' ');
}

/**
 * The last lines: how many problems of each severity, how many `migrate` fixes (safe / unsafe) and
 * how many it cannot, and the command to run next; after `migrate`, the files written and how to
 * review and undo them.
 */
function verdict(report: Report, options: PrettyOptions, chalk: ChalkInstance): string[] {
  const count: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  let safe = 0;
  let unsafe = 0;
  for (const finding of report.findings) {
    count[finding.severity]++;
    if (finding.fixable && finding.applicability === 'unsafe') unsafe++;
    else if (finding.fixable) safe++;
  }
  const total = report.findings.length;
  const notFixable = total - safe - unsafe;
  const rerun = options.rerun ?? [];
  const unsafeApplied = report.summary.fixes.unsafeApplied;
  const out: string[] = [];
  const counts = `${plural(count.error, 'error')}, ${plural(count.warning, 'warning')}${count.info > 0 ? `, ${count.info} info` : ''}`;
  // As ESLint and ruff: what `migrate` fixes, what needs --unsafe-fixes, what needs a person; zeros left out.
  const fixability = [
    safe > 0 ? `${safe} fixable by \`migrate\`` : '',
    unsafe > 0 ? `${unsafe} with --unsafe-fixes (unsafe)` : '',
    notFixable > 0 ? `${notFixable} not fixable` : '',
  ].filter(Boolean).join(', ');
  const incomplete = report.skipped.length > 0 ? `; ${plural(report.skipped.length, 'file')} skipped` : '';
  const changes = report.summary.filesChanged;
  if (report.command === 'check' || options.dryRun) {
    if (total === 0) {
      out.push(chalk.green(`no problems${incomplete}`));
    } else {
      const mark = count.error > 0 ? chalk.red('✖') : chalk.yellow('✖');
      out.push(
        `${mark} ${chalk.bold(plural(total, 'problem'))} (${counts}): ${fixability}${incomplete}`,
      );
    }
    if (changes > 0) {
      out.push(
        report.command === 'check'
          ? `next: \`${command('migrate', rerun, ['--dry-run'])}\` to see the changes to ${plural(changes, 'file')}, then \`${command('migrate', rerun)}\` to apply them`
          : `next: \`${command('migrate', rerun)}\` to apply the changes to ${plural(changes, 'file')}`,
      );
    } else if (unsafe > 0 && !unsafeApplied) {
      out.push(
        `next: \`${command('migrate', rerun, ['--unsafe-fixes', '--dry-run'])}\` to review the ${plural(unsafe, 'unsafe fix', 'unsafe fixes')}` +
          (notFixable > 0 ? `; fix the other ${plural(notFixable, 'finding')} by hand` : ''),
      );
    } else if (total > 0) {
      out.push(`next: fix the ${plural(total, 'finding')} by hand (nothing for \`migrate\` to change)`);
    }
    return out;
  }
  const fixed = safe + (unsafeApplied ? unsafe : 0);
  const left = total - fixed;
  out.push(
    total === 0
      ? chalk.green(`no problems${incomplete}`)
      : `${chalk.bold(plural(total, 'problem'))} (${counts}): ${fixed} fixed` +
          (left > 0
            ? `, ${left} left (${[!unsafeApplied && unsafe > 0 ? `${unsafe} unsafe ${unsafe === 1 ? 'fix' : 'fixes'} not applied` : '', notFixable > 0 ? `${notFixable} not fixable` : ''].filter(Boolean).join(', ')})`
            : '') +
          incomplete,
  );
  const written = (options.written ?? []).map(terminalName);
  if (written.length > 0) {
    const shown = options.verbose || written.length <= FOLD_AFTER + 1 ? written : written.slice(0, FOLD_AFTER);
    out.push(`wrote ${plural(written.length, 'file')}: ${shown.join(', ')}${shown.length < written.length ? `, … and ${written.length - shown.length} more` : ''}`);
    if (options.vcs === 'git-clean') out.push('review: `git diff`; undo: `git restore .`');
    else if (options.vcs === 'git-dirty') out.push('review: `git diff`; undo: `git restore <file>` for each file above (under --allow-dirty, `git restore .` would also drop changes of your own)');
    else out.push('not in a git work tree: review the files above; there is no undo but your own copy');
  } else {
    out.push('wrote nothing');
  }
  if (left > 0) out.push(`next: \`${command('check', rerun)}\` lists the ${plural(left, 'finding')} left`);
  return out;
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
  const one = unsafe === 1;
  const what = `${unsafe} unsafe ${one ? 'fix' : 'fixes'}`;
  const caution = one ? 'it may change timing, ordering or dispatch: review it' : 'they may change timing, ordering or dispatch: review each';
  return report.command === 'check'
    ? `${what} available with \`async-migrate migrate --unsafe-fixes\` (${caution})`
    : `${what} not applied; run with \`--unsafe-fixes\` to apply ${one ? 'it' : 'them'} (${caution})`;
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

