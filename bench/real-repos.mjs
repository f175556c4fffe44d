#!/usr/bin/env node
// `npm run real-repos`: runs async-migrate on real public repositories and measures what a user would
// see: crashes, findings, what the migration changes, whether the migrated code still type-checks
// (TypeScript) or compiles (Python) with no new error, whether the repository's own tests still pass,
// whether typescript-eslint's promise rules (TypeScript/JavaScript) or pyright (Python) find new
// violations in the changed files, and whether a second run changes nothing.
// A script, not a test: it needs the repositories on disk (it installs their dependencies from their
// lockfiles) and takes minutes. It never fetches a repository itself; see bench/README.md ("Real
// repositories") for how to get the mirrors. The oracles are in bench/lib/oracles.mjs.
//
//   node bench/real-repos.mjs [--mirrors <dir>] [--repo name=<git-dir>]... [--only a,b]
//                             [--variants inplace,dual,scope-all] [--out <dir>] [--timeout <seconds>]
//                             [--deps <dir>] [--tool <dir> [--tool-commit <sha>]]
//                             [--oracles lint,tests] [--no-install] [--append] [--test-timeout <s>] [--no-rerun]
//   node bench/real-repos.mjs --prepare-only <dir> [--mirrors <dir>] [--only a,b]
//                             (the TS/JS repositories' base work trees, dependencies installed, as
//                             <dir>/<name>: the checkouts `bench/run.mjs --real-repos <dir>` times)
//   node bench/real-repos.mjs --recount [--out <dir>]   (recount new errors from a finished run's output)
//
// --mirrors (or REAL_REPOS_MIRRORS) is a directory of bare git dirs laid out as `<owner>+<name>/repo`
// (the layout the `fetch` tool writes under /work/.mirror); --repo gives one repository's git dir
// (bare or not) explicitly. Repositories that are not found are listed and skipped.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './lib/source-file.mjs';
import * as oracles from './lib/oracles.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The async-migrate checkout under test: this one, or --tool <dir> (a built checkout of another commit).
let TOOL_ROOT = REPO_ROOT;
const cliBin = () => path.join(TOOL_ROOT, 'bin', 'async-migrate.js');
const TSC_BIN = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TYPES_NODE = path.join(REPO_ROOT, 'node_modules', '@types', 'node');

/**
 * The repositories. `commit` is the one measured (HEAD of the mirror when the mirror lacks it).
 * `typecheck` lists the tsconfig files whose errors are compared before and after the migration (a
 * references-only root config checks nothing with `-p`, so electron-builder lists its packages); the
 * promise rules are typed through the same configs (or `lint`). `lintInclude` (JavaScript
 * repositories whose tsconfig covers only type declarations) gives globs of the JS files a config the
 * harness writes (allowJs, outside the tree) covers, for the promise rules only. `test` is the
 * repository's own test command: `argv` (with `{report}`, `{python}`, `{work}` substituted), `pre`
 * commands (builds), and `reporter` (`jest-json` for vitest/jest, `mocha-json`, `tap-stdout` for ava, `junit` for pytest
 * and node --test). Dependencies come from the lockfile (`install` overrides); Python's from Debian.
 * `node` (a major version) installs and tests the repository on that Node, `test.node` only runs its
 * tests there (see oracles.nodeBinDir).
 */
const CATALOG = [
  {
    // Asks Node >= 22; here its `npm ci` failed on a tarball the registry did not serve
    // (@streamparser/json 0.0.24), so it ran without dependencies and without tests.
    name: 'npm-check-updates',
    github: 'raineorshine/npm-check-updates',
    commit: 'c68fe38eb6ba99a2aa65836533f8dd89e5a15f7f',
    language: 'ts',
    typecheck: ['tsconfig.json'],
    test: { argv: ['vitest', 'run', '--reporter=json', '--outputFile={report}'], reporter: 'jest-json' },
  },
  {
    // Node >= 22 and pnpm 11 (its packageManager): installed and tested on Node 22 (`node`). Its
    // packages import each other through their built `dist`, so the tests run after `tsdown`.
    name: 'changesets',
    github: 'changesets/changesets',
    commit: '5322174b2722b626161ca1b9c0889ede440b30b5',
    language: 'ts',
    node: 22,
    typecheck: ['tsconfig.json'],
    test: { pre: [['tsdown']], argv: ['vitest', 'run', '--reporter=json', '--outputFile={report}'], reporter: 'jest-json' },
  },
  { name: 'projen', github: 'projen/projen', commit: '9482fdf3aebd6d47ab5d7338a0bc8dffb5d8f846', language: 'ts', typecheck: ['tsconfig.json', 'test/tsconfig.json'] },
  {
    // Node >= 22 and pnpm 11 (its packageManager): installed on Node 22. Its tests (vitest) build
    // Electron apps and download Electron: not run.
    name: 'electron-builder',
    github: 'electron-userland/electron-builder',
    commit: '8e95ad0e00c866c8389ae295ac802ebd9954d2ca',
    language: 'ts',
    node: 22,
    typecheck: [
      ...['builder-util-runtime', 'builder-util', 'app-builder-lib', 'dmg-builder', 'electron-builder', 'electron-publish', 'electron-updater', 'electron-builder-squirrel-windows'].map((p) => `packages/${p}/tsconfig.json`),
      'test/tsconfig.json',
      'scripts/tsconfig.json',
      'website/tsconfig.json',
    ],
  },
  {
    // A static-site generator (JavaScript, CommonJS); its tsconfig covers only the type declarations.
    name: 'metalsmith',
    github: 'metalsmith/metalsmith',
    commit: '9190ff2b66f4d72c28f417ae4a29146f49af12de',
    language: 'ts',
    typecheck: ['tsconfig.json'],
    lintInclude: ['index.js', 'lib/**/*.js', 'bin/metalsmith', 'test/**/*.js'],
    test: { argv: ['mocha', '--exit', '--reporter', 'json', '--reporter-option', 'output={report}', '--no-color'], reporter: 'mocha-json' },
  },
  {
    // A static-site generator (TypeScript); tests are mocha through ts-node.
    name: 'hexo',
    github: 'hexojs/hexo',
    commit: 'a16a7e609f8d3786d21d65e98ffcf602eecbc0f6',
    language: 'ts',
    typecheck: ['tsconfig.json'],
    lintInclude: ['test/**/*.ts', 'test/*.js'],
    test: { argv: ['mocha', 'test/scripts/**/*.ts', '--require', 'ts-node/register', '--exit', '--reporter', 'json', '--reporter-option', 'output={report}', '--no-color'], reporter: 'mocha-json', env: { TS_NODE_TRANSPILE_ONLY: '1' } },
  },
  {
    // A glob library with sync, async and stream APIs side by side (TypeScript, mocha on the compiled output).
    name: 'fast-glob',
    github: 'mrmlnc/fast-glob',
    commit: '096a5b620f4224eb692bd8ff2c8de0e634e50d8e',
    language: 'ts',
    typecheck: ['tsconfig.json'],
    test: { pre: [['tsc', '--skipLibCheck']], argv: ['mocha', 'out/**/*.spec.js', '-s', '0', '--exit', '--reporter', 'json', '--reporter-option', 'output={report}'], reporter: 'mocha-json' },
  },
  {
    // fs-extra: every API has a sync and a promise form (JavaScript, CommonJS; no lockfile).
    name: 'fs-extra',
    github: 'jprichardson/node-fs-extra',
    commit: '62a4e720804aaa45d377d06788e258375cc544fa',
    language: 'ts',
    typecheck: [],
    lintInclude: ['lib/**/*.js'],
    test: { argv: ['mocha', 'lib/**/__tests__/**/*.test.js', '--exit', '--reporter', 'json', '--reporter-option', 'output={report}'], reporter: 'mocha-json' },
  },
  {
    // Publishes a directory to a gh-pages branch: a CLI over git and fs (JavaScript, CommonJS).
    name: 'gh-pages',
    github: 'tschaub/gh-pages',
    commit: '48f62a750216e72c5e89058bb61dffdb8450949d',
    language: 'ts',
    typecheck: [],
    lintInclude: ['lib/**/*.js', 'bin/*.js', 'plugin.js'],
    test: { argv: ['mocha', '--recursive', 'test', '--exit', '--reporter', 'json', '--reporter-option', 'output={report}'], reporter: 'mocha-json' },
  },
  {
    // A module-dependency graph CLI (JavaScript, CommonJS).
    name: 'madge',
    github: 'pahen/madge',
    commit: '456057b85c2d063dad9c10147d7686ded4fc5ce5',
    language: 'ts',
    typecheck: [],
    lintInclude: ['lib/**/*.js', 'bin/*.js', 'test/*.js'],
    test: { argv: ['mocha', 'test/*.js', '--exit', '--reporter', 'json', '--reporter-option', 'output={report}'], reporter: 'mocha-json' },
  },
  {
    // A JavaScript minifier and its CLI (ESM); the mocha suite, after the rollup build the CLI tests
    // run (test/compress.js is a separate runner with its own output, left out).
    name: 'terser',
    github: 'terser/terser',
    commit: '9fc8a85aaa7087d2b8c9b4b31d267202b731b5f1',
    language: 'ts',
    typecheck: [],
    lintInclude: ['lib/**/*.js', 'bin/*', 'main.js', 'tools/*.js', 'test/mocha/**/*.js'],
    test: { pre: [['rollup', '--config', '--silent']], argv: ['mocha', 'test/mocha', '--exit', '--reporter', 'json', '--reporter-option', 'output={report}'], reporter: 'mocha-json' },
  },
  {
    // A release CLI over git and conventional commits (JavaScript, CommonJS; no lockfile). Its git
    // tests run git in temporary repositories. core.spec.js mocks the file system with mock-fs 4,
    // which Node 20 escapes (`readFileSync` reads the real disk, `fs/promises` the mock: 35 tests fail
    // before any migration, and a move to `fs/promises` changes which ones), so the suite runs on
    // Node 16 (`test.node`). Its mocha 8 writes the JSON report to stdout only.
    name: 'standard-version',
    github: 'conventional-changelog/standard-version',
    commit: 'd70752c463991d34fa192e0332d7e4efacad78ba',
    language: 'ts',
    typecheck: [],
    lintInclude: ['index.js', 'command.js', 'defaults.js', 'lib/**/*.js', 'bin/*.js', 'test/*.js'],
    test: { node: 16, argv: ['mocha', '--timeout=30000', '--exit', '--reporter', 'json'], reporter: 'mocha-json-stdout' },
  },
  {
    // A documentation generator for TypeScript (ESM, pnpm); mocha through tsx on the sources, as its
    // `hereby test` runs it. The root tsconfig only references; src/test's needs the built
    // declarations (TS6305 without them), so src/lib's is the one checked.
    name: 'typedoc',
    github: 'TypeStrong/typedoc',
    commit: '6d8c856bbb46b089371952981f113c3e318818fd',
    language: 'ts',
    typecheck: ['src/lib/tsconfig.json'],
    test: { argv: ['tsx', '--tsconfig=.config/tsconfig.mocha.json', 'node_modules/mocha/bin/mocha.js', '--config', '.config/mocha.fast.json', '--exit', '--reporter', 'json', '--reporter-option', 'output={report}'], reporter: 'mocha-json' },
  },
  { name: 'arshai', github: 'nimunzn/arshai', commit: 'da3fe27d5a5727872e007aa84b433e1b7c70995c', language: 'python', test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '--continue-on-collection-errors', '--junitxml={report}', 'tests'], reporter: 'junit' } },
  { name: 'AutoBot-AI', github: 'mrveiss/AutoBot-AI', commit: '4ccc9286ced3de471c89a7269849fcc0907cbe86', language: 'python' },
  {
    // A small async web framework (asyncio, with WSGI/ASGI adapters); pure Python, tests need only pytest.
    name: 'microdot',
    github: 'miguelgrinberg/microdot',
    commit: '118f4ef71af8816b87abed32219e2c90839a2161',
    language: 'python',
    pythonPaths: ['src', 'libs/common'],
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-p', 'no:logging', '-q', '--junitxml={report}', 'tests'], reporter: 'junit', env: { PYTHONPATH: 'src:libs/common' } },
  },
  {
    // Socket.IO server and client, sync and asyncio flavours side by side (python-engineio from Debian is
    // older than the one it asks for, so part of its suite fails before the migration already).
    name: 'python-socketio',
    github: 'miguelgrinberg/python-socketio',
    commit: '2d21903008b185b66ee644bfe231bb953298e9b1',
    language: 'python',
    pythonPaths: ['src'],
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '--continue-on-collection-errors', '--junitxml={report}', 'tests'], reporter: 'junit', env: { PYTHONPATH: 'src' } },
  },
  {
    // An async GitHub API library for bots (sans-I/O core, aiohttp/httpx/tornado adapters).
    name: 'gidgethub',
    github: 'gidgethub/gidgethub',
    commit: '219ff065ea4f87455f0595ba5cbf9d4fb48ef80c',
    language: 'python',
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '--continue-on-collection-errors', '--junitxml={report}', 'tests'], reporter: 'junit', env: { PYTHONPATH: '.' } },
  },
  {
    // asyncio bridge to sqlite3 (a thread per connection, futures back to the loop); stdlib only, its
    // unittest suite collected by pytest.
    name: 'aiosqlite',
    github: 'omnilib/aiosqlite',
    commit: '9b127cecc7de843bf4f343b6da63b641866533fb',
    language: 'python',
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '--junitxml={report}', 'aiosqlite/tests/smoke.py'], reporter: 'junit', env: { PYTHONPATH: '.' } },
  },
  {
    // A Discord bot framework (asyncio, aiohttp; commands, tasks, views); pytest with Debian's
    // pytest-asyncio and aiohttp.
    name: 'discord.py',
    github: 'Rapptz/discord.py',
    commit: '1add8a0b40577186431cdb5f63f97affadab285b',
    language: 'python',
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '--junitxml={report}', 'tests'], reporter: 'junit', env: { PYTHONPATH: '.' } },
  },
  {
    name: 'admin-assistant',
    github: 'Auriora/admin-assistant',
    commit: '75761fbf5c5b19c404d542e690ca931629848b3e',
    language: 'python',
    pythonPaths: ['src'],
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '--continue-on-collection-errors', '-o', 'addopts=', '--junitxml={report}', 'tests/unit'], reporter: 'junit', env: { PYTHONPATH: 'src' } },
  },
  // Four repositories added on 2026-12-06 (branch `freshrepos`), never run here before.
  {
    // Static-site generator (JavaScript, ESM) with sync and async file paths side by side; v3.1.6,
    // the last release that installs on Node 20 (4.x asks for 22.15). Its tsconfig type-checks two
    // files only, so the promise rules cover src/ through the harness's allowJs project. ava 6 writes
    // TAP to stdout; `failFast` of its config would stop at the first failure.
    name: 'eleventy',
    github: '11ty/eleventy',
    commit: '02ad90a2c85f6446d46bdcd231b6d5d3c5c17949',
    language: 'ts',
    typecheck: ['tsconfig.json'],
    lintInclude: ['src/**/*.js', 'cmd.cjs'],
    test: { argv: ['ava', '--tap', '--no-fail-fast', '--timeout', '60s'], reporter: 'tap-stdout', timeout: 900 },
  },
  {
    // Runs linters on git-staged files: a CLI over child processes and git (JavaScript, ESM, typed
    // by JSDoc through an allowJs tsconfig); v16.4.0 (17.x asks for Node 22.22). vitest, with its
    // coverage thresholds off (a migration changes coverage, not behaviour).
    name: 'lint-staged',
    github: 'lint-staged/lint-staged',
    commit: '445f9dd042b88528c798b2e25c21c9adbc69a732',
    language: 'ts',
    typecheck: ['tsconfig.json'],
    lintInclude: ['lib/**/*.js', 'bin/*.js'],
    // Its suite spawns git hundreds of times: about 4 minutes here, past the 300 s default under load.
    test: { argv: ['vitest', 'run', '--coverage.enabled=false', '--reporter=json', '--outputFile={report}'], reporter: 'jest-json', timeout: 900 },
  },
  {
    // Async file I/O over a thread pool (asyncio); its tests call sync file APIs inside async tests.
    // pytest 8.3 is its minversion: the ini file is replaced by `-c /dev/null` and its one setting
    // given with `-o` (Debian's pytest is 7.2, pytest-asyncio 0.20).
    name: 'aiofiles',
    github: 'Tinche/aiofiles',
    commit: '6fdc25c7812d6738ccf51c5e7d4cd68500053a52',
    language: 'python',
    pythonPaths: ['src'],
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-c', '/dev/null', '--rootdir', '{work}', '-o', 'asyncio_mode=auto', '--junitxml={report}', 'tests'], reporter: 'junit', env: { PYTHONPATH: 'src' } },
  },
  {
    // Asynchronous console and interfaces for asyncio (streams over stdin/stdout, an async REPL);
    // stdlib only. Its addopts ask for pytest-cov and pytest-repeat: cleared.
    name: 'aioconsole',
    github: 'vxgmichel/aioconsole',
    commit: 'c59b5eab9622c86b6f852c47d90d7cf071706397',
    language: 'python',
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-o', 'addopts=', '--junitxml={report}', 'tests'], reporter: 'junit', env: { PYTHONPATH: '.' } },
  },
  // Two repositories added on 2026-12-06 (branch `fresh5`), never run here before.
  {
    // A static HTTP server CLI (JavaScript, CommonJS) with sync and async file access; package-lock.
    // tap 21 runs each test file in its own process: its top-level TAP lines (one per file) are what
    // the harness compares.
    name: 'http-server',
    github: 'http-party/http-server',
    commit: '741ae2b482e283c96fd87e1744af06e7de9852ab',
    language: 'ts',
    typecheck: [],
    lintInclude: ['lib/**/*.js', 'bin/http-server', 'test/*.js'],
    test: { argv: ['tap', '--reporter=tap', '--allow-incomplete-coverage', '--disable-coverage', 'test/*.test.js'], reporter: 'tap-stdout', timeout: 900 },
  },
  {
    // Runs coroutines in a pool of child processes, each with its own event loop (asyncio,
    // multiprocessing); stdlib only. Its unittest modules are not named test_*: listed for pytest.
    name: 'aiomultiprocess',
    github: 'omnilib/aiomultiprocess',
    commit: '095d9f727834108e35e8aadcacd77d5de1f1401a',
    language: 'python',
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '--junitxml={report}', ...['core', 'pool', 'scheduler', 'perf'].map((m) => `aiomultiprocess/tests/${m}.py`)], reporter: 'junit', env: { PYTHONPATH: '.' } },
  },
  // Four repositories added on 2026-12-06 (branch `fresh6`), never run here before.
  {
    // Finds unused dependencies: a CLI and API over parsers of many file kinds (JavaScript, ES modules
    // through Babel; package-lock). mocha runs the sources through @babel/register (its package.json
    // config); test/fake_modules are inputs the tests parse, not code that runs. On Node 20 mocha loads
    // test/cli.js as an ES module (its syntax detected) and proxyquire, loaded from it, finds no
    // `module.parent`: the suite runs on Node 16 (`test.node`).
    name: 'depcheck',
    github: 'depcheck/depcheck',
    commit: '9ff7081fe01fb2890c1ab73e79128e62b7cc7088',
    language: 'ts',
    typecheck: [],
    lintInclude: ['src/**/*.js', 'build/*.js', 'test/*.js', 'test/special/*.js'],
    test: { node: 16, argv: ['mocha', './test', './test/special', '--timeout', '20000', '--exit', '--reporter', 'json', '--reporter-option', 'output={report}'], reporter: 'mocha-json' },
  },
  {
    // WebSocket client and server with asyncio, sync (threads) and trio implementations side by side;
    // stdlib only for asyncio. Its whole suite takes over 10 minutes here and the trio tests hang on
    // Debian's trio 0.22, so only the asyncio client tests run (the one test file the migration changes).
    name: 'websockets',
    github: 'python-websockets/websockets',
    commit: '04e599ca3caad2c5bb3fa8eaf24066fd270e90a7',
    language: 'python',
    pythonPaths: ['src'],
    // Its version.py runs `git describe` and rejects the harness's `base` tag: no git for the tests.
    // test_reconnect hangs or fails here by timing (before any migration); pytest-timeout guards the rest.
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '--timeout', '60', '--deselect', 'tests/asyncio/test_client.py::ClientTests::test_reconnect', '--junitxml={report}', 'tests/asyncio/test_client.py'], reporter: 'junit', env: { PYTHONPATH: 'src', GIT_DIR: '/nonexistent' } },
  },
  {
    // An ASGI/WSGI server with asyncio and trio workers side by side (h11, h2, wsproto from Debian).
    // Its addopts ask for pytest-cov: cleared. Debian's trio 0.22 lacks what tests/trio/test_keep_alive.py
    // imports (a collection error before any migration).
    name: 'hypercorn',
    github: 'pgjones/hypercorn',
    commit: '0e2311f1ad2ae587aaa590f3824f59aa5dc0e770',
    language: 'python',
    pythonPaths: ['src'],
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-o', 'addopts=', '--continue-on-collection-errors', '--timeout', '60', '--junitxml={report}', 'tests'], reporter: 'junit', env: { PYTHONPATH: 'src' } },
  },
  {
    // Jobs scheduler for asyncio (spawn, shield, close with a timeout) and its aiohttp integration.
    // Its pytest.ini asks for options Debian's pytest-asyncio 0.20 lacks: replaced by `-c /dev/null`.
    // tests/test_aiohttp.py needs aiohttp's `web.AppKey` (3.9; Debian has 3.8): a collection error before.
    name: 'aiojobs',
    github: 'aio-libs/aiojobs',
    commit: '106fd28ce5c121be3b45589cf9992865f1e17056',
    language: 'python',
    test: { argv: ['{python}', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-c', '/dev/null', '--rootdir', '{work}', '-o', 'asyncio_mode=auto', '--continue-on-collection-errors', '--timeout', '60', '--junitxml={report}', 'tests'], reporter: 'junit', env: { PYTHONPATH: '.' } },
  },
];

const VARIANTS = {
  inplace: [],
  dual: ['--strategy', 'dual'],
  'scope-all': ['--scope', 'all'],
};

// ---------------------------------------------------------------------------------------------
// Running commands

/** Runs a command with a time limit; output goes to files (a migrate diff can be megabytes). */
function run(command, args, { cwd, timeoutSeconds, outPrefix, env }) {
  const stdoutPath = `${outPrefix}.stdout`;
  const stderrPath = `${outPrefix}.stderr`;
  const stdout = fs.openSync(stdoutPath, 'w');
  const stderr = fs.openSync(stderrPath, 'w');
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    env: env ?? process.env,
    stdio: ['ignore', stdout, stderr],
    timeout: timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.closeSync(stdout);
  fs.closeSync(stderr);
  const timedOut = result.error?.code === 'ETIMEDOUT';
  return { status: result.status, signal: result.signal, timedOut, seconds, stdoutPath, stderrPath };
}

/** Runs git in `cwd`; throws with its stderr on failure (the harness's own steps must work). */
function git(cwd, args, input) {
  const result = spawnSync('git', ['-c', 'core.fsmonitor=false', '-c', 'core.autocrlf=false', ...args], {
    cwd,
    encoding: 'utf8',
    input,
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** A run of the tool: its exit code, its JSON report, and whether it crashed (and how). */
function runTool(label, args, context) {
  const r = run(process.execPath, [cliBin(), ...args], { ...context, outPrefix: path.join(context.outDir, label) });
  const stderr = fs.readFileSync(r.stderrPath, 'utf8');
  let report;
  try {
    report = JSON.parse(fs.readFileSync(r.stdoutPath, 'utf8'));
  } catch {
    report = undefined;
  }
  const crash = describeCrash(r, stderr);
  return { ...r, report, crash, stderrHead: stderr.trim().split('\n').slice(0, 6).join('\n') };
}

/**
 * A crash is a timeout, a signal, an exit code other than 0/1, an "unexpected error" line or a
 * stack trace on stderr. Exit 2 is the contract's usage error, which on a whole repository given as
 * `.` is itself a failure, so it is counted too.
 */
function describeCrash(r, stderr) {
  if (r.timedOut) return `timeout after ${r.seconds.toFixed(0)} s`;
  if (r.signal) return `killed by ${r.signal}`;
  if (r.status !== 0 && r.status !== 1) return `exit ${r.status}: ${firstLine(stderr)}`;
  if (/unexpected error/i.test(stderr)) return `"unexpected error": ${firstLine(stderr)}`;
  if (/^\s+at .+:\d+:\d+\)?$/m.test(stderr)) return `stack trace: ${firstLine(stderr)}`;
  return undefined;
}

function firstLine(text) {
  return text.trim().split('\n')[0]?.slice(0, 200) ?? '';
}

// ---------------------------------------------------------------------------------------------
// Compile errors, counted as a multiset keyed by file + code + message (not line: a migration moves
// lines), so "new errors" are the ones the migration added, whatever the repository had before.

/**
 * tsc stops before the semantic check when the options themselves have errors, so a config whose
 * `types` name packages that are not installed (TS2688) or that uses an option TypeScript 6
 * deprecates (TS5101, TS5107) would compare nothing. Those are met by flags on the command line, the
 * same before and after the migration: `--types node` (the one types package the work tree has) and
 * `--ignoreDeprecations 6.0`.
 */
function optionFixes(errors) {
  const flags = [];
  if (errors.some((e) => e.code === 'TS2688')) flags.push('--types', 'node');
  if (errors.some((e) => /^TS510[0-9]$/.test(e.code) && /deprecated/.test(e.message))) flags.push('--ignoreDeprecations', '6.0');
  return flags;
}

/**
 * tsc errors of every config in `configs`; missing configs are noted, not fatal. `flagsByConfig` is
 * filled on the first (before) run and reused after, so both runs check the same way.
 */
function tscErrors(work, configs, context, tag, flagsByConfig) {
  const errors = [];
  let seconds = 0;
  for (const config of configs) {
    if (!fs.existsSync(path.join(work, config))) {
      errors.push({ file: config, line: 0, code: 'missing-config', message: `${config} not found` });
      continue;
    }
    const runTsc = (flags) => {
      const r = run(process.execPath, [TSC_BIN, '--noEmit', '--pretty', 'false', '-p', config, ...flags], {
        ...context,
        cwd: work,
        outPrefix: path.join(context.outDir, `tsc-${tag}-${config.replaceAll('/', '_')}`),
      });
      seconds += r.seconds;
      const found = parseTscOutput(fs.readFileSync(r.stdoutPath, 'utf8'));
      if (r.timedOut) found.push({ file: config, line: 0, code: 'timeout', message: 'tsc timed out' });
      return found;
    };
    if (!flagsByConfig.has(config)) {
      const first = runTsc([]);
      const fixes = optionFixes(first);
      flagsByConfig.set(config, fixes);
      if (fixes.length === 0) {
        errors.push(...first);
        continue;
      }
    }
    errors.push(...runTsc(flagsByConfig.get(config)));
  }
  return { errors, seconds };
}

/** `file(line,col): error TS1234: message`, continuation lines (indented) appended to the message. */
function parseTscOutput(text) {
  const errors = [];
  for (const line of text.split('\n')) {
    const m = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line) ?? /^()()error (TS\d+): (.*)$/.exec(line);
    if (m) errors.push({ file: m[1], line: Number(m[2] || 0), code: m[3], message: m[4], headline: m[4] });
    else if (/^\s+\S/.test(line) && errors.length) errors[errors.length - 1].message += ` ${line.trim()}`;
  }
  return errors;
}

// One Python process compiles every .py (compile(), the check py_compile does, without writing .pyc
// into the tree) and prints one JSON line per error.
const PY_COMPILE_SCRIPT = String.raw`
import json, os, sys
root = sys.argv[1]
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if d not in ('.git', 'node_modules')]
    for name in filenames:
        if not name.endswith('.py'):
            continue
        full = os.path.join(dirpath, name)
        rel = os.path.relpath(full, root)
        try:
            with open(full, 'rb') as f:
                compile(f.read(), rel, 'exec', dont_inherit=True)
        except (SyntaxError, ValueError, UnicodeDecodeError) as e:
            print(json.dumps({'file': rel, 'line': getattr(e, 'lineno', 0) or 0, 'code': type(e).__name__, 'message': getattr(e, 'msg', None) or str(e)}))
`;

function pyCompileErrors(work, context, tag) {
  const r = run('python3', ['-c', PY_COMPILE_SCRIPT, work], { ...context, cwd: work, outPrefix: path.join(context.outDir, `py_compile-${tag}`) });
  const errors = fs
    .readFileSync(r.stdoutPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  if (r.timedOut) errors.push({ file: '.', line: 0, code: 'timeout', message: 'py_compile timed out' });
  return { errors, seconds: r.seconds };
}

/** Files (relative to the work tree) that the configs type-check: a changed file outside them is reported as unchecked. */
function typeCheckedFiles(work, configs, flagsByConfig, timeoutSeconds) {
  const files = new Set();
  for (const config of configs) {
    if (!fs.existsSync(path.join(work, config))) continue;
    const r = spawnSync(process.execPath, [TSC_BIN, '--listFilesOnly', '-p', config, ...(flagsByConfig.get(config) ?? [])], {
      cwd: work,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      timeout: timeoutSeconds * 1000,
    });
    for (const line of (r.stdout ?? '').split('\n')) if (line.startsWith(work)) files.add(path.relative(work, line.trim()));
  }
  return files;
}

const TS_OR_JS = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const PLAIN_JS = /\.(js|mjs|cjs)$/;

function nodeCheck(work, file) {
  const r = spawnSync(process.execPath, ['--check', file], { cwd: work, encoding: 'utf8' });
  return r.status === 0 ? undefined : firstLine(r.stderr.split('\n').filter((l) => /Error/.test(l)).join('\n') || r.stderr);
}

/**
 * Changed TS/JS files that no checked config covers. Plain JS among them gets `node --check` (syntax
 * only) after the migration, and again on the base version when it fails, so only a syntax error the
 * migration introduced counts as a new error.
 */
function uncheckedChanges(work, covered) {
  const changed = git(work, ['diff', '--name-only', 'base']).split('\n').filter((f) => TS_OR_JS.test(f));
  const unchecked = changed.filter((f) => !covered.has(f));
  const syntaxErrors = [];
  for (const file of unchecked.filter((f) => PLAIN_JS.test(f))) {
    const after = nodeCheck(work, file);
    if (!after) continue;
    const migrated = fs.readFileSync(path.join(work, file));
    fs.writeFileSync(path.join(work, file), git(work, ['show', `base:${file}`]));
    const before = nodeCheck(work, file);
    fs.writeFileSync(path.join(work, file), migrated);
    if (!before) syntaxErrors.push({ file, line: 0, code: 'node --check', message: after });
  }
  return { unchecked, syntaxErrors };
}

// A module the work tree cannot resolve (its dependencies are not installed) fails the same way
// whatever its name: an import the migration adds (`node:fs/promises` next to an unresolved
// `node:fs`) is only new when the file had no such error before.
const UNRESOLVED_MODULE = new Set(['TS2307', 'TS2591', 'TS2792']);
// Errors are compared by their first line: the indented elaboration under it can list a type's
// members (`Type '"node"' is not assignable to type '"project" | "attach" | …'` under a `keyof this`
// error), which every member a migration adds lengthens without adding an error.
const errorKey = (e) => (UNRESOLVED_MODULE.has(e.code) ? `${e.file}\u0000${e.code}` : `${e.file}\u0000${e.code}\u0000${e.headline ?? e.message}`);

/**
 * Errors in `after` beyond as many as `before` had with the same key. An error reported by two
 * configs that include the same file (a package's and the tests') counts once.
 */
function newErrors(before, after) {
  const distinct = (errors) => [...new Map(errors.map((e) => [`${e.line}\u0000${errorKey(e)}`, e])).values()];
  const remaining = new Map();
  for (const e of distinct(before)) remaining.set(errorKey(e), (remaining.get(errorKey(e)) ?? 0) + 1);
  const added = [];
  for (const e of distinct(after)) {
    const key = errorKey(e);
    const left = remaining.get(key) ?? 0;
    if (left > 0) remaining.set(key, left - 1);
    else if (!(UNRESOLVED_MODULE.has(e.code) && remaining.has(key))) added.push(e);
  }
  return added;
}

function compileErrors(repo, work, context, tag) {
  return repo.language === 'ts' ? tscErrors(work, repo.typecheck, context, tag, context.tscFlags) : pyCompileErrors(work, context, tag);
}

// ---------------------------------------------------------------------------------------------
// One repository

/**
 * Extracts the catalog's commit (HEAD when the catalog names none or the mirror lacks it) into a
 * fresh work tree, installs its dependencies (lockfile, no scripts), writes pyright's config for a
 * Python repository, and commits the lot as `base` (so the dirty guard passes and each variant starts
 * from it). node_modules stays out of git (info/exclude).
 */
function prepareWorkTree(repo, gitDir, work, context) {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const head = git(REPO_ROOT, ['--git-dir', gitDir, 'rev-parse', 'HEAD']).trim();
  let commit = head;
  if (repo.commit && repo.commit !== head) {
    const has = spawnSync('git', ['--git-dir', gitDir, 'cat-file', '-e', `${repo.commit}^{commit}`]).status === 0;
    if (has) commit = repo.commit;
    else process.stdout.write(`  (catalog commit ${repo.commit.slice(0, 10)} not in the mirror: using HEAD ${head.slice(0, 10)})\n`);
  }
  // A mirror may lack its largest blobs (listed but absent): leave those paths out instead of failing.
  const missing = missingBlobs(gitDir, commit);
  const pathspec = missing.map((file) => `:(exclude,literal)${file}`);
  const extract = spawnSync('sh', ['-c', 'dir="$1"; rev="$2"; shift 2; git --git-dir="$dir" archive "$rev" -- . "$@" | tar -x -C "$0"', work, gitDir, commit, ...pathspec], { encoding: 'utf8' });
  if (extract.status !== 0) throw new Error(`extracting ${gitDir}: ${extract.stderr.trim()}`);
  if (missing.length) process.stdout.write(`  (${missing.length} files absent from the mirror left out: ${missing.slice(0, 3).join(', ')})\n`);
  git(work, ['init', '-q']);
  fs.appendFileSync(path.join(work, '.git', 'info', 'exclude'), '/node_modules/\nnode_modules/\n');
  if (repo.language === 'python') fs.writeFileSync(path.join(work, 'pyrightconfig.json'), `${JSON.stringify(oracles.pyrightConfig(repo), null, 2)}\n`);
  // Every extracted file, ignored or not (-f: a repository may track files its .gitignore matches).
  commitAll(work, 'extracted', { force: true });
  let install = { skipped: true };
  if (repo.language === 'ts' && context.install) {
    install = oracles.installDependencies(repo, work, context.repoOutDir, context.timeoutSeconds);
    process.stdout.write(`  install (${install.lockfile ?? 'none'}): ${install.skipped ? 'skipped' : install.ok ? 'ok' : `FAILED: ${install.error}`} ${install.seconds ? `${install.seconds.toFixed(0)} s` : ''}\n`);
  }
  // The type-check falls back on this repo's @types/node and the --deps packages where the
  // repository's own install did not provide them (or was not run).
  if (repo.language === 'ts') {
    linkPackage(work, '@types/node', TYPES_NODE);
    for (const name of listPackages(context.depsDir)) linkPackage(work, name, path.join(context.depsDir, 'node_modules', name));
  }
  // What the install wrote outside node_modules (a lockfile npm install created) is part of the base.
  commitAll(work, 'base');
  git(work, ['tag', 'base']);
  return { commit, install };
}

function missingBlobs(gitDir, commit) {
  const blobs = git(REPO_ROOT, ['--git-dir', gitDir, 'ls-tree', '-r', '-z', commit])
    .split('\0')
    .filter(Boolean)
    .map((entry) => /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry))
    .filter(Boolean);
  const check = git(REPO_ROOT, ['--git-dir', gitDir, 'cat-file', '--batch-check'], blobs.map((m) => m[1]).join('\n') + '\n').split('\n');
  return blobs.filter((_, i) => check[i]?.endsWith(' missing')).map((m) => m[2]);
}

/** Package names (`a`, `@scope/b`) in `<depsDir>/node_modules`; none without a deps dir. */
function listPackages(depsDir) {
  const modules = depsDir && path.join(depsDir, 'node_modules');
  if (!modules || !fs.existsSync(modules)) return [];
  return fs.readdirSync(modules).flatMap((entry) => {
    if (entry.startsWith('.')) return [];
    if (!entry.startsWith('@')) return [entry];
    return fs.readdirSync(path.join(modules, entry)).map((inner) => `${entry}/${inner}`);
  });
}

function linkPackage(work, name, target) {
  const link = path.join(work, 'node_modules', name);
  if (fs.existsSync(link)) return;
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(target, link);
}

/** Commits the work tree; only the first commit forces ignored files in (later, node_modules would be). */
function commitAll(work, message, { force = false } = {}) {
  git(work, ['add', '-A', ...(force ? ['-f'] : []), '.']);
  git(work, ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '--allow-empty', '--no-verify', '-m', message]);
}

/** Files the last step changed, from git (independent of what the report claims). */
function changedFiles(work) {
  return git(work, ['status', '--porcelain', '--untracked-files=all'])
    .split('\n')
    .filter(Boolean).length;
}

function resetTo(work, ref) {
  git(work, ['reset', '-q', '--hard', ref]);
  git(work, ['clean', '-q', '-fd']);
}

/** The behaviour oracles need the migrated files as committed; tests and builds may write into the tree. */
function changedSourceFiles(work, repo) {
  const pattern = repo.language === 'ts' ? TS_OR_JS : /\.pyi?$/;
  return git(work, ['diff', '--name-only', '--diff-filter=AM', 'base', 'HEAD']).split('\n').filter((f) => pattern.test(f));
}

/**
 * Lint (TypeScript) or pyright (Python) before and after, on the files the migration changed.
 * "Before" is the base commit checked out in the same directory (the same paths, node_modules and
 * tsconfigs), cached per file: the base tree is the same for every variant.
 */
function staticOracle(repo, work, changed, ctx) {
  if (changed.length === 0) return { ran: true, files: 0, added: [] };
  const lintable = repo.language === 'ts' ? changed.filter((f) => ctx.lintable.has(f)) : changed;
  const notLinted = repo.language === 'ts' ? changed.filter((f) => !ctx.lintable.has(f)) : [];
  const runOn = (files, tag) =>
    repo.language === 'ts'
      ? oracles.runEslint(work, files, ctx.eslintConfig, path.join(ctx.outDir, `eslint-${tag}`), ctx.timeoutSeconds)
      : oracles.runPyright(work, files, path.join(ctx.outDir, `pyright-${tag}`), ctx.timeoutSeconds);
  if (repo.language === 'ts' && !ctx.eslintConfig) return { ran: false, reason: 'eslint/typescript-eslint not installed (npm ci --prefix bench/oracles)' };
  if (repo.language === 'python' && !oracles.pyrightAvailable()) return { ran: false, reason: 'pyright not installed' };
  const after = runOn(lintable, 'after');
  const migrated = git(work, ['rev-parse', 'HEAD']).trim();
  const uncached = lintable.filter((f) => !ctx.staticBefore.has(f));
  let beforeError;
  if (uncached.length) {
    resetTo(work, 'base');
    const existing = uncached.filter((f) => fs.existsSync(path.join(work, f)));
    const before = runOn(existing, `before-${ctx.variant}`);
    beforeError = before.error;
    for (const f of uncached) ctx.staticBefore.set(f, []);
    for (const m of before.messages) ctx.staticBefore.get(m.file)?.push(m);
    resetTo(work, migrated);
  }
  const before = lintable.flatMap((f) => ctx.staticBefore.get(f) ?? []);
  const withHunk = (m) => ({ ...m, hunk: oracles.hunkFor(ctx.hunks, m.file, m.line) });
  const { caused, copied, renamed } = oracles.splitCopied(before, oracles.newMessages(before, after.messages), after.messages, ctx.hunks);
  // `return-await` in `in-try-catch` mode also reports `return await` outside a `try` ("not allowed
  // in this context"): the same value at the same time, only style. Listed apart, not counted.
  const isStyle = (m) => m.rule === '@typescript-eslint/return-await' && /is not allowed in this context/.test(m.message);
  const added = caused.filter((m) => !isStyle(m)).map(withHunk);
  const style = caused.filter(isStyle).map(withHunk);
  return {
    ran: !after.error && !beforeError,
    error: after.error ?? beforeError,
    files: lintable.length,
    notLinted,
    before: before.length,
    after: after.messages.length,
    added,
    style,
    // Diagnostics the repository had before, copied into a dual sibling or renamed after one: not counted.
    copiedIntoSiblings: copied.map(withHunk),
    renamedToSiblings: renamed.map(withHunk),
    seconds: after.seconds,
  };
}

function runVariant(repo, work, variant, before, context) {
  resetTo(work, 'base');
  const flags = ['--language', repo.language, '--format', 'json', ...VARIANTS[variant]];
  const outDir = path.join(context.outRoot, repo.name, variant);
  fs.mkdirSync(outDir, { recursive: true });
  const ctx = { ...context, cwd: work, outDir, variant };

  const check = runTool('check', ['check', '.', ...flags], ctx);
  const first = runTool('migrate', ['migrate', '.', '--allow-dirty', ...flags], ctx);
  const firstChanged = changedFiles(work);
  const diff = git(work, ['diff']);
  fs.writeFileSync(path.join(outDir, 'migrate.diff'), diff);
  ctx.hunks = oracles.parseDiffHunks(diff);
  const after = compileErrors(repo, work, ctx, 'after');
  const { unchecked, syntaxErrors } = repo.language === 'ts' ? uncheckedChanges(work, context.typeChecked) : { unchecked: [], syntaxErrors: [] };
  // An error the code had before that a dual sibling copied (or a call site carried over to it) is not new.
  const asMessage = (e) => ({ ...e, rule: e.code, message: e.headline ?? e.message });
  const compiled = oracles.splitCopied(before.errors.map(asMessage), newErrors(before.errors, after.errors).map(asMessage), after.errors.map(asMessage), ctx.hunks);
  const added = [...compiled.caused, ...syntaxErrors].map((e) => ({ ...e, hunk: oracles.hunkFor(ctx.hunks, e.file, e.line) }));
  const errorsCopied = [...compiled.copied, ...compiled.renamed];
  if (errorsCopied.length) fs.writeFileSync(path.join(outDir, 'errors-copied-to-siblings.json'), `${JSON.stringify(errorsCopied, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'new-errors.json'), `${JSON.stringify(added, null, 2)}\n`);
  commitAll(work, `migrated (${variant})`);
  const migratedCommit = git(work, ['rev-parse', 'HEAD']).trim();
  const changed = changedSourceFiles(work, repo);

  // Behaviour: the promise rules / pyright on the changed files, then the test suite.
  const lint = context.oracles.has('lint') ? staticOracle(repo, work, changed, ctx) : { ran: false, reason: 'not asked (--oracles)' };
  fs.writeFileSync(path.join(outDir, repo.language === 'ts' ? 'new-lint.json' : 'new-pyright.json'), `${JSON.stringify(lint, null, 2)}\n`);
  let tests = { ran: false, reason: repo.test ? 'not asked (--oracles)' : 'no test command in the catalog' };
  if (repo.test && context.oracles.has('tests') && before.tests?.ran && firstChanged > 0) {
    const t = oracles.runTests(repo, work, outDir, 'after', context.testTimeoutSeconds);
    fs.writeFileSync(path.join(outDir, 'tests-after.json'), `${JSON.stringify(Object.fromEntries(t.tests), null, 2)}\n`);
    let cmp = oracles.compareTests(before.tests.tests, t.tests);
    let flaky = [];
    resetTo(work, migratedCommit);
    if ((cmp.newlyFailing.length || cmp.vanished.length) && context.rerun) {
      // Confirm: the base suite once more (once per repository; a test failing in either base run is
      // flaky, not "passed before"), and the migrated suite once more (a failure must repeat).
      if (!before.tests.rerun) {
        resetTo(work, 'base');
        const again = oracles.runTests(repo, work, context.repoOutDir, 'before-again', context.testTimeoutSeconds);
        before.tests.rerun = true;
        for (const [name, result] of again.tests) {
          const first = before.tests.tests.get(name);
          if (first && first.status !== result.status) before.tests.tests.set(name, { ...first, status: 'flaky' });
        }
        resetTo(work, migratedCommit);
      }
      const t2 = oracles.runTests(repo, work, outDir, 'after-again', context.testTimeoutSeconds);
      resetTo(work, migratedCommit);
      const cmp1 = oracles.compareTests(before.tests.tests, t.tests);
      const cmp2 = oracles.compareTests(before.tests.tests, t2.tests);
      const failing2 = new Set([...cmp2.newlyFailing.map((f) => f.name), ...cmp2.vanished]);
      flaky = [...cmp1.newlyFailing.map((f) => f.name), ...cmp1.vanished].filter((n) => !failing2.has(n));
      cmp = { newlyFailing: cmp1.newlyFailing.filter((f) => failing2.has(f.name)), vanished: cmp1.vanished.filter((n) => failing2.has(n)) };
    }
    tests = { ran: t.ran, error: t.error, counts: oracles.testCounts(t.tests), ...cmp, flaky, seconds: t.seconds };
  } else if (repo.test && firstChanged === 0) tests = { ran: false, reason: 'the migration changed nothing' };
  else if (repo.test && before.tests && !before.tests.ran) tests = { ran: false, reason: `tests did not run before: ${before.tests.error}` };
  fs.writeFileSync(path.join(outDir, 'new-test-failures.json'), `${JSON.stringify(tests, null, 2)}\n`);

  const second = runTool('migrate-again', ['migrate', '.', '--allow-dirty', ...flags], ctx);
  const secondChanged = changedFiles(work);
  fs.writeFileSync(path.join(outDir, 'migrate-again.diff'), git(work, ['diff']));

  const checkSummary = check.report?.summary ?? {};
  const migrateSummary = first.report?.summary ?? {};
  const row = {
    repo: repo.name,
    variant,
    files: checkSummary.files,
    findings: checkSummary.findings,
    checkExit: check.status,
    migrateExit: first.status,
    functionsMadeAsync: migrateSummary.functionsMadeAsync,
    callSitesAwaited: migrateSummary.callSitesAwaited,
    blocked: migrateSummary.blocked,
    filesChanged: migrateSummary.filesChanged,
    filesChangedOnDisk: firstChanged,
    fixes: migrateSummary.fixes,
    skipped: first.report ? (first.report.skipped ?? []).length : undefined,
    crashes: [['check', check], ['migrate', first], ['migrate again', second]].filter(([, r]) => r.crash).map(([step, r]) => `${step}: ${r.crash}`),
    newErrors: added.length,
    errorsCopiedToSiblings: errorsCopied.length,
    uncheckedChangedFiles: unchecked,
    newErrorSample: added.slice(0, 5),
    lint: { ran: lint.ran, reason: lint.reason, error: lint.error, files: lint.files, notLinted: lint.notLinted?.length, added: lint.added?.length, style: lint.style?.length, byRule: countBy(lint.added ?? [], (m) => m.rule), copiedOrRenamed: (lint.copiedIntoSiblings?.length ?? 0) + (lint.renamedToSiblings?.length ?? 0) },
    newLintSample: (lint.added ?? []).slice(0, 5).map(({ hunk, ...m }) => m),
    tests: { ran: tests.ran, reason: tests.reason, error: tests.error, counts: tests.counts, newlyFailing: tests.newlyFailing?.map((t) => t.name), vanished: tests.vanished?.length, vanishedSample: tests.vanished?.slice(0, 10), flaky: tests.flaky },
    secondRunFilesChanged: second.report?.summary?.filesChanged,
    secondRunFilesChangedOnDisk: secondChanged,
    checkSeconds: check.seconds,
    migrateSeconds: first.seconds,
    outDir: path.relative(REPO_ROOT, outDir),
  };
  fs.writeFileSync(path.join(outDir, 'findings.md'), findingsMarkdown(row, added, lint, tests));
  return row;
}

const countBy = (items, key) => items.reduce((acc, item) => ({ ...acc, [key(item)]: (acc[key(item)] ?? 0) + 1 }), {});

/** One readable page per repository and variant: every new error, violation and failing test, with the hunk behind it. */
function findingsMarkdown(row, errors, lint, tests) {
  const out = [`# ${row.repo} (${row.variant})`, ''];
  const fence = (text) => ['```diff', text ?? '(no hunk)', '```'];
  out.push(`## New compile errors: ${errors.length}`, '');
  for (const e of errors) out.push(`- ${e.file}:${e.line} ${e.code} ${e.message}`, '', ...fence(e.hunk), '');
  out.push(`## New promise-rule violations (TypeScript) / pyright diagnostics (Python): ${lint.ran ? lint.added.length : `not run (${lint.reason ?? lint.error})`}`, '');
  if (lint.error) out.push(`(oracle error: ${lint.error})`, '');
  for (const m of lint.added ?? []) out.push(`- ${m.rule} at ${m.file}:${m.line}: ${m.message}`, '', ...fence(m.hunk), '');
  const moved = [...(lint.copiedIntoSiblings ?? []), ...(lint.renamedToSiblings ?? [])];
  if (lint.style?.length) out.push(`Not counted: ${lint.style.length} \`return await\` outside a \`try\` (return-await's style half):`, '', ...lint.style.map((m) => `- ${m.file}:${m.line}`), '');
  if (moved.length) out.push(`Not counted: ${moved.length} diagnostics the code had before, copied into a dual sibling or renamed with one:`, '', ...moved.map((m) => `- ${m.rule} at ${m.file}:${m.line}: ${m.message}`), '');
  out.push(`## Tests: ${tests.ran ? `${tests.newlyFailing.length} newly failing, ${tests.vanished.length} vanished (${JSON.stringify(tests.counts)})` : `not run (${tests.reason ?? tests.error})`}`, '');
  if (tests.error) out.push(`(runner: ${tests.error})`, '');
  for (const t of tests.newlyFailing ?? []) out.push(`- ${t.name}`, '', '```', (t.message ?? '').split('\n').slice(0, 15).join('\n'), '```', '');
  if (tests.vanished?.length) out.push('Vanished (passed before, not reported after):', '', ...tests.vanished.slice(0, 50).map((n) => `- ${n}`), '');
  if (tests.flaky?.length) out.push('Failed once after the migration but not on the re-run (flaky, not counted):', '', ...tests.flaky.map((n) => `- ${n}`), '');
  out.push(`## Second run: ${row.secondRunFilesChangedOnDisk} files changed (migrate-again.diff)`, '');
  return `${out.join('\n')}\n`;
}

function runRepo(repo, gitDir, variants, context) {
  const work = path.join(context.workRoot, repo.name);
  const repoOutDir = path.join(context.outRoot, repo.name);
  fs.mkdirSync(repoOutDir, { recursive: true });
  const { commit, install } = prepareWorkTree(repo, gitDir, work, { ...context, repoOutDir });
  const outDir = repoOutDir;
  context = { ...context, repoOutDir, tscFlags: new Map(), staticBefore: new Map() };
  const before = compileErrors(repo, work, { ...context, outDir }, 'before');
  context.typeChecked = repo.language === 'ts' ? typeCheckedFiles(work, repo.typecheck, context.tscFlags, context.timeoutSeconds) : new Set();
  const tscFlags = Object.fromEntries([...context.tscFlags].filter(([, flags]) => flags.length));
  process.stdout.write(`\n${repo.name} @ ${commit.slice(0, 10)}: ${before.errors.length} ${repo.language === 'ts' ? 'tsc' : 'py_compile'} errors before migrating (${before.seconds.toFixed(1)} s)\n`);
  context.lintable = new Set(context.typeChecked);
  if (repo.language === 'ts' && context.oracles.has('lint') && oracles.eslintAvailable()) {
    const eslintDir = path.join(context.outRoot, '.eslint', repo.name);
    const configs = (repo.lint ?? repo.typecheck).filter((c) => fs.existsSync(path.join(work, c))).map((c) => path.join(work, c));
    if (repo.lintInclude) {
      // A JavaScript project for the typed rules only: allowJs, no checkJs, outside the work tree.
      const jsConfig = path.join(eslintDir, 'tsconfig.js.json');
      fs.mkdirSync(eslintDir, { recursive: true });
      const compilerOptions = { allowJs: true, checkJs: false, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true, types: ['node'], typeRoots: [path.join(work, 'node_modules', '@types')] };
      fs.writeFileSync(jsConfig, `${JSON.stringify({ compilerOptions, include: repo.lintInclude.map((g) => path.join(work, g)) }, null, 2)}\n`);
      const listed = spawnSync(process.execPath, [TSC_BIN, '--listFilesOnly', '-p', jsConfig], { cwd: work, encoding: 'utf8', maxBuffer: 1 << 28 });
      for (const line of (listed.stdout ?? '').split('\n')) if (line.startsWith(work) && !line.includes('/node_modules/')) context.lintable.add(path.relative(work, line.trim()));
      configs.push(jsConfig);
    }
    context.eslintConfig = oracles.writeEslintConfig(eslintDir, work, configs);
  }
  if (repo.test && context.oracles.has('tests')) {
    const t = oracles.runTests(repo, work, outDir, 'before', context.testTimeoutSeconds);
    fs.writeFileSync(path.join(outDir, 'tests-before.json'), `${JSON.stringify(Object.fromEntries(t.tests), null, 2)}\n`);
    before.tests = { ...t, ran: t.ran && t.tests.size > 0, error: t.error ?? (t.tests.size ? undefined : 'no tests reported') };
    process.stdout.write(`  tests before: ${JSON.stringify(oracles.testCounts(t.tests))} in ${t.seconds.toFixed(0)} s${before.tests.error ? ` (${before.tests.error.slice(0, 300)})` : ''}\n`);
    resetTo(work, 'base');
  }
  const rows = [];
  for (const variant of variants) {
    const row = {
      ...runVariant(repo, work, variant, before, context),
      commit,
      install: install.skipped ? undefined : { lockfile: install.lockfile, ok: install.ok },
      testsBefore: before.tests ? oracles.testCounts(before.tests.tests) : undefined,
      errorsBefore: before.errors.length,
      tscFlags,
    };
    rows.push(row);
    process.stdout.write(`  ${variant}: ${JSON.stringify(row)}\n`);
    fs.writeFileSync(path.join(context.outRoot, 'results.partial.json'), `${JSON.stringify(context.results.concat(rows), null, 2)}\n`);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Reporting

const cell = (value) => (value === undefined || value === null ? '?' : String(value));

/** `check: exit 2: X`, `migrate: exit 2: X` -> `check, migrate: exit 2: X` (the table stays readable). */
function crashCell(crashes) {
  const stepsByWhat = new Map();
  for (const crash of crashes) {
    const at = crash.indexOf(': ');
    const what = crash.slice(at + 2);
    stepsByWhat.set(what, [...(stepsByWhat.get(what) ?? []), crash.slice(0, at)]);
  }
  return [...stepsByWhat].map(([what, steps]) => `${steps.join(', ')}: ${what}`).join('; ');
}

function markdownTable(rows) {
  const header = ['repo', 'variant', 'files', 'findings', 'made async', 'files changed', 'skipped', 'crash?', 'new errors', 'tests before (pass/fail)', 'tests after', 'newly failing tests', 'new promise-rule / pyright', '2nd-run changes', 'unsafe not applied (safe)', 'seconds (check / migrate)'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const crash = r.crashes.length ? crashCell(r.crashes).replaceAll('|', '\\|') : 'no';
    const tests = r.tests?.ran ? `${r.tests.newlyFailing.length}${r.tests.vanished ? ` (+${r.tests.vanished} vanished)` : ''}` : `- (${(r.tests?.reason ?? r.tests?.error ?? 'not run').slice(0, 60)})`;
    const after = r.tests?.ran && r.tests.counts ? `${r.tests.counts.passed}/${r.tests.counts.failed}` : '-';
    const lint = r.lint?.ran ? `${r.lint.added}${r.lint.added ? ` (${Object.entries(r.lint.byRule).map(([k, v]) => `${k.replace('@typescript-eslint/', '')} ${v}`).join(', ')})` : ''}${r.lint.style ? `; ${r.lint.style} style (\`return await\` outside \`try\`)` : ''}${r.lint.notLinted ? `; ${r.lint.notLinted} files not linted` : ''}` : `- (${(r.lint?.reason ?? r.lint?.error ?? 'not run').slice(0, 60)})`;
    const before = r.testsBefore ? `${r.testsBefore.passed}/${r.testsBefore.failed}` : '-';
    const fixes = r.fixes ?? fixesFromReport(r);
    lines.push(
      `| ${[r.repo, r.variant, cell(r.files), cell(r.findings), cell(r.functionsMadeAsync), cell(r.filesChangedOnDisk), cell(r.skipped), crash, `${r.newErrors} (of ${r.errorsBefore} before)${r.errorsCopiedToSiblings ? `; ${r.errorsCopiedToSiblings} copied into siblings` : ''}${r.uncheckedChangedFiles?.length ? `; ${r.uncheckedChangedFiles.length} changed files unchecked` : ''}`, before, after, tests, lint, cell(r.secondRunFilesChangedOnDisk), fixes ? `${fixes.unsafe} (${fixes.safe})` : '?', `${r.checkSeconds.toFixed(0)} / ${r.migrateSeconds.toFixed(0)}`].join(' | ')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The fix counts of a row written before rows carried them: from the migrate report it kept. */
function fixesFromReport(row) {
  try {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, row.outDir, 'migrate.stdout'), 'utf8')).summary?.fixes;
  } catch {
    return undefined;
  }
}

/** `--repo` may repeat, which parseFlags does not keep: take those out first. */
function splitRepoFlags(argv) {
  const rest = [];
  const repoSpecs = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repo' && i + 1 < argv.length) repoSpecs.push(argv[++i]);
    else if (argv[i].startsWith('--repo=')) repoSpecs.push(argv[i].slice('--repo='.length));
    else rest.push(argv[i]);
  }
  return { rest, repoSpecs };
}

function resolveRepos(flags, repoSpecs) {
  const mirrors = flags.mirrors ?? process.env.REAL_REPOS_MIRRORS;
  const explicit = new Map(
    repoSpecs.map((spec) => {
      const at = spec.indexOf('=');
      if (at < 0) throw new Error(`--repo takes name=<git-dir>, got ${spec}`);
      return [spec.slice(0, at), spec.slice(at + 1)];
    }),
  );
  const only = flags.only ? new Set(String(flags.only).split(',')) : undefined;
  const found = [];
  const missing = [];
  for (const repo of CATALOG) {
    if (only && !only.has(repo.name)) continue;
    const candidates = [explicit.get(repo.name), mirrors && path.join(mirrors, repo.github.replace('/', '+'), 'repo')].filter(Boolean);
    const gitDir = candidates.find((dir) => fs.existsSync(dir));
    if (gitDir) found.push({ repo, gitDir: path.resolve(gitDir) });
    else missing.push(repo.name);
  }
  return { found, missing };
}

/** --deps / REAL_REPOS_DEPS, else .bench/real-repos-deps when it exists: packages linked into TS work trees. */
function resolveDepsDir(flags) {
  const given = flags.deps ?? process.env.REAL_REPOS_DEPS;
  if (given) return path.resolve(given);
  const fallback = path.join(REPO_ROOT, '.bench', 'real-repos-deps');
  return fs.existsSync(fallback) ? fallback : undefined;
}

function main() {
  const { rest, repoSpecs } = splitRepoFlags(process.argv.slice(2));
  const flags = parseFlags(rest);
  if (flags.recount) return recount(path.resolve(flags.out ?? path.join(REPO_ROOT, '.bench', 'real-repos')));
  if (flags.tool) TOOL_ROOT = path.resolve(flags.tool);
  if (!fs.existsSync(path.join(TOOL_ROOT, 'dist', 'src', 'cli.js'))) {
    process.stderr.write(`async-migrate CLI not built (${path.join(TOOL_ROOT, 'dist', 'src', 'cli.js')} missing): run npm run build\n`);
    return 2;
  }
  const variants = String(flags.variants ?? Object.keys(VARIANTS).join(',')).split(',');
  const unknown = variants.filter((v) => !(v in VARIANTS));
  if (unknown.length) {
    process.stderr.write(`unknown variant(s) ${unknown.join(', ')}; known: ${Object.keys(VARIANTS).join(', ')}\n`);
    return 2;
  }
  const { found, missing } = resolveRepos(flags, repoSpecs);
  if (missing.length) process.stdout.write(`not found (skipped): ${missing.join(', ')} — give --mirrors <dir> or --repo name=<git-dir>\n`);
  if (found.length === 0) return 2;
  const outRoot = path.resolve(flags.out ?? path.join(REPO_ROOT, '.bench', 'real-repos'));
  const context = {
    outRoot,
    workRoot: path.join(outRoot, 'work'),
    timeoutSeconds: Number(flags.timeout ?? 600),
    testTimeoutSeconds: Number(flags['test-timeout'] ?? 300),
    rerun: !flags['no-rerun'],
    depsDir: resolveDepsDir(flags),
    install: flags.install !== 'false' && !flags['no-install'],
    oracles: new Set(String(flags.oracles ?? 'lint,tests').split(',')),
    results: [],
  };
  if (flags['prepare-only']) return prepareOnly(found, context, flags['prepare-only']);
  const toolCommit = flags['tool-commit'] ?? spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: TOOL_ROOT, encoding: 'utf8' }).stdout.trim();
  process.stdout.write(`async-migrate @ ${toolCommit}, ${new Date().toISOString()}; variants: ${variants.join(', ')}; output in ${path.relative(REPO_ROOT, outRoot)}\n`);
  // One repository at a time: the runs are CPU-heavy and the timings should not fight each other.
  for (const { repo, gitDir } of found) {
    try {
      context.results.push(...runRepo(repo, gitDir, variants, context));
    } catch (error) {
      // A harness failure on one repository (an unreadable mirror) must not lose the others' results.
      process.stdout.write(`\n${repo.name}: harness error, skipped: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  // --append: keep the rows of an earlier run in the same --out for the repositories and variants not run now.
  let rows = context.results;
  const previous = path.join(outRoot, 'results.json');
  if (flags.append && fs.existsSync(previous)) {
    const ran = new Set(rows.map((r) => `${r.repo}\u0000${r.variant}`));
    rows = [...JSON.parse(fs.readFileSync(previous, 'utf8')).filter((r) => !ran.has(`${r.repo}\u0000${r.variant}`)), ...rows];
  }
  return writeSummary(outRoot, rows, `Measured ${new Date().toISOString().slice(0, 10)} on async-migrate ${toolCommit}.`);
}

/**
 * --prepare-only DIR: only the base work trees of the TS/JS repositories, as a run would start from
 * (catalog commit, dependencies installed, @types/node linked), for bench/run.mjs --real-repos DIR.
 * A repository whose install fails is removed again and named, so DIR holds only usable checkouts.
 */
function prepareOnly(found, context, dir) {
  if (typeof dir !== 'string') {
    process.stderr.write('--prepare-only needs a directory\n');
    return 2;
  }
  const root = path.resolve(dir);
  const failed = [];
  for (const { repo, gitDir } of found.filter((f) => f.repo.language === 'ts')) {
    const work = path.join(root, repo.name);
    const repoOutDir = path.join(context.outRoot, repo.name);
    fs.mkdirSync(repoOutDir, { recursive: true });
    process.stdout.write(`\n${repo.name}: preparing ${work}\n`);
    try {
      const { commit, install } = prepareWorkTree(repo, gitDir, work, { ...context, repoOutDir });
      if (!install.skipped && !install.ok) throw new Error(`install failed: ${install.error}`);
      process.stdout.write(`${repo.name} @ ${commit.slice(0, 10)}: ready\n`);
    } catch (error) {
      fs.rmSync(work, { recursive: true, force: true });
      failed.push(repo.name);
      process.stdout.write(`${repo.name}: skipped: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  process.stdout.write(`\nprepared in ${root}; ${failed.length ? `skipped: ${failed.join(', ')}` : 'none skipped'}\n`);
  return failed.length ? 1 : 0;
}

/** Writes results.json and table.md, prints the table; exit code 1 when any row shows a problem. */
function writeSummary(outRoot, rows, heading) {
  const table = markdownTable(rows);
  fs.writeFileSync(path.join(outRoot, 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);
  fs.writeFileSync(path.join(outRoot, 'table.md'), `${heading}\n\n${table}`);
  process.stdout.write(`\n${table}`);
  return rows.some((r) => r.crashes.length || r.newErrors || r.secondRunFilesChangedOnDisk || r.tests?.newlyFailing?.length || r.tests?.vanished || r.lint?.added) ? 1 : 0;
}

/**
 * --recount: recomputes the new errors of a finished run from the compiler output it kept (after a
 * change to how errors are counted), without running anything again.
 */
function recount(outRoot) {
  const rows = JSON.parse(fs.readFileSync(path.join(outRoot, 'results.json'), 'utf8'));
  const read = (dir, pattern) =>
    fs
      .readdirSync(dir)
      .filter((name) => pattern.test(name))
      .flatMap((name) => {
        const text = fs.readFileSync(path.join(dir, name), 'utf8');
        return name.startsWith('tsc-') ? parseTscOutput(text) : text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
      });
  for (const row of rows) {
    const variantDir = path.join(REPO_ROOT, row.outDir);
    const before = read(path.dirname(variantDir), /^(tsc|py_compile)-before.*\.stdout$/);
    const after = read(variantDir, /^(tsc|py_compile)-after.*\.stdout$/);
    const kept = JSON.parse(fs.readFileSync(path.join(variantDir, 'new-errors.json'), 'utf8')).filter((e) => e.code === 'node --check');
    const hunks = oracles.parseDiffHunks(fs.existsSync(path.join(variantDir, 'migrate.diff')) ? fs.readFileSync(path.join(variantDir, 'migrate.diff'), 'utf8') : '');
    const asMessage = (e) => ({ ...e, rule: e.code, message: e.headline ?? e.message });
    const compiled = oracles.splitCopied(before.map(asMessage), newErrors(before, after).map(asMessage), after.map(asMessage), hunks);
    const added = [...compiled.caused, ...kept].map((e) => ({ ...e, hunk: oracles.hunkFor(hunks, e.file, e.line) }));
    fs.writeFileSync(path.join(variantDir, 'new-errors.json'), `${JSON.stringify(added, null, 2)}\n`);
    Object.assign(row, { newErrors: added.length, errorsCopiedToSiblings: compiled.copied.length + compiled.renamed.length, newErrorSample: added.slice(0, 5).map(({ hunk, ...e }) => e) });
  }
  const tablePath = path.join(outRoot, 'table.md');
  const heading = fs.existsSync(tablePath) ? fs.readFileSync(tablePath, 'utf8').split('\n')[0] : `Recounted ${new Date().toISOString().slice(0, 10)}.`;
  return writeSummary(outRoot, rows, heading);
}

process.exitCode = main();
