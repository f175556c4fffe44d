// Shared by the report tests: the hand-built report they all format, and golden-file comparison.
// Run with UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { SchemaObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import { expect } from 'vitest';
import type { AsyncFunctionEntry, Report } from '../src/model.js';
import type { SarifRuleMeta } from '../src/report/sarif.js';
import { ruleDocsUrl } from '../src/rule-links.js';

// A path, not a URL: under the jsdom environment `URL` is jsdom's, which node:fs does not accept.
export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');

export function loadSampleReport(): Report {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, 'report.input.json'), 'utf8')) as Report;
}

export function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`missing golden file test/golden/${name}; run with UPDATE_GOLDEN=1`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** The rule docs as the transforms will give them (shortened). */
export const SAMPLE_RULES: SarifRuleMeta[] = [
  {
    id: 'blocking-sleep',
    what: 'Finds sleeps that park the thread in code an event loop runs.',
    why: 'Every other task on the loop waits until the sleep ends.',
    fixSafety: 'Unsafe inside a getter or constructor, which cannot turn async.',
    severity: 'error',
    helpUri: ruleDocsUrl('blocking-sleep'),
  },
  {
    id: 'blocking-io',
    what: 'Finds blocking I/O with an async equivalent in async-reachable code.',
    why: 'A synchronous read stalls every request the process is serving.',
    fixSafety: 'Safe when the call is awaited where it stood; a wrap moves work to a thread.',
    severity: 'warning',
    helpUri: ruleDocsUrl('blocking-io'),
  },
  {
    id: 'await-non-thenable',
    what: 'Finds `await` on a value that is not a promise.',
    why: 'It hides a sync call that may block, and misleads the reader.',
    fixSafety: 'Safe: either the callee turns async or the `await` goes.',
    severity: 'warning',
    helpUri: ruleDocsUrl('await-non-thenable'),
  },
  {
    id: 'floating-promise',
    what: 'Finds promises created and dropped.',
    why: 'A dropped promise loses its errors and races whatever runs next.',
    fixSafety: 'Adding `await` changes timing; the enclosing function turns async.',
    severity: 'info',
    helpUri: ruleDocsUrl('floating-promise'),
  },
];

/**
 * A report with `count` async functions spread over nested directories, each waiting on the one
 * before it in its file or on a root cause, with a few cross-file edges: the shape of a big migration.
 */
export function largeReport(count: number, filesPerDir = 5): Report {
  const base = loadSampleReport();
  const asyncFunctions: AsyncFunctionEntry[] = [];
  const perFile = 10;
  for (let index = 0; index < count; index += 1) {
    const fileIndex = Math.floor(index / perFile);
    const file = `src/area${Math.floor(fileIndex / filesPerDir)}/module${fileIndex}.ts`;
    const name = `Service${fileIndex}.step${index % perFile}`;
    const isFirstInFile = index % perFile === 0;
    const because = isFirstInFile
      ? fileIndex > 0 && fileIndex % 3 !== 0
        ? [asyncFunctions[index - 1]?.name ?? '', ...(asyncFunctions[index - 1]?.because ?? [])]
        : [`${file}:${index + 3} blocking-io`]
      : [asyncFunctions[index - 1]?.name ?? '', ...(asyncFunctions[index - 1]?.because ?? [])].slice(0, 6);
    asyncFunctions.push({ name, file, line: index + 1, because });
  }
  return { ...base, asyncFunctions, summary: { ...base.summary, functionsMadeAsync: count } };
}

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

/** A validator for the official SARIF 2.1.0 schema shipped in schemas/. */
export function sarifValidator() {
  const official = JSON.parse(readFileSync(new URL('../schemas/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as
    Record<string, unknown>;
  // The official file is draft-04 (`id`, draft-04 `$schema`); it uses no keyword whose meaning changed
  // in draft-07, so renaming the root id is all Ajv's draft-07 mode needs.
  const { id, $schema: _draft04, ...rest } = official;
  const schema: SchemaObject = { ...rest, $id: String(id) };
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

