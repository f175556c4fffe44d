// Reading (docs/safety.md, "Reading"): what the tool reads is what the user means, and reading never
// makes anything run. Each test builds a small project in the OS temp folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uncommittedFiles } from '../src/write.js';
import { runCli } from './support/cli.js';
import { REPO } from './support/files.js';
import { commitAll, expectUsageError, git, IO_MIGRATED, IO_SOURCE, jsonReport, makeProject, read, removeProjects, TSCONFIG } from './support/project.js';

afterEach(removeProjects);

describe('the config root is found by stat, not by how the path is spelt', () => {
  it('a folder named `my.project` has its config read: its excluded files stay unrewritten', async () => {
    const dir = makeProject({
      'my.project/tsconfig.json': '{ "compilerOptions": { "strict": true, "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "types": ["node"], "skipLibCheck": true, "noEmit": true } }\n',
      'my.project/src/io.ts': IO_SOURCE,
      'my.project/legacy/io.ts': IO_SOURCE,
      'my.project/async-migrate.config.json': JSON.stringify({ exclude: ['legacy/**'] }),
    });
    const result = await runCli(['migrate', 'my.project', '--format', 'json', '--allow-dirty'], dir);
    expect({ code: result.code, stderr: result.stderr, changed: jsonReport(result).changes.map((change) => change.file) }).toEqual({ code: 0, stderr: '', changed: ['src/io.ts'] });
    expect({ src: read(dir, 'my.project/src/io.ts'), legacy: read(dir, 'my.project/legacy/io.ts') }).toEqual({ src: IO_MIGRATED, legacy: IO_SOURCE });
  });
});

describe('--since reads a hunk by its line counts', () => {
  it('an added line starting `++ ` does not hide the later hunks of its file', async () => {
    const dir = makeProject({ 'app.py': 'import time\n\nn = 1\n\n\nasync def main():\n    pass\n' });
    commitAll(dir);
    // Line 4 (`++ n`, shown `+++ n` in the diff) is added before the new blocking call on line 9.
    writeFileSync(path.join(dir, 'app.py'), 'import time\n\nn = 1\n++ n\n\n\nasync def main():\n    pass\n    time.sleep(1)\n');
    const result = await runCli(['check', '.', '--since', 'HEAD', '--format', 'json'], dir);
    expect({ code: result.code, stderr: result.stderr, lines: jsonReport(result).findings.map((finding) => `${finding.file}:${finding.line} ${finding.rule}`) }).toEqual({
      code: 1,
      stderr: '',
      lines: ['app.py:9 blocking-sleep'],
    });
  });
});

describe('include globs stay inside the root', () => {
  it.each([
    ['../lib/**', /include\[0\]: "\.\.\/lib\/\*\*" leaves the root \(`\.\.`\); include globs must stay inside it$/],
    ['src/../../lib/*.ts', /include\[0\]: "src\/\.\.\/\.\.\/lib\/\*\.ts" leaves the root/],
    ['{src,..}/**', /include\[0\]: "\{src,\.\.\}\/\*\*" leaves the root/],
    ['/etc/**', /include\[0\]: "\/etc\/\*\*" is an absolute path; include globs are relative to the root, inside it$/],
    ['{src,/tmp}/**', /include\[0\]: "\{src,\/tmp\}\/\*\*" is an absolute path/],
  ])('%s is refused in the config, one line, exit 2', async (glob, message) => {
    const dir = makeProject({ 'app/src/io.ts': IO_SOURCE, 'lib/io.ts': IO_SOURCE, 'app/async-migrate.config.json': JSON.stringify({ include: [glob] }) });
    expectUsageError(await runCli(['check', 'app'], dir), message);
  });

  it('globs inside the root are read as before', async () => {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/a..b/x.ts': 'export const x = 1;\n', 'async-migrate.config.json': JSON.stringify({ include: ['src/**', './src/a..b/*.ts'] }) });
    const result = await runCli(['check', '.', '--format', 'json'], dir);
    expect({ code: result.code, files: jsonReport(result).summary.files }).toEqual({ code: 1, files: 2 });
  });
});

describe('Python files that do not compile under Python 3 are skipped, never rewritten', () => {
  const STORE = 'import time\n\n\ndef fetch():\n    time.sleep(1)\n    return 1\n\n\nasync def main():\n    fetch()\n';
  // tree-sitter parses both without an error node; Python 3 rejects them.
  const PY2 = 'from store import fetch\n\n\ndef use():\n    print "value", fetch()\n';
  const TABS = 'from store import fetch\n\n\ndef use():\n    if True:\n\tvalue = fetch()\n        return value\n';

  it('a Python 2 print statement and a TabError: skipped with the compiler\'s reason, bytes unchanged', async () => {
    const dir = makeProject({ 'store.py': STORE, 'py2.py': PY2, 'tabs.py': TABS });
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    const report = jsonReport(result);
    expect({ code: result.code, stderr: result.stderr, skipped: report.skipped.map(({ file, reason }) => ({ file, reason: reason.replace(/Python 3\.\d+\.\d+/, 'Python 3.x') })) }).toEqual({
      code: 1,
      stderr: 'async-migrate: incomplete: 2 files skipped or left unchanged: py2.py (may call fetch), tabs.py (may call fetch); each reason is under "skipped" in the report\n',
      skipped: [
        {
          file: 'py2.py',
          reason: expect.stringMatching(/^does not compile under Python 3\.x \(SyntaxError: Missing parentheses in call to 'print'.* at py2\.py:5:5\); the file is skipped; it may call fetch, which turns async: its call sites are not updated$/),
        },
        {
          file: 'tabs.py',
          reason: expect.stringMatching(/^does not compile under Python 3\.x \(TabError: inconsistent use of tabs and spaces in indentation at tabs\.py:6:1\); the file is skipped; it may call fetch/),
        },
      ],
    });
    expect({ py2: read(dir, 'py2.py'), tabs: read(dir, 'tabs.py') }).toEqual({ py2: PY2, tabs: TABS });
    expect(read(dir, 'store.py')).toContain('async def fetch():');
  });

  it('without python3 the grammar alone checks the files, and a warning says so', async () => {
    const dir = makeProject({ 'store.py': STORE, 'tabs.py': TABS });
    const savedPath = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-such-bin');
    try {
      const result = await runCli(['check', '.', '--format', 'json'], dir);
      expect(result.stderr).toBe(
        'async-migrate: warning: python3 is not installed; Python files are checked with the tree-sitter grammar only, which accepts some files Python 3 rejects (a Python 2 print statement, mixed tabs and spaces)\n',
      );
      expect(jsonReport(result).skipped ?? []).toEqual([]);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe("git runs nothing the repository configures (migrate's dirty check, check --since)", () => {
  /** A committed project, a script outside it that leaves a marker when run, and the marker's path. */
  function plantedRepository(): { dir: string; script: string; marker: string } {
    const dir = makeProject({ 'src/io.ts': IO_SOURCE });
    commitAll(dir);
    const tools = makeProject({});
    const marker = path.join(tools, 'ran');
    const script = path.join(tools, 'evil.sh');
    // Passes its input through (a filter) or prints its file (textconv), after leaving the marker.
    writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\nif [ -n "$1" ] && [ -f "$1" ]; then cat "$1"; else cat; fi\n`, { mode: 0o755 });
    return { dir, script, marker };
  }

  /** Commits .gitattributes, then changes the file's stat so that git reads (and would filter) its content. */
  function withAttributes(dir: string, attributes: string): void {
    writeFileSync(path.join(dir, '.gitattributes'), attributes);
    git(dir, 'add', '.gitattributes');
    git(dir, 'commit', '-q', '-m', 'attributes');
  }

  async function expectNothingRan(dir: string, marker: string): Promise<void> {
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(dir, 'src/io.ts'), later, later);
    const check = await runCli(['check', '.', '--since', 'HEAD', '--format', 'json'], dir);
    expect({ code: check.code, stderr: check.stderr, marker: existsSync(marker) }).toEqual({ code: 0, stderr: '', marker: false });
    const migrate = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect({ code: migrate.code, stderr: migrate.stderr, marker: existsSync(marker) }).toEqual({ code: 0, stderr: '', marker: false });
    expect(read(dir, 'src/io.ts')).toBe(IO_MIGRATED);
  }

  it('a clean filter (filter.<x>.clean, required) picked by .gitattributes', async () => {
    const { dir, script, marker } = plantedRepository();
    withAttributes(dir, '*.ts filter=evil\n');
    git(dir, 'config', 'filter.evil.clean', script);
    git(dir, 'config', 'filter.evil.smudge', script);
    git(dir, 'config', 'filter.evil.required', 'true');
    await expectNothingRan(dir, marker);
  });

  it('a long-running filter process (filter.<x>.process), its driver named with a dot and `=`', async () => {
    const { dir, script, marker } = plantedRepository();
    withAttributes(dir, '*.ts filter=a.b=c\n');
    git(dir, 'config', 'filter.a.b=c.process', script);
    await expectNothingRan(dir, marker);
  });

  it('a filter defined in a config file the repository includes', async () => {
    const { dir, script, marker } = plantedRepository();
    withAttributes(dir, '*.ts filter=evil\n');
    writeFileSync(path.join(dir, '.git', 'extra.config'), `[filter "evil"]\n\tclean = ${script}\n`);
    git(dir, 'config', 'include.path', 'extra.config');
    await expectNothingRan(dir, marker);
  });

  it('a post-index-change hook (in .git/hooks or core.hooksPath), which `status` runs when it refreshes the index', async () => {
    const { dir, script, marker } = plantedRepository();
    writeFileSync(path.join(dir, '.git', 'hooks', 'post-index-change'), `#!/bin/sh\n'${script}' < /dev/null\n`, { mode: 0o755 });
    await expectNothingRan(dir, marker);
    const second = plantedRepository();
    const hooks = path.join(path.dirname(second.script), 'hooks');
    mkdirSync(hooks);
    writeFileSync(path.join(hooks, 'post-index-change'), `#!/bin/sh\n'${second.script}' < /dev/null\n`, { mode: 0o755 });
    git(second.dir, 'config', 'core.hooksPath', hooks);
    await expectNothingRan(second.dir, second.marker);
  });

  it('textconv and external diff drivers (diff.<x>.textconv, diff.<x>.command, diff.external)', async () => {
    const { dir, script, marker } = plantedRepository();
    withAttributes(dir, '*.ts diff=evil\n');
    git(dir, 'config', 'diff.evil.textconv', script);
    git(dir, 'config', 'diff.evil.command', script);
    git(dir, 'config', 'diff.external', script);
    await expectNothingRan(dir, marker);
  });

  it("a submodule's own filter, which `status` would run in the submodule under the submodule's config", async () => {
    const { dir, script, marker } = plantedRepository();
    const library = makeProject({ 'notes.txt': 'notes\n', '.gitattributes': '*.txt filter=evil\n' });
    commitAll(library);
    git(dir, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', library, 'vendor/notes');
    git(dir, 'commit', '-q', '-m', 'submodule');
    const submodule = path.join(dir, 'vendor/notes');
    git(submodule, 'config', 'filter.evil.clean', script);
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(submodule, 'notes.txt'), later, later);
    await expectNothingRan(dir, marker);
    // The submodule is still asked: a change in it is uncommitted work.
    writeFileSync(path.join(submodule, 'notes.txt'), 'edited\n');
    expect(await uncommittedFiles(dir, [dir])).toEqual(['src/io.ts', 'vendor/notes/notes.txt']);
    expect(existsSync(marker)).toBe(false);
  });

  it("a partial clone's lazy fetch (remote.<x>.uploadpack) of an object `diff` needs: an error line, never a fetch", async () => {
    const { script, marker } = plantedRepository();
    const source = makeProject({ 'src/io.ts': IO_SOURCE, 'notes.txt': 'notes\n' });
    commitAll(source);
    git(source, 'config', 'uploadpack.allowFilter', 'true');
    const clone = path.join(makeProject({}), 'clone');
    git(path.dirname(clone), 'clone', '-q', '--no-checkout', '--filter=blob:none', `file://${source}`, clone);
    // Only the project is checked out: notes.txt is deleted in the work tree and its blob never fetched.
    git(clone, 'checkout', '-q', 'HEAD', '--', 'src', 'tsconfig.json', 'package.json', '.gitignore');
    symlinkSync(path.join(source, 'node_modules'), path.join(clone, 'node_modules'));
    git(clone, 'config', 'remote.origin.uploadpack', `${script} git-upload-pack`);
    const check = await runCli(['check', '.', '--since', 'HEAD', '--format', 'json'], clone);
    expectUsageError(check, /^async-migrate: cannot list the lines changed since "HEAD" \(git: could not fetch [0-9a-f]+ from promisor remote\)$/);
    expect(existsSync(marker)).toBe(false);
  });

  it('a pager (core.pager, pager.status, pager.diff)', async () => {
    const { dir, script, marker } = plantedRepository();
    for (const key of ['core.pager', 'pager.status', 'pager.diff', 'pager.ls-files', 'pager.config']) git(dir, 'config', key, script);
    await expectNothingRan(dir, marker);
  });
});

describe('a symlinked folder inside the root: callers importing through the link are awaited too', () => {
  const IO = "import { readFileSync } from 'node:fs';\n\nexport function load(file: string): string {\n  return readFileSync(file, 'utf8');\n}\n";
  const THROUGH_LINK = "import { load } from './linked/io.js';\n\nexport async function main(): Promise<number> {\n  const text: string = load('x.json');\n  return text.length;\n}\n";
  const DIRECT = "import { load } from '../lib/io.js';\n\nexport async function other(): Promise<number> {\n  const text: string = load('y.json');\n  return text.length;\n}\n";

  it('TypeScript: both names reach one module; the migrated project type-checks', async () => {
    const dir = makeProject({
      'tsconfig.json': TSCONFIG.replace('"include": [\n    "src"\n  ]', '"include": [\n    "src",\n    "lib"\n  ]'),
      'lib/io.ts': IO,
      'src/main.ts': THROUGH_LINK,
      'src/direct.ts': DIRECT,
    });
    symlinkSync('../lib', path.join(dir, 'src/linked'));
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    const report = jsonReport(result);
    expect({ code: result.code, stderr: result.stderr, awaited: report.awaitedCalls.map((call) => call.file).sort() }).toEqual({ code: 0, stderr: '', awaited: ['src/direct.ts', 'src/main.ts'] });
    expect(read(dir, 'src/main.ts')).toBe(THROUGH_LINK.replace("load('x.json')", "await load('x.json')"));
    expect(() => execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' })).not.toThrow();
  });

  it('Python: an import through the link reaches the module where it lies', async () => {
    const dir = makeProject({
      'lib/io.py': 'import time\n\n\ndef fetch():\n    time.sleep(1)\n    return 1\n',
      'app.py': 'from linked.io import fetch\n\n\nasync def main():\n    return fetch() + 1\n',
      'direct.py': 'from lib.io import fetch\n\n\nasync def other():\n    return fetch()\n',
    });
    symlinkSync('lib', path.join(dir, 'linked'));
    const result = await runCli(['migrate', '.', '--format', 'json', '--allow-dirty'], dir);
    const report = jsonReport(result);
    expect({ code: result.code, stderr: result.stderr, awaited: report.awaitedCalls.map((call) => call.file).sort() }).toEqual({ code: 0, stderr: '', awaited: ['app.py', 'direct.py'] });
    expect(read(dir, 'app.py')).toBe('from linked.io import fetch\n\n\nasync def main():\n    return await fetch() + 1\n');
  });
});

describe('a skipped file whose calls went stale is reported on every run, not only the first', () => {
  const STORE = 'import time\n\n\ndef fetch():\n    time.sleep(1)\n    return 1\n\n\nasync def main():\n    fetch()\n';
  // A syntax error keeps the file out of the analysis; its calls of fetch are never updated.
  const BROKEN = 'from store import fetch\n\n\nasync def use(:\n    value = fetch()\n    return value\n\n\nasync def fine():\n    return await fetch()\n';

  it('Python: the second run still names fetch in mayCall and exits 1', async () => {
    const dir = makeProject({ 'store.py': STORE, 'broken.py': BROKEN });
    const first = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect({ code: first.code, skipped: jsonReport(first).skipped }).toEqual({
      code: 1,
      skipped: [{ file: 'broken.py', reason: 'syntax error at broken.py:4:15; it may call fetch, which turns async: its call sites are not updated', mayCall: ['fetch'] }],
    });
    for (const command of ['migrate', 'check']) {
      const again = await runCli([command, '.', '--format', 'json'], dir);
      expect({ command, code: again.code, changes: jsonReport(again).changes, skipped: jsonReport(again).skipped }).toEqual({
        command,
        code: 1,
        changes: [],
        skipped: [{ file: 'broken.py', reason: 'syntax error at broken.py:4:15; it may call fetch, which is async, without await: its call sites are not updated', mayCall: ['fetch'] }],
      });
    }
  });

  it('TypeScript: the same; a call the file awaits, returns or passes on is not stale', async () => {
    const broken = "import { load } from './io.js';\n\nexport async function report(): Promise<void> {\n  const prev = load('y.json');\n  console.log(prev;\n}\n";
    const fine = "import { load } from './io.js';\n\nexport async function ok(): Promise<string> {\n  await load('a');\n  void Promise.all([load('b'), load('c')]);\n  return load('d');\n}\nexport const x = (;\n";
    const dir = makeProject({ 'src/io.ts': IO_SOURCE, 'src/broken.ts': broken, 'src/fine.ts': fine });
    const first = await runCli(['migrate', '.', '--format', 'json'], dir);
    expect({ code: first.code, mayCall: jsonReport(first).skipped.map((entry) => [entry.file, entry.mayCall]) }).toEqual({ code: 1, mayCall: [['src/broken.ts', ['load']], ['src/fine.ts', ['load']]] });
    const again = await runCli(['check', '.', '--format', 'json'], dir);
    expect({ code: again.code, mayCall: jsonReport(again).skipped.map((entry) => [entry.file, entry.mayCall]) }).toEqual({ code: 1, mayCall: [['src/broken.ts', ['load']], ['src/fine.ts', undefined]] });
  });
});
