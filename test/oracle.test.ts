// `--oracle tsgo`: the rules' type questions answered by TypeScript 7's native checker give the
// report the JS checker gives, and every question was answered natively (no silent fallback).
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ts } from '@ts-morph/common';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProgram } from '../src/frontends/typescript/project.js';
import { jsOracle, type CheckerOracle } from '../src/frontends/typescript/oracle.js';
import { createTsgoOracle } from '../src/frontends/typescript/tsgo-oracle.js';
import { runCli } from './support/cli.js';
import { expectUsageError, jsonReport, makeProject, removeProjects } from './support/project.js';

afterEach(removeProjects);

const hasTsgo = ((): boolean => {
  try {
    createRequire(import.meta.url).resolve('typescript7/unstable/sync');
    return true;
  } catch {
    return false;
  }
})();

// Every shape the routed questions distinguish: sync values, promises, PromiseLike, a `then` with no
// callback, any/unknown, type parameters with and without a constraint, unions, a Promise subclass,
// arrays and tuples of promises, handled and unhandled chains, and text that is not ASCII before them.
const SHAPES = `// Größe, naïve 🎉: positions after characters outside ASCII
export interface Thenish { then(onFulfilled: (value: number) => void): void }
export class LazyQuery { then(): this { return this; } }
export class Deferred extends Promise<number> {}
export function syncValue(): number { return 1; }
export async function asyncValue(): Promise<number> { return 1; }
export function thenish(): Thenish { return { then(callback) { callback(1); } }; }
export function pair(): [Promise<number>, number] { return [asyncValue(), 1]; }
export function many(): Promise<number>[] { return [asyncValue()]; }

export async function main<T, U extends Promise<number>>(anyValue: any, unknownValue: unknown, t: T, u: U, lazy: LazyQuery, maybe: number | Promise<number>, flag: boolean): Promise<void> {
  await syncValue();
  await (syncValue());
  await asyncValue();
  await thenish();
  await anyValue;
  await unknownValue;
  await t;
  await u;
  await lazy;
  await maybe;
  await Deferred.resolve(1);
  await 'text';
  asyncValue();
  (asyncValue());
  [asyncValue(), asyncValue()];
  pair();
  many();
  thenish();
  void asyncValue();
  asyncValue().catch(() => undefined);
  asyncValue().then(() => undefined, () => undefined);
  asyncValue().finally(() => undefined);
  flag ? asyncValue() : syncValue();
  flag && asyncValue();
  syncValue(), asyncValue();
  await Promise.all(many());
}
`;

// Callees through an import alias, a namespace import, a class, a method and an overload.
const USE = `import { asyncValue as load, Deferred, syncValue } from './shapes.js';
import * as shapes from './shapes.js';
export function pick(value: string): string;
export function pick(value: number): number;
export function pick(value: string | number): string | number { return value; }
class Store { get(): number { return syncValue(); } }
export async function use(): Promise<void> {
  await load();
  await shapes.asyncValue();
  new Store().get();
  pick(1);
  void new Deferred((resolve) => resolve(1));
  missing();
}
declare function missing(): void;
`;

describe('--oracle tsgo', () => {
  it.runIf(hasTsgo)('gives the JSON report --oracle js gives', async () => {
    const dir = makeProject({ 'src/shapes.ts': SHAPES, 'src/use.ts': USE });
    const js = await runCli(['check', '.', '--format', 'json', '--oracle', 'js'], dir);
    const tsgo = await runCli(['check', '.', '--format', 'json', '--oracle', 'tsgo'], dir);
    expect(tsgo.stderr).toBe('');
    const rules = jsonReport(js).findings.map((finding) => finding.rule);
    // The project has findings of both routed rules, so equal reports compare something.
    expect(rules).toContain('await-non-thenable');
    expect(rules).toContain('floating-promise');
    expect({ code: tsgo.code, stdout: tsgo.stdout }).toEqual({ code: js.code, stdout: js.stdout });
  });

  it.runIf(hasTsgo)('answers every routed question itself, as the JS checker does', async () => {
    const dir = makeProject({ 'src/shapes.ts': SHAPES, 'src/use.ts': USE });
    const files = [path.join(dir, 'src/shapes.ts'), path.join(dir, 'src/use.ts')];
    const { program } = loadProgram(files, path.join(dir, 'tsconfig.json'));
    program.getTypeChecker();
    const native = await createTsgoOracle(program, path.join(dir, 'tsconfig.json'));
    try {
      const ask = (oracle: CheckerOracle): string[] => {
        const answers: string[] = [];
        const visit = (node: ts.Node): void => {
          if (ts.isAwaitExpression(node)) answers.push(`await ${node.expression.getText()}: ${oracle.isNeverAwaitable(skip(node.expression))}`);
          if (ts.isExpressionStatement(node)) answers.push(`${node.expression.getText()}: ${oracle.valueKind(skip(node.expression), !ts.isAwaitExpression(skip(node.expression)))}`);
          if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && (ts.isIdentifier(node.expression) || ts.isPropertyAccessExpression(node.expression))) {
            const name = ts.isIdentifier(node.expression) ? node.expression : node.expression.name;
            // The project's declarations: TypeScript 7's lib files have no TypeScript 6 node.
            const declarations = oracle.calleeDeclarations(name).filter((declaration) => !declaration.getSourceFile().isDeclarationFile);
            answers.push(`call ${node.expression.getText()}: ${declarations.map((declaration) => `${path.basename(declaration.getSourceFile().fileName)}:${declaration.getStart()}`).join(' ')}`);
          }
          ts.forEachChild(node, visit);
        };
        for (const file of files) visit(program.getSourceFile(file)!);
        return answers;
      };
      const expected = ask(jsOracle(program));
      expect(ask(native)).toEqual(expected);
      // Not a silent fallback to the JS checker: the native checker answered each question.
      expect(native.counts).toMatchObject({ asked: expected.length, answered: expected.length, unanswered: 0 });
      expect(expected).toContain('await syncValue(): true');
      expect(expected).toContain('await lazy: true');
      expect(expected).toContain('await thenish(): false');
      expect(expected).toContain('[asyncValue(), asyncValue()]: promise-array');
      expect(expected).toContain('thenish(): other');
      expect(expected.filter((answer) => answer.startsWith('call load:'))).toEqual([expect.stringMatching(/^call load: shapes\.ts:\d+$/)]);
      expect(expected.filter((answer) => answer.startsWith('call pick:'))).toEqual([expect.stringMatching(/^call pick: use\.ts:\d+ use\.ts:\d+ use\.ts:\d+$/)]);
      expect(expected).toContain('call missing: use.ts:' + USE.indexOf('declare function missing'));
    } finally {
      native.close();
    }
  });

  it('without a tsconfig: one line, exit 2', async () => {
    const inferred = makeProject({ 'src/a.ts': 'export const a = 1;\n' });
    rmSync(path.join(inferred, 'tsconfig.json'));
    const noConfig = await runCli(['check', '.', '--oracle', 'tsgo'], inferred);
    expectUsageError(noConfig, 'async-migrate: --oracle tsgo needs a tsconfig.json: the native checker opens projects by their tsconfig, not an inferred list of files');
  });
});

function skip(expression: ts.Expression): ts.Expression {
  let node = expression;
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  return node;
}
