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
