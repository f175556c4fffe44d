// Parse threads (src/frontends/python/parse-pool.ts) must give the trees the main thread gives, with
// ids in file order whichever thread parsed a file. Worker threads run the built JavaScript, so this
// loads the pool from dist/ (`npm test` builds first).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..');

type Pool = typeof import('../src/frontends/python/parse-pool.js');
type Parser = typeof import('../src/frontends/python/parser.js');

async function built(): Promise<{ pool: Pool; parser: Parser }> {
  const dist = (file: string): string => pathToFileURL(path.join(REPO, 'dist/src/frontends/python', file)).href;
  const parser = (await import(dist('parser.js'))) as Parser;
  await parser.loadPythonParser();
  return { pool: (await import(dist('parse-pool.js'))) as Pool, parser };
}

function pythonTexts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pythonTexts(full);
    return entry.name.endsWith('.py') ? [readFileSync(full, 'utf8')] : [];
  });
}

describe('parse threads', () => {
  it('give the trees the main thread gives, ids in file order', async () => {
    const { pool } = await built();
    const texts = [...pythonTexts(path.join(REPO, 'fixtures')), 'def f(:\n', ''];
    const here = await pool.parseAll(texts, 0);
    const threaded = await pool.parseAll(texts, 3);
    expect(threaded).toHaveLength(texts.length);
    let previousBase = -1;
    for (const [index, tree] of threaded.entries()) {
      const expected = here[index]!;
      if (expected instanceof Error || tree instanceof Error) throw new Error(`file ${index} did not parse`);
      for (const key of ['types', 'starts', 'ends', 'parents', 'after', 'fields', 'flags'] as const) {
        expect(Array.from(tree[key]), `${key} of file ${index}`).toEqual(Array.from(expected[key]));
      }
      expect(tree.text).toBe(texts[index]);
      expect(tree.base).toBeGreaterThan(previousBase);
      previousBase = tree.base;
    }
    expect(threaded[texts.length - 2]).not.toBeInstanceOf(Error);
    expect((threaded[texts.length - 2] as { rootNode: { hasError: boolean } }).rootNode.hasError).toBe(true);
  });

  it('are used from 64 files, one per core (at most 4), and ASYNC_MIGRATE_PARSE_THREADS sets how many', async () => {
    const { pool } = await built();
    expect(pool.parseThreadCount(10, {})).toBe(0);
    expect(pool.parseThreadCount(1000, {})).toBeGreaterThanOrEqual(1);
    expect(pool.parseThreadCount(1000, {})).toBeLessThanOrEqual(4);
    expect(pool.parseThreadCount(10, { ASYNC_MIGRATE_PARSE_THREADS: '2' })).toBe(2);
    expect(pool.parseThreadCount(1000, { ASYNC_MIGRATE_PARSE_THREADS: '0' })).toBe(0);
    expect(() => pool.parseThreadCount(1000, { ASYNC_MIGRATE_PARSE_THREADS: 'many' })).toThrow(/ASYNC_MIGRATE_PARSE_THREADS must be a whole number/);
  });
});
