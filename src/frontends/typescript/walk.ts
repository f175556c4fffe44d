// Tree walks with an explicit stack. Real code holds trees deeper than the call stack (a generated
// 20,000-term `a + a + …` is 20,000 nested binary expressions): a recursive visit would overflow.
import { ts } from '@ts-morph/common';

// `ts` is a frozen namespace of getters: read once, not per node.
const forEachChild = ts.forEachChild;

export interface WalkVisitor {
  /** Called before a node's children; returning false skips them (and `leave` for this node). */
  enter(node: ts.Node): boolean | void;
  /** Called after all of a node's children were walked. */
  leave?(node: ts.Node): void;
}

/** Pre-order walk of `root` and its descendants, in source order, as `ts.forEachChild` recursion would. */
export function walkTree(root: ts.Node, visitor: WalkVisitor | ((node: ts.Node) => boolean | void)): void {
  const { enter, leave } = typeof visitor === 'function' ? { enter: visitor, leave: undefined } : visitor;
  // Every node of every file passes through here: a flat stack of nodes with a parallel flag array
  // (a leaving entry is the node itself, to `leave` once its children are done) and one reused
  // child collector keep the walk free of per-node allocations.
  const stack: ts.Node[] = [root];
  const leaving: boolean[] = [false];
  // Reused across nodes and never truncated (setting an array's length is a runtime call per node):
  // `count` says how much of it the current node filled.
  const children: ts.Node[] = [];
  let count = 0;
  const collect = (child: ts.Node): void => {
    children[count++] = child;
  };
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (leaving.pop()) {
      leave!(node);
      continue;
    }
    if (enter(node) === false) continue;
    if (leave) {
      stack.push(node);
      leaving.push(true);
    }
    count = 0;
    forEachChild(node, collect);
    for (let i = count - 1; i >= 0; i--) {
      stack.push(children[i]!);
      leaving.push(false);
    }
  }
}

/** Whether an error is the engine running out of stack (the checker recursing on a deep or recursive type). */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
