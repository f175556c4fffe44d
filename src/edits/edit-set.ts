// Edits are collected as text changes against the original text and applied once per file, the way
// TypeScript's ChangeTracker and ESLint fixes do: offsets never refer to partially edited text.

export interface TextEdit {
  /** Offset into the original text (UTF-16 code units, as JavaScript strings index). */
  start: number;
  end: number;
  text: string;
  /** The rule or planner step that asked for the edit, for overlap messages and per-rule counts. */
  source: string;
  /**
   * Tie-breaker for insertions at one offset: lower first. Opening text of an outer node must come
   * before that of an inner node starting at the same offset, and closing text the other way round.
   */
  order?: number;
  /**
   * Whose edit this is, for the SARIF `fixes` of each finding: `hit:<file>:<line>:<column>:<rule>`
   * (a rule fix) or `fn:<function id>` (the propagation of a function turning async).
   */
  owner?: string;
}

/** The owner key of a rule hit's own edits (see `TextEdit.owner`). */
export function hitOwner(finding: { file: string; line: number; column: number; rule: string }): string {
  return `hit:${finding.file}:${finding.line}:${finding.column}:${finding.rule}`;
}

export class EditOverlapError extends Error {
  constructor(
    readonly file: string,
    readonly first: TextEdit,
    readonly second: TextEdit,
  ) {
    super(
      `overlapping edits in ${file}: ${first.source} [${first.start},${first.end}) and ${second.source} [${second.start},${second.end})`,
    );
  }
}

function compareEdits(a: TextEdit, b: TextEdit): number {
  return a.start - b.start || a.end - b.end || (a.order ?? 0) - (b.order ?? 0);
}

/** Sorts, drops duplicates and no-ops, and rejects overlaps. */
export function normalizeEdits(file: string, source: string, edits: readonly TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort(compareEdits);
  const result: TextEdit[] = [];
  const seen = new Set<string>();
  for (const edit of sorted) {
    if (edit.start === edit.end && edit.text === '') continue;
    if (edit.end > edit.start && source.slice(edit.start, edit.end) === edit.text) continue;
    // Two sites asked for the same change (an import, an `async` keyword), maybe with others between.
    const key = `${edit.start}:${edit.end}:${edit.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const previous = result[result.length - 1];
    if (previous && edit.start < previous.end) throw new EditOverlapError(file, previous, edit);
    result.push(edit);
  }
  return result;
}

export function applyEdits(source: string, sortedEdits: readonly TextEdit[]): string {
  let out = '';
  let cursor = 0;
  for (const edit of sortedEdits) {
    out += source.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + source.slice(cursor);
}

/** Edits for many files, keyed by absolute path. */
export class EditSet {
  private readonly byFile = new Map<string, TextEdit[]>();

  add(file: string, edit: TextEdit): void {
    let list = this.byFile.get(file);
    if (!list) this.byFile.set(file, (list = []));
    list.push(edit);
  }

  insert(file: string, at: number, text: string, source: string, order?: number): void {
    this.add(file, { start: at, end: at, text, source, order });
  }

  replace(file: string, start: number, end: number, text: string, source: string): void {
    this.add(file, { start, end, text, source });
  }

  files(): string[] {
    return [...this.byFile.keys()].sort();
  }

  editsFor(file: string): readonly TextEdit[] {
    return this.byFile.get(file) ?? [];
  }

  hasEdits(file: string): boolean {
    return (this.byFile.get(file)?.length ?? 0) > 0;
  }
}

/**
 * In a file mixing CRLF and LF lines, the line breaks an edit adds take the ending of the line the
 * edit is in (the first line break at or after its start; the last one before it at the end of the
 * file), so that a rewritten line keeps its own ending. The front-ends pick one ending per file;
 * string literals do not care (both languages read a CRLF in a literal as LF).
 */
export function withOwnLineEndings(source: string, edits: readonly TextEdit[]): TextEdit[] {
  const hasCrlf = source.includes('\r\n');
  if (!hasCrlf || !/(^|[^\r])\n/.test(source)) return [...edits];
  return edits.map((edit) => {
    if (!edit.text.includes('\n')) return edit;
    let at = source.indexOf('\n', edit.start);
    if (at < 0) at = source.lastIndexOf('\n', edit.start - 1);
    const eol = at > 0 && source[at - 1] === '\r' ? '\r\n' : '\n';
    return { ...edit, text: edit.text.replace(/\r?\n/g, eol) };
  });
}
