// The language-neutral model shared by the front-ends, the planner, the edit model and the reporters.
// Nothing here knows about ts-morph or tree-sitter.

export type RuleId = 'blocking-sleep' | 'blocking-io' | 'await-non-thenable' | 'floating-promise';
export const RULE_IDS: readonly RuleId[] = ['blocking-sleep', 'blocking-io', 'await-non-thenable', 'floating-promise'];

export type Severity = 'error' | 'warning' | 'info';

/**
 * How far a fix can be trusted, as ruff draws it: `safe` keeps behaviour (applied by `migrate`),
 * `unsafe` may change timing, ordering, error flow or dispatch (applied only with `--unsafe-fixes`),
 * `display-only` is a fix described in words and never applied.
 */
export type Applicability = 'safe' | 'unsafe' | 'display-only';
export const APPLICABILITIES: readonly Applicability[] = ['safe', 'unsafe', 'display-only'];
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** The most a finding can weigh when the tool cannot prove it (RuleHit.severityCap). */
export type SeverityCap = Exclude<Severity, 'error'>;

/** The rule's severity (as configured), lowered to the finding's cap: a user's lower setting stays. */
export function capSeverity(severity: Severity, cap: SeverityCap | undefined): Severity {
  return cap !== undefined && SEVERITY_RANK[cap] < SEVERITY_RANK[severity] ? cap : severity;
}

export type Language = 'typescript' | 'python';
export type Strategy = 'inplace' | 'dual';
export type Scope = 'reachable' | 'all';

/** A position in a file: offsets index the original text; line and column start at 1. */
export interface Location {
  /** Path relative to the report root, with `/` separators. */
  file: string;
  line: number;
  column: number;
}

/** A stable function id: `<file>#<start offset>` (or `<file>#module` for top-level code). */
export type FunctionId = string;

export type FunctionKind =
  | 'function'
  | 'method'
  | 'abstract-method' // interface / Protocol / abstract member: no body, changes with its family
  | 'constructor'
  | 'getter'
  | 'setter'
  | 'arrow' // arrow functions, function expressions, lambdas
  | 'module'; // top-level code of a file

export interface FunctionNode {
  id: FunctionId;
  /** Display name: `fn`, `Class.method`, `Interface.member`, `<anonymous>@file:line`. */
  name: string;
  kind: FunctionKind;
  location: Location;
  /** The last line of the declaration, for `file:line` targets inside a body. */
  endLine?: number;
  isAsync: boolean;
  /**
   * Not async, but its result is already a promise (`function f(): Promise<T>`, or `return upload(p)`):
   * turning it async leaves its type, and so its callers, as they are.
   */
  returnsPromise?: boolean;
  /**
   * Not async, and its result is a thenable other than the global Promise (a promise library's, a
   * `PromiseLike<T>`, a union with a promise), as a type text. An async function returns a global
   * Promise that adopts it: a caller that uses the value as it is gets another object, and an await
   * added there hands on what it resolves to (TypeScript; asked only of a function such a caller reaches).
   */
  returnsThenable?: string;
  /**
   * Its result is a child process (`ChildProcess`, execa's child): once async, callers get
   * `after` instead of `before` (a thenable child is adopted: its result, not the child). For `breaking`.
   */
  returnsChildProcess?: { before: string; after: string };
  /** Part of a module's public surface (exported, or reachable from a configured public entry). */
  isExported: boolean;
  /**
   * The first package entry point (package.json `exports`, `main`, `module`) this function is reachable
   * from through re-exports: part of the package's API as its users import it. For `breaking`.
   */
  entryPoint?: { package: string; field: string };
  /** The declared signature as written, for `breaking` (before). */
  signature?: string;
  /** The same signature once async, for `breaking` (after). */
  asyncSignature?: string;
  /**
   * When set, this function must stay sync; the planner reports it as blocked. `bridge`: a sync
   * entry point (a CLI command, a console script) that runs each async callee to completion where it
   * calls it (`asyncio.run(…)`), as long as nothing async calls it.
   */
  syncOnly?: { kind: BlockedKind; reason: string; suggestion: string; bridge?: boolean };
  /**
   * Keep this function and give it an async twin whatever the strategy: a project sleep helper
   * (`sleepSync`) whose sync callers outside async code keep using it.
   */
  preferDual?: boolean;
  /**
   * The simple name of the async sibling the project already has (`aexecute` for `execute`,
   * `loadAsync` for `load`), if any: under dual, callers move to it and its sync body is left as it is.
   */
  asyncSibling?: string;
  /** Why this function cannot gain an async sibling (`export default function (…)` has no name to give one): under dual it stays sync. */
  noSibling?: string;
  /**
   * Public names that hold this function through a wrapper (`export const load = traced(loadImpl)`):
   * their type changes with it, so they are breaking changes when it turns async.
   */
  exportedAs?: { name: string; location: Location; signature: string; asyncSignature: string }[];
  /**
   * Tests that patch this function by its name (`mock.patch("pkg.llm.get_llm")`): under dual, the
   * callers that move to the sibling no longer call that name, so the mock stops applying to them.
   */
  patchedBy?: { target: string; location: Location }[];
  /** Ids of the family this function belongs to (interface member + implementations + overrides). */
  familyId?: string;
  /**
   * Top-level code (kind `module`) that already awaits: it runs on the event loop, so blocking calls
   * written in it count under `--scope reachable`. The functions it calls are not reached through it.
   */
  awaitsAtTopLevel?: boolean;
  /**
   * A method of a test double (a class in test code): it follows its family when the family turns
   * async, but its own blocking body does not make the production interface async (it is blocked).
   */
  testDouble?: boolean;
  /**
   * Test code (a test, a fixture, a helper in a test module). A test that turns async only because it
   * awaits what it tests runs on the test's own loop, not the program's: what else it calls is not
   * reached through it.
   */
  isTest?: boolean;
}

/** How a function is used at a site. */
export type SiteKind =
  | 'call' // a direct call: can be awaited
  | 'callback' // passed to a higher-order function (forEach, map, a third-party API…)
  | 'reference'; // escapes as a value: the planner cannot follow it

/** What a front-end can do with a callback site when the callback turns async. */
export type CallbackRewrite =
  | 'for-of' // `xs.forEach(cb)` -> `for (const x of xs) await cb(x)`
  | 'promise-all' // `xs.map(cb)` -> `await Promise.all(xs.map(cb))`
  | 'accepts-async' // the receiver's declared callback type already returns a promise (test runners, async APIs)
  | 'none'; // the receiver calls it synchronously and uses the result: blocked

export interface CallSite {
  id: string;
  /** The function whose body holds the site (a `module` node for top-level code). */
  caller: FunctionId;
  callee: FunctionId;
  kind: SiteKind;
  location: Location;
  /** The call is already awaited (or returned from an async function, or otherwise handled). */
  isAwaited: boolean;
  /**
   * For `reference` and `callback` sites: the expression that uses the function as a value, as
   * written (`setTimeout(flush, 10)`, `[load, save]`), shortened; the refusal quotes it.
   */
  text?: string;
  /** For `callback` sites: the receiving API (`Array.forEach`, `setTimeout`, …) and what can be done. */
  callback?: {
    api: string;
    rewrite: CallbackRewrite;
    /** The receiver's callback type returns void: it calls the callback and does not wait for it. */
    ignoresResult?: boolean;
    /** The receiver's type is not known (`any`, an untyped library): what it does with the callback is not known either. */
    receiverUnknown?: boolean;
    /** Why the receiver needs the callback sync when its declared type does not say (a test suite body). */
    blockedBecause?: { reason: string; suggestion: string };
    /**
     * The receiver wraps the function and hands back the wrapper (`const load = traced(loadImpl)`);
     * calls of the wrapper are call sites of the function. An async sibling would not be wrapped, so
     * under dual the function stays sync.
     */
    wrapper?: boolean;
  };
  /**
   * A top-level statement whose value is unused (`main();`, `if __name__ == "__main__": main()`): the
   * front-end bridges it from sync code instead of making the module async.
   */
  entryCall?: boolean;
  /**
   * Code that runs after the entry call at the module's top level (`console.log(…)` at line 9): once
   * the call is bridged (`main().catch(…)`), that code runs before the call's async part finishes.
   */
  entryFollowedBy?: string;
  /** A rule fix rewrites this call to call something else (`get` -> `getAsync`): it no longer reaches the callee. */
  replacedByFix?: boolean;
  /** A position where await cannot be added (a default parameter value, a class field initializer…). */
  cannotAwait?: { reason: string };
  /**
   * Shared by the sites of one call that reaches several functions (`source.capture()` on a
   * `Tool | AsyncTool`): under dual the call moves to a sibling only when each of them has one.
   */
  callGroup?: string;
  /**
   * Under dual, this call cannot move to its callee's async sibling (the name it calls by is bound by
   * an import the sibling cannot be added to safely: an alias, `from x import *`, two imports): it keeps
   * calling the sync version, and the report says why.
   */
  noSiblingMove?: { reason: string; suggestion: string };
  /**
   * A call whose value is used as it is (passed on, stored, a member of it read), not awaited,
   * returned or dropped: where its callee already returns a thenable, that value is the thenable.
   */
  valueUsed?: boolean;
}

export interface MethodFamily {
  id: string;
  /** e.g. `IMemoryManager.store` */
  name: string;
  members: FunctionId[];
}

/** A call whose callee the front-end could not resolve: it may call any function of that simple name. */
export interface UnresolvedCall {
  caller: FunctionId;
  /** The simple name called: `load` for `repo.load(…)`. */
  name: string;
  /** The callee as written: `repo.load`. */
  text: string;
  location: Location;
}

/** The whole program as the planner sees it. */
export interface CallGraph {
  functions: Map<FunctionId, FunctionNode>;
  sites: CallSite[];
  families: Map<string, MethodFamily>;
  /** Calls the front-end could not resolve (listed when a function of that name turns async). */
  unresolved?: UnresolvedCall[];
}

export type BlockedKind =
  | 'constructor'
  | 'getter'
  | 'setter'
  | 'callback'
  | 'reference'
  | 'top-level'
  | 'entry-point'
  | 'generator'
  | 'family'
  | 'caller';

/** Why a function must turn async: a root given by a rule fix, a user target or a family. */
export interface AsyncRoot {
  function: FunctionId;
  /** `src/retry.ts:12 blocking-sleep`, `--make-async Store.*`, … */
  reason: string;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  message: string;
  /** A fix exists that `migrate` can apply (a `safe` one, or an `unsafe` one with `--unsafe-fixes`). */
  fixable: boolean;
  /** The fix's applicability when `fixable`; `display-only` when the only fix is described in `suggestions`. */
  applicability?: Applicability;
  /** Alternative fixes in words or code (`await f()`, `void f()`), for unsafe and display-only fixes. */
  suggestions?: string[];
  /**
   * The edits of this finding's fix that this run makes, per file (SARIF `fixes`); not in the JSON
   * report. Set only when the run applies the fix (a safe one, or any with `--unsafe-fixes`).
   */
  fixChanges?: FixChange[];
}

/**
 * One file's share of a fix, as SARIF regions: they index the file's text as analysed (decoded,
 * without a BOM), lines split at LF (a CRLF is one break), 1-based columns in UTF-16 code units;
 * `endLine` is the line of the region's last character and `endColumn` one past it, and an insertion
 * has `endLine`/`endColumn` equal to `startLine`/`startColumn`.
 */
export interface FixChange {
  file: string;
  replacements: { startLine: number; startColumn: number; endLine: number; endColumn: number; text: string }[];
}

export interface AsyncFunctionEntry {
  name: string;
  file: string;
  line: number;
  because: string[];
  /** Advice on the function beyond the change itself (an async function still named `…Sync`); omitted when none. */
  suggestion?: string;
}

export interface AwaitedCallEntry {
  file: string;
  line: number;
  callee: string;
}

export interface BlockedEntry {
  kind: BlockedKind;
  file: string;
  line: number;
  name: string;
  reason: string;
  suggestion: string;
  /**
   * The blocked place this one waits on, first in its chain (a caller of a blocked constructor
   * waits on the constructor): the pretty report folds places by it. Not in the JSON report.
   */
  cause?: { name: string; file: string; line: number };
}

export interface BreakingEntry {
  file: string;
  line: number;
  name: string;
  before: string;
  after: string;
  /** `signature` (default) or `additive` (a member added to an exported interface, dual strategy). */
  kind?: 'signature' | 'additive';
  /** What else changes for callers beyond the signature: a child process object no longer returned. */
  note?: string;
  /** The package entry point that exposes it (`exports["."]`, `exports["./fs"]`, `main`, `module`); omitted when none does. */
  entryPoint?: string;
  /** With `entryPoint`: that package's package.json, relative to the root. */
  package?: string;
}

/** A package.json entry point and the source file it resolved to, or why it could not be resolved. */
export interface EntryPointEntry {
  /** The package.json, relative to the root. */
  package: string;
  /** `exports["."]`, `exports["./*"]`, `main`, `module`, `bin`, `bin["name"]`. */
  field: string;
  /** `api`: what users import; `program`: a `bin` script, whose functions are not API by being run. */
  kind: 'api' | 'program';
  /** The path(s) package.json gives, as written. */
  target: string;
  /** The analysed source file the target is built from (one entry per file a pattern matches); omitted with `note`. */
  source?: string;
  /** Why the target resolved to no analysed source file (nothing is guessed). */
  note?: string;
}

/** A test's mock of a function's sync name that callers moved to the async sibling bypass (dual). */
export interface StaleMockEntry {
  file: string;
  line: number;
  /** What the test patches, as written: `pkg.llm.get_llm`, `Client.fetch`. */
  target: string;
  /** The function it patches, and the sibling its async callers now call. */
  name: string;
  sibling: string;
}

export interface ChangeEntry {
  file: string;
  edits: number;
  /** Under dual: the lines of code the async siblings written into this file copy (omitted when none). */
  linesCopied?: number;
}

/** A file that could not be read, parsed or transformed: an outcome for that file, never an abort. */
export interface SkippedFile {
  file: string;
  reason: string;
  /** The analysis of this file hit an internal error (a bug): the run is incomplete. */
  internalError?: boolean;
  /** Functions turning async that this skipped file appears to call (its calls are not awaited). */
  mayCall?: string[];
}

/** An unresolved call site that may call a function that turns async: check it by hand. */
export interface UnresolvedCallEntry {
  file: string;
  line: number;
  column: number;
  call: string;
  /** The functions that turn async and have that name. */
  mayCall: string[];
}

export interface ReportSummary {
  files: number;
  findings: number;
  byRule: Partial<Record<RuleId, number>>;
  functionsMadeAsync: number;
  callSitesAwaited: number;
  blocked: number;
  /** Entries of `breaking` that change an existing signature (not the additive ones). */
  breaking: number;
  /** Entries of `breaking` of kind `additive` (a member added to an exported interface); omitted when 0. */
  additive?: number;
  filesChanged: number;
  /**
   * Findings whose fix is `safe` (applied by `migrate`) and `unsafe` (applied only with
   * `--unsafe-fixes`); `unsafeApplied`: this run applied (or, in `check`, would apply) the unsafe ones.
   */
  fixes: { safe: number; unsafe: number; unsafeApplied: boolean };
  /** Entries of `staleMocks` (omitted when none). */
  staleMocks?: number;
  /** Under dual: the lines of code all async siblings copy, the width of the kept sync API (omitted when none). */
  linesCopied?: number;
  /** Unresolved call sites that may call a function that turns async (omitted when none). */
  unresolvedCalls?: number;
}

export interface Report {
  tool: 'async-migrate';
  version: string;
  command: 'check' | 'migrate';
  root: string;
  findings: Finding[];
  asyncFunctions: AsyncFunctionEntry[];
  awaitedCalls: AwaitedCallEntry[];
  blocked: BlockedEntry[];
  breaking: BreakingEntry[];
  changes: ChangeEntry[];
  skipped: SkippedFile[];
  /** Call sites no front-end could resolve that may call a function that turns async (omitted when none). */
  unresolvedCalls?: UnresolvedCallEntry[];
  /** package.json entry points of the analysed packages and the source files they resolved to (omitted when none). */
  entryPoints?: EntryPointEntry[];
  /** Under dual: mocks of a sync name whose async callers moved to the sibling, so the mock no longer applies to them (omitted when none). */
  staleMocks?: StaleMockEntry[];
  summary: ReportSummary;
  /** Async coverage: call sites in async-reachable code, and how many of them still block. */
  coverage?: { asyncReachableSites: number; stillBlocking: number };
  /** `check --make-async`: what the command line's targets add to the default plan. */
  makeAsync?: MakeAsyncImpact;
  /** Edits no finding's fix takes (a `--make-async` decision alone): SARIF says how many. Not in the JSON report. */
  editsWithoutFinding?: number;
}

/** One function a `--make-async` target names, and whether the plan refused to make it async. */
export interface MakeAsyncTargetEntry {
  target: string;
  name: string;
  file: string;
  line: number;
  /** Set when the function cannot turn async: it stays sync, and so does what only it needed. */
  blocked?: { kind: BlockedKind; reason: string; suggestion: string };
}

/** The difference the `--make-async` decision makes: entries the plan has and the default plan has not. */
export interface MakeAsyncImpact {
  targets: MakeAsyncTargetEntry[];
  asyncFunctions: AsyncFunctionEntry[];
  awaitedCalls: AwaitedCallEntry[];
  /** Files changed only because of the decision. */
  files: string[];
  breaking: BreakingEntry[];
  blocked: BlockedEntry[];
}
