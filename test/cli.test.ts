// CLI behaviour: exit codes, one-line usage errors, skipped files, check thresholds, and what
// migrate writes (or refuses to write). Each test builds a small project in the OS temp folder.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './support/cli.js';
import { buildProject } from './support/compile.js';
import { REPO } from './support/files.js';
import {
  CLEAN_SOURCE,
  commitAll,
  expectUsageError,
  git,
  IO_MIGRATED,
  IO_SOURCE,
  jsonReport,
  makeProject,
  read,
  readBytes,
  removeProjects,
  TSCONFIG,
} from './support/project.js';

afterEach(removeProjects);

const DRY_RUN_HEADER = 'dry run: nothing written; run `async-migrate migrate .` to apply';

const IO_DIFF = `--- a/src/io.ts
+++ b/src/io.ts
@@ -1,9 +1,9 @@
-import { readFileSync } from 'node:fs';
+import { readFile } from 'node:fs/promises';
 
-export function load(file: string): string {
-  return readFileSync(file, 'utf8');
+export async function load(file: string): Promise<string> {
+  return await readFile(file, 'utf8');
 }
 
 export async function main(): Promise<void> {
-  console.log(load('x.json'));
+  console.log(await load('x.json'));
 }
`;

describe('bad input: one line on stderr, exit 2', () => {
  it('a path that does not exist', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', 'no/such/dir'], dir);
    expectUsageError(result, /^async-migrate: path does not exist: .*no\/such\/dir$/);
  });

  it('-p to a tsconfig that does not exist', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '-p', 'missing/tsconfig.json'], dir);
    expectUsageError(result, `async-migrate: tsconfig not found: ${path.join(dir, 'missing/tsconfig.json')}`);
  });

  it('-p to a tsconfig that is not valid JSON', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'broken.json': '{ "compilerOptions": { \n' });
    const result = await runCli(['check', '.', '-p', 'broken.json'], dir);
    expectUsageError(result, `async-migrate: cannot read ${path.join(dir, 'broken.json')}: '}' expected.`);
  });

  it('the nearest tsconfig.json, found without -p, is not valid JSON', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'tsconfig.json': '{ "compilerOptions": { "strict": tru } }\n' });
    const result = await runCli(['check', 'src'], dir);
    expectUsageError(result, new RegExp(`^async-migrate: cannot read ${escape(path.join(dir, 'tsconfig.json'))}: `));
  });

  it('a tsconfig with an invalid option value', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'bad.json': '{ "compilerOptions": { "target": "ES2099" } }\n' });
    const result = await runCli(['check', '.', '-p', 'bad.json'], dir);
    expectUsageError(result, new RegExp(`^async-migrate: invalid ${escape(path.join(dir, 'bad.json'))}: Argument for '--target' option must be: `));
  });

  it('a tsconfig with an unknown option', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'bad.json': '{ "compilerOptions": { "strictt": true } }\n' });
    const result = await runCli(['check', '.', '-p', 'bad.json'], dir);
    expectUsageError(result, `async-migrate: invalid ${path.join(dir, 'bad.json')}: Unknown compiler option 'strictt'. Did you mean 'strict'?`);
  });

  it('an unknown rule id suggests the closest', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--rules', 'blocking-io,blocking-slep'], dir);
    expectUsageError(result, 'async-migrate: unknown rule "blocking-slep"; did you mean "blocking-sleep"?');
  });

  it('an unknown rule id with nothing close lists the rules', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--rules', 'foo'], dir);
    expectUsageError(result, 'async-migrate: unknown rule "foo"; rules are blocking-sleep, blocking-io, await-non-thenable, floating-promise');
  });

  it('an unknown --format', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--format', 'xml'], dir);
    expectUsageError(result, "async-migrate: option '--format <format>' argument 'xml' is invalid. Allowed choices are pretty, json, markdown, sarif, github, gitlab, junit.");
  });

  it('an unknown option', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--bogus'], dir);
    expectUsageError(result, "async-migrate: unknown option '--bogus'");
  });

  it('an unknown --fail-on severity', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--fail-on', 'fatal'], dir);
    expectUsageError(result, "async-migrate: option '--fail-on <severity>' argument 'fatal' is invalid. Allowed choices are error, warning, info.");
  });

  it('--make-async with an unknown function names the closest matches', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--make-async', 'lod'], dir);
    expectUsageError(result, 'async-migrate: --make-async: no function matches "lod"; did you mean "load"?');
  });

  it('--make-async with an unknown method names the closest methods', async () => {
    const dir = makeProject({
      'src/repo.ts': `export class UserRepository {\n  findName(id: number): string {\n    return String(id);\n  }\n}\n`,
    });
    const result = await runCli(['check', '.', '--make-async', 'UserRepository.findNme'], dir);
    expectUsageError(result, 'async-migrate: --make-async: no function matches "UserRepository.findNme"; did you mean "UserRepository.findName"?');
  });

  it('--make-async: a bad target among good ones is still an error, and nothing is written', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['migrate', '.', '--make-async', 'main,lod', '--allow-dirty'], dir);
    expectUsageError(result, 'async-migrate: --make-async: no function matches "lod"; did you mean "load"?');
    expect(read(dir, 'src/io.ts')).toBe(IO_SOURCE);
  });

  it('a --config file that does not exist', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--config', 'nope.json'], dir);
    expectUsageError(result, `async-migrate: config ${path.join(dir, 'nope.json')}: file not found`);
  });

  it('a config file that is not valid JSON', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'async-migrate.config.json': '{ "rules": \n' });
    const result = await runCli(['check', '.'], dir);
    expectUsageError(result, `async-migrate: config ${path.join(dir, 'async-migrate.config.json')}: not valid JSON: Unexpected end of JSON input`);
  });

  // STYLE.md: "a bad config value raises a UsageError"; src/config.ts: "a wrong key or value is one
  // clear line naming it".
  it.each([
    ['an unknown strategy', { strategy: 'sideways' }, 'strategy: must be one of "inplace", "dual", got string "sideways"'],
    ['an unknown severity for a rule', { rules: { 'blocking-io': 'fatal' } }, 'rules.blocking-io: must be one of "error", "warning", "info", "off", got string "fatal"'],
    [
      'an unknown rule id',
      { rules: { 'blocking-slep': 'off' } },
      'rules.blocking-slep: unknown rule id; known: blocking-sleep, blocking-io, await-non-thenable, floating-promise (did you mean "blocking-sleep"?)',
    ],
    ['an unknown key', { rulez: {} }, 'rulez: unknown key (did you mean "rules"?)'],
    ['an unknown scope', { scope: 'everything' }, 'scope: must be one of "reachable", "all", got string "everything"'],
  ])('a config file with %s', async (_what, config, message) => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'async-migrate.config.json': JSON.stringify(config) });
    const result = await runCli(['check', '.', '--format', 'json'], dir);
    expectUsageError(result, `async-migrate: config ${path.join(dir, 'async-migrate.config.json')}: ${message}`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a file that does not parse', () => {
  const BROKEN = 'export function broken( {\n  return 1;\n';

  it('check lists it in `skipped` and reports the other files', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/broken.ts': BROKEN, 'src/clean.ts': CLEAN_SOURCE });
    const result = await runCli(['check', '.', '--format', 'json'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = jsonReport(result);
    expect(report.skipped).toEqual([{ file: 'src/broken.ts', reason: "syntax error at line 2: ':' expected." }]);
    expect(report.findings).toEqual([
      {
        rule: 'blocking-io',
        severity: 'warning',
        file: 'src/io.ts',
        line: 4,
        column: 10,
        message: '`readFileSync` blocks the event loop; use `await readFile(…)` from node:fs/promises',
        fixable: true,
        applicability: 'safe',
      },
    ]);
    expect(report.summary).toEqual({
      files: 3,
      findings: 1,
      byRule: { 'blocking-io': 1 },
      functionsMadeAsync: 1,
      callSitesAwaited: 1,
      blocked: 0,
      breaking: 1,
      filesChanged: 1,
      fixes: { safe: 1, unsafe: 0, unsafeApplied: false },
    });
  });

  it('check exits 0 when the other files are clean', async () => {
    const dir = makeProject({ 'src/broken.ts': BROKEN, 'src/clean.ts': CLEAN_SOURCE });
    const result = await runCli(['check', '.', '--format', 'json'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(jsonReport(result).skipped).toEqual([{ file: 'src/broken.ts', reason: "syntax error at line 2: ':' expected." }]);
  });

  it('migrate migrates the other files and leaves it untouched', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/broken.ts': BROKEN });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const report = jsonReport(result);
    expect(report.skipped).toEqual([{ file: 'src/broken.ts', reason: "syntax error at line 2: ':' expected." }]);
    expect(report.changes).toEqual([{ file: 'src/io.ts', edits: 7 }]);
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
    expect(read(dir, 'src/broken.ts')).toBe(BROKEN);
  });
});

describe('a tsconfig that extends a package not installed', () => {
  // Before `npm install`: tsc reports TS6053 and checks with the rest of the config; so does the tool.
  it('check warns once on stderr and goes on with the config minus the missing base', async () => {
    const tsconfig = JSON.parse(TSCONFIG) as { compilerOptions: Record<string, unknown> };
    const config = { extends: '@tsconfig/not-installed/tsconfig.json', compilerOptions: tsconfig.compilerOptions, include: ['src'] };
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'tsconfig.json': JSON.stringify(config) });
    const result = await runCli(['check', '.', '--format', 'json'], dir);
    expect(result.stderr).toBe(
      `async-migrate: warning: ${path.join(dir, 'tsconfig.json')}: File '@tsconfig/not-installed/tsconfig.json' not found. Going on with the rest of the config.\n`,
    );
    expect(result.code).toBe(1);
    expect(jsonReport(result).findings.map((finding) => `${finding.file}:${finding.line} ${finding.rule}`)).toEqual(['src/io.ts:4 blocking-io']);
  });
});

describe('--help and --version', () => {
  it('--help exits 0 and lists every option of CLI.md', async () => {
    const dir = makeProject({});
    const result = await runCli(['--help'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: async-migrate \[check\|migrate\] \[paths\.\.\.\] \[options\]\n/);
    const options = [
      '-p, --project <tsconfig>',
      '--oracle <oracle>',
      '--rules <ids>',
      '--scope <scope>',
      '--make-async <targets>',
      '--strategy <strategy>',
      '--format <format>',
      '-o, --output <file>',
      '--fail-on <severity>',
      '--config <file>',
      '--allow-dirty',
      '--unsafe-fixes',
      '--dry-run',
      '--language <language>',
      '--quiet',
      '--no-progress',
      '--no-color',
      '-v, --version',
      '-h, --help',
    ];
    const missing = options.filter((option) => !new RegExp(`^\\s+${escape(option)}\\s`, 'm').test(result.stdout));
    expect(missing).toEqual([]);
    // The choices CLI.md documents are shown too.
    for (const choice of ['"reachable", "all"', '"inplace", "dual"', '"pretty", "json", "markdown", "sarif", "github"', '"error", "warning", "info"']) {
      expect(result.stdout.replace(/\s+/g, ' ')).toContain(choice);
    }
  });

  it('--help after a command exits 0 too', async () => {
    const dir = makeProject({});
    const result = await runCli(['check', '--help'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--fail-on <severity>');
  });

  it('--version prints the package version', async () => {
    const dir = makeProject({});
    const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const output = ({ code, stdout, stderr }: CliResult): Omit<CliResult, 'stdoutBytes'> => ({ code, stdout, stderr });
    expect(output(await runCli(['--version'], dir))).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(output(await runCli(['-v'], dir))).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('check: exit code and --fail-on', () => {
  /** `Atomics.wait` with a timeout in an async function: one `blocking-sleep` error. */
  const SLEEP_SOURCE = `export async function tick(): Promise<void> {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
}
`;

  it.each([
    ['a warning, default threshold (warning)', IO_SOURCE, [], 1],
    ['a warning, --fail-on warning', IO_SOURCE, ['--fail-on', 'warning'], 1],
    ['a warning, --fail-on info', IO_SOURCE, ['--fail-on', 'info'], 1],
    ['a warning, --fail-on error', IO_SOURCE, ['--fail-on', 'error'], 0],
    ['an error, --fail-on error', SLEEP_SOURCE, ['--fail-on', 'error'], 1],
    ['an error, default threshold', SLEEP_SOURCE, [], 1],
    ['no findings', CLEAN_SOURCE, [], 0],
    ['no findings, --fail-on info', CLEAN_SOURCE, ['--fail-on', 'info'], 0],
  ] as const)('%s', async (_what, source, args, code) => {
    const dir = makeProject({ 'src/main.ts': source });
    const result = await runCli(['check', '.', '--format', 'json', ...args], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: '' });
    const severities = jsonReport(result).findings.map((finding) => `${finding.rule}:${finding.severity}`);
    expect(severities).toEqual(source === IO_SOURCE ? ['blocking-io:warning'] : source === SLEEP_SOURCE ? ['blocking-sleep:error'] : []);
  });

  it('check writes nothing', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    await runCli(['check', '.'], dir);
    expect(read(dir, 'src/io.ts')).toBe(IO_SOURCE);
  });

  it('-o writes the same report to a file', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['check', '.', '--format', 'json', '-o', 'report.json'], dir);
    expect(result.code).toBe(1);
    expect(read(dir, 'report.json')).toBe(result.stdout);
  });
});

describe('which code is looked at', () => {
  const UNREACHED = `import { readFileSync } from 'node:fs';

export function load(file: string): string {
  return readFileSync(file, 'utf8');
}
`;

  it('--scope reachable (default) ignores a blocking call no async code reaches; --scope all reports it', async () => {
    const dir = makeProject({ 'src/io.ts': UNREACHED });
    const reachable = await runCli(['check', '.', '--format', 'json'], dir);
    expect({ code: reachable.code, findings: jsonReport(reachable).findings }).toEqual({ code: 0, findings: [] });
    const all = await runCli(['check', '.', '--format', 'json', '--scope', 'all'], dir);
    expect(all.code).toBe(1);
    expect(jsonReport(all).findings.map((f) => [f.file, f.line, f.rule])).toEqual([['src/io.ts', 4, 'blocking-io']]);
  });

  it('a directory is searched honouring .gitignore', async () => {
    const dir = makeProject({ 'src/io.ts': UNREACHED, 'src/gen/copy.ts': UNREACHED, '.gitignore': 'src/gen/\n' });
    const result = await runCli(['check', '.', '--format', 'json', '--scope', 'all'], dir);
    const report = jsonReport(result);
    expect({ files: report.summary.files, findings: report.findings.map((f) => f.file) }).toEqual({ files: 1, findings: ['src/io.ts'] });
  });

  it('paths in the report are relative to the root, which is relative to the working directory', async () => {
    const dir = makeProject({ 'app/src/io.ts': UNREACHED, 'app/tsconfig.json': TSCONFIG });
    const result = await runCli(['check', 'app', '--format', 'json', '--scope', 'all'], dir);
    const report = jsonReport(result);
    expect({ root: report.root, files: report.findings.map((f) => f.file) }).toEqual({ root: 'app', files: ['src/io.ts'] });
  });

  it('check --make-async is an impact analysis: the plan is reported, nothing is written', async () => {
    const source = `export function compute(): number {
  return 1;
}

export function caller(): number {
  return compute() + 1;
}
`;
    const dir = makeProject({ 'src/calc.ts': source });
    const result = await runCli(['check', '.', '--format', 'json', '--make-async', 'compute'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const report = jsonReport(result);
    expect({ asyncFunctions: report.asyncFunctions, awaitedCalls: report.awaitedCalls, changes: report.changes }).toEqual({
      asyncFunctions: [
        { name: 'compute', file: 'src/calc.ts', line: 1, because: ['--make-async compute'] },
        { name: 'caller', file: 'src/calc.ts', line: 5, because: ['compute', '--make-async compute'] },
      ],
      awaitedCalls: [{ file: 'src/calc.ts', line: 6, callee: 'compute' }],
      changes: [{ file: 'src/calc.ts', edits: 5 }],
    });
    expect(read(dir, 'src/calc.ts')).toBe(source);
  });
});

describe('--make-async targets', () => {
  const STORE = `export interface Store {
  save(value: string): void;
}

export class FileStore implements Store {
  save(value: string): void {
    console.log(value);
  }

  load(): string {
    return 'x';
  }
}

export function persist(store: Store): void {
  store.save('x');
}
`;

  it.each([
    ['fn', 'persist', ['persist']],
    ['Interface.member (the whole family and its callers)', 'Store.save', ['Store.save', 'FileStore.save', 'persist']],
    ['Class.* (every method, with their families)', 'FileStore.*', ['Store.save', 'FileStore.save', 'FileStore.load', 'persist']],
    ['path/file.ts:line (the function at or around that line)', 'src/store.ts:16', ['persist']],
    ['file.ts:line (a path suffix)', 'store.ts:10', ['FileStore.load']],
  ])('%s', async (_form, target, names) => {
    const dir = makeProject({ 'src/store.ts': STORE });
    const result = await runCli(['check', '.', '--format', 'json', '--make-async', target], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const report = jsonReport(result);
    expect(report.asyncFunctions.map((fn) => fn.name)).toEqual(names);
    expect(report.asyncFunctions.every((fn) => fn.because[fn.because.length - 1] === `--make-async ${target}`)).toBe(true);
  });
});

describe('languages', () => {
  it('a Python file is analysed or listed in `skipped`, never silently dropped', async () => {
    const dir = makeProject({ 'app.py': 'import time\n\n\nasync def main():\n    time.sleep(1)\n' });
    const result = await runCli(['check', 'app.py', '--format', 'json'], dir);
    const report = jsonReport(result);
    const accounted = [...report.findings.map((finding) => finding.file), ...(report.skipped ?? []).map((entry) => entry.file)];
    expect(accounted).toContain('app.py');
  });
});

describe('migrate', () => {
  it('refuses to write into a git work tree with uncommitted changes to a file it would change', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    const edited = `${IO_SOURCE}// work in progress\n`;
    writeFileSync(path.join(dir, 'src/io.ts'), edited);
    const result = await runCli(['migrate', '.'], dir);
    expectUsageError(
      result,
      'async-migrate: refusing to write into a git work tree with uncommitted changes (src/io.ts); commit or stash them, or pass --allow-dirty',
    );
    expect(read(dir, 'src/io.ts')).toBe(edited);
  });

  it('refuses to write into a git work tree with uncommitted changes elsewhere in the tree (CLI.md)', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/other.ts': CLEAN_SOURCE });
    commitAll(dir);
    writeFileSync(path.join(dir, 'src/other.ts'), `${CLEAN_SOURCE}// work in progress\n`);
    const result = await runCli(['migrate', '.'], dir);
    expectUsageError(result, /^async-migrate: refusing to write into a git work tree with uncommitted changes \(src\/other\.ts\)/);
    expect(read(dir, 'src/io.ts')).toBe(IO_SOURCE);
  });

  it('writes into a dirty work tree with --allow-dirty', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    writeFileSync(path.join(dir, 'src/io.ts'), `${IO_SOURCE}// work in progress\n`);
    const result = await runCli(['migrate', '.', '--allow-dirty', '--format', 'json'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(read(dir, 'src/io.ts')).toBe(`${IO_MIGRATED}// work in progress\n`);
  });

  it('writes into a clean work tree without --allow-dirty', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    const result = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
    expect(git(dir, 'status', '--porcelain')).toBe(' M src/io.ts\n');
  });

  it('--dry-run writes nothing and prints a unified diff before the report', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['migrate', '.', '--dry-run'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout.startsWith(`${DRY_RUN_HEADER}\n\n${IO_DIFF}\n`)).toBe(true);
    // The summary is wrapped to 80 columns, continuation lines indented.
    expect(result.stdout.replace(/\n {2}/g, ' ')).toContain('1 files, 1 findings (blocking-io 1); a migration would make 1 functions async, await 1 call sites, change 1 files; 0 blocked, 1 breaking');
    expect(read(dir, 'src/io.ts')).toBe(IO_SOURCE);
  });

  it('--dry-run in a dirty work tree is allowed (it writes nothing)', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    writeFileSync(path.join(dir, 'src/io.ts'), IO_SOURCE.replace('x.json', 'y.json'));
    const result = await runCli(['migrate', '.', '--dry-run'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("+  console.log(await load('y.json'));\n");
    expect(read(dir, 'src/io.ts')).toBe(IO_SOURCE.replace('x.json', 'y.json'));
  });

  it('--dry-run --format json keeps stdout a JSON report and writes nothing', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['migrate', '.', '--dry-run', '--format', 'json'], dir);
    expect(result.code).toBe(0);
    const report = jsonReport(result);
    expect({ command: report.command, changes: report.changes }).toEqual({ command: 'migrate', changes: [{ file: 'src/io.ts', edits: 7 }] });
    expect(read(dir, 'src/io.ts')).toBe(IO_SOURCE);
  });

  it('with no command is a dry run: the diff, the report, nothing written', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const result = await runCli(['.'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout.startsWith(`${DRY_RUN_HEADER}\n\n${IO_DIFF}\n`)).toBe(true);
    expect(read(dir, 'src/io.ts')).toBe(IO_SOURCE);
  });

  it('keeps CRLF line endings, the BOM, non-ASCII text and the file mode', async () => {
    const crlf = (text: string): string => text.replace(/\n/g, '\r\n');
    const source = `\uFEFF${crlf(IO_SOURCE.replace("'utf8');", "'utf8'); // café 日本語 😀"))}`;
    const dir = makeProject({ 'src/io.ts': Buffer.from(source, 'utf8') });
    chmodSync(path.join(dir, 'src/io.ts'), 0o755);
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const expected = `\uFEFF${crlf(IO_MIGRATED.replace("'utf8');", "'utf8'); // café 日本語 😀"))}`;
    expect(readBytes(dir, 'src/io.ts').toString('utf8')).toBe(expected);
    expect(readBytes(dir, 'src/io.ts').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(statSync(path.join(dir, 'src/io.ts')).mode & 0o777).toBe(0o755);
  });

  it('adds an import on a new line with the file\'s CRLF line endings', async () => {
    const crlf = (text: string): string => text.replace(/\n/g, '\r\n');
    // \`other\` keeps using readFileSync (no async code reaches it), so the import is added, not replaced.
    const source = IO_SOURCE.replace(
      'export async function',
      "export function other(file: string): string {\n  return readFileSync(file, 'utf8');\n}\n\nexport async function",
    );
    const dir = makeProject({ 'src/io.ts': crlf(source) });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(read(dir, 'src/io.ts')).toBe(
      crlf(`import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export async function load(file: string): Promise<string> {
  return await readFile(file, 'utf8');
}

export function other(file: string): string {
  return readFileSync(file, 'utf8');
}

export async function main(): Promise<void> {
  console.log(await load('x.json'));
}
`),
    );
  });

  it('puts an import a fix needs at the top of the file, not inside the async sibling of its first function', async () => {
    const source = `export function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
}

export async function tick(): Promise<void> {
  pause();
}
`;
    const dir = makeProject({ 'src/pause.ts': source });
    const result = await runCli(['migrate', '.', '--format', 'json', '--strategy', 'dual', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(read(dir, 'src/pause.ts')).toBe(`import { setTimeout as sleep } from "node:timers/promises";

export function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
}

export async function pauseAsync(): Promise<void> {
  await sleep(50);
}

export async function tick(): Promise<void> {
  await pauseAsync();
}
`);
  });

  it('gives code that still type-checks when a commented first function gets an async twin', async () => {
    const source = `#!/usr/bin/env node
// Tool entry.
function wait(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
}

function main(): void {
  wait();
  console.log('done');
}

main();
`;
    const dir = makeProject({ 'src/cli.ts': source });
    expect(buildProject(dir, false).errors).toEqual([]);
    const result = await runCli(['migrate', '.', '--format', 'json', '--scope', 'all', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const migrated = read(dir, 'src/cli.ts');
    expect(migrated).toContain('\nasync function main(): Promise<void> {\n');
    expect(migrated).not.toContain('async import');
    expect(buildProject(dir, false).errors).toEqual([]);
  });

  it('leaves no temporary files behind', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    await runCli(['migrate', '.', '--format', 'json'], dir);
    expect(execFileSync('ls', ['-A', path.join(dir, 'src')], { encoding: 'utf8' })).toBe('io.ts\n');
  });

  it('a second migrate changes nothing', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/clean.ts': CLEAN_SOURCE });
    const first = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect(jsonReport(first).changes).toEqual([{ file: 'src/io.ts', edits: 7 }]);
    const second = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: '' });
    const report = jsonReport(second);
    expect({ findings: report.findings, asyncFunctions: report.asyncFunctions, awaitedCalls: report.awaitedCalls, changes: report.changes }).toEqual({
      findings: [],
      asyncFunctions: [],
      awaitedCalls: [],
      changes: [],
    });
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
    expect(read(dir, 'src/clean.ts')).toBe(CLEAN_SOURCE);
  });

  it('a second migrate with --scope all does not add a second async twin', async () => {
    const source = `export function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
}

export async function tick(): Promise<void> {
  pause();
}
`;
    const dir = makeProject({ 'src/pause.ts': source });
    const first = await runCli(['migrate', '.', '--format', 'json', '--scope', 'all'], dir);
    expect(first.code).toBe(0);
    const once = read(dir, 'src/pause.ts');
    expect(once.match(/function pauseAsync\(/g)).toHaveLength(1);
    const second = await runCli(['migrate', '.', '--format', 'json', '--scope', 'all'], dir);
    expect({ code: second.code, changes: jsonReport(second).changes }).toEqual({ code: 0, changes: [] });
    expect(read(dir, 'src/pause.ts')).toBe(once);
  });

  it('a second migrate --strategy dual --scope all does not add a second async sibling', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    const first = await runCli(['migrate', '.', '--format', 'json', '--strategy', 'dual', '--scope', 'all'], dir);
    expect(first.code).toBe(0);
    const once = read(dir, 'src/io.ts');
    expect(once.match(/function loadAsync\(/g)).toHaveLength(1);
    const second = await runCli(['migrate', '.', '--format', 'json', '--strategy', 'dual', '--scope', 'all'], dir);
    expect({ code: second.code, changes: jsonReport(second).changes }).toEqual({ code: 0, changes: [] });
    expect(read(dir, 'src/io.ts')).toBe(once);
  });

  it('migrate on a file path changes only that file', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/other.ts': IO_SOURCE.replace('load', 'fetchIt').replace("load('x.json')", "fetchIt('x.json')") });
    const other = read(dir, 'src/other.ts');
    const result = await runCli(['migrate', 'src/io.ts', '--format', 'json'], dir);
    expect(result.code).toBe(0);
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
    expect(read(dir, 'src/other.ts')).toBe(other);
  });
});

describe('a reader that closes early', () => {
  it('`check … | head`: the rest of the output is dropped, no stack trace, the exit code stays the run’s', async () => {
    // Enough findings that the JSON report is far larger than a pipe's buffer.
    const lines = Array.from({ length: 3000 }, (_, i) => `  readFileSync('f${i}.json', 'utf8');`).join('\n');
    const dir = makeProject({ 'src/io.ts': `import { readFileSync } from 'node:fs';\n\nexport async function main(): Promise<void> {\n${lines}\n}\n` });
    const child = spawn(process.execPath, [path.join(REPO, 'bin', 'async-migrate.js'), 'check', '.', '--format', 'json', '--no-color'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Like `head -c`: take the first chunk, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
  });
});

describe('fix applicability: migrate applies safe fixes, --unsafe-fixes the rest', () => {
  // A promise dropped before the migration (unsafe to await) beside a blocking read (safe to fix).
  const MIXED_SOURCE = `import { readFileSync } from 'node:fs';

async function audit(line: string): Promise<void> {
  console.log(line);
}

export async function load(file: string): Promise<string> {
  audit(file);
  return readFileSync(file, 'utf8');
}
`;
  const SAFE_ONLY = `import { readFile } from 'node:fs/promises';

async function audit(line: string): Promise<void> {
  console.log(line);
}

export async function load(file: string): Promise<string> {
  audit(file);
  return await readFile(file, 'utf8');
}
`;
  const BOTH = SAFE_ONLY.replace('  audit(file);', '  await audit(file);');

  it('migrate writes the safe fix only, reports the unsafe one with its suggestions, and says how to apply it', async () => {
    const dir = makeProject({ 'src/io.ts': MIXED_SOURCE });
    const result = await runCli(['migrate', '.', '--allow-dirty', '--no-color'], dir);
    expect(result.code).toBe(0);
    expect(read(dir, 'src/io.ts')).toBe(SAFE_ONLY);
    expect(result.stdout).toContain('(unsafe fix)');
    expect(result.stdout).toContain('suggestions: await audit(file) | void audit(file)');
    expect(result.stdout).toContain('1 unsafe fix not applied; run with `--unsafe-fixes` to apply it');
  });

  it('the JSON report gives each finding its applicability and the summary counts them', async () => {
    const dir = makeProject({ 'src/io.ts': MIXED_SOURCE });
    const report = jsonReport(await runCli(['check', '.', '--format', 'json'], dir));
    expect(report.findings.map(({ rule, line, fixable, applicability, suggestions }) => ({ rule, line, fixable, applicability, suggestions }))).toEqual([
      { rule: 'floating-promise', line: 8, fixable: true, applicability: 'unsafe', suggestions: ['await audit(file)', 'void audit(file)'] },
      { rule: 'blocking-io', line: 9, fixable: true, applicability: 'safe', suggestions: undefined },
    ]);
    expect(report.summary.fixes).toEqual({ safe: 1, unsafe: 1, unsafeApplied: false });
  });

  it('--unsafe-fixes applies both, and so does the config key', async () => {
    const flagged = makeProject({ 'src/io.ts': MIXED_SOURCE });
    const result = await runCli(['migrate', '.', '--allow-dirty', '--unsafe-fixes', '--format', 'json'], flagged);
    expect(result.code).toBe(0);
    expect(read(flagged, 'src/io.ts')).toBe(BOTH);
    expect(jsonReport(result).summary.fixes).toEqual({ safe: 1, unsafe: 1, unsafeApplied: true });
    const configured = makeProject({ 'src/io.ts': MIXED_SOURCE, 'async-migrate.config.json': '{ "unsafeFixes": true }\n' });
    expect((await runCli(['migrate', '.', '--allow-dirty'], configured)).code).toBe(0);
    expect(read(configured, 'src/io.ts')).toBe(BOTH);
  });

  it('a bad unsafeFixes value in the config is one error line', async () => {
    const dir = makeProject({ 'src/io.ts': MIXED_SOURCE, 'async-migrate.config.json': '{ "unsafeFixes": "yes" }\n' });
    expectUsageError(await runCli(['check', '.'], dir), /^async-migrate: config .*: unsafeFixes: must be true or false, got string "yes"$/);
  });

  it('check --fail-on counts a finding whose only fix is unsafe', async () => {
    const dir = makeProject({ 'src/io.ts': SAFE_ONLY });
    const result = await runCli(['check', '.', '--format', 'json', '--fail-on', 'error'], dir);
    expect(result.code).toBe(1);
    expect(jsonReport(result).findings.map((finding) => finding.applicability)).toEqual(['unsafe']);
  });
});
