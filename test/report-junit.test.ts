// @vitest-environment jsdom
// JUnit XML: well-formed XML 1.0 whatever a message holds, read back by jsdom's XML parser (which
// rejects what XML 1.0 forbids, even as a character reference). Whole outputs are compared in
// report-formats.test.ts and report-example.test.ts.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/model.js';
import { formatJunit, xmlAttribute, xmlText } from '../src/report/junit.js';
import { loadSampleReport } from './report-helpers.js';

const finding: Finding = {
  rule: 'blocking-io', severity: 'warning', file: 'src/a.ts', line: 3, column: 3, message: 'm', fixable: true, applicability: 'safe',
};

describe('junit', () => {
  const parse = (xml: string): Document => new DOMParser().parseFromString(xml, 'application/xml');

  it('stays well-formed XML 1.0 whatever a message or path holds, and reads back as written', () => {
    const nasty = 'a <b> & "c" \'d\'\ttab\r\nline ]]> \u0001\u0008\u000B\u001F \uD800 \uFFFF é 😀';
    const report = { ...loadSampleReport(), findings: [{ ...finding, file: 'src/x "&<>.ts', message: nasty, suggestions: [nasty] }] };
    const document = parse(formatJunit(report));
    expect(document.getElementsByTagName('parsererror')).toHaveLength(0);
    const failure = document.getElementsByTagName('failure')[0]!;
    const shown = 'a <b> & "c" \'d\'\ttab\r\nline ]]> \\u0001\\u0008\\u000B\\u001F \\uD800 \\uFFFF é 😀';
    expect(failure.getAttribute('message')).toBe(shown);
    expect(failure.textContent).toContain(`suggestions: ${shown}`);
    expect(document.getElementsByTagName('testsuite')[0]!.getAttribute('name')).toBe('src/x "&<>.ts');
  });

  it('escapes as the XML grammar needs, nothing more', () => {
    expect(xmlText('a\tb\nc\r')).toBe('a\tb\nc&#13;');
    expect(xmlAttribute('a\tb\nc')).toBe('a&#9;b&#10;c');
    expect(xmlText('\uD83D\uDE00 \uDE00')).toBe('\uD83D\uDE00 \\uDE00');
  });

  it('has a suite per file and counts its cases; a skipped file is skipped, an incomplete one an error', () => {
    const sample = loadSampleReport();
    const report = { ...sample, skipped: [...sample.skipped, { file: 'src/retry.ts', reason: 'internal error', internalError: true }] };
    const document = parse(formatJunit(report));
    const root = document.documentElement;
    expect([root.getAttribute('tests'), root.getAttribute('failures'), root.getAttribute('errors'), root.getAttribute('skipped')]).toEqual(['7', '5', '1', '1']);
    const suites = [...document.getElementsByTagName('testsuite')].map((suite) => `${suite.getAttribute('name')} ${suite.getAttribute('tests')}`);
    expect(suites).toEqual(['src/retry.ts 2', 'src/kb/store.ts 2', 'src/app.ts 1', 'src/jobs/flush, daily.ts 1', 'src/legacy/parser.js 1']);
  });

  it('is an empty, valid document for a clean run', () => {
    const xml = formatJunit({ ...loadSampleReport(), findings: [], skipped: [] });
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="async-migrate" tests="0" failures="0" errors="0" skipped="0">\n</testsuites>\n');
    expect(parse(xml).getElementsByTagName('parsererror')).toHaveLength(0);
  });
});
