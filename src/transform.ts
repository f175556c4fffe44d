// A rule is one file under transforms/: its id, its docs (ruff's headings) and its messages, and one
// visitor table per language. Detection goes cheapest first: syntax, then names, then the checker.
import type { RuleId, Severity } from './model.js';
import type { TsVisitors } from './frontends/typescript/rule-context.js';
import type { PyVisitors } from './frontends/python/rule-context.js';

export interface TransformDocs {
  /** One line: what the rule finds. */
  what: string;
  why: string;
  example: string;
  useInstead: string;
  fixSafety: string;
  /** One line: which of the rule's fixes are safe, unsafe or display-only (the README's applicability column). */
  applicability: string;
  /** One line: what the rule deliberately leaves alone (the README's "does not flag" column). */
  doesNotFlag: string;
}

export interface Transform {
  id: RuleId;
  severity: Severity;
  docs: TransformDocs;
  /** Report messages keyed by id; `{name}` placeholders are filled from the data of a report. */
  messages: Record<string, string>;
  typescript?: TsVisitors;
  python?: PyVisitors;
}

export function defineTransform(transform: Transform): Transform {
  return transform;
}

export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}
