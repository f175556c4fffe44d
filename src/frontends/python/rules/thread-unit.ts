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
// A redis pipeline is such a unit too: from `pipe = r.pipeline()` to the statement of its last use
// (`return len(pipe.execute())` included: the helper returns the value, so does the function).
// Only blocks whose meaning survives the move qualify; any other is reported, not edited.
import type { FileEditor } from '../../../frontend.js';
import { walkBody } from '../graph-builder.js';
import type { PyFunction } from '../modules.js';
import type { PyNode } from '../parser.js';
import { parameterName } from '../resolver.js';
import { isVariableName } from '../walk.js';

export interface ThreadUnit {
  /** The first and the last statement that move (a `with` block: the same statement). */
  first: PyNode;
  last: PyNode;
  fn: PyFunction;
  /** Names the helper assigns that the function also binds outside the block. */
  nonlocals: string[];
  /** Names bound only in the block (each by a plain top-level assignment) and used after it. */
  returned: string[];
  /** The last statement is `return value`: the helper returns it, and the function what the thread gives back. */
  returns: boolean;
  /** The helper's name (numbered when the module has it already). */
  helper: string;
}

/**
 * Statements of a function that may each move into a helper of their own (a `with open` block, a
 * pipeline's statements), and the name each binds first (`as f`, `pipe = …`): a use of that name
 * inside it is its own, not a use from outside.
 */
export interface UnitCandidate {
  first: PyNode;
  last: PyNode;
  ownName?: string;
}

/** Statements and expressions whose meaning changes inside a nested sync function. */
const SCOPE_SENSITIVE = new Set(['await', 'yield', 'return_statement', 'break_statement', 'continue_statement', 'global_statement',
  'nonlocal_statement', 'named_expression', 'import_statement', 'import_from_statement', 'delete_statement', 'function_definition',
  'class_definition', 'decorated_definition']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/**
 * The unit of the `with` statement whose only item is this call (it opens a file, builds a pipeline),
 * if moving it into a thread keeps its meaning. `callsOk` vets each other call in the block (project
 * functions that may turn async, blocking calls that another fix would await, cannot run inside the
 * sync helper); `candidates` are the function's statements that may move into helpers of their own.
 */
export function withBlockUnit(call: PyNode, fn: PyFunction, callsOk: (call: PyNode) => boolean, candidates: () => UnitCandidate[], helper = '_file_io'): ThreadUnit | undefined {
  const item = call.parent?.type === 'as_pattern' ? call.parent.parent : call.parent;
  const clause = item?.type === 'with_item' ? item.parent : null;
  const statement = clause?.type === 'with_clause' ? clause.parent : null;
  if (!statement || statement.type !== 'with_statement' || clause!.namedChildren.filter((c) => c?.type === 'with_item').length !== 1) return undefined;
  if (statement.children.some((child) => child?.type === 'async')) return undefined;
  const body = statement.childForFieldName('body');
  const module = fn.module;
  if (!body || module.lines.at(body.startIndex).line === module.lines.at(statement.startIndex).line) return undefined;
  return statementsUnit({ first: statement, last: statement, ownName: asTargetOf(statement) }, fn, call, callsOk, candidates, helper, false);
}

/**
 * The unit of the statements from `first` to `last` (siblings in one block of the function's own
 * body), if moving them into a thread keeps their meaning; `exempt` is the call that makes the unit
 * (`open(…)`, `r.pipeline()`), not vetted by `callsOk`. With `mayReturn`, the last statement may be a
 * `return` at the top of the unit.
 */
export function statementsUnit(unit: UnitCandidate, fn: PyFunction, exempt: PyNode, callsOk: (call: PyNode) => boolean, candidates: () => UnitCandidate[], helper: string, mayReturn: boolean): ThreadUnit | undefined {
  const { first, last } = unit;
  if (fn.kind === 'module' || fn.kind === 'arrow' || !isStatementOf(first, fn)) return undefined;
  const module = fn.module;
  if (!/^[ \t]*$/.test(module.text.slice(module.lines.lineStart(first.startIndex), first.startIndex))) return undefined;
  const lineEnd = endOfLine(module.text, last.endIndex);
  if (!/^[ \t]*(#.*)?$/.test(module.text.slice(last.endIndex, lineEnd))) return undefined;
  const returns = mayReturn && last.type === 'return_statement';
  if (returns && !last.namedChild(0)) return undefined;

  // Nothing in the unit may depend on running in the async function's own frame.
  let movable = true;
  const bound = new Set<string>();
  const visit = (node: PyNode): void => {
    if (!movable) return;
    if (SCOPE_SENSITIVE.has(node.type) && !(returns && node.equals(last))) movable = false;
    else if (node.type === 'string' && module.lines.at(node.startIndex).line !== module.lines.at(node.endIndex).line) movable = false; // re-indenting would change it
    else if (node.type === 'call' && (isZeroArgumentSuper(node) || (!node.equals(exempt) && !callsOk(node)))) movable = false;
    else for (const name of boundNames(node)) bound.add(name);
    if (node.type !== 'lambda') for (const child of node.namedChildren) if (child) visit(child);
  };
  for (let statement: PyNode | null = first; statement; statement = statement.equals(last) ? null : statement.nextNamedSibling) visit(statement);
  if (!movable || functionDeclaresScopes(fn)) return undefined;

  const nonlocals: string[] = [];
  const returned: string[] = [];
  const topLevel = first.equals(last) && first.type === 'with_statement' ? first.childForFieldName('body')!.namedChildren : siblingsFrom(first, last);
  const plainlyAssigned = new Set(topLevel.flatMap((stmt) => {
    const assignment = stmt?.type === 'expression_statement' ? stmt.namedChild(0) : null;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
    return left?.type === 'identifier' ? [left.text] : [];
  }));
  const outside = identifiersOutside(fn, unit, candidates());
  for (const name of bound) {
    if (!outside.used.has(name)) continue; // local to the unit: a local of the helper
    if (outside.bound.has(name)) nonlocals.push(name);
    // Returned values are lost if the unit raises: only where no handler in the function can see them.
    else if (plainlyAssigned.has(name) && !returns && !isInsideTry(first, fn)) returned.push(name);
    else return undefined;
  }
  return { first, last, fn, nonlocals: nonlocals.sort(), returned: returned.sort(), returns, helper };
}

function siblingsFrom(first: PyNode, last: PyNode): PyNode[] {
  const statements: PyNode[] = [];
  for (let statement: PyNode | null = first; statement; statement = statement.equals(last) ? null : statement.nextNamedSibling) statements.push(statement);
  return statements;
}

/** The end of the line that holds `at`, before its line break. */
function endOfLine(text: string, at: number): number {
  const newline = text.indexOf('\n', at);
  return newline === -1 ? text.length : text[newline - 1] === '\r' ? newline - 1 : newline;
}

/** Whether the node is in the body of a `with` block that a unit will run in a thread. */
export function isInsideUnit(node: PyNode, unitOf: (withStatement: PyNode) => boolean, fn: PyFunction): boolean {
  for (let current = node.parent; current && !current.equals(fn.node); current = current.parent) {
    const body = current.type === 'with_statement' ? current.childForFieldName('body') : null;
    if (body && body.startIndex <= node.startIndex && node.endIndex <= body.endIndex && unitOf(current)) return true;
  }
  return false;
}

/** Writes the helper around the unit and the awaited `to_thread` call after it. */
export function runUnitInThread(editor: FileEditor, unit: ThreadUnit): boolean {
  const { first, last, fn } = unit;
  const { text, lines, eol } = fn.module;
  const lineStart = lines.lineStart(first.startIndex);
  const indent = text.slice(lineStart, first.startIndex);
  const unitIndent = indentStep(first, fn);
  if (unitIndent === undefined) return false;
  const asyncio = editor.ensureImport('asyncio', 'asyncio');
  const name = helperName(fn, unit.helper);
  const nonlocal = unit.nonlocals.length > 0 ? `${indent}${unitIndent}nonlocal ${unit.nonlocals.join(', ')}${eol}` : '';
  editor.insert(lineStart, `${indent}def ${name}():${eol}${nonlocal}${unitIndent}`, -2);
  // Every further line of the unit moves one level in (blank lines stay empty).
  const lastLine = lines.at(last.endIndex).line;
  for (let line = lines.at(first.startIndex).line + 1; line <= lastLine; line++) {
    const start = lines.offsetOf(line, 1);
    const end = text.indexOf('\n', start);
    if (/\S/.test(text.slice(start, end === -1 ? text.length : end))) editor.insert(start, unitIndent, -2);
  }
  // After the unit's last line, its trailing comment included.
  const names = unit.returned.join(', ');
  const returnLine = names ? `${eol}${indent}${unitIndent}return ${names}` : '';
  const result = unit.returns ? 'return ' : names ? `${names} = ` : '';
  editor.insert(endOfLine(text, last.endIndex), `${returnLine}${eol}${indent}${result}await ${asyncio}.to_thread(${name})`, 3);
  return true;
}

/**
 * One level of indentation: a `with` block's own (its body's lines are indented by it), else the
 * function's (its body's indentation beyond its `def`).
 */
function indentStep(first: PyNode, fn: PyFunction): string | undefined {
  const { text, lines } = fn.module;
  const step = (outer: PyNode, body: PyNode | null): string | undefined => {
    if (!body) return undefined;
    const outerIndent = text.slice(lines.lineStart(outer.startIndex), outer.startIndex);
    const bodyIndent = text.slice(lines.lineStart(body.startIndex), body.startIndex);
    return bodyIndent.startsWith(outerIndent) && bodyIndent.length > outerIndent.length && /^[ \t]*$/.test(bodyIndent) ? bodyIndent.slice(outerIndent.length) : undefined;
  };
  return first.type === 'with_statement' ? step(first, first.childForFieldName('body')) : step(fn.node, fn.node.childForFieldName('body'));
}

/** Helper names already given out in each function during this run (the PyFunction is per run). */
const helpersGiven = new WeakMap<PyFunction, Set<string>>();

/**
 * A name for a new helper that nothing in the module spells (a local, a global, an attribute or a
 * string: cheap and on the safe side) and that no other helper of this function got: two units of one
 * function get `_file_io` and `_file_io_2`, not two `def`s of one name.
 */
function helperName(fn: PyFunction, stem: string): string {
  let given = helpersGiven.get(fn);
  if (!given) helpersGiven.set(fn, (given = new Set()));
  let name = stem;
  for (let n = 2; given.has(name) || new RegExp(`(?<![\\w])${name}(?![\\w])`).test(fn.module.text); n++) name = `${stem}_${n}`;
  given.add(name);
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
 * Identifiers of the function outside the unit: the names used, and the names bound (parameters
 * included) outside every candidate unit, as each of those may move into a helper of its own. A use
 * inside another candidate of the name it binds first (`as f`, `pipe = …`) is that candidate's own.
 */
function identifiersOutside(fn: PyFunction, unit: UnitCandidate, candidates: readonly UnitCandidate[]): { used: Set<string>; bound: Set<string> } {
  const blocks = [unit, ...candidates];
  const within = (node: PyNode, block: UnitCandidate): boolean => block.first.startIndex <= node.startIndex && node.endIndex <= block.last.endIndex;
  const used = new Set<string>();
  const bound = new Set<string>();
  for (const id of fn.node.descendantsOfType('identifier')) {
    if (!id || within(id, unit) || !isVariableName(id)) continue;
    const owner = blocks.find((block) => within(id, block));
    if (owner?.ownName === id.text) continue;
    used.add(id.text);
  }
  const parameters = fn.node.childForFieldName('parameters');
  for (const parameter of parameters?.namedChildren ?? []) {
    const name = parameter ? parameterName(parameter) : undefined;
    if (name) bound.add(name);
  }
  walkBody(fn.node.childForFieldName('body'), (node) => {
    if (!blocks.some((block) => within(node, block))) for (const name of boundNames(node)) bound.add(name);
  });
  return { used, bound };
}

/** Methods that change the object they are called on (lists, dicts, sets, deques, queues, files). */
const MUTATING_METHODS = new Set(['append', 'extend', 'insert', 'pop', 'popitem', 'remove', 'clear', 'update', 'setdefault', 'add', 'discard',
  'sort', 'reverse', 'appendleft', 'extendleft', 'popleft', 'put', 'put_nowait', 'write', 'writelines', 'truncate']);
const FRESH_VALUES = new Set(['list', 'dictionary', 'set', 'tuple', ...COMPREHENSIONS]);

/**
 * What the unit changes that outlives it and others can read, in words (`the file it opens for
 * writing`, `` `self.items` ``), or undefined when it only reads. On the loop the unit ran whole
 * before any other task ran; in a thread, concurrent calls of the function (and any other code that
 * reads that state) interleave with it. `writesFile` says which calls in the unit write a file
 * (`open(p, "w")`, `Path.write_text`). Changes to names the unit binds, and to objects the function
 * made fresh for this call (`seen = []`), are its own.
 */
export function sharedStateWrittenBy(unit: Pick<ThreadUnit, 'first' | 'last' | 'fn'>, writesFile: (call: PyNode) => string | undefined): string | undefined {
  const { first, last, fn } = unit;
  const statements = siblingsFrom(first, last);
  const own = new Set<string>();
  const collectOwn = (node: PyNode): void => {
    for (const name of boundNames(node)) own.add(name);
    for (const child of node.namedChildren) if (child && child.type !== 'lambda') collectOwn(child);
  };
  statements.forEach(collectOwn);
  const isShared = (target: PyNode): boolean => {
    let root: PyNode | null = target;
    while (root && (root.type === 'attribute' || root.type === 'subscript')) root = root.childForFieldName(root.type === 'attribute' ? 'object' : 'value');
    return root?.type !== 'identifier' || (!own.has(root.text) && !isFreshLocal(root.text, fn));
  };
  let written: string | undefined;
  const visit = (node: PyNode): void => {
    if (written) return;
    const file = node.type === 'call' ? writesFile(node) : undefined;
    if (file) written = file;
    else if (node.type === 'assignment' || node.type === 'augmented_assignment' || node.type === 'delete_statement') {
      const targets = node.type === 'delete_statement' ? node.namedChildren : [node.childForFieldName('left')];
      for (const target of targets.flatMap((t) => (t ? (t.type === 'pattern_list' || t.type === 'tuple_pattern' || t.type === 'expression_list' ? t.namedChildren : [t]) : [])))
        if (target && (target.type === 'attribute' || target.type === 'subscript') && isShared(target)) written = `\`${target.text}\``;
    } else if (node.type === 'call') {
      const callee = node.childForFieldName('function');
      const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
      if (receiver && MUTATING_METHODS.has(callee!.childForFieldName('attribute')?.text ?? '') && isShared(receiver)) written = `\`${receiver.text}\``;
    }
    if (node.type !== 'lambda') for (const child of node.namedChildren) if (child) visit(child);
  };
  statements.forEach(visit);
  return written;
}

/** A local of the function (no parameter) whose every binding is a new container: `seen = []`, `{}`, a comprehension. */
function isFreshLocal(name: string, fn: PyFunction): boolean {
  const parameters = fn.node.childForFieldName('parameters');
  if (parameters?.namedChildren.some((parameter) => parameter !== null && parameterName(parameter) === name)) return false;
  let bound = false;
  let fresh = true;
  walkBody(fn.node.childForFieldName('body'), (node) => {
    if (!boundNames(node).includes(name)) return;
    bound = true;
    const left = node.type === 'assignment' ? node.childForFieldName('left') : null;
    const right = node.type === 'assignment' ? node.childForFieldName('right') : null;
    if (left?.type !== 'identifier' || !right || !FRESH_VALUES.has(right.type)) fresh = false;
  });
  return bound && fresh;
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
export function asTargetOf(withStatement: PyNode): string | undefined {
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
