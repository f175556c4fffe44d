import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig, parseConfig } from '../src/config.js';
import { UsageError } from '../src/errors.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'async-migrate-config-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The UsageError message for a config, or a failure when it is accepted. */
function errorFor(value: unknown): string {
  try {
    parseConfig(value, 'async-migrate.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(value)}`);
}

describe('config', () => {
  it('gives the defaults when the root has no config file', async () => {
    const loaded = await loadConfig(join(root, 'nowhere'));
    expect(loaded).toEqual({ config: DEFAULT_CONFIG });
    loaded.config.include.push('mutated');
    expect(DEFAULT_CONFIG.include).toEqual([]);
  });

  it('reads async-migrate.config.json at the root and fills in defaults', async () => {
    const file = join(root, 'async-migrate.config.json');
    await writeFile(
      file,
      JSON.stringify({
        $schema: './schema.json',
        include: ['src/**'],
        rules: { 'floating-promise': 'off', 'blocking-io': 'error' },
        strategy: 'dual',
        blocking: [{ call: 'db.querySync', asyncEquivalent: 'db.query' }, { call: 'vectorstore.Client.query', language: 'python' }],
        entryPoints: ['main'],
      }),
    );
    const { config, path } = await loadConfig(root);
    expect(path).toBe(file);
    expect(config).toEqual({
      ...DEFAULT_CONFIG,
      include: ['src/**'],
      rules: { 'floating-promise': 'off', 'blocking-io': 'error' },
      strategy: 'dual',
      blocking: [{ call: 'db.querySync', asyncEquivalent: 'db.query' }, { call: 'vectorstore.Client.query', language: 'python' }],
      entryPoints: ['main'],
    });
  });

  it('requires an explicit config file to exist', async () => {
    await expect(loadConfig(root, join(root, 'missing.json'))).rejects.toThrow(
      new UsageError(`config ${join(root, 'missing.json')}: file not found`),
    );
  });

  it('reports invalid JSON on one line', async () => {
    const file = join(root, 'broken.json');
    await writeFile(file, '{"scope": "all",}');
    const error = await loadConfig(root, file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(new RegExp(`^config ${file}: not valid JSON: [^\\n]+$`));
  });

  // Each bad config and the one line it produces, naming the key.
  const cases: [string, unknown, string][] = [
    ['top level not an object', [], '(top level): must be a JSON object, got an array'],
    ['unknown key with a suggestion', { makeAsnc: [] }, 'makeAsnc: unknown key (did you mean "makeAsync"?)'],
    ['unknown key', { colour: true }, 'colour: unknown key'],
    ['wrong type for a list', { include: 'src' }, 'include: must be an array of strings, got string "src"'],
    ['wrong item type in a list', { exclude: ['dist', 3] }, 'exclude[1]: must be a non-empty string, got number 3'],
    ['bad scope', { scope: 'everything' }, 'scope: must be one of "reachable", "all", got string "everything"'],
    ['bad strategy', { strategy: null }, 'strategy: must be one of "inplace", "dual", got null'],
    [
      'bad rule id',
      { rules: { 'blocking-slep': 'error' } },
      'rules.blocking-slep: unknown rule id; known: blocking-sleep, blocking-io, await-non-thenable, floating-promise (did you mean "blocking-sleep"?)',
    ],
    [
      'bad severity',
      { rules: { 'blocking-io': 'fatal' } },
      'rules.blocking-io: must be one of "error", "warning", "info", "off", got string "fatal"',
    ],
    ['rules not an object', { rules: ['blocking-io'] }, 'rules: must be an object of rule id to severity, got an array'],
    ['blocking entry missing call', { blocking: [{ asyncEquivalent: 'db.query' }] }, 'blocking[0].call: is required'],
    ['blocking entry unknown key', { blocking: [{ call: 'a.b', async: 'a.c' }] }, 'blocking[0].async: unknown key'],
    [
      'blocking entry bad language',
      { blocking: [{ call: 'a.b' }, { call: 'c.d', language: 'rust' }] },
      'blocking[1].language: must be one of "typescript", "python", got string "rust"',
    ],
    ['blocking entry not an object', { blocking: ['db.querySync'] }, 'blocking[0]: must be an object like {"call": "db.querySync"}, got string "db.querySync"'],
    ['empty entry point', { entryPoints: [''] }, 'entryPoints[0]: must be a non-empty string, got string ""'],
    ['$schema not a string', { $schema: 1 }, '$schema: must be a string, got number 1'],
  ];
  it.each(cases)('%s: one line naming the key', (_name, value, expected) => {
    const message = errorFor(value);
    expect(message).toBe(`config async-migrate.config.json: ${expected}`);
    expect(message).not.toContain('\n');
  });
});
