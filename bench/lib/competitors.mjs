// What `npm run bench` times beside async-migrate: `tsc --noEmit` of TypeScript 5.9 (the yardstick
// of issue 17), of 6.0 (the compiler async-migrate itself runs) and of 7 (native), ESLint with
// typescript-eslint's two type-aware promise rules, and oxlint's type-aware mode with the same two
// rules. All but TypeScript 6.0 come from bench/oracles (`npm ci --prefix bench/oracles`), so the
// tool's own dependencies stay as they are. Specs only: bench/run.mjs runs them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ORACLE_MODULES = path.join(REPO_ROOT, 'bench', 'oracles', 'node_modules');

const bin = {
  tsc59: path.join(ORACLE_MODULES, 'typescript-5.9', 'bin', 'tsc'),
  tsc7: path.join(ORACLE_MODULES, 'typescript-7', 'bin', 'tsc'),
  tscOwn: path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
  eslint: path.join(ORACLE_MODULES, 'eslint', 'bin', 'eslint.js'),
  tseslint: path.join(ORACLE_MODULES, 'typescript-eslint', 'dist', 'index.js'),
  // The TypeScript typescript-eslint runs on (its peer dependency in bench/oracles).
  typescript: path.join(ORACLE_MODULES, 'typescript', 'lib', 'typescript.js'),
  // oxlint's launcher is a Node script; it finds tsgolint through OXLINT_TSGOLINT_PATH (it looks in
  // the linted project's node_modules otherwise, and the corpus has none).
  oxlint: path.join(ORACLE_MODULES, 'oxlint', 'bin', 'oxlint'),
  tsgolint: path.join(ORACLE_MODULES, '.bin', 'tsgolint'),
  pyright: path.join(REPO_ROOT, 'node_modules', 'pyright', 'index.js'),
};

/** The version field of an installed package, or undefined. */
function versionOf(binFile) {
  let dir = path.dirname(binFile);
  for (let i = 0; i < 3; i++, dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
  }
  return undefined;
}

export function oraclesInstalled() {
  return [bin.tsc59, bin.tsc7, bin.eslint, bin.tseslint, bin.oxlint, bin.tsgolint].every((file) => fs.existsSync(file));
}

/** The two promise rules both linters have, with the async-migrate rule each corresponds to. */
export const LINT_RULES = {
  'no-floating-promises': 'floating-promise',
  'await-thenable': 'await-non-thenable',
};

function writeLintConfigs(outDir, projectDir, tsconfig) {
  fs.mkdirSync(outDir, { recursive: true });
  const eslintConfig = path.join(outDir, 'eslint.config.mjs');
  const rules = Object.fromEntries(Object.keys(LINT_RULES).map((rule) => [`@typescript-eslint/${rule}`, 'error']));
  fs.writeFileSync(
    eslintConfig,
    `// Written by bench/run.mjs: typescript-eslint's two type-aware promise rules, typed through the corpus' tsconfig.
import tseslint from ${JSON.stringify(pathToFileURL(bin.tseslint).href)};
export default [{
  files: ['**/*.ts'],
  languageOptions: { parser: tseslint.parser, parserOptions: { project: [${JSON.stringify(tsconfig)}], tsconfigRootDir: ${JSON.stringify(projectDir)} } },
  plugins: { '@typescript-eslint': tseslint.plugin },
  rules: ${JSON.stringify(rules)},
}];
`,
  );
  return { eslintConfig, oxlintConfig: writeOxlintConfig(outDir) };
}

function writeOxlintConfig(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const oxlintConfig = path.join(outDir, 'oxlintrc.json');
  const off = Object.fromEntries(['correctness', 'suspicious', 'pedantic', 'style', 'restriction', 'perf', 'nursery'].map((c) => [c, 'off']));
  const oxRules = Object.fromEntries(Object.keys(LINT_RULES).map((rule) => [`typescript/${rule}`, 'error']));
  fs.writeFileSync(oxlintConfig, `${JSON.stringify({ plugins: ['typescript'], categories: off, rules: oxRules }, null, 2)}\n`);
  return oxlintConfig;
}

/**
 * Specs for `measureRounds`: { name, label, args (to node), okStatuses, cwd?, env?, count? }. `name`
 * 'tsc' is the reference every ratio is taken against: TypeScript 5.9 when bench/oracles is installed,
 * else the TypeScript in node_modules (then `reference` says so and the baseline is not compared).
 * `lint` adds ESLint and oxlint (`count(stdoutPath)` turns their JSON output into findings per rule).
 */
export function tscSpecs(projectArgs, { cwd } = {}) {
  const installed = oraclesInstalled();
  const own = versionOf(bin.tscOwn);
  const specs = [];
  if (installed) {
    const v59 = versionOf(bin.tsc59);
    specs.push({ name: 'tsc', label: `tsc ${v59} --noEmit`, args: [bin.tsc59, '--noEmit', ...projectArgs], cwd, reference: `typescript@${v59}` });
    specs.push({ name: 'tsc-own', label: `tsc ${own} (async-migrate's own TS)`, args: [bin.tscOwn, '--noEmit', ...projectArgs], cwd });
    specs.push({ name: 'tsc-7', label: `tsc ${versionOf(bin.tsc7)} (native)`, args: [bin.tsc7, '--noEmit', ...projectArgs], cwd });
  } else {
    specs.push({ name: 'tsc', label: `tsc ${own} --noEmit`, args: [bin.tscOwn, '--noEmit', ...projectArgs], cwd, reference: `typescript@${own}` });
  }
  return specs;
}

export function lintSpecs(projectDir, tsconfig, outDir) {
  if (!oraclesInstalled()) return [];
  const { eslintConfig, oxlintConfig } = writeLintConfigs(outDir, projectDir, tsconfig);
  const lintStatuses = [0, 1]; // 1: findings, which the corpus has by construction
  return [
    {
      name: 'eslint',
      label: `ESLint + typescript-eslint ${versionOf(bin.tseslint)}`,
      args: [bin.eslint, '--config', eslintConfig, '--no-inline-config', '--format', 'json', 'src'],
      cwd: projectDir,
      okStatuses: lintStatuses,
      count: countEslint,
    },
    {
      name: 'oxlint',
      label: `oxlint ${versionOf(bin.oxlint)} --type-aware`,
      args: [bin.oxlint, '--type-aware', '--config', oxlintConfig, '--format', 'json', 'src'],
      cwd: projectDir,
      env: { OXLINT_TSGOLINT_PATH: bin.tsgolint },
      okStatuses: lintStatuses,
      count: countOxlint,
    },
  ];
}

/**
 * The two linters on a real repository, over the files of the program `check` analyses there
 * (`programFile`, written by bench/lib/check-program.mjs: its root files under the checkout, without
 * declaration files). ESLint is typed by that very program (typescript-eslint's
 * `parserOptions.programs`, built from the same root names and options), so it lints and types what
 * `check` does. oxlint's tsgolint types a file through the tsconfig.json it finds beside it and takes
 * no program: it runs only where the checkout has one (`oxlint`), as `check --oracle tsgo` does.
 */
export function programLintSpecs(projectDir, programFile, outDir, { oxlint }) {
  if (!oraclesInstalled() || !fs.existsSync(programFile)) return [];
  const { rootNames } = JSON.parse(fs.readFileSync(programFile, 'utf8'));
  const inside = (file) => !path.relative(projectDir, file).startsWith('..') && !file.includes(`${path.sep}node_modules${path.sep}`);
  const files = rootNames.filter((file) => inside(file) && !/\.d\.[cm]?ts$/.test(file)).map((file) => path.relative(projectDir, file));
  fs.mkdirSync(outDir, { recursive: true });
  const eslintConfig = path.join(outDir, 'eslint.config.mjs');
  const rules = Object.fromEntries(Object.keys(LINT_RULES).map((rule) => [`@typescript-eslint/${rule}`, 'error']));
  fs.writeFileSync(
    eslintConfig,
    `// Written by bench/run.mjs: typescript-eslint's two type-aware promise rules, typed by the program check analyses.
import * as fs from 'node:fs';
import ts from ${JSON.stringify(pathToFileURL(bin.typescript).href)};
import tseslint from ${JSON.stringify(pathToFileURL(bin.tseslint).href)};
const { rootNames, options } = JSON.parse(fs.readFileSync(${JSON.stringify(programFile)}, 'utf8'));
const program = ts.createProgram({ rootNames, options });
export default [{
  files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
  languageOptions: { parser: tseslint.parser, parserOptions: { programs: [program] } },
  plugins: { '@typescript-eslint': tseslint.plugin },
  rules: ${JSON.stringify(rules)},
}];
`,
  );
  const lintStatuses = [0, 1]; // 1: findings (or a file ESLint cannot parse, which it reports and skips)
  const specs = [
    {
      name: 'eslint',
      label: `ESLint + typescript-eslint ${versionOf(bin.tseslint)}`,
      // Inline comments count: `// eslint-disable-next-line @typescript-eslint/no-floating-promises` is
      // the repository's own decision, which check honours too (rules it does not know are reported
      // as messages of no rule, not counted).
      args: [bin.eslint, '--config', eslintConfig, '--no-warn-ignored', '--format', 'json', ...files],
      cwd: projectDir,
      okStatuses: lintStatuses,
      count: countEslint,
    },
  ];
  if (oxlint) {
    specs.push({
      name: 'oxlint',
      label: `oxlint ${versionOf(bin.oxlint)} --type-aware`,
      args: [bin.oxlint, '--type-aware', '--config', writeOxlintConfig(outDir), '--format', 'json', ...files],
      cwd: projectDir,
      env: { OXLINT_TSGOLINT_PATH: bin.tsgolint },
      okStatuses: lintStatuses,
      count: countOxlint,
    });
  }
  return specs;
}

/** Findings per async-migrate rule id in a `check --format json` report. */
export function countCheckReport(stdoutPath) {
  const report = readJson(stdoutPath);
  if (!Array.isArray(report?.findings)) return undefined;
  const counts = {};
  for (const finding of report.findings) counts[finding.rule] = (counts[finding.rule] ?? 0) + 1;
  return counts;
}

/** pyright's full check of the Python corpus: the Python counterpart of tsc as a yardstick. */
export function pyrightSpec(projectDir) {
  if (!fs.existsSync(bin.pyright)) return undefined;
  // Run from the corpus: given as an argument under the hidden .bench/, pyright's default exclude
  // (`**/.*`) would leave it nothing to check.
  return { name: 'pyright', label: `pyright ${versionOf(bin.pyright)} (full check)`, args: [bin.pyright, '--outputjson'], cwd: projectDir, okStatuses: [0, 1], analysed: (stdoutPath) => readJson(stdoutPath)?.summary?.filesAnalyzed };
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Findings per async-migrate rule id, from ESLint's JSON output. */
function countEslint(stdoutPath) {
  const files = readJson(stdoutPath);
  if (!Array.isArray(files)) return undefined;
  const counts = {};
  for (const file of files) {
    for (const message of file.messages ?? []) {
      const rule = LINT_RULES[String(message.ruleId).replace('@typescript-eslint/', '')] ?? String(message.ruleId);
      counts[rule] = (counts[rule] ?? 0) + 1;
    }
  }
  return counts;
}

/** Findings per async-migrate rule id, from oxlint's JSON output (`typescript(no-floating-promises)`). */
function countOxlint(stdoutPath) {
  const report = readJson(stdoutPath);
  if (!Array.isArray(report?.diagnostics)) return undefined;
  const counts = {};
  for (const diagnostic of report.diagnostics) {
    const name = /\(([^)]+)\)/.exec(diagnostic.code ?? '')?.[1] ?? String(diagnostic.code);
    const rule = LINT_RULES[name] ?? name;
    counts[rule] = (counts[rule] ?? 0) + 1;
  }
  return counts;
}
