// Visits every node of a module with the function whose body holds it. Parameters (defaults and
// annotations) and decorators belong to the enclosing scope, as Python evaluates them there.
import type { PyFunction, PyModule } from './modules.js';
import { children, ERROR_SYMBOL, namedChildren, PyNode, symbolsOf } from './parser.js';

export type ScopedVisitor = (node: PyNode, enclosing: PyFunction) => void;

/**
 * Calls `visit` for every node in document order (or only for the nodes of `types`), with the
 * function whose body holds it: a def's or lambda's body belongs to it, the rest of the def to the
 * scope around. One pass over the tree's preorder arrays: nodes of other types are never made.
 */
export function walkWithScopes(module: PyModule, visit: ScopedVisitor, types?: ReadonlySet<string>): void {
  const byStart = new Map<number, PyFunction>();
  for (const fn of module.allFunctions) if (fn.kind !== 'module') byStart.set(fn.node.startIndex, fn);
  const tree = module.tree;
  const { after, language } = tree;
  const typeIds = tree.types;
  // Types compared by symbol, no name looked up per node: a symbol with no name reads as ERROR.
  const wanted = types ? visitedSymbols(language.types, types) : undefined;
  const wantsErrors = !types || types.has('ERROR');
  const scopeTypes = symbolsOf(language, SCOPE_TYPES);
  const root = tree.rootNode;
  // The bodies being walked: each ends (in preorder) where its subtree does.
  const scopes: { end: number; fn: PyFunction }[] = [];
  // The preorder index of the body that starts a scope, with the function it belongs to.
  const bodies = new Map<number, PyFunction>();
  let enclosing = module.topLevel;
  let scopeEnd = Infinity;
  for (let index = root.index, end = after[root.index]!; index < end; index++) {
    while (index >= scopeEnd) {
      scopes.pop();
      const top = scopes[scopes.length - 1];
      enclosing = top ? top.fn : module.topLevel;
      scopeEnd = top ? top.end : Infinity;
    }
    if (bodies.size > 0) {
      const own = bodies.get(index);
      if (own) {
        bodies.delete(index);
        scopes.push({ end: after[index]!, fn: own });
        enclosing = own;
        scopeEnd = after[index]!;
      }
    }
    const type = typeIds[index]!;
    const visited = type === ERROR_SYMBOL ? wantsErrors : !wanted || wanted[type] === 1;
    if (type !== ERROR_SYMBOL && scopeTypes[type] === 1) {
      const node = new PyNode(tree, index);
      const fn = byStart.get(node.startIndex);
      const body = fn ? node.childForFieldName('body') : null;
      if (fn && body) {
        // As the recursive walk did: every child at the body's offset and of its type is the body.
        for (const child of children(node)) if (child.startIndex === body.startIndex && child.type === body.type) bodies.set(child.index, fn);
      }
      if (visited) visit(node, enclosing);
    } else if (visited) visit(new PyNode(tree, index), enclosing);
  }
}

const SCOPE_TYPES = ['function_definition', 'lambda'];

function visitedSymbols(names: readonly string[], types: ReadonlySet<string>): Uint8Array {
  const wanted = new Uint8Array(names.length);
  for (let id = 0; id < names.length; id++) if (types.has(names[id] || 'ERROR')) wanted[id] = 1;
  return wanted;
}

/** The call's callee name node: the identifier, or the attribute name of `obj.name`. */
export function calleeNameNode(call: PyNode): PyNode | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  if (callee.type === 'identifier') return callee;
  if (callee.type === 'attribute') return callee.childForFieldName('attribute') ?? undefined;
  return undefined;
}

/**
 * Whether an identifier names a variable (reads or binds one): not the attribute of `x.name`, nor the
 * keyword of `f(name=v)` or `class C(metaclass=M)`, which only look like names. Every collection of a
 * function's reads and names asks this first.
 */
export function isVariableName(id: PyNode): boolean {
  const parent = id.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.equals(id) === true) return false;
  if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.equals(id) === true) return false;
  return true;
}

/** `await` must be parenthesised when the call is the object of `.x`, `[i]` or another call. */
export function needsParentheses(call: PyNode): boolean {
  const parent = call.parent;
  if (!parent) return false;
  if (parent.type === 'attribute') return parent.childForFieldName('object')?.startIndex === call.startIndex;
  if (parent.type === 'subscript') return parent.childForFieldName('value')?.startIndex === call.startIndex;
  if (parent.type === 'call') return parent.childForFieldName('function')?.startIndex === call.startIndex;
  return false;
}

const HANDLING_WRAPPERS = new Set(['run', 'gather', 'create_task', 'wait_for', 'ensure_future', 'shield', 'wait', 'as_completed', 'run_until_complete', 'run_coroutine_threadsafe']);

/**
 * The expression whose value is the call's: the call, or the parentheses and `?:` branches around it
 * (`await (a() if c else b())` awaits what each branch gives).
 */
export function valueHolder(call: PyNode): PyNode {
  let node = call;
  const isBranch = (branch: PyNode, parent: PyNode): boolean => parent.type === 'conditional_expression' && !parent.namedChild(1)?.equals(branch);
  while (node.parent?.type === 'parenthesized_expression' || (node.parent && isBranch(node, node.parent))) node = node.parent;
  return node;
}

/** The coroutine is awaited, or handed to something that runs or schedules it. */
export function isHandled(call: PyNode): boolean {
  const node = valueHolder(call);
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === 'await') return true;
  const owner = parent.type === 'argument_list' ? parent.parent : parent.type === 'list_splat' || parent.type === 'keyword_argument' ? parent.parent?.parent : undefined;
  const callee = owner?.type === 'call' ? owner.childForFieldName('function') : undefined;
  if (callee?.type === 'attribute' && HANDLING_WRAPPERS.has(callee.childForFieldName('attribute')?.text ?? '')) {
    return /^(asyncio|loop|self\.loop|tg|task_group)$/.test(callee.childForFieldName('object')?.text ?? '');
  }
  return false;
}

/** Whether an ancestor of `node`, below `stopAt`, has one of the types. */
export function isInside(node: PyNode, types: ReadonlySet<string>, stopAt: PyNode): boolean {
  for (let current = node.parent; current && !current.equals(stopAt); current = current.parent) {
    if (types.has(current.type)) return true;
  }
  return false;
}

/** `async for` / `[… async for …]`: the loop's first token is `async`. */
export function isAsyncLoop(loop: PyNode): boolean {
  return loop.child(0)?.type === 'async';
}

/**
 * Whether the function already uses this receiver (`client`, `self.redis`) as an async object where
 * the resolved type says it is not: it awaits a method call on it, or iterates one with `async for`
 * (somewhere other than `except`), and `isSyncInType` holds for that call (the method the type names
 * is not async). That contradiction proves the type wrong (`Union[redis.Redis, redis.asyncio.Redis]`
 * read as the sync client, an annotation naming the sync class). `awaitsCount: false` takes only
 * `async for` as proof (for judging an `await` itself: two awaits of sync methods would vouch for
 * each other).
 */
export function isAsyncReceiver(
  receiver: PyNode,
  enclosing: PyFunction,
  except: PyNode,
  isSyncInType: (call: PyNode) => boolean,
  awaitsCount = true,
): boolean {
  if (receiver.type !== 'identifier' && receiver.type !== 'attribute') return false;
  const onReceiver = (value: PyNode | null | undefined): boolean => {
    const method = value?.type === 'call' && !value.equals(except) ? value.childForFieldName('function') : null;
    return method?.type === 'attribute' && method.childForFieldName('object')?.text === receiver.text && isSyncInType(value!);
  };
  let found = false;
  const visit = (node: PyNode): void => {
    if (found) return;
    if (node.type === 'await' && awaitsCount) found = onReceiver(node.namedChild(0));
    else if ((node.type === 'for_statement' || node.type === 'for_in_clause') && isAsyncLoop(node)) found = onReceiver(node.childForFieldName('right'));
    for (const child of namedChildren(node)) {
      if (child.type !== 'function_definition' && child.type !== 'lambda' && child.type !== 'class_definition') visit(child);
    }
  };
  visit(enclosing.kind === 'module' ? enclosing.node : enclosing.node.childForFieldName('body') ?? enclosing.node);
  return found;
}
