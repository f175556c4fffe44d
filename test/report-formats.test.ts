import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, formatGithub } from '../src/report/github.js';
import { formatGitlab } from '../src/report/gitlab.js';
import { formatJson } from '../src/report/json.js';
import { formatJunit } from '../src/report/junit.js';
import { asyncCoverage, code, formatMarkdown, text } from '../src/report/markdown.js';
import { formatSarif } from '../src/report/sarif.js';
import { SAMPLE_RULES, expectGolden, largeReport, loadSampleReport } from './report-helpers.js';

// The lines the sample report's findings point at (src/app.ts is left out: its fingerprint falls back
// to the message).
const SAMPLE_SOURCES = new Map([
  ['src/retry.ts', `${'\n'.repeat(11)}    Atomics.wait(view, 0, 0, 50);\n`],
  ['src/kb/store.ts', `${'\n'.repeat(40)}    const text = fs.readFileSync(file, 'utf8');\n${'\n'.repeat(15)}  db.querySync(sql);\n`],
  ['src/jobs/flush, daily.ts', `${'\n'.repeat(6)}  queue.flush();\n`],
]);

describe('reporters against golden files', () => {
  const report = loadSampleReport();
  it('json', () => expectGolden('report.json', formatJson(report)));
  it('markdown', () => expectGolden('report.md', formatMarkdown(report)));
  it('sarif', () => expectGolden('report.sarif', formatSarif(report, SAMPLE_RULES)));
  it('github', () => expectGolden('report.github.txt', formatGithub(report)));
  it('gitlab', () => expectGolden('report.gitlab.json', formatGitlab(report, { sources: SAMPLE_SOURCES })));
  it('junit', () => expectGolden('report.junit.xml', formatJunit(report)));
});

describe('json', () => {
  it('writes keys in the contract order whatever order the engine built them in', () => {
    const report = loadSampleReport();
    const scrambled = JSON.parse(
      JSON.stringify(report, (_key, value: unknown) =>
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).reverse())
          : value,
      ),
    ) as typeof report;
    expect(formatJson(scrambled)).toBe(formatJson(report));
    expect(Object.keys(JSON.parse(formatJson(report)) as object)).toEqual([
      'tool', 'version', 'command', 'root', 'findings', 'asyncFunctions', 'awaitedCalls', 'blocked', 'breaking',
      'changes', 'skipped', 'summary', 'coverage',
    ]);
  });

  it('leaves out skipped and coverage when they say nothing', () => {
    const { coverage: _coverage, ...report } = { ...loadSampleReport(), skipped: [] };
    const keys = Object.keys(JSON.parse(formatJson(report)) as object);
    expect(keys).not.toContain('skipped');
    expect(keys).not.toContain('coverage');
    expect(formatJson(report).endsWith('}\n')).toBe(true);
  });
});

describe('github', () => {
  it('escapes data and properties as @actions/core does', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('src/a:b,c%.ts')).toBe('src/a%3Ab%2Cc%25.ts');
  });

  it('maps severities to error, warning and notice, and prints nothing without findings', () => {
    const commands = formatGithub(loadSampleReport()).split('\n').filter(Boolean).map((line) => line.split(' ')[0]);
    expect(commands).toEqual(['::error', '::warning', '::warning', '::warning', '::notice']);
    expect(formatGithub({ ...loadSampleReport(), findings: [] })).toBe('');
  });

  it('prefixes a relative report root so annotations land on the right file', () => {
    const report = loadSampleReport();
    expect(formatGithub({ ...report, root: 'packages/core' })).toContain('::error file=packages/core/src/retry.ts,line=12,');
  });
});

describe('markdown', () => {
  it('states async coverage, rounding down so 100% means nothing still blocks', () => {
    expect(asyncCoverage({ asyncReachableSites: 2000, stillBlocking: 1 })).toBe(
      '99.9% (1999 of 2000 async-reachable call sites no longer block)',
    );
    expect(asyncCoverage({ asyncReachableSites: 4, stillBlocking: 0 })).toBe(
      '100.0% (4 of 4 async-reachable call sites no longer block)',
    );
    expect(asyncCoverage({ asyncReachableSites: 0, stillBlocking: 0 })).toBe('n/a (no async-reachable call sites)');
  });

  it('escapes what Markdown or HTML would read, keeping code spans from rule messages', () => {
    expect(text('use `a|b` not <script> *x* [y](z)')).toBe('use `a|b` not \\<script\\> \\*x\\* \\[y\\](z)');
    expect(text('odd ` tick')).toBe('odd \\` tick');
    expect(code('a `b` c')).toBe('``a `b` c``');
    expect(code('`x')).toBe('`` `x ``');
  });

  it('a clean run is a short document without empty sections or a chart', () => {
    const sample = loadSampleReport();
    const clean = {
      ...sample,
      findings: [],
      asyncFunctions: [],
      awaitedCalls: [],
      blocked: [],
      breaking: [],
      changes: [],
      skipped: [],
      coverage: { asyncReachableSites: 9, stillBlocking: 0 },
      summary: { ...sample.summary, findings: 0, byRule: {}, functionsMadeAsync: 0, callSitesAwaited: 0, blocked: 0, breaking: 0, filesChanged: 0 },
    };
    expectGolden('clean.md', formatMarkdown(clean));
  });

  it('folds long lists so the summary stays on screen', () => {
    const markdown = formatMarkdown(largeReport(30));
    expect(markdown).toContain('<details><summary>30 entries</summary>');
  });
});

describe('dual copy width', () => {
  it('pretty names the files a large dual copy lands in, and only counts a small one', async () => {
    const { formatPretty } = await import('../src/report/pretty.js');
    const base = loadSampleReport();
    const large = {
      ...base,
      changes: [{ file: 'src/registry.ts', edits: 3, linesCopied: 40 }, { file: 'src/comments/parser.ts', edits: 90, linesCopied: 3012 }],
      summary: { ...base.summary, linesCopied: 3052 },
    };
    const pretty = formatPretty(large, { color: false, sources: new Map(), width: Infinity });
    expect(pretty).toContain('async siblings beside kept sync functions copy 3052 lines (src/comments/parser.ts +3012, src/registry.ts +40): a large copy');
    const small = formatPretty({ ...large, summary: { ...base.summary, linesCopied: 12 } }, { color: false, sources: new Map(), width: Infinity });
    expect(small).toContain('async siblings beside kept sync functions copy 12 lines\n');
    expect(JSON.parse(formatJson(large)).summary.linesCopied).toBe(3052);
    expect(JSON.parse(formatJson(large)).changes[1]).toEqual({ file: 'src/comments/parser.ts', edits: 90, linesCopied: 3012 });
  });
});
