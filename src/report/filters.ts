// Adoption filters: let a team turn `check` on in CI without fixing the whole codebase first, by
// looking only at lines changed since a ref, or only at findings a baseline report does not have.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, UsageError } from '../errors.js';
import { runGit } from '../git.js';
import { RULE_IDS } from '../model.js';
import { VERSION } from '../version.js';
import type { Finding, Report, ReportSummary } from '../model.js';

/**
 * Lines added or changed since `ref`, by file relative to `root` (`/` separators), working tree
 * against the ref, staged or not. Untracked files count as changed on every line.
 */
export async function changedLinesSince(root: string, ref: string): Promise<Map<string, Set<number>>> {
  // A ref that starts with `-` would be read as an option by git.
  if (ref === '' || ref.startsWith('-')) throw new UsageError(`git ref "${ref}" is not a revision`);
  try {
    await runGit(root, ['rev-parse', '--is-inside-work-tree']);
  } catch {
    throw new UsageError(`${root} is not inside a git work tree, so changed lines cannot be found`);
  }
  let commit: string;
  try {
    commit = (await runGit(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch {
    throw new UsageError(`git ref "${ref}" is not a commit in ${root}`);
  }

  let diff: string;
  try {
    diff = await runGit(root, [
      'diff',
      '-U0',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '--ignore-submodules=all',
      '--relative',
      '--src-prefix=a/',
      '--dst-prefix=b/',
      commit,
      '--',
    ], { readsWorkTree: true });
  } catch (error) {
    // A partial clone missing an object it would have to fetch (no transport is allowed), say.
    const stderr = (error as { stderr?: unknown }).stderr;
    const reason = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim().split('\n').pop()! : describeError(error);
    throw new UsageError(`cannot list the lines changed since "${ref}" (git: ${reason.replace(/^fatal: /, '')})`);
  }
  const changed = parseUnifiedDiff(diff);

  const untracked = (await runGit(root, ['ls-files', '--others', '--exclude-standard', '-z'])).split('\0').filter(Boolean);
  for (const file of untracked) {
    const lines = await countLines(join(root, file));
    if (lines !== undefined) changed.set(file, new Set(Array.from({ length: lines }, (_unused, index) => index + 1)));
  }
  return changed;
}

/**
 * New-side line numbers of a `-U0` unified diff, by new path. A hunk is read by its line counts, not
 * by how its lines look: an added line `++ x` is `+++ x` in the diff, and must not end the file.
 */
export function parseUnifiedDiff(diff: string): Map<string, Set<number>> {
  const changed = new Map<string, Set<number>>();
  let current: Set<number> | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  for (const line of diff.split('\n')) {
    if (oldLeft > 0 || newLeft > 0) {
      // Inside a hunk: every line is content (or git's "\ No newline at end of file").
      if (line.startsWith('+')) {
        current?.add(newLine);
        newLine += 1;
        newLeft -= 1;
      } else if (line.startsWith('-')) oldLeft -= 1;
      else if (line.startsWith(' ')) {
        newLine += 1;
        oldLeft -= 1;
        newLeft -= 1;
      }
      continue;
    }
    if (line.startsWith('diff ')) {
      current = undefined; // a new file's header; a binary file has no `+++` line
      continue;
    }
    if (line.startsWith('+++ ')) {
      // git ends the name with a tab when it holds a space, for patch(1); a real trailing tab is quoted.
      const target = line.slice(4).replace(/\t$/, '');
      if (target === '/dev/null') {
        current = undefined; // a deleted file has no lines left to report on
        continue;
      }
      const path = unquoteGitPath(target).replace(/^b\//, '');
      current = changed.get(path) ?? new Set<number>();
      changed.set(path, current);
      continue;
    }
    const hunk = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk !== null) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLine = Number(hunk[2]);
      newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
    }
  }
  return changed;
}

// Even with core.quotePath off, git quotes a path holding `"`, `\`, tabs or newlines, C-style.
function unquoteGitPath(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"')) return path;
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index] ?? '';
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(body.slice(index + 1));
    if (octal !== null) {
      bytes.push(parseInt(octal[0], 8));
      index += 3;
    } else {
      const next = body[index + 1] ?? '';
      bytes.push(...Buffer.from(escapes[next] ?? next, 'utf8'));
      index += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

async function countLines(path: string): Promise<number | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    if (text === '') return 0;
    const breaks = text.split('\n').length - 1;
    return text.endsWith('\n') ? breaks : breaks + 1;
  } catch {
    return undefined; // gone since listed, or not a regular file
  }
}

/** The report with only the findings on changed lines; summary counts follow. */
export function filterFindingsToLines(report: Report, changed: ReadonlyMap<string, ReadonlySet<number>>): Report {
  return withFindings(
    report,
    report.findings.filter((finding) => changed.get(finding.file)?.has(finding.line) === true),
  );
}

/**
 * The report without the findings a baseline report already has. A finding matches by rule, file and
 * message, not line, so code moving above it does not make it new; when a file has more such findings
 * than the baseline, the ones on the baseline's lines (else nearest in order) count as known.
 */
export function filterByBaseline(report: Report, baseline: Pick<Report, 'findings'>): Report {
  const known = new Map<string, number[]>();
  for (const finding of baseline.findings) {
    const key = baselineKey(finding);
    known.set(key, [...(known.get(key) ?? []), finding.line]);
  }
  const isNew = new Set<Finding>();
  const currentByKey = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const key = baselineKey(finding);
    currentByKey.set(key, [...(currentByKey.get(key) ?? []), finding]);
  }
  for (const [key, findings] of currentByKey) {
    const baselineLines = [...(known.get(key) ?? [])];
    // Same line first: those are certainly the known ones.
    const unmatched = findings.filter((finding) => {
      const at = baselineLines.indexOf(finding.line);
      if (at === -1) return true;
      baselineLines.splice(at, 1);
      return false;
    });
    // Then pair the rest in line order; whatever the baseline cannot cover is new.
    const byLine = [...unmatched].sort((a, b) => a.line - b.line || a.column - b.column);
    byLine.slice(baselineLines.length).forEach((finding) => isNew.add(finding));
  }
  return withFindings(
    report,
    report.findings.filter((finding) => isNew.has(finding)),
  );
}

/** Reads a baseline: a JSON report written earlier by `--format json`. */
export async function loadBaseline(path: string): Promise<Pick<Report, 'findings'>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`baseline ${path}: ${code === 'ENOENT' ? 'file not found' : (error as Error).message}`);
  }
  // A report from another tool, or from a newer major version whose findings may mean something
  // else, would silently hide or count the wrong findings.
  const { tool, version } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { tool?: unknown; version?: unknown };
  if (tool !== 'async-migrate') throw new UsageError(`baseline ${path}: not an async-migrate JSON report (tool: ${tool === undefined ? 'missing' : JSON.stringify(tool)}); write one with --format json`);
  const major = typeof version === 'string' ? /^(\d+)\.\d+\.\d+/.exec(version)?.[1] : undefined;
  if (major === undefined) throw new UsageError(`baseline ${path}: version: must be a version like "${VERSION}", got ${JSON.stringify(version) ?? 'nothing'}`);
  if (Number(major) > Number(VERSION.split('.')[0])) throw new UsageError(`baseline ${path}: written by async-migrate ${version as string}, a newer major version than this one (${VERSION}); regenerate it with this version`);
  const findings = (parsed as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(findings)) throw new UsageError(`baseline ${path}: findings: missing; expected a JSON report`);
  findings.forEach((finding: unknown, index) => {
    const candidate = finding as Partial<Record<keyof Finding, unknown>> | null;
    for (const key of ['rule', 'file', 'message'] as const) {
      if (typeof candidate?.[key] !== 'string') throw new UsageError(`baseline ${path}: findings[${index}].${key}: must be a string`);
    }
    if (typeof candidate?.line !== 'number') throw new UsageError(`baseline ${path}: findings[${index}].line: must be a number`);
  });
  return { findings: findings as Finding[] };
}

function baselineKey(finding: Pick<Finding, 'rule' | 'file' | 'message'>): string {
  return `${finding.rule}\0${finding.file}\0${finding.message}`;
}

function withFindings(report: Report, findings: Finding[]): Report {
  return { ...report, findings, summary: summaryWithFindings(report.summary, findings) };
}

/** The summary with its finding counts recomputed; the plan's counts are not about findings. */
export function summaryWithFindings(summary: ReportSummary, findings: readonly Finding[]): ReportSummary {
  const byRule: ReportSummary['byRule'] = {};
  for (const rule of RULE_IDS) {
    const count = findings.filter((finding) => finding.rule === rule).length;
    if (count > 0) byRule[rule] = count;
  }
  const fixesBy = (applicability: 'safe' | 'unsafe'): number => findings.filter((finding) => finding.fixable && finding.applicability === applicability).length;
  return { ...summary, findings: findings.length, byRule, fixes: { ...summary.fixes, safe: fixesBy('safe'), unsafe: fixesBy('unsafe') } };
}
