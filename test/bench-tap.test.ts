// The real-repository harness compares test names before and after a migration: a name must be the
// same on every run of the same suite.
import { describe, expect, it } from 'vitest';
import { parseTap } from '../bench/lib/tap.mjs';

describe('bench TAP parser', () => {
  it('drops the duration comment tap writes after a file name', () => {
    const first = parseTap('TAP version 14\nok 1 - test/alpha.test.js # time=812.5ms\nnot ok 2 - test/beta.test.js # time=40ms\n');
    const second = parseTap('TAP version 14\nok 1 - test/alpha.test.js # time=97.25ms\nnot ok 2 - test/beta.test.js # time=51ms\n');
    expect([...first.keys()]).toEqual(['test/alpha.test.js', 'test/beta.test.js']);
    expect([...second.keys()]).toEqual([...first.keys()]);
    expect(first.get('test/beta.test.js')?.status).toBe('failed');
  });

  it('keeps SKIP and TODO as skipped, and ignores indented subtests', () => {
    const tests = parseTap('ok 1 - file › counts # SKIP not here\n    ok 1 - inner\nok 2 - file › later # TODO\nok 3 - file › plain\n');
    expect(Object.fromEntries([...tests].map(([name, result]) => [name, result.status]))).toEqual({ 'file › counts': 'skipped', 'file › later': 'skipped', 'file › plain': 'passed' });
  });
});
