// `--format markdown`: a document a team can act on, for a pull request or an issue. Sections in the
// order people ask: how big is it, what breaks, what is stuck, why each function turns async.
import { RULE_IDS } from '../model.js';
import type { Report, RuleId } from '../model.js';
import { ruleDocsUrl } from '../rule-links.js';
import { DEFAULT_NODE_CAP, propagationFlowchart } from './mermaid.js';
import { unsafeFixesNote } from './pretty.js';
import { terminalLines } from './terminal.js';
import { plural } from './text.js';

export interface MarkdownOptions {
  /** Most nodes drawn one by one in the flowchart before it collapses to files. */
  chartNodeCap?: number;
}

/** Long lists fold into `<details>` past this many entries, so the summary stays on screen. */
const FOLD_AFTER = 20;

export function formatMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const sections = [
    header(report),
    summarySection(report),
    stillBlockingSection(report),
    unsafeFixesSection(report),
    blockedSection(report),
    breakingSection(report),
    makeAsyncSection(report),
    unresolvedSection(report),
    staleMocksSection(report),
    skippedSection(report),
    whySection(report),
    propagationSection(report, options.chartNodeCap ?? DEFAULT_NODE_CAP),
  ];
  // Printed on stdout by default, so control characters from the user's files are escaped as on a terminal.
  return terminalLines(`${sections.filter((section) => section !== '').join('\n\n')}\n`);
}

function header(report: Report): string {
  const verb = report.command === 'check' ? 'check (nothing written; changes are what `migrate` would do)' : 'migrate';
  return [
    `# async-migrate report`,
    '',
    `${report.tool} ${text(report.version)} · ${verb} · root ${code(report.root)}`,
    '',
    verdict(report),
  ].join('\n');
}

/** The whole report in one sentence, for whoever reads no further. */
function verdict(report: Report): string {
  const { summary } = report;
  if (report.findings.length === 0 && summary.functionsMadeAsync === 0 && summary.blocked === 0) {
    return '**Nothing to do:** no findings, and nothing turns async.';
  }
  const unfixable = report.findings.filter((finding) => !finding.fixable).length;
  const isCheck = report.command === 'check';
  const parts = [
    `**${plural(report.findings.length, 'finding')}**${unfixable > 0 ? ` (${unfixable} not fixable automatically)` : ''}`,
    `${isCheck ? '`migrate` would turn' : 'turned'} ${plural(summary.functionsMadeAsync, 'function')} async and ` +
      `${isCheck ? 'await' : 'awaited'} ${plural(summary.callSitesAwaited, 'call site')}`,
  ];
  const decisions = [
    summary.blocked > 0 ? plural(summary.blocked, 'blocked place') : '',
    summary.breaking > 0 ? plural(summary.breaking, 'breaking change') : '',
  ].filter((part) => part !== '');
  const undecided = summary.blocked + summary.breaking;
  if (decisions.length > 0) parts.push(`${decisions.join(' and ')} ${undecided === 1 ? 'needs' : 'need'} a decision`);
  const unsafeNote = unsafeFixesNote(report);
  if (unsafeNote) parts.push(unsafeNote);
  return `${parts.join('; ')}.`;
}

function summarySection(report: Report): string {
  const { summary } = report;
  const rows: [string, string][] = [
    ['Files scanned', String(summary.files)],
    ['Findings', String(summary.findings)],
  ];
  for (const rule of RULE_IDS) {
    const count = summary.byRule[rule];
    if (count !== undefined && count > 0) rows.push([`&nbsp;&nbsp;${ruleLink(rule)}`, String(count)]);
  }
  const unfixable = report.findings.filter((finding) => !finding.fixable).length;
  if (unfixable > 0) rows.push(['&nbsp;&nbsp;not fixable automatically', String(unfixable)]);
  if (summary.fixes.unsafe > 0) rows.push([`&nbsp;&nbsp;unsafe fixes${summary.fixes.unsafeApplied ? ' (applied)' : ' (need `--unsafe-fixes`)'}`, String(summary.fixes.unsafe)]);
  rows.push(
    ['Functions made async', String(summary.functionsMadeAsync)],
    ['Call sites awaited', String(summary.callSitesAwaited)],
    ['Blocked', String(summary.blocked)],
    ['Breaking changes', String(summary.breaking)],
    ...(summary.additive ? [['Additive API changes', String(summary.additive)] as [string, string]] : []),
    ['Files changed', String(summary.filesChanged)],
    ...(summary.linesCopied ? [['Lines copied into async siblings', String(summary.linesCopied)] as [string, string]] : []),
  );
  if (report.skipped.length > 0) rows.push(['Files skipped', String(report.skipped.length)]);
  if (report.coverage !== undefined) rows.push(['Async coverage', asyncCoverage(report.coverage)]);
  return ['## Summary', '', '| | |', '|---|--:|', ...rows.map(([label, value]) => `| ${label} | ${value} |`)].join('\n');
}

/** Share of async-reachable call sites that no longer block, rounded down so 100% means none left. */
export function asyncCoverage(coverage: NonNullable<Report['coverage']>): string {
  const { asyncReachableSites: total, stillBlocking } = coverage;
  if (total === 0) return 'n/a (no async-reachable call sites)';
  const unblocked = Math.max(0, total - stillBlocking);
  const percent = Math.floor((unblocked / total) * 1000) / 10;
  return `${percent.toFixed(1)}% (${unblocked} of ${total} async-reachable call sites no longer block)`;
}

function stillBlockingSection(report: Report): string {
  const unfixable = report.findings.filter((finding) => !finding.fixable);
  if (unfixable.length === 0) return '';
  const rows = unfixable.map(
    (f) => `| ${cellCode(`${f.file}:${f.line}:${f.column}`)} | ${ruleLink(f.rule)} | ${f.severity} | ${cell(f.message)} |`,
  );
  return fold(
    [
      '## Still blocking',
      '',
      `${plural(unfixable.length, 'finding')} that \`migrate\` cannot fix; each needs a change by hand.`,
    ].join('\n'),
    ['| Location | Rule | Severity | Message |', '|---|---|---|---|', ...rows].join('\n'),
    unfixable.length,
  );
}

/** Fixes `migrate` applies only with --unsafe-fixes: each may change timing, ordering or dispatch. */
function unsafeFixesSection(report: Report): string {
  const unsafe = report.findings.filter((finding) => finding.fixable && finding.applicability === 'unsafe');
  if (unsafe.length === 0) return '';
  const rows = unsafe.map(
    (f) => `| ${cellCode(`${f.file}:${f.line}:${f.column}`)} | ${ruleLink(f.rule)} | ${cell(f.message)} | ${cell((f.suggestions ?? []).join(' · '))} |`,
  );
  const applied = report.summary.fixes.unsafeApplied;
  return fold(
    [
      '## Unsafe fixes',
      '',
      `${plural(unsafe.length, 'finding')} whose fix may change timing, ordering, error flow or dispatch; ${
        applied ? 'applied because of `--unsafe-fixes`: review each' : '`migrate` applies them only with `--unsafe-fixes`: decide each by hand'
      }.`,
    ].join('\n'),
    ['| Location | Rule | Message | Suggestions |', '|---|---|---|---|', ...rows].join('\n'),
    unsafe.length,
  );
}

function blockedSection(report: Report): string {
  if (report.blocked.length === 0) return '';
  const entries = report.blocked.map((b) =>
    [
      `### ${code(b.name)} (${b.kind}) · ${code(`${b.file}:${b.line}`)}`,
      '',
      text(b.reason),
      '',
      `**Suggested fix:** ${text(b.suggestion)}`,
    ].join('\n'),
  );
  return [
    '## Blocked',
    '',
    `${plural(report.blocked.length, 'place')} where async cannot go on; the functions above them stay as they are.`,
    '',
    entries.join('\n\n'),
  ].join('\n');
}

function unresolvedSection(report: Report): string {
  const entries = report.unresolvedCalls ?? [];
  if (entries.length === 0) return '';
  return [
    '## Unresolved calls',
    '',
    `${plural(entries.length, 'call site')} the analysis could not resolve, named like a function that turns async: check each by hand (an unawaited call there would drop a coroutine).`,
    '',
    ...entries.map((u) => `- ${code(u.call)} at ${code(`${u.file}:${u.line}:${u.column}`)} may call ${u.mayCall.map(code).join(', ')}`),
  ].join('\n');
}

function staleMocksSection(report: Report): string {
  const entries = report.staleMocks ?? [];
  if (entries.length === 0) return '';
  return [
    '## Mocks that no longer apply',
    '',
    `${plural(entries.length, 'mock')} of a sync name that the async callers no longer call (they call the sibling): patch (or spy on) the sibling too.`,
    '',
    ...entries.map((m) => `- ${code(m.target)} at ${code(`${m.file}:${m.line}`)}: ${code(m.name)}'s async callers call ${code(m.sibling)}`),
  ].join('\n');
}

function breakingSection(report: Report): string {
  if (report.breaking.length === 0) return '';
  const entries = report.breaking.map((b) =>
    [
      `### ${code(b.name)} · ${code(`${b.file}:${b.line}`)}${b.kind === 'additive' ? ' (additive)' : ''}`,
      '',
      fence('diff', `- ${b.before}\n+ ${b.after}`),
      ...(b.note ? ['', b.note] : []),
      ...(b.entryPoint ? ['', `Exposed by ${code(`${b.package} ${b.entryPoint}`)}.`] : []),
    ].join('\n'),
  );
  return [
    '## Breaking changes',
    '',
    'Public signatures that change: callers outside this project must await them.',
    '',
    entries.join('\n\n'),
  ].join('\n');
}

/** `check --make-async`: the decision's own cost, beyond what the default plan does anyway. */
function makeAsyncSection(report: Report): string {
  const impact = report.makeAsync;
  if (!impact) return '';
  const targets = impact.targets.map(
    (t) =>
      `| ${cellCode(t.target)} | ${cellCode(t.name)} | ${cellCode(`${t.file}:${t.line}`)} | ` +
      `${t.blocked ? `refused (${t.blocked.kind}): ${cell(t.blocked.reason)} **Fix:** ${cell(t.blocked.suggestion)}` : 'turns async'} |`,
  );
  const counts: [string, number][] = [
    ['Functions made async', impact.asyncFunctions.length],
    ['Call sites awaited', impact.awaitedCalls.length],
    ['Files changed', impact.files.length],
    ['Breaking changes', impact.breaking.length],
    ['Blocked', impact.blocked.length],
  ];
  const list = (title: string, items: string[]): string => (items.length === 0 ? '' : fold(`### ${title}`, items.join('\n'), items.length));
  return [
    '## Impact of `--make-async`',
    '',
    'What the targets add beyond the default plan (the same run without them).',
    '',
    '| Target | Function | Location | Outcome |',
    '|---|---|---|---|',
    ...targets,
    '',
    '| Added | |',
    '|---|--:|',
    ...counts.map(([label, count]) => `| ${label} | ${count} |`),
    ...[
      list('Functions it turns async', impact.asyncFunctions.map((f) => `- ${code(f.name)} (${code(`${f.file}:${f.line}`)})`)),
      list('Breaking changes it adds', impact.breaking.map((b) => `- ${code(b.name)} (${code(`${b.file}:${b.line}`)}): ${code(b.before)} → ${code(b.after)}`)),
      list('Blocked places it adds', impact.blocked.map((b) => `- ${code(b.name)} (${b.kind}, ${code(`${b.file}:${b.line}`)}): ${text(b.reason)}`)),
      list('Files it changes', impact.files.map((file) => `- ${code(file)}`)),
    ]
      .filter((section) => section !== '')
      .flatMap((section) => ['', section]),
  ].join('\n');
}

function skippedSection(report: Report): string {
  if (report.skipped.length === 0) return '';
  const rows = report.skipped.map((s) => `| ${cellCode(s.file)} | ${cell(s.reason)} |`);
  return ['## Skipped files', '', '| File | Reason |', '|---|---|', ...rows].join('\n');
}

function whySection(report: Report): string {
  if (report.asyncFunctions.length === 0) return '';
  const items = report.asyncFunctions.map((entry) => {
    const chain = entry.because.map((step) => code(step)).join(' ← ');
    const suggestion = entry.suggestion ? ` (${entry.suggestion})` : '';
    return `- ${code(entry.name)} (${code(`${entry.file}:${entry.line}`)}) ← ${chain === '' ? 'no recorded cause' : chain}${suggestion}`;
  });
  return fold(
    [
      '## Why is this async',
      '',
      'Each function, then what it waits on, nearest first, back to the root cause.',
    ].join('\n'),
    items.join('\n'),
    items.length,
  );
}

function propagationSection(report: Report, cap: number): string {
  if (report.asyncFunctions.length === 0) return '';
  const chart = propagationFlowchart(report, cap);
  const legend =
    chart.collapsedTo === undefined
      ? 'Root causes (red) → functions turned async → entry points (green), grouped by file.'
      : `The propagation has ${chart.nodeCount} nodes, more than ${cap} can show readably, so the chart ` +
        `shows one node per ${chart.collapsedTo === 'files' ? 'file' : 'directory'} with counts; ` +
        'an edge label counts the causes between them. "Why is this async" lists every function.';
  return ['## Propagation', '', legend, '', fence('mermaid', chart.mermaid.trimEnd())].join('\n');
}

function fold(heading: string, body: string, count: number): string {
  if (count <= FOLD_AFTER) return `${heading}\n\n${body}`;
  return `${heading}\n\n<details><summary>${plural(count, 'entry', 'entries')}</summary>\n\n${body}\n\n</details>`;
}


function fence(language: string, body: string): string {
  const longestRun = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const marks = '`'.repeat(longestRun + 1);
  return `${marks}${language}\n${body}\n${marks}`;
}

/** A rule id linking its page. */
function ruleLink(rule: RuleId): string {
  return `[${code(rule)}](${ruleDocsUrl(rule)})`;
}

/** An inline code span that holds any text: the delimiter outgrows every backtick run inside. */
export function code(value: string): string {
  const flat = value.replace(/\s*[\r\n]+\s*/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const marks = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${marks}${pad}${flat}${pad}${marks}`;
}

/**
 * Text from the engine or a rule message. Rule messages mark code with backticks, so balanced code
 * spans are kept; everything else that Markdown or HTML would interpret is escaped.
 */
export function text(value: string): string {
  const flat = value.replace(/\s*[\r\n]+\s*/g, ' ');
  let out = '';
  let cursor = 0;
  for (const span of flat.matchAll(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)) {
    out += escapeInline(flat.slice(cursor, span.index)) + span[0];
    cursor = span.index + span[0].length;
  }
  return out + escapeInline(flat.slice(cursor));
}

function escapeInline(value: string): string {
  return value.replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`);
}

/** Text in a table cell: a pipe ends the cell even inside a code span unless escaped. */
function cell(value: string): string {
  return text(value).replace(/(?<!\\)\|/g, '\\|');
}

function cellCode(value: string): string {
  return code(value).replaceAll('|', '\\|');
}
