// The propagation planner: a fixpoint over the call graph. It knows nothing of any language; the
// front-ends give it functions, sites and method families, and turn its plan into edits.
import { languageOf } from '../discovery.js';
import type {
  AsyncRoot,
  BlockedKind,
  CallGraph,
  CallSite,
  FunctionId,
  FunctionNode,
  Strategy,
  UnresolvedCall,
} from '../model.js';

export interface BlockedFunction {
  kind: BlockedKind;
  reason: string;
  suggestion: string;
  /** The blocked function this one waits on (its family member or its sync caller), when there is one: the report folds places by their root cause. */
  blockedBy?: FunctionId;
  /** The edit `--unsafe-fixes` would make here instead (it may change timing or ordering): the blocked findings' suggestion. */
  unsafeFix?: string;
}

export interface Plan {
  /** Functions that turn async (in place, or through an async sibling under `dual`), with their chain. */
  asyncFunctions: Map<FunctionId, string[]>;
  /** Call sites that gain an `await` (and, for dual functions, move to the async sibling). */
  awaitSites: CallSite[];
  /** Callback sites rewritten so the async callback is awaited (`for … of`, `Promise.all`). */
  callbackSites: CallSite[];
  /** Entry calls bridged from sync code (`main().catch(…)`, `asyncio.run(main())`), top-level or in a bridging entry point. */
  entrySites: CallSite[];
  /** Functions that had to turn async but cannot; they stay sync. */
  blocked: Map<FunctionId, BlockedFunction>;
  /** Roots whose function is blocked: their blocking call stays. */
  droppedRoots: AsyncRoot[];
  /** Under `dual`: functions that keep their sync body and gain an async sibling. */
  dualFunctions: Set<FunctionId>;
  /** Calls through a union (their `callGroup`) that reach a function with no sibling: they keep their callee's name. */
  callsWithoutSibling: Set<string>;
  /** Calls of a dual function that cannot move to its sibling (`noSiblingMove`, or a thenable it returns used as a value): they keep the sync version (`keptSyncReason`). */
  keptSyncCalls: CallSite[];
}

export interface PlanOptions {
  strategy: Strategy;
  /**
   * Functions that run on the event loop. A function that keeps its sync version (dual) moves only
   * these callers to its async sibling; the others keep calling the sync one.
   */
  reachable?: ReadonlySet<FunctionId>;
  /** Unsafe fixes are applied (`--unsafe-fixes`): an entry call with code after it may be bridged. */
  unsafeFixes?: boolean;
  /**
   * The oracles (pyright) have been asked: Python's unresolved calls left are ones nothing could
   * resolve, and block as TypeScript's do. Before that, blocking on them would keep the question
   * from being asked (the oracle is asked about the functions a plan turns async).
   */
  oracleSettled?: boolean;
}

interface Indexes {
  sitesByCallee: Map<FunctionId, CallSite[]>;
  sitesByCaller: Map<FunctionId, CallSite[]>;
  /** Calls through a receiver the front-end could not type, by language and the simple name called (`looseKey`). */
  looseCallsByName: Map<string, UnresolvedCall[]>;
}

/** A call in one language never reaches a function of the other. */
export const looseKey = (file: string, name: string): string => `${languageOf(file)}:${name}`;

function indexSites(graph: CallGraph, options: PlanOptions): Indexes {
  const sitesByCallee = new Map<FunctionId, CallSite[]>();
  const sitesByCaller = new Map<FunctionId, CallSite[]>();
  for (const site of graph.sites) {
    push(sitesByCallee, site.callee, site);
    push(sitesByCaller, site.caller, site);
  }
  // Python's unresolved calls go to pyright after a first plan (the engine asks about the functions
  // that plan turns async), so they block only once it has answered (`oracleSettled`).
  const looseCallsByName = new Map<string, UnresolvedCall[]>();
  for (const call of graph.unresolved ?? []) {
    if (options.oracleSettled || !isPythonFile(call.location.file)) push(looseCallsByName, looseKey(call.location.file, call.name), call);
  }
  return { sitesByCallee, sitesByCaller, looseCallsByName };
}

const isPythonFile = (file: string): boolean => languageOf(file) === 'python';

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function familyOf(graph: CallGraph, fn: FunctionNode): FunctionId[] {
  if (!fn.familyId) return [fn.id];
  return graph.families.get(fn.familyId)?.members ?? [fn.id];
}

/** The callers a site forces async, or the reason it cannot. */
function siteNeedsAsyncCaller(site: CallSite): boolean {
  if (site.replacedByFix) return false;
  if (site.kind === 'call') return !site.entryCall;
  if (site.kind === 'callback') return site.callback?.rewrite === 'for-of' || site.callback?.rewrite === 'promise-all';
  return false;
}

/** Why a function that must turn async cannot, from its own nature or how it is used. */
function intrinsicBlock(graph: CallGraph, fn: FunctionNode, idx: Indexes, options: PlanOptions): BlockedFunction | undefined {
  // A method whose signature is fixed by a base outside our reach can still gain an async sibling.
  if (fn.syncOnly && !(options.strategy === 'dual' && fn.syncOnly.kind === 'family')) return fn.syncOnly;
  // A public function keeps its sync version under dual; one that cannot have a sibling cannot change.
  if (options.strategy === 'dual' && fn.noSibling && fn.isExported) {
    return {
      kind: 'reference',
      reason: `${fn.name} must keep its sync version under dual, and ${fn.noSibling}`,
      suggestion: `Give ${fn.name} a name (or write its async version by hand), or use --strategy inplace.`,
    };
  }
  // `if (cache.isDirectory(p))` on a receiver typed `any` (or a call through an import that does not
  // resolve) may call this function: turned async in place, that call gets a promise (always true in
  // a condition; in Python a coroutine that never runs) and no await. Not provable, so unsafe.
  const [loose, ...others] = options.unsafeFixes || keepsSyncVersion(graph, fn, options) ? [] : (idx.looseCallsByName.get(looseKey(fn.location.file, simpleName(fn.name))) ?? []);
  if (loose) {
    const python = isPythonFile(fn.location.file);
    // The others are named too (a count, the first three): annotating the first alone would only show the next.
    const shown = others.slice(0, 3).map((call) => `${call.location.file}:${call.location.line}`).join(', ');
    const more = others.length > 0 ? `; ${others.length} more such call${others.length === 1 ? '' : 's'} of that name: ${shown}${others.length > 3 ? ', …' : ''}` : '';
    const where = `${loose.location.file}:${loose.location.line} (\`${loose.text}\`${more})`;
    return {
      kind: 'caller',
      reason: python
        ? `${fn.name} may be called at ${where}, a call neither the analysis nor pyright can resolve (an untyped receiver, an import it cannot follow): that call would not be awaited and would get a coroutine, which never runs, where it got a value (an unsafe fix)`
        : `${fn.name} may be called at ${where}, a call the analysis cannot resolve (a receiver typed \`any\`, an import it cannot follow): that call would not be awaited and would get a promise where it got a value (an unsafe fix)`,
      suggestion: python
        ? `Annotate the receiver with its class (a parameter \`x: ClassName\`) or make the import resolve, so the call is awaited; or turn ${fn.name} async with --unsafe-fixes and await the calls listed in unresolvedCalls by hand.`
        : `Give the receiver a type (a JSDoc \`@type\` or annotation) or make the import resolve, so the call is awaited; or turn ${fn.name} async with --unsafe-fixes and await the calls listed in unresolvedCalls by hand.`,
      unsafeFix: `turn ${fn.name} async although \`${loose.text}\` at ${loose.location.file}:${loose.location.line} may call it and would not be awaited`,
    };
  }
  const thenableBlock = thenableUsedAsValue(graph, fn, idx, options);
  if (thenableBlock) return thenableBlock;
  for (const site of idx.sitesByCallee.get(fn.id) ?? []) {
    const caller = graph.functions.get(site.caller);
    if (site.kind === 'reference') {
      // A front-end that knows what holds the value says so (the expression, what it does with it).
      const because = site.callback?.blockedBecause;
      if (because) return { kind: 'reference', reason: `${fn.name} is used as a value at ${site.location.file}:${site.location.line}: ${because.reason}`, suggestion: because.suggestion };
      return {
        kind: 'reference',
        reason: `${fn.name} is used as a value at ${site.location.file}:${site.location.line}${quoted(site)}; what calls it there is not known`,
        suggestion: `Check the code that receives ${fn.name}; if it can await a promise, make it async by hand, or keep a sync version (--strategy dual).`,
      };
    }
    if (site.kind === 'callback' && site.callback?.wrapper && site.callback.rewrite !== 'none' && options.strategy === 'dual') {
      return {
        kind: 'callback',
        reason: `${fn.name} is wrapped by ${site.callback.api} at ${site.location.file}:${site.location.line}; an async sibling would not be wrapped, and the wrapper's callers would keep the sync one`,
        suggestion: `Wrap an async version by hand (\`${site.callback.api}(${fn.name}Async)\`), or use --strategy inplace.`,
      };
    }
    // `await Promise.all(xs.map(cb))` lets callbacks that ran one after another interleave at their
    // awaits: an ordering change, so an unsafe fix, and without it the chain stops here.
    if (site.kind === 'callback' && site.callback?.rewrite === 'promise-all' && !options.unsafeFixes) {
      const where = `${site.location.file}:${site.location.line}${quoted(site)}${caller ? ` in ${caller.name}` : ''}`;
      return {
        kind: 'callback',
        reason: `${fn.name} is passed to ${site.callback.api} at ${where}: awaited as \`await Promise.all(…)\`, the callbacks would run concurrently, interleaving at their awaits where they ran one after another (an unsafe fix)`,
        suggestion: `Rewrite the ${site.callback.api} call as a \`for … of\` loop that awaits each call (the order is kept), or apply \`await Promise.all(…)\` with --unsafe-fixes if the callbacks may run concurrently.`,
        unsafeFix: `\`await Promise.all(…)\` around the ${site.callback.api} call at ${site.location.file}:${site.location.line}, which runs the callbacks concurrently`,
      };
    }
    if (site.kind === 'callback' && site.callback?.rewrite === 'none') {
      const where = `${site.callback.api} at ${site.location.file}:${site.location.line}${quoted(site)}`;
      const because = site.callback.blockedBecause;
      if (because) return { kind: 'callback', reason: `${fn.name} is passed to ${where}: ${because.reason}`, suggestion: because.suggestion };
      if (site.callback.receiverUnknown) {
        return {
          kind: 'callback',
          // The callback's name is often made up (`<forEach callback>@file:line`): said once.
          reason: `${fn.name} is passed to ${where}, whose type is not known, so whether it waits for the promise the callback would return is not known`,
          suggestion: `Give ${site.callback.api} a type (install its types, or declare it); if it awaits what the callback returns, make ${fn.name} async by hand.`,
        };
      }
      return site.callback.ignoresResult
        ? {
            kind: 'callback',
            reason: `${fn.name} is passed to ${where}, which calls it synchronously and would not wait for a promise it returned: the code after each call relies on it having finished`,
            suggestion: `Keep the callback sync, or replace the callback (an event, a hook) with a direct \`await\` of the work where it is triggered.`,
          }
        : {
            kind: 'callback',
            reason: `${fn.name} is passed to ${where}, which calls it synchronously and uses its result`,
            suggestion: `Await the async work before calling ${site.callback.api} (precompute the values), or rewrite the ${site.callback.api} call as a loop with await.`,
          };
    }
    // Under dual, top-level code that cannot await keeps calling a public function's sync version.
    const keepsSyncCaller = options.strategy === 'dual' && caller?.kind === 'module' && keepsSyncVersion(graph, fn, options);
    // Bridging `main();` when code follows it at the top level lets that code run before main's async
    // part finishes: an ordering change, so an unsafe fix, and without it the chain stops here.
    if (site.kind === 'call' && site.entryCall && site.entryFollowedBy && !site.replacedByFix && !options.unsafeFixes && caller && !keepsSyncCaller) {
      return {
        kind: 'caller',
        reason: `${fn.name} is called at the top level at ${site.location.file}:${site.location.line}, and ${site.entryFollowedBy} runs after it: bridged as \`${fn.name}().catch(…)\`, that code would run before ${fn.name} finishes (an unsafe fix)`,
        suggestion: `Move the code after the call into ${fn.name} (or into an async main that awaits it), or apply the bridge with --unsafe-fixes.`,
        unsafeFix: `bridge \`${fn.name}();\` at ${site.location.file}:${site.location.line} as \`${fn.name}().catch(…)\`, which lets the code after it run before ${fn.name} finishes`,
      };
    }
    if (site.kind === 'call' && site.cannotAwait && caller && !keepsSyncCaller) {
      return {
        kind: 'caller',
        reason: `${fn.name} is called at ${site.location.file}:${site.location.line} where await cannot be added (${site.cannotAwait.reason})`,
        suggestion: `Move the call out of that position into the function body, then re-run async-migrate.`,
      };
    }
  }
  return undefined;
}

/**
 * The call uses as it is (passes on, stores, calls a method of) the thenable its callee already
 * returns, of another kind than the global Promise (a promise library's, `PromiseLike<T>`): an async
 * version returns a global Promise that adopts it, so the caller would get another object, and an
 * await added there (or the move to an awaited sibling) would hand on what it resolves to instead of
 * the thenable. The site is asked first: the result type is inferred only for a callee such a call reaches.
 */
function usesThenableAsValue(graph: CallGraph, site: CallSite): boolean {
  return site.kind === 'call' && site.valueUsed === true && !site.isAwaited && !site.replacedByFix && graph.functions.get(site.callee)?.returnsThenable !== undefined;
}

function thenableUseText(graph: CallGraph, site: CallSite): { callee: string; thenable: string; where: string } {
  const callee = graph.functions.get(site.callee)!;
  const caller = graph.functions.get(site.caller);
  // A callback is named after where it is written (`<then callback>@file:line`): the place says it.
  const named = caller && caller.kind !== 'module' && !caller.name.includes('@') ? ` in ${caller.name}` : '';
  return { callee: callee.name, thenable: callee.returnsThenable ?? '', where: `${site.location.file}:${site.location.line}${named}` };
}

/** In place, such a callee stays sync: no version of it would give that call the thenable. */
function thenableUsedAsValue(graph: CallGraph, fn: FunctionNode, idx: Indexes, options: PlanOptions): BlockedFunction | undefined {
  if (options.strategy === 'dual' || keepsSyncVersion(graph, fn, options)) return undefined; // the call keeps the sync version
  const site = (idx.sitesByCallee.get(fn.id) ?? []).find((s) => usesThenableAsValue(graph, s));
  if (!site) return undefined;
  const { thenable, where } = thenableUseText(graph, site);
  return {
    kind: 'caller',
    reason: `${fn.name} returns a thenable already (${thenable}), which the call at ${where} uses as a value (not awaited there): an async ${fn.name} would return a global Promise that adopts it, so that code would get another object, and an await added there would hand on what the thenable resolves to instead of the thenable`,
    suggestion: `Await the call at ${site.location.file}:${site.location.line} by hand where its value is used (or pass on what it resolves to), then re-run async-migrate; or use --strategy dual, where that call keeps the sync ${fn.name}.`,
  };
}

/** Why a call of a dual function keeps calling the sync version (`Plan.keptSyncCalls`). */
export function keptSyncReason(graph: CallGraph, site: CallSite): { reason: string; suggestion: string } {
  if (site.noSiblingMove) return site.noSiblingMove;
  const { callee, thenable, where } = thenableUseText(graph, site);
  return {
    reason: `${callee} returns a thenable already (${thenable}), which the call at ${where} uses as a value (not awaited there): it keeps calling the sync ${callee}, since the async sibling returns a global Promise that adopts the thenable, and an await there would hand on what it resolves to instead`,
    suggestion: `Await the call by hand where its value is used (or pass on what it resolves to), then re-run async-migrate to move it to the async sibling.`,
  };
}

export function planPropagation(graph: CallGraph, roots: readonly AsyncRoot[], options: PlanOptions): Plan {
  const idx = indexSites(graph, options);
  // Under dual, a twin that cannot be written or that nothing would call is refused, and the plan is
  // made again without it (what it alone made async, or twinned, goes with it).
  const refused = new Map<FunctionId, BlockedFunction>();
  for (;;) {
    const plan = planOnce(graph, idx, roots, options, refused);
    const more = options.strategy === 'dual' ? refusedTwins(graph, idx, plan) : new Map<FunctionId, BlockedFunction>();
    if (more.size === 0) return plan;
    for (const [id, why] of more) refused.set(id, why);
  }
}

function planOnce(graph: CallGraph, idx: Indexes, roots: readonly AsyncRoot[], options: PlanOptions, refused: ReadonlyMap<FunctionId, BlockedFunction>): Plan {
  // 1. Everything that would turn async if nothing stood in the way, with the shortest chain.
  const wanted = closeUpward(graph, idx, roots, new Set(), options);

  // 2. What cannot turn async, and (in place) everything it calls that would have had to.
  const blocked = new Map<FunctionId, BlockedFunction>();
  const decided = decidedFamilies(graph, roots);
  const queue: FunctionId[] = [];
  const block = (id: FunctionId, why: BlockedFunction): void => {
    if (blocked.has(id)) return;
    blocked.set(id, why);
    queue.push(id);
  };
  for (const id of wanted.keys()) {
    const fn = graph.functions.get(id);
    if (!fn || fn.isAsync) continue;
    // Only its own nature can stop a function that returns a promise already: its callers do not change.
    const why =
      refused.get(id) ??
      (fn.returnsPromise
        ? fn.syncOnly
        : intrinsicBlock(graph, fn, idx, options) ?? testDoubleBlock(graph, fn, wanted) ?? disagreeingFamilyBlock(graph, fn, decided, options));
    if (why) block(id, why);
  }
  // Sync entry points that nothing async calls run their async callees to completion (bridged).
  const bridges = new Set<FunctionId>();
  const canBridge = (fn: FunctionNode): boolean =>
    fn.syncOnly?.bridge === true &&
    !(idx.sitesByCallee.get(fn.id) ?? []).some((site) => {
      const caller = graph.functions.get(site.caller);
      return caller !== undefined && (caller.isAsync || options.reachable?.has(caller.id) === true);
    });
  while (queue.length > 0) {
    const id = queue.shift()!;
    const fn = graph.functions.get(id)!;
    if (blocked.get(id) === fn.syncOnly && canBridge(fn)) {
      bridges.add(id);
      blocked.set(id, { ...fn.syncOnly!, reason: `${fn.syncOnly!.reason}; it stays sync and runs each callee that turns async to completion where it calls it (bridged)` });
      continue;
    }
    // A family changes together or not at all: an override must keep its base's signature.
    for (const member of familyOf(graph, fn)) {
      const memberFn = graph.functions.get(member);
      if (member !== id && memberFn && !memberFn.isAsync && wanted.has(member)) {
        block(member, {
          kind: 'family',
          reason: `${memberFn.name} belongs to the same method family as ${fn.name}, which cannot turn async (${blocked.get(id)!.reason})`,
          suggestion: `Use --strategy dual to add an async sibling to the whole family, or resolve the block on ${fn.name} first.`,
          blockedBy: id,
        });
      }
    }
    if (options.strategy === 'dual') {
      // Under dual, a sync caller keeps the sync version of what it calls, but a function with no
      // name (a callback written in its body) can have no sibling: it stays sync with its caller.
      for (const site of idx.sitesByCaller.get(id) ?? []) {
        const callee = graph.functions.get(site.callee);
        if (!callee?.noSibling || callee.isAsync || callee.returnsPromise || !wanted.has(site.callee) || site.kind === 'reference') continue;
        if (site.kind === 'callback' && site.callback?.rewrite === 'accepts-async') continue;
        block(site.callee, {
          kind: 'caller',
          reason: `${callee.name} is used by ${fn.name}, which must stay sync (${blocked.get(id)!.kind}), and ${callee.noSibling}`,
          suggestion: `Resolve the block on ${fn.name} first, or move the async work out of ${callee.name}.`,
          blockedBy: id,
        });
      }
      continue;
    }
    for (const site of idx.sitesByCaller.get(id) ?? []) {
      const callee = graph.functions.get(site.callee);
      if (!callee || callee.isAsync || callee.returnsPromise || !wanted.has(site.callee) || site.kind === 'reference') continue;
      // A callback the receiver awaits (a test body registered by a sync suite) needs no async caller.
      if (site.kind === 'callback' && site.callback?.rewrite === 'accepts-async') continue;
      if (keepsSyncVersion(graph, callee, options)) continue; // the blocked caller keeps the sync version
      block(site.callee, {
        kind: 'caller',
        reason: `called by ${fn.name} at ${site.location.file}:${site.location.line}, which must stay sync (${blocked.get(id)!.kind})`,
        suggestion: `Resolve the block on ${fn.name} first, or use --strategy dual to keep a sync ${callee.name} for it.`,
        blockedBy: id,
      });
    }
  }

  // 3. Propagate again without the blocked functions: chains through them no longer hold.
  const droppedRoots = roots.filter((root) => blocked.has(root.function));
  const asyncFunctions = blocked.size === 0 ? wanted : closeUpward(graph, idx, roots, blocked, options);
  for (const id of [...asyncFunctions.keys()]) {
    const fn = graph.functions.get(id);
    if (!fn || fn.isAsync || blocked.has(id) || fn.kind === 'module') asyncFunctions.delete(id);
  }

  // 4. Under dual, public functions (and those a sync caller still needs) keep their sync body.
  const dualFunctions = new Set<FunctionId>();
  if (options.strategy === 'dual') {
    const keepSync = (id: FunctionId): void => {
      if (dualFunctions.has(id)) return;
      for (const member of familyOf(graph, graph.functions.get(id)!)) dualFunctions.add(member);
    };
    for (const id of asyncFunctions.keys()) {
      const fn = graph.functions.get(id)!;
      if (fn.returnsPromise) continue; // its signature does not change: in place is already compatible
      const isPublic = familyOf(graph, fn).some((member) => graph.functions.get(member)?.isExported);
      // A receiver that awaits the callback (a test registered by sync top-level code) is no sync
      // caller, nor is a top-level entry call (`main();`), which is bridged (`main().catch(…)`).
      const hasSyncCaller = (idx.sitesByCallee.get(id) ?? []).some(
        (site) =>
          site.callback?.rewrite !== 'accepts-async' &&
          !site.entryCall &&
          (blocked.has(site.caller) || graph.functions.get(site.caller)?.syncOnly !== undefined),
      );
      const hasFixedSignature = fn.syncOnly?.kind === 'family';
      // A call that uses the thenable the function already returns keeps the sync version.
      const passesThenable = (idx.sitesByCallee.get(id) ?? []).some((site) => usesThenableAsValue(graph, site));
      if (isPublic || hasSyncCaller || hasFixedSignature || passesThenable || fn.asyncSibling !== undefined) keepSync(id);
    }
  }
  for (const id of asyncFunctions.keys()) if (graph.functions.get(id)?.preferDual) dualFunctions.add(id);
  if (options.strategy === 'dual') {
    // A dual function keeps its sync body, which still calls its helpers synchronously: a helper it
    // calls gets its own async twin (with its family) and is never changed in place.
    // A callback (or IIFE) written in a dual body has no name and no sibling of its own: it moves to
    // the sibling with that body, so what it calls is called from both versions too.
    // A member that is async already (its family gains the sibling) keeps no sync body: what it calls
    // turns async in place, as for any async caller.
    const queue = [...dualFunctions].filter((id) => !graph.functions.get(id)?.isAsync);
    const followed = new Set(queue);
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const site of idx.sitesByCaller.get(id) ?? []) {
        if (site.kind !== 'reference' && graph.functions.get(site.callee)?.noSibling && asyncFunctions.has(site.callee) && !followed.has(site.callee)) {
          followed.add(site.callee);
          queue.push(site.callee);
          continue;
        }
        // A function passed by name (`files.map(sizeOf)`) is twinned like one called: the sibling passes its twin.
        const passed = site.kind === 'callback' && (site.callback?.rewrite === 'for-of' || site.callback?.rewrite === 'promise-all');
        if (!(site.kind === 'call' || passed) || site.replacedByFix || !asyncFunctions.has(site.callee) || dualFunctions.has(site.callee)) continue;
        if (graph.functions.get(site.callee)!.returnsPromise) continue; // already returns a promise: nothing to twin
        for (const member of familyOf(graph, graph.functions.get(site.callee)!)) {
          if (dualFunctions.has(member) || !asyncFunctions.has(member)) continue;
          dualFunctions.add(member);
          followed.add(member);
          queue.push(member);
        }
      }
    }
  }

  const awaitSites: CallSite[] = [];
  const callbackSites: CallSite[] = [];
  const entrySites: CallSite[] = [];
  // An awaited call through a union moves to the sibling only when every function it reaches has one.
  const callsWithoutSibling = new Set<string>();
  for (const site of graph.sites) {
    if (site.callGroup && !(dualFunctions.has(site.callee) && asyncFunctions.has(site.callee))) callsWithoutSibling.add(site.callGroup);
  }
  const keptSyncCalls: CallSite[] = [];
  for (const site of graph.sites) {
    if (!asyncFunctions.has(site.callee) || site.replacedByFix || graph.functions.get(site.callee)?.returnsPromise) continue;
    if (site.noSiblingMove && dualFunctions.has(site.callee)) {
      // The sibling cannot be bound where the call is: the caller keeps calling the sync version.
      if (!blocked.has(site.caller)) keptSyncCalls.push(site);
      continue;
    }
    if (bridges.has(site.caller) && site.kind === 'call' && !dualFunctions.has(site.callee)) {
      entrySites.push(site);
      continue;
    }
    if (blocked.has(site.caller)) continue; // the blocked caller keeps calling the sync version (dual)
    const caller = graph.functions.get(site.caller);
    if (!caller) continue;
    // Top-level code awaits only where top-level await is allowed (a sync-only module keeps the sync version).
    const callerRunsAsync = caller.isAsync || asyncFunctions.has(site.caller) || (caller.kind === 'module' && !caller.syncOnly);
    if (dualFunctions.has(site.callee) && usesThenableAsValue(graph, site)) {
      // It keeps the sync version; said where the caller runs async, and so might have awaited it.
      if (callerRunsAsync) keptSyncCalls.push(site);
      continue;
    }
    if (site.kind === 'call') {
      if (site.entryCall) entrySites.push(site);
      else if (callerRunsAsync && !site.isAwaited) awaitSites.push(site);
      else if (callerRunsAsync && site.isAwaited && dualFunctions.has(site.callee) && !(site.callGroup && callsWithoutSibling.has(site.callGroup))) awaitSites.push(site);
    } else if (site.kind === 'callback' && site.callback && site.callback.rewrite !== 'none') {
      if (site.callback.rewrite === 'accepts-async' || callerRunsAsync) callbackSites.push(site);
    }
  }

  return { asyncFunctions, awaitSites, callbackSites, entrySites, blocked, droppedRoots, dualFunctions, callsWithoutSibling, keptSyncCalls };
}

/**
 * Dual functions whose sibling must not be written: one with no name to give it, and one that is not
 * public and that no call would move to (its callers all stay sync, so the twin would be dead code,
 * TS6133 under noUnusedLocals). A family is refused together.
 */
function refusedTwins(graph: CallGraph, idx: Indexes, plan: Plan): Map<FunctionId, BlockedFunction> {
  // A call from inside the function itself (recursion, a callback in its body) moves only within the
  // sibling's own copy: it is no caller the sibling is added for.
  const movedCallees = new Set(
    [...plan.awaitSites, ...plan.callbackSites, ...plan.entrySites]
      .filter((site) => !isInside(graph.functions.get(site.caller), graph.functions.get(site.callee)))
      .map((site) => site.callee),
  );
  const keptBodies = [...plan.dualFunctions].map((id) => graph.functions.get(id)!).filter((fn) => !fn.isAsync && fn.kind !== 'module');
  const refused = new Map<FunctionId, BlockedFunction>();
  for (const id of plan.dualFunctions) {
    const fn = graph.functions.get(id)!;
    if (refused.has(id) || !plan.asyncFunctions.has(id) || fn.asyncSibling !== undefined) continue;
    const family = familyOf(graph, fn);
    const syncCaller = (idx.sitesByCallee.get(id) ?? []).map((site) => graph.functions.get(site.caller)).find((caller) => caller && !plan.asyncFunctions.has(caller.id));
    const where = syncCaller ? ` (${syncCaller.name})` : '';
    // A function declared in the body of another dual function is copied into that function's
    // sibling only in its async form: a call of it there that stays sync would name nothing.
    const copiedWith = syncCaller ? keptBodies.find((outer) => outer.id !== fn.id && isInside(fn, outer)) : undefined;
    let why: BlockedFunction | undefined;
    if (copiedWith) {
      why = {
        kind: 'caller',
        reason: `${fn.name} is declared inside ${copiedWith.name}, whose async sibling holds only the async copy of it, and ${syncCaller!.name} still calls it synchronously`,
        suggestion: `Move ${fn.name} out of ${copiedWith.name}, or resolve the block on ${syncCaller!.name} first.`,
      };
    } else if (fn.noSibling) {
      why = {
        kind: 'caller',
        reason: `${fn.name} must keep its sync version for the code that stays sync${where}, and ${fn.noSibling}`,
        suggestion: `Give ${fn.name} a name (or write its async version by hand), or use --strategy inplace.`,
      };
    } else if (!family.some((member) => graph.functions.get(member)?.isExported || movedCallees.has(member))) {
      why = {
        kind: 'caller',
        reason: `every caller of ${fn.name} stays sync${where}: under dual it keeps its sync version, and an async sibling nothing calls is not added`,
        suggestion: `Resolve the block on its callers first, or write ${fn.name}'s async version by hand where async code needs it.`,
      };
    }
    if (!why) continue;
    for (const member of family) if (plan.dualFunctions.has(member)) refused.set(member, why);
  }
  return refused;
}

/** `inner` is declared in `outer`'s body (same file, inside its lines): nested functions and callbacks. */
function isInside(inner: FunctionNode | undefined, outer: FunctionNode | undefined): boolean {
  if (!inner || !outer || outer.kind === 'module' || outer.endLine === undefined || inner.location.file !== outer.location.file) return false;
  if (inner.id === outer.id) return true;
  const startsAfter = inner.location.line > outer.location.line || (inner.location.line === outer.location.line && inner.location.column > outer.location.column);
  return startsAfter && (inner.endLine ?? inner.location.line) <= outer.endLine;
}

/** A test double whose own body wants async while the production members of its family stay sync. */
function testDoubleBlock(graph: CallGraph, fn: FunctionNode, wanted: ReadonlyMap<FunctionId, string[]>): BlockedFunction | undefined {
  if (!fn.testDouble) return undefined;
  const staying = familyOf(graph, fn)
    .map((member) => graph.functions.get(member))
    .find((member) => member && !member.testDouble && !member.isAsync && !wanted.has(member.id));
  if (!staying) return undefined;
  return {
    kind: 'family',
    reason: `${fn.name} is a test double of ${staying.name}, which stays sync: a blocking call in test code does not make the production interface async`,
    suggestion: `Keep ${fn.name} sync (simulate the delay without blocking), or decide that ${staying.name} turns async with --make-async ${staying.name}.`,
  };
}

/** `Store.load` -> `load`: the name an unresolved call is matched by. */
const simpleName = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

/** The expression at a reference or callback site, quoted for a refusal. */
function quoted(site: CallSite): string {
  return site.text ? ` (\`${site.text}\`)` : '';
}

/** Families a person decided to turn async (`--make-async`, the config's `makeAsync`): one of their members is such a root. */
function decidedFamilies(graph: CallGraph, roots: readonly AsyncRoot[]): Set<string> {
  const decided = new Set<string>();
  for (const root of roots) {
    const familyId = graph.functions.get(root.function)?.familyId;
    if (familyId && root.reason.startsWith('--make-async')) decided.add(familyId);
  }
  return decided;
}

/**
 * A family whose members disagree before the migration: some return a promise already (async, or
 * declared to), others do not (a sync base with an async override, an interface member declared
 * `void` or `void | Promise<void>` with async and sync implementations). A call through the family
 * may run either kind, so which calls need `await` is not known: a sync member stays sync, and its
 * callers as they are, until a person decides the family's contract. Under dual nothing existing
 * changes: the family gains one async sibling with one contract (an async member's awaits itself).
 */
function disagreeingFamilyBlock(graph: CallGraph, fn: FunctionNode, decided: ReadonlySet<string>, options: PlanOptions): BlockedFunction | undefined {
  if (!fn.familyId || decided.has(fn.familyId)) return undefined;
  const family = graph.families.get(fn.familyId);
  if (!family) return undefined;
  const members = family.members.map((id) => graph.functions.get(id)).filter((member): member is FunctionNode => member !== undefined);
  const awaitable = members.filter((member) => member.isAsync || member.returnsPromise);
  if (awaitable.length === 0) return undefined;
  // Under dual every member gains the sibling, an async one a sibling that awaits it, when its front-end writes one.
  if (options.strategy === 'dual' && awaitable.every((member) => !member.noSibling)) return undefined;
  const sync = members.filter((member) => !member.isAsync && !member.returnsPromise);
  return {
    kind: 'family',
    reason: `${fn.name} belongs to the method family ${family.name}, whose members disagree: ${nameList(awaitable)} already ${awaitable.length === 1 ? 'returns' : 'return'} an awaitable, ${nameList(sync)} ${sync.length === 1 ? 'is' : 'are'} not async; a call through ${family.name} may run either, so which calls to await is not known`,
    suggestion: `Decide the family's contract: make ${family.name} return a promise and every member async (--make-async ${family.name}), or keep its sync members sync and move the blocking work out of them.`,
  };
}

function nameList(functions: readonly FunctionNode[]): string {
  const names = [...new Set(functions.map((fn) => fn.name))].sort();
  const shown = names.length > 4 ? [...names.slice(0, 3), `${names.length - 3} more`] : names;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** A function that will keep its sync version, so only its event-loop callers follow it. */
function keepsSyncVersion(graph: CallGraph, fn: FunctionNode, options: PlanOptions): boolean {
  if (fn.preferDual) return true;
  return options.strategy === 'dual' && familyOf(graph, fn).some((member) => graph.functions.get(member)?.isExported);
}

/** Breadth-first from the roots through callers and families: the shortest `because` chain wins. */
function closeUpward(
  graph: CallGraph,
  idx: Indexes,
  roots: readonly AsyncRoot[],
  excluded: ReadonlyMap<FunctionId, unknown> | ReadonlySet<FunctionId>,
  options: PlanOptions,
): Map<FunctionId, string[]> {
  const because = new Map<FunctionId, string[]>();
  const queue: FunctionId[] = [];
  // Functions reached as members of a turning family: a test double reached otherwise (through its
  // own blocking call) does not pull its family along.
  const viaFamily = new Set<FunctionId>();
  const enqueue = (id: FunctionId, chain: string[], fromFamily = false): void => {
    if (because.has(id) || excluded.has(id)) return;
    const fn = graph.functions.get(id);
    if (!fn) return;
    because.set(id, chain);
    if (fromFamily) viaFamily.add(id);
    queue.push(id);
  };
  for (const root of roots) enqueue(root.function, [root.reason]);
  while (queue.length > 0) {
    const id = queue.shift()!;
    const fn = graph.functions.get(id)!;
    const chain = because.get(id)!;
    for (const member of fn.testDouble && !viaFamily.has(id) ? [] : familyOf(graph, fn)) {
      if (member === id) continue;
      const family = fn.familyId ? graph.families.get(fn.familyId)?.name : undefined;
      enqueue(member, [`${fn.name} (method family ${family ?? fn.name})`, ...chain], true);
    }
    // A function that already was async (or returned a promise) does not change its callers.
    if (fn.isAsync || fn.returnsPromise || fn.kind === 'module') continue;
    const keepsOwnSyncVersion = keepsSyncVersion(graph, fn, options);
    const keepsSync = options.strategy === 'dual' || keepsOwnSyncVersion;
    const onlyEventLoopCallers = options.reachable !== undefined && keepsOwnSyncVersion;
    for (const site of idx.sitesByCallee.get(id) ?? []) {
      if (!siteNeedsAsyncCaller(site)) continue;
      // A call that uses the thenable the function returns keeps its sync version: nothing to await there.
      if (keepsSync && usesThenableAsValue(graph, site)) continue;
      const caller = graph.functions.get(site.caller);
      if (!caller || caller.isAsync) continue;
      if (onlyEventLoopCallers && !options.reachable!.has(site.caller)) continue;
      enqueue(site.caller, [fn.name, ...chain]);
    }
  }
  return because;
}
