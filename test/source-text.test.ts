// Decoding source files exactly (src/source-text.ts): UTF-8 with or without a BOM, Latin-1 when a
// Python coding cookie says so, and a reason for everything else, never a lossy decode.
import { describe, expect, it } from 'vitest';
import { decodeSource, encodeSource } from '../src/source-text.js';

const decode = (file: string, latin1Bytes: string): string => {
  try {
    const { text, encoding } = decodeSource(file, Buffer.from(latin1Bytes, 'latin1'));
    return `${encoding}: ${text}`;
  } catch (error) {
    return `skipped: ${(error as Error).message}`;
  }
};

describe('decodeSource', () => {
  it.each([
    ['UTF-8 text', 'a.ts', 'const s = "caf\xc3\xa9";\n', 'utf8: const s = "café";\n'],
    ['a UTF-8 BOM is kept as U+FEFF', 'a.py', '\xef\xbb\xbfx = 1\n', 'utf8: \uFEFFx = 1\n'],
    ['a latin-1 cookie on line 1', 'a.py', '# -*- coding: latin-1 -*-\ns = "\xe9"\n', 'latin1: # -*- coding: latin-1 -*-\ns = "é"\n'],
    ['a cookie on line 2 after a shebang', 'a.py', '#!/usr/bin/env python\n# coding=iso-8859-1\ns = "\xe9"\n', 'latin1: #!/usr/bin/env python\n# coding=iso-8859-1\ns = "é"\n'],
    ['a cookie after code is not a cookie', 'a.py', 'x = 1\n# coding: latin-1\ns = "\xe9"\n', 'skipped: the file is not valid UTF-8 (line 3) and declares no other encoding; the file is skipped'],
    ['a BOM with a utf-8 cookie', 'a.py', '\xef\xbb\xbf# coding: utf-8\n', 'utf8: \uFEFF# coding: utf-8\n'],
    ['a BOM with a latin-1 cookie', 'a.py', '\xef\xbb\xbf# coding: latin-1\n', 'skipped: the file has a UTF-8 BOM but declares the encoding "latin-1"; the file is skipped'],
    ['another declared encoding', 'a.py', '# vim: set fileencoding=cp1252 :\n', 'skipped: the file declares the encoding "cp1252"; only UTF-8 and Latin-1 files are analysed; the file is skipped'],
    ['a cookie means nothing outside Python', 'a.ts', '// coding: latin-1\nconst s = "\xe9";\n', 'skipped: the file is not valid UTF-8 (line 2); the file is skipped'],
    ['UTF-16', 'a.ts', '\xff\xfex\x00', 'skipped: the file is UTF-16 (it starts with a UTF-16 BOM); only UTF-8 and Latin-1 files are analysed; the file is skipped'],
  ])('%s', (_name, file, bytes, expected) => {
    expect(decode(file, bytes)).toBe(expected);
  });
});

describe('encodeSource', () => {
  it('gives back the bytes it decoded, and refuses a character Latin-1 cannot hold', () => {
    const bytes = Buffer.from('# coding: latin-1\ns = "\xe9\xff"\n', 'latin1');
    const { text, encoding } = decodeSource('a.py', bytes);
    expect(encodeSource(text, encoding)).toEqual(bytes);
    expect(encodeSource(`${text}# …\n`, encoding)).toBeUndefined();
  });
});
