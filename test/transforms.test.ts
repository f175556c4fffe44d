// Every rule is one file under transforms/, named by its id, with its docs and at least one fixture.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../src/model.js';
import { TRANSFORMS } from '../transforms/index.js';
import { REPO } from './support/files.js';

describe('transforms', () => {
  it('lists exactly the rule ids of the contract, one file each', () => {
    expect(TRANSFORMS.map((t) => t.id)).toEqual([...RULE_IDS]);
    const files = readdirSync(path.join(REPO, 'transforms')).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    expect(files.sort()).toEqual(RULE_IDS.map((id) => `${id}.ts`).sort());
  });

  it.each(TRANSFORMS.map((t) => [t.id, t]))('%s has docs, messages and fixture cases', (id, transform) => {
    for (const heading of ['what', 'why', 'useInstead', 'fixSafety', 'applicability', 'doesNotFlag'] as const) {
      expect(transform.docs[heading].length, `${id} docs.${heading}`).toBeGreaterThan(10);
    }
    expect(Object.keys(transform.messages).length).toBeGreaterThan(0);
    expect(existsSync(path.join(REPO, 'fixtures', id)), `fixtures/${id}`).toBe(true);
  });

  it('the README rule table shows every rule with its docs and links its page: what it finds, what it does not flag, its fix and how far its fixes are safe', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    expect(readme).toContain('| id | finds | does not flag | fix | fix applicability | severity |');
    for (const transform of TRANSFORMS) {
      const link = `[\`${transform.id}\`](docs/rules/${transform.id}.md)`;
      const row = readme.split('\n').find((line) => line.startsWith(`| ${link} |`)) ?? '';
      const { what, doesNotFlag, useInstead, applicability } = transform.docs;
      expect(row, transform.id).toBe(`| ${link} | ${what} | ${doesNotFlag} | ${useInstead} | ${applicability} | ${transform.severity} |`);
      // Six columns: a cell's text holds no ` | `.
      expect(row.slice(2, -2).split(' | ')).toHaveLength(6);
    }
  });
});
