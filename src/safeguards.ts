// What keeps a run safe on real trees, for the engine: files that cannot be decoded exactly are
// left out, an internal error in one file's analysis skips that file instead of aborting the run,
// skipped files that call functions turning async are flagged, and writes stay inside the paths given.
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { languageOf } from './discovery.js';
import { describeError, FileAnalysisError, IncompleteRunError, UsageError } from './errors.js';
import type { Analysis, FrontEnd } from './frontend.js';
import type { CallGraph, Language, RuleId, SkippedFile } from './model.js';
import type { Plan } from './plan/propagate.js';
import type { Progress } from './progress.js';
import { readSourceSync, UndecodableSourceError } from './source-text.js';

/** The real folders of the paths given (a file's folder): what a migration may write into. */
export async function realRoots(absolutePaths: readonly string[]): Promise<string[]> {
  return Promise.all(absolutePaths.map(async (given) => realpath((await stat(given)).isDirectory() ? given : path.dirname(given))));
}

/** The files that cannot be decoded exactly (or read), with the reason each is skipped (read synchronously: `readSourceSync`). */
export async function undecodableFiles(files: readonly string[], onRead?: (count: number) => void): Promise<Map<string, string>> {
  const undecodable = new Map<string, string>();
  const BATCH = 64; // files between progress ticks (and event-loop turns, so a progress bar can draw)
  for (let start = 0; start < files.length; start += BATCH) {
    for (const file of files.slice(start, start + BATCH)) {
      try {
        readSourceSync(file);
      } catch (error) {
        undecodable.set(file, error instanceof UndecodableSourceError ? error.message : `cannot be read (${describeError(error)}); the file is skipped`);
      }
    }
    onRead?.(Math.min(BATCH, files.length - start));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return undecodable;
}

/** How many files may fail with an internal error before the rest of a front-end's files are given up. */
const MAX_FAILED_FILES = 20;

/**
 * A front-end's analysis, surviving internal errors: a file whose analysis throws (a bug, a stack
 * overflow on unusual code) is skipped and the others are analysed again without it; an error no
 * file can be blamed for skips the front-end's files. Never aborts the run.
 */
export async function analyzeIsolated(frontEnd: FrontEnd, files: readonly string[], rules: ReadonlySet<RuleId>, progress?: Pick<Progress, 'phase' | 'advance'>): Promise<Analysis> {
  const failed: Analysis['skipped'] = [];
  let remaining = [...files];
  for (;;) {
    try {
      const analysis = await frontEnd.analyze(remaining, rules, progress);
      return { ...analysis, skipped: [...analysis.skipped, ...failed] };
    } catch (error) {
      // An incomplete run (a cap that fired) has no report to give, not a file to skip.
      if (error instanceof UsageError || error instanceof IncompleteRunError) throw error;
      if (error instanceof FileAnalysisError && remaining.includes(error.file) && failed.length < MAX_FAILED_FILES) {
        failed.push({ file: error.file, reason: `internal error while analysing this file (${describeError(error.reason)}); the file is skipped`, internalError: true });
        remaining = remaining.filter((file) => file !== error.file);
        continue;
      }
      const reason = `internal error in the ${frontEnd.language} analysis (${describeError(error instanceof FileAnalysisError ? error.reason : error)}); the file is skipped`;
      return {
        language: frontEnd.language,
        files: [],
        graph: { functions: new Map(), sites: [], families: new Map() },
        hits: [],
        skipped: [...failed, ...remaining.map((file) => ({ file, reason, internalError: true }))],
      };
    }
  }
}

/**
 * A skipped file keeps its calls as they are: when it appears to call a function that turns async
 * (a text scan for the simple names, so "may"), say so, since those call sites are not updated. A
 * later run sees that function async already: a call of it the file does not await (nor return, yield
 * or pass on as an argument) is still stale, and is reported on every run while the file is skipped,
 * so that a re-run does not forget what the first one said.
 */
export async function markCallsIntoAsync(skipped: SkippedFile[], root: string, graph: CallGraph, plan: Plan, analysed: ReadonlySet<string> = new Set()): Promise<void> {
  const turning = new Map<Language | undefined, Set<string>>();
  const already = new Map<Language | undefined, Set<string>>();
  const add = (names: Map<Language | undefined, Set<string>>, language: Language | undefined, name: string): void => {
    if (!names.has(language)) names.set(language, new Set());
    names.get(language)!.add(name);
  };
  for (const fn of graph.functions.values()) {
    if (fn.kind === 'module') continue;
    const turnsAsync = plan.asyncFunctions.has(fn.id);
    // Under dual the sync function stays, so its callers outside the analysis still work.
    if (turnsAsync ? plan.dualFunctions.has(fn.id) : !fn.isAsync) continue;
    const simple = fn.name.slice(fn.name.lastIndexOf('.') + 1);
    if (!/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(simple)) continue;
    add(turnsAsync ? turning : already, languageOf(fn.location.file), simple);
  }
  if (turning.size === 0 && already.size === 0) return;
  const alternatives = (names: Iterable<string>): string => [...names].map((name) => name.replace(/\$/g, '\\$')).join('|');
  // Any call of a name turning async, as a whole identifier followed by `(`; of a name async already,
  // only a call whose value is not awaited, returned, yielded or passed on (nor a declaration).
  const turningPatterns = new Map([...turning].map(([language, names]) => [language, new RegExp(`(?<![\\p{L}\\p{N}_$])(${alternatives(names)})\\s*\\(`, 'gu')]));
  const stalePatterns = new Map(
    [...already].map(([language, names]) => [
      language,
      new RegExp(`(?<!(?:\\bawait\\b|\\breturn\\b|\\bfunction\\b|\\bdef\\b|\\basync\\b|\\byield\\b|\\byield\\s+from\\b|[(,\\[])\\s*(?:[\\p{L}\\p{N}_$]+\\s*\\.\\s*)*)(?<![\\p{L}\\p{N}_$])(${alternatives(names)})\\s*\\(`, 'gu'),
    ]),
  );
  for (const entry of skipped) {
    const language = languageOf(entry.file);
    const turningPattern = turningPatterns.get(language);
    // A file analysed but for a part (an expression the checker overflowed on) has its calls seen.
    const stalePattern = analysed.has(entry.file) ? undefined : stalePatterns.get(language);
    if (!turningPattern && !stalePattern) continue;
    const text = await readFile(path.join(root, entry.file), 'utf8').catch(() => '');
    const calledNames = (pattern: RegExp | undefined): string[] => (pattern ? [...new Set([...text.matchAll(pattern)].map((match) => match[1]!))].sort() : []);
    const called = calledNames(turningPattern);
    const stale = calledNames(stalePattern).filter((name) => !called.includes(name));
    if (called.length === 0 && stale.length === 0) continue;
    entry.mayCall = [...called, ...stale].sort();
    if (called.length > 0) entry.reason += `; it may call ${called.join(', ')}, which turn${called.length === 1 ? 's' : ''} async: its call sites are not updated`;
    if (stale.length > 0) entry.reason += `; it may call ${stale.join(', ')}, which ${stale.length === 1 ? 'is' : 'are'} async, without await: its call sites are not updated`;
  }
}
