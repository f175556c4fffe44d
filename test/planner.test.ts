// The propagation planner on small in-memory call graphs: no front-end, no files.
import { describe, expect, it } from 'vitest';
import type {
  AsyncRoot,
  CallbackRewrite,
  CallGraph,
  CallSite,
  FunctionId,
  FunctionKind,
  FunctionNode,
  MethodFamily,
} from '../src/model.js';
import { planPropagation, type BlockedFunction, type Plan } from '../src/plan/propagate.js';
import { asyncReachable } from '../src/plan/reachability.js';

interface FnOptions {
  kind?: FunctionKind;
  isAsync?: boolean;
  isExported?: boolean;
  line?: number;
  syncOnly?: FunctionNode['syncOnly'];
  preferDual?: boolean;
  asyncSibling?: string;
}

interface SiteOptions {
  kind?: CallSite['kind'];
  line?: number;
  isAwaited?: boolean;
  callback?: CallSite['callback'] & { rewrite: CallbackRewrite };
  entryCall?: boolean;
  entryFollowedBy?: string;
  cannotAwait?: { reason: string };
  callGroup?: string;
}

/**
 * A tiny call-graph builder. Functions are named like the front-ends name them and get the id
 * `<file>#<name>`; every function lives in `file` (default `src/a.ts`).
 */
class Graph {
  readonly functions = new Map<FunctionId, FunctionNode>();
  readonly sites: CallSite[] = [];
  readonly families = new Map<string, MethodFamily>();
  private nextLine = 1;

  constructor(private readonly file = 'src/a.ts') {}

  fn(name: string, options: FnOptions = {}): FunctionId {
    const id = `${this.file}#${name}`;
    const node: FunctionNode = {
      id,
      name,
      kind: options.kind ?? 'function',
      location: { file: this.file, line: options.line ?? this.nextLine++, column: 1 },
      isAsync: options.isAsync ?? false,
      isExported: options.isExported ?? false,
    };
    if (options.syncOnly) node.syncOnly = options.syncOnly;
    if (options.preferDual) node.preferDual = true;
    if (options.asyncSibling) node.asyncSibling = options.asyncSibling;
    this.functions.set(id, node);
    return id;
  }

  site(caller: FunctionId, callee: FunctionId, options: SiteOptions = {}): CallSite {
    const site: CallSite = {
      id: `site${this.sites.length + 1}`,
      caller,
      callee,
      kind: options.kind ?? 'call',
      location: { file: this.file, line: options.line ?? 100 + this.sites.length, column: 3 },
      isAwaited: options.isAwaited ?? false,
    };
    if (options.callback) site.callback = options.callback;
    if (options.entryCall) site.entryCall = options.entryCall;
    if (options.entryFollowedBy) site.entryFollowedBy = options.entryFollowedBy;
    if (options.cannotAwait) site.cannotAwait = options.cannotAwait;
    if (options.callGroup) site.callGroup = options.callGroup;
    this.sites.push(site);
    return site;
  }

  family(name: string, members: FunctionId[]): string {
    const id = `family:${name}`;
    this.families.set(id, { id, name, members });
    for (const member of members) this.functions.get(member)!.familyId = id;
    return id;
  }

  build(): CallGraph {
    return { functions: this.functions, sites: this.sites, families: this.families };
  }
}

const root = (fn: FunctionId, reason: string): AsyncRoot => ({ function: fn, reason });

/** The plan as plain data, keyed by function name, for whole-object comparisons. */
function describePlan(graph: CallGraph, plan: Plan): Record<string, unknown> {
  const name = (id: FunctionId): string => graph.functions.get(id)?.name ?? id;
  return {
    asyncFunctions: Object.fromEntries([...plan.asyncFunctions].map(([id, because]) => [name(id), because])),
    awaitSites: plan.awaitSites.map((site) => site.id),
    callbackSites: plan.callbackSites.map((site) => site.id),
    entrySites: plan.entrySites.map((site) => site.id),
    blocked: Object.fromEntries([...plan.blocked].map(([id, why]) => [name(id), why.blockedBy === undefined ? why : { ...why, blockedBy: name(why.blockedBy) }])),
    droppedRoots: plan.droppedRoots,
    dualFunctions: [...plan.dualFunctions].map(name).sort(),
  };
}

const INPLACE = { strategy: 'inplace' } as const;
const DUAL = { strategy: 'dual' } as const;
const IO = 'src/a.ts:3 blocking-io';

describe('planPropagation: chains', () => {
  it('carries async from the root up through every caller, `because` nearest first ending with the root reason', () => {
    const g = new Graph();
    const readConfig = g.fn('readConfig');
    const loadSettings = g.fn('loadSettings');
    const start = g.fn('start');
    const s1 = g.site(loadSettings, readConfig);
    const s2 = g.site(start, loadSettings);
    const graph = g.build();
    const plan = planPropagation(graph, [root(readConfig, IO)], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {
        readConfig: [IO],
        loadSettings: ['readConfig', IO],
        start: ['loadSettings', 'readConfig', IO],
      },
      awaitSites: [s1.id, s2.id],
      callbackSites: [],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: [],
    });
  });

  it('keeps the shortest chain when a caller is reached by two paths', () => {
    const g = new Graph();
    const leaf = g.fn('leaf');
    const middle = g.fn('middle');
    const top = g.fn('top');
    g.site(middle, leaf);
    g.site(top, middle);
    g.site(top, leaf);
    const graph = g.build();
    const plan = planPropagation(graph, [root(leaf, IO)], INPLACE);
    expect(plan.asyncFunctions.get(top)).toEqual(['leaf', IO]);
    expect(plan.asyncFunctions.get(middle)).toEqual(['leaf', IO]);
    expect(plan.awaitSites).toHaveLength(3);
  });

  it('does not touch functions outside the chain', () => {
    const g = new Graph();
    const leaf = g.fn('leaf');
    const caller = g.fn('caller');
    const callee = g.fn('unrelatedCallee');
    const bystander = g.fn('bystander');
    g.site(caller, leaf);
    g.site(leaf, callee); // what the root calls stays sync
    g.site(bystander, callee);
    const graph = g.build();
    const plan = planPropagation(graph, [root(leaf, IO)], INPLACE);
    expect([...plan.asyncFunctions.keys()].sort()).toEqual([caller, leaf].sort());
    expect(plan.awaitSites.map((s) => [s.caller, s.callee])).toEqual([[caller, leaf]]);
  });

  it('with two roots keeps the reason of each, and a function reached by both keeps the first', () => {
    const g = new Graph();
    const a = g.fn('a');
    const b = g.fn('b');
    const both = g.fn('both');
    g.site(both, a);
    g.site(both, b);
    const graph = g.build();
    const plan = planPropagation(graph, [root(a, 'src/a.ts:1 blocking-sleep'), root(b, '--make-async b')], INPLACE);
    expect(describePlan(graph, plan).asyncFunctions).toEqual({
      a: ['src/a.ts:1 blocking-sleep'],
      b: ['--make-async b'],
      both: ['a', 'src/a.ts:1 blocking-sleep'],
    });
  });

  it('gives an empty plan without roots', () => {
    const g = new Graph();
    const a = g.fn('a');
    const b = g.fn('b');
    g.site(a, b);
    const graph = g.build();
    expect(describePlan(graph, planPropagation(graph, [], INPLACE))).toEqual({
      asyncFunctions: {},
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: [],
    });
  });
});

describe('planPropagation: cycles', () => {
  it('terminates on mutual recursion and turns both functions async', () => {
    const g = new Graph();
    const even = g.fn('isEven');
    const odd = g.fn('isOdd');
    const s1 = g.site(even, odd);
    const s2 = g.site(odd, even);
    const graph = g.build();
    const plan = planPropagation(graph, [root(even, '--make-async isEven')], INPLACE);
    expect(describePlan(graph, plan)).toMatchObject({
      asyncFunctions: { isEven: ['--make-async isEven'], isOdd: ['isEven', '--make-async isEven'] },
      awaitSites: [s1.id, s2.id],
      blocked: {},
    });
  });

  it('terminates on a cycle above the root and turns the whole cycle async', () => {
    const g = new Graph();
    const leaf = g.fn('leaf');
    const a = g.fn('a');
    const b = g.fn('b');
    const c = g.fn('c');
    g.site(a, leaf);
    g.site(a, b);
    g.site(b, c);
    g.site(c, a);
    const graph = g.build();
    const plan = planPropagation(graph, [root(leaf, IO)], INPLACE);
    expect(describePlan(graph, plan).asyncFunctions).toEqual({
      leaf: [IO],
      a: ['leaf', IO],
      c: ['a', 'leaf', IO],
      b: ['c', 'a', 'leaf', IO],
    });
    expect(plan.awaitSites).toHaveLength(4);
  });

  it('awaits a recursive call of a function on itself', () => {
    const g = new Graph();
    const walk = g.fn('walk');
    const self = g.site(walk, walk);
    const graph = g.build();
    const plan = planPropagation(graph, [root(walk, IO)], INPLACE);
    expect(describePlan(graph, plan)).toMatchObject({ asyncFunctions: { walk: [IO] }, awaitSites: [self.id] });
  });
});

describe('planPropagation: families whose members disagree', () => {
  function sinkFamily(): { g: Graph; iface: FunctionId; buffered: FunctionId; file: FunctionId; emit: FunctionId; call: CallSite } {
    const g = new Graph();
    const iface = g.fn('Output.put', { kind: 'abstract-method' });
    const buffered = g.fn('BufferedOutput.put', { kind: 'method', isAsync: true });
    const file = g.fn('FileOutput.put', { kind: 'method' });
    const emit = g.fn('emit');
    g.family('Output.put', [iface, buffered, file]);
    const call = g.site(emit, iface);
    return { g, iface, buffered, file, emit, call };
  }
  const reason = (name: string): string =>
    `${name} belongs to the method family Output.put, whose members disagree: BufferedOutput.put already returns an awaitable, FileOutput.put and Output.put are not async; a call through Output.put may run either, so which calls to await is not known`;

  it('blocks the sync members (kind family, naming both sides) and leaves the calls through the family as they are', () => {
    const { g, file } = sinkFamily();
    const graph = g.build();
    const plan = planPropagation(graph, [root(file, IO)], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {},
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {
        'Output.put': { kind: 'family', reason: reason('Output.put'), suggestion: expect.stringContaining('--make-async Output.put') as string },
        'FileOutput.put': { kind: 'family', reason: reason('FileOutput.put'), suggestion: expect.stringContaining('--make-async Output.put') as string },
      },
      droppedRoots: [root(file, IO)],
      dualFunctions: [],
    });
  });

  it('turns the family async when --make-async decides it', () => {
    const { g, iface, file, emit, call } = sinkFamily();
    const graph = g.build();
    const plan = planPropagation(graph, [root(file, IO), root(iface, '--make-async Output.put')], INPLACE);
    expect([...plan.asyncFunctions.keys()].sort()).toEqual([emit, file, iface].sort());
    expect(plan.awaitSites.map((site) => site.id)).toEqual([call.id]);
    expect(plan.blocked.size).toBe(0);
  });

  it('under dual, gives the family a sibling when every async member can have one, and blocks it when one cannot', () => {
    const { g, buffered, file } = sinkFamily();
    const graph = g.build();
    expect(planPropagation(graph, [root(file, IO)], DUAL).blocked.size).toBe(0);
    graph.functions.get(buffered)!.noSibling = 'it is async already, and no sibling that awaits it is written';
    expect([...planPropagation(graph, [root(file, IO)], DUAL).blocked.values()].map((why) => why.kind)).toEqual(['family', 'family']);
  });
});

describe('planPropagation: method families', () => {
  function storeFamily(): { g: Graph; iface: FunctionId; file: FunctionId; memory: FunctionId; persist: FunctionId; call: CallSite } {
    const g = new Graph();
    const iface = g.fn('Store.save', { kind: 'abstract-method' });
    const file = g.fn('FileStore.save', { kind: 'method' });
    const memory = g.fn('MemoryStore.save', { kind: 'method' });
    const persist = g.fn('persist');
    g.family('Store.save', [iface, file, memory]);
    const call = g.site(persist, iface);
    return { g, iface, file, memory, persist, call };
  }

  it('turns the interface member, every implementation and the callers through the interface async together', () => {
    const { g, file, call } = storeFamily();
    const graph = g.build();
    const plan = planPropagation(graph, [root(file, IO)], INPLACE);
    const viaFamily = 'FileStore.save (method family Store.save)';
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {
        'FileStore.save': [IO],
        'Store.save': [viaFamily, IO],
        'MemoryStore.save': [viaFamily, IO],
        persist: ['Store.save', viaFamily, IO],
      },
      awaitSites: [call.id],
      callbackSites: [],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: [],
    });
  });

  it('carries async to callers of another implementation', () => {
    const { g, file, memory } = storeFamily();
    const test = g.fn('testMemoryStore');
    const direct = g.site(test, memory);
    const graph = g.build();
    const plan = planPropagation(graph, [root(file, IO)], INPLACE);
    expect(plan.asyncFunctions.get(test)).toEqual(['MemoryStore.save', 'FileStore.save (method family Store.save)', IO]);
    expect(plan.awaitSites.map((s) => s.id)).toContain(direct.id);
  });

  it('blocks the whole family when one member cannot turn async, and drops the root', () => {
    const { g, iface, file, memory } = storeFamily();
    const register = g.fn('register');
    g.site(register, memory, { kind: 'reference', line: 9 });
    const graph = g.build();
    const rootFile = root(file, IO);
    const plan = planPropagation(graph, [rootFile], INPLACE);
    const referenceReason = 'MemoryStore.save is used as a value at src/a.ts:9; what calls it there is not known';
    const familyBlock = (name: string): BlockedFunction => ({
      kind: 'family',
      reason: `${name} belongs to the same method family as MemoryStore.save, which cannot turn async (${referenceReason})`,
      suggestion: 'Use --strategy dual to add an async sibling to the whole family, or resolve the block on MemoryStore.save first.',
      blockedBy: 'MemoryStore.save',
    });
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {},
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {
        'MemoryStore.save': {
          kind: 'reference',
          reason: referenceReason,
          suggestion:
            'Check the code that receives MemoryStore.save; if it can await a promise, make it async by hand, or keep a sync version (--strategy dual).',
        },
        'Store.save': familyBlock('Store.save'),
        'FileStore.save': familyBlock('FileStore.save'),
      },
      droppedRoots: [rootFile],
      dualFunctions: [],
    });
    expect(plan.blocked.has(iface)).toBe(true);
  });
});

describe('planPropagation: functions that must stay sync', () => {
  const constructorBlock = {
    kind: 'constructor' as const,
    reason: 'a constructor cannot be async',
    suggestion: 'Add a static async factory (`static async create()`) and call it instead of `new`.',
  };

  it('a constructor caller blocks downward: the callees stay sync, reported as `caller`, the root is dropped', () => {
    const g = new Graph('src/kb.ts');
    const ctor = g.fn('KnowledgeBase.constructor', { kind: 'constructor', syncOnly: constructorBlock });
    const load = g.fn('KnowledgeBase.load', { kind: 'method' });
    const readIndex = g.fn('readIndex');
    const refresh = g.fn('refresh');
    g.site(ctor, load, { line: 5 });
    g.site(load, readIndex, { line: 9 });
    g.site(refresh, load, { line: 20 });
    const graph = g.build();
    const rootRead = root(readIndex, 'src/kb.ts:12 blocking-io');
    const plan = planPropagation(graph, [rootRead], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {},
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {
        'KnowledgeBase.constructor': constructorBlock,
        'KnowledgeBase.load': {
          kind: 'caller',
          reason: 'called by KnowledgeBase.constructor at src/kb.ts:5, which must stay sync (constructor)',
          suggestion: 'Resolve the block on KnowledgeBase.constructor first, or use --strategy dual to keep a sync KnowledgeBase.load for it.',
          blockedBy: 'KnowledgeBase.constructor',
        },
        readIndex: {
          kind: 'caller',
          reason: 'called by KnowledgeBase.load at src/kb.ts:9, which must stay sync (caller)',
          suggestion: 'Resolve the block on KnowledgeBase.load first, or use --strategy dual to keep a sync readIndex for it.',
          blockedBy: 'KnowledgeBase.load',
        },
      },
      droppedRoots: [rootRead],
      dualFunctions: [],
    });
    expect(plan.asyncFunctions.has(refresh)).toBe(false);
  });

  it('a getter that must stay sync blocks the function it calls', () => {
    const g = new Graph();
    const getterBlock = {
      kind: 'getter' as const,
      reason: 'a getter cannot be async',
      suggestion: 'Turn the getter into an async method (`getValue()`).',
    };
    const getter = g.fn('Config.value', { kind: 'getter', syncOnly: getterBlock });
    const readValue = g.fn('readValue');
    g.site(getter, readValue, { line: 7 });
    const graph = g.build();
    const rootRead = root(readValue, IO);
    const plan = planPropagation(graph, [rootRead], INPLACE);
    expect(describePlan(graph, plan)).toMatchObject({
      asyncFunctions: {},
      awaitSites: [],
      blocked: {
        'Config.value': getterBlock,
        readValue: {
          kind: 'caller',
          reason: 'called by Config.value at src/a.ts:7, which must stay sync (getter)',
          suggestion: 'Resolve the block on Config.value first, or use --strategy dual to keep a sync readValue for it.',
        },
      },
      droppedRoots: [rootRead],
    });
  });

  it('a sync-only function outside the chain blocks nothing', () => {
    const g = new Graph();
    const ctor = g.fn('Box.constructor', { kind: 'constructor', syncOnly: constructorBlock });
    const leaf = g.fn('leaf');
    const helper = g.fn('helper');
    const caller = g.fn('caller');
    g.site(ctor, helper);
    g.site(caller, leaf);
    const graph = g.build();
    const plan = planPropagation(graph, [root(leaf, IO)], INPLACE);
    expect(describePlan(graph, plan)).toMatchObject({ asyncFunctions: { leaf: [IO], caller: ['leaf', IO] }, blocked: {}, droppedRoots: [] });
  });

  it('a function used as a value (`reference` site) is blocked and its direct callers stay sync', () => {
    const g = new Graph('src/app.ts');
    const handler = g.fn('handler');
    const register = g.fn('register');
    const main = g.fn('main');
    g.site(register, handler, { kind: 'reference', line: 4 });
    g.site(main, handler, { line: 8 });
    const graph = g.build();
    const rootHandler = root(handler, 'src/app.ts:2 blocking-sleep');
    const plan = planPropagation(graph, [rootHandler], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {},
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {
        handler: {
          kind: 'reference',
          reason: 'handler is used as a value at src/app.ts:4; what calls it there is not known',
          suggestion: 'Check the code that receives handler; if it can await a promise, make it async by hand, or keep a sync version (--strategy dual).',
        },
      },
      droppedRoots: [rootHandler],
      dualFunctions: [],
    });
  });

  it('a reference to a function that need not change blocks nothing', () => {
    const g = new Graph();
    const leaf = g.fn('leaf');
    const other = g.fn('other');
    const caller = g.fn('caller');
    g.site(caller, leaf);
    g.site(caller, other, { kind: 'reference' });
    const graph = g.build();
    const plan = planPropagation(graph, [root(leaf, IO)], INPLACE);
    expect(describePlan(graph, plan)).toMatchObject({ asyncFunctions: { leaf: [IO], caller: ['leaf', IO] }, blocked: {} });
  });

  it('a call where await cannot be added blocks the callee (`cannotAwait`)', () => {
    const g = new Graph('src/w.ts');
    const loadDefault = g.fn('loadDefault');
    const makeWidget = g.fn('makeWidget');
    g.site(makeWidget, loadDefault, { line: 3, cannotAwait: { reason: 'a default parameter value' } });
    const graph = g.build();
    const rootLoad = root(loadDefault, 'src/w.ts:1 blocking-io');
    const plan = planPropagation(graph, [rootLoad], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {},
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {
        loadDefault: {
          kind: 'caller',
          reason: 'loadDefault is called at src/w.ts:3 where await cannot be added (a default parameter value)',
          suggestion: 'Move the call out of that position into the function body, then re-run async-migrate.',
        },
      },
      droppedRoots: [rootLoad],
      dualFunctions: [],
    });
  });
});

describe('planPropagation: callback sites', () => {
  function callbackGraph(rewrite: CallbackRewrite, api: string): { graph: CallGraph; handle: FunctionId; each: FunctionId; site: CallSite } {
    const g = new Graph();
    const handle = g.fn('handle', { kind: 'arrow' });
    const each = g.fn('processAll');
    const site = g.site(each, handle, { kind: 'callback', callback: { api, rewrite }, line: 6 });
    return { graph: g.build(), handle, each, site };
  }

  it('`for-of`: the function passing the callback turns async and the site is rewritten', () => {
    const { graph, handle, site } = callbackGraph('for-of', 'Array.forEach');
    const plan = planPropagation(graph, [root(handle, IO)], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: { handle: [IO], processAll: ['handle', IO] },
      awaitSites: [],
      callbackSites: [site.id],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: [],
    });
  });

  it('`promise-all`: by default the callback is blocked (the callbacks would run concurrently), naming its unsafe fix', () => {
    const { graph, handle } = callbackGraph('promise-all', 'Array.map');
    const plan = planPropagation(graph, [root(handle, IO)], INPLACE);
    expect(describePlan(graph, plan)).toMatchObject({ asyncFunctions: {}, callbackSites: [] });
    const why = plan.blocked.get(handle);
    expect(why?.kind).toBe('callback');
    expect(why?.reason).toContain('the callbacks would run concurrently');
    expect(why?.reason).toContain('in processAll');
    expect(why?.unsafeFix).toContain('`await Promise.all(…)` around the Array.map call at src/a.ts:6');
  });

  it('`promise-all` with --unsafe-fixes: the function passing the callback turns async and the site is rewritten', () => {
    const { graph, handle, site } = callbackGraph('promise-all', 'Array.map');
    const plan = planPropagation(graph, [root(handle, IO)], { ...INPLACE, unsafeFixes: true });
    expect(describePlan(graph, plan)).toMatchObject({
      asyncFunctions: { handle: [IO], processAll: ['handle', IO] },
      awaitSites: [],
      callbackSites: [site.id],
      blocked: {},
    });
  });

  it('`accepts-async`: only the callback turns async; the function passing it stays as it is', () => {
    const { graph, handle, site } = callbackGraph('accepts-async', 'test');
    const plan = planPropagation(graph, [root(handle, IO)], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: { handle: [IO] },
      awaitSites: [],
      callbackSites: [site.id],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: [],
    });
  });

  it('`none`: the callback is blocked and the root dropped', () => {
    const { graph, handle } = callbackGraph('none', 'Array.sort');
    const rootHandle = root(handle, IO);
    const plan = planPropagation(graph, [rootHandle], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {},
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {
        handle: {
          kind: 'callback',
          reason: 'handle is passed to Array.sort at src/a.ts:6, which calls it synchronously and uses its result',
          suggestion: 'Await the async work before calling Array.sort (precompute the values), or rewrite the Array.sort call as a loop with await.',
        },
      },
      droppedRoots: [rootHandle],
      dualFunctions: [],
    });
  });

  it('a `for-of` callback in a function that is already async is rewritten without further propagation', () => {
    const g = new Graph();
    const handle = g.fn('handle', { kind: 'arrow' });
    const run = g.fn('run', { isAsync: true });
    const outer = g.fn('outer');
    const site = g.site(run, handle, { kind: 'callback', callback: { api: 'Array.forEach', rewrite: 'for-of' } });
    g.site(outer, run);
    const graph = g.build();
    const plan = planPropagation(graph, [root(handle, IO)], INPLACE);
    expect(describePlan(graph, plan)).toMatchObject({ asyncFunctions: { handle: [IO] }, callbackSites: [site.id], awaitSites: [] });
  });
});

describe('planPropagation: top-level code and already-async functions', () => {
  it('an entry call (`main();` at top level) is bridged, and the module is not made async', () => {
    const g = new Graph('src/main.ts');
    const mod = g.fn('<module>', { kind: 'module' });
    const main = g.fn('main');
    const work = g.fn('work');
    const entry = g.site(mod, main, { entryCall: true });
    const inner = g.site(main, work);
    const graph = g.build();
    const plan = planPropagation(graph, [root(work, IO)], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: { work: [IO], main: ['work', IO] },
      awaitSites: [inner.id],
      callbackSites: [],
      entrySites: [entry.id],
      blocked: {},
      droppedRoots: [],
      dualFunctions: [],
    });
  });

  it('an entry call with top-level code after it is bridged only with --unsafe-fixes; without, the chain stops at main', () => {
    const g = new Graph('src/main.ts');
    const mod = g.fn('<module>', { kind: 'module' });
    const main = g.fn('main');
    const work = g.fn('work');
    const entry = g.site(mod, main, { entryCall: true, entryFollowedBy: '`report();` at line 9' });
    g.site(main, work);
    const graph = g.build();
    const safe = planPropagation(graph, [root(work, IO)], INPLACE);
    expect(describePlan(graph, safe)).toMatchObject({ asyncFunctions: {}, entrySites: [], droppedRoots: [root(work, IO)] });
    expect(safe.blocked.get(main)).toMatchObject({ kind: 'caller', reason: expect.stringContaining('`report();` at line 9 runs after it') });
    expect(safe.blocked.get(work)).toMatchObject({ kind: 'caller', blockedBy: main });
    const unsafe = planPropagation(graph, [root(work, IO)], { ...INPLACE, unsafeFixes: true });
    expect(describePlan(graph, unsafe)).toMatchObject({ asyncFunctions: { work: [IO], main: ['work', IO] }, entrySites: [entry.id], blocked: {} });
  });

  it('a top-level call whose value is used is awaited (top-level await), the module itself is not listed', () => {
    const g = new Graph('src/main.ts');
    const mod = g.fn('<module>', { kind: 'module' });
    const load = g.fn('load');
    const site = g.site(mod, load);
    const graph = g.build();
    const plan = planPropagation(graph, [root(load, IO)], INPLACE);
    expect(describePlan(graph, plan)).toMatchObject({ asyncFunctions: { load: [IO] }, awaitSites: [site.id], entrySites: [] });
  });

  it('an already-async caller gains an await but is not listed and does not carry async further', () => {
    const g = new Graph();
    const load = g.fn('load');
    const handler = g.fn('handler', { isAsync: true });
    const server = g.fn('server');
    const call = g.site(handler, load);
    g.site(server, handler);
    const graph = g.build();
    const plan = planPropagation(graph, [root(load, IO)], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: { load: [IO] },
      awaitSites: [call.id],
      callbackSites: [],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: [],
    });
  });

  it('a call already awaited (or returned) in an async caller needs no new await', () => {
    const g = new Graph();
    const load = g.fn('load');
    const handler = g.fn('handler', { isAsync: true });
    g.site(handler, load, { isAwaited: true });
    const graph = g.build();
    const plan = planPropagation(graph, [root(load, IO)], INPLACE);
    expect(describePlan(graph, plan)).toMatchObject({ asyncFunctions: { load: [IO] }, awaitSites: [] });
  });

  it('a root that is already async changes nothing', () => {
    const g = new Graph();
    const fetchAll = g.fn('fetchAll', { isAsync: true });
    const caller = g.fn('caller');
    g.site(caller, fetchAll);
    const graph = g.build();
    const plan = planPropagation(graph, [root(fetchAll, IO)], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {},
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: [],
    });
  });
});

describe('planPropagation: the dual strategy', () => {
  const constructorBlock = {
    kind: 'constructor' as const,
    reason: 'a constructor cannot be async',
    suggestion: 'Add a static async factory.',
  };

  it('exported functions keep their sync body and gain a sibling; a blocked caller keeps the sync version', () => {
    const g = new Graph('src/config.ts');
    const loadConfig = g.fn('loadConfig', { isExported: true });
    const ctor = g.fn('App.constructor', { kind: 'constructor', syncOnly: constructorBlock });
    const refresh = g.fn('refresh');
    const start = g.fn('start');
    g.site(ctor, loadConfig);
    const s2 = g.site(refresh, loadConfig);
    const s3 = g.site(start, refresh);
    const graph = g.build();
    const plan = planPropagation(graph, [root(loadConfig, IO)], DUAL);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {
        loadConfig: [IO],
        refresh: ['loadConfig', IO],
        start: ['refresh', 'loadConfig', IO],
      },
      awaitSites: [s2.id, s3.id],
      callbackSites: [],
      entrySites: [],
      blocked: { 'App.constructor': constructorBlock },
      droppedRoots: [],
      dualFunctions: ['loadConfig'],
    });
  });

  it('a private function with a sync-only caller also keeps its sync body', () => {
    const g = new Graph();
    const readIndex = g.fn('readIndex');
    const ctor = g.fn('Index.constructor', { kind: 'constructor', syncOnly: constructorBlock });
    const reindex = g.fn('reindex');
    g.site(ctor, readIndex);
    g.site(reindex, readIndex);
    const graph = g.build();
    const plan = planPropagation(graph, [root(readIndex, IO)], DUAL);
    expect(describePlan(graph, plan)).toMatchObject({
      asyncFunctions: { readIndex: [IO], reindex: ['readIndex', IO] },
      droppedRoots: [],
      dualFunctions: ['readIndex'],
    });
  });

  it('a private function with only async-capable callers turns async in place', () => {
    const g = new Graph();
    const helper = g.fn('helper');
    const caller = g.fn('caller');
    g.site(caller, helper);
    const graph = g.build();
    const plan = planPropagation(graph, [root(helper, IO)], DUAL);
    expect(describePlan(graph, plan)).toMatchObject({ asyncFunctions: { helper: [IO], caller: ['helper', IO] }, dualFunctions: [] });
  });

  it('an exported family member puts the whole family in dualFunctions', () => {
    const g = new Graph();
    const iface = g.fn('Store.save', { kind: 'abstract-method', isExported: true });
    const impl = g.fn('FileStore.save', { kind: 'method' });
    g.family('Store.save', [iface, impl]);
    const graph = g.build();
    const plan = planPropagation(graph, [root(impl, IO)], DUAL);
    expect(describePlan(graph, plan)).toMatchObject({
      asyncFunctions: { 'FileStore.save': [IO], 'Store.save': ['FileStore.save (method family Store.save)', IO] },
      dualFunctions: ['FileStore.save', 'Store.save'],
    });
  });

  it('an already-awaited call in an async caller moves to the sibling (it is listed as an await site)', () => {
    const g = new Graph();
    const loadConfig = g.fn('loadConfig', { isExported: true });
    const handler = g.fn('handler', { isAsync: true });
    const site = g.site(handler, loadConfig, { isAwaited: true });
    const graph = g.build();
    const plan = planPropagation(graph, [root(loadConfig, IO)], DUAL);
    expect(describePlan(graph, plan)).toMatchObject({ awaitSites: [site.id], dualFunctions: ['loadConfig'] });
  });
});

describe('planPropagation: dual strategy, shared helpers and existing siblings', () => {
  it('a helper that a kept sync body calls gets its own twin, and so does what it calls in turn', () => {
    const g = new Graph();
    const read = g.fn('read');
    const readText = g.fn('readText');
    const loadConfig = g.fn('loadConfig', { isExported: true });
    const handler = g.fn('handler', { isAsync: true });
    g.site(readText, read);
    g.site(loadConfig, readText);
    g.site(handler, loadConfig);
    const graph = g.build();
    const plan = planPropagation(graph, [root(read, IO)], DUAL);
    expect(describePlan(graph, plan)).toMatchObject({ dualFunctions: ['loadConfig', 'read', 'readText'] });
  });

  it('under inplace the same helper turns async in place', () => {
    const g = new Graph();
    const readText = g.fn('readText');
    const loadConfig = g.fn('loadConfig', { isExported: true });
    g.site(loadConfig, readText);
    const graph = g.build();
    expect(describePlan(graph, planPropagation(graph, [root(readText, IO)], INPLACE))).toMatchObject({ dualFunctions: [] });
  });

  it('a private function with a hand-written async sibling keeps its sync body and its callers move to the sibling', () => {
    const g = new Graph();
    const load = g.fn('load', { asyncSibling: 'loadAsync' });
    const handler = g.fn('handler', { isAsync: true });
    const site = g.site(handler, load);
    const graph = g.build();
    expect(describePlan(graph, planPropagation(graph, [root(load, IO)], DUAL))).toMatchObject({ awaitSites: [site.id], dualFunctions: ['load'] });
  });

  it('a function held through a wrapper stays sync under dual (its sibling would not be wrapped); in place it turns async', () => {
    const g = new Graph();
    const loadImpl = g.fn('loadImpl');
    const module = g.fn('<top level>', { kind: 'module' });
    const handler = g.fn('handler', { isAsync: true });
    g.site(module, loadImpl, { kind: 'callback', callback: { api: 'traced', rewrite: 'accepts-async', wrapper: true } });
    const call = g.site(handler, loadImpl);
    const graph = g.build();
    const dual = planPropagation(graph, [root(loadImpl, IO)], DUAL);
    expect([...dual.blocked.keys()]).toEqual([loadImpl]);
    expect(dual.blocked.get(loadImpl)!.reason).toContain('wrapped by traced');
    expect(describePlan(graph, planPropagation(graph, [root(loadImpl, IO)], INPLACE))).toMatchObject({ asyncFunctions: { loadImpl: [IO] }, awaitSites: [call.id], blocked: {} });
  });
});

describe('planPropagation: callbacks a sync caller registers', () => {
  it('a blocked suite body does not block the test callbacks it registers (`accepts-async`)', () => {
    const g = new Graph();
    const helper = g.fn('readEntry');
    const suite = g.fn('<describe callback>');
    const test = g.fn('<it callback>');
    const module = g.fn('<top level>', { kind: 'module' });
    const because = { reason: 'collected synchronously', suggestion: 'Use a hook.' };
    g.site(module, suite, { kind: 'callback', callback: { api: 'describe', rewrite: 'none', blockedBecause: because } });
    g.site(suite, test, { kind: 'callback', callback: { api: 'it', rewrite: 'accepts-async' } });
    g.site(test, helper);
    g.site(suite, helper, { line: 7 });
    const graph = g.build();
    const plan = planPropagation(graph, [root(helper, IO)], INPLACE);
    expect(describePlan(graph, plan).blocked).toMatchObject({
      '<describe callback>': { kind: 'callback', reason: '<describe callback> is passed to describe at src/a.ts:100: collected synchronously', suggestion: 'Use a hook.' },
      readEntry: { kind: 'caller' },
    });
    expect(plan.blocked.has(test)).toBe(false);
  });
});

describe('planPropagation: dual strategy with a function that stays sync', () => {
  // Under dual nothing is blocked downward, but a function that cannot turn async at all (a
  // constructor, a function used as a value) still stays sync: its callers have no reason to change.
  it('a constructor root is dropped and the function calling `new` does not turn async', () => {
    const g = new Graph();
    const ctor = g.fn('Client.constructor', {
      kind: 'constructor',
      syncOnly: { kind: 'constructor', reason: 'a constructor cannot be async', suggestion: 'Add a static async factory.' },
    });
    const make = g.fn('makeClient');
    g.site(make, ctor);
    const graph = g.build();
    const rootCtor = root(ctor, IO);
    const plan = planPropagation(graph, [rootCtor], DUAL);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: {},
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {
        'Client.constructor': { kind: 'constructor', reason: 'a constructor cannot be async', suggestion: 'Add a static async factory.' },
      },
      droppedRoots: [rootCtor],
      dualFunctions: [],
    });
  });

  it('a caller turns async only if the function it calls does (function used as a value)', () => {
    const g = new Graph();
    const handler = g.fn('handler');
    const register = g.fn('register');
    const main = g.fn('main');
    g.site(register, handler, { kind: 'reference' });
    g.site(main, handler);
    const graph = g.build();
    const plan = planPropagation(graph, [root(handler, IO)], DUAL);
    // Either the handler gets an async sibling (and main awaits it), or nothing changes; never an
    // async main calling a handler that stayed sync.
    expect({ main: plan.asyncFunctions.has(main), awaited: plan.awaitSites.length }).toEqual(
      plan.asyncFunctions.has(handler) ? { main: true, awaited: 1 } : { main: false, awaited: 0 },
    );
  });
});

describe('planPropagation: functions that keep a sync version', () => {
  it('under dual with `reachable`, an exported function moves only its event-loop callers to the sibling', () => {
    const g = new Graph();
    const loadConfig = g.fn('loadConfig', { isExported: true });
    const handler = g.fn('handler');
    const server = g.fn('server', { isAsync: true });
    const cliMain = g.fn('cliMain');
    const fromHandler = g.site(handler, loadConfig);
    g.site(cliMain, loadConfig);
    const fromServer = g.site(server, handler);
    const graph = g.build();
    const reachable = asyncReachable(graph);
    expect([...reachable].sort()).toEqual([handler, loadConfig, server].sort());
    const plan = planPropagation(graph, [root(loadConfig, IO)], { strategy: 'dual', reachable });
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: { loadConfig: [IO], handler: ['loadConfig', IO] },
      awaitSites: [fromHandler.id, fromServer.id],
      callbackSites: [],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: ['loadConfig'],
    });
  });

  it('under dual without `reachable`, every sync caller of an exported function moves', () => {
    const g = new Graph();
    const loadConfig = g.fn('loadConfig', { isExported: true });
    const cliMain = g.fn('cliMain');
    g.site(cliMain, loadConfig);
    const graph = g.build();
    const plan = planPropagation(graph, [root(loadConfig, IO)], DUAL);
    expect(describePlan(graph, plan)).toMatchObject({ asyncFunctions: { loadConfig: [IO], cliMain: ['loadConfig', IO] }, dualFunctions: ['loadConfig'] });
  });

  it('`preferDual` gives a twin even in place: sync callers off the event loop keep the sync helper', () => {
    const g = new Graph();
    const sleepSync = g.fn('sleepSync', { preferDual: true });
    const tick = g.fn('tick', { isAsync: true });
    const setup = g.fn('setup');
    const fromTick = g.site(tick, sleepSync);
    g.site(setup, sleepSync);
    const graph = g.build();
    const reachable = asyncReachable(graph);
    const plan = planPropagation(graph, [root(sleepSync, 'src/a.ts:2 blocking-sleep')], { strategy: 'inplace', reachable });
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: { sleepSync: ['src/a.ts:2 blocking-sleep'] },
      awaitSites: [fromTick.id],
      callbackSites: [],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: ['sleepSync'],
    });
  });

  it('`preferDual` is not blocked by a constructor calling it: the constructor keeps the sync helper', () => {
    const g = new Graph();
    const ctorBlock = { kind: 'constructor' as const, reason: 'a constructor cannot be async', suggestion: 'Add a static async factory.' };
    const sleepSync = g.fn('sleepSync', { preferDual: true });
    const ctor = g.fn('Poller.constructor', { kind: 'constructor', syncOnly: ctorBlock });
    g.site(ctor, sleepSync);
    const graph = g.build();
    const plan = planPropagation(graph, [root(sleepSync, 'src/a.ts:2 blocking-sleep')], INPLACE);
    expect(describePlan(graph, plan)).toEqual({
      asyncFunctions: { sleepSync: ['src/a.ts:2 blocking-sleep'] },
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: { 'Poller.constructor': ctorBlock },
      droppedRoots: [],
      dualFunctions: ['sleepSync'],
    });
  });

  it('a public method whose signature a library base fixes is blocked in place but gets a sibling under dual', () => {
    const fixed = {
      kind: 'family' as const,
      reason: 'MyStream._read implements Readable._read, which async-migrate cannot change',
      suggestion: 'Use --strategy dual.',
    };
    const build = (): { graph: CallGraph; read: FunctionId } => {
      const g = new Graph();
      const read = g.fn('MyStream._read', { kind: 'method', syncOnly: fixed, isExported: true });
      return { graph: g.build(), read };
    };
    const inplace = build();
    const rootInplace = root(inplace.read, IO);
    expect(describePlan(inplace.graph, planPropagation(inplace.graph, [rootInplace], INPLACE))).toMatchObject({
      asyncFunctions: {},
      blocked: { 'MyStream._read': fixed },
      droppedRoots: [rootInplace],
    });
    const dual = build();
    expect(describePlan(dual.graph, planPropagation(dual.graph, [root(dual.read, IO)], DUAL))).toEqual({
      asyncFunctions: { 'MyStream._read': [IO] },
      awaitSites: [],
      callbackSites: [],
      entrySites: [],
      blocked: {},
      droppedRoots: [],
      dualFunctions: ['MyStream._read'],
    });
  });
});

describe('asyncReachable', () => {
  it('follows calls and callbacks from async functions, and from the extra ids given', () => {
    const g = new Graph();
    const main = g.fn('main', { isAsync: true });
    const a = g.fn('a');
    const b = g.fn('b');
    const cb = g.fn('cb', { kind: 'arrow' });
    const c = g.fn('c');
    const d = g.fn('d');
    const referenced = g.fn('referenced');
    const unrelated = g.fn('unrelated');
    g.site(main, a);
    g.site(a, b);
    g.site(b, cb, { kind: 'callback', callback: { api: 'Array.map', rewrite: 'promise-all' } });
    g.site(main, referenced, { kind: 'reference' });
    g.site(c, d);
    g.site(unrelated, a);
    const graph = g.build();
    expect([...asyncReachable(graph)].sort()).toEqual([a, b, cb, main].sort());
    expect([...asyncReachable(graph, [c])].sort()).toEqual([a, b, c, cb, d, main].sort());
  });

  it('a call through an interface member reaches every implementation', () => {
    const g = new Graph();
    const run = g.fn('run', { isAsync: true });
    const iface = g.fn('Store.save', { kind: 'abstract-method' });
    const file = g.fn('FileStore.save', { kind: 'method' });
    const memory = g.fn('MemoryStore.save', { kind: 'method' });
    const write = g.fn('writeToDisk');
    g.family('Store.save', [iface, file, memory]);
    g.site(run, iface);
    g.site(file, write);
    const graph = g.build();
    expect([...asyncReachable(graph)].sort()).toEqual([run, iface, file, memory, write].sort());
  });

  it('terminates on cycles and is empty without async functions', () => {
    const g = new Graph();
    const a = g.fn('a');
    const b = g.fn('b');
    g.site(a, b);
    g.site(b, a);
    const graph = g.build();
    expect(asyncReachable(graph)).toEqual(new Set());
    expect(asyncReachable(graph, [a])).toEqual(new Set([a, b]));
  });
});

describe('planPropagation: test doubles, bridges, dual helpers', () => {
  it('a test double whose own body blocks does not make its production family async: it is blocked', () => {
    const g = new Graph();
    const iface = g.fn('ICache.get', { kind: 'abstract-method' });
    const impl = g.fn('MemoryCache.get', { kind: 'method' });
    const fake = g.fn('SlowFakeCache.get', { kind: 'method' });
    g.functions.get(fake)!.testDouble = true;
    const lookup = g.fn('lookup');
    g.site(lookup, iface);
    g.family('ICache.get', [iface, impl, fake]);
    const graph = g.build();
    const plan = planPropagation(graph, [root(fake, IO)], INPLACE);
    expect(plan.asyncFunctions.size).toBe(0);
    expect([...plan.blocked.keys()]).toEqual([fake]);
    expect(plan.blocked.get(fake)!.kind).toBe('family');
  });

  it('a test double follows its family when production code turns it async', () => {
    const g = new Graph();
    const iface = g.fn('IStore.save', { kind: 'abstract-method' });
    const impl = g.fn('SlowStore.save', { kind: 'method' });
    const fake = g.fn('FakeStore.save', { kind: 'method' });
    g.functions.get(fake)!.testDouble = true;
    g.family('IStore.save', [iface, impl, fake]);
    const graph = g.build();
    const plan = planPropagation(graph, [root(impl, IO)], INPLACE);
    expect([...plan.asyncFunctions.keys()].sort()).toEqual([fake, iface, impl].sort());
    expect(plan.blocked.size).toBe(0);
  });

  it('a bridging entry point nothing async calls stays sync and its calls become entry sites; its callees turn async', () => {
    const g = new Graph();
    const command = g.fn('command', { syncOnly: { kind: 'entry-point', reason: 'a CLI command', suggestion: 'bridge', bridge: true } });
    const work = g.fn('work');
    const call = g.site(command, work);
    const graph = g.build();
    const plan = planPropagation(graph, [root(work, IO)], { ...INPLACE, reachable: new Set() });
    expect([...plan.asyncFunctions.keys()]).toEqual([work]);
    expect(plan.entrySites.map((site) => site.id)).toEqual([call.id]);
    expect(plan.blocked.get(command)!.reason).toMatch(/bridged/);
  });

  it('an entry point that async code calls is not bridged: it blocks as before', () => {
    const g = new Graph();
    const command = g.fn('command', { syncOnly: { kind: 'entry-point', reason: 'a CLI command', suggestion: 'bridge', bridge: true } });
    const work = g.fn('work');
    const runner = g.fn('runner', { isAsync: true });
    g.site(command, work);
    g.site(runner, command);
    const graph = g.build();
    const plan = planPropagation(graph, [root(work, IO)], { ...INPLACE, reachable: new Set([runner, command, work]) });
    expect(plan.entrySites).toEqual([]);
    expect(plan.blocked.get(work)!.kind).toBe('caller');
  });

  it('under dual, a private helper that only a blocked constructor calls gets no twin; one that async code calls too does', () => {
    const build = (withAsyncCaller: boolean): { graph: CallGraph; read: FunctionId; ctor: FunctionId } => {
      const g = new Graph();
      const ctor = g.fn('Store.constructor', { kind: 'constructor', syncOnly: { kind: 'constructor', reason: 'a constructor', suggestion: 'a factory' } });
      const read = g.fn('Store._read', { kind: 'method' });
      g.site(ctor, read);
      if (withAsyncCaller) g.site(g.fn('serve', { isAsync: true }), read);
      return { graph: g.build(), read, ctor };
    };
    const alone = build(false);
    const plan = planPropagation(alone.graph, [root(alone.read, IO)], DUAL);
    expect(describePlan(alone.graph, plan)).toMatchObject({ asyncFunctions: {}, dualFunctions: [], awaitSites: [] });
    expect(plan.blocked.get(alone.read)).toMatchObject({ kind: 'caller', reason: expect.stringContaining('every caller of Store._read stays sync (Store.constructor)') });
    const shared = build(true);
    const sharedPlan = planPropagation(shared.graph, [root(shared.read, IO)], DUAL);
    expect(describePlan(shared.graph, sharedPlan)).toMatchObject({ dualFunctions: ['Store._read'], awaitSites: ['site2'] });
    expect(sharedPlan.blocked.has(shared.read)).toBe(false);
  });

  it('under dual, an awaited call through a union moves only when every function it reaches gets a sibling', () => {
    const g = new Graph();
    const capture = g.fn('Tool.capture', { kind: 'abstract-method', isExported: true });
    const asyncCapture = g.fn('AsyncTool.capture', { kind: 'abstract-method', isAsync: true, isExported: true });
    const either = g.fn('either', { isAsync: true });
    const direct = g.fn('direct', { isAsync: true });
    g.site(either, capture, { isAwaited: true, callGroup: 'call:either' });
    g.site(either, asyncCapture, { isAwaited: true, callGroup: 'call:either' });
    g.site(direct, capture, { isAwaited: true });
    const graph = g.build();
    const plan = planPropagation(graph, [root(capture, IO)], DUAL);
    expect(describePlan(graph, plan)).toMatchObject({ dualFunctions: ['Tool.capture'], awaitSites: ['site3'] });
    expect([...plan.callsWithoutSibling]).toEqual(['call:either']);
  });

  it('under dual, a top-level entry call is no sync caller: a private main turns async in place and is bridged', () => {
    const g = new Graph();
    const module = g.fn('<module>', { kind: 'module', syncOnly: { kind: 'entry-point', reason: 'CommonJS top level', suggestion: '' } });
    const main = g.fn('main');
    g.site(module, main, { entryCall: true });
    const graph = g.build();
    expect(describePlan(graph, planPropagation(graph, [root(main, IO)], DUAL))).toMatchObject({
      asyncFunctions: { main: [IO] },
      entrySites: ['site1'],
      dualFunctions: [],
    });
  });

  it('under dual, a helper that a kept sync function calls gets a twin instead of changing in place', () => {
    const g = new Graph();
    const load = g.fn('load', { isExported: true });
    const read = g.fn('_read');
    g.site(load, read);
    const graph = g.build();
    const plan = planPropagation(graph, [root(read, IO)], DUAL);
    expect([...plan.dualFunctions].sort()).toEqual([read, load].sort());
  });
});
