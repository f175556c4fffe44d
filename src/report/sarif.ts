// `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Rule metadata is a
// parameter because the rules (transforms/) own their docs; this file only lays them out.
import type * as Sarif from 'sarif';
import type { Finding, FixChange, Report, RuleId, Severity } from '../model.js';
import { workspacePath } from './paths.js';
import { fingerprintHash } from './text.js';

/** What a rule says about itself, as the transforms document it. */
export interface SarifRuleMeta {
  id: RuleId;
  /** One line: what the rule finds. */
  what: string;
  why: string;
  fixSafety: string;
  severity: Severity;
  /** The rule's page, shown by viewers as the rule's help link. */
  helpUri?: string;
}

export interface SarifOptions {
  /** Where users learn about the tool; shown by SARIF viewers. */
  informationUri?: string;
}

export const DEFAULT_INFORMATION_URI = 'https://www.npmjs.com/package/async-migrate';

const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL_BY_SEVERITY: Record<Severity, Sarif.ReportingConfiguration.level> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

export function formatSarif(report: Report, rules: readonly SarifRuleMeta[], options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarifLog(report, rules, options), null, 2)}\n`;
}

export function buildSarifLog(report: Report, rules: readonly SarifRuleMeta[], options: SarifOptions = {}): Sarif.Log {
  const descriptors = rules.map(ruleDescriptor);
  const indexById = new Map<string, number>(descriptors.map((d, index) => [d.id, index]));
  // A finding from a rule nobody described still needs a descriptor for ruleIndex to point at.
  for (const finding of report.findings) {
    if (!indexById.has(finding.rule)) {
      indexById.set(finding.rule, descriptors.length);
      descriptors.push({ id: finding.rule, shortDescription: { text: finding.rule } });
    }
  }
  const occurrences = new Map<string, number>();
  const results = report.findings.map((finding): Sarif.Result => {
    const identity = findingIdentity(finding);
    const occurrence = occurrences.get(identity) ?? 0;
    occurrences.set(identity, occurrence + 1);
    return {
      ruleId: finding.rule,
      ruleIndex: indexById.get(finding.rule) ?? 0,
      level: LEVEL_BY_SEVERITY[finding.severity],
      message: { text: finding.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: relativeUri(workspacePath(report.root, finding.file)), uriBaseId: '%SRCROOT%' },
            region: { startLine: finding.line, startColumn: finding.column },
          },
        },
      ],
      // Rule, file and message without the line, so the fingerprint survives code moving above it;
      // the occurrence number separates identical findings in one file.
      partialFingerprints: { 'asyncMigrate/v1': `${fingerprintHash(identity)}:${occurrence + 1}` },
      ...(finding.fixChanges && finding.fixChanges.length > 0 ? { fixes: [sarifFix(report, finding, finding.fixChanges)] } : {}),
      properties: {
        fixable: finding.fixable,
        ...(finding.applicability ? { applicability: finding.applicability } : {}),
        ...(finding.suggestions && finding.suggestions.length > 0 ? { suggestions: finding.suggestions } : {}),
      },
    };
  });
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool,
            version: report.version,
            informationUri: options.informationUri ?? DEFAULT_INFORMATION_URI,
            rules: descriptors,
          },
        },
        // Fix regions count columns as JavaScript strings do, and break lines at LF (CRLF is one break).
        columnKind: 'utf16CodeUnits',
        newlineSequences: ['\r\n', '\n'],
        results,
        ...(report.editsWithoutFinding ? { properties: { editsWithoutResult: report.editsWithoutFinding } } : {}),
      },
    ],
  };
}

/**
 * The edits this run makes for the finding, as one SARIF fix. Its applicability is in `properties`
 * (ruff's levels); the description starts with it too, for viewers that show only the text.
 */
function sarifFix(report: Report, finding: Finding, changes: readonly FixChange[]): Sarif.Fix {
  const applicability = finding.applicability ?? 'safe';
  const edits = changes.reduce((sum, change) => sum + change.replacements.length, 0);
  const where = changes.map((change) => change.file).join(', ');
  const kind = applicability === 'safe' ? 'Safe fix (`migrate` applies it)' : 'Unsafe fix (applied only with `--unsafe-fixes`)';
  return {
    description: { text: `${kind}: ${edits} ${edits === 1 ? 'edit' : 'edits'} in ${where}` },
    artifactChanges: changes.map((change) => ({
      artifactLocation: { uri: relativeUri(workspacePath(report.root, change.file)), uriBaseId: '%SRCROOT%' },
      replacements: change.replacements.map((r) => ({
        deletedRegion: { startLine: r.startLine, startColumn: r.startColumn, endLine: r.endLine, endColumn: r.endColumn },
        ...(r.text === '' ? {} : { insertedContent: { text: r.text } }),
      })),
    })),
    properties: { applicability },
  };
}

function ruleDescriptor(rule: SarifRuleMeta): Sarif.ReportingDescriptor {
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.what },
    fullDescription: { text: `${rule.what} ${rule.why}` },
    help: {
      text: `${rule.what}\n\nWhy: ${rule.why}\n\nFix safety: ${rule.fixSafety}`,
      markdown: `**${rule.id}**: ${rule.what}\n\n### Why\n${rule.why}\n\n### Fix safety\n${rule.fixSafety}`,
    },
    defaultConfiguration: { level: LEVEL_BY_SEVERITY[rule.severity] },
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
  };
}

function findingIdentity(finding: Finding): string {
  return `${finding.rule}\0${finding.file}\0${finding.message}`;
}


/** A report path (relative, `/` separators) as a relative URI reference: each segment percent-encoded. */
function relativeUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_whole, _dash: string, letter: string) => letter.toUpperCase());
}
