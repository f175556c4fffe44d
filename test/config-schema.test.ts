// schemas/async-migrate.config.schema.json is what editors check the config against, so it must say
// what the validator in src/config.ts says: the same keys, the same enums, the same verdicts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { BLOCKING_KEYS, CONFIG_KEYS, LANGUAGES, SCOPES, SEVERITY_VALUES, STRATEGIES, parseConfig } from '../src/config.js';
import { RULE_IDS } from '../src/model.js';
import { REPO } from './support/files.js';

interface Schema {
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  enum?: string[];
  $ref?: string;
  definitions?: Record<string, Schema>;
}

const schema = JSON.parse(readFileSync(path.join(REPO, 'schemas/async-migrate.config.schema.json'), 'utf8')) as Schema;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const properties = schema.properties ?? {};
const definition = (ref: Schema | undefined): Schema => (ref?.$ref ? (schema.definitions ?? {})[ref.$ref.replace('#/definitions/', '')] ?? {} : (ref ?? {}));

function acceptedByValidator(config: unknown): boolean {
  try {
    parseConfig(config, 'async-migrate.config.json');
    return true;
  } catch {
    return false;
  }
}

describe('the config JSON Schema and the validator agree', () => {
  it('on the keys: top level, rule ids, blocking entries', () => {
    expect(Object.keys(properties).sort()).toEqual(['$schema', ...CONFIG_KEYS].sort());
    expect(Object.keys(properties.rules?.properties ?? {}).sort()).toEqual([...RULE_IDS].sort());
    expect(Object.keys(properties.blocking?.items?.properties ?? {}).sort()).toEqual([...BLOCKING_KEYS].sort());
    expect(properties.blocking?.items?.required).toEqual(['call']);
  });

  it('on the enums', () => {
    expect(properties.scope?.enum).toEqual(SCOPES);
    expect(properties.strategy?.enum).toEqual(STRATEGIES);
    expect(properties.blocking?.items?.properties?.language?.enum).toEqual(LANGUAGES);
    for (const rule of RULE_IDS) expect(definition(properties.rules?.properties?.[rule]).enum).toEqual(SEVERITY_VALUES);
  });

  // Every key with every value of a pool of good and bad ones: both accept or both reject.
  const pool: unknown[] = [
    [], ['src/**'], [''], [' '], ['a', 3], 'src', '', true, false, 1, null, {},
    { 'blocking-io': 'error' }, { 'floating-promise': 'off' }, { 'blocking-io': 'fatal' }, { 'no-such-rule': 'off' },
    'reachable', 'all', 'inplace', 'dual', 'everything',
    [{ call: 'db.querySync' }], [{ call: '' }], [{}], [{ asyncEquivalent: 'db.query' }], ['db.querySync'],
    [{ call: 'a.b', language: 'python', asyncEquivalent: 'a.c', module: 'm' }], [{ call: 'a.b', language: 'rust' }],
    [{ call: 'a.b', async: 'a.c' }], [{ call: 'a.b', module: ' ' }],
    ['../lib/**'], ['src/../../x'], ['{src,..}/**'], ['/etc/**'], ['{src,/tmp}/**'], ['C:/x'], ['./src/a..b/*.ts'], ['..'], ['src/..'],
    ['a'.repeat(65_536)], ['a'.repeat(65_537)],
  ];
  const cases = [...CONFIG_KEYS, '$schema', 'colour'].flatMap((key) => pool.map((value) => ({ [key]: value })));
  it(`on ${cases.length} configs, every key with good and bad values`, () => {
    const disagreements = cases
      .filter((config) => validate(config) !== acceptedByValidator(config))
      .map((config) => `${JSON.stringify(config)}: schema ${validate(config) ? 'accepts' : 'rejects'}`);
    expect(disagreements).toEqual([]);
  });

  it('on the example in the README, which both accept', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const example = /## Configuration[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    const config: unknown = JSON.parse(example ?? 'null');
    expect(validate(config)).toBe(true);
    expect(acceptedByValidator(config)).toBe(true);
  });
});
