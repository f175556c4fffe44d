// Types for bench/lib/tap.mjs, for the tests (TypeScript does not read the .mjs).
export interface TestResult {
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
}
export function parseTap(text: string): Map<string, TestResult>;
export function uniqueName(tests: Map<string, unknown>, name: string): string;
