// `--format github`: one workflow command per finding, which GitHub Actions turns into an annotation
// on the line. Escaping follows @actions/core (`escapeData`, `escapeProperty`), so a message with a
// newline or a path with a comma survives the trip; other control characters (which the workflow
// command rules do not encode, and a log viewer would obey) are shown as escapes, as in the terminal.
import type { Finding, Report, Severity } from '../model.js';
import { workspacePath } from './paths.js';
import { escapeControls } from './terminal.js';

const COMMAND_BY_SEVERITY: Record<Severity, 'error' | 'warning' | 'notice'> = {
  error: 'error',
  warning: 'warning',
  info: 'notice',
};

export function formatGithub(report: Report): string {
  return report.findings.map((finding) => annotationCommand(report.root, finding)).join('');
}

function annotationCommand(root: string, finding: Finding): string {
  const properties = [
    `file=${escapeProperty(workspacePath(root, finding.file))}`,
    `line=${finding.line}`,
    `col=${finding.column}`,
    `title=${escapeProperty(`async-migrate ${finding.rule}`)}`,
  ].join(',');
  const fixHint = !finding.fixable ? '' : finding.applicability === 'unsafe' ? ' (unsafe fix: async-migrate migrate --unsafe-fixes, after review)' : ' (fixable: run async-migrate migrate)';
  return `::${COMMAND_BY_SEVERITY[finding.severity]} ${properties}::${escapeData(finding.message + fixHint)}\n`;
}

export function escapeData(text: string): string {
  return escapeControls(text).replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
