// The TypeScript rule context: what a transform's `typescript` visitors receive.
import type { ts } from '@ts-morph/common';
import type { RuleHit } from '../../frontend.js';
import type { FunctionId, FunctionNode, RuleId } from '../../model.js';
import type { ImportIndex } from './imports.js';
import type { BlockingApiConfig } from '../../config.js';
import type { CheckerOracle } from './oracle.js';

export interface TsReport extends Omit<RuleHit, 'finding' | 'enclosing'> {
  rule: RuleId;
  node: ts.Node;
  message: string;
  /** Defaults to whether a fix is given. */
  fixable?: boolean;
  /** The fix makes the call reach another function (`get` -> `getAsync`): the old callee is no longer called there. */
  replacesCall?: boolean;
}

export interface TsRuleContext {
  readonly ts: typeof ts;
  readonly checker: ts.TypeChecker;
  /** The type questions routed through the oracle (`--oracle`): ask these here, not of `checker`. */
  readonly oracle: CheckerOracle;
  /** For the default-library test of the built-in Promise (src/frontends/typescript/thenables.ts). */
  readonly program: ts.Program;
  readonly sourceFile: ts.SourceFile;
  /** Path relative to the report root. */
  readonly file: string;
  /** Local names bound by imports and `require`, syntactically. */
  readonly imports: ImportIndex;
  /** The program has Node.js types: `node:timers/promises` and friends can be imported. */
  readonly isNode: boolean;
  /** Method names `m` for which some project text mentions `mAsync`: the cheap filter for siblings. */
  readonly asyncSiblingNames: ReadonlySet<string>;
  /** Extra blocking calls from the config. */
  readonly configBlocking: readonly BlockingApiConfig[];
  isThenable(type: ts.Type, some?: boolean): boolean;
  /** The innermost function around the node being visited (a `module` node at top level). */
  enclosingFunction(): FunctionNode;
  /** Project functions a call can reach (resolved with the checker, through aliases). */
  resolveCallee(call: ts.CallExpression): FunctionId[];
  /**
   * The members a call of this function may run instead, or that it stands in for: what it
   * implements or overrides and what implements or overrides it, transitively (not its siblings).
   */
  dispatchLine(callee: FunctionId): FunctionNode[];
  /** The project function behind an id. */
  functionOf(id: FunctionId): FunctionNode | undefined;
  /**
   * Every value a name bound twice or re-assigned (`let run = a; … run = b`) may hold, or undefined
   * when it is bound once: the checker types such a name by its first value only.
   */
  reboundValues(name: ts.Identifier): readonly ts.Node[] | undefined;
  report(report: TsReport): void;
}

export type TsVisitors = Partial<Record<ts.SyntaxKind, (node: ts.Node, context: TsRuleContext) => void>>;
