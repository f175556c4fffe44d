// Where a promise stands can decide how it is used without the checker: floating-promise's search for
// promises used as values does not ask the type of a call awaited, dropped, put in an array or returned
// from an async function (half the calls of a large project), and classifyUse agrees with it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ts } from '@ts-morph/common';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProgram } from '../src/frontends/typescript/project.js';
import { loadTsRules, TsAnalyzer } from '../src/frontends/typescript/analyze.js';
import { recordingChecker } from './support/recording-checker.js';
import { classifyUse, positionalPromiseUse } from '../src/frontends/typescript/resolved-uses.js';
import { TRANSFORMS } from '../transforms/index.js';

describe('positions that decide a promise use', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'am-uses-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'a.ts');
  writeFileSync(
    file,
    [
      'export async function load(): Promise<string> { return "x"; }',
      'export async function awaited() { await load(); }',
      'export function dropped() { void load(); load(); }',
      'export function listed() { return Promise.all([load()]); }',
      'export async function fromAsync() { return load(); }',
      'export function untyped() { return load(); }',
      'export function typed(): number { return load(); }',
      'export function read() { return load().length + `${load()}`.length; }',
      '',
    ].join('\n'),
  );
  const loaded = loadProgram([file], undefined);
  const sourceFile = loaded.program.getSourceFile(file)!;
  const calls: ts.CallExpression[] = [];
  const collect = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'load') calls.push(node);
    ts.forEachChild(node, collect);
  };
  collect(sourceFile);

  it('answers where the position decides and leaves the rest to the checker', () => {
    expect(calls.map((call) => positionalPromiseUse(call))).toEqual([
      '`await`',
      'a value passed on',
      'a value passed on',
      'a value passed on',
      'a return from an async function',
      'a return',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('is what classifyUse says there', () => {
    for (const call of calls) {
      const positional = positionalPromiseUse(call);
      if (positional === undefined) continue;
      const use = classifyUse(loaded.checker, loaded.program, call, loaded.checker.getTypeAtLocation(call));
      expect(use).toMatchObject({ kind: 'promise', what: positional });
    }
  });

  it('does not ask the checker the type of a call whose position decides', async () => {
    const { checker, asked } = recordingChecker(loaded.checker);
    const analyzer = new TsAnalyzer(loaded.program, checker, dir, await loadTsRules(TRANSFORMS), new Set(['floating-promise'] as const), () => true, []);
    analyzer.analyze([file]);
    // No other question of the analysis is about the call in `[load()]`.
    const [, , , listed, , , typed, member, template] = calls;
    expect(asked.has(listed!)).toBe(false);
    expect([typed, member, template].every((call) => asked.has(call!))).toBe(true);
    // `load();` dropped; `typed` returns a promise where a number is declared; `read` uses the value.
    expect(analyzer.state.hits.map((hit) => hit.finding.line).sort()).toEqual([3, 7, 8, 8]);
  });
});
