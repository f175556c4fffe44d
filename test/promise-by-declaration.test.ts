// await-non-thenable does not ask the checker the type of `await load()` when every signature of
// `load` returns a Promise: the call is one, and checking it (and its arguments) only to learn that
// cost the bench corpus a tenth of its analysis. Anything less certain is asked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ts } from '@ts-morph/common';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProgram } from '../src/frontends/typescript/project.js';
import { loadTsRules, TsAnalyzer } from '../src/frontends/typescript/analyze.js';
import { recordingChecker } from './support/recording-checker.js';
import { returnsPromiseByDeclaration } from '../src/frontends/typescript/thenables.js';
import { TRANSFORMS } from '../transforms/index.js';

describe('a call that is a promise by its declaration', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'am-by-declaration-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'a.ts');
  const js = path.join(dir, 'b.js');
  writeFileSync(
    file,
    [
      'import { legacy, later } from "./b.js";',
      'export async function load(): Promise<string> { return "x"; }',
      'export async function plain() { return 1; }',
      'export async function* stream() { yield 1; }',
      'export const arrow = async () => 1;',
      'export function sync(): number { return 1; }',
      'export async function twice(a: string): Promise<string>;',
      'export async function twice(a: number): Promise<number>;',
      'export async function twice(a: unknown): Promise<unknown> { return a; }',
      'class Store { async get() { return 1; } }',
      'class Box<T> { async get(): Promise<T | undefined> { return undefined; } }',
      'export async function main(store: Store, box: Box<number>) {',
      '  await load(); await plain(); await stream(); await arrow(); await sync(); await twice(1);',
      '  await store.get(); await box.get(); await legacy(); await later();',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(js, ['/** @returns {number} */', 'export async function legacy() { return 1; }', 'export async function later() { return 2; }', ''].join('\n'));
  const loaded = loadProgram([file, js], undefined);
  const awaited: ts.CallExpression[] = [];
  const collect = (node: ts.Node): void => {
    if (ts.isAwaitExpression(node) && ts.isCallExpression(node.expression)) awaited.push(node.expression);
    ts.forEachChild(node, collect);
  };
  collect(loaded.program.getSourceFile(file)!);

  it('is a function or method whose every signature returns a Promise', () => {
    const answers = Object.fromEntries(awaited.map((call) => [call.expression.getText(), returnsPromiseByDeclaration(loaded.program, call)]));
    expect(answers).toEqual({
      load: true,
      plain: true,
      stream: false, // an async generator is no promise
      arrow: false, // a variable: the checker decides
      sync: false,
      twice: true, // every overload returns a promise
      'store.get': true,
      'box.get': true, // Promise<number | undefined> once instantiated
      legacy: false, // JSDoc says number
      later: true,
    });
  });

  it('spares the checker that call under await-non-thenable, and still reports the await of a sync call', async () => {
    const { checker, asked } = recordingChecker(loaded.checker);
    const analyzer = new TsAnalyzer(loaded.program, checker, dir, await loadTsRules(TRANSFORMS), new Set(['await-non-thenable'] as const), () => true, []);
    analyzer.analyze([file, js]);
    const byText = new Map(awaited.map((call) => [call.expression.getText(), asked.has(call)]));
    expect(byText.get('load')).toBe(false);
    expect(byText.get('store.get')).toBe(false);
    expect(byText.get('sync')).toBe(true);
    expect(byText.get('stream')).toBe(true);
    expect(analyzer.state.hits.map((hit) => hit.finding.message.slice(0, 30))).toEqual(expect.arrayContaining([expect.stringContaining('sync()')]));
  });
});
