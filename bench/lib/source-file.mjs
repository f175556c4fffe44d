// Shared helpers for the corpus generators: a line-tracking file builder (so every expected site
// is recorded with the exact line it lands on), a seeded PRNG and small writers.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Builds a file line by line and records where the expected findings land. */
export class SourceFile {
  constructor(relPath) {
    this.path = relPath;
    this.lines = [];
    this.sites = [];
  }

  /** Appends text; a multi-line string becomes several lines. */
  add(...chunks) {
    for (const chunk of chunks) this.lines.push(...chunk.split('\n'));
    return this;
  }

  /**
   * Appends one line holding exactly one expected finding. `scope` is `reachable` when the default
   * `--scope reachable` must report it, `all` when only `--scope all` should.
   */
  site(rule, text, detail, scope = 'reachable') {
    if (text.includes('\n')) throw new Error(`a site must be one line: ${text}`);
    this.lines.push(text);
    this.sites.push({ rule, file: this.path, line: this.lines.length, detail, scope });
    return this;
  }

  text() {
    return `${this.lines.join('\n')}\n`;
  }
}

/** mulberry32: tiny, fast, and the same sequence on every machine, so the corpus is reproducible. */
export function createRng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

/** Counts sites per rule, split by the scope under which they must be reported. */
export function countSites(sites, rules) {
  const byRule = Object.fromEntries(rules.map((rule) => [rule, 0]));
  const byRuleScopeAll = Object.fromEntries(rules.map((rule) => [rule, 0]));
  for (const site of sites) {
    byRuleScopeAll[site.rule] += 1;
    if (site.scope === 'reachable') byRule[site.rule] += 1;
  }
  return { byRule, byRuleScopeAll };
}

/** Empties `dir` and writes the files; refuses to wipe anything that is not a generated corpus. */
export function writeCorpus(dir, files, extra) {
  if (fs.existsSync(dir)) {
    const marker = path.join(dir, 'expected.json');
    if (fs.readdirSync(dir).length > 0 && !fs.existsSync(marker)) {
      throw new Error(`${dir} exists and is not a generated corpus (no expected.json); refusing to overwrite`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const [rel, text] of Object.entries(extra)) writeText(path.join(dir, rel), text);
  for (const file of files) writeText(path.join(dir, file.path), file.text());
  initGitRepo(dir);
}

function writeText(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * The corpus lives under the repo's gitignored `.bench/`. The tool honours .gitignore the way globby
 * does, up to the enclosing git root, so without a repository of its own the whole corpus would be
 * ignored. A nested `git init` makes the corpus its own root, like a real project.
 */
function initGitRepo(dir) {
  try {
    execFileSync('git', ['init', '-q', dir], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`warning: git init failed in ${dir}; the tool may treat the corpus as gitignored\n`);
  }
}

/** Parses `--name value` flags into an object; bare `--flag` becomes true. */
/** The corpus's .ts files under dir, sorted (the bench scripts edit and compare these). */
export function sourceFiles(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) found.push(full);
  }
  return found.sort();
}

export function parseFlags(argv) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument: ${arg}`);
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) flags[name] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
    else flags[name] = true;
  }
  return flags;
}

export function parseFileCount(value, fallback) {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 50) throw new Error(`--files must be an integer >= 50, got ${value}`);
  return count;
}
