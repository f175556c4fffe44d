// The Python rule context: what a transform's `python` visitors receive. A visitor is keyed by a
// tree-sitter node type and reports hits through the context; detection goes cheapest first
// (node type, then the resolved name, then pyright when it ran).
import type { FileEditor, RuleHit } from '../../frontend.js';
import type { RuleId } from '../../model.js';
import type { BlockingApi } from './blocking-apis.js';
import type { PyFunction, PyModule } from './modules.js';
import type { PyNode } from './parser.js';
import type { PySymbol, Resolver } from './resolver.js';

export interface PyRuleContext {
  readonly module: PyModule;
  /** Path relative to the report root. */
  readonly file: string;
  readonly resolver: Resolver;
  /** The built-in table plus the config's `blocking` entries. */
  readonly blockingApis: readonly BlockingApi[];
  /** What the emitter will fix, for fixes that hold only when a whole group of sites is fixed. */
  readonly fixState: FixState;
  /** The function whose body holds the node being visited. */
  readonly enclosing: PyFunction;
  /** What a call's callee resolves to. */
  resolveCallee(call: PyNode): PySymbol | undefined;
  /** Whether a call's callee is not known to be async (not a project `async def`): awaiting it contradicts its type. */
  isSyncInType(call: PyNode): boolean;
  report(hit: PyReport): void;
}

export interface PyReport {
  rule: RuleId;
  node: PyNode;
  message: string;
  kind: RuleHit['kind'];
  needsAsync: boolean;
  /** See RuleHit.onlyInAsync. */
  onlyInAsync?: boolean;
  awaitedCallee?: string;
  /** See RuleHit.severityCap. */
  severityCap?: RuleHit['severityCap'];
  fix?: (editor: FileEditor) => boolean;
  fallbackFix?: (editor: FileEditor) => boolean;
  /** See RuleHit.applicability. */
  applicability?: RuleHit['applicability'];
  fallbackApplicability?: RuleHit['fallbackApplicability'];
  suggestions?: string[];
}

/**
 * Switching a sync client for its async one is right only if every call on it gets awaited; a call
 * left in sync code (a @property, code no async path reaches) would get a coroutine. Detection records
 * the groups; the emitter records which sites it fixes before any fix runs.
 */
export class FixState {
  /** Site keys (`file:line:column`) of the hits being fixed in this run. */
  readonly fixedSites = new Set<string>();
  /** Client constructor key -> the site keys of every call on that client. */
  readonly clientGroups = new Map<string, Set<string>>();

  addToGroup(group: string, site: string): void {
    let members = this.clientGroups.get(group);
    if (!members) this.clientGroups.set(group, (members = new Set()));
    members.add(site);
  }

  /** Client groups with a call the async client would not take awaited (an iterator, a pipeline). */
  private readonly syncOnlyGroups = new Set<string>();

  keepSync(group: string): void {
    this.syncOnlyGroups.add(group);
  }

  isWholeGroupFixed(group: string): boolean {
    if (this.syncOnlyGroups.has(group)) return false;
    return [...(this.clientGroups.get(group) ?? [])].every((site) => this.fixedSites.has(site));
  }
}

export type PyVisitor = (node: PyNode, context: PyRuleContext) => void;

/** Visitors keyed by tree-sitter node type (`call`, `await`, `expression_statement`, …). */
export type PyVisitors = Partial<Record<string, PyVisitor>>;
