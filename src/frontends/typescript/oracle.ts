// The checker oracle: the type questions the rules ask, behind one interface with two answers, the
// TypeScript checker the analysis holds (`js`) and TypeScript 7's native checker (`tsgo`, through
// typescript/unstable/sync). docs/native-oracle.md lists every question and what is routed here.
import { ts } from '@ts-morph/common';
import { awaitabilityOfUnion, isFloatingPromiseType, isPromiseArrayType } from './thenables.js';

export const ORACLES = ['js', 'tsgo'] as const;
export type OracleName = (typeof ORACLES)[number];

/** What a value left unused is to floating-promise: an array of promises, a promise, or neither. */
export type ValueKind = 'promise-array' | 'promise' | 'other';

export interface CheckerOracle {
  readonly name: OracleName;
  /**
   * await-non-thenable's first question: the awaited value is never a thenable (not `any`,
   * `unknown`, an unconstrained type parameter or `never`, and no constituent has a `then` taking a
   * callback).
   */
  isNeverAwaitable(operand: ts.Expression): boolean;
  /**
   * floating-promise's question for a value nobody uses. `promise` is asked only when `withPromise`
   * (an awaited value is never a floating promise itself, but may be an array of them).
   */
  valueKind(expression: ts.Expression, withPromise: boolean): ValueKind;
  /**
   * The call graph's question for a callee's name (`f` in `f()`, `m` in `o.m()`): the declarations
   * of what it names, through import aliases; none when it names nothing the checker knows.
   */
  calleeDeclarations(name: ts.Identifier | ts.PrivateIdentifier): readonly ts.Declaration[];
  /** Ends the native checker's process; nothing for the JS checker. */
  close(): void;
}

/** The TypeScript checker of the program the analysis walks: what the rules computed before the oracle. */
export function jsOracle(program: ts.Program): CheckerOracle {
  const checker = program.getTypeChecker();
  return {
    name: 'js',
    isNeverAwaitable(operand) {
      const type = checker.getTypeAtLocation(operand);
      // `never`: unreachable code, nothing to say.
      if (type.flags & ts.TypeFlags.Never) return false;
      return awaitabilityOfUnion(checker, type, operand) === 'never';
    },
    valueKind(expression, withPromise) {
      const type = checker.getTypeAtLocation(expression);
      if (isPromiseArrayType(program, type)) return 'promise-array';
      if (!withPromise) return 'other';
      return isFloatingPromiseType(program, type) ? 'promise' : 'other';
    },
    calleeDeclarations(name) {
      let symbol = checker.getSymbolAtLocation(name);
      if (!symbol) return [];
      if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      return symbol.declarations ?? [];
    },
    close() {},
  };
}
