import { minimatch } from 'minimatch';

/** Whether a report-relative path matches any of the globs (`src/**`, `src/index.ts`). */
export function matchesAnyGlob(file: string, globs: readonly string[]): boolean {
  return globs.some((glob) => minimatch(file, glob, { dot: true }));
}
