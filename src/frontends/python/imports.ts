// Adds imports once per file: `import asyncio`, `from unittest import IsolatedAsyncioTestCase`.
import type { PyModule } from './modules.js';
import { namedChildren, type PyNode } from './parser.js';

export class ImportPlanner {
  private readonly added = new Map<string, Set<string>>();
  /** Names added to an existing `from m import …` statement, keyed by that statement. */
  private readonly appended = new Map<string, { module: PyModule; statement: PyNode; names: string[] }>();
  /** file -> declaration key -> [local name, text]; declared once, after the imports. */
  private readonly declarations = new Map<string, Map<string, [string, string]>>();

  constructor(private readonly modules: ReadonlyMap<string, PyModule>) {}

  /** Returns the local name to use; records the import line when the module lacks it. */
  ensure(module: PyModule, from: string, name: string, preferredLocal?: string): string {
    const wanted = new Set(this.added.get(module.file) ?? []);
    if (name === from || name === '' || name === '*') {
      if (!hasImport(module, from)) wanted.add(`import ${from}`);
      this.added.set(module.file, wanted);
      return from;
    }
    for (const [local, binding] of module.imports) {
      if (binding.kind === 'symbol' && binding.module === from && binding.name === name) return local;
    }
    const local = preferredLocal ?? name;
    const line = local === name ? `from ${from} import ${name}` : `from ${from} import ${name} as ${local}`;
    // `from unittest import TestCase` + IsolatedAsyncioTestCase -> one statement, not two.
    const statement = fromImportOf(module, from);
    if (statement) {
      const key = `${module.file}:${statement.startIndex}`;
      const entry = this.appended.get(key) ?? { module, statement, names: [] };
      const item = local === name ? name : `${name} as ${local}`;
      if (!entry.names.includes(item)) entry.names.push(item);
      this.appended.set(key, entry);
      return local;
    }
    wanted.add(line);
    this.added.set(module.file, wanted);
    return local;
  }

  /** A module-level binding declared once per key (`_executor = ThreadPoolExecutor()`). */
  declare(module: PyModule, key: string, preferredName: string, text: (local: string) => string): string {
    let byKey = this.declarations.get(module.file);
    if (!byKey) this.declarations.set(module.file, (byKey = new Map()));
    const known = byKey.get(key);
    if (known) return known[0];
    const taken = new Set([...module.functions.keys(), ...module.classes.keys(), ...module.variables.keys(), ...module.imports.keys(), ...[...byKey.values()].map(([local]) => local)]);
    let local = preferredName;
    for (let i = 2; taken.has(local); i++) local = `${preferredName}_${i}`;
    byKey.set(key, [local, text(local)]);
    return local;
  }

  /** The import lines and declarations to insert per file, with where to put them. */
  *insertions(): Generator<{ module: PyModule; at: number; text: string }> {
    for (const { module, statement, names } of this.appended.values()) {
      const items = statement.childrenForFieldName('name').filter((item): item is PyNode => item !== null);
      yield { module, at: items[items.length - 1]!.endIndex, text: names.map((name) => `, ${name}`).join('') };
    }
    const files = new Set([...this.added.keys(), ...this.declarations.keys()]);
    for (const file of files) {
      const module = [...this.modules.values()].find((m) => m.file === file);
      if (!module) continue;
      const anchor = importAnchor(module);
      const grouped = new Map<number, { before: boolean; blankLines: number; lines: string[] }>();
      for (const line of [...(this.added.get(file) ?? [])].sort()) {
        // `import redis.asyncio` goes right after the file's `import redis`.
        const sibling = packageImport(module, line);
        const at = sibling ? lineEnd(module, sibling.endIndex) : anchor.at;
        const before = sibling ? module.text[at - 1] === '\n' : anchor.before;
        const group = grouped.get(at) ?? { before, blankLines: sibling ? 0 : anchor.blankLines ?? 0, lines: [] };
        group.lines.push(line);
        grouped.set(at, group);
      }
      for (const [at, { before, blankLines, lines }] of grouped) {
        const text = before ? lines.map((line) => line + module.eol).join('') + module.eol.repeat(blankLines) : lines.map((line) => module.eol + line).join('');
        yield { module, at, text };
      }
      const declarations = [...(this.declarations.get(file)?.values() ?? [])].map(([, text]) => text);
      if (declarations.length > 0) {
        yield { module, at: afterImports(module), text: declarations.map((text) => module.eol + text).join('') };
      }
    }
  }
}

/** Just past the line break ending the line of `offset` (the end of the text on the last line). */
function lineEnd(module: PyModule, offset: number): number {
  const newline = module.text.indexOf('\n', offset);
  return newline < 0 ? module.text.length : newline + 1;
}

/** The top-level `import pkg` of the package a new `import pkg.sub` line names. */
function packageImport(module: PyModule, line: string): PyNode | undefined {
  const match = /^import (\w+)\./.exec(line);
  if (!match) return undefined;
  return namedChildren(module.tree.rootNode).find(
    (statement) => statement.type === 'import_statement' && namedChildren(statement).some((item) => item.text.split('.')[0] === match[1]),
  );
}

/** The end of the last top-level import statement, or the import anchor. */
function afterImports(module: PyModule): number {
  const imports = namedChildren(module.tree.rootNode).filter((s) => s.type === 'import_statement' || s.type === 'import_from_statement' || s.type === 'future_import_statement');
  const last = imports[imports.length - 1];
  return last ? last.endIndex : importAnchor(module).at;
}

/** A top-level `from <module> import a, b` (no `*`) to extend. */
function fromImportOf(module: PyModule, from: string): PyNode | undefined {
  // `from .store import load` imports from `pkg.store` too: compare the module each name comes from.
  const importsFrom = (item: PyNode | null): boolean => {
    const local = item?.type === 'aliased_import' ? item.childForFieldName('alias')?.text : item?.text;
    const binding = local ? module.imports.get(local) : undefined;
    return binding?.kind === 'symbol' && binding.module === from;
  };
  return namedChildren(module.tree.rootNode).find(
    (statement) =>
      statement.type === 'import_from_statement' &&
      statement.childrenForFieldName('name').some((item) => item !== null) &&
      (statement.childForFieldName('module_name')?.text === from || statement.childrenForFieldName('name').some(importsFrom)),
  );
}

function hasImport(module: PyModule, dotted: string): boolean {
  for (const statement of namedChildren(module.tree.rootNode)) {
    if (statement.type !== 'import_statement') continue;
    for (const item of namedChildren(statement)) {
      if (item.type === 'dotted_name' && item.text === dotted) return true;
    }
  }
  return false;
}

function isDocstring(node: PyNode): boolean {
  return node.type === 'expression_statement' && node.namedChild(0)?.type === 'string';
}

/**
 * Before the first top-level import (after `from __future__`), so `import asyncio` sorts in front of
 * the file's imports; with no import, after the docstring, or at the top of the file.
 */
function importAnchor(module: PyModule): { at: number; before: boolean; blankLines?: number } {
  const statements = namedChildren(module.tree.rootNode).filter((s) => s.type !== 'comment');
  const first = statements.find(
    (s) => (s.type === 'import_statement' || s.type === 'import_from_statement') && !/^from\s+__future__\b/.test(s.text),
  );
  if (first) return { at: module.lines.lineStart(first.startIndex), before: true };
  const futures = statements.filter((s) => s.type === 'future_import_statement' || /^from\s+__future__\b/.test(s.text));
  const after = futures[futures.length - 1] ?? (statements[0] && isDocstring(statements[0]) ? statements[0] : undefined);
  if (after) return { at: after.endIndex, before: false };
  // No imports and no docstring: the very top, after a shebang or coding line kept as comments.
  let at = 0;
  const text = module.text;
  while (text.startsWith('#', at)) {
    const next = text.indexOf('\n', at);
    if (next < 0) break;
    at = next + 1;
  }
  // A definition right below keeps the two blank lines PEP 8 puts around it.
  const definition = statements[0] && DEFINITIONS.has(statements[0].type) && statements[0].startIndex >= at;
  return { at, before: true, ...(definition ? { blankLines: 2 } : {}) };
}

const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition']);
