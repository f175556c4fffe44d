// The rule pages: docs/rules/ is what `npm run docs` writes from the rules' `docs`, each example
// does what its page says when the tool runs on it, and `async-migrate rule <id>` prints the page.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config.js';
import type { Report } from '../src/model.js';
import { ruleDocFiles, rulePage } from '../src/rule-docs.js';
import { REPOSITORY_URL, ruleDocsPath } from '../src/rule-links.js';
import type { RuleExample } from '../src/transform.js';
import { TRANSFORMS } from '../transforms/index.js';
import { runCli } from './support/cli.js';
import { REPO } from './support/files.js';
import { commitAll, makeProject, read, removeProjects } from './support/project.js';

afterEach(removeProjects);

describe('docs/rules', () => {
  it('holds exactly the pages `npm run docs` writes from the rules (run it after changing a rule\'s docs)', () => {
    const expected = ruleDocFiles();
    const onDisk = readdirSync(path.join(REPO, 'docs/rules')).map((name) => `docs/rules/${name}`);
    expect(onDisk.sort()).toEqual([...expected.keys()].sort());
    for (const [file, text] of expected) expect(readFileSync(path.join(REPO, file), 'utf8'), `${file}: run npm run docs`).toBe(text);
  });

  it.each(TRANSFORMS.map((t) => [t.id, t] as const))('%s: the page has every heading, filled, and all of the rule\'s docs', (_id, transform) => {
    const page = rulePage(transform);
    for (const heading of ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'Fix safety', 'Does not flag', 'Options', 'Suppressing a finding']) {
      expect(page).toContain(`\n## ${heading}\n\n`);
    }
    const { what, why, useInstead, fixSafety, applicability, doesNotFlag, examples, options } = transform.docs;
    const texts = [what, why, useInstead, fixSafety, applicability, doesNotFlag, ...options.map((o) => o.effect)];
    for (const example of [examples.typescript, examples.python]) texts.push(example.flagged, example.fixed, example.fixedBy);
    for (const text of texts) expect(page).toContain(text);
    expect(page).not.toMatch(/## .*\n\n(##|$)/);
  });

  it('names only options and config keys that exist', async () => {
    const help = (await runCli(['--help'], REPO)).stdout;
    for (const transform of TRANSFORMS) {
      for (const option of transform.docs.options) {
        if (option.flag) expect(help, `${transform.id}: ${option.flag}`).toContain(`${option.flag} `);
        if (option.key) expect(Object.keys(DEFAULT_CONFIG), `${transform.id}: ${option.key}`).toContain(option.key);
      }
    }
  });

  it('the README rule table links the pages, and package.json names the repository the reports link', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    for (const transform of TRANSFORMS) expect(readme).toContain(`| [\`${transform.id}\`](${ruleDocsPath(transform.id)}) |`);
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { homepage: string; repository: { url: string } };
    expect(pkg.repository.url).toBe(`git+${REPOSITORY_URL}.git`);
    expect(pkg.homepage).toBe(`${REPOSITORY_URL}#readme`);
  });
});

// Each example is run as the page says: `check` flags the "Example" code, the command the page names
// turns it into the "Use instead" code byte for byte (plain `migrate` only when the fix is safe), and
// the result is clean.
describe.each(TRANSFORMS.map((t) => [t.id, t] as const))('%s examples', (id, transform) => {
  const cases: [string, RuleExample, string][] = [
    ['typescript', transform.docs.examples.typescript, 'src/example.ts'],
    ['python', transform.docs.examples.python, 'example.py'],
  ];
  it.each(cases)('%s', async (_language, example, file) => {
    const dir = makeProject({ [file]: example.flagged });
    commitAll(dir);
    const rulesOf = (stdout: string): string[] => (JSON.parse(stdout) as Report).findings.map((finding) => finding.rule);
    const checked = await runCli(['check', '.', '--format', 'json'], dir);
    expect(rulesOf(checked.stdout)).toContain(id);

    const unsafe = example.fixedBy === 'migrate --unsafe-fixes';
    if (unsafe) {
      await runCli(['migrate', '.', '--quiet', '--allow-dirty'], dir);
      expect(read(dir, file), 'without --unsafe-fixes the fix is not applied').not.toBe(example.fixed);
    }
    const migrated = await runCli(['migrate', '.', '--quiet', '--allow-dirty', ...(unsafe ? ['--unsafe-fixes'] : [])], dir);
    expect(migrated.stderr).toBe('');
    expect(read(dir, file)).toBe(example.fixed);

    const after = await runCli(['check', '.', '--format', 'json'], dir);
    expect(rulesOf(after.stdout)).not.toContain(id);
  });
});

describe('async-migrate rule <id>', () => {
  it('prints the page', async () => {
    const result = await runCli(['rule', 'blocking-io'], REPO);
    const page = readFileSync(path.join(REPO, 'docs/rules/blocking-io.md'), 'utf8');
    // The same page, less the note to the repository's editors.
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: page.replace(/\n<!-- Generated by [^\n]*-->\n/, ''), stderr: '' });
    expect(result.stdout.startsWith('# blocking-io\n\n| | |\n')).toBe(true);
  });

  it('answers an unknown id with one line, exit 2 and the closest id', async () => {
    const close = await runCli(['rule', 'blocking-slep'], REPO);
    expect({ code: close.code, stdout: close.stdout, stderr: close.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'async-migrate: unknown rule "blocking-slep"; did you mean "blocking-sleep"?\n',
    });
    const far = await runCli(['rule', 'xyz'], REPO);
    expect([far.code, far.stderr]).toEqual([2, 'async-migrate: unknown rule "xyz"; rules are blocking-sleep, blocking-io, await-non-thenable, floating-promise\n']);
    const none = await runCli(['rule'], REPO);
    expect([none.code, none.stderr.split('\n').length]).toEqual([2, 2]);
  });
});
