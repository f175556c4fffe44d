import { describe, it } from 'vitest';
import { formatGithub } from '../src/report/github.js';
import { formatJson } from '../src/report/json.js';
import { formatMarkdown } from '../src/report/markdown.js';
import { formatSarif } from '../src/report/sarif.js';
import { SAMPLE_RULES, expectGolden, loadSampleReport } from './report-helpers.js';

describe('reporters against golden files', () => {
  const report = loadSampleReport();
  it('json', () => expectGolden('report.json', formatJson(report)));
  it('markdown', () => expectGolden('report.md', formatMarkdown(report)));
  it('sarif', () => expectGolden('report.sarif', formatSarif(report, SAMPLE_RULES)));
  it('github', () => expectGolden('report.github.txt', formatGithub(report)));
});
