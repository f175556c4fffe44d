// Text from the user's files on its way to a terminal. A file name, a message quoting code or a code
// frame can hold ESC, BEL, OSC or C1 bytes that a terminal would obey (retitle the window, hide
// text, write a hyperlink, move the cursor), and bidi controls that show code in another order than
// it runs (Trojan Source). Every such character is shown as an escape (`\x1b`, `\u202e`) instead,
// whether or not stdout is a TTY: output piped into `less -R` or a CI log reaches a terminal too.
// JSON and SARIF keep the exact text (JSON.stringify escapes control characters itself).
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

/** C0 controls but tab, LF and CR (handled by the callers' modes), DEL, C1, and the bidi controls. */
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * One line of text for the terminal: every control character escaped visibly; line breaks and the
 * spaces around them fold to one space (a message quoting a call written over several lines), and
 * a tab becomes a space.
 */
export function terminalText(text: string): string {
  return text.replace(/[ \t]*(?:\r\n|\r|\n)[ \t]*/g, ' ').replace(/\t/g, ' ').replace(UNSAFE, escapeChar);
}

/** A file name: line breaks and tabs escaped too (`\n`, `\t`), so the name shown is the name on disk. */
export function terminalName(name: string): string {
  return name.replace(UNSAFE, escapeChar).replace(/[\t\n\r]/g, (char) => (char === '\t' ? '\\t' : char === '\n' ? '\\n' : '\\r'));
}

/**
 * A line of a file for the terminal, keeping its tabs and a CRLF ending (a diff must stay
 * applicable), escaping a lone CR, which would return the cursor and print over the line.
 */
export function terminalLine(line: string): string {
  return line.replace(UNSAFE, escapeChar).replace(/\r(?!\n$)/g, '\\r');
}

/** Only the control characters escaped: tabs and line breaks kept, for a format that encodes them itself. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Multi-line text (an error message) whose line breaks are kept, and everything else made safe. */
export function terminalLines(text: string): string {
  return text.split('\n').map(terminalLine).join('\n');
}

/** Whether a string holds anything `terminalLine` would escape. */
export function hasControlCharacters(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found || /\r(?!\n$)/.test(text);
}

/**
 * Replaces every value of type string in a report-like object with `terminalText(value)`, so a
 * renderer cannot forget one field.
 */
export function terminalSafe<T>(value: T): T {
  if (typeof value === 'string') return terminalText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => terminalSafe(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, key === 'file' && typeof item === 'string' ? terminalName(item) : terminalSafe(item as unknown)]),
    ) as T;
  }
  return value;
}

/** Display width of a string, ANSI color codes and wide characters counted as the terminal does. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * Wraps a line (which may hold our own ANSI colors, not around its leading spaces) to `width`
 * columns, its leading spaces kept and continuation lines indented by `indent` spaces. Words longer
 * than a line are broken.
 */
export function wrapLine(line: string, width: number, indent: number): string {
  if (displayWidth(line) <= width) return line;
  const lead = line.length - line.trimStart().length;
  const options = { hard: true, trim: true, wordWrap: true } as const;
  const [first = '', ...rest] = wrapAnsi(line.slice(lead), Math.max(20, width - lead), options).split('\n');
  if (rest.length === 0) return line.slice(0, lead) + first;
  // The continuation is wrapped again at the narrower width its indent leaves.
  const tail = wrapAnsi(rest.join(' '), Math.max(20, width - indent), options).split('\n');
  return [line.slice(0, lead) + first, ...tail.map((part) => ' '.repeat(indent) + part)].join('\n');
}

/** The terminal's width: stdout's columns on a TTY, 80 otherwise (a pipe, a file, a CI log). */
export function terminalWidth(isTTY: boolean, columns: number | undefined): number {
  return isTTY && columns !== undefined && columns > 0 ? columns : 80;
}
