// Reading and writing source files in their own encoding: UTF-8 (with or without a BOM), or, for
// Python, the Latin-1 a PEP 263 coding cookie declares. Anything else is skipped with a reason, never
// decoded with U+FFFD replacements that a write would then bake into the file.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { languageOf } from './discovery.js';

/** The encodings a file can be rewritten in byte for byte (Buffer encodings). */
export type SourceEncoding = 'utf8' | 'latin1';

export interface SourceText {
  /** The decoded text, a BOM included as U+FEFF (front-ends and edits see it stripped). */
  text: string;
  encoding: SourceEncoding;
}

export class UndecodableSourceError extends Error {
  override name = 'UndecodableSourceError';
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const LATIN1_NAMES = new Set(['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'iso-latin-1', 'l1', '8859', 'cp819']);
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'utf-8-sig', 'ascii', 'us-ascii']);

/** PEP 263: a `coding[:=]name` comment on the first line, or on the second after a comment-only first line. */
function pythonCodingCookie(bytes: Buffer): string | undefined {
  const start = UTF8_BOM.every((byte, index) => bytes[index] === byte) ? UTF8_BOM.length : 0;
  const head = bytes.subarray(start, start + 512).toString('latin1').split(/\r\n|\r|\n/, 2);
  for (const line of head) {
    const cookie = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (cookie) return cookie[1]!.toLowerCase().replace(/_/g, '-');
    if (!/^[ \t\f]*(#.*)?$/.test(line)) return undefined;
  }
  return undefined;
}

function lineOfFirstInvalidByte(bytes: Buffer): number {
  const lenient = new TextDecoder('utf-8').decode(bytes);
  const at = lenient.indexOf('\uFFFD');
  return lenient.slice(0, at).split('\n').length;
}

/** Decodes a source file's bytes, or throws an UndecodableSourceError saying why it cannot be migrated. */
export function decodeSource(file: string, bytes: Buffer): SourceText {
  const hasBom = UTF8_BOM.every((byte, index) => bytes[index] === byte);
  if (!hasBom && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new UndecodableSourceError('the file is UTF-16 (it starts with a UTF-16 BOM); only UTF-8 and Latin-1 files are analysed; the file is skipped');
  }
  const cookie = languageOf(file) === 'python' ? pythonCodingCookie(bytes) : undefined;
  if (cookie !== undefined && !UTF8_NAMES.has(cookie)) {
    if (LATIN1_NAMES.has(cookie) && !hasBom) return { text: bytes.toString('latin1'), encoding: 'latin1' };
    throw new UndecodableSourceError(
      hasBom
        ? `the file has a UTF-8 BOM but declares the encoding "${cookie}"; the file is skipped`
        : `the file declares the encoding "${cookie}"; only UTF-8 and Latin-1 files are analysed; the file is skipped`,
    );
  }
  try {
    // ignoreBOM keeps the BOM as U+FEFF, so that writing the text back keeps it.
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), encoding: 'utf8' };
  } catch {
    throw new UndecodableSourceError(
      `the file is not valid UTF-8 (line ${lineOfFirstInvalidByte(bytes)})${cookie === undefined && languageOf(file) === 'python' ? ' and declares no other encoding' : ''}; the file is skipped`,
    );
  }
}

export async function readSource(file: string): Promise<SourceText> {
  return decodeSource(file, await readFile(file));
}

/**
 * The same, read synchronously: for the bulk reads of a run (every discovered file), where a
 * promise-based read (a file handle opened, stat, read and closed through the thread pool) costs four
 * to eight times the CPU of the read itself (2,000 files: 80-150 ms against 12-36 ms) and the run has
 * nothing else to do meanwhile.
 */
export function readSourceSync(file: string): SourceText {
  return decodeSource(file, readFileSync(file));
}

/** The bytes of `text` in `encoding`, or undefined when Latin-1 cannot hold a character an edit added. */
export function encodeSource(text: string, encoding: SourceEncoding): Buffer | undefined {
  if (encoding === 'latin1' && /[^\u0000-\u00ff]/.test(text)) return undefined;
  return Buffer.from(text, encoding);
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
