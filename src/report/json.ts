// The `--format json` report: the contract in CLI.md. Keys are written in the contract's order, entry
// by entry, so the output is byte-stable whatever order the engine built its objects in.
import { RULE_IDS } from '../model.js';
import type { AsyncFunctionEntry, AwaitedCallEntry, BlockedEntry, BreakingEntry, MakeAsyncImpact, Report, ReportSummary } from '../model.js';

export function formatJson(report: Report): string {
  return `${JSON.stringify(orderReport(report), null, 2)}\n`;
}

/** The report as a plain object with the contract's key order; `skipped`, `unresolvedCalls` and `coverage` only when they say something. */
export function orderReport(report: Report): Record<string, unknown> {
  const ordered: Record<string, unknown> = {
    tool: report.tool,
    version: report.version,
    command: report.command,
    root: report.root,
    findings: report.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      message: f.message,
      fixable: f.fixable,
      ...(f.applicability ? { applicability: f.applicability } : {}),
      ...(f.suggestions && f.suggestions.length > 0 ? { suggestions: [...f.suggestions] } : {}),
    })),
    asyncFunctions: orderAsyncFunctions(report.asyncFunctions),
    awaitedCalls: orderAwaitedCalls(report.awaitedCalls),
    blocked: orderBlocked(report.blocked),
    breaking: orderBreaking(report.breaking),
    changes: report.changes.map((c) => ({ file: c.file, edits: c.edits, ...(c.linesCopied ? { linesCopied: c.linesCopied } : {}) })),
  };
  if (report.skipped.length > 0) {
    ordered.skipped = report.skipped.map((s) => ({
      file: s.file,
      reason: s.reason,
      ...(s.internalError ? { internalError: true } : {}),
      ...(s.mayCall && s.mayCall.length > 0 ? { mayCall: s.mayCall } : {}),
    }));
  }
  if (report.unresolvedCalls !== undefined && report.unresolvedCalls.length > 0) {
    ordered.unresolvedCalls = report.unresolvedCalls.map((u) => ({ file: u.file, line: u.line, column: u.column, call: u.call, mayCall: [...u.mayCall] }));
  }
  if (report.staleMocks !== undefined && report.staleMocks.length > 0) {
    ordered.staleMocks = report.staleMocks.map((m) => ({ file: m.file, line: m.line, target: m.target, name: m.name, sibling: m.sibling }));
  }
  if (report.entryPoints !== undefined && report.entryPoints.length > 0) {
    ordered.entryPoints = report.entryPoints.map((e) => ({
      package: e.package,
      field: e.field,
      kind: e.kind,
      target: e.target,
      ...(e.source === undefined ? {} : { source: e.source }),
      ...(e.note === undefined ? {} : { note: e.note }),
    }));
  }
  ordered.summary = orderSummary(report.summary);
  if (report.coverage !== undefined) {
    ordered.coverage = {
      asyncReachableSites: report.coverage.asyncReachableSites,
      stillBlocking: report.coverage.stillBlocking,
    };
  }
  if (report.makeAsync !== undefined) ordered.makeAsync = orderImpact(report.makeAsync);
  return ordered;
}

function orderAsyncFunctions(entries: readonly AsyncFunctionEntry[]): AsyncFunctionEntry[] {
  return entries.map((a) => ({ name: a.name, file: a.file, line: a.line, because: [...a.because], ...(a.suggestion ? { suggestion: a.suggestion } : {}) }));
}

function orderAwaitedCalls(entries: readonly AwaitedCallEntry[]): AwaitedCallEntry[] {
  return entries.map((c) => ({ file: c.file, line: c.line, callee: c.callee }));
}

function orderBlocked(entries: readonly BlockedEntry[]): BlockedEntry[] {
  return entries.map((b) => ({ kind: b.kind, file: b.file, line: b.line, name: b.name, reason: b.reason, suggestion: b.suggestion }));
}

function orderBreaking(entries: readonly BreakingEntry[]): BreakingEntry[] {
  return entries.map((b) => ({ file: b.file, line: b.line, name: b.name, before: b.before, after: b.after, ...(b.kind === undefined ? {} : { kind: b.kind }), ...(b.note === undefined ? {} : { note: b.note }), ...(b.entryPoint === undefined ? {} : { entryPoint: b.entryPoint, package: b.package }) }));
}

function orderImpact(impact: MakeAsyncImpact): MakeAsyncImpact {
  return {
    targets: impact.targets.map((t) => ({
      target: t.target,
      name: t.name,
      file: t.file,
      line: t.line,
      ...(t.blocked ? { blocked: { kind: t.blocked.kind, reason: t.blocked.reason, suggestion: t.blocked.suggestion } } : {}),
    })),
    asyncFunctions: orderAsyncFunctions(impact.asyncFunctions),
    awaitedCalls: orderAwaitedCalls(impact.awaitedCalls),
    files: [...impact.files],
    breaking: orderBreaking(impact.breaking),
    blocked: orderBlocked(impact.blocked),
  };
}

function orderSummary(summary: ReportSummary): ReportSummary {
  const byRule: ReportSummary['byRule'] = {};
  for (const rule of RULE_IDS) {
    const count = summary.byRule[rule];
    if (count !== undefined) byRule[rule] = count;
  }
  return {
    files: summary.files,
    findings: summary.findings,
    byRule,
    functionsMadeAsync: summary.functionsMadeAsync,
    callSitesAwaited: summary.callSitesAwaited,
    blocked: summary.blocked,
    breaking: summary.breaking,
    ...(summary.additive === undefined ? {} : { additive: summary.additive }),
    filesChanged: summary.filesChanged,
    fixes: { safe: summary.fixes.safe, unsafe: summary.fixes.unsafe, unsafeApplied: summary.fixes.unsafeApplied },
    ...(summary.linesCopied ? { linesCopied: summary.linesCopied } : {}),
    ...(summary.staleMocks ? { staleMocks: summary.staleMocks } : {}),
    ...(summary.unresolvedCalls ? { unresolvedCalls: summary.unresolvedCalls } : {}),
  };
}
