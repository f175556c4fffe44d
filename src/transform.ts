// A rule is one file under transforms/: its id, its docs (ruff's headings) and its messages, and one
// visitor table per language. Detection goes cheapest first: syntax, then names, then the checker.
import type { RuleId, Severity } from './model.js';
import type { TsVisitors } from './frontends/typescript/rule-context.js';
import type { PyVisitors } from './frontends/python/rule-context.js';

/** A whole file the rule flags, and the same file after the fix; test/rule-docs.test.ts runs both. */
export interface RuleExample {
  flagged: string;
  fixed: string;
  /** What turns `flagged` into `fixed`: plain `migrate` only when every fix in it is safe. */
  fixedBy: 'migrate' | 'migrate --unsafe-fixes';
}

/** A setting that changes what the rule reports or how it fixes: a command-line option, a config key, or both. */
export interface RuleOption {
  /** As on the command line: `--scope`. */
  flag?: string;
  /** As in async-migrate.config.json: `scope`. */
  key?: string;
  /** What it changes for this rule. */
  effect: string;
}

// The rule's page (docs/rules/<id>.md, `async-migrate rule <id>`) is written from these fields by
// src/rule-docs.ts, under ruff's headings; the README's rule table shows the one-line ones.
export interface TransformDocs {
  /** One line: what the rule finds. */
  what: string;
  why: string;
  /** One example per language, checked by running the tool on it. */
  examples: { typescript: RuleExample; python: RuleExample };
  /** One line: the replacement (the README's "fix" column). */
  useInstead: string;
  fixSafety: string;
  /** One line: which of the rule's fixes are safe, unsafe or display-only (the README's applicability column). */
  applicability: string;
  /** One line: what the rule deliberately leaves alone (the README's "does not flag" column). */
  doesNotFlag: string;
  options: RuleOption[];
}

export interface Transform {
  id: RuleId;
  severity: Severity;
  docs: TransformDocs;
  /** Report messages keyed by id; `{name}` placeholders are filled from the data of a report. */
  messages: Record<string, string>;
  /** Loads the TypeScript visitors: only when TypeScript or JavaScript files are analysed, since they load the compiler. */
  typescript?: () => Promise<TsVisitors>;
  python?: PyVisitors;
}

export function defineTransform(transform: Transform): Transform {
  return transform;
}

export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}

/** Options that act on every rule whose finding makes a function async (the blocking rules). */
export const BLOCKING_RULE_OPTIONS: readonly RuleOption[] = [
  {
    flag: '--scope',
    key: 'scope',
    effect:
      '`reachable` (default): only calls the event loop runs, in async functions and in the sync functions they call, transitively, across files; `all`: every call in the paths.',
  },
  {
    flag: '--strategy',
    key: 'strategy',
    effect:
      '`inplace` (default): the function holding the call turns async and its callers await it; `dual`: a function of the public API, or one that sync code calls too, keeps its sync form and gains an async sibling (`fooAsync`, Python `foo_async`) that its async callers move to; the others turn async in place.',
  },
  {
    key: 'entryPoints',
    effect: 'functions a framework calls synchronously: they never turn async; one a fix would make async is listed in `blocked` (kind `entry-point`) instead.',
  },
];
