// Test runners (vitest, jest, mocha) call test and hook callbacks and wait for a promise they
// return: those callbacks may turn async like any function. Suite bodies (`describe`) are run
// synchronously to collect the tests, so they stay sync.
import { ts } from '@ts-morph/common';
import type { CallSite } from '../../model.js';
import { skipParentheses } from './syntax.js';

/** Declarations from these packages are the runners' own APIs (globals or imports). */
const TEST_RUNNER_DECLARATION = /\/node_modules\/(?:vitest|@vitest\/[^/]+|@jest\/[^/]+|@types\/jest|jest|@types\/mocha|mocha|bun-types|@types\/bun)\//;

const SUITE_NAMES = new Set(['describe', 'fdescribe', 'xdescribe', 'context', 'xcontext', 'suite']);
const TEST_NAMES = new Set([
  'it', 'fit', 'xit', 'test', 'xtest', 'specify', 'xspecify',
  'beforeEach', 'afterEach', 'beforeAll', 'afterAll', 'before', 'after',
  'setup', 'teardown', 'suiteSetup', 'suiteTeardown',
]);

interface RunnerCall {
  role: 'suite' | 'test' | 'expect';
  /** `it`, `it.each`, `describe.skip`: how the report names the receiving API. */
  api: string;
  /** `.each(table)`: the callback's parameters are the table's values, not a `done` callback. */
  isTable: boolean;
  /** Declared by vitest, whose callbacks take a context object rather than `done`. */
  isVitest: boolean;
}

/** `it(…)`, `test.only(…)`, `it.each(table)(…)`, `describe.skip(…)`: the runner API a call invokes, if any. */
function runnerCall(call: ts.CallExpression, checker: ts.TypeChecker): RunnerCall | undefined {
  const path: string[] = [];
  let expression: ts.Expression = call.expression;
  for (;;) {
    if (ts.isPropertyAccessExpression(expression)) {
      path.unshift(expression.name.text);
      expression = expression.expression;
    } else if (ts.isCallExpression(expression)) {
      expression = expression.expression; // `it.each(table)`, `it.runIf(cond)`
    } else if (ts.isTaggedTemplateExpression(expression)) {
      expression = expression.tag; // it.each`a | b`
    } else break;
  }
  if (!ts.isIdentifier(expression)) return undefined;
  const name = expression.text;
  const role = SUITE_NAMES.has(name) ? 'suite' : TEST_NAMES.has(name) ? 'test' : name === 'expect' ? 'expect' : undefined;
  if (!role) return undefined;
  let symbol = checker.getSymbolAtLocation(expression);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const files = (symbol?.declarations ?? []).map((declaration) => declaration.getSourceFile().fileName);
  // Untyped (plain JavaScript, or no runner types installed): the well-known global names.
  if (files.length > 0 && !files.every((file) => TEST_RUNNER_DECLARATION.test(file))) return undefined;
  return {
    role,
    api: [name, ...path].join('.'),
    isTable: path.includes('each'),
    isVitest: files.some((file) => /\/node_modules\/(?:vitest|@vitest\/)/.test(file)),
  };
}

/** What can be done with a function passed to a test runner, or undefined when the call is not one. */
export function testRunnerCallback(call: ts.CallExpression, callback: ts.Expression, checker: ts.TypeChecker): NonNullable<CallSite['callback']> | undefined {
  const runner = runnerCall(call, checker);
  if (!runner) return undefined;
  if (runner.role === 'expect') {
    return {
      api: runner.api,
      rewrite: 'none',
      blockedBecause: {
        reason: 'expect(fn) calls fn synchronously to see what it throws; an async fn would reject instead',
        suggestion: 'Write `await expect(async () => …).rejects.toThrow(…)` by hand (the test turns async), then re-run.',
      },
    };
  }
  if (runner.role === 'suite') {
    return {
      api: runner.api,
      rewrite: 'none',
      blockedBecause: {
        reason: `the test runner calls a ${runner.api} body synchronously to collect its tests`,
        suggestion: 'Move the call into a `beforeAll`/`beforeEach` hook or into the tests, which may be async.',
      },
    };
  }
  const takesDone = !runner.isTable && !runner.isVitest && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) && callback.parameters.length > 0;
  if (takesDone) {
    return {
      api: runner.api,
      rewrite: 'none',
      blockedBecause: {
        reason: 'it takes a `done` callback, and mocha and jest reject a callback that both takes `done` and returns a promise',
        suggestion: 'Drop the `done` parameter and make the callback async by hand (await the work, then return).',
      },
    };
  }
  return { api: runner.api, rewrite: 'accepts-async' };
}

/**
 * Test registrations of runners that own the promise they return: `test('…', cb)` of node:test and
 * tap resolves when the test has run, never rejects (a failing test is reported by the runner), and
 * the runner waits for it. Left floating is the idiom (typescript-eslint's `allowForKnownSafeCalls`
 * documents node:test's); awaiting it would run the file's tests one after another.
 */
const PROMISE_OWNING_RUNNER_DECLARATION = /[\\/](?:node_modules[\\/](?:tap|@tapjs[\\/][^\\/]+)[\\/]|@types[\\/]node[\\/](?:ts[^\\/]*[\\/])?test\.d\.ts$)/;
const TEST_REGISTRATIONS: ReadonlySet<string> = new Set(['test', 'it', 'describe', 'suite', 'only', 'skip', 'todo']);

export function isTestRegistration(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  const callee = skipParentheses(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (!name || !TEST_REGISTRATIONS.has(name)) return false;
  // The signature's declaration, not the name's: `const test = require('tap').test` declares the name locally.
  const declaration = checker.getResolvedSignature(call)?.getDeclaration();
  return declaration !== undefined && PROMISE_OWNING_RUNNER_DECLARATION.test(declaration.getSourceFile().fileName);
}
