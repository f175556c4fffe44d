// Every format on the bundled example (fixtures/example), as a user runs it: whole outputs compared
// with golden files, SARIF validated against the official schema. The Mermaid block of the golden
// Markdown is parsed by Mermaid itself in report-example-mermaid.test.ts.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { copyFixtureInput, REPO } from './support/files.js';
import { expectGolden, sarifValidator } from './report-helpers.js';

const FORMATS = [
  ['json', 'example.json'],
  ['markdown', 'example.md'],
  ['sarif', 'example.sarif'],
  ['github', 'example.github.txt'],
  ['gitlab', 'example.gitlab.json'],
  ['junit', 'example.junit.xml'],
  ['pretty', 'example.pretty.txt'],
] as const;

describe('report formats on fixtures/example', () => {
  it.each(FORMATS)('--format %s matches test/golden/%s', async (format, golden) => {
    const { work, cleanup } = copyFixtureInput(path.join(REPO, 'fixtures/example'));
    try {
      const result = await runCli(['check', '.', '--format', format, '--no-color'], work);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(1);
      expectGolden(golden, result.stdout);
      if (format === 'sarif') {
        const validate = sarifValidator();
        const isValid = validate(JSON.parse(result.stdout));
        expect(validate.errors ?? []).toEqual([]);
        expect(isValid).toBe(true);
      }
    } finally {
      cleanup();
    }
  });
});

// `check --make-async` has a section of its own in the human formats (the JSON side is the fixture
// case's report.json): what the targets add, and the target a getter refuses.
describe('the --make-async impact section on fixtures/migrate/make-async-impact', () => {
  it.each([
    ['markdown', 'make-async-impact.md'],
    ['pretty', 'make-async-impact.pretty.txt'],
  ] as const)('--format %s matches test/golden/%s', async (format, golden) => {
    const { work, cleanup } = copyFixtureInput(path.join(REPO, 'fixtures/migrate/make-async-impact/input'));
    try {
      const result = await runCli(['check', '.', '--make-async', 'Store.get,Store.size', '--format', format, '--no-color'], work);
      expect(result.stderr).toBe('');
      expectGolden(golden, result.stdout);
    } finally {
      cleanup();
    }
  });
});

// SARIF carries each finding's fix as the edits the run makes: safe ones by default, the unsafe ones
// (marked so) with --unsafe-fixes; the Python example's fixes too. Whole logs against golden files.
describe('SARIF fixes', () => {
  it.each([
    ['fixtures/example', [], 'example.sarif'],
    ['fixtures/example', ['--unsafe-fixes'], 'example.unsafe-fixes.sarif'],
    ['fixtures/python-example', [], 'python-example.sarif'],
  ] as const)('check %s %j --format sarif matches test/golden/%s', async (fixture, args, golden) => {
    const { work, cleanup } = copyFixtureInput(path.join(REPO, fixture));
    try {
      const result = await runCli(['check', '.', ...args, '--format', 'sarif'], work);
      expect(result.stderr).toBe('');
      expectGolden(golden, result.stdout);
      const validate = sarifValidator();
      expect(validate(JSON.parse(result.stdout)), JSON.stringify(validate.errors)).toBe(true);
    } finally {
      cleanup();
    }
  });
});
