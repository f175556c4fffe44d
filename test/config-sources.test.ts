// Config where a project already keeps it: async-migrate.config.json, [tool.async-migrate] in
// pyproject.toml (kebab-case keys) and an "async-migrate" key in package.json, with one precedence
// and the same validation and one-line errors for each.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig, spellKey, PYPROJECT_SYNTAX } from '../src/config.js';
import { UsageError } from '../src/errors.js';
import { runCli } from './support/cli.js';
import { REPO } from './support/files.js';

const work = mkdtempSync(join(tmpdir(), 'am-config-sources-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let count = 0;
function freshDir(files: Record<string, string> = {}): string {
  const dir = join(work, `case-${(count += 1)}`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A camelCase config object spelt as pyproject.toml spells it (nested blocking entries too). */
function kebabCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(kebabCase);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key === 'rules' ? key : spellKey(key, PYPROJECT_SYNTAX), key === 'rules' ? inner : kebabCase(inner)]));
}
const pyproject = (settings: object, before = '[project]\nname = "app"\n\n'): string => before + stringify({ tool: { 'async-migrate': kebabCase(settings) } });
const packageJson = (settings: object): string => JSON.stringify({ name: 'app', private: true, 'async-migrate': settings }, null, 2);

const SETTINGS = {
  include: ['src/**'],
  rules: { 'blocking-io': 'error', 'floating-promise': 'off' },
  strategy: 'dual',
  makeAsync: ['Store.*'],
  blocking: [{ call: 'db.querySync', asyncEquivalent: 'db.query', language: 'typescript' }],
  entryPoints: ['main'],
  unsafeFixes: true,
} as const;
const EXPECTED = { ...DEFAULT_CONFIG, ...structuredClone(SETTINGS) };

describe('config sources', () => {
  it('pyproject.toml: [tool.async-migrate] with kebab-case keys gives the same config as the JSON file', async () => {
    const text = pyproject(SETTINGS);
    expect(text).toContain('make-async = [ "Store.*" ]');
    expect(text).toContain('async-equivalent = "db.query"');
    const dir = freshDir({ 'pyproject.toml': text });
    expect(await loadConfig(dir)).toEqual({ config: EXPECTED, path: join(dir, 'pyproject.toml') });
  });

  it('package.json: the "async-migrate" key, camelCase as in the JSON file', async () => {
    const dir = freshDir({ 'package.json': packageJson(SETTINGS) });
    expect(await loadConfig(dir)).toEqual({ config: EXPECTED, path: join(dir, 'package.json') });
  });

  it('async-migrate.config.json, with "$schema"', async () => {
    const dir = freshDir({ 'async-migrate.config.json': JSON.stringify({ $schema: './node_modules/async-migrate/schemas/async-migrate.config.schema.json', ...SETTINGS }) });
    expect(await loadConfig(dir)).toEqual({ config: EXPECTED, path: join(dir, 'async-migrate.config.json') });
  });

  it("the README's pyproject.toml example is accepted, with its keys mapped", async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const example = /## Configuration[\s\S]*?```toml\n([\s\S]*?)```/.exec(readme)?.[1];
    const dir = freshDir({ 'pyproject.toml': example ?? '' });
    const { config } = await loadConfig(dir);
    expect(config.makeAsync).toEqual(['Store.*']);
    expect(config.blocking).toEqual([{ call: 'vectorstore.Client.query', asyncEquivalent: 'vectorstore.AsyncClient.query' }]);
    expect(config.rules).toEqual({ 'blocking-io': 'error' });
  });

  it('a pyproject.toml without the table and a package.json without the key are not configs: the search goes on up', async () => {
    const parent = freshDir({ 'async-migrate.config.json': '{ "scope": "all" }' });
    const child = join(parent, 'packages/app');
    mkdirSync(child, { recursive: true });
    writeFileSync(join(child, 'pyproject.toml'), '[tool.ruff]\nline-length = 100\n');
    writeFileSync(join(child, 'package.json'), '{ "name": "app" }');
    expect(await loadConfig(child)).toEqual({ config: { ...DEFAULT_CONFIG, scope: 'all' }, path: join(parent, 'async-migrate.config.json') });
  });

  it('the nearest source at or above the root wins, and sources are never merged', async () => {
    const parent = freshDir({ 'async-migrate.config.json': '{ "scope": "all", "strategy": "dual" }' });
    const child = join(parent, 'service');
    mkdirSync(join(child, 'src'), { recursive: true });
    writeFileSync(join(child, 'pyproject.toml'), pyproject({ unsafeFixes: true }));
    expect(await loadConfig(join(child, 'src'))).toEqual({ config: { ...DEFAULT_CONFIG, unsafeFixes: true }, path: join(child, 'pyproject.toml') });
  });

  it('in one directory: the JSON file, then pyproject.toml, then package.json', async () => {
    const all = freshDir({
      'async-migrate.config.json': '{ "scope": "all" }',
      'pyproject.toml': pyproject({ strategy: 'dual' }),
      'package.json': packageJson({ unsafeFixes: true }),
    });
    expect((await loadConfig(all)).path).toBe(join(all, 'async-migrate.config.json'));
    rmSync(join(all, 'async-migrate.config.json'));
    expect(await loadConfig(all)).toEqual({ config: { ...DEFAULT_CONFIG, strategy: 'dual' }, path: join(all, 'pyproject.toml') });
    rmSync(join(all, 'pyproject.toml'));
    expect(await loadConfig(all)).toEqual({ config: { ...DEFAULT_CONFIG, unsafeFixes: true }, path: join(all, 'package.json') });
  });

  it('--config wins over every source found, and reads a pyproject.toml or package.json by its name', async () => {
    const dir = freshDir({
      'async-migrate.config.json': '{ "scope": "all" }',
      'config/pyproject.toml': pyproject({ strategy: 'dual' }),
      'config/package.json': packageJson({ unsafeFixes: true }),
      'config/other.json': '{ "entryPoints": ["main"] }',
    });
    expect((await loadConfig(dir, join(dir, 'config/pyproject.toml'))).config).toEqual({ ...DEFAULT_CONFIG, strategy: 'dual' });
    expect((await loadConfig(dir, join(dir, 'config/package.json'))).config).toEqual({ ...DEFAULT_CONFIG, unsafeFixes: true });
    expect((await loadConfig(dir, join(dir, 'config/other.json'))).config).toEqual({ ...DEFAULT_CONFIG, entryPoints: ['main'] });
  });

  it('--config naming a pyproject.toml or package.json that holds no settings is an error', async () => {
    const dir = freshDir({ 'pyproject.toml': '[tool.ruff]\n', 'package.json': '{}' });
    await expect(loadConfig(dir, join(dir, 'pyproject.toml'))).rejects.toThrow(new UsageError(`config ${join(dir, 'pyproject.toml')}: has no [tool.async-migrate] table`));
    await expect(loadConfig(dir, join(dir, 'package.json'))).rejects.toThrow(new UsageError(`config ${join(dir, 'package.json')}: has no "async-migrate" key`));
  });
});

describe('the same validation and one-line errors for every source', () => {
  /** Writes `settings` as each source in its own directory and returns each error message, with the
   * source name and key spelling put back to the JSON file's, so that the three can be compared. */
  async function errorsFor(settings: object): Promise<{ json: string; pyproject: string; packageJson: string }> {
    const message = async (dir: string): Promise<string> => {
      const error = await loadConfig(dir).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).not.toContain('\n');
      return (error as Error).message.replace(dir, '<dir>');
    };
    return {
      json: await message(freshDir({ 'async-migrate.config.json': JSON.stringify(settings) })),
      pyproject: await message(freshDir({ 'pyproject.toml': pyproject(settings) })),
      packageJson: await message(freshDir({ 'package.json': packageJson(settings) })),
    };
  }

  const cases: [string, object, string][] = [
    ['unknown key', { colour: true }, 'colour: unknown key'],
    ['bad scope', { scope: 'everything' }, 'scope: must be one of "reachable", "all", got string "everything"'],
    ['bad list item', { exclude: ['dist', 3] }, 'exclude[1]: must be a non-empty string, got number 3'],
    ['bad severity', { rules: { 'blocking-io': 'fatal' } }, 'rules.blocking-io: must be one of "error", "warning", "info", "off", got string "fatal"'],
    ['bad boolean', { unsafeFixes: 'yes' }, 'unsafeFixes: must be true or false, got string "yes"'],
    ['blocking entry missing call', { blocking: [{ asyncEquivalent: 'db.query' }] }, 'blocking[0].call: is required'],
    ['blocking entry empty equivalent', { blocking: [{ call: 'a.b', asyncEquivalent: ' ' }] }, 'blocking[0].asyncEquivalent: must be a non-empty string, got string " "'],
  ];
  it.each(cases)('%s', async (_name, settings, expected) => {
    const { json, pyproject: toml, packageJson: pkg } = await errorsFor(settings);
    expect(json).toBe(`config <dir>/async-migrate.config.json: ${expected}`);
    expect(pkg).toBe(`config <dir>/package.json "async-migrate": ${expected}`);
    // pyproject.toml names the key as it is written there.
    expect(toml).toBe(`config <dir>/pyproject.toml [tool.async-migrate]: ${expected.replace(/^[a-zA-Z]+|\.[a-zA-Z]+(?=:)/g, (key) => spellKey(key, PYPROJECT_SYNTAX))}`);
  });

  it('pyproject.toml: a camelCase key is unknown, with the kebab-case one suggested', async () => {
    const dir = freshDir({ 'pyproject.toml': '[tool.async-migrate]\nmakeAsync = ["Store.*"]\n' });
    await expect(loadConfig(dir)).rejects.toThrow(
      new UsageError(`config ${join(dir, 'pyproject.toml')} [tool.async-migrate]: makeAsync: unknown key (did you mean "make-async"?)`),
    );
  });

  it('pyproject.toml: a TOML date where a table belongs is rejected, not taken as an empty table', async () => {
    const dir = freshDir({ 'pyproject.toml': '[tool.async-migrate]\nrules = 2026-01-01\n' });
    await expect(loadConfig(dir)).rejects.toThrow(/: rules: must be an object of rule id to severity, got a date "2026-01-01"$/);
  });

  it('"$schema" belongs to the JSON file only', async () => {
    const dir = freshDir({ 'package.json': packageJson({ $schema: 'x.json' }) });
    await expect(loadConfig(dir)).rejects.toThrow(new UsageError(`config ${join(dir, 'package.json')} "async-migrate": $schema: unknown key`));
  });

  it('the settings must be a table or an object', async () => {
    const toml = freshDir({ 'pyproject.toml': '[tool]\nasync-migrate = 3\n' });
    await expect(loadConfig(toml)).rejects.toThrow(new UsageError(`config ${join(toml, 'pyproject.toml')} [tool.async-migrate]: (top level): must be a table, got number 3`));
    const pkg = freshDir({ 'package.json': '{ "async-migrate": ["src"] }' });
    await expect(loadConfig(pkg)).rejects.toThrow(new UsageError(`config ${join(pkg, 'package.json')} "async-migrate": (top level): must be a JSON object, got an array`));
  });

  it('a pyproject.toml or package.json that does not parse is one line naming the file', async () => {
    const toml = freshDir({ 'pyproject.toml': '[tool.async-migrate]\nscope = "all\n' });
    const tomlError = await loadConfig(toml).catch((caught: unknown) => caught);
    expect(tomlError).toBeInstanceOf(UsageError);
    expect((tomlError as Error).message).toMatch(new RegExp(`^config ${join(toml, 'pyproject.toml')}: not valid TOML: [^\\n]+ \\(line 2, column \\d+\\)$`));
    const pkg = freshDir({ 'package.json': '{ "name": "app", }' });
    const pkgError = await loadConfig(pkg).catch((caught: unknown) => caught);
    expect(pkgError).toBeInstanceOf(UsageError);
    expect((pkgError as Error).message).toMatch(new RegExp(`^config ${join(pkg, 'package.json')}: not valid JSON: [^\\n]+$`));
  });
});

describe('a project configured only where it keeps its settings gives the report the JSON file gives', () => {
  /** The JSON report of `check .` in `dir`. */
  async function report(dir: string): Promise<unknown> {
    const result = await runCli(['check', '.', '--format', 'json', '--no-progress'], dir);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout);
  }

  it('Python: pyproject.toml', async () => {
    const dir = join(work, 'python-project');
    cpSync(join(REPO, 'fixtures/python-example'), dir, { recursive: true });
    const settings = { exclude: ['test_*.py'], rules: { 'blocking-io': 'error' }, strategy: 'dual', entryPoints: ['main'] };
    const unconfigured = await report(dir);
    writeFileSync(join(dir, 'async-migrate.config.json'), JSON.stringify(settings));
    const fromJson = await report(dir);
    expect(fromJson).not.toEqual(unconfigured);
    rmSync(join(dir, 'async-migrate.config.json'));
    writeFileSync(join(dir, 'pyproject.toml'), pyproject(settings));
    expect(await report(dir)).toEqual(fromJson);
  }, 60_000);

  it('TypeScript: package.json', async () => {
    const dir = join(work, 'ts-project');
    cpSync(join(REPO, 'fixtures/example'), dir, { recursive: true });
    const settings = { rules: { 'blocking-sleep': 'off', 'floating-promise': 'error' }, strategy: 'dual', exclude: ['src/retry.ts'] };
    const unconfigured = await report(dir);
    writeFileSync(join(dir, 'async-migrate.config.json'), JSON.stringify(settings));
    const fromJson = await report(dir);
    expect(fromJson).not.toEqual(unconfigured);
    rmSync(join(dir, 'async-migrate.config.json'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', 'async-migrate': settings }));
    expect(await report(dir)).toEqual(fromJson);
  }, 120_000);
});
