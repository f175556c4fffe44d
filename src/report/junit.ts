// `--format junit`: JUnit XML, which CI servers (GitLab, Jenkins, Azure) show as test results. As
// ESLint's junit formatter does: a <testsuite> per file, a <testcase> with a <failure> per finding.
// A file that could not be analysed is a skipped test case, or an error when it leaves the run
// incomplete (the exit code counts it too).
import type { Finding, Report } from '../model.js';
import { ruleDocsUrl } from '../rule-links.js';
import { workspacePath } from './paths.js';

interface Case {
  name: string;
  /** The <failure>, <error> or <skipped> element inside the test case. */
  outcome: string;
  kind: 'failure' | 'error' | 'skipped';
}

export function formatJunit(report: Report): string {
  const suites = new Map<string, Case[]>();
  const add = (file: string, testCase: Case): void => {
    const path = workspacePath(report.root, file);
    const cases = suites.get(path) ?? [];
    cases.push(testCase);
    suites.set(path, cases);
  };
  for (const finding of report.findings) add(finding.file, findingCase(finding));
  for (const entry of report.skipped) {
    const incomplete = entry.internalError === true || (entry.mayCall?.length ?? 0) > 0;
    const kind = incomplete ? 'error' : 'skipped';
    add(entry.file, { name: 'analysis', kind, outcome: `<${kind} message="${xmlAttribute(entry.reason)}"/>` });
  }
  const all = [...suites.values()].flat();
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="async-migrate" ${counts(all)}>`,
  ];
  for (const [path, cases] of suites) {
    out.push(`  <testsuite name="${xmlAttribute(path)}" ${counts(cases)}>`);
    for (const testCase of cases) {
      out.push(`    <testcase classname="${xmlAttribute(path)}" name="${xmlAttribute(testCase.name)}">`);
      out.push(`      ${testCase.outcome}`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function counts(cases: readonly Case[]): string {
  const of = (kind: Case['kind']): number => cases.filter((c) => c.kind === kind).length;
  return `tests="${cases.length}" failures="${of('failure')}" errors="${of('error')}" skipped="${of('skipped')}"`;
}

function findingCase(finding: Finding): Case {
  const fix = !finding.fixable
    ? 'not fixable automatically'
    : finding.applicability === 'unsafe'
      ? 'unsafe fix: async-migrate migrate --unsafe-fixes, after review'
      : 'fixable: async-migrate migrate';
  const body = [
    `${finding.severity} at line ${finding.line}, column ${finding.column}: ${finding.message}`,
    ...(finding.suggestions && finding.suggestions.length > 0 ? [`suggestions: ${finding.suggestions.join(' | ')}`] : []),
    fix,
    `see: ${ruleDocsUrl(finding.rule)}`,
  ].join('\n');
  return {
    name: `${finding.rule} at ${finding.line}:${finding.column}`,
    kind: 'failure',
    outcome: `<failure type="${finding.severity}" message="${xmlAttribute(finding.message)}">${xmlText(body)}</failure>`,
  };
}

// XML 1.0 admits tab, LF, CR and U+0020 upwards, less lone surrogates, U+FFFE and U+FFFF. The others
// cannot appear even as a character reference (`&#1;` is not well-formed), so they are written as
// visible `\uXXXX` text.
const NOT_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(value: string): string {
  return value.replace(NOT_IN_XML, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Character data: a CR is a reference, or the parser would turn it into a line feed. */
export function xmlText(value: string): string {
  return visible(value).replace(/[&<>\r]/g, (c) => ENTITY[c]!);
}

/** An attribute value in double quotes: whitespace as references, or the parser would make it spaces. */
export function xmlAttribute(value: string): string {
  return visible(value).replace(/[&<>"'\t\n\r]/g, (c) => ENTITY[c]!);
}

const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
