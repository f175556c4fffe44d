// Which functions run on the event loop: async functions, and every function they call, transitively.
import type { CallGraph, FunctionId } from '../model.js';

export function asyncReachable(graph: CallGraph, alsoAsync: readonly FunctionId[] = []): Set<FunctionId> {
  const callees = new Map<FunctionId, FunctionId[]>();
  for (const site of graph.sites) {
    if (site.kind === 'reference' || site.replacedByFix) continue;
    const list = callees.get(site.caller);
    if (list) list.push(site.callee);
    else callees.set(site.caller, [site.callee]);
  }
  const reached = new Set<FunctionId>();
  const queue: FunctionId[] = [];
  const visit = (id: FunctionId): void => {
    if (reached.has(id)) return;
    reached.add(id);
    queue.push(id);
  };
  for (const fn of graph.functions.values()) if (fn.isAsync) visit(fn.id);
  for (const id of alsoAsync) visit(id);
  // Members of a family run where any of them is called: a call through the interface reaches every implementation.
  const familyMembers = (id: FunctionId): readonly FunctionId[] => {
    const familyId = graph.functions.get(id)?.familyId;
    return familyId ? (graph.families.get(familyId)?.members ?? []) : [];
  };
  // An index, not `shift()`: the queue holds every reachable function of a large project.
  for (let next = 0; next < queue.length; next++) {
    const id = queue[next]!;
    // A test runs on its own loop, not the program's: its own body counts as async code, but the code
    // it calls (a `purge_facts` helper beside the awaited method under test) is not reached through it.
    // The same holds for a test the plan turns async, so a second run agrees with the first.
    if (graph.functions.get(id)?.isTest) continue;
    for (const callee of callees.get(id) ?? []) {
      visit(callee);
      for (const member of familyMembers(callee)) visit(member);
    }
  }
  return reached;
}
