// Applies the `fixes` of a SARIF log as a SARIF consumer would, independently of the engine's edit
// model: each replacement's region is read as SARIF 2.1.0 defines it (1-based lines split by the run's
// newline sequences, columns in the run's columnKind, endLine/endColumn one past the last character
// deleted) against the file's text as decoded, without a BOM.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { decodeSource, encodeSource, stripBom } from '../../src/source-text.js';

interface Replacement {
  start: number;
  end: number;
  text: string;
}

/** Offsets of each line's start, lines broken at LF (a CRLF ends with it; a lone CR does not break). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function offsetOf(starts: readonly number[], text: string, line: number, column: number): number {
  const start = starts[line - 1];
  if (start === undefined) throw new Error(`line ${line} is past the end of the file`);
  const offset = start + column - 1;
  const lineEnd = starts[line] ?? text.length;
  if (offset > lineEnd) throw new Error(`column ${column} is past the end of line ${line}`);
  return offset;
}

/**
 * Applies every fix of every result (or only those `pick` accepts) to the files under `dir`, in place.
 * Returns the files changed. Throws on a region that does not fit its file or on overlapping regions.
 */
export function applySarifFixes(log: Sarif.Log, dir: string, pick: (fix: Sarif.Fix) => boolean = () => true): string[] {
  const run = log.runs[0];
  if (!run) return [];
  if (run.columnKind !== 'utf16CodeUnits') throw new Error(`columnKind is ${String(run.columnKind)}`);
  if (JSON.stringify(run.newlineSequences ?? ['\r\n', '\n']) !== JSON.stringify(['\r\n', '\n'])) throw new Error('unexpected newlineSequences');
  const byFile = new Map<string, Sarif.Replacement[]>();
  for (const result of run.results ?? []) {
    for (const fix of result.fixes ?? []) {
      if (!pick(fix)) continue;
      for (const change of fix.artifactChanges) {
        const uri = change.artifactLocation.uri;
        if (uri === undefined || change.artifactLocation.uriBaseId !== '%SRCROOT%') throw new Error('a change without a %SRCROOT%-relative uri');
        const file = uri.split('/').map(decodeURIComponent).join('/');
        byFile.set(file, [...(byFile.get(file) ?? []), ...change.replacements]);
      }
    }
  }
  for (const [file, replacements] of byFile) {
    const absolute = path.join(dir, file);
    const bytes = readFileSync(absolute);
    const { text: decoded, encoding } = decodeSource(absolute, bytes);
    const text = stripBom(decoded);
    const starts = lineStarts(text);
    const edits: Replacement[] = replacements.map((replacement) => {
      const region = replacement.deletedRegion;
      const startLine = region.startLine ?? 1;
      const start = offsetOf(starts, text, startLine, region.startColumn ?? 1);
      const end = offsetOf(starts, text, region.endLine ?? startLine, region.endColumn ?? region.startColumn ?? 1);
      if (end < start) throw new Error(`${file}: a region ending before it starts`);
      return { start, end, text: replacement.insertedContent?.text ?? '' };
    });
    // Stable: insertions at one offset keep the order the log lists them in.
    edits.sort((a, b) => a.start - b.start || a.end - b.end);
    let out = '';
    let cursor = 0;
    for (const edit of edits) {
      if (edit.start < cursor) throw new Error(`${file}: overlapping replacements at offset ${edit.start}`);
      out += text.slice(cursor, edit.start) + edit.text;
      cursor = edit.end;
    }
    out += text.slice(cursor);
    const encoded = encodeSource(decoded.length !== text.length ? decoded.slice(0, 1) + out : out, encoding);
    if (!encoded) throw new Error(`${file}: the fixed text does not encode`);
    writeFileSync(absolute, encoded);
  }
  return [...byFile.keys()].sort();
}
