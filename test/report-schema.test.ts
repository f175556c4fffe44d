// schemas/async-migrate.report.schema.json is the JSON report's contract as a file: every fixture's
// whole report (TypeScript and Python, inplace and dual, check --make-async) must validate against it,
// so a field the reporter adds without the schema fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { findCases, REPO } from './support/files.js';

const schema = JSON.parse(readFileSync(path.join(REPO, 'schemas/async-migrate.report.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(schema);
const reports = findCases(path.join(REPO, 'fixtures')).map((dir) => path.join(dir, 'report.json'));

describe('the JSON report schema', () => {
  it('is met by every fixture report', () => {
    expect(reports.length).toBeGreaterThan(250);
    const failures = reports.flatMap((file) => {
      const ok = validate(JSON.parse(readFileSync(file, 'utf8')));
      return ok ? [] : [`${path.relative(REPO, file)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`];
    });
    expect(failures).toEqual([]);
  });

  it('rejects a breaking entry with a field it does not know, or an entryPoint without its package', () => {
    const report = JSON.parse(readFileSync(path.join(REPO, 'fixtures/migrate/package-entry-points/report.json'), 'utf8')) as { breaking: Record<string, unknown>[] };
    expect(validate(report)).toBe(true);
    const { package: _package, ...withoutPackage } = report.breaking[0]!;
    expect(validate({ ...report, breaking: [withoutPackage] })).toBe(false);
    expect(validate({ ...report, breaking: [{ ...report.breaking[0], entrypoint: 'main' }] })).toBe(false);
  });
});
