// The per-package summary file (`check --summary-out`): what one workspace package's analysis gives
// the planner, as data, so that packages analysed in separate processes (or CI jobs) can be planned
// together (`check --summaries-from`). Paths are relative to the workspace root, never absolute: a
// summary written on one machine combines with those written on another.
import type { RuleHit } from '../frontend.js';
import type {
  Applicability,
  CallSite,
  EntryPointEntry,
  Finding,
  FunctionId,
  FunctionNode,
  Language,
  Location,
  MethodFamily,
  RuleId,
  SkippedFile,
  UnresolvedCall,
} from '../model.js';

export const SUMMARY_FORMAT = 'async-migrate-summary';
/** Bumped on any change a reader of version N cannot take: a summary of another version is refused. */
export const SUMMARY_VERSION = 1;

/** A rule hit as data: the fix itself is code and stays with the program; whether there is one does not. */
export interface SummaryHit {
  finding: Omit<Finding, 'fixable' | 'applicability' | 'suggestions'>;
  enclosing: FunctionId;
  kind: RuleHit['kind'];
  needsAsync: boolean;
  onlyInAsync?: boolean;
  awaitedCallee?: FunctionId;
  severityCap?: RuleHit['severityCap'];
  hasFix: boolean;
  applicability?: 'safe' | 'unsafe';
  suggestions?: string[];
  hasFallbackFix?: boolean;
  fallbackApplicability?: 'safe' | 'unsafe';
}

/** What the package's own analysis says of its public surface, for people and CI logs; the combined plan does not read it. */
export interface SummaryInterface {
  /**
   * Exported functions that turn async once async code reaches their blocking calls (the plan of this
   * package alone under `--scope all`: whether async code reaches them is known only with the packages
   * that call them), each with its chain back to the root cause, nearest first; sorted by id.
   */
  turnsAsyncWhenReached: { id: FunctionId; name: string; because: string[] }[];
  /** Calls of other packages' functions, and where they are. */
  calls: { callee: FunctionId; package?: string; from: FunctionId; location: Location }[];
  /** Blocking calls found in the package (rules blocking-sleep and blocking-io), counted or not. */
  blockingCalls: { rule: RuleId; file: string; line: number; enclosing: FunctionId }[];
}

export interface PackageSummary {
  $schema?: string;
  format: typeof SUMMARY_FORMAT;
  version: typeof SUMMARY_VERSION;
  tool: { name: 'async-migrate'; version: string };
  language: Language;
  /** The package, its folder relative to the workspace root, and the workspace packages it depends on (package.json). */
  package: { name: string; dir: string; dependencies: string[] };
  /** What shapes the facts: a summary combines only with others made under the same settings. */
  settings: { rules: RuleId[]; unsafeFixes: boolean; public: string[] };
  /** Source files found in the package (the report's `summary.files` counts them), sorted. */
  files: string[];
  skipped: SkippedFile[];
  /** The package's package.json entry points, as the report lists them (omitted when none). */
  entryPoints?: EntryPointEntry[];
  /** The package's own functions, with every fact the planner reads. */
  functions: FunctionNode[];
  /**
   * Facts this package's code adds to other packages' functions: a test here spies on them; (Python)
   * a call here uses a Future-returning function as a Future, so it must stay sync (`syncOnly`).
   */
  foreignFacts: { id: FunctionId; patchedBy: NonNullable<FunctionNode['patchedBy']>; syncOnly?: NonNullable<FunctionNode['syncOnly']> }[];
  /** Method families as this package sees them: members may be other packages' functions. */
  families: MethodFamily[];
  /** Call sites whose caller is in this package; the callee may be another package's function. */
  sites: CallSite[];
  /** (Python) `loose`: a loose match (`d.get(…)` where no instance of a project class with a `get` can be), which a whole-program run drops from the list unasked. */
  unresolved: (UnresolvedCall & { loose?: true })[];
  hits: SummaryHit[];
  interface: SummaryInterface;
}

/** A hit as data (its fix closures become booleans). */
export function hitToSummary(hit: RuleHit): SummaryHit {
  const { fixable: _fixable, applicability: _applicability, suggestions: _suggestions, ...finding } = hit.finding;
  return {
    finding,
    enclosing: hit.enclosing,
    kind: hit.kind,
    needsAsync: hit.needsAsync,
    ...(hit.onlyInAsync ? { onlyInAsync: true } : {}),
    ...(hit.awaitedCallee !== undefined ? { awaitedCallee: hit.awaitedCallee } : {}),
    ...(hit.severityCap ? { severityCap: hit.severityCap } : {}),
    hasFix: hit.fix !== undefined,
    ...(hit.applicability ? { applicability: hit.applicability } : {}),
    ...(hit.suggestions && hit.suggestions.length > 0 ? { suggestions: [...hit.suggestions] } : {}),
    ...(hit.fallbackFix ? { hasFallbackFix: true } : {}),
    ...(hit.fallbackApplicability ? { fallbackApplicability: hit.fallbackApplicability } : {}),
  };
}

/**
 * A hit back from data. The planner asks only whether a fix exists; the stand-in is never run, since a
 * combined run emits no edits (writing them needs the program, which the combined run does not load).
 */
export function hitFromSummary(hit: SummaryHit): RuleHit {
  const noEdit = (): boolean => false;
  return {
    finding: { ...hit.finding, fixable: false },
    enclosing: hit.enclosing,
    kind: hit.kind,
    needsAsync: hit.needsAsync,
    ...(hit.onlyInAsync ? { onlyInAsync: true } : {}),
    ...(hit.awaitedCallee !== undefined ? { awaitedCallee: hit.awaitedCallee } : {}),
    ...(hit.severityCap ? { severityCap: hit.severityCap } : {}),
    ...(hit.hasFix ? { fix: noEdit } : {}),
    ...(hit.applicability ? { applicability: hit.applicability } : {}),
    ...(hit.suggestions ? { suggestions: [...hit.suggestions] } : {}),
    ...(hit.hasFallbackFix ? { fallbackFix: noEdit } : {}),
    ...(hit.fallbackApplicability ? { fallbackApplicability: hit.fallbackApplicability } : {}),
  };
}

/**
 * A function node as plain data: the TypeScript front-end computes `returnsPromise`, `returnsThenable` and the signatures
 * on first read (getters); here they are read once and written, the signatures only where the report
 * can show them (public functions).
 */
export function functionToSummary(fn: FunctionNode): FunctionNode {
  const { signature: _signature, asyncSignature: _asyncSignature, returnsPromise: _returnsPromise, returnsThenable: _returnsThenable, familyId: _familyId, ...rest } = fn;
  const plain: FunctionNode = JSON.parse(JSON.stringify(rest)) as FunctionNode;
  if (!fn.isAsync && fn.kind !== 'module' && fn.returnsPromise) plain.returnsPromise = true;
  else if (!fn.isAsync && fn.kind !== 'module' && fn.returnsThenable !== undefined) plain.returnsThenable = fn.returnsThenable;
  if (fn.isExported && fn.signature !== undefined) {
    plain.signature = fn.signature;
    if (fn.asyncSignature !== undefined) plain.asyncSignature = fn.asyncSignature;
  }
  return plain;
}

export type { Applicability };
