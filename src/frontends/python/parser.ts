// Loads the tree-sitter Python grammar (a .wasm shipped inside the tree-sitter-python package, so no
// network and no native build) and parses files with it.
//
// web-tree-sitter parses a JavaScript string as UTF-16, so `startIndex`/`endIndex` are UTF-16 code
// unit offsets: they index the string directly, which is what the EditSet expects. Rows and columns
// from tree-sitter are not used for reports; `lineColumnAt` computes them from the text.
//
// Each parse is copied, in one TreeCursor walk, into a compact tree of typed arrays (PyTree), and
// web-tree-sitter's tree is deleted at once. Reading a web-tree-sitter node crosses into wasm and
// allocates an object per node for every access; the analysis visits every node several times, which
// made that three quarters of a run on large projects (bench/README.md, "Where the time goes"), and
// every tree stayed in wasm memory for the whole run. PyNode answers what web-tree-sitter's Node
// does, from the arrays; test/python-tree.test.ts compares the two on every node of the fixtures.
import { createRequire } from 'node:module';
import { Language, Parser, type Node as WasmNode, type Tree as WasmTree, type TreeCursor } from 'web-tree-sitter';

let loading: Promise<Parser> | undefined;
let ready: Parser | undefined;
let grammar: Grammar | undefined;
let direct: DirectCursor | undefined;

/**
 * web-tree-sitter's cursor functions of the wasm module, called without its JavaScript wrappers.
 * Each wrapper copies the cursor's four words into the module's transfer buffer before the call and
 * back after a move: four fifths of the copy's time. The moves leave the cursor's state in that
 * buffer and the reads do not change it, so a walk that owns the buffer needs no copying at all.
 * Found on the module object Parser.init fills in; absent (another build, or Parser.init called
 * before us), the public cursor is used.
 */
interface DirectCursor {
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_delete_wasm(tree: number): void;
}

const DIRECT_FUNCTIONS = [
  '_ts_tree_cursor_goto_first_child_wasm', '_ts_tree_cursor_goto_next_sibling_wasm', '_ts_tree_cursor_goto_parent_wasm',
  '_ts_tree_cursor_current_node_type_id_wasm', '_ts_tree_cursor_start_index_wasm', '_ts_tree_cursor_end_index_wasm',
  '_ts_tree_cursor_current_field_id_wasm', '_ts_tree_cursor_delete_wasm',
] as const;

function directCursorOf(module: Record<string, unknown>): DirectCursor | undefined {
  return DIRECT_FUNCTIONS.every((name) => typeof module[name] === 'function') ? (module as unknown as DirectCursor) : undefined;
}

/** What the compact trees need of the language: type names, which are named, field ids. */
interface Grammar {
  types: readonly string[];
  named: Uint8Array;
  fieldIds: ReadonlyMap<string, number>;
}

/** tree-sitter's symbol of ERROR nodes (`ts_builtin_sym_error`). */
export const ERROR_SYMBOL = 65535;
export const NAMED = 1;
const MISSING = 2;
const HAS_ERROR = 4;

/** Loads the grammar once per process. */
export function loadPythonParser(): Promise<Parser> {
  loading ??= (async () => {
    const module: Record<string, unknown> = {};
    await Parser.init(module);
    direct = directCursorOf(module);
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    const types = [...language.types];
    const named = new Uint8Array(types.length);
    for (let id = 0; id < types.length; id++) named[id] = language.nodeTypeIsNamed(id) ? 1 : 0;
    const fieldIds = new Map<string, number>();
    language.fields.forEach((name, id) => {
      if (name && !fieldIds.has(name)) fieldIds.set(name, id);
    });
    grammar = { types, named, fieldIds };
    ready = parser;
    return parser;
  })();
  return loading;
}

/** Parses with the loaded grammar; `loadPythonParser` must have finished first. */
export function parsePython(text: string): PyTree {
  if (!ready || !grammar) throw new Error('the Python grammar is not loaded yet (call loadPythonParser first)');
  const tree = ready.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return compact(tree, text, grammar);
  } finally {
    tree.delete();
  }
}

/**
 * Runs `read` on web-tree-sitter's own tree of the text, deleted afterwards: for a question about a
 * whole text (has it a syntax error?) that needs no compact copy.
 */
export function readWasmTree<T>(text: string, read: (root: WasmNode) => T): T {
  if (!ready) throw new Error('the Python grammar is not loaded yet (call loadPythonParser first)');
  const tree = ready.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return read(tree.rootNode);
  } finally {
    tree.delete();
  }
}

let nextBase = 0;

/** Copies a web-tree-sitter tree into arrays, in preorder, with one cursor walk. */
function compact(tree: WasmTree, text: string, language: Grammar): PyTree {
  const root = tree.rootNode;
  const count = root.descendantCount;
  const withErrors = root.hasError;
  const types = new Uint16Array(count);
  // Offsets and indices fit in 16 bits in most files (below 64 K characters and nodes): half the memory.
  const narrow = text.length <= 0xffff && count < 0xffff;
  const offsets = (): IndexArray => (narrow ? new Uint16Array(count) : new Int32Array(count));
  const starts = offsets();
  const ends = offsets();
  const parents = offsets();
  const after = offsets();
  const fields = new Uint8Array(count);
  const flags = new Uint8Array(count);
  const cursor = tree.walk();
  const stack: number[] = [];
  let n = 0;
  if (direct && !withErrors) {
    const pointer = (tree as unknown as Record<0, number>)[0];
    if (typeof pointer === 'number') {
      n = compactDirect(direct, pointer, cursor, count, types, starts, ends, parents, after, fields);
      if (n !== count) throw new Error(`tree-sitter counted ${count} nodes, its cursor visited ${n}`);
      for (let index = 0; index < count; index++) flags[index] = language.named[types[index]!] === 1 ? NAMED : 0;
      const base = nextBase;
      nextBase += count;
      return new PyTree(text, language, base, types, starts, ends, parents, after, fields, flags);
    }
  }
  try {
    walk: for (;;) {
      if (n >= count) throw new Error('tree-sitter counted fewer nodes than its cursor visits');
      const index = n++;
      const type = cursor.nodeTypeId;
      types[index] = type;
      starts[index] = cursor.startIndex;
      ends[index] = cursor.endIndex;
      fields[index] = cursor.currentFieldId;
      parents[index] = stack.length > 0 ? stack[stack.length - 1]! + 1 : 0;
      let flag = type === ERROR_SYMBOL || language.named[type] === 1 ? NAMED : 0;
      // Only a tree with an error has MISSING nodes, or nodes holding an error.
      if (withErrors) {
        if (cursor.nodeIsMissing) flag |= MISSING;
        if (cursor.currentNode.hasError) flag |= HAS_ERROR;
      }
      flags[index] = flag;
      if (cursor.gotoFirstChild()) {
        stack.push(index);
        continue;
      }
      after[index] = n;
      while (!cursor.gotoNextSibling()) {
        const parent = stack.pop();
        if (parent === undefined) break walk;
        cursor.gotoParent();
        after[parent] = n;
      }
    }
  } finally {
    cursor.delete();
  }
  if (n !== count) throw new Error(`tree-sitter counted ${count} nodes, its cursor visited ${n}`);
  const base = nextBase;
  nextBase += count;
  return new PyTree(text, language, base, types, starts, ends, parents, after, fields, flags);
}

/**
 * The walk of `compact` on the wasm functions directly (see DirectCursor). `cursor` was just made by
 * tree.walk(), which left its state in the transfer buffer; reading `nodeTypeId` once puts it there
 * again in case anything ran in between. Nothing else touches the buffer until the walk ends, and the
 * cursor is deleted from the buffer's final state (the JavaScript object's copy is stale by then).
 */
function compactDirect(
  wasm: DirectCursor,
  tree: number,
  cursor: TreeCursor,
  count: number,
  types: Uint16Array,
  starts: IndexArray,
  ends: IndexArray,
  parents: IndexArray,
  after: IndexArray,
  fields: Uint8Array,
): number {
  void cursor.nodeTypeId;
  const stack: number[] = [];
  let n = 0;
  try {
    walk: for (;;) {
      if (n >= count) throw new Error('tree-sitter counted fewer nodes than its cursor visits');
      const index = n++;
      types[index] = wasm._ts_tree_cursor_current_node_type_id_wasm(tree);
      starts[index] = wasm._ts_tree_cursor_start_index_wasm(tree);
      ends[index] = wasm._ts_tree_cursor_end_index_wasm(tree);
      fields[index] = wasm._ts_tree_cursor_current_field_id_wasm(tree);
      parents[index] = stack.length > 0 ? stack[stack.length - 1]! + 1 : 0;
      if (wasm._ts_tree_cursor_goto_first_child_wasm(tree)) {
        stack.push(index);
        continue;
      }
      after[index] = n;
      while (!wasm._ts_tree_cursor_goto_next_sibling_wasm(tree)) {
        const parent = stack.pop();
        if (parent === undefined) break walk;
        wasm._ts_tree_cursor_goto_parent_wasm(tree);
        after[parent] = n;
      }
    }
  } finally {
    wasm._ts_tree_cursor_delete_wasm(tree);
  }
  return n;
}

/** Text offsets and node indices: 16 bits where the file is small enough, else 32. */
export type IndexArray = Uint16Array | Int32Array;

/** A tree whose arrays a parse thread made (parse-pool.ts): its ids are given here. */
export function treeFromArrays(text: string, arrays: { types: Uint16Array; starts: IndexArray; ends: IndexArray; parents: IndexArray; after: IndexArray; fields: Uint8Array; flags: Uint8Array }): PyTree {
  if (!grammar) throw new Error('the Python grammar is not loaded yet (call loadPythonParser first)');
  const base = nextBase;
  nextBase += arrays.types.length;
  return new PyTree(text, grammar, base, arrays.types, arrays.starts, arrays.ends, arrays.parents, arrays.after, arrays.fields, arrays.flags);
}

/** A parsed file: its text and its nodes in preorder (a node's subtree is `index` to `after[index]`). */
export class PyTree {
  readonly rootNode: PyNode;

  constructor(
    readonly text: string,
    readonly language: Grammar,
    /** The id of node 0: ids are unique across the trees of a process, as web-tree-sitter's are within a tree. */
    readonly base: number,
    readonly types: Uint16Array,
    readonly starts: IndexArray,
    readonly ends: IndexArray,
    /** The parent's index plus one: 0 for the root (an unsigned array has no -1). */
    readonly parents: IndexArray,
    readonly after: IndexArray,
    readonly fields: Uint8Array,
    readonly flags: Uint8Array,
  ) {
    this.rootNode = new PyNode(this, 0);
  }

  /** Nothing is held outside JavaScript: kept so callers written for web-tree-sitter's trees still read right. */
  delete(): void {}
}

const symbolSets = new WeakMap<Grammar, Map<string, Uint8Array>>();

/**
 * Which symbols have one of the type names (several symbols may share a name): asked once per list.
 * ERROR nodes (symbol 65535) are not in it: callers that want them test for ERROR themselves.
 */
export function symbolsOf(language: Grammar, wanted: readonly string[]): Uint8Array {
  let byKey = symbolSets.get(language);
  if (!byKey) symbolSets.set(language, (byKey = new Map()));
  const key = wanted.join('\0');
  let symbols = byKey.get(key);
  if (!symbols) {
    symbols = new Uint8Array(language.types.length);
    for (let id = 0; id < language.types.length; id++) if (wanted.includes(language.types[id]!)) symbols[id] = 1;
    byKey.set(key, symbols);
  }
  return symbols;
}

/** A node of a PyTree: the subset of web-tree-sitter's Node the front-end uses, with the same answers. */
export class PyNode {
  constructor(
    readonly tree: PyTree,
    readonly index: number,
  ) {}

  get id(): number {
    return this.tree.base + this.index;
  }

  get typeId(): number {
    return this.tree.types[this.index]!;
  }

  get type(): string {
    return this.tree.language.types[this.tree.types[this.index]!] || 'ERROR';
  }

  get startIndex(): number {
    return this.tree.starts[this.index]!;
  }

  get endIndex(): number {
    return this.tree.ends[this.index]!;
  }

  get text(): string {
    return this.tree.text.slice(this.tree.starts[this.index]!, this.tree.ends[this.index]!);
  }

  get isNamed(): boolean {
    return (this.tree.flags[this.index]! & NAMED) !== 0;
  }

  get isError(): boolean {
    return this.tree.types[this.index] === ERROR_SYMBOL;
  }

  get isMissing(): boolean {
    return (this.tree.flags[this.index]! & MISSING) !== 0;
  }

  get hasError(): boolean {
    return (this.tree.flags[this.index]! & HAS_ERROR) !== 0;
  }

  equals(other: PyNode): boolean {
    return this.tree === other.tree && this.index === other.index;
  }

  get parent(): PyNode | null {
    const parent = this.tree.parents[this.index]! - 1;
    return parent < 0 ? null : new PyNode(this.tree, parent);
  }

  get childCount(): number {
    const { after } = this.tree;
    let count = 0;
    for (let child = this.index + 1, end = after[this.index]!; child < end; child = after[child]!) count++;
    return count;
  }

  get namedChildCount(): number {
    const { after, flags } = this.tree;
    let count = 0;
    for (let child = this.index + 1, end = after[this.index]!; child < end; child = after[child]!) if (flags[child]! & NAMED) count++;
    return count;
  }

  child(index: number): PyNode | null {
    const { after } = this.tree;
    let k = 0;
    for (let child = this.index + 1, end = after[this.index]!; child < end; child = after[child]!) if (k++ === index) return new PyNode(this.tree, child);
    return null;
  }

  namedChild(index: number): PyNode | null {
    const { after, flags } = this.tree;
    let k = 0;
    for (let child = this.index + 1, end = after[this.index]!; child < end; child = after[child]!) {
      if (flags[child]! & NAMED && k++ === index) return new PyNode(this.tree, child);
    }
    return null;
  }

  get children(): PyNode[] {
    const { after } = this.tree;
    const out: PyNode[] = [];
    for (let child = this.index + 1, end = after[this.index]!; child < end; child = after[child]!) out.push(new PyNode(this.tree, child));
    return out;
  }

  get namedChildren(): PyNode[] {
    const { after, flags } = this.tree;
    const out: PyNode[] = [];
    for (let child = this.index + 1, end = after[this.index]!; child < end; child = after[child]!) if (flags[child]! & NAMED) out.push(new PyNode(this.tree, child));
    return out;
  }

  /** The first child in the field (as web-tree-sitter: null for a name that is no field). */
  childForFieldName(name: string): PyNode | null {
    const field = this.tree.language.fieldIds.get(name);
    if (field === undefined) return null;
    const { after, fields } = this.tree;
    for (let child = this.index + 1, end = after[this.index]!; child < end; child = after[child]!) if (fields[child] === field) return new PyNode(this.tree, child);
    return null;
  }

  childrenForFieldName(name: string): PyNode[] {
    const field = this.tree.language.fieldIds.get(name);
    const out: PyNode[] = [];
    if (field === undefined) return out;
    const { after, fields } = this.tree;
    for (let child = this.index + 1, end = after[this.index]!; child < end; child = after[child]!) if (fields[child] === field) out.push(new PyNode(this.tree, child));
    return out;
  }

  get nextNamedSibling(): PyNode | null {
    const { after, parents, flags } = this.tree;
    const parent = parents[this.index]! - 1;
    if (parent < 0) return null;
    // As tree-sitter: a sibling counts when it ends after this node (not an empty node at its end).
    const { ends } = this.tree;
    const endIndex = ends[this.index]!;
    for (let sibling = after[this.index]!, end = after[parent]!; sibling < end; sibling = after[sibling]!) {
      if (ends[sibling]! > endIndex && flags[sibling]! & NAMED) return new PyNode(this.tree, sibling);
    }
    return null;
  }

  /**
   * This node and its descendants of the types, in document order (web-tree-sitter's walk, which
   * also skips a subtree ending at offset 0).
   */
  descendantsOfType(types: string | readonly string[]): PyNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const { after, ends, language } = this.tree;
    const symbols = symbolsOf(language, wanted);
    const error = wanted.includes('ERROR');
    const out: PyNode[] = [];
    const typeIds = this.tree.types;
    for (let node = this.index, end = after[this.index]!; node < end; ) {
      if (ends[node] === 0) {
        node = after[node]!;
        continue;
      }
      const type = typeIds[node]!;
      if (type === ERROR_SYMBOL ? error : symbols[type] === 1) out.push(new PyNode(this.tree, node));
      node++;
    }
    return out;
  }

  /** The preorder index just past this node's subtree. */
  get subtreeEnd(): number {
    return this.tree.after[this.index]!;
  }
}

/** What findSyntaxError and findMisplacedAwait read: a PyNode, or web-tree-sitter's own Node. */
interface SyntaxNode<T> {
  readonly type: string;
  readonly parent: T | null;
  readonly hasError: boolean;
  readonly isError: boolean;
  readonly isMissing: boolean;
  readonly childCount: number;
  child(index: number): T | null;
  readonly children: readonly (T | null)[];
  descendantsOfType(type: string): (T | null)[];
}

/** The first ERROR or MISSING node, if the tree has one. */
export function findSyntaxError<T extends SyntaxNode<T>>(root: T): T | undefined {
  if (!root.hasError) return undefined;
  const stack: T[] = [root];
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
export function findMisplacedAwait<T extends SyntaxNode<T>>(root: T): T | undefined {
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
  /** The offset where each line starts: a typed array, a third of a number array's memory (it is kept for every module). */
  private readonly starts: Int32Array;
  constructor(text: string) {
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    this.starts = new Int32Array(count);
    let line = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts[line++] = i + 1;
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

/**
 * The named nodes below `node` in preorder, as a recursion over `namedChildren` meets them, without
 * entering (or giving) the nodes of the `skip` types: by preorder index, no child list is made.
 */
export function forEachNamedDescendant(node: PyNode, skip: readonly string[], visit: (index: number) => void): void {
  const { tree } = node;
  const { after, flags, types } = tree;
  const skipped = symbolsOf(tree.language, skip);
  for (let index = node.index + 1, end = after[node.index]!; index < end; ) {
    const type = types[index]!;
    // An unnamed node is no named child, and neither is anything below it.
    if ((flags[index]! & NAMED) === 0 || (type !== ERROR_SYMBOL && skipped[type] === 1)) {
      index = after[index]!;
      continue;
    }
    visit(index);
    index++;
  }
}

export function namedChildren(node: PyNode): PyNode[] {
  return node.namedChildren;
}

export function children(node: PyNode): PyNode[] {
  return node.children;
}
