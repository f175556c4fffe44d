// The bench baseline: ratios to tsc from the same run, and the comparison `npm run bench` prints.
import { describe, expect, it } from 'vitest';
import { baselineOf, compareWithBaseline, ratiosOf, type Baseline } from '../bench/lib/baseline.mjs';

const tsc = { name: 'tsc', ok: true, median: 10, cpuMedian: 8, peakMiB: 400 };
const check = { name: 'check', ok: true, median: 12, cpuMedian: 9, peakMiB: 440 };

function baseline(commands: Baseline['commands'], corpus: Record<string, number> = { files: 2000 }): Baseline {
  return { note: '', corpus, tsc: {}, commands };
}

describe('bench baseline', () => {
  it('keeps each command as ratios to tsc of the same run', () => {
    expect(ratiosOf(check, tsc)).toEqual({ wall: 1.2, cpu: 1.125, rss: 1.1 });
    const written = baselineOf([tsc, check, { name: 'migrate-dry-run', ok: false, median: 1 }], { corpus: { files: 2000 } });
    // A failed command is no baseline: its time measures the failure.
    expect(written?.commands).toEqual({ check: { wall: 1.2, cpu: 1.125, rss: 1.1 } });
    expect(written?.tsc).toEqual({ wallSeconds: 10, cpuSeconds: 8, peakMiB: 400 });
    expect(baselineOf([check], { corpus: { files: 2000 } })).toBeUndefined();
  });

  it('flags a ratio that grew by more than 10% and only that one', () => {
    const { rows, grown } = compareWithBaseline(baseline({ check: { wall: 1.5, cpu: 1.4, rss: 1.1 } }), baseline({ check: { wall: 1.2, cpu: 1.35, rss: 1.1 } }));
    expect(grown).toEqual(['check (wall)']);
    expect(rows[0]).toEqual(['check', '1.20x -> 1.50x (+25%)', '1.35x -> 1.40x (+4%)', '1.10x -> 1.10x (+0%)', 'grew: wall']);
  });

  it('does not compare runs on corpora of other sizes', () => {
    const compared = compareWithBaseline(baseline({ check: { wall: 1.5 } }, { files: 8000 }), baseline({ check: { wall: 1.2 } }));
    expect(compared.rows).toEqual([]);
    expect(compared.note).toMatch(/2000 TypeScript files, this run on 8000/);
    const python = compareWithBaseline(baseline({ 'py-check': { wall: 3 } }, { files: 2000, pyFiles: 500 }), baseline({ 'py-check': { wall: 0.5 } }, { files: 2000, pyFiles: 1000 }));
    expect(python.grown).toEqual([]);
    expect(python.rows[0]?.[1]).toMatch(/1000 Python files, not 500/);
    // The same file count padded to 500k lines is another corpus (a baseline without pyLines had none).
    const padded = compareWithBaseline(baseline({ 'py-check': { wall: 3 } }, { files: 2000, pyFiles: 1000, pyLines: 500000 }), baseline({ 'py-check': { wall: 0.5 } }, { files: 2000, pyFiles: 1000 }));
    expect(padded.grown).toEqual([]);
    expect(padded.rows[0]?.[1]).toMatch(/baseline on 1000 Python files, not 1000 Python files \/ 500000 lines/);
  });

  it('says so when there is no baseline or a command is new', () => {
    expect(compareWithBaseline(baseline({ check: { wall: 1 } }), undefined).note).toMatch(/--update-baseline/);
    expect(compareWithBaseline(baseline({ check: { wall: 1 } }), baseline({})).rows[0]?.[1]).toBe('not in baseline');
  });
});
