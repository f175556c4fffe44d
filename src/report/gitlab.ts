// `--format gitlab`: GitLab Code Quality, the subset of the CodeClimate issue format GitLab reads
// (`artifacts: reports: codequality`). GitLab compares the fingerprints of the base and head
// pipelines to show what a merge request adds or fixes, so a fingerprint must not change when
// unrelated lines move: it hashes the rule, the path and the text of the finding's line, not its
// number, nor the message (whose wording a new version may change).
import type { Finding, Report, RuleId, Severity } from '../model.js';
import { workspacePath } from './paths.js';
import { fingerprintHash } from './text.js';

export interface GitlabOptions {
  /** Source text by report-relative path: the finding's line goes into its fingerprint. */
  sources: ReadonlyMap<string, string>;
}

/** One CodeClimate issue as GitLab reads it. */
export interface CodeQualityIssue {
  type: 'issue';
  check_name: string;
  description: string;
  categories: string[];
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  fingerprint: string;
  location: { path: string; lines: { begin: number } };
}

// GitLab shows major and up as a failure-level problem; a warning is minor.
const SEVERITY: Record<Severity, CodeQualityIssue['severity']> = { error: 'major', warning: 'minor', info: 'info' };

// CodeClimate's category names: a blocked loop is a performance problem, a dropped or pointless
// await a bug risk.
const CATEGORY: Record<RuleId, string> = {
  'blocking-sleep': 'Performance',
  'blocking-io': 'Performance',
  'await-non-thenable': 'Bug Risk',
  'floating-promise': 'Bug Risk',
};

export function formatGitlab(report: Report, options: GitlabOptions): string {
  return `${JSON.stringify(buildCodeQuality(report, options), null, 2)}\n`;
}

export function buildCodeQuality(report: Report, options: GitlabOptions): CodeQualityIssue[] {
  const lines = new Map<string, string[]>();
  const occurrences = new Map<string, number>();
  return report.findings.map((finding) => {
    const path = workspacePath(report.root, finding.file);
    const identity = fingerprintIdentity(finding, path, lineText(finding, options.sources, lines));
    const occurrence = occurrences.get(identity) ?? 0;
    occurrences.set(identity, occurrence + 1);
    return {
      type: 'issue',
      check_name: `async-migrate/${finding.rule}`,
      description: finding.message,
      categories: [CATEGORY[finding.rule] ?? 'Bug Risk'],
      severity: SEVERITY[finding.severity],
      fingerprint: fingerprintHash(`${identity}\0${occurrence}`),
      location: { path, lines: { begin: finding.line } },
    };
  });
}

/**
 * The finding's source line, whitespace collapsed (re-indenting is no change); when the source is
 * not at hand, the message stands in for it.
 */
function lineText(finding: Finding, sources: ReadonlyMap<string, string>, cache: Map<string, string[]>): string | undefined {
  let split = cache.get(finding.file);
  if (!split) {
    const source = sources.get(finding.file);
    split = source === undefined ? [] : source.split(/\r?\n/);
    cache.set(finding.file, split);
  }
  const text = split[finding.line - 1];
  return text === undefined ? undefined : text.trim().replace(/\s+/g, ' ');
}

function fingerprintIdentity(finding: Finding, path: string, line: string | undefined): string {
  return [finding.rule, path, line === undefined ? `message:${finding.message}` : `line:${line}`].join('\0');
}

