// Adds imports once per file (`import asyncio`, `from unittest import IsolatedAsyncioTestCase`), and
// removes the ones the migration's own edits left unused (`import time` once every `time.sleep` is
// `asyncio.sleep`).
import type { TextEdit } from '../../edits/edit-set.js';
import { asyncSiblingName, IMPORT_SCOPES, type PyFunction, type PyModule } from './modules.js';
import { namedChildren, type PyNode } from './parser.js';
import { isVariableName } from './walk.js';

/**
 * Where a bare call `f(…)` that moves to `f`'s async sibling gets the sibling's name from: nothing to
 * import (a method, a function of the same module or scope), the module's imports (the planner's
 * `ensure`), or the one `from x import f` inside a function that binds `f` where the call is, which
 * gains the sibling in that scope. An import the sibling cannot be added to safely (an alias, two
 * imports binding the name, `from x import *`) is `unsafe`: the call must keep the sync version.
 */
export type SiblingImport =
  | { kind: 'none' }
  | { kind: 'module' }
  | { kind: 'local'; statement: PyNode; scope: PyFunction; present: boolean }
  | { kind: 'unsafe'; reason: string; suggestion: string };

export function siblingImportOf(nameNode: PyNode | undefined, enclosing: PyFunction, callee: PyFunction): SiblingImport {
  if (!nameNode || callee.cls || nameNode.type !== 'identifier' || nameNode.parent?.type !== 'call') return { kind: 'none' };
  const name = nameNode.text;
  const sibling = asyncSiblingName(callee);
  const where = `${enclosing.module.rel}:${enclosing.module.lines.at(nameNode.startIndex).line}`;
  const keep = (why: string, fix: string): SiblingImport => ({
    kind: 'unsafe',
    reason: `the call of ${name} at ${where} keeps the sync ${callee.name} instead of moving to ${sibling}: ${why}`,
    suggestion: fix,
  });
  for (let scope: PyFunction | undefined = enclosing; scope && scope.kind !== 'module'; scope = scope.parent) {
    if (scope.nested?.has(name)) return { kind: 'none' };
    const binding = scope.imports?.get(name);
    if (!binding) continue;
    const statements = importsBinding(scope.node.childForFieldName('body')!, name);
    if (statements.length !== 1) {
      return keep(`${name} is bound by ${statements.length} imports in ${scope.qualName}, and which one runs is not known`,
        `Import ${sibling} beside each of them (or keep one import), then re-run async-migrate.`);
    }
    const [{ statement, item }] = statements as [{ statement: PyNode; item: PyNode }];
    if (statement.type !== 'import_from_statement' || binding.kind !== 'symbol') return { kind: 'none' };
    if (item.type === 'aliased_import') {
      return keep(`${name} is an alias (\`${statement.text.replace(/\s+/g, ' ')}\` in ${scope.qualName}), and the sibling's name there is not known`,
        `Import ${sibling} in ${scope.qualName} (or drop the alias), then re-run async-migrate.`);
    }
    const existing = scope.imports?.get(sibling);
    if (existing && !(existing.kind === 'symbol' && existing.module === binding.module && existing.name === sibling)) {
      return keep(`${sibling} already names something else in ${scope.qualName}`, `Rename what ${sibling} names in ${scope.qualName}, then re-run async-migrate.`);
    }
    return { kind: 'local', statement, scope, present: existing !== undefined };
  }
  const module = enclosing.module;
  if (module.imports.has(name)) return { kind: 'module' };
  if (module.functions.has(name) || module.classes.has(name)) return { kind: 'none' };
  const star = namedChildren(module.tree.rootNode).find(
    (statement) => statement.type === 'import_from_statement' && statement.namedChildren.some((child) => child?.type === 'wildcard_import'),
  );
  if (star) {
    return keep(`${name} comes from \`${star.text}\`, which may not bind ${sibling}`,
      `Import ${name} and ${sibling} by name, then re-run async-migrate.`);
  }
  return { kind: 'none' };
}

/** The import statements of a scope's own body (not nested defs or classes) that bind `name`, with the item binding it. */
function importsBinding(body: PyNode, name: string): { statement: PyNode; item: PyNode }[] {
  const found: { statement: PyNode; item: PyNode }[] = [];
  const visit = (node: PyNode): void => {
    for (const child of namedChildren(node)) {
      if (child.type === 'import_from_statement') {
        for (const item of child.childrenForFieldName('name')) {
          if (!item) continue;
          const local = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : item.text;
          if (local === name) found.push({ statement: child, item });
        }
      } else if (child.type === 'import_statement') {
        for (const item of namedChildren(child)) {
          const local = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : item.text.split('.')[0];
          if (local === name) found.push({ statement: child, item });
        }
      } else if (IMPORT_SCOPES.has(child.type)) visit(child);
    }
  };
  visit(body);
  return found;
}

export class ImportPlanner {
  private readonly added = new Map<string, Set<string>>();
  /** Names added to an existing `from m import …` statement, keyed by that statement. */
  private readonly appended = new Map<string, { module: PyModule; statement: PyNode; names: string[] }>();
  /** Imported names the migration's edits leave unused, keyed by their statement. */
  private readonly removed = new Map<string, { module: PyModule; statement: PyNode; items: PyNode[] }>();
  /** file -> declaration key -> [local name, text]; declared once, after the imports. */
  private readonly declarations = new Map<string, Map<string, [string, string]>>();

  /** Names added to a `from m import …` inside a function, keyed by that statement; edited where the function's text goes. */
  private readonly localAppended = new Map<string, { module: PyModule; statement: PyNode; names: string[] }>();

  constructor(private readonly modules: ReadonlyMap<string, PyModule>) {}

  /** `name` joins the function-local import `statement` (one name per line kept so). */
  extendLocal(module: PyModule, statement: PyNode, name: string): void {
    const key = `${module.file}:${statement.startIndex}`;
    const entry = this.localAppended.get(key) ?? { module, statement, names: [] };
    if (!entry.names.includes(name)) entry.names.push(name);
    this.localAppended.set(key, entry);
  }

  /** The edits of the function-local imports that gained names; the caller routes them (into a sibling's copy, or the file). */
  *localInsertions(): Generator<{ module: PyModule; start: number; end: number; text: string }> {
    for (const { module, statement, names } of this.localAppended.values()) {
      for (const edit of rewriteImport(module, statement, names, [])) yield { module, ...edit };
    }
    this.localAppended.clear();
  }

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

  /**
   * Records the top-level imports of the module that `edits` (every edit of the file, against the
   * original text) leave unused: each use of the name in code lies inside text an edit replaces, and
   * no edit writes the name again. An import nothing used before stays (it may be a re-export or a
   * side effect), and so does one a package `__init__.py` holds, one `__all__` lists, or one another
   * module imports from this one. Strings and comments are no uses.
   */
  dropUnused(module: PyModule, edits: readonly TextEdit[]): void {
    if (module.isPackage) return;
    const exported = exportedNames(module);
    const uses = new Map<string, PyNode[]>();
    const collect = (node: PyNode): void => {
      if (node.type === 'import_statement' || node.type === 'import_from_statement' || node.type === 'future_import_statement') return;
      if (node.type === 'identifier' && isVariableName(node)) {
        const list = uses.get(node.text) ?? [];
        list.push(node);
        uses.set(node.text, list);
      }
      for (const child of namedChildren(node)) collect(child);
    };
    collect(module.tree.rootNode);
    const replacing = edits.filter((edit) => edit.end > edit.start);
    for (const statement of namedChildren(module.tree.rootNode)) {
      if (statement.type !== 'import_statement' && statement.type !== 'import_from_statement') continue;
      if (statement.namedChildren.some((child) => child?.type === 'wildcard_import')) continue;
      const unused = importedItems(statement).filter(({ local }) => {
        const found = uses.get(local) ?? [];
        if (found.length === 0 || exported.has(local) || this.importedElsewhere(module, local)) return false;
        const word = new RegExp(`(?<![\\w.])${local}(?!\\w)`);
        if (edits.some((edit) => word.test(edit.text))) return false;
        return found.every((use) => replacing.some((edit) => edit.start <= use.startIndex && use.endIndex <= edit.end));
      });
      if (unused.length > 0) this.removed.set(`${module.file}:${statement.startIndex}`, { module, statement, items: unused.map(({ item }) => item) });
    }
  }

  /** `module\0name` of every `from module import name` in the project, built once (a scan per question was quadratic). */
  private importedNames: Set<string> | undefined;

  /** Another module of the project imports the name from this one (`from store import time`). */
  private importedElsewhere(module: PyModule, local: string): boolean {
    if (!this.importedNames) {
      this.importedNames = new Set();
      for (const other of this.modules.values()) {
        for (const binding of other.imports.values()) if (binding.kind === 'symbol') this.importedNames.add(`${binding.module}\0${binding.name}`);
      }
    }
    return this.importedNames.has(`${module.name}\0${local}`);
  }

  private byFile: Map<string, PyModule> | undefined;

  private moduleOfFile(file: string): PyModule | undefined {
    // The first module of a file, as a search in order would find it.
    if (!this.byFile) {
      this.byFile = new Map();
      for (const module of this.modules.values()) if (!this.byFile.has(module.file)) this.byFile.set(module.file, module);
    }
    return this.byFile.get(file);
  }

  /** The import lines and declarations to insert, and the import statements to rewrite, per file. */
  *insertions(): Generator<{ module: PyModule; start: number; end: number; text: string }> {
    const statements = new Map<string, { module: PyModule; statement: PyNode; names: string[]; removed: PyNode[] }>();
    for (const [key, { module, statement, names }] of this.appended) statements.set(key, { module, statement, names, removed: [] });
    for (const [key, { module, statement, items }] of this.removed) {
      const entry = statements.get(key) ?? { module, statement, names: [], removed: [] };
      entry.removed = items;
      statements.set(key, entry);
    }
    for (const { module, statement, names, removed } of statements.values()) {
      for (const edit of rewriteImport(module, statement, names, removed)) yield { module, ...edit };
    }
    const files = new Set([...this.added.keys(), ...this.declarations.keys()]);
    for (const file of files) {
      const module = this.moduleOfFile(file);
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
        yield { module, start: at, end: at, text };
      }
      const declarations = [...(this.declarations.get(file)?.values() ?? [])].map(([, text]) => text);
      if (declarations.length > 0) {
        const at = afterImports(module);
        yield { module, start: at, end: at, text: declarations.map((text) => module.eol + text).join('') };
      }
    }
  }
}

/** Names `__all__` lists. */
function exportedNames(module: PyModule): Set<string> {
  const list = module.variables.get('__all__');
  return new Set((list ? list.descendantsOfType('string') : []).flatMap((item) => (item ? [item.text.replace(/^[a-zA-Z]*["']+|["']+$/g, '')] : [])));
}

/** The items of an import statement with the name each binds (`import a.b` binds `a`). */
function importedItems(statement: PyNode): { item: PyNode; local: string }[] {
  return statement.childrenForFieldName('name').flatMap((item) => {
    if (!item) return [];
    if (item.type === 'aliased_import') {
      const alias = item.childForFieldName('alias')?.text;
      return alias ? [{ item, local: alias }] : [];
    }
    // `import os.path` binds `os`, which `import os` may bind too: left alone.
    return item.type === 'dotted_name' && !item.text.includes('.') ? [{ item, local: item.text }] : [];
  });
}

/**
 * The edits that add `names` to an import statement and take `removed` items out, in its own layout:
 * one name per line in parentheses gets a line per new name (with its trailing comma) and loses the
 * lines of removed names; a statement on one line is written anew; a statement with every name
 * removed and none added goes, with its line. Another layout with removals keeps its names (rare,
 * and rewriting it could lose comments).
 */
function rewriteImport(module: PyModule, statement: PyNode, names: readonly string[], removed: readonly PyNode[]): { start: number; end: number; text: string }[] {
  const { text, lines, eol } = module;
  const items = statement.childrenForFieldName('name').filter((item): item is PyNode => item !== null);
  const last = items[items.length - 1]!;
  const isRemoved = (item: PyNode): boolean => removed.some((gone) => gone.equals(item));
  const kept = items.filter((item) => !isRemoved(item));
  const lineOf = (offset: number): number => lines.at(offset).line;
  const appendOnly = (): { start: number; end: number; text: string }[] =>
    names.length === 0 ? [] : [{ start: last.endIndex, end: last.endIndex, text: names.map((name) => `, ${name}`).join('') }];
  const wholeLines = (first: PyNode, end: PyNode): { start: number; end: number } | undefined => {
    const start = lines.lineStart(first.startIndex);
    const lineEnd = text.indexOf('\n', end.endIndex);
    const after = text.slice(end.endIndex, lineEnd === -1 ? text.length : lineEnd);
    if (!/^[ \t]*$/.test(text.slice(start, first.startIndex)) || !/^[ \t]*,?[ \t]*(#.*)?\r?$/.test(after)) return undefined;
    return { start, end: lineEnd === -1 ? text.length : lineEnd + 1 };
  };
  if (kept.length === 0 && names.length === 0) {
    const span = wholeLines(statement, statement);
    return span ? [{ ...span, text: '' }] : [];
  }
  const open = statement.children.find((child) => child?.type === '(') ?? undefined;
  const oneNamePerLine = open !== undefined && items.every((item, index) => lineOf(item.startIndex) === lineOf(open.startIndex) + 1 + index)
    && lineOf(statement.endIndex) > lineOf(last.endIndex);
  if (oneNamePerLine) {
    const edits: { start: number; end: number; text: string }[] = [];
    for (const item of removed) {
      const span = wholeLines(item, item);
      if (!span) return appendOnly();
      edits.push({ ...span, text: '' });
    }
    if (names.length > 0) {
      const indent = text.slice(lines.lineStart(last.startIndex), last.startIndex);
      // A trailing comma after the last name stays the style: the new last name gets one, or none.
      const trailingComma = /^[ \t]*,/.test(text.slice(last.endIndex));
      if (!trailingComma && !isRemoved(last)) edits.push({ start: last.endIndex, end: last.endIndex, text: ',' });
      const after = wholeLines(last, last)?.end ?? lines.lineStart(statement.endIndex);
      const added = names.map((name, index) => `${indent}${name}${trailingComma || index < names.length - 1 ? ',' : ''}${eol}`);
      edits.push({ start: after, end: after, text: added.join('') });
    }
    return edits;
  }
  if (removed.length === 0) return appendOnly();
  if (lineOf(items[0]!.startIndex) !== lineOf(last.endIndex)) return appendOnly();
  return [{ start: items[0]!.startIndex, end: last.endIndex, text: [...kept.map((item) => item.text), ...names].join(', ') }];
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
