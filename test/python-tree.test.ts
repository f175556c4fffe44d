// The compact Python tree (src/frontends/python/parser.ts) must answer every question the front-end
// asks exactly as web-tree-sitter's own nodes do: the reports are computed from these answers. This
// parses every .py file of the fixtures, and texts with syntax errors, both ways and compares them
// node by node.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { loadPythonParser, parsePython, type PyNode } from '../src/frontends/python/parser.js';
import { walkBody } from '../src/frontends/python/graph-builder.js';

let parser: Parser;
let fieldNames: string[];

beforeAll(async () => {
  await loadPythonParser();
  await Parser.init();
  const language = await Language.load(createRequire(import.meta.url).resolve('tree-sitter-python/tree-sitter-python.wasm'));
  parser = new Parser();
  parser.setLanguage(language);
  fieldNames = language.fields.filter((name): name is string => name !== null);
});

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pythonFiles(full);
    return entry.name.endsWith('.py') ? [full] : [];
  });
}

const shape = (node: Node | PyNode | null | undefined): string => (node ? `${node.type}@${node.startIndex}-${node.endIndex}` : 'null');

/** Every answer about one node, as a string: equal strings, equal answers. */
function describeNode(node: Node | PyNode): string {
  const parts = [
    shape(node),
    `named=${node.isNamed} error=${node.isError} missing=${node.isMissing} hasError=${node.hasError}`,
    `text=${JSON.stringify(node.text)}`,
    `parent=${shape(node.parent)}`,
    `children=${node.childCount}:${node.children.map(shape).join(',')}`,
    `named=${node.namedChildCount}:${node.namedChildren.map(shape).join(',')}`,
    `child0=${shape(node.child(0))} child1=${shape(node.child(1))} named1=${shape(node.namedChild(1))}`,
    `next=${shape(node.nextNamedSibling)}`,
  ];
  for (const field of fieldNames) {
    const first = node.childForFieldName(field);
    const all = node.childrenForFieldName(field);
    if (first || all.length > 0) parts.push(`${field}=${shape(first)}/${all.map(shape).join(',')}`);
  }
  if (node.type === 'module' || node.type === 'function_definition' || node.type === 'call' || node.type === 'ERROR') {
    for (const types of [['call'], ['identifier'], ['await'], ['assignment', 'with_item'], ['ERROR']]) {
      parts.push(`${types.join('|')}=${node.descendantsOfType(types).map(shape).join(',')}`);
    }
  }
  return parts.join('\n');
}

function compareTrees(text: string): number {
  const wasm = parser.parse(text)!;
  const compact = parsePython(text);
  let nodes = 0;
  try {
    const stack: [Node, PyNode][] = [[wasm.rootNode, compact.rootNode]];
    while (stack.length > 0) {
      const [a, b] = stack.pop()!;
      expect(describeNode(b)).toBe(describeNode(a));
      nodes++;
      const left = a.children.filter((child): child is Node => child !== null);
      const right = b.children;
      expect(right.length).toBe(left.length);
      for (let i = 0; i < left.length; i++) stack.push([left[i]!, right[i]!]);
    }
  } finally {
    wasm.delete();
  }
  return nodes;
}

describe('the compact Python tree', () => {
  it('answers as web-tree-sitter on every node of every fixture file', () => {
    const files = pythonFiles(path.resolve('fixtures'));
    expect(files.length).toBeGreaterThan(50);
    let nodes = 0;
    for (const file of files) nodes += compareTrees(readFileSync(file, 'utf8'));
    expect(nodes).toBeGreaterThan(10_000);
  });

  it('answers as web-tree-sitter on texts with syntax errors, missing tokens and odd characters', () => {
    for (const text of [
      '',
      'def f(:\n    pass\n',
      'x = (1, 2\n',
      'class C:\n    def m(self)\n        return 1\n',
      'async def f():\n    await g(\n',
      'print "python 2"\n',
      's = "é🙂" + f"{x!r:>{w}}"  # comment\nif a:\n\tb()\n',
      'def f():\n    return [x async for x in g() if await h(x)]\n',
    ]) compareTrees(text);
  });

  it('answers as web-tree-sitter past 16-bit offsets and node counts (a file of 64 K characters or nodes)', () => {
    // Small files keep their offsets and indices in 16 bits; past either bound the tree must not wrap.
    const long = Array.from({ length: 3_000 }, (_, i) => `value_${i} = compute(${i}, "text")\n`).join('');
    expect(long.length).toBeGreaterThan(0xffff);
    expect(compareTrees(long)).toBeLessThan(0xffff);
    const dense = 'f(a,b)\n'.repeat(8_000);
    expect(dense.length).toBeLessThan(0xffff);
    expect(compareTrees(dense)).toBeGreaterThan(0xffff);
  });

  it('walks a body as a recursion over named children does, by preorder index', () => {
    // walkBody skips subtrees by index; the recursion it replaced is the reference.
    const recurse = (node: PyNode, out: string[]): void => {
      out.push(shape(node));
      for (const child of node.namedChildren) if (!['function_definition', 'lambda', 'class_definition'].includes(child.type)) recurse(child, out);
    };
    let bodies = 0;
    for (const file of pythonFiles(path.resolve('fixtures'))) {
      const tree = parsePython(readFileSync(file, 'utf8'));
      for (const scope of [tree.rootNode, ...tree.rootNode.descendantsOfType(['function_definition', 'class_definition', 'ERROR'])]) {
        const body = scope.childForFieldName('body') ?? scope;
        const expected: string[] = [];
        recurse(body, expected);
        const walked: string[] = [];
        walkBody(body, (node) => walked.push(shape(node)));
        expect(walked).toEqual(expected);
        bodies++;
      }
    }
    expect(bodies).toBeGreaterThan(500);
  });

  it('gives every node an id no other node of the process has', () => {
    const a = parsePython('f(x)\n');
    const b = parsePython('f(x)\n');
    expect(a.rootNode.id).not.toBe(b.rootNode.id);
    expect(a.rootNode.equals(b.rootNode)).toBe(false);
    expect(a.rootNode.namedChild(0)!.equals(a.rootNode.namedChild(0)!)).toBe(true);
  });
});
