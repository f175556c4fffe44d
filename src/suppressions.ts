// Inline suppressions, for both languages:
//   // async-migrate-ignore-next-line [rule[, rule]]     (# … in Python)
//   /* async-migrate-disable [rule[, rule]] */           (# async-migrate-disable … in Python)
// No rule list means every rule.
import type { RuleId } from './model.js';

const DIRECTIVE = /(?:\/\/|\/\*|#)\s*async-migrate-(ignore-next-line|disable)\b([^\n*]*)/g;

export interface Suppressions {
  /** Rules disabled for the whole file; `all` when the directive names none. */
  file: Set<RuleId> | 'all';
  /** Line (1-based) -> rules ignored on it, or `all`. */
  lines: Map<number, Set<RuleId> | 'all'>;
}

function parseRules(text: string): Set<RuleId> | 'all' {
  const ids = text
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter((id) => /^[a-z-]+$/.test(id));
  return ids.length === 0 ? 'all' : new Set(ids as RuleId[]);
}

export function readSuppressions(text: string): Suppressions | undefined {
  if (!text.includes('async-migrate-')) return undefined;
  const result: Suppressions = { file: new Set(), lines: new Map() };
  for (const match of text.matchAll(DIRECTIVE)) {
    const rules = parseRules(match[2] ?? '');
    if (match[1] === 'disable') {
      if (rules === 'all' || result.file === 'all') result.file = 'all';
      else for (const rule of rules) result.file.add(rule);
    } else {
      const line = text.slice(0, match.index).split('\n').length;
      result.lines.set(line + 1, rules);
    }
  }
  return result;
}

export function isSuppressed(suppressions: Suppressions | undefined, rule: RuleId, line: number): boolean {
  if (!suppressions) return false;
  if (suppressions.file === 'all' || suppressions.file.has(rule)) return true;
  const onLine = suppressions.lines.get(line);
  return onLine === 'all' || (onLine !== undefined && onLine.has(rule));
}
