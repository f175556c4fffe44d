// Which modules an instance of a project class can reach, for the calls `x.name(…)` whose receiver the
// resolver cannot type. Such a call is matched to the project's methods by name alone, so on a real
// application thousands of `d.get(…)` (dict.get) were listed because one project class has a `get`
// that turns async. The call may call `C.name` only where a `C` can be: a module that names `C` (or a
// subclass, or a function returning one), or one a `C` is handed to (an argument that is a `C`, or an
// untyped argument from a module where a `C` can be), or one that gets an untyped result from such a
// module through a resolved call. Elsewhere the match is loose: the front-end's `resolveCalls` takes
// the call as calling nothing turning async, so it is neither listed nor asked of pyright. Asked only
// for the names of functions turning async (each name's modules computed once): a project's many other
// method names cost nothing. A name imported from a module the resolver does not place in the project
// counts as a call of each project function of that name. Not followed: a `C` reaching a module only inside a container or an
// attribute of an object, with no call between the modules passing or returning it.
import type { CallSite, UnresolvedCall } from '../../model.js';
import type { PyClass, PyFunction, PyModule } from './modules.js';
import { namedChildren, type PyNode } from './parser.js';
import type { PySymbol, Resolver } from './resolver.js';

/** What an argument holds: a project class's instance (or the class), a value of no project class, or unknown. */
type Carried = PyClass | 'other' | 'unknown';

interface Flow {
  from: PyModule;
  /** The modules of the functions the call may reach. */
  to: PyModule[];
  args: Carried[];
  /** The callee's result is unknown: a `C` where the callee is may come back to the caller. */
  returnsUnknown: boolean;
}

export interface ReachSources {
  modules: readonly PyModule[];
  functions: ReadonlyMap<string, PyFunction>;
  sites: readonly CallSite[];
  siteCall: (site: CallSite) => PyNode | undefined;
  unresolved: readonly { call: UnresolvedCall; node: PyNode; module: PyModule; enclosing: PyFunction }[];
}

/**
 * A project class's instance (or the class) for what it is; a builtin value, a function or a module as
 * no project class; anything else (unknown, an instance of a path the resolver did not place in the
 * project, which may be a project class imported under another name) as unknown.
 */
function carriedBy(symbol: PySymbol | undefined): Carried {
  if (symbol === undefined) return 'unknown';
  if (symbol.kind === 'instance' || symbol.kind === 'class') return symbol.cls;
  if (symbol.kind === 'function' || symbol.kind === 'module') return 'other';
  if (symbol.kind === 'external-instance' && /^(builtins|collections)\./.test(symbol.path)) return 'other';
  return 'unknown';
}

const IDENTIFIER = /[\p{L}_][\p{L}\p{N}_]*/gu;

export class ReceiverReach {
  private readonly seenByName = new Map<string, Set<PyModule> | undefined>();
  private readonly byToken = new Map<string, Set<PyModule>>();
  private readonly functionsByName = new Map<string, PyFunction[]>();
  private readonly classes: PyClass[];
  private readonly returned = new Map<PyFunction, Carried>();
  private flows: { byFrom: Map<PyModule, Flow[]>; byTo: Map<PyModule, Flow[]>; carrying: Flow[] } | undefined;

  constructor(
    private readonly sources: ReachSources,
    private readonly resolver: Resolver,
  ) {
    this.classes = sources.modules.flatMap((module) => [...module.classes.values()]);
    for (const fn of sources.functions.values()) {
      if (fn.kind === 'module') continue;
      const list = this.functionsByName.get(fn.name);
      if (list) list.push(fn);
      else this.functionsByName.set(fn.name, [fn]);
    }
  }

  /** Whether an unresolved call may call a project method of its name (a call that is no `x.name(…)` always may). */
  mayReach(call: UnresolvedCall, node: PyNode, module: PyModule): boolean {
    // A call `x.name(…)`, or the method taken as a value, `x.name`.
    const written = node.type === 'attribute' ? node : node.childForFieldName('function');
    if (written?.type !== 'attribute') return true;
    if (!this.seenByName.has(call.name)) this.seenByName.set(call.name, this.modulesSeeing(call.name));
    const seen = this.seenByName.get(call.name);
    return seen === undefined || seen.has(module);
  }

  /** The modules where an instance of a class with a method `name` can be; undefined when a function of that name is no method. */
  private modulesSeeing(name: string): Set<PyModule> | undefined {
    const named = this.functionsByName.get(name) ?? [];
    if (named.some((fn) => !fn.cls)) return undefined;
    const definers = new Set(named.map((fn) => fn.cls!));
    const owners = new Set(this.classes.filter((cls) => this.resolver.mro(cls).some((klass) => definers.has(klass))));
    const seen = new Set<PyModule>();
    const queue: PyModule[] = [];
    const see = (module: PyModule): void => {
      if (seen.has(module)) return;
      seen.add(module);
      queue.push(module);
    };
    const names = new Set([...owners].map((cls) => cls.name));
    for (const fn of this.sources.functions.values()) {
      const result = this.returnedBy(fn);
      if (result !== 'unknown' && result !== 'other' && owners.has(result)) names.add(fn.name);
    }
    for (const token of names) for (const module of this.tokens().get(token) ?? []) see(module);
    for (const cls of owners) see(cls.module);
    const flows = this.allFlows();
    for (const flow of flows.carrying) if (flow.args.some((arg) => arg !== 'unknown' && arg !== 'other' && owners.has(arg))) flow.to.forEach(see);
    while (queue.length > 0) {
      const module = queue.pop()!;
      for (const flow of flows.byFrom.get(module) ?? []) if (flow.args.includes('unknown')) flow.to.forEach(see);
      for (const flow of flows.byTo.get(module) ?? []) if (flow.returnsUnknown) see(flow.from);
    }
    return seen;
  }

  /** Every identifier-like word of each module, text of strings and comments included (more words only keep more calls). */
  private tokens(): Map<string, Set<PyModule>> {
    if (this.byToken.size === 0) {
      for (const module of this.sources.modules) {
        for (const [token] of module.text.matchAll(IDENTIFIER)) {
          const set = this.byToken.get(token);
          if (set) set.add(module);
          else this.byToken.set(token, new Set([module]));
        }
      }
    }
    return this.byToken;
  }

  private returnedBy(fn: PyFunction): Carried {
    let result = this.returned.get(fn);
    if (result === undefined) {
      // The resolver's return is that of the returns it could type: the others may still give a `C`.
      result = fn.kind === 'module' || fn.kind === 'arrow' ? 'unknown' : carriedBy(this.resolver.returnOf(fn));
      this.returned.set(fn, result);
    }
    return result;
  }

  private carried(node: PyNode, enclosing: PyFunction, module: PyModule): Carried {
    const value = node.type === 'keyword_argument' ? node.childForFieldName('value') : node;
    if (!value || value.type === 'list_splat' || value.type === 'dictionary_splat') return 'unknown';
    return carriedBy(this.resolver.resolveExpression(value, enclosing, module));
  }

  private argumentsOf(call: PyNode, enclosing: PyFunction, module: PyModule): Carried[] {
    const args = call.childForFieldName('arguments');
    if (!args || args.type !== 'argument_list') return [];
    return namedChildren(args).filter((arg) => arg.type !== 'comment').map((arg) => this.carried(arg, enclosing, module));
  }

  private allFlows(): { byFrom: Map<PyModule, Flow[]>; byTo: Map<PyModule, Flow[]>; carrying: Flow[] } {
    if (this.flows) return this.flows;
    const list: Flow[] = [];
    for (const site of this.sources.sites) {
      if (site.kind !== 'call') continue;
      const node = this.sources.siteCall(site);
      const caller = this.sources.functions.get(site.caller);
      const callee = this.sources.functions.get(site.callee);
      if (!node || node.type !== 'call' || !caller || !callee || caller.module === callee.module) continue;
      list.push({ from: caller.module, to: [callee.module], args: this.argumentsOf(node, caller, caller.module), returnsUnknown: this.returnedBy(callee) === 'unknown' });
    }
    for (const { call, node, module, enclosing } of this.sources.unresolved) {
      const to = [...new Set((this.functionsByName.get(call.name) ?? []).map((fn) => fn.module))].filter((other) => other !== module);
      // Its result is not followed back: that the call reaches a method is what is being decided.
      if (to.length > 0) list.push({ from: module, to, args: this.argumentsOf(node, enclosing, module), returnsUnknown: false });
    }
    // `from factories import open_cache` where the resolver does not place `factories` in the project
    // (a folder put on sys.path at run time): the result of any project function of that name may
    // come back, as through a resolved call.
    for (const module of this.sources.modules) {
      for (const imports of [module.imports, ...module.allFunctions.map((fn) => fn.imports)]) {
        for (const binding of imports?.values() ?? []) {
          if (binding.kind !== 'symbol' || this.resolver.modules.has(binding.module)) continue;
          const to = [...new Set((this.functionsByName.get(binding.name) ?? []).filter((fn) => !fn.cls && !fn.parent).map((fn) => fn.module))].filter((other) => other !== module);
          if (to.length > 0) list.push({ from: module, to, args: [], returnsUnknown: true });
        }
      }
    }
    const byFrom = new Map<PyModule, Flow[]>();
    const byTo = new Map<PyModule, Flow[]>();
    for (const flow of list) {
      const from = byFrom.get(flow.from);
      if (from) from.push(flow);
      else byFrom.set(flow.from, [flow]);
      for (const module of flow.to) {
        const flows = byTo.get(module);
        if (flows) flows.push(flow);
        else byTo.set(module, [flow]);
      }
    }
    const carrying = list.filter((flow) => flow.args.some((arg) => arg !== 'unknown' && arg !== 'other'));
    this.flows = { byFrom, byTo, carrying };
    return this.flows;
  }
}
