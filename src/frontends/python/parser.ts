// Loads the tree-sitter Python grammar (a .wasm shipped inside the tree-sitter-python package, so no
// network and no native build) and parses files with it.
//
// web-tree-sitter parses a JavaScript string as UTF-16, so `startIndex`/`endIndex` are UTF-16 code
// unit offsets: they index the string directly, which is what the EditSet expects. Rows and columns
// from tree-sitter are not used for reports; `lineColumnAt` computes them from the text.
import { createRequire } from 'node:module';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

export type { Node as PyNode, Tree as PyTree } from 'web-tree-sitter';

let loading: Promise<Parser> | undefined;
let ready: Parser | undefined;

/** Loads the grammar once per process. */
export function loadPythonParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    ready = parser;
    return parser;
  })();
  return loading;
}

/** Parses with the loaded grammar; `loadPythonParser` must have finished first. */
export function parsePython(text: string): Tree {
  if (!ready) throw new Error('the Python grammar is not loaded yet (call loadPythonParser first)');
  const tree = ready.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** The first ERROR or MISSING node, if the tree has one. */
export function findSyntaxError(root: Node): Node | undefined {
  if (!root.hasError) return undefined;
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.isError || node.isMissing) return node;
    if (!node.hasError) continue;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) stack.push(child);
    }
  }
  return root;
}

/**
 * An `await` Python would reject although tree-sitter parses it: outside any function, in a lambda,
 * or in a plain `def` (tree-sitter's grammar does not know which functions are async).
 */
export function findMisplacedAwait(root: Node): Node | undefined {
  for (const node of root.descendantsOfType('await')) {
    if (!node) continue;
    let scope = node.parent;
    while (scope && scope.type !== 'function_definition' && scope.type !== 'lambda') scope = scope.parent;
    if (!scope || scope.type === 'lambda') return node;
    if (!scope.children.some((child) => child?.type === 'async')) return node;
  }
  return undefined;
}

/** 1-based line and column (in UTF-16 code units) of an offset. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
  /** The offset of a 1-based line and column (clamped to the text). */
  offsetOf(line: number, column: number): number {
    const start = this.starts[Math.min(Math.max(line, 1), this.starts.length) - 1]!;
    return start + column - 1;
  }
  lineStart(offset: number): number {
    return this.starts[this.at(offset).line - 1]!;
  }
}

export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

export function children(node: Node): Node[] {
  return node.children.filter((child): child is Node => child !== null);
}
