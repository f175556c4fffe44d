// `# noqa` in Python files: flake8-async/ruff codes map to rule ids; other tools' codes and other
// languages are left alone.
import { describe, expect, it } from 'vitest';
import { isSuppressed, readSuppressions } from '../src/suppressions.js';

const suppressedOn = (text: string, line: number, language: 'python' | 'typescript' = 'python'): string[] => {
  const suppressions = readSuppressions(text, language);
  return (['blocking-sleep', 'blocking-io', 'await-non-thenable', 'floating-promise'] as const).filter((rule) => isSuppressed(suppressions, rule, line));
};

describe('# noqa', () => {
  it('maps ASYNC codes to rules, by prefix as flake8 does, and a bare noqa to every rule', () => {
    expect(suppressedOn('time.sleep(1)  # noqa: ASYNC251\n', 1)).toEqual(['blocking-sleep']);
    expect(suppressedOn('open(p)  # noqa:ASYNC230, E501\n', 1)).toEqual(['blocking-io']);
    expect(suppressedOn('x()  # NOQA: ASYNC2\n', 1)).toEqual(['blocking-sleep', 'blocking-io']);
    expect(suppressedOn('x()  # noqa\n', 1)).toEqual(['blocking-sleep', 'blocking-io', 'await-non-thenable', 'floating-promise']);
    expect(suppressedOn('x()  # noqa: E501\n', 1)).toEqual([]);
    expect(suppressedOn('x()  # noqa: ASYNC100\n', 1)).toEqual([]);
    expect(suppressedOn('x()  # noqa: ASYNC251\ny()\n', 2)).toEqual([]);
  });

  it('reads file-level ruff and flake8 comments, and merges with ignore-next-line on the same line', () => {
    expect(suppressedOn('# ruff: noqa: ASYNC210\nx()\n', 2)).toEqual(['blocking-io']);
    expect(suppressedOn('# flake8: noqa\nx()\n', 2)).toEqual(['blocking-sleep', 'blocking-io', 'await-non-thenable', 'floating-promise']);
    expect(suppressedOn('# async-migrate-ignore-next-line floating-promise\nx()  # noqa: ASYNC251\n', 2)).toEqual(['blocking-sleep', 'floating-promise']);
  });

  it('is a Python comment only', () => {
    expect(suppressedOn('const a = 1; // # noqa\n', 1, 'typescript')).toEqual([]);
  });
});
