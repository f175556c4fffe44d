// Builds the language-neutral CallGraph from the resolved modules: one FunctionNode per def, lambda
// and module top level; call, callback and reference sites; and method families.
import type { CallGraph, CallSite, FunctionNode, MethodFamily, UnresolvedCall } from '../../model.js';
import type { BlockingApi } from './blocking-apis.js';
import { findBlockingApi } from './blocking-apis.js';
import { awaitableReturnOf } from './awaitable-return.js';
import { existingAsyncSibling, isPytestFunction, isTestModule, type PyClass, type PyFunction, type PyModule } from './modules.js';
import type { PytestAsyncio } from './project.js';
import { forEachNamedDescendant, namedChildren, PyNode, symbolsOf } from './parser.js';
import { qualifiedNameOf, type PySymbol, type Resolver } from './resolver.js';
import { calleeNameNode, isHandled, isInside, walkWithScopes } from './walk.js';
import { attributeTo } from '../../errors.js';
import { decoratorEffect } from './decorators.js';
import { siblingImportOf } from './imports.js';
import { ReceiverReach } from './receiver-reach.js';
import { pythonFamilyHead } from './families.js';

/** What the emitter needs to find a site again in the text. */
export interface SiteInfo {
  module: PyModule;
  call: PyNode;
  nameNode?: PyNode;
}

/** Where an unresolved call is, for an oracle to ask about it. */
export interface UnresolvedInfo {
  module: PyModule;
  /** The call node, or the attribute itself for a method taken as a value (`holder.refresh`). */
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
  /** Whether an untyped `x.name(…)` may reach a project method `name` (else it is a loose match: dict.get). */
  reach: ReceiverReach;
}

export const FRAMEWORK_DECORATOR = /\.(route|get|post|put|patch|delete|command|callback|task)$|^(click\.command|click\.group)$/;
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
  const body = fn.node.childForFieldName('body');
  if (!body) return false;
  if (body.type === 'yield') return true;
  const { types } = body.tree;
  const yields = symbolsOf(body.tree.language, ['yield']);
  let found = false;
  forEachNamedDescendant(body, OWN_SCOPES, (index) => {
    if (yields[types[index]!] === 1) found = true;
  });
  return found;
}

/** The nodes that open a scope of their own: a body's walk does not enter them. */
const OWN_SCOPES = ['function_definition', 'lambda', 'class_definition'];

/** Visits a body's nodes, not those of nested defs, lambdas and classes (their own scopes). */
export function walkBody(node: PyNode | null, visit: (node: PyNode) => void): void {
  if (!node) return;
  visit(node);
  forEachNamedDescendant(node, OWN_SCOPES, (index) => visit(new PyNode(node.tree, index)));
}

export function signatureOf(fn: PyFunction): string {
  const body = fn.node.childForFieldName('body');
  if (!body || fn.kind === 'module') return fn.qualName;
  // Up to the `:` that opens the body: a comment after it is not part of the signature.
  const colon = fn.node.children.filter((child) => child?.type === ':' && child.startIndex < body.startIndex).pop();
  const header = fn.module.text.slice(fn.node.startIndex, colon?.startIndex ?? body.startIndex).trim().replace(/:$/, '');
  // Each pattern matches only where the text changes: a replace that matches (even to write the same
  // text) returns a chain of string pieces, 0.2 KB a signature, 14 MB on a 505k-line project.
  return header.replace(/\s{2,}|(?! )\s/g, ' ').replace(/\(\s+/g, '(').replace(/,\s*\)|\s+\)/g, ')');
}

/**
 * A script: top-level `main.py`, a package's `__main__.py`, a test. A `main.py` inside a package
 * (`app.main`, what `[project.scripts]` and `uvicorn app.main:app` name) is importable: its functions
 * are the package's entry points, public like any module's.
 */
function isScriptModule(module: PyModule): boolean {
  const base = module.rel.split('/').pop()!;
  return (base === 'main.py' && !module.name.includes('.')) || base === '__main__.py' || isTestModule(module);
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
  const names = new ProjectNames([...resolver.modules.values()]);
  for (const module of modules) attributeTo(module.file, () => collectSites(module, resolver, blockingApis, names, siteList, sites, unresolved, unresolvedInfos, flows));
  blockFuturesUsedAsFutures(functions, nodes, siteList, sites);
  const families = buildFamilies(modules, resolver, nodes, flows);
  // Asked lazily, only about the unresolved calls whose name is that of a function turning async.
  const reach = new ReceiverReach(
    {
      modules,
      functions,
      sites: siteList,
      siteCall: (site) => sites.get(site.id)?.call,
      unresolved: unresolved.map((call) => ({ call, node: unresolvedInfos.get(call)!.call, module: unresolvedInfos.get(call)!.module, enclosing: unresolvedInfos.get(call)!.enclosing })),
    },
    resolver,
  );
  return { graph: { functions: nodes, sites: siteList, families, unresolved }, functions, sites, unresolvedInfos, reach };
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
  if (isTestModule(fn.module)) node.isTest = true;
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
  const decorated = decoratorEffect(fn, resolver, (d) => FRAMEWORK_DECORATOR.test(d));
  if (decorated.kind === 'thread') {
    return {
      kind: 'callback',
      reason: `${name} is decorated with @${decorated.decorator}, which runs it in a worker thread and hands its callers an awaitable: its body is not event-loop code, and @${decorated.decorator} takes only a sync function`,
      suggestion: `Keep ${name} sync (its blocking calls already run off the loop), or remove @${decorated.decorator} and make ${name} an \`async def\` that awaits async APIs by hand.`,
    };
  }
  if (decorated.kind === 'unknown') {
    return {
      kind: 'callback',
      reason: `${name} is decorated with @${decorated.decorator}, which async-migrate cannot see through: whether the decorated ${name} would still hand back the coroutine of an \`async def\`, or call it synchronously, is not known`,
      suggestion: `Check that @${decorated.decorator} supports coroutine functions (or use an async variant of it), then make ${name} async by hand and await it at each call.`,
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
  const protocolMembers = new Map(protocols.map((protocol) => [protocol, [...protocol.methods.keys()].filter(isFamilyMember)]));
  for (const cls of classes) {
    if (protocolMembers.has(cls)) continue;
    const ancestors = resolver.mro(cls);
    const matching = protocols.filter((protocol) => {
      if (ancestors.includes(protocol)) return false;
      const members = protocolMembers.get(protocol)!;
      return members.length > 0 && members.every((name) => resolver.findMethod(cls, name));
    });
    const joined = new Set<string>();
    const flows = flowsInto.get(cls) ?? new Set<PyClass>();
    // Each distance once, not once per comparison: with many same-shaped Protocols the sort dominated.
    const distance = new Map(matching.map((protocol) => [protocol, protocolDistance(cls, protocol)]));
    for (const protocol of matching.sort((a, b) => distance.get(a)! - distance.get(b)!)) {
      for (const name of protocolMembers.get(protocol)!) {
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
    const group = groups.get(root);
    if (group) group.push(id);
    else groups.set(root, [id]);
  }
  const families = new Map<string, MethodFamily>();
  for (const members of groups.values()) {
    members.sort();
    // Name the family after its interface member: a Protocol or abstract member, else the topmost definer.
    const named = pythonFamilyHead(members, (id) => nodes.get(id));
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

const importedModulesCache = new WeakMap<PyModule, Set<string>>();

/** The modules a module imports from (a set per module: asked once per class and Protocol). */
function importedModules(module: PyModule): Set<string> {
  let names = importedModulesCache.get(module);
  if (!names) {
    names = new Set([...module.imports.values()].map((binding) => binding.module));
    importedModulesCache.set(module, names);
  }
  return names;
}

/** How far a Protocol is from a class: its own module, a module it imports from, then by shared folders. */
function protocolDistance(cls: PyClass, protocol: PyClass): number {
  if (protocol.module === cls.module) return 0;
  if (importedModules(cls.module).has(protocol.module.name)) return 1;
  const mine = cls.module.rel.split('/');
  const theirs = protocol.module.rel.split('/');
  let shared = 0;
  while (shared < mine.length - 1 && shared < theirs.length - 1 && mine[shared] === theirs[shared]) shared++;
  return 1000 - shared;
}

/** Something outside the project, reached through a module the tool cannot place (`Resolver.isUnknownPath`). */
function isUnknownExternal(symbol: PySymbol | undefined, resolver: Resolver): boolean {
  return (symbol?.kind === 'external' || symbol?.kind === 'external-instance') && resolver.isUnknownPath(symbol.path);
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
  // Joined, not a template: a template's pieces stay linked in memory (0.1 KB a site, 7 MB on a 505k-line project).
  const id = [module.rel, ':', node.startIndex, '-', node.endIndex].join('');
  const site: CallSite = {
    id,
    caller: enclosing.id,
    callee: callee.id,
    // A call of a function under @sync_to_async runs its body in a worker thread: not event-loop code.
    kind: decoratorEffect(callee, resolver, (d) => FRAMEWORK_DECORATOR.test(d)).kind === 'thread' ? 'reference' : 'call',
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
  const nameNode = calleeNameNode(node);
  // Under dual, a call moving to the sibling must find its name bound where it is (a local import gains it).
  const source = siblingImportOf(nameNode, enclosing, callee);
  if (source.kind === 'unsafe') site.noSiblingMove = { reason: source.reason, suggestion: source.suggestion };
  infos.set(id, { module, call: node, nameNode });
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
    if (info.call.type === 'attribute') {
      // A method taken as a value (`holder.refresh`): what calls it there is not known.
      const parent = info.call.parent;
      const receiver = parent?.type === 'argument_list' ? parent.parent : parent?.type === 'keyword_argument' ? parent.parent?.parent : undefined;
      sites.push(referenceSite(info.module, info.call, info.enclosing, callee, receiver?.type === 'call' ? receiver : undefined, resolver));
      continue;
    }
    sites.push(callSiteOf(info.module, info.call, info.enclosing, callee, resolver, built.sites));
  }
  return sites;
}

const HIGHER_ORDER_SAFE = new Set(['getattr', 'hasattr', 'isinstance', 'callable', 'print', 'repr', 'id']);

/**
 * `asyncio.to_thread(f, …)`, `loop.run_in_executor(pool, f, …)`, `threading.Thread(target=f)`,
 * `executor.submit(f, …)`, asgiref's `sync_to_async(f)`: the call runs `f` in a worker thread.
 */
function runsInThread(call: PyNode, enclosing: PyFunction, module: PyModule, resolver: Resolver): boolean {
  const callee = call.childForFieldName('function');
  const attribute = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
  if (attribute === 'run_in_executor' || attribute === 'submit') return true;
  const symbol = callee ? resolver.resolveExpression(callee, enclosing, module) : undefined;
  const path = symbol?.kind === 'external' ? symbol.path : symbol?.kind === 'function' ? qualifiedNameOf(symbol.fn) : callee?.text ?? '';
  return ['asyncio.to_thread', 'threading.Thread', 'threading.Timer'].includes(path) || /(^|\.)(sync_to_async|database_sync_to_async)$/.test(path);
}

/** The nodes collectSites looks at: calls, and the names that may hold a function as a value. */
const SITE_TYPES: ReadonlySet<string> = new Set(['call', 'identifier', 'attribute']);

/**
 * The project's functions by simple name, indexed once per graph: asked per module and per thread
 * runner, a scan of every module each time was quadratic (AutoBot-AI: minutes).
 */
class ProjectNames {
  /** Every method name of a top-level class (properties and constructors included). */
  readonly methodNames = new Set<string>();
  /** Every def's name (lambdas and module top levels aside). */
  readonly functionNames = new Set<string>();
  /** Plain methods (kind `method`) of top-level classes, by name, in module and class order. */
  private readonly methods = new Map<string, PyFunction[]>();
  /** Module-level functions and plain methods, by name, per module in order: what an import may bring in. */
  private readonly importable = new Map<string, PyFunction[]>();

  constructor(modules: readonly PyModule[]) {
    const add = (map: Map<string, PyFunction[]>, fn: PyFunction): void => {
      const list = map.get(fn.name);
      if (list) list.push(fn);
      else map.set(fn.name, [fn]);
    };
    for (const module of modules) {
      for (const fn of module.functions.values()) add(this.importable, fn);
      for (const cls of module.classes.values()) {
        for (const [name, method] of cls.methods) {
          this.methodNames.add(name);
          if (method.kind !== 'method') continue;
          add(this.methods, method);
          add(this.importable, method);
        }
      }
      for (const fn of module.allFunctions) if (fn.kind !== 'module' && fn.kind !== 'arrow') this.functionNames.add(fn.name);
    }
  }

  methodsNamed(name: string | undefined): readonly PyFunction[] {
    return (name && this.methods.get(name)) || [];
  }

  functionsNamed(name: string | undefined): readonly PyFunction[] {
    return (name && this.importable.get(name)) || [];
  }
}

function collectSites(module: PyModule, resolver: Resolver, blockingApis: readonly BlockingApi[], names: ProjectNames, list: CallSite[], infos: Map<string, SiteInfo>, unresolved: UnresolvedCall[], unresolvedInfos: Map<UnresolvedCall, UnresolvedInfo>, flows: ProtocolFlows): void {
  // `loop.call_soon(holder.refresh)`, `later = holder.refresh` with `holder` untyped: the value may be
  // a project method of that name, called from where it is handed; listed as an unresolved call
  // would be (a thread runner's argument is blocked outright, below).
  /** A value that may be a project function of `name`, called from where it is handed: listed unless its use shows it is not. */
  const recordUnresolvedValue = (node: PyNode, parent: PyNode, enclosing: PyFunction, name: string, nameNode: PyNode): void => {
    if (parent.type === 'attribute') return;
    const receiver = parent.type === 'argument_list' ? parent.parent : parent.type === 'keyword_argument' ? parent.parent?.parent : undefined;
    if (receiver?.type === 'call') {
      const api = receiver.childForFieldName('function')?.text;
      if (api && HIGHER_ORDER_SAFE.has(api)) return;
      // A function value a thread runs is blocked outright, below.
      if (runsInThread(receiver, enclosing, module, resolver) && threadedFunctionArguments(receiver).some((argument) => argument.equals(node))) return;
    }
    if (['augmented_assignment', 'delete_statement'].includes(parent.type)) return;
    const at = module.lines.at(node.startIndex);
    const call: UnresolvedCall = { caller: enclosing.id, name, text: node.text, location: { file: module.rel, line: at.line, column: at.column } };
    unresolved.push(call);
    unresolvedInfos.set(call, { module, call: node, nameNode, enclosing });
  };
  const recordUntypedMethodValue = (node: PyNode, parent: PyNode, enclosing: PyFunction): void => {
    const name = node.childForFieldName('attribute');
    if (!name || !names.methodNames.has(name.text)) return;
    // A receiver the resolver types (`self`, a typed parameter) whose attribute is no method is data.
    const object = node.childForFieldName('object');
    if (!object || resolver.resolveExpression(object, enclosing, module) !== undefined) return;
    recordUnresolvedValue(node, parent, enclosing, name.text, name);
  };
  // `loop.call_soon(get_vnc)` with `get_vnc` imported from a module the tool cannot place: it may be
  // the project function of that name (an annotation naming it is no use of a value).
  const recordUnknownValue = (node: PyNode, parent: PyNode, enclosing: PyFunction, path: string): void => {
    const name = path.slice(path.lastIndexOf('.') + 1);
    // On an instance (`config = VMConfig()`, the class from such a module) only a method can be meant:
    // `config.main` is no module-level `main`.
    const object = node.type === 'attribute' ? node.childForFieldName('object') : null;
    const onInstance = object ? resolver.resolveExpression(object, enclosing, module)?.kind === 'external-instance' : false;
    if (!(onInstance ? names.methodNames : names.functionNames).has(name) || isInside(node, new Set(['type']), module.tree.rootNode)) return;
    const nameNode = node.type === 'attribute' ? node.childForFieldName('attribute') : node;
    if (nameNode) recordUnresolvedValue(node, parent, enclosing, name, nameNode);
  };
  // `asyncio.to_thread(obj.search, q)` with `obj` unknown: every project method of that name may be
  // the one a thread runs, so none of them may turn async on the strength of its direct calls. So
  // with `to_thread(get_vnc)` imported from a module the tool cannot place: every project function
  // of that name. Found in the same walk, listed after the module's other sites.
  const threaded: CallSite[] = [];
  const recordThreadedMethods = (node: PyNode, enclosing: PyFunction): void => {
    if (!runsInThread(node, enclosing, module, resolver)) return;
    for (const argument of threadedFunctionArguments(node)) {
      if (argument.type !== 'attribute' && argument.type !== 'identifier') continue;
      const symbol = resolver.resolveExpression(argument, enclosing, module);
      const unknown = symbol?.kind === 'external' && isUnknownExternal(symbol, resolver) ? symbol.path : undefined;
      if (unknown === undefined && (symbol || argument.type !== 'attribute')) continue;
      const name = unknown !== undefined ? unknown.slice(unknown.lastIndexOf('.') + 1) : argument.childForFieldName('attribute')?.text;
      if (enclosing.name === `${name}_async`) continue; // the dual strategy's own wrapper
      const targets = unknown !== undefined ? names.functionsNamed(name) : names.methodsNamed(name);
      for (const fn of targets) threaded.push(referenceSite(module, argument, enclosing, fn, node, resolver, unknown));
    }
  };
  walkWithScopes(module, (node, enclosing) => {
    if (node.type === 'call') {
      recordThreadedMethods(node, enclosing);
      const { fn: callee, symbol } = resolveProjectCallee(node, enclosing, resolver, blockingApis);
      if (callee) recordProtocolArguments(node, callee, enclosing, resolver, flows);
      if (!callee) {
        const name = calleeNameNode(node);
        const written = node.childForFieldName('function');
        // A call through an import of a module the tool cannot place may call a project function.
        const unknown = isUnknownExternal(symbol, resolver);
        if (name && written && (!symbol || unknown)) {
          const at = module.lines.at(node.startIndex);
          // `from x import get_vnc as vnc`: `vnc()` calls what the module names `get_vnc`.
          const called = unknown && symbol?.kind === 'external' ? symbol.path.slice(symbol.path.lastIndexOf('.') + 1) : name.text;
          const call: UnresolvedCall = { caller: enclosing.id, name: called, text: written.text, location: { file: module.rel, line: at.line, column: at.column } };
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
    if (symbol === undefined && node.type === 'attribute') recordUntypedMethodValue(node, parent, enclosing);
    else if (symbol?.kind === 'external' && isUnknownExternal(symbol, resolver)) recordUnknownValue(node, parent, enclosing, symbol.path);
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
    list.push(referenceSite(module, node, enclosing, symbol.fn, receiver?.type === 'call' ? receiver : undefined, resolver));
  }, SITE_TYPES);
  for (const site of threaded) list.push(site);
}

/** The arguments of a thread runner that are the function it runs: `to_thread(f, …)`, `run_in_executor(pool, f, …)`, `Thread(target=f)`, `submit(f, …)`. */
function threadedFunctionArguments(call: PyNode): PyNode[] {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return [];
  const all = namedChildren(args);
  const target = all.find((arg) => arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'target')?.childForFieldName('value');
  if (target) return [target];
  const positional = all.filter((arg) => arg.type !== 'keyword_argument');
  const attribute = call.childForFieldName('function')?.childForFieldName('attribute')?.text;
  const value = attribute === 'run_in_executor' ? positional[1] : positional[0];
  return value ? [value] : [];
}

/** Builtins (and `list.sort`) that call a function they are given on the spot and use its result. */
const SYNC_HIGHER_ORDER = /^(sorted|map|filter|min|max|functools\.reduce|reduce|itertools\.\w+|\w+\.sort)$/;

/** One line of at most 80 characters: the expression as a reason can quote it. */
function quoted(node: PyNode): string {
  const text = node.text.replace(/\s+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * A function used as a value (passed to a thread, a key function, a mock assertion, stored): what
 * calls it there is not known, so it cannot turn async unless that use is rewritten too, and no
 * rewrite exists for it here. The reason quotes the expression that holds it.
 */
function referenceSite(module: PyModule, node: PyNode, enclosing: PyFunction, fn: PyFunction, receiver: PyNode | undefined, resolver: Resolver, unknownPath?: string): CallSite {
  const at = module.lines.at(node.startIndex);
  const holder = receiver ?? (node.parent && node.parent.type !== 'module' && node.parent.type !== 'block' ? node.parent : node);
  const api = receiver?.childForFieldName('function')?.text;
  const thread = receiver !== undefined && runsInThread(receiver, enclosing, module, resolver);
  const attribute = receiver?.childForFieldName('function')?.childForFieldName('attribute')?.text ?? '';
  const expression = `\`${quoted(holder)}\``;
  // Reached through a module the tool cannot place: say why this value may be `fn` at all.
  const through = unknownPath ? ` (\`${quoted(node)}\` comes from \`${unknownPath.slice(0, unknownPath.lastIndexOf('.'))}\`, a module async-migrate cannot place, so it may be ${fn.qualName})` : '';
  const because = thread
    ? {
        reason: `${expression} runs it in a worker thread, where the coroutine of an \`async def\` would never be awaited${through}`,
        suggestion: `Keep ${fn.qualName} sync (the thread keeps it off the loop), or await ${fn.qualName}(…) in place of the thread by hand, then re-run async-migrate.`,
      }
    : /^assert_|^assert_any_call$/.test(attribute)
      ? {
          reason: `${expression} checks that it is handed over as a value, and what calls it where it is handed over is not known`,
          suggestion: `Find where ${fn.qualName} is passed as a value; if that code can await a coroutine, make ${fn.qualName} async by hand and update this assertion.`,
        }
      : api && SYNC_HIGHER_ORDER.test(api)
        ? {
            reason: `${expression} calls it synchronously and uses its result, which would be a coroutine`,
            suggestion: `Await the async work before ${api}(…) (precompute the values), or rewrite the ${api}(…) call as a loop with await, then re-run async-migrate.`,
          }
      : api
        ? {
            reason: `${expression} hands it to code that is not known to await what it returns`,
            suggestion: `Check what ${api} does with ${fn.qualName}; if it awaits a coroutine, make ${fn.qualName} async by hand, else keep it sync.`,
          }
        : {
            reason: `it is held in ${expression}, and what calls it from there is not known`,
            suggestion: `Check the code that calls ${fn.qualName} through that value; if it can await a coroutine, make ${fn.qualName} async by hand.`,
          };
  return {
    id: `${module.rel}:${node.startIndex}:ref:${fn.id}`,
    caller: enclosing.id,
    callee: fn.id,
    kind: 'reference',
    location: { file: module.rel, line: at.line, column: at.column },
    isAwaited: false,
    callback: { api: api ?? quoted(holder), rewrite: 'none', blockedBecause: because },
  };
}
