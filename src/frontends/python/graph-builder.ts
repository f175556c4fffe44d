// Builds the language-neutral CallGraph from the resolved modules: one FunctionNode per def, lambda
// and module top level; call, callback and reference sites; and method families.
import type { CallGraph, CallSite, FunctionNode, MethodFamily, UnresolvedCall } from '../../model.js';
import type { BlockingApi } from './blocking-apis.js';
import { findBlockingApi } from './blocking-apis.js';
import { awaitableReturnOf } from './awaitable-return.js';
import { existingAsyncSibling, isPytestFunction, isTestModule, type PyClass, type PyFunction, type PyModule } from './modules.js';
import type { PytestAsyncio } from './project.js';
import { namedChildren, type PyNode } from './parser.js';
import { qualifiedNameOf, type PySymbol, type Resolver } from './resolver.js';
import { calleeNameNode, isHandled, isInside, walkWithScopes } from './walk.js';
import { attributeTo } from '../../errors.js';

/** What the emitter needs to find a site again in the text. */
export interface SiteInfo {
  module: PyModule;
  call: PyNode;
  nameNode?: PyNode;
}

/** Where an unresolved call is, for an oracle to ask about it. */
export interface UnresolvedInfo {
  module: PyModule;
  call: PyNode;
  /** The called name: `load` in `repo.load(…)`. */
  nameNode: PyNode;
  enclosing: PyFunction;
}

export interface BuiltGraph {
  graph: CallGraph;
  functions: Map<string, PyFunction>;
  sites: Map<string, SiteInfo>;
  unresolvedInfos: Map<UnresolvedCall, UnresolvedInfo>;
}

const FRAMEWORK_DECORATOR = /\.(route|get|post|put|patch|delete|command|callback|task)$|^(click\.command|click\.group)$/;
const CLI_DECORATOR = /\.(command|callback)$|^click\.(command|group)$/;
const CACHING_DECORATOR = /(^|\.)(lru_cache|cache)$/;
const IMPLICIT_DUNDERS = /^__(?!init__|aenter__|aexit__|aiter__|anext__)\w+__$/;
/**
 * Inside a generator expression, except its first iterable: Python evaluates that one eagerly in the
 * enclosing scope, so `sorted(x for x in await f())` is fine in an async def.
 */
export function isInsideGeneratorBody(node: PyNode, stopAt: PyNode): boolean {
  for (let current = node.parent; current && !current.equals(stopAt); current = current.parent) {
    if (current.type !== 'generator_expression') continue;
    const firstFor = namedChildren(current).find((c) => c.type === 'for_in_clause');
    const iterable = firstFor?.childForFieldName('right');
    if (!iterable || !(iterable.startIndex <= node.startIndex && node.endIndex <= iterable.endIndex)) return true;
  }
  return false;
}

export function isStubBody(fn: PyFunction): boolean {
  const body = fn.node.childForFieldName('body');
  if (!body) return false;
  return namedChildren(body).every((statement) => {
    if (statement.type === 'pass_statement' || statement.type === 'comment') return true;
    if (statement.type === 'expression_statement') {
      const expression = statement.namedChild(0);
      return expression?.type === 'ellipsis' || expression?.type === 'string';
    }
    return statement.type === 'raise_statement' && /NotImplementedError/.test(statement.text);
  });
}

export function hasOwnYield(fn: PyFunction): boolean {
  let found = false;
  walkBody(fn.node.childForFieldName('body'), (node) => {
    if (node.type === 'yield') found = true;
  });
  return found;
}

/** Visits a body's nodes, not those of nested defs, lambdas and classes (their own scopes). */
export function walkBody(node: PyNode | null, visit: (node: PyNode) => void): void {
  if (!node) return;
  visit(node);
  for (const child of namedChildren(node)) {
    if (child.type === 'function_definition' || child.type === 'lambda' || child.type === 'class_definition') continue;
    walkBody(child, visit);
  }
}

export function signatureOf(fn: PyFunction): string {
  const body = fn.node.childForFieldName('body');
  if (!body || fn.kind === 'module') return fn.qualName;
  // Up to the `:` that opens the body: a comment after it is not part of the signature.
  const colon = fn.node.children.filter((child) => child?.type === ':' && child.startIndex < body.startIndex).pop();
  const header = fn.module.text.slice(fn.node.startIndex, colon?.startIndex ?? body.startIndex).trim().replace(/:$/, '');
  return header.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/,?\s*\)/g, ')');
}

function isScriptModule(module: PyModule): boolean {
  const base = module.rel.split('/').pop()!;
  return base === 'main.py' || base === '__main__.py' || isTestModule(module);
}



export interface GraphSettings {
  entryPoints: readonly string[];
  consoleScripts: readonly string[];
  pytestAsyncio: PytestAsyncio;
}

export function buildGraph(modules: readonly PyModule[], resolver: Resolver, blockingApis: readonly BlockingApi[], settings: GraphSettings): BuiltGraph {
  const functions = new Map<string, PyFunction>();
  const nodes = new Map<string, FunctionNode>();
  for (const module of modules) {
    attributeTo(module.file, () => {
      for (const fn of module.allFunctions) {
        functions.set(fn.id, fn);
        nodes.set(fn.id, functionNode(fn, resolver, settings));
      }
    });
  }
  const sites = new Map<string, SiteInfo>();
  const siteList: CallSite[] = [];
  const unresolved: UnresolvedCall[] = [];
  const unresolvedInfos = new Map<UnresolvedCall, UnresolvedInfo>();
  const flows: ProtocolFlows = new Map();
  for (const module of modules) attributeTo(module.file, () => collectSites(module, resolver, blockingApis, siteList, sites, unresolved, unresolvedInfos, flows));
  blockFuturesUsedAsFutures(functions, nodes, siteList, sites);
  const families = buildFamilies(modules, resolver, nodes, flows);
  return { graph: { functions: nodes, sites: siteList, families, unresolved }, functions, sites, unresolvedInfos };
}

function functionNode(fn: PyFunction, resolver: Resolver, settings: GraphSettings): FunctionNode {
  const at = fn.module.lines.at(fn.node.startIndex);
  const isAbstract = fn.cls !== undefined && (fn.decorators.some((d) => d.endsWith('abstractmethod')) || (resolver.isProtocol(fn.cls) && isStubBody(fn)));
  const node: FunctionNode = {
    id: fn.id,
    name: fn.kind === 'module' ? `<module ${fn.module.rel}>` : fn.qualName,
    kind: fn.kind === 'method' && isAbstract ? 'abstract-method' : fn.kind,
    location: { file: fn.module.rel, line: at.line, column: at.column },
    isAsync: fn.isAsync,
    isExported: isExported(fn, resolver),
  };
  if (fn.kind !== 'module' && fn.kind !== 'arrow') {
    node.signature = signatureOf(fn);
    node.asyncSignature = `async ${node.signature}`;
  }
  const sibling = existingAsyncSibling(fn);
  if (sibling && sibling.name !== `${fn.name}_async`) node.asyncSibling = sibling.name;
  const declared = fn.isAsync ? undefined : awaitableReturnOf(fn);
  // Declared to return an awaitable: callers already await it, so turning it async leaves them as they are.
  if (declared?.kind === 'awaitable') node.returnsPromise = true;
  const syncOnly = syncOnlyReason(fn, resolver, settings) ?? (declared?.kind === 'maybe' ? maybeAwaitableReason(fn, declared.annotation) : undefined);
  if (syncOnly) node.syncOnly = syncOnly;
  if (fn.cls && isTestModule(fn.module) && !resolver.isTestCase(fn.cls)) node.testDouble = true;
  return node;
}

function isExported(fn: PyFunction, resolver: Resolver): boolean {
  if (fn.kind === 'module' || fn.kind === 'arrow' || isScriptModule(fn.module) || fn.name.startsWith('_')) return false;
  if (fn.cls) return fn.module.classes.get(fn.cls.name) === fn.cls && !fn.cls.name.startsWith('_') && !resolver.isTestCase(fn.cls);
  return !fn.parent;
}

function syncOnlyReason(fn: PyFunction, resolver: Resolver, settings: GraphSettings): FunctionNode['syncOnly'] {
  const { entryPoints, consoleScripts } = settings;
  const name = fn.qualName;
  const pytest = settings.pytestAsyncio === 'none' ? isPytestFunction(fn, resolver) : undefined;
  if (pytest) {
    // pytest does not run `async def` tests or fixtures by itself; with no loop around it, the test
    // can run each coroutine it calls with asyncio.run, so the code under test still turns async.
    return {
      kind: 'entry-point',
      reason: `${name} is a pytest ${pytest} and the project does not use pytest-asyncio: pytest would not run it as \`async def\``,
      suggestion: `Add pytest-asyncio to the test dependencies (with \`asyncio_mode = "auto"\` under [tool.pytest.ini_options], or mark async tests with @pytest.mark.asyncio) and re-run async-migrate to make ${name} async.`,
      bridge: true,
    };
  }
  if (fn.kind === 'constructor') {
    const cls = fn.cls?.name ?? 'the class';
    return {
      kind: 'constructor',
      reason: `${name} is a constructor: __init__ cannot be async`,
      suggestion: `Move the async work out of __init__: start each async method with \`await self._ensure_initialized()\` (a lazy async init), or add \`@classmethod async def create(cls, …)\` that builds ${cls} and awaits its setup.`,
    };
  }
  if (fn.kind === 'getter' || fn.kind === 'setter') {
    return {
      kind: fn.kind,
      reason: `${name} is a @property: attribute access cannot be awaited`,
      suggestion: `Turn ${name} into a method (\`async def get_${fn.name}(self)\`) and await it at each use.`,
    };
  }
  if (fn.kind === 'arrow') {
    return {
      kind: 'callback',
      reason: `${name} is a lambda: a lambda cannot contain await`,
      suggestion: 'Replace the lambda with a nested `async def` and await it where it is called.',
    };
  }
  if (fn.kind === 'module') {
    return {
      kind: 'top-level',
      reason: `Python has no top-level await: ${fn.module.rel} runs at import time`,
      suggestion: 'Move the top-level code into `async def main()` and run it with `asyncio.run(main())` under `if __name__ == "__main__":`.',
    };
  }
  if (hasOwnYield(fn)) {
    return {
      kind: 'generator',
      reason: `${name} is a generator: an async generator needs \`async for\` at every use`,
      suggestion: `Rewrite the consumers of ${name} with \`async for\`, then make it an async generator by hand.`,
    };
  }
  const cache = fn.decorators.find((d) => CACHING_DECORATOR.test(d));
  if (cache) {
    return {
      kind: 'callback',
      reason: `${name} is decorated with @${cache}, which would cache the coroutine object (awaitable once), not its result`,
      suggestion: `Replace @${cache} with an async-aware cache (e.g. a dict of results filled after the await, or async-lru) before making ${name} async.`,
    };
  }
  const framework = fn.decorators.find((d) => FRAMEWORK_DECORATOR.test(d));
  const script = !fn.cls && !fn.parent && consoleScripts.includes(qualifiedNameOf(fn));
  if (framework || script || entryPoints.includes(name) || entryPoints.includes(qualifiedNameOf(fn))) {
    return {
      kind: 'entry-point',
      reason: framework
        ? `${name} is registered with @${framework}, which calls it synchronously`
        : script
          ? `${name} is a console-script entry point, which the generated script calls synchronously`
          : `${name} is listed in entryPoints and must stay sync`,
      suggestion: `Keep ${name} sync and bridge into async code with \`asyncio.run(…)\`, or move to an async framework (FastAPI, asyncclick) that awaits handlers.`,
      // A CLI command or console script runs with no event loop: asyncio.run at its calls is safe
      // (the planner checks that nothing async calls it). A web route may run on a loop: not bridged.
      ...(script || (framework && CLI_DECORATOR.test(framework)) ? { bridge: true } : {}),
    };
  }
  if (IMPLICIT_DUNDERS.test(fn.name)) {
    return {
      kind: 'callback',
      reason: `${name} is called implicitly and synchronously by Python`,
      suggestion: `Keep ${name} sync; do the async work in an explicit async method.`,
    };
  }
  return undefined;
}

function maybeAwaitableReason(fn: PyFunction, annotation: PyNode): FunctionNode['syncOnly'] {
  return {
    kind: 'caller',
    reason: `${fn.qualName} is declared \`-> ${annotation.text}\`: its callers tell an awaitable from the other values before awaiting it, and an \`async def\` always returns a coroutine`,
    suggestion: `Make ${fn.qualName} async by hand: return the value (or None) from an \`async def\`, and have its callers await the call before they test the result.`,
  };
}

/**
 * A function declared to return an asyncio Future or Task may turn async only where every call of
 * it is awaited on the spot: a coroutine has no `add_done_callback`, `cancel` or `result`, and it
 * starts when awaited, not when called.
 */
function blockFuturesUsedAsFutures(functions: ReadonlyMap<string, PyFunction>, nodes: Map<string, FunctionNode>, sites: readonly CallSite[], infos: ReadonlyMap<string, SiteInfo>): void {
  for (const site of sites) {
    const node = nodes.get(site.callee);
    const fn = functions.get(site.callee);
    if (!node?.returnsPromise || node.syncOnly || !fn) continue;
    const declared = awaitableReturnOf(fn);
    if (declared?.kind !== 'awaitable' || !declared.future) continue;
    const call = infos.get(site.id)?.call;
    if (site.kind === 'call' && call?.parent?.type === 'await') continue;
    node.syncOnly = {
      kind: 'caller',
      reason: `${fn.qualName} is declared \`-> ${declared.annotation.text}\` and used as one at ${site.location.file}:${site.location.line} (not awaited there): an \`async def\` returns a coroutine, which has no Future methods and starts only when awaited`,
      suggestion: `Await ${fn.qualName}(…) where it is called (or wrap the call in \`asyncio.ensure_future(…)\` there), then re-run async-migrate.`,
    };
  }
}

/** Interface member + implementations + overrides, joined nominally (bases) and structurally (Protocols). */
function buildFamilies(modules: readonly PyModule[], resolver: Resolver, nodes: Map<string, FunctionNode>, flowsInto: ProtocolFlows): Map<string, MethodFamily> {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root && parent.has(root)) root = parent.get(root)!;
    return root;
  };
  const union = (a: PyFunction, b: PyFunction): void => {
    for (const id of [a.id, b.id]) if (!parent.has(id)) parent.set(id, id);
    parent.set(find(a.id), find(b.id));
  };
  const classes: PyClass[] = modules.flatMap((module) => [...module.classes.values()]);
  const isFamilyMember = (name: string): boolean => !/^__\w+__$/.test(name);

  for (const cls of classes) {
    const ancestors = resolver.mro(cls).slice(1);
    for (const [name, method] of cls.methods) {
      if (!isFamilyMember(name)) continue;
      const base = ancestors.find((klass) => klass.methods.has(name));
      if (base) union(method, base.methods.get(name)!);
    }
  }
  // Structural implementations: a class that declares no project base for a member may implement a
  // Protocol by shape. Families are per declaration: each such member joins one Protocol (the nearest
  // one, when copies of a Protocol live in several packages), so two same-shaped Protocols stay apart.
  const protocols = classes.filter((cls) => resolver.isProtocol(cls));
  for (const cls of classes) {
    if (resolver.isProtocol(cls)) continue;
    const ancestors = resolver.mro(cls);
    const matching = protocols.filter((protocol) => {
      if (ancestors.includes(protocol)) return false;
      const members = [...protocol.methods.keys()].filter(isFamilyMember);
      return members.length > 0 && members.every((name) => resolver.findMethod(cls, name));
    });
    const joined = new Set<string>();
    const flows = flowsInto.get(cls) ?? new Set<PyClass>();
    for (const protocol of matching.sort((a, b) => protocolDistance(cls, a) - protocolDistance(cls, b))) {
      for (const name of [...protocol.methods.keys()].filter(isFamilyMember)) {
        const method = resolver.findMethod(cls, name)!;
        // A member a project base declares is in that base's family (nominal wins), unless the
        // class is passed where the Protocol is expected.
        const nominal = ancestors.slice(1).some((klass) => klass.methods.has(name));
        if (joined.has(name) || (nominal && !flows.has(protocol))) continue;
        joined.add(name);
        union(method, protocol.methods.get(name)!);
      }
    }
  }

  const groups = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const root = find(id);
    groups.set(root, [...(groups.get(root) ?? []), id]);
  }
  const families = new Map<string, MethodFamily>();
  for (const members of groups.values()) {
    members.sort();
    // Name the family after its interface member: a Protocol or abstract member, else the topmost definer.
    const named =
      members.find((id) => nodes.get(id)?.kind === 'abstract-method') ??
      members.find((id) => !members.some((other) => other !== id && nodes.get(other)?.name.split('.')[0] === nodes.get(id)?.name.split('.')[0])) ??
      members[0]!;
    const name = nodes.get(named)!.name;
    const id = `family:${named}`;
    families.set(id, { id, name, members });
    for (const member of members) nodes.get(member)!.familyId = id;
  }
  return families;
}

/** Classes whose instances are passed where a Protocol is expected (a parameter annotated with it). */
type ProtocolFlows = Map<PyClass, Set<PyClass>>;

function recordProtocolArguments(call: PyNode, fn: PyFunction, enclosing: PyFunction, resolver: Resolver, flows: ProtocolFlows): void {
  const args = call.childForFieldName('arguments');
  const parameterList = fn.node.childForFieldName('parameters');
  if (!args || args.type !== 'argument_list' || !parameterList || !parameterList.text.includes(':')) return;
  const parameters = namedChildren(parameterList);
  const bound = fn.cls && !fn.decorators.includes('staticmethod') ? parameters.slice(1) : parameters;
  namedChildren(args).forEach((arg, index) => {
    const keyword = arg.type === 'keyword_argument' ? arg.childForFieldName('name')?.text : undefined;
    const parameter = keyword ? bound.find((p) => parameterName(p) === keyword) : arg.type === 'keyword_argument' ? undefined : bound[index];
    const annotation = parameter?.childForFieldName('type');
    const value = keyword ? arg.childForFieldName('value') : arg;
    if (!annotation || !value) return;
    const expected = resolver.resolveAnnotation(annotation, fn.module);
    if (expected?.kind !== 'instance' || !resolver.isProtocol(expected.cls)) return;
    const given = resolver.resolveExpression(value, enclosing, enclosing.module);
    if (given?.kind !== 'instance') return;
    const set = flows.get(given.cls) ?? new Set<PyClass>();
    set.add(expected.cls);
    flows.set(given.cls, set);
  });
}

function parameterName(parameter: PyNode): string | undefined {
  if (parameter.type === 'identifier') return parameter.text;
  return (parameter.childForFieldName('name') ?? namedChildren(parameter)[0])?.text;
}

/** How far a Protocol is from a class: its own module, a module it imports from, then by shared folders. */
function protocolDistance(cls: PyClass, protocol: PyClass): number {
  if (protocol.module === cls.module) return 0;
  const imported = [...cls.module.imports.values()].some((binding) => binding.module === protocol.module.name);
  if (imported) return 1;
  const mine = cls.module.rel.split('/');
  const theirs = protocol.module.rel.split('/');
  let shared = 0;
  while (shared < mine.length - 1 && shared < theirs.length - 1 && mine[shared] === theirs[shared]) shared++;
  return 1000 - shared;
}

function projectFunctionOf(symbol: PySymbol | undefined, resolver: Resolver): PyFunction | undefined {
  if (symbol?.kind === 'function') return symbol.fn;
  if (symbol?.kind === 'class') return resolver.findMethod(symbol.cls, '__init__');
  return undefined;
}

/** The resolved project callee of a call (unless it is a known blocking API: rules handle those), and what the callee names. */
function resolveProjectCallee(call: PyNode, enclosing: PyFunction, resolver: Resolver, blockingApis: readonly BlockingApi[]): { fn?: PyFunction; symbol?: PySymbol } {
  const callee = call.childForFieldName('function');
  if (!callee) return {};
  const symbol = resolver.resolveExpression(callee, enclosing, enclosing.module);
  const fn = projectFunctionOf(symbol, resolver);
  if (fn && findBlockingApi(blockingApis, qualifiedNameOf(fn))) return { symbol };
  return { fn, symbol };
}

/** `sys.exit(main())`, `exit(main())`, `raise SystemExit(main())`: the call's value is the exit status. */
function isExitStatusOf(call: PyNode, enclosing: PyFunction, resolver: Resolver): boolean {
  const args = call.parent;
  const exit = args?.type === 'argument_list' && namedChildren(args).length === 1 ? args.parent : null;
  const callee = exit?.type === 'call' ? exit.childForFieldName('function') : null;
  if (!exit || !callee) return false;
  const symbol = resolver.resolveExpression(callee, enclosing, enclosing.module);
  const path = symbol?.kind === 'external' ? symbol.path : callee.text;
  const statement = exit.parent?.type === 'raise_statement' ? exit.parent : exit.parent?.type === 'expression_statement' ? exit.parent : null;
  return statement !== null && ['sys.exit', 'exit', 'quit', 'SystemExit', 'builtins.exit'].includes(path);
}

/** The call site of a call to a project function, registered in `infos` for the emitter. */
function callSiteOf(module: PyModule, node: PyNode, enclosing: PyFunction, callee: PyFunction, resolver: Resolver, infos: Map<string, SiteInfo>): CallSite {
  const at = module.lines.at(node.startIndex);
  // `A(x).m()` and `A(x)` start at one offset: the end tells the two calls apart.
  const id = `${module.rel}:${node.startIndex}-${node.endIndex}`;
  const site: CallSite = {
    id,
    caller: enclosing.id,
    callee: callee.id,
    kind: 'call',
    location: { file: module.rel, line: at.line, column: at.column },
    isAwaited: isHandled(node),
  };
  if (enclosing.kind === 'module') {
    if ((node.parent?.type === 'expression_statement' || isExitStatusOf(node, enclosing, resolver)) && !isInside(node, new Set(['class_definition']), module.tree.rootNode)) {
      site.entryCall = true;
    } else {
      site.cannotAwait = { reason: 'a module-level expression runs at import time, outside any event loop' };
    }
  } else if (isInsideGeneratorBody(node, enclosing.node)) {
    site.cannotAwait = { reason: 'inside a generator expression, await makes an async generator' };
  }
  infos.set(id, { module, call: node, nameNode: calleeNameNode(node) });
  return site;
}

/**
 * Sites for unresolved calls an oracle (pyright) resolved to a project function, registered for the
 * emitter like the resolver's own; a project function the config lists as blocking stays the rules'.
 */
export function oracleSites(built: BuiltGraph, resolver: Resolver, blockingApis: readonly BlockingApi[], answers: ReadonlyMap<UnresolvedCall, PyFunction>): CallSite[] {
  const sites: CallSite[] = [];
  for (const [call, callee] of answers) {
    const info = built.unresolvedInfos.get(call);
    if (!info || findBlockingApi(blockingApis, qualifiedNameOf(callee))) continue;
    sites.push(callSiteOf(info.module, info.call, info.enclosing, callee, resolver, built.sites));
  }
  return sites;
}

const HIGHER_ORDER_SAFE = new Set(['getattr', 'hasattr', 'isinstance', 'callable', 'print', 'repr', 'id']);

/** `asyncio.to_thread(f, …)`, `loop.run_in_executor(pool, f, …)`: the call runs `f` in a worker thread. */
function runsInThread(call: PyNode, enclosing: PyFunction, module: PyModule, resolver: Resolver): boolean {
  const callee = call.childForFieldName('function');
  if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'run_in_executor') return true;
  const symbol = callee ? resolver.resolveExpression(callee, enclosing, module) : undefined;
  return symbol?.kind === 'external' && symbol.path === 'asyncio.to_thread';
}

function collectSites(module: PyModule, resolver: Resolver, blockingApis: readonly BlockingApi[], list: CallSite[], infos: Map<string, SiteInfo>, unresolved: UnresolvedCall[], unresolvedInfos: Map<UnresolvedCall, UnresolvedInfo>, flows: ProtocolFlows): void {
  walkWithScopes(module, (node, enclosing) => {
    if (node.type === 'call') {
      const { fn: callee, symbol } = resolveProjectCallee(node, enclosing, resolver, blockingApis);
      if (callee) recordProtocolArguments(node, callee, enclosing, resolver, flows);
      if (!callee) {
        const name = calleeNameNode(node);
        const written = node.childForFieldName('function');
        if (name && written && !symbol) {
          const at = module.lines.at(node.startIndex);
          const call: UnresolvedCall = { caller: enclosing.id, name: name.text, text: written.text, location: { file: module.rel, line: at.line, column: at.column } };
          unresolved.push(call);
          unresolvedInfos.set(call, { module, call: node, nameNode: name, enclosing });
        }
        return;
      }
      list.push(callSiteOf(module, node, enclosing, callee, resolver, infos));
      return;
    }
    if (node.type !== 'identifier' && node.type !== 'attribute') return;
    const parent = node.parent;
    if (!parent || parent.type === 'attribute' && node.type === 'identifier') return; // part of a longer name
    if (parent.type === 'call' && parent.childForFieldName('function')?.equals(node)) return;
    if (parent.type === 'decorator' || parent.type === 'dotted_name' || parent.type === 'aliased_import') return;
    if (parent.type === 'function_definition' || parent.type === 'class_definition' || parent.type === 'keyword_argument' && parent.childForFieldName('name')?.equals(node)) return;
    if (parent.type === 'assignment' && parent.childForFieldName('left')?.equals(node)) return;
    if (parent.type === 'parameters' || parent.type === 'typed_parameter' || parent.type === 'default_parameter' && parent.childForFieldName('name')?.equals(node)) return;
    const symbol = resolver.resolveExpression(node, enclosing, module);
    if (symbol?.kind !== 'function' || symbol.fn.kind === 'module') return;
    // The dual strategy's wrapper (`async def f_async`: `to_thread(self.f, …)`) is not a use that blocks f.
    if (enclosing.name === `${symbol.fn.name}_async`) return;
    const at = module.lines.at(node.startIndex);
    if (symbol.fn.kind === 'getter' && node.type === 'attribute') {
      // Reading a property runs its getter: a call that can never be awaited.
      const id = `${module.rel}:${node.startIndex}:get`;
      list.push({ id, caller: enclosing.id, callee: symbol.fn.id, kind: 'call', location: { file: module.rel, line: at.line, column: at.column }, isAwaited: false });
      infos.set(id, { module, call: node });
      return;
    }
    const receiver = parent.type === 'argument_list' || parent.type === 'keyword_argument' ? (parent.type === 'keyword_argument' ? parent.parent?.parent : parent.parent) : undefined;
    const api = receiver?.type === 'call' ? receiver.childForFieldName('function')?.text : undefined;
    if (api && HIGHER_ORDER_SAFE.has(api)) return;
    const id = `${module.rel}:${node.startIndex}:ref`;
    list.push({
      id,
      caller: enclosing.id,
      callee: symbol.fn.id,
      // A function a thread runs (`asyncio.to_thread(helper)`) is not event-loop code, and cannot turn async: a value.
      kind: api && !runsInThread(receiver!, enclosing, module, resolver) ? 'callback' : 'reference',
      location: { file: module.rel, line: at.line, column: at.column },
      isAwaited: false,
      text: shortSnippet((api ? receiver! : valueHolder(node)).text),
      ...(api ? { callback: { api, rewrite: 'none' as const } } : {}),
    });
  });
}

/** The node that holds a function used as a value, for the refusal to quote: `[load, save]`, `{"k": load}`, `f if ok else g`. */
function valueHolder(node: PyNode): PyNode {
  let use = node;
  for (let level = 0; level < 3; level++) {
    const parent = use.parent;
    if (!parent || !VALUE_HOLDERS.has(parent.type)) break;
    use = parent;
  }
  return use;
}

const VALUE_HOLDERS = new Set(['list', 'tuple', 'set', 'dictionary', 'pair', 'parenthesized_expression', 'conditional_expression', 'boolean_operator']);

/** One line, at most 60 characters. */
function shortSnippet(source: string): string {
  const text = source.replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
