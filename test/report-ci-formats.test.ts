// The CI formats from the command line, and GitLab Code Quality fingerprints that survive unrelated
// edits. Whole outputs are compared in report-formats.test.ts and report-example.test.ts; this file
// holds what a golden file cannot show.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding, Report } from '../src/model.js';
import { buildCodeQuality } from '../src/report/gitlab.js';
import { runCli } from './support/cli.js';
import { IO_SOURCE, makeProject, removeProjects } from './support/project.js';
import { loadSampleReport } from './report-helpers.js';

afterEach(removeProjects);

function finding(line: number, column = 3, rule: Finding['rule'] = 'blocking-io'): Finding {
  return { rule, severity: 'warning', file: 'src/a.ts', line, column, message: '`readFileSync` blocks the event loop', fixable: true, applicability: 'safe' };
}

function reportOf(findings: Finding[]): Report {
  return { ...loadSampleReport(), findings };
}

const fingerprints = (report: Report, source: string): string[] =>
  buildCodeQuality(report, { sources: new Map([['src/a.ts', source]]) }).map((issue) => issue.fingerprint);

describe('gitlab code quality', () => {
  const source = ['import { readFileSync } from "node:fs";', 'export function a() {', '  return readFileSync("a");', '}', ''].join('\n');

  it('keeps a fingerprint when lines are added above the finding, or the line is re-indented', () => {
    const [before] = fingerprints(reportOf([finding(3)]), source);
    const moved = ['// a comment', '', source.replace('  return', '      return')].join('\n');
    expect(fingerprints(reportOf([finding(5, 7)]), moved)).toEqual([before]);
  });

  it('changes it when the line itself changes, and tells identical lines apart by their order', () => {
    const [before] = fingerprints(reportOf([finding(3)]), source);
    expect(fingerprints(reportOf([finding(3)]), source.replace('"a"', '"b"'))).not.toEqual([before]);
    const twice = source.replace('  return readFileSync("a");', '  readFileSync("a");\n  return readFileSync("a");');
    const both = fingerprints(reportOf([finding(3), finding(4)]), twice);
    expect(new Set(both).size).toBe(2);
    // The first of the two identical lines keeps the fingerprint the single line had.
    expect(both[0]).toBe(fingerprints(reportOf([finding(3)]), twice.replace('  return readFileSync("a");\n', ''))[0]);
  });

  it('uses the severities GitLab knows and paths from the working directory', () => {
    const issues = buildCodeQuality({ ...loadSampleReport(), root: 'packages/core' }, { sources: new Map() });
    expect(issues.map((issue) => issue.severity)).toEqual(['major', 'minor', 'minor', 'minor', 'info']);
    expect(issues[0]!.location).toEqual({ path: 'packages/core/src/retry.ts', lines: { begin: 12 } });
    expect(issues.every((issue) => /^[0-9a-f]{32}$/.test(issue.fingerprint))).toBe(true);
  });

  it('gives the same fingerprints from `check` and from the report `migrate -o` writes after rewriting the file', async () => {
    const dir = makeProject({ 'src/load.ts': IO_SOURCE });
    const checked = await runCli(['check', '.', '--format', 'gitlab'], dir);
    expect(checked.code).toBe(1);
    const migrated = await runCli(['migrate', '.', '--format', 'gitlab', '-o', 'quality.codeclimate', '--quiet', '--allow-dirty'], dir);
    expect(migrated.stderr).toBe('');
    const written = JSON.parse(readFileSync(path.join(dir, 'quality.codeclimate'), 'utf8')) as { fingerprint: string }[];
    expect(written.map((issue) => issue.fingerprint)).toEqual((JSON.parse(checked.stdout) as { fingerprint: string }[]).map((issue) => issue.fingerprint));
  });
});

describe('-o picks the CI format from the extension', () => {
  it('writes JUnit XML to a .xml file, whatever --format prints', async () => {
    const dir = makeProject({ 'src/load.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--quiet', '-o', 'results.xml'], dir);
    expect(result.code).toBe(1);
    expect(readFileSync(path.join(dir, 'results.xml'), 'utf8')).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="async-migrate" tests="1" failures="1"/);
  });
});
