#!/usr/bin/env node
// The yardstick on a real repository: TypeScript 5.9 type-checks the program `check` analyses (the
// JSON of bench/lib/check-program.mjs), every file, and prints the diagnostics as tsc does. Not the
// `tsc` command itself: tsc reports syntax errors and stops before the type check when any file has
// one (terser's and madge's test fixtures have), so its time there is a parse and bind; and the
// project's tsconfig.json may cover fewer files than `check` analyses (hexo's tests).
// Usage: node bench/lib/full-check.mjs PROGRAM.json [--checkJs]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const programFile = args.find((arg) => !arg.startsWith('--'));
if (!programFile) {
  process.stderr.write('usage: node bench/lib/full-check.mjs PROGRAM.json [--checkJs]\n');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const oracle = path.join(REPO_ROOT, 'bench', 'oracles', 'node_modules', 'typescript-5.9');
const ts = require(fs.existsSync(oracle) ? oracle : 'typescript');
const { root, projectFile, rootNames, options } = JSON.parse(fs.readFileSync(programFile, 'utf8'));
// TypeScript 6 (the tool's) includes no @types package unless `types` names it ("*": all of them);
// TypeScript 5.9 includes every one it finds when `types` is absent. Same program: say it explicitly.
const before6 = Number(ts.versionMajorMinor.split('.')[0]) < 6;
const types = !before6 ? options.types : options.types === undefined ? [] : options.types.includes('*') ? undefined : options.types;
const compilerOptions = { ...options, types, ...(args.includes('--checkJs') ? { checkJs: true } : {}) };
const host = ts.createCompilerHost(compilerOptions);
// Without a tsconfig, `/// <reference types>` resolves from the analysed folder up, as in the tool.
if (!projectFile && root) host.getCurrentDirectory = () => root;
const program = ts.createProgram({ rootNames, options: compilerOptions, host });
const diagnostics = [...program.getConfigFileParsingDiagnostics(), ...program.getSyntacticDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics()];
process.stdout.write(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }));
process.stdout.write(`${program.getSourceFiles().length} files, ${diagnostics.length} diagnostics, ${program.getTypeChecker().getTypeCount()} types\n`);
process.exitCode = diagnostics.length > 0 ? 1 : 0;
