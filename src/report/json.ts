import type { Report } from '../model.js';

/** The contract's JSON (shared/CLI.md); `skipped` and `coverage` appear only when they say something. */
export function formatJson(report: Report): string {
  const { skipped, coverage, ...rest } = report;
  const { summary, ...head } = rest;
  const out: Record<string, unknown> = { ...head };
  if (skipped.length > 0) out.skipped = skipped;
  out.summary = summary;
  if (coverage) out.coverage = coverage;
  return `${JSON.stringify(out, null, 2)}\n`;
}
