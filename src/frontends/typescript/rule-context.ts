// The TypeScript rule context: what a transform's `typescript` visitors receive.
import type { ts } from 'ts-morph';
import type { RuleHit } from '../../frontend.js';

export interface TsRuleContext {
  readonly ts: typeof ts;
  readonly checker: ts.TypeChecker;
  readonly sourceFile: ts.SourceFile;
  /** Path relative to the report root. */
  readonly file: string;
  report(hit: Omit<RuleHit, 'finding'> & { node: ts.Node; message: string; fixable?: boolean }): void;
}

export type TsVisitors = Partial<Record<ts.SyntaxKind, (node: ts.Node, context: TsRuleContext) => void>>;
