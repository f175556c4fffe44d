// What a language front-end gives the engine, and what the engine asks of it. The engine merges the
// graphs of every front-end (ids are file-based, so they never clash) and plans once over the union.
import type { EditSet } from './edits/edit-set.js';
import type { Plan } from './plan/propagate.js';
import type { CallGraph, CallSite, EntryPointEntry, Finding, FunctionId, Language, RuleId, SeverityCap, UnresolvedCall } from './model.js';
import type { Config } from './config.js';
import type { Progress } from './progress.js';

/** Writes the edits of one fix into one file; offsets index the original text. */
export interface FileEditor {
  readonly file: string;
  insert(at: number, text: string, order?: number): void;
  replace(start: number, end: number, text: string): void;
  /** Ensures `name` is importable from `module` in this file; returns the local name to use. */
  ensureImport(module: string, name: string, preferredLocal?: string): string;
  /**
   * Declares a module-level binding once (after the imports), e.g. `const gzipAsync = promisify(gzip);`.
   * `text` receives the local name chosen (free of clashes); returns that name.
   */
  ensureDeclaration(key: string, preferredName: string, text: (local: string) => string): string;
}

/** A finding, plus what its fix needs from the planner. */
export interface RuleHit {
  finding: Finding;
  /** The function whose body holds the site (a `module` node for top-level code). */
  enclosing: FunctionId;
  /**
   * `blocking`: a blocking call; counts only in async-reachable code under `--scope reachable`.
   * `await`: an await on a non-thenable. `floating`: a dropped promise.
   */
  kind: 'blocking' | 'await' | 'floating';
  /** The fix inserts `await`, so the enclosing function must run async. */
  needsAsync: boolean;
  /**
   * Counts only where the enclosing function runs async (is async, or turns async in this run) and
   * never turns it async by itself: `open()` in Python, harmless in sync code no event loop runs.
   */
  onlyInAsync?: boolean;
  /** await-non-thenable: the project function being awaited, when it resolves to one. */
  awaitedCallee?: FunctionId;
  /**
   * The most the finding weighs, whatever its rule's severity (the engine lowers it after the config;
   * a rule configured lower stays lower): `warning` when the tool cannot prove the finding (the value
   * may be awaitable at run time), `info` when dispatch decides (a method family whose members
   * disagree), so a CI gate on errors does not fail a correct program on what it cannot see.
   */
  severityCap?: SeverityCap;
  /** Records every edit of the fix, or returns false and records none. Absent: not fixable. */
  fix?: (editor: FileEditor) => boolean;
  /**
   * `unsafe` when the fix may change timing, ordering, error flow or dispatch: it is reported and
   * applied only with `--unsafe-fixes`, and never turns a function async without it. Default `safe`.
   */
  applicability?: 'safe' | 'unsafe';
  /** Alternatives shown with an unsafe or missing fix (`void f()` beside `await f()`). */
  suggestions?: string[];
  /** await-non-thenable only: the alternative fix when the callee does not turn async (remove `await`). */
  fallbackFix?: (editor: FileEditor) => boolean;
  /** The fallback's applicability: `unsafe` when the operand's type comes from code the tool did not read. Default `safe`. */
  fallbackApplicability?: 'safe' | 'unsafe';
}

export interface Analysis {
  language: Language;
  /** Absolute paths of the files analysed. */
  files: string[];
  graph: CallGraph;
  hits: RuleHit[];
  /** Files that could not be read or parsed: skipped, with the reason. */
  skipped: { file: string; reason: string; internalError?: boolean }[];
  /** package.json entry points found for the files, as the report lists them (omitted when none). */
  entryPoints?: EntryPointEntry[];
}

export interface EmitRequest {
  plan: Plan;
  /** The hits whose fix is applied (their enclosing function is async or turns async). */
  fixes: RuleHit[];
  /** await-non-thenable hits whose callee stays sync: their `await` is removed. */
  fallbacks: RuleHit[];
  /** The merged graph, for names and locations. */
  graph: CallGraph;
}

export interface FrontEnd {
  readonly language: Language;
  /** `progress` hears of the front-end's phases and files as they finish (the analysis is synchronous for seconds). */
  analyze(files: readonly string[], rules: ReadonlySet<RuleId>, progress?: Pick<Progress, 'phase' | 'advance'>): Promise<Analysis>;
  /** Turns the plan and fixes into edits for this front-end's files. */
  emit(request: EmitRequest, edits: EditSet): void;
  /**
   * The last guard before a write: which edited files no longer parse (or break the language's
   * grammar), with the first error. One call for all of a run's files, so the check is batched.
   */
  syntaxErrors(texts: ReadonlyMap<string, string>): Map<string, string> | Promise<Map<string, string>>;
  /**
   * The text of `file` the analysis read (without a BOM): the edits' offsets index it, so the engine
   * applies them only to this very text. Undefined for a file this front-end did not read.
   */
  analysedText?(file: string): string | undefined;
  /** Files the analysis read besides the files given (a program's imports, tsconfigs): inputs of the run, for `--cache`. */
  dependencies?(): string[];
  /** Resolves a `--make-async` target to functions of this front-end, or [] when nothing matches. */
  resolveTarget(target: string): FunctionId[];
  /** Names of this front-end's functions, for "did you mean" on an unknown target. */
  targetNames(): string[];
  /**
   * Asks a slower oracle (pyright for Python) about unresolved calls of its graph that may call a
   * function turning async: the sites it resolved to project functions (the emitter knows them), and
   * every call it resolved (also those to code outside the project, and those the front-end can tell
   * call nothing turning async without asking: Python's untyped `d.get(…)` no project instance reaches).
   */
  resolveCalls?(calls: readonly UnresolvedCall[]): Promise<{ sites: CallSite[]; resolved: UnresolvedCall[] }>;
}

export interface FrontEndOptions {
  root: string;
  config: Config;
  /** A line for stderr about the run (not about one file), e.g. a checker that could not run. */
  onWarning?: (message: string) => void;
}
