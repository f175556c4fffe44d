// Turns a plan into edits: `def` -> `async def`, `await` at call sites, `asyncio.run(main())` at
// entry calls, IsolatedAsyncioTestCase for tests, `_async` siblings under `--strategy dual`, and the
// rule fixes. Every offset indexes the original text; edits inside a dual function go to its sibling.
import type { EmitRequest, FileEditor } from '../../frontend.js';
import { applyEdits, hitOwner, normalizeEdits, type EditSet, type TextEdit } from '../../edits/edit-set.js';
import type { BuiltGraph, SiteInfo } from './graph-builder.js';
import { isStubBody } from './graph-builder.js';
import { ImportPlanner, siblingImportOf } from './imports.js';
import { asyncSiblingName, existingAsyncSibling, firstParameterName, isPytestFunction, type PyFunction, type PyModule } from './modules.js';
import type { PytestAsyncio } from './project.js';
import { namedChildren, type PyNode } from './parser.js';
import type { Resolver } from './resolver.js';
import type { FixState } from './rule-context.js';
import { returnedAwaitables } from './rules/await-non-thenable.js';
import { awaitableReturnOf, awaitedAnnotation, PRIMARY_EXPRESSIONS, returnValues, type AwaitableReturn } from './awaitable-return.js';
import { insertAwait } from './rules/fixes.js';
import { needsParentheses, valueHolder } from './walk.js';

interface Sibling {
  fn: PyFunction;
  edits: TextEdit[];
  /** Edits other than the rename: the body has something to migrate. */
  hasBodyEdits: boolean;
  /**
   * The function is async already (its family gains the sibling): its own edits stay in place and its
   * sibling only awaits it, never a second copy of the body.
   */
  forwardsOnly: boolean;
}

export function emitPython(
  request: EmitRequest,
  edits: EditSet,
  built: BuiltGraph,
  resolver: Resolver,
  modules: ReadonlyMap<string, PyModule>,
  fixState: FixState,
  pytestAsyncio: PytestAsyncio = 'none',
): void {
  const { plan } = request;
  const imports = new ImportPlanner(modules);
  const byRel = new Map([...modules.values()].map((m) => [m.rel, m]));

  // Under dual, a family member whose class already has the `_async` sibling only moves its callers.
  const siblings = new Map<string, Sibling>();
  // A dual function whose sibling exists was migrated before: its sync body stays as it is.
  const alreadyDual: PyFunction[] = [];
  for (const id of plan.dualFunctions) {
    const fn = built.functions.get(id);
    if (!fn || fn.kind === 'module') continue;
    if (existingAsyncSibling(fn)) alreadyDual.push(fn);
    else siblings.set(id, { fn, edits: [], hasBodyEdits: false, forwardsOnly: fn.isAsync && !isStubBody(fn) });
  }
  const siblingAt = (module: PyModule, start: number, end: number): Sibling | undefined => {
    let best: Sibling | undefined;
    for (const sibling of siblings.values()) {
      const outer = sibling.fn.outer;
      if (sibling.forwardsOnly) continue;
      if (sibling.fn.module === module && outer.startIndex <= start && end <= outer.endIndex) {
        if (!best || best.fn.outer.startIndex < outer.startIndex) best = sibling;
      }
    }
    return best;
  };
  // Every step says whose edits it writes (`TextEdit.owner`): a rule hit, or a function turning async.
  let owner: string | undefined;
  const record = (module: PyModule, given: TextEdit, isBodyEdit: boolean): void => {
    const edit = given.owner === undefined && owner !== undefined ? { ...given, owner } : given;
    if (alreadyDual.some((fn) => fn.module === module && fn.outer.startIndex <= edit.start && edit.end <= fn.outer.endIndex)) return;
    const sibling = siblingAt(module, edit.start, edit.end);
    if (sibling) {
      sibling.edits.push(edit);
      if (isBodyEdit) sibling.hasBodyEdits = true;
    } else {
      edits.add(module.file, edit);
    }
  };
  const editorFor = (module: PyModule, source: string): FileEditor & { flush(): void; drop(): void } => {
    let pending: TextEdit[] = [];
    const editOwner = owner;
    return {
      file: module.file,
      insert: (at, text, order) => pending.push({ start: at, end: at, text, source, order, owner: editOwner }),
      replace: (start, end, text) => pending.push({ start, end, text, source, owner: editOwner }),
      ensureImport: (from, name, preferredLocal) => imports.ensure(module, from, name, preferredLocal),
      ensureDeclaration: (key, preferredName, text) => imports.declare(module, key, preferredName, text),
      flush: () => {
        for (const edit of pending) record(module, edit, true);
        pending = [];
      },
      drop: () => {
        pending = [];
      },
    };
  };

  for (const hit of request.fixes) fixState.fixedSites.add(`${hit.finding.file}:${hit.finding.line}:${hit.finding.column}`);

  // A branch that already handed back a coroutine (`return self._connect_async()`) awaits it once the
  // function is async (in place, or in its `_async` sibling): callers' `await f()` get the value in
  // every branch, as before; not a call a rule fix awaits already (floating-promise, where it is bound or returned).
  const awaitReturnedAwaitables = (fn: PyFunction): void => {
    const awaitedByFix = (call: PyNode): boolean => {
      const at = fn.module.lines.at(call.startIndex);
      return fixState.fixedSites.has(`${fn.module.rel}:${at.line}:${at.column}`);
    };
    for (const value of returnedAwaitables(fn, resolver, undefined, awaitedByFix)) record(fn.module, { start: value.startIndex, end: value.startIndex, text: 'await ', source: 'propagation', order: -1 }, true);
  };
  // Declared `-> Awaitable[T]`: every value it returns is awaited, and the annotation becomes `T`.
  // A call site whose value is one of those (`return (f() if c else g())`) gets no `await` of its own.
  const awaitedReturns = new Set<string>();
  const valueKey = (module: PyModule, node: PyNode): string => `${module.file}:${node.startIndex}:${node.endIndex}`;
  const awaitDeclaredAwaitables = (fn: PyFunction, declared: Extract<AwaitableReturn, { kind: 'awaitable' }>): void => {
    for (const value of returnValues(fn)) {
      awaitedReturns.add(valueKey(fn.module, value));
      const parenthesise = !PRIMARY_EXPRESSIONS.has(value.type);
      record(fn.module, { start: value.startIndex, end: value.startIndex, text: parenthesise ? 'await (' : 'await ', source: 'propagation', order: -1 }, true);
      if (parenthesise) record(fn.module, { start: value.endIndex, end: value.endIndex, text: ')', source: 'propagation', order: 1 }, true);
    }
    const result = awaitedAnnotation(declared);
    // A bare `-> Awaitable` names no result type: the annotation goes.
    const start = result === undefined ? fn.node.childForFieldName('parameters')!.endIndex : declared.annotation.startIndex;
    record(fn.module, { start, end: declared.annotation.endIndex, text: result ?? '', source: 'propagation' }, false);
  };
  // A sibling never runs a function that hands back an awaitable in a thread (`asyncio.to_thread` would
  // return the coroutine unawaited, or create a task off the loop): it awaits what the body returns.
  for (const sibling of siblings.values()) {
    if (sibling.forwardsOnly) continue;
    owner = `fn:${sibling.fn.id}`;
    const declared = awaitableReturnOf(sibling.fn);
    if (declared?.kind === 'awaitable' && !sibling.fn.isAsync) awaitDeclaredAwaitables(sibling.fn, declared);
    else {
      awaitReturnedAwaitables(sibling.fn);
      if (!sibling.fn.isAsync) for (const value of loopAwaitables(sibling.fn)) record(sibling.fn.module, { start: value.startIndex, end: value.startIndex, text: 'await ', source: 'propagation', order: -1 }, true);
    }
  }

  // 1. Functions that turn async in place.
  for (const id of plan.asyncFunctions.keys()) {
    const fn = built.functions.get(id);
    if (!fn || fn.kind === 'module' || fn.kind === 'arrow' || plan.dualFunctions.has(id)) continue;
    owner = `fn:${id}`;
    record(fn.module, { start: fn.node.startIndex, end: fn.node.startIndex, text: 'async ', source: 'propagation' }, false);
    const declared = awaitableReturnOf(fn);
    if (declared?.kind === 'awaitable' && !fn.isAsync) awaitDeclaredAwaitables(fn, declared);
    else awaitReturnedAwaitables(fn);
    for (const run of ownAsyncioRuns(fn, resolver)) {
      // `asyncio.run(x())` cannot run inside a running loop: the function that turns async awaits it.
      const editor = editorFor(fn.module, 'propagation');
      const parenthesise = needsParentheses(run.call);
      editor.replace(run.call.startIndex, run.coroutine.startIndex, parenthesise ? '(await ' : 'await ');
      editor.replace(run.coroutine.endIndex, run.call.endIndex, parenthesise ? ')' : '');
      editor.flush();
    }
    if (pytestAsyncio === 'strict') markForPytestAsyncio(fn, resolver, editorFor(fn.module, 'propagation'));
    const rename = { setUp: 'asyncSetUp', tearDown: 'asyncTearDown' }[fn.name];
    if (rename && fn.cls && resolver.isTestCase(fn.cls)) {
      const name = fn.node.childForFieldName('name')!;
      record(fn.module, { start: name.startIndex, end: name.endIndex, text: rename, source: 'propagation' }, false);
    }
  }

  // 2. Call sites that gain `await` (and, for dual callees, move to the sibling).
  for (const site of plan.awaitSites) {
    const info = built.sites.get(site.id);
    const callee = built.functions.get(site.callee);
    if (!info || !callee) continue;
    owner = `fn:${site.callee}`;
    const editor = editorFor(info.module, 'propagation');
    if (plan.dualFunctions.has(site.callee) && info.nameNode) renameToSibling(editor, info, callee, site.caller, built, imports);
    if (!site.isAwaited && !awaitedReturns.has(valueKey(info.module, valueHolder(info.call)))) insertAwait(editor, info.call);
    editor.flush();
  }

  // 3. Top-level entry calls bridged from sync code.
  for (const site of plan.entrySites) {
    const info = built.sites.get(site.id);
    const callee = built.functions.get(site.callee);
    if (!info || !callee) continue;
    owner = `fn:${site.callee}`;
    const editor = editorFor(info.module, 'propagation');
    const asyncio = editor.ensureImport('asyncio', 'asyncio');
    if (plan.dualFunctions.has(site.callee) && info.nameNode) renameToSibling(editor, info, callee, site.caller, built, imports);
    editor.insert(info.call.startIndex, `${asyncio}.run(`, 0);
    editor.insert(info.call.endIndex, ')', 1);
    editor.flush();
  }

  // 4. unittest classes whose test methods turn async run them on an event loop.
  const testClasses = new Set<PyFunction['cls']>();
  for (const id of plan.asyncFunctions.keys()) {
    const fn = built.functions.get(id);
    if (fn?.cls && !plan.dualFunctions.has(id) && resolver.isTestCase(fn.cls)) testClasses.add(fn.cls);
  }
  for (const cls of testClasses) {
    if (!cls) continue;
    for (const base of cls.bases) {
      const symbol = resolver.resolveExpression(base, undefined, cls.module);
      if (symbol?.kind !== 'external' || symbol.path !== 'unittest.TestCase') continue;
      owner = undefined; // the class, not one function: the first fix in its file takes it
      const editor = editorFor(cls.module, 'propagation');
      const text = base.type === 'attribute'
        ? `${base.childForFieldName('object')!.text}.IsolatedAsyncioTestCase`
        : editor.ensureImport('unittest', 'IsolatedAsyncioTestCase');
      editor.replace(base.startIndex, base.endIndex, text);
      editor.flush();
    }
  }

  // 5. Rule fixes, and the `await` removals of await-non-thenable hits whose callee stays sync.
  for (const [hits, pick] of [[request.fixes, 'fix'], [request.fallbacks, 'fallbackFix']] as const) {
    for (const hit of hits) {
      const module = byRel.get(hit.finding.file);
      const apply = hit[pick];
      if (!module || !apply) continue;
      owner = hitOwner(hit.finding);
      const editor = editorFor(module, hit.finding.rule);
      // A fix that throws on a shape it did not expect records nothing, like one that returns false.
      let applied = false;
      try {
        applied = apply(editor);
      } catch {
        applied = false;
      }
      if (applied) editor.flush();
      else {
        editor.drop();
        hit.finding.fixable = false;
      }
    }
  }

  // Function-local imports that gained a sibling's name: edited where the function's text goes (a
  // dual function's import changes in its sibling's copy only).
  owner = undefined;
  for (const insertion of imports.localInsertions()) {
    record(insertion.module, { start: insertion.start, end: insertion.end, text: insertion.text, source: 'import' }, true);
  }

  // 6. Dual siblings, written after the function they mirror. A function nested in another dual
  // function gets its sibling in that function's sibling (where the calls moved to it are), so the
  // innermost are written first.
  const innermostFirst = [...siblings.values()].sort((a, b) => (a.fn.outer.endIndex - a.fn.outer.startIndex) - (b.fn.outer.endIndex - b.fn.outer.startIndex));
  for (const sibling of innermostFirst) {
    const text = siblingText(sibling, imports);
    const { fn } = sibling;
    const indent = fn.module.text.slice(fn.module.lines.lineStart(fn.outer.startIndex), fn.outer.startIndex);
    const gap = fn.cls || fn.parent ? fn.module.eol : fn.module.eol + fn.module.eol;
    const edit: TextEdit = { start: fn.outer.endIndex, end: fn.outer.endIndex, text: `${fn.module.eol}${gap}${indent}${text}`, source: 'dual', order: 2, owner: `fn:${fn.id}` };
    const enclosing = innermostFirst.find(
      (other) => other !== sibling && !other.forwardsOnly && other.fn.module === fn.module && other.fn.outer.startIndex <= fn.outer.startIndex && fn.outer.endIndex <= other.fn.outer.endIndex,
    );
    if (enclosing) {
      enclosing.edits.push(edit);
      enclosing.hasBodyEdits = true;
    } else edits.add(fn.module.file, edit);
  }

  // 7. Barrels: a package `__init__.py` that re-exports a function re-exports its new sibling too.
  for (const sibling of siblings.values()) {
    if (sibling.fn.cls || sibling.fn.parent) continue;
    for (const module of modules.values()) {
      if (!module.isPackage || module === sibling.fn.module) continue;
      for (const [local, binding] of module.imports) {
        if (binding.kind !== 'symbol' || local !== binding.name) continue;
        const symbol = resolver.resolveModuleName(module, local, new Set());
        if (symbol?.kind !== 'function' || symbol.fn !== sibling.fn) continue;
        owner = `fn:${sibling.fn.id}`;
        const editor = editorFor(module, 'dual');
        editor.ensureImport(binding.module, `${local}_async`);
        reexportInAll(module, local, `${local}_async`, editor);
        editor.flush();
      }
    }
  }

  // Imports the edits above left unused (`import time` once every `time.sleep` is `asyncio.sleep`).
  for (const module of modules.values()) if (edits.hasEdits(module.file)) imports.dropUnused(module, edits.editsFor(module.file));
  for (const insertion of imports.insertions()) {
    // Before anything else inserted at the same offset: a decorator of a first-line `def` goes below the import.
    edits.add(insertion.module.file, { start: insertion.start, end: insertion.end, text: insertion.text, source: 'import', order: IMPORTS_FIRST });
  }
}

const IMPORTS_FIRST = -10;

/** Event-loop methods whose result is a Task or Future, whatever the loop's variable resolves to. */
const LOOP_AWAITABLE_METHODS = new Set(['create_task', 'run_in_executor', 'create_future']);

/** The function's own `return loop.create_task(…)` values (not those a project resolver already proves awaitable). */
function loopAwaitables(fn: PyFunction): PyNode[] {
  return returnValues(fn).filter((value) => {
    const callee = value.type === 'call' ? value.childForFieldName('function') : null;
    return callee?.type === 'attribute' && LOOP_AWAITABLE_METHODS.has(callee.childForFieldName('attribute')?.text ?? '');
  });
}

/** pytest-asyncio in strict mode: an async test needs `@pytest.mark.asyncio`, an async fixture `@pytest_asyncio.fixture`. */
function markForPytestAsyncio(fn: PyFunction, resolver: Resolver, editor: FileEditor & { flush(): void }): void {
  const kind = isPytestFunction(fn, resolver);
  if (kind === 'test' && !fn.decorators.some((d) => /(^|\.)mark\.asyncio$/.test(d))) {
    const lineStart = fn.module.lines.lineStart(fn.node.startIndex);
    const indent = fn.module.text.slice(lineStart, fn.node.startIndex);
    const pytest = editor.ensureImport('pytest', 'pytest');
    editor.insert(lineStart, `${indent}@${pytest}.mark.asyncio${fn.module.eol}`, -1);
  } else if (kind === 'fixture') {
    const decorator = namedChildren(fn.outer).find((d) => d.type === 'decorator' && /^@\s*(pytest\.)?fixture\b/.test(d.text));
    const name = decorator ? namedChildren(decorator)[0] : undefined;
    const target = name?.type === 'call' ? name.childForFieldName('function') : name;
    if (!target) return;
    const module = editor.ensureImport('pytest_asyncio', 'pytest_asyncio');
    editor.replace(target.startIndex, target.endIndex, `${module}.fixture`);
  }
  editor.flush();
}

/** `asyncio.run(<coroutine>)` calls in the function's own body (not in nested functions). */
function ownAsyncioRuns(fn: PyFunction, resolver: Resolver): { call: PyNode; coroutine: PyNode }[] {
  const body = fn.node.childForFieldName('body');
  if (!body) return [];
  const runs: { call: PyNode; coroutine: PyNode }[] = [];
  for (const call of body.descendantsOfType('call')) {
    if (!call) continue;
    let owner = call.parent;
    while (owner && owner.type !== 'function_definition' && owner.type !== 'lambda') owner = owner.parent;
    if (!owner?.equals(fn.node)) continue;
    const args = call.childForFieldName('arguments');
    const only = args?.type === 'argument_list' ? namedChildren(args) : [];
    if (only.length !== 1 || only[0]!.type !== 'call') continue;
    const callee = resolver.resolveExpression(call.childForFieldName('function')!, fn, fn.module);
    if (callee?.kind === 'external' && callee.path === 'asyncio.run') runs.push({ call, coroutine: only[0]! });
  }
  return runs;
}

/**
 * A call moves to the callee's async sibling: `x.load(…)` -> `x.load_async(…)`; a bare `load(…)`
 * imported from another module needs the sibling imported beside it.
 */
function renameToSibling(editor: FileEditor, info: SiteInfo, callee: PyFunction, caller: string, built: BuiltGraph, imports: ImportPlanner): void {
  const nameNode = info.nameNode!;
  let name = asyncSiblingName(callee);
  const enclosing = built.functions.get(caller);
  const source = enclosing ? siblingImportOf(nameNode, enclosing, callee) : { kind: 'module' as const };
  // The planner keeps such a call on the sync version; renaming it would call a name nothing binds.
  if (source.kind === 'unsafe') return;
  if (source.kind === 'local') {
    if (!source.present) imports.extendLocal(info.module, source.statement, name);
  } else if (source.kind === 'module') {
    const binding = nameNode.parent?.type === 'call' ? info.module.imports.get(nameNode.text) : undefined;
    if (binding?.kind === 'symbol' && !callee.cls) name = editor.ensureImport(binding.module, name);
  }
  editor.replace(nameNode.startIndex, nameNode.endIndex, name);
}

/** `__all__ = ["load", …]` gains `"load_async"` after `"load"`. */
function reexportInAll(module: PyModule, name: string, sibling: string, editor: FileEditor): void {
  const list = module.variables.get('__all__');
  if (!list || (list.type !== 'list' && list.type !== 'tuple')) return;
  const entry = namedChildren(list).find((item) => item.type === 'string' && item.text.slice(1, -1) === name);
  if (!entry || namedChildren(list).some((item) => item.type === 'string' && item.text.slice(1, -1) === sibling)) return;
  const quote = entry.text[0];
  editor.insert(entry.endIndex, `, ${quote}${sibling}${quote}`);
}

/** The migrated copy of the function, or a thin wrapper that runs the sync one in a thread. */
function siblingText(sibling: Sibling, imports: ImportPlanner): string {
  const { fn } = sibling;
  const text = fn.module.text;
  const start = fn.outer.startIndex;
  const nameNode = fn.node.childForFieldName('name')!;
  const header: TextEdit[] = [
    { start: fn.node.startIndex, end: fn.node.startIndex, text: fn.isAsync ? '' : 'async ', source: 'dual' },
    { start: nameNode.startIndex, end: nameNode.endIndex, text: `${fn.name}_async`, source: 'dual' },
  ];
  const shift = (edit: TextEdit): TextEdit => ({ ...edit, start: edit.start - start, end: edit.end - start });
  const body = fn.node.childForFieldName('body')!;
  if (!sibling.forwardsOnly && (sibling.hasBodyEdits || isStubBody(fn))) {
    const all = normalizeEdits(fn.module.file, text.slice(start, fn.outer.endIndex), [...header, ...sibling.edits].map(shift));
    return applyEdits(text.slice(start, fn.outer.endIndex), all);
  }
  const headerText = applyEdits(text.slice(start, body.startIndex), normalizeEdits(fn.module.file, text.slice(start, body.startIndex), header.map(shift)));
  const args = forwardedArguments(fn);
  // A member that is async already (its family's declaration was sync) is awaited, not run in a thread.
  if (fn.isAsync) return `${headerText}return await ${targetOf(fn)}(${args.join(', ')})`;
  const asyncio = imports.ensure(fn.module, 'asyncio', 'asyncio');
  return `${headerText}return await ${asyncio}.to_thread(${[targetOf(fn), ...args].join(', ')})`;
}

function targetOf(fn: PyFunction): string {
  if (!fn.cls) return fn.name;
  if (fn.decorators.includes('staticmethod')) return `${fn.cls.name}.${fn.name}`;
  return `${firstParameterName(fn.node) ?? 'self'}.${fn.name}`;
}

/** The parameters passed on as they came: positional as positional, keyword-only as `k=k`. */
function forwardedArguments(fn: PyFunction): string[] {
  const parameters = fn.node.childForFieldName('parameters');
  const list = parameters ? namedChildren(parameters) : [];
  const skipFirst = fn.cls !== undefined && !fn.decorators.includes('staticmethod');
  const result: string[] = [];
  let keywordOnly = false;
  list.forEach((parameter: PyNode, index) => {
    if (skipFirst && index === 0) return;
    switch (parameter.type) {
      case 'identifier':
        result.push(keywordOnly ? `${parameter.text}=${parameter.text}` : parameter.text);
        break;
      case 'typed_parameter': {
        const inner = namedChildren(parameter)[0]!;
        if (inner.type === 'list_splat_pattern') {
          keywordOnly = true;
          result.push(inner.text);
        } else if (inner.type === 'dictionary_splat_pattern') result.push(inner.text);
        else result.push(keywordOnly ? `${inner.text}=${inner.text}` : inner.text);
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = parameter.childForFieldName('name')!.text;
        result.push(keywordOnly ? `${name}=${name}` : name);
        break;
      }
      case 'list_splat_pattern':
        keywordOnly = true;
        result.push(parameter.text);
        break;
      case 'dictionary_splat_pattern':
        result.push(parameter.text);
        break;
      case 'keyword_separator':
        keywordOnly = true;
        break;
      default:
        break;
    }
  });
  return result;
}
