// Types for bench/lib/baseline.mjs, for the tests (TypeScript does not read the .mjs).
export interface Measured {
  name: string;
  ok?: boolean;
  median?: number;
  cpuMedian?: number;
  peakMiB?: number;
}
export interface Ratios {
  wall?: number;
  cpu?: number;
  rss?: number;
}
export interface Baseline {
  note: string;
  date?: string;
  commit?: string;
  corpus: Record<string, number>;
  /** The tsc every ratio is to, e.g. `typescript@5.9.3`. */
  reference?: string;
  machine?: Record<string, unknown>;
  tsc: { wallSeconds?: number; cpuSeconds?: number; peakMiB?: number };
  commands: Record<string, Ratios>;
}
export declare const BASELINE_TOLERANCE: number;
export declare function ratiosOf(m: Measured, tsc: Measured): Ratios;
export declare function baselineOf(
  measurements: readonly Measured[],
  context: { corpus: Record<string, number>; reference?: string; machine?: Record<string, unknown>; commit?: string; date?: string },
): Baseline | undefined;
export declare function compareWithBaseline(current: Baseline, baseline: Baseline | undefined): { rows: string[][]; grown: string[]; note?: string };
