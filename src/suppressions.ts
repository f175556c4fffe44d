// Inline suppressions, for both languages:
//   // async-migrate-ignore-next-line [rule[, rule]]     (# … in Python)
//   /* async-migrate-disable [rule[, rule]] */           (# async-migrate-disable … in Python)
// No rule list means every rule.
// The peers' comments count too: typescript-eslint's directives in TypeScript/JavaScript (see
// readEslintSuppressions), flake8's and ruff's `# noqa` in Python (see readNoqa).
import type { Language, RuleId } from './model.js';

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

export function readSuppressions(text: string, language?: Language): Suppressions | undefined {
  const peers = language === 'python' ? readNoqa(text) : readEslintSuppressions(text);
  if (!text.includes('async-migrate-')) return peers;
  const result: Suppressions = peers ?? { file: new Set(), lines: new Map() };
  for (const match of text.matchAll(DIRECTIVE)) {
    const rules = parseRules(match[2] ?? '');
    if (match[1] === 'disable') {
      if (rules === 'all' || result.file === 'all') result.file = 'all';
      else for (const rule of rules) result.file.add(rule);
    } else {
      const line = text.slice(0, match.index).split('\n').length;
      suppressLine(result, line + 1, rules);
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

function suppressLine(suppressions: Suppressions, line: number, rules: Set<RuleId> | 'all'): void {
  const before = suppressions.lines.get(line);
  if (before === 'all') return;
  if (rules === 'all') suppressions.lines.set(line, 'all');
  else suppressions.lines.set(line, new Set([...(before ?? []), ...rules]));
}

// ---- ESLint directives --------------------------------------------------------------------------

/** The typescript-eslint rules whose findings are ours: a directive naming one silences our rule. */
export const ESLINT_EQUIVALENTS: Readonly<Record<string, RuleId>> = {
  '@typescript-eslint/no-floating-promises': 'floating-promise',
  '@typescript-eslint/await-thenable': 'await-non-thenable',
};

// `// eslint-disable-next-line a, b -- why`, `// eslint-disable-line …`, and block
// `/* eslint-disable … */` … `/* eslint-enable … */` (to the end of the file when never enabled).
const ESLINT_DIRECTIVE = /(\/\/|\/\*)\s*eslint-(disable-next-line|disable-line|disable|enable)(?![\w-])([^\n]*)/g;

/**
 * The rules an ESLint directive names, mapped to ours; a directive that names no rule disables
 * every ESLint rule, the peers included. `undefined`: it names only rules we do not have.
 */
function eslintRules(list: string): Set<RuleId> | undefined {
  const names = list
    .replace(/\*\/.*$/, '')
    .replace(/\s--\s.*$/, '')
    .split(/[\s,]+/)
    .filter((name) => name.length > 0);
  const ours = new Set(Object.values(ESLINT_EQUIVALENTS));
  if (names.length === 0) return ours;
  const mapped = new Set(names.flatMap((name) => (name in ESLINT_EQUIVALENTS ? [ESLINT_EQUIVALENTS[name]!] : [])));
  return mapped.size > 0 ? mapped : undefined;
}

/** ESLint's disable directives for the peer rules, as line suppressions of ours. */
export function readEslintSuppressions(text: string): Suppressions | undefined {
  if (!text.includes('eslint-')) return undefined;
  const result: Suppressions = { file: new Set(), lines: new Map() };
  const lineCount = text.split('\n').length;
  /** Rule -> the line its open block `eslint-disable` started on. */
  const openBlocks = new Map<RuleId, number>();
  const closeBlock = (rule: RuleId, endLine: number): void => {
    const start = openBlocks.get(rule);
    if (start === undefined) return;
    for (let line = start; line <= endLine; line++) suppressLine(result, line, new Set([rule]));
    openBlocks.delete(rule);
  };
  let found = false;
  for (const match of text.matchAll(ESLINT_DIRECTIVE)) {
    const [, opener, directive, list] = match;
    const isBlockComment = opener === '/*';
    // Block disable/enable only counts in a block comment, as in ESLint.
    if ((directive === 'disable' || directive === 'enable') && !isBlockComment) continue;
    const rules = eslintRules(list ?? '');
    if (!rules) continue;
    found = true;
    const line = text.slice(0, match.index).split('\n').length;
    if (directive === 'disable-next-line') suppressLine(result, line + 1, rules);
    else if (directive === 'disable-line') suppressLine(result, line, rules);
    else if (directive === 'enable') for (const rule of rules) closeBlock(rule, line);
    else for (const rule of rules) if (!openBlocks.has(rule)) openBlocks.set(rule, line);
  }
  // A block never enabled again lasts to the end of the file.
  for (const rule of [...openBlocks.keys()]) closeBlock(rule, lineCount);
  return found ? result : undefined;
}

// ---- flake8 / ruff `# noqa` (Python) -------------------------------------------------------------

/**
 * flake8-async's codes (ruff reuses them) and the rule that finds the same thing here. ASYNC1xx
 * (trio/anyio cancellation and checkpoints) and ASYNC300 (a dropped `create_task` result) check
 * things no rule here checks, so they suppress nothing.
 */
export const NOQA_CODES: Readonly<Record<string, RuleId>> = {
  ASYNC200: 'blocking-io', // the configured blocking calls: the config's `blocking` list
  ASYNC210: 'blocking-io', // HTTP calls
  ASYNC211: 'blocking-io', // likely urllib3 pool requests
  ASYNC212: 'blocking-io', // sync httpx clients
  ASYNC220: 'blocking-io', // subprocess.Popen, os.popen
  ASYNC221: 'blocking-io', // subprocess.run and kin, os.system, os.spawn*
  ASYNC222: 'blocking-io', // os.wait*
  ASYNC230: 'blocking-io', // open() and kin
  ASYNC231: 'blocking-io', // os.fdopen
  ASYNC232: 'blocking-io', // methods of file objects
  ASYNC240: 'blocking-io', // os.path (not flagged here; the comment is honoured all the same)
  ASYNC250: 'blocking-io', // input()
  ASYNC251: 'blocking-sleep', // time.sleep
};

// `# noqa`, `# noqa: ASYNC230`, `# NOQA:ASYNC230,E501`. As in flake8, a code suppresses the codes it
// is a prefix of (`ASYNC2`), and a `# noqa` whose codes do not parse suppresses everything.
const NOQA_LINE = /#\s*noqa(?::\s?([A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?/i;
// `# ruff: noqa` and `# flake8: noqa` on a line of their own: the whole file (ruff: for the codes given).
const NOQA_FILE = /^\s*#\s*(ruff|flake8)\s*:\s*noqa\b(?::\s*([A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?/i;

/** The rules a list of flake8/ruff codes suppresses (codes of other tools suppress none of ours). */
function rulesOfCodes(codes: string): Set<RuleId> {
  const rules = new Set<RuleId>();
  for (const code of codes.toUpperCase().split(/[,\s]+/).filter(Boolean)) {
    for (const [known, rule] of Object.entries(NOQA_CODES)) if (known.startsWith(code)) rules.add(rule);
  }
  return rules;
}

/** The `# noqa` comments of a Python text, as suppressions (a `# noqa` covers its own line). */
function readNoqa(text: string): Suppressions | undefined {
  if (!/noqa/i.test(text)) return undefined;
  const result: Suppressions = { file: new Set(), lines: new Map() };
  text.split('\n').forEach((line, index) => {
    if (!/noqa/i.test(line)) return;
    const fileLevel = NOQA_FILE.exec(line);
    if (fileLevel) {
      // flake8 ignores the codes of a file-level noqa and skips the file; ruff scopes it to the codes.
      const rules = fileLevel[1]!.toLowerCase() === 'ruff' && fileLevel[2] ? rulesOfCodes(fileLevel[2]) : 'all';
      result.file = result.file === 'all' || rules === 'all' ? 'all' : new Set([...result.file, ...rules]);
      return;
    }
    const match = NOQA_LINE.exec(line);
    if (!match) return;
    const rules = match[1] ? rulesOfCodes(match[1]) : 'all';
    if (rules !== 'all' && rules.size === 0) return;
    suppressLine(result, index + 1, rules);
  });
  return result;
}
