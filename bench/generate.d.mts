// Types for bench/generate.mjs, for the tests (TypeScript does not read the .mjs).
export const TS_RULES: string[];
export const GENERATOR_VERSION: number;
export function generateTsProject(options: { outDir: string; files?: number }): { files: number; lines: number; byRule: Record<string, number> };
