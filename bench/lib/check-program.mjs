#!/usr/bin/env node
// Writes the program `check` analyses in a directory as JSON: its root files and compiler options,
// taken from the built tool's own discovery and program loading (not a copy of them). Untimed:
// bench/lib/full-check.mjs then type-checks that same program with TypeScript 5.9 as the yardstick.
// Usage: node bench/lib/check-program.mjs DIR OUT.json
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  process.stderr.write('usage: node bench/lib/check-program.mjs DIR OUT.json\n');
  process.exit(2);
}
const dist = (file) => pathToFileURL(path.join(REPO_ROOT, 'dist', 'src', file)).href;
const { discoverFiles } = await import(dist('discovery.js'));
const { loadProgram, findProjectFile } = await import(dist('frontends/typescript/project.js'));
const root = path.resolve(dir);
const files = await discoverFiles([root], { include: [], exclude: [], language: 'typescript' });
const projectFile = findProjectFile(root);
const loaded = loadProgram(files, projectFile, () => undefined, undefined, root);
// As the compiler holds them (configFilePath and pathsBasePath included: @types and `paths` resolve from there).
const options = loaded.options;
fs.writeFileSync(out, `${JSON.stringify({ root, projectFile: projectFile ?? null, rootNames: loaded.program.getRootFileNames(), options })}\n`);
