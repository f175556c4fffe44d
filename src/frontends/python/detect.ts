// Runs the rule visitors over a module and turns their reports into RuleHits.
import type { RuleHit } from '../../frontend.js';
import { capSeverity, type RuleId, type Severity } from '../../model.js';
import type { BlockingApi } from './blocking-apis.js';
import type { PyFunction, PyModule } from './modules.js';
import type { Resolver } from './resolver.js';
import type { FixState, PyReport, PyRuleContext, PyVisitors } from './rule-context.js';
import { TRANSFORMS } from '../../../transforms/index.js';
import { walkWithScopes } from './walk.js';

export const DEFAULT_SEVERITY: Record<RuleId, Severity> = {
  'blocking-sleep': 'error',
  'blocking-io': 'warning',
  'await-non-thenable': 'error',
  'floating-promise': 'error',
};

export function detectHits(
  module: PyModule,
  resolver: Resolver,
  blockingApis: readonly BlockingApi[],
  rules: ReadonlySet<RuleId>,
  severities: Partial<Record<RuleId, Severity | 'off'>>,
  fixState: FixState,
): RuleHit[] {
  // Each transform lists its Python visitors (transforms/<rule>.ts, `python`).
  const active: PyVisitors[] = TRANSFORMS.filter((transform) => rules.has(transform.id)).flatMap((transform) => (transform.python ? [transform.python] : []));
  const hits: RuleHit[] = [];
  // The context depends only on the enclosing function: one per function, not one per node.
  let contextOf: PyFunction | undefined;
  let context: PyRuleContext | undefined;
  const contextFor = (enclosing: PyFunction): PyRuleContext => {
    if (context && contextOf === enclosing) return context;
    contextOf = enclosing;
    context = newContext(enclosing);
    return context;
  };
  const newContext = (enclosing: PyFunction): PyRuleContext => {
    const context: PyRuleContext = {
      module,
      file: module.rel,
      resolver,
      blockingApis,
      fixState,
      enclosing,
      resolveCallee: (call) => {
        const callee = call.childForFieldName('function');
        return callee ? resolver.resolveExpression(callee, enclosing, module) : undefined;
      },
      isSyncInType: (call) => {
        const symbol = context.resolveCallee(call);
        return !(symbol?.kind === 'function' && symbol.fn.isAsync);
      },
      report: (report: PyReport) => {
        const severity = severities[report.rule];
        if (!rules.has(report.rule) || severity === 'off') return;
        const at = module.lines.at(report.node.startIndex);
        hits.push({
          finding: {
            rule: report.rule,
            severity: capSeverity(severity ?? DEFAULT_SEVERITY[report.rule], report.severityCap),
            file: module.rel,
            line: at.line,
            column: at.column,
            message: report.message,
            fixable: report.fix !== undefined,
          },
          enclosing: enclosing.id,
          kind: report.kind,
          needsAsync: report.needsAsync,
          ...(report.onlyInAsync ? { onlyInAsync: true } : {}),
          ...(report.awaitedCallee ? { awaitedCallee: report.awaitedCallee } : {}),
          ...(report.severityCap ? { severityCap: report.severityCap } : {}),
          ...(report.fix ? { fix: report.fix } : {}),
          ...(report.fallbackFix ? { fallbackFix: report.fallbackFix } : {}),
          ...(report.applicability ? { applicability: report.applicability } : {}),
          ...(report.fallbackApplicability ? { fallbackApplicability: report.fallbackApplicability } : {}),
          ...(report.suggestions ? { suggestions: report.suggestions } : {}),
        });
      },
    };
    return context;
  };
  const types = new Set(active.flatMap((visitors) => Object.keys(visitors)));
  walkWithScopes(module, (node, enclosing) => {
    const context = contextFor(enclosing);
    for (const visitors of active) visitors[node.type]?.(node, context);
  }, types);
  return hits;
}
