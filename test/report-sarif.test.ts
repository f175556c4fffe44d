// The SARIF output against the official SARIF 2.1.0 schema (schemas/, from oasis-tcs/sarif-spec),
// plus the parts GitHub code scanning relies on that the schema leaves optional.
import { describe, expect, it } from 'vitest';
import { buildSarifLog, formatSarif } from '../src/report/sarif.js';
import { SAMPLE_RULES, loadSampleReport, sarifValidator } from './report-helpers.js';

describe('sarif', () => {
  const report = loadSampleReport();
  const validate = sarifValidator();

  it('validates against the official SARIF 2.1.0 schema', () => {
    const log: unknown = JSON.parse(formatSarif(report, SAMPLE_RULES));
    const isValid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('the validator does reject a broken log', () => {
    const log = buildSarifLog(report, SAMPLE_RULES);
    const broken = JSON.parse(JSON.stringify(log)) as { runs: { results: { level: string }[] }[] };
    const first = broken.runs[0]?.results[0];
    if (first) first.level = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it('gives every result a rule index that points at its rule, and maps severities to levels', () => {
    const run = buildSarifLog(report, SAMPLE_RULES).runs[0];
    const rules = run?.tool.driver.rules ?? [];
    for (const result of run?.results ?? []) {
      expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
      const location = result.locations?.[0]?.physicalLocation;
      expect(location?.artifactLocation?.uriBaseId).toBe('%SRCROOT%');
      expect(location?.artifactLocation?.uri).not.toMatch(/^\/|^[a-z]+:/);
    }
    expect(run?.results?.map((result) => result.level)).toEqual(['error', 'warning', 'warning', 'warning', 'note']);
    expect(run?.results?.[4]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('src/jobs/flush%2C%20daily.ts');
    const nested = buildSarifLog({ ...report, root: 'packages/core' }, SAMPLE_RULES).runs[0]?.results?.[0];
    expect(nested?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('packages/core/src/retry.ts');
  });

  it('keeps fingerprints when a finding moves to another line, and separates identical findings', () => {
    const moved = { ...report, findings: report.findings.map((f) => ({ ...f, line: f.line + 10 })) };
    const fingerprints = (r: typeof report) =>
      buildSarifLog(r, SAMPLE_RULES).runs[0]?.results?.map((result) => result.partialFingerprints?.['asyncMigrate/v1']);
    expect(fingerprints(moved)).toEqual(fingerprints(report));
    const first = report.findings[0];
    if (!first) throw new Error('sample report has findings');
    const twice = fingerprints({ ...report, findings: [first, { ...first, line: 99 }] }) ?? [];
    expect(new Set(twice).size).toBe(2);
  });

  it('describes a rule missing from the metadata instead of pointing nowhere', () => {
    const run = buildSarifLog(report, SAMPLE_RULES.slice(0, 1)).runs[0];
    expect(run?.tool.driver.rules?.map((rule) => rule.id)).toEqual([
      'blocking-sleep',
      'blocking-io',
      'await-non-thenable',
      'floating-promise',
    ]);
    expect(validate(JSON.parse(JSON.stringify(buildSarifLog(report, [])))) ).toBe(true);
  });
});
