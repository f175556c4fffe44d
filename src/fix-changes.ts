// Which finding each edit of a run belongs to, for the SARIF `fixes` of every result: the fix's own
// edits, the propagation of the functions its finding made async, and, for an edit no step claimed
// (an import added or dropped for several fixes), the first fix with edits in that file. Every edit
// the run writes lands in exactly one fix, so applying all of them gives what `migrate` writes.
import type { TextEdit } from './edits/edit-set.js';
import { hitOwner } from './edits/edit-set.js';
import { lineAndColumn } from './paths.js';
import type { Finding, FixChange, FunctionId } from './model.js';

export interface EditedFile {
  /** Report path. */
  file: string;
  /** The text the edits index (without a BOM). */
  text: string;
  /** The edits as applied: sorted, deduplicated, line endings settled. */
  edits: readonly TextEdit[];
}

/**
 * Sets `fixChanges` on the findings whose fix this run applied. `findings` in report order; `chains`:
 * the plan's `because` chain of each function turning async (its last entry is the root cause).
 * Returns how many edits no finding could take (a `--make-async` decision with no finding at all).
 */
export function attachFixChanges(
  findings: readonly Finding[],
  applied: ReadonlySet<Finding>,
  chains: ReadonlyMap<FunctionId, readonly string[]>,
  files: readonly EditedFile[],
): number {
  const byOwner = new Map<string, Finding>();
  const byRoot = new Map<string, Finding>();
  const fixed = findings.filter((finding) => applied.has(finding));
  for (const finding of fixed) {
    const owner = hitOwner(finding);
    if (!byOwner.has(owner)) byOwner.set(owner, finding);
    // The planner's root reason for a rule fix (engine.ts `rootsOf`).
    const root = `${finding.file}:${finding.line} ${finding.rule}`;
    if (!byRoot.has(root)) byRoot.set(root, finding);
  }
  const ownerOf = (owner: string | undefined): Finding | undefined => {
    if (owner === undefined) return undefined;
    if (owner.startsWith('hit:')) return byOwner.get(owner);
    const chain = chains.get(owner.slice('fn:'.length));
    const root = chain?.[chain.length - 1];
    return root === undefined ? undefined : byRoot.get(root);
  };
  const edits = new Map<Finding, Map<string, FixChange['replacements']>>();
  const add = (finding: Finding, file: string, replacement: FixChange['replacements'][number]): void => {
    let perFile = edits.get(finding);
    if (!perFile) edits.set(finding, (perFile = new Map()));
    perFile.set(file, [...(perFile.get(file) ?? []), replacement]);
  };
  let orphans = 0;
  const order = new Map(fixed.map((finding, index) => [finding, index]));
  for (const { file, text, edits: applied } of files) {
    const starts = lineStarts(text);
    const fileEdits = joinedAtOneOffset(applied);
    const owners = fileEdits.map((edit) => ownerOf(edit.owner));
    // An edit no step claimed goes with the first fix (in report order) that edits this file.
    const first = owners.filter((owner): owner is Finding => owner !== undefined).sort((a, b) => order.get(a)! - order.get(b)!)[0] ?? fixed[0];
    fileEdits.forEach((edit, index) => {
      const finding = owners[index] ?? first;
      if (!finding) {
        orphans++;
        return;
      }
      add(finding, file, region(starts, edit));
    });
  }
  for (const [finding, perFile] of edits) {
    finding.fixChanges = [...perFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, replacements]) => ({ file, replacements }));
  }
  return orphans;
}

/**
 * Edits starting at one offset (insertions, and a replacement after them) become one: SARIF gives no
 * order to insertions at one place, least of all across fixes, and the order is what the text says.
 * The joined edit belongs to the first of them that has an owner.
 */
function joinedAtOneOffset(edits: readonly TextEdit[]): TextEdit[] {
  const joined: TextEdit[] = [];
  for (const edit of edits) {
    const previous = joined[joined.length - 1];
    if (previous && previous.start === edit.start && previous.end === previous.start) {
      joined[joined.length - 1] = { ...previous, end: edit.end, text: previous.text + edit.text, owner: previous.owner ?? edit.owner };
    } else joined.push(edit);
  }
  return joined;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** SARIF's text region of an edit: the end is the line of the last character deleted, and the column after it. */
function region(starts: readonly number[], edit: TextEdit): FixChange['replacements'][number] {
  const start = lineAndColumn(starts, edit.start);
  if (edit.end === edit.start) return { startLine: start.line, startColumn: start.column, endLine: start.line, endColumn: start.column, text: edit.text };
  const last = lineAndColumn(starts, edit.end - 1);
  return { startLine: start.line, startColumn: start.column, endLine: last.line, endColumn: last.column + 1, text: edit.text };
}
