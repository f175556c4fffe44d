// A `with open(…) as f:` block in async code is one blocking unit: the open and every read and write
// on `f`. `to_thread(open, …)` alone would leave the reads and writes on the loop, so the whole block
// moves into a nested helper that runs in a thread:
//
//     def _file_io():                          # nonlocal for names the function binds elsewhere too
//         with open(path) as f:
//             data = f.read()
//         return data                          # names bound only here and used after the block
//     data = await asyncio.to_thread(_file_io)
//
// Only blocks whose meaning survives the move qualify; any other is reported, not edited.
import type { FileEditor } from '../../../frontend.js';
import { walkBody } from '../graph-builder.js';
import type { PyFunction } from '../modules.js';
import type { PyNode } from '../parser.js';

export interface ThreadUnit {
  statement: PyNode;
  fn: PyFunction;
  /** Names the helper assigns that the function also binds outside the block. */
  nonlocals: string[];
  /** Names bound only in the block (each by a plain top-level assignment) and used after it. */
  returned: string[];
}

/** Statements and expressions whose meaning changes inside a nested sync function. */
const SCOPE_SENSITIVE = new Set(['await', 'yield', 'return_statement', 'break_statement', 'continue_statement', 'global_statement',
  'nonlocal_statement', 'named_expression', 'import_statement', 'import_from_statement', 'delete_statement', 'function_definition',
  'class_definition', 'decorated_definition']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/**
 * The unit of the `with` statement whose only item opens a file with this call, if moving it into a
 * thread keeps its meaning. `callsOk` vets each call in the block (project functions that may turn
 * async, blocking calls that another fix would await, cannot run inside the sync helper).
 */
export function withBlockUnit(call: PyNode, fn: PyFunction, callsOk: (call: PyNode) => boolean, opensFile: (withStatement: PyNode) => boolean): ThreadUnit | undefined {
  const item = call.parent?.type === 'as_pattern' ? call.parent.parent : call.parent;
  const clause = item?.type === 'with_item' ? item.parent : null;
  const statement = clause?.type === 'with_clause' ? clause.parent : null;
  if (!statement || statement.type !== 'with_statement' || clause!.namedChildren.filter((c) => c?.type === 'with_item').length !== 1) return undefined;
  if (statement.children.some((child) => child?.type === 'async')) return undefined;
  if (fn.kind === 'module' || fn.kind === 'arrow' || !isStatementOf(statement, fn)) return undefined;
  const body = statement.childForFieldName('body');
  const module = fn.module;
  if (!body || module.lines.at(body.startIndex).line === module.lines.at(statement.startIndex).line) return undefined;
  if (!/^[ \t]*$/.test(module.text.slice(module.lines.lineStart(statement.startIndex), statement.startIndex))) return undefined;

  // Nothing in the block may depend on running in the async function's own frame.
  let movable = true;
  const bound = new Set<string>();
  const visit = (node: PyNode): void => {
    if (!movable) return;
    if (SCOPE_SENSITIVE.has(node.type)) movable = false;
    else if (node.type === 'string' && module.lines.at(node.startIndex).line !== module.lines.at(node.endIndex).line) movable = false; // re-indenting would change it
    else if (node.type === 'call' && (isZeroArgumentSuper(node) || (!node.equals(call) && !callsOk(node)))) movable = false;
    else for (const name of boundNames(node)) bound.add(name);
    if (node.type !== 'lambda') for (const child of node.namedChildren) if (child) visit(child);
  };
  visit(statement);
  if (!movable || functionDeclaresScopes(fn)) return undefined;

  const nonlocals: string[] = [];
  const returned: string[] = [];
  const plainlyAssigned = new Set(body.namedChildren.flatMap((stmt) => {
    const assignment = stmt?.type === 'expression_statement' ? stmt.namedChild(0) : null;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
    return left?.type === 'identifier' ? [left.text] : [];
  }));
  const outside = identifiersOutside(fn, statement, opensFile);
  for (const name of bound) {
    if (!outside.used.has(name)) continue; // local to the block: a local of the helper
    if (outside.bound.has(name)) nonlocals.push(name);
    // Returned values are lost if the block raises: only where no handler in the function can see them.
    else if (plainlyAssigned.has(name) && !isInsideTry(statement, fn)) returned.push(name);
    else return undefined;
  }
  return { statement, fn, nonlocals: nonlocals.sort(), returned: returned.sort() };
}

/** Whether the node is in the body of a `with` block that a unit will run in a thread. */
export function isInsideUnit(node: PyNode, unitOf: (withStatement: PyNode) => boolean, fn: PyFunction): boolean {
  for (let current = node.parent; current && !current.equals(fn.node); current = current.parent) {
    const body = current.type === 'with_statement' ? current.childForFieldName('body') : null;
    if (body && body.startIndex <= node.startIndex && node.endIndex <= body.endIndex && unitOf(current)) return true;
  }
  return false;
}

/** Writes the helper around the block and the awaited `to_thread` call after it. */
export function runUnitInThread(editor: FileEditor, unit: ThreadUnit): boolean {
  const { statement, fn } = unit;
  const { text, lines, eol } = fn.module;
  const body = statement.childForFieldName('body')!;
  const lineStart = lines.lineStart(statement.startIndex);
  const indent = text.slice(lineStart, statement.startIndex);
  const bodyIndent = text.slice(lines.lineStart(body.startIndex), body.startIndex);
  if (!bodyIndent.startsWith(indent) || bodyIndent.length === indent.length) return false;
  const unitIndent = bodyIndent.slice(indent.length);
  const asyncio = editor.ensureImport('asyncio', 'asyncio');
  const name = helperName(fn);
  const nonlocal = unit.nonlocals.length > 0 ? `${indent}${unitIndent}nonlocal ${unit.nonlocals.join(', ')}${eol}` : '';
  editor.insert(lineStart, `${indent}def ${name}():${eol}${nonlocal}${unitIndent}`, -2);
  // Every further line of the block moves one level in (blank lines stay empty).
  const lastLine = lines.at(statement.endIndex).line;
  for (let line = lines.at(statement.startIndex).line + 1; line <= lastLine; line++) {
    const start = lines.offsetOf(line, 1);
    const end = text.indexOf('\n', start);
    if (/\S/.test(text.slice(start, end === -1 ? text.length : end))) editor.insert(start, unitIndent, -2);
  }
  // After the block's last line, its trailing comment included.
  const newline = text.indexOf('\n', statement.endIndex);
  const lineEnd = newline === -1 ? text.length : text[newline - 1] === '\r' ? newline - 1 : newline;
  const names = unit.returned.join(', ');
  const returnLine = names ? `${eol}${indent}${unitIndent}return ${names}` : '';
  editor.insert(lineEnd, `${returnLine}${eol}${indent}${names ? `${names} = ` : ''}await ${asyncio}.to_thread(${name})`, 3);
  return true;
}

function helperName(fn: PyFunction): string {
  let name = '_file_io';
  for (let n = 2; new RegExp(`\\b${name}\\b`).test(fn.module.text); n++) name = `_file_io_${n}`;
  return name;
}

/** The statement belongs to the function's own body (not a nested def, class or lambda). */
function isStatementOf(statement: PyNode, fn: PyFunction): boolean {
  for (let current = statement.parent; current; current = current.parent) {
    if (current.equals(fn.node)) return true;
    if (current.type === 'function_definition' || current.type === 'lambda' || current.type === 'class_definition') return false;
  }
  return false;
}

function isZeroArgumentSuper(call: PyNode): boolean {
  return call.childForFieldName('function')?.text === 'super' && (call.childForFieldName('arguments')?.namedChildCount ?? 0) === 0;
}

/** Names a node binds in the enclosing scope (comprehension variables are the comprehension's own). */
function boundNames(node: PyNode): string[] {
  let target: PyNode | null = null;
  if (node.type === 'assignment' || node.type === 'augmented_assignment' || node.type === 'for_statement') target = node.childForFieldName('left');
  else if (node.type === 'as_pattern') target = node.childForFieldName('alias');
  if (!target) return [];
  if (target.type === 'identifier') return [target.text];
  if (target.type === 'attribute' || target.type === 'subscript') return [];
  return target.descendantsOfType('identifier').flatMap((id) => (id && !isAttributeOrSubscriptPart(id, target!) && !insideComprehension(id, target!) ? [id.text] : []));
}

/** `x.a = …` and `x[i] = …` bind nothing: they change an object (the target itself included). */
function isAttributeOrSubscriptPart(id: PyNode, target: PyNode): boolean {
  for (let current = id.parent; current; current = current.parent) {
    if (current.type === 'attribute' || current.type === 'subscript') return true;
    if (current.equals(target)) return false;
  }
  return false;
}

function insideComprehension(node: PyNode, stop: PyNode): boolean {
  for (let current = node.parent; current && !current.equals(stop); current = current.parent) if (COMPREHENSIONS.has(current.type)) return true;
  return false;
}

/**
 * Identifiers of the function outside the statement: the names used, and the names bound (parameters
 * included) outside every `with open(…)` block, as each of those may move into a helper of its own.
 * A use inside another such block of the name that block binds with `as` is that block's own.
 */
function identifiersOutside(fn: PyFunction, statement: PyNode, opensFile: (withStatement: PyNode) => boolean): { used: Set<string>; bound: Set<string> } {
  const blocks: PyNode[] = [];
  walkBody(fn.node.childForFieldName('body'), (node) => {
    if (node.type === 'with_statement' && (node.equals(statement) || opensFile(node))) blocks.push(node);
  });
  const within = (node: PyNode, block: PyNode): boolean => block.startIndex <= node.startIndex && node.endIndex <= block.endIndex;
  const used = new Set<string>();
  const bound = new Set<string>();
  for (const id of fn.node.descendantsOfType('identifier')) {
    if (!id || within(id, statement)) continue;
    const owner = blocks.find((block) => within(id, block));
    if (owner && asTargetOf(owner) === id.text) continue;
    used.add(id.text);
  }
  const parameters = fn.node.childForFieldName('parameters');
  for (const id of parameters?.descendantsOfType('identifier') ?? []) if (id) bound.add(id.text);
  walkBody(fn.node.childForFieldName('body'), (node) => {
    if (!blocks.some((block) => within(node, block))) for (const name of boundNames(node)) bound.add(name);
  });
  return { used, bound };
}

/** The first item of a `with` statement: its context manager expression and the `as` target, if any. */
export function firstWithItem(withStatement: PyNode): { manager: PyNode; alias?: PyNode } | undefined {
  const item = withStatement.namedChildren.find((child) => child?.type === 'with_clause')?.namedChild(0);
  const value = item?.childForFieldName('value');
  if (!value) return undefined;
  if (value.type !== 'as_pattern') return { manager: value };
  const manager = value.namedChild(0);
  const alias = value.childForFieldName('alias');
  return manager ? { manager, ...(alias ? { alias: alias.namedChild(0) ?? alias } : {}) } : undefined;
}

/** The name a `with … as name:` binds. */
function asTargetOf(withStatement: PyNode): string | undefined {
  const alias = firstWithItem(withStatement)?.alias;
  return alias?.type === 'identifier' ? alias.text : undefined;
}

function functionDeclaresScopes(fn: PyFunction): boolean {
  return fn.node.descendantsOfType(['global_statement', 'nonlocal_statement']).length > 0;
}

function isInsideTry(statement: PyNode, fn: PyFunction): boolean {
  for (let current = statement.parent; current && !current.equals(fn.node); current = current.parent) if (current.type === 'try_statement') return true;
  return false;
}
