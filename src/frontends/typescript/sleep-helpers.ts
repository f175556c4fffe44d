// A project function that is nothing but a sleep (`function sleepSync(ms) { Atomics.wait(…) }`) is a
// sleep itself: its calls are blocking sleeps, and it gets an async twin (`sleepAsync`) that its
// event-loop callers move to, while sync callers elsewhere keep it.
import { ts } from '@ts-morph/common';
import type { RuleHit } from '../../frontend.js';
import type { TsAnalysisState } from './analyze.js';
import { asyncSiblingName } from './siblings.js';

const MAX_HELPER_STATEMENTS = 3;

export function markSleepHelpers(state: TsAnalysisState): void {
  const helpers = new Set<string>();
  for (const hit of state.hits) {
    if (hit.finding.rule !== 'blocking-sleep' || !hit.fix) continue;
    const fn = state.functions.get(hit.enclosing);
    const declaration = state.declarations.get(hit.enclosing);
    if (!fn || !declaration || fn.isAsync || fn.syncOnly || !(fn.kind === 'function' || fn.kind === 'arrow' || fn.kind === 'method')) continue;
    const body = 'body' in declaration ? declaration.body : undefined;
    if (!body || !ts.isBlock(body) || body.statements.length > MAX_HELPER_STATEMENTS) continue;
    const node = state.hitNodes.get(hit);
    const isOnlySleep = body.statements.every(
      (statement) => ts.isVariableStatement(statement) || (node !== undefined && statement.pos <= node.pos && node.end <= statement.end),
    );
    if (!isOnlySleep) continue;
    fn.preferDual = true;
    helpers.add(fn.id);
  }
  if (helpers.size === 0) return;
  for (const site of state.sites) {
    if (site.kind !== 'call' || !helpers.has(site.callee)) continue;
    const helper = state.functions.get(site.callee)!;
    const simple = helper.name.split('.').pop()!;
    const hit: RuleHit = {
      finding: {
        rule: 'blocking-sleep',
        severity: 'error',
        file: site.location.file,
        line: site.location.line,
        column: site.location.column,
        message: `\`${simple}\` is a synchronous sleep and blocks the event loop; use its async twin \`await ${asyncSiblingName(simple)}(…)\``,
        fixable: true,
      },
      enclosing: site.caller,
      kind: 'blocking',
      needsAsync: true,
      // The planner does the work: the call moves to the twin and is awaited.
      fix: () => true,
    };
    state.hits.push(hit);
    state.hitNodes.set(hit, state.siteNodes.get(site.id)!);
  }
}
