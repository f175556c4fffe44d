// The dry run's unified diff, written so that `patch -p1` and `git apply` take it: names quoted as
// git quotes them, a Latin-1 file's lines as the bytes the migration writes (when the diff does not
// go to a terminal), and a comment line above a file's header (which both tools skip) whenever what
// is printed differs from the file's bytes.
import { structuredPatch } from 'diff';
import { Chalk } from 'chalk';
import type { SourceEncoding } from '../source-text.js';
import { hasControlCharacters, terminalLine, terminalName } from './terminal.js';

export interface DiffOptions {
  color: boolean;
  /** The file's own encoding (default UTF-8). */
  encoding?: SourceEncoding;
  /**
   * Write a Latin-1 file's lines as its Latin-1 bytes (for a pipe or a file, so the diff applies);
   * otherwise they are shown in UTF-8, readable on a terminal, and a comment says so.
   */
  fileBytes?: boolean;
}

/** Characters git quotes a path for (core.quotePath's control set, plus `"` and `\`); printable non-ASCII stays as it is. */
const NEEDS_QUOTING = /[\u0000-\u001f"\\\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const C_ESCAPES: Record<string, string> = { '\u0007': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\u000b': '\\v', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };

/** A path in a diff header as git writes it: `"a/na\tme.ts"` when it holds a control character, a quote or a backslash. */
export function quoteDiffPath(name: string): string {
  if (!NEEDS_QUOTING.test(name)) return name;
  let out = '';
  for (const char of name) {
    if (C_ESCAPES[char] !== undefined) out += C_ESCAPES[char];
    else if (NEEDS_QUOTING.test(char)) for (const byte of Buffer.from(char, 'utf8')) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += char;
  }
  return `"${out}"`;
}

/** A unified diff of one file, colored on request (a string: UTF-8 text). */
export function unifiedDiff(file: string, before: string, after: string, color: boolean): string {
  return fileDiff(file, before, after, { color }).toString();
}

/**
 * A unified diff of one file: a string, or a Buffer when a Latin-1 file's lines are written as its
 * own bytes.
 */
export function fileDiff(file: string, before: string, after: string, options: DiffOptions): string | Buffer {
  const patch = structuredPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
  if (patch.hunks.length === 0) return '';
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const body: string[] = [];
  let escaped = false;
  for (const hunk of patch.hunks) {
    body.push(chalk.cyan(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`));
    for (const line of hunk.lines) {
      const safe = terminalLine(line);
      escaped ||= safe !== line;
      body.push(line.startsWith('+') ? chalk.green(safe) : line.startsWith('-') ? chalk.red(safe) : safe);
    }
  }
  const latin1 = options.encoding === 'latin1';
  const asBytes = latin1 && options.fileBytes === true;
  const notes: string[] = [];
  const shown = terminalName(file);
  if (latin1) {
    notes.push(
      asBytes
        ? `# async-migrate: ${shown} is Latin-1 (ISO-8859-1), not UTF-8: its lines below are the Latin-1 bytes the migration writes`
        : `# async-migrate: ${shown} is Latin-1 (ISO-8859-1), not UTF-8: its lines are shown in UTF-8 and the file keeps its Latin-1 bytes (redirect the output to a file for a diff that applies)`,
    );
  }
  if (escaped || hasControlCharacters(file)) {
    notes.push(`# async-migrate: control characters in ${shown} are shown escaped (\\x1b); this part of the diff does not apply as printed`);
  }
  const header = [...notes.map((note) => chalk.dim(note)), chalk.bold(`--- ${headerName(`a/${file}`)}`), chalk.bold(`+++ ${headerName(`b/${file}`)}`)].join('\n');
  const text = body.join('\n');
  if (!asBytes) return `${header}\n${text}\n`;
  // The header is UTF-8 (a name may be non-ASCII); the lines are the file's own Latin-1 bytes.
  return Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), Buffer.from(`${text}\n`, 'latin1')]);
}

/** git adds a tab after a name with a space, so that `patch` does not end the name at the space. */
function headerName(name: string): string {
  const quoted = quoteDiffPath(name);
  return quoted.includes(' ') && !quoted.startsWith('"') ? `${quoted}\t` : quoted;
}

function range(start: number, lines: number): string {
  // An empty side names the line before the change, as diff(1) writes it.
  return `${lines === 0 ? start - 1 : start},${lines}`;
}
