// Tree walks with an explicit stack. Real code holds trees deeper than the call stack (a generated
// 20,000-term `a + a + …` is 20,000 nested binary expressions): a recursive visit would overflow.
import { ts } from 'ts-morph';

export interface WalkVisitor {
  /** Called before a node's children; returning false skips them (and `leave` for this node). */
  enter(node: ts.Node): boolean | void;
  /** Called after all of a node's children were walked. */
  leave?(node: ts.Node): void;
}

/** Pre-order walk of `root` and its descendants, in source order, as `ts.forEachChild` recursion would. */
export function walkTree(root: ts.Node, visitor: WalkVisitor | ((node: ts.Node) => boolean | void)): void {
  const { enter, leave } = typeof visitor === 'function' ? { enter: visitor, leave: undefined } : visitor;
  // A leaving entry is the node itself marked by `leaving`; children are pushed in reverse.
  const stack: { node: ts.Node; leaving: boolean }[] = [{ node: root, leaving: false }];
  const children: ts.Node[] = [];
  while (stack.length > 0) {
    const { node, leaving } = stack.pop()!;
    if (leaving) {
      leave!(node);
      continue;
    }
    if (enter(node) === false) continue;
    if (leave) stack.push({ node, leaving: true });
    children.length = 0;
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, leaving: false });
  }
}

/** Whether an error is the engine running out of stack (the checker recursing on a deep or recursive type). */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
