// The edit model: edits against the original text, ordered, deduplicated, overlap-checked, applied once.
import { describe, expect, it } from 'vitest';
import { applyEdits, EditOverlapError, EditSet, normalizeEdits, type TextEdit } from '../src/edits/edit-set.js';

const edit = (start: number, end: number, text: string, source = 'test', order?: number): TextEdit =>
  order === undefined ? { start, end, text, source } : { start, end, text, source, order };

/** Normalizes then applies, as the engine does for one file. */
function rewrite(source: string, edits: readonly TextEdit[]): string {
  return applyEdits(source, normalizeEdits('file.ts', source, edits));
}

describe('normalizeEdits: ordering', () => {
  it('sorts by start offset whatever order the edits were added in', () => {
    const source = 'function a() { b(); c(); }';
    const edits = [edit(20, 20, 'await ', 'second'), edit(0, 0, 'async ', 'first'), edit(15, 15, 'await ', 'middle')];
    expect(normalizeEdits('file.ts', source, edits).map((e) => e.source)).toEqual(['first', 'middle', 'second']);
    expect(rewrite(source, edits)).toBe('async function a() { await b(); await c(); }');
  });

  it('at one start offset puts the insertion (shorter end) before the replacement', () => {
    const source = 'readFileSync(p)';
    const replacement = edit(0, 12, 'readFile', 'blocking-io');
    const insertion = edit(0, 0, 'await ', 'propagate');
    const normalized = normalizeEdits('file.ts', source, [replacement, insertion]);
    expect(normalized).toEqual([insertion, replacement]);
    expect(applyEdits(source, normalized)).toBe('await readFile(p)');
  });

  it('orders insertions at one offset by `order`, lower first, regardless of insertion order', () => {
    const source = 'f(x)';
    const inner = edit(0, 0, '(', 'inner-open', 2);
    const outer = edit(0, 0, 'await ', 'outer-open', 1);
    const closeInner = edit(4, 4, ')', 'inner-close', 1);
    const closeOuter = edit(4, 4, '.value', 'outer-close', 2);
    const normalized = normalizeEdits('file.ts', source, [closeOuter, inner, closeInner, outer]);
    expect(normalized.map((e) => e.source)).toEqual(['outer-open', 'inner-open', 'inner-close', 'outer-close']);
    expect(applyEdits(source, normalized)).toBe('await (f(x)).value');
  });

  it('treats a missing `order` as 0', () => {
    const source = 'x';
    const normalized = normalizeEdits('file.ts', source, [edit(0, 0, 'B', 'one', 1), edit(0, 0, 'A', 'zero'), edit(0, 0, 'C', 'minus', -1)]);
    expect(normalized.map((e) => e.text).join('')).toBe('CAB');
    expect(applyEdits(source, normalized)).toBe('CABx');
  });

  it('does not mutate the array it is given', () => {
    const edits = [edit(5, 5, 'b'), edit(1, 1, 'a')];
    const copy = [...edits];
    normalizeEdits('file.ts', 'abcdefgh', edits);
    expect(edits).toEqual(copy);
  });
});

describe('normalizeEdits: duplicates and no-ops', () => {
  it('drops identical duplicates (two sites asking for the same import)', () => {
    const source = 'const a = 1;\n';
    const imports = edit(0, 0, "import { readFile } from 'node:fs/promises';\n", 'blocking-io');
    const again = edit(0, 0, "import { readFile } from 'node:fs/promises';\n", 'blocking-io');
    expect(normalizeEdits('file.ts', source, [imports, again])).toEqual([imports]);
    expect(rewrite(source, [imports, again])).toBe("import { readFile } from 'node:fs/promises';\nconst a = 1;\n");
  });

  it('drops a duplicate replacement even when another rule asked for it', () => {
    const source = 'function f() {}';
    const result = normalizeEdits('file.ts', source, [edit(0, 8, 'async function', 'a'), edit(0, 8, 'async function', 'b')]);
    expect(result).toEqual([edit(0, 8, 'async function', 'a')]);
  });

  it('drops an identical duplicate even when another insertion at the same offset came between them', () => {
    const source = 'f();';
    const awaitKeyword = edit(0, 0, 'await ', 'propagate');
    const comment = edit(0, 0, '/* moved */ ', 'other');
    const again = edit(0, 0, 'await ', 'propagate');
    expect(rewrite(source, [awaitKeyword, comment, again])).toBe('await /* moved */ f();');
  });

  it('keeps two different insertions at one offset (they are not duplicates)', () => {
    const source = 'f()';
    expect(rewrite(source, [edit(0, 0, 'await ', 'a', 0), edit(0, 0, 'void ', 'b', 1)])).toBe('await void f()');
  });

  it('drops an empty insertion', () => {
    expect(normalizeEdits('file.ts', 'abc', [edit(1, 1, '')])).toEqual([]);
  });

  it('drops a replacement by the same text', () => {
    const source = 'const x = sleep(1);';
    expect(normalizeEdits('file.ts', source, [edit(10, 15, 'sleep')])).toEqual([]);
  });

  it('keeps a deletion (a replacement by the empty string)', () => {
    const source = 'await await f();';
    expect(rewrite(source, [edit(0, 6, '')])).toBe('await f();');
  });

  it('a no-op does not hide an overlap check for the edits around it', () => {
    const source = 'abcdef';
    // The no-op [2,4) is dropped; [1,3) and [2,5) still overlap.
    expect(() => normalizeEdits('file.ts', source, [edit(1, 3, 'X', 'a'), edit(2, 4, 'cd', 'noop'), edit(2, 5, 'Y', 'b')])).toThrow(
      EditOverlapError,
    );
  });
});

describe('normalizeEdits: overlaps', () => {
  it('raises EditOverlapError naming both sources and ranges', () => {
    const source = 'const data = readFileSync(file, "utf8");';
    const first = edit(13, 25, 'readFile', 'blocking-io');
    const second = edit(20, 30, 'something', 'floating-promise');
    let caught: unknown;
    try {
      normalizeEdits('src/io.ts', source, [second, first]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EditOverlapError);
    const overlap = caught as EditOverlapError;
    expect(overlap.message).toBe('overlapping edits in src/io.ts: blocking-io [13,25) and floating-promise [20,30)');
    expect(overlap.file).toBe('src/io.ts');
    expect(overlap.first).toEqual(first);
    expect(overlap.second).toEqual(second);
  });

  it('raises for an insertion strictly inside a replacement', () => {
    const source = 'readFileSync(p)';
    expect(() => normalizeEdits('a.ts', source, [edit(0, 12, 'readFile', 'blocking-io'), edit(4, 4, 'X', 'other')])).toThrow(
      'overlapping edits in a.ts: blocking-io [0,12) and other [4,4)',
    );
  });

  it('raises for two different replacements of the same range', () => {
    const source = 'sleepSync(10)';
    expect(() => normalizeEdits('a.ts', source, [edit(0, 9, 'sleep', 'blocking-sleep'), edit(0, 9, 'wait', 'blocking-io')])).toThrow(
      'overlapping edits in a.ts: blocking-sleep [0,9) and blocking-io [0,9)',
    );
  });

  it('raises for a replacement nested in another', () => {
    expect(() => normalizeEdits('a.ts', '0123456789', [edit(2, 8, 'x', 'outer'), edit(3, 5, 'y', 'inner')])).toThrow(EditOverlapError);
  });

  it('an insertion at the end of a replacement is not an overlap', () => {
    const source = 'readFileSync(p);';
    const edits = [edit(0, 12, 'readFile', 'blocking-io'), edit(12, 12, '/*x*/', 'other')];
    expect(normalizeEdits('a.ts', source, edits)).toEqual(edits);
    expect(applyEdits(source, edits)).toBe('readFile/*x*/(p);');
  });

  it('an insertion at the start of a replacement is not an overlap', () => {
    expect(rewrite('readFileSync(p)', [edit(0, 12, 'readFile', 'blocking-io'), edit(0, 0, 'await ', 'propagate')])).toBe('await readFile(p)');
  });

  it('adjacent replacements do not overlap', () => {
    expect(rewrite('aabbcc', [edit(2, 4, 'BB', 'b'), edit(0, 2, 'AA', 'a'), edit(4, 6, 'CC', 'c')])).toBe('AABBCC');
  });
});

describe('applyEdits', () => {
  it('returns the text unchanged for an empty edit list', () => {
    const source = 'line one\r\nline two ✓ 😀\n';
    expect(applyEdits(source, [])).toBe(source);
    expect(applyEdits('', [])).toBe('');
  });

  it('can insert into an empty text', () => {
    expect(applyEdits('', [edit(0, 0, 'export {};\n')])).toBe('export {};\n');
  });

  it('inserts at the very end of the text', () => {
    const source = 'main()';
    expect(rewrite(source, [edit(source.length, source.length, '.catch(console.error)')])).toBe('main().catch(console.error)');
  });

  it('keeps CRLF line endings outside the edits', () => {
    const source = 'function load() {\r\n  return readFileSync(p);\r\n}\r\n';
    const start = source.indexOf('readFileSync');
    const result = rewrite(source, [
      edit(0, 0, 'async ', 'propagate'),
      edit(start, start, 'await ', 'propagate'),
      edit(start, start + 'readFileSync'.length, 'readFile', 'blocking-io'),
    ]);
    expect(result).toBe('async function load() {\r\n  return await readFile(p);\r\n}\r\n');
    expect(result.split('\r\n')).toHaveLength(4);
    expect(result.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('keeps emoji, accented and CJK text around edits (offsets in UTF-16 code units)', () => {
    const source = "const msg = '😀 café 日本語'; sleepSync(100); // ✓ naïve 🎉\n";
    const start = source.indexOf('sleepSync');
    // The emoji before the edit is two code units: the offset must count them as JavaScript does.
    expect(start).toBe(27);
    const result = rewrite(source, [edit(start, start + 'sleepSync'.length, 'await sleep', 'blocking-sleep')]);
    expect(result).toBe("const msg = '😀 café 日本語'; await sleep(100); // ✓ naïve 🎉\n");
  });

  it('can edit right after a surrogate pair without splitting it', () => {
    const source = '🎉x🎉';
    expect(rewrite(source, [edit(2, 3, 'y')])).toBe('🎉y🎉');
  });

  it('inserts non-ASCII text', () => {
    expect(rewrite('a', [edit(1, 1, ' // 変更 ✓ é 🚀')])).toBe('a // 変更 ✓ é 🚀');
  });
});

describe('EditSet', () => {
  it('groups edits per file and lists files sorted', () => {
    const set = new EditSet();
    set.insert('/p/b.ts', 0, 'async ', 'propagate');
    set.replace('/p/a.ts', 3, 5, 'x', 'blocking-io');
    set.insert('/p/b.ts', 10, 'await ', 'propagate', 2);
    expect(set.files()).toEqual(['/p/a.ts', '/p/b.ts']);
    expect(set.editsFor('/p/a.ts')).toEqual([{ start: 3, end: 5, text: 'x', source: 'blocking-io' }]);
    expect(set.editsFor('/p/b.ts')).toEqual([
      { start: 0, end: 0, text: 'async ', source: 'propagate', order: undefined },
      { start: 10, end: 10, text: 'await ', source: 'propagate', order: 2 },
    ]);
    expect(set.hasEdits('/p/a.ts')).toBe(true);
    expect(set.hasEdits('/p/c.ts')).toBe(false);
    expect(set.editsFor('/p/c.ts')).toEqual([]);
  });
});
