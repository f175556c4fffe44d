// What keeps a large Python run's peak memory down (bench/README.md, "Python: branch `pymem`"): a
// full collection once the analysis is done, and facts kept in their smallest form. Each compact form
// must answer as the one it replaced did.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config.js';
import { RULE_IDS } from '../src/model.js';
import { signatureOf } from '../src/frontends/python/graph-builder.js';
import { buildModule, type PyFunction } from '../src/frontends/python/modules.js';
import { LineIndex, loadPythonParser } from '../src/frontends/python/parser.js';

const collected = vi.hoisted(() => ({ count: 0 }));
vi.mock('../src/collect-garbage.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/collect-garbage.js')>();
  return {
    collectGarbage: async () => {
      collected.count++;
      await actual.collectGarbage();
    },
  };
});

const { collectGarbage } = await vi.importActual<typeof import('../src/collect-garbage.js')>('../src/collect-garbage.js');
const { COLLECT_AFTER_ANALYSIS_CHARS, createPythonFrontEnd } = await import('../src/frontends/python/index.js');

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
beforeAll(async () => {
  await loadPythonParser();
});

function project(text: string): { root: string; file: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'async-migrate-pymem-'));
  roots.push(root);
  const file = path.join(root, 'app.py');
  writeFileSync(file, text);
  return { root, file };
}

describe('collecting garbage after the analysis', () => {
  it('collects: an object no longer referenced is gone afterwards', async () => {
    let held: object | undefined = { payload: new Array(1000).fill('x') };
    const ref = new WeakRef(held);
    held = undefined;
    await collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });

  it('runs once after analysing a large project, and not after a small one', async () => {
    const code = 'import time\n\nasync def handler():\n    time.sleep(1)\n';
    // The size is in a comment: a large text whose tree and analysis stay small.
    const large = project(`${code}# ${'x'.repeat(COLLECT_AFTER_ANALYSIS_CHARS)}\n`);
    const small = project(code);
    collected.count = 0;
    const smallAnalysis = await createPythonFrontEnd({ root: small.root, config: DEFAULT_CONFIG }).analyze([small.file], new Set(RULE_IDS));
    expect(collected.count).toBe(0);
    const largeAnalysis = await createPythonFrontEnd({ root: large.root, config: DEFAULT_CONFIG }).analyze([large.file], new Set(RULE_IDS));
    expect(collected.count).toBe(1);
    // The same findings either way: the collection changes nothing the analysis answers.
    const findings = (analysis: typeof smallAnalysis): string[] => analysis.hits.map((hit) => `${hit.finding.rule} ${hit.finding.line}:${hit.finding.column}`);
    expect(findings(largeAnalysis)).toEqual(findings(smallAnalysis));
    expect(findings(smallAnalysis)).toEqual(['blocking-sleep 4:5']);
  });
});

describe('compact facts answer as before', () => {
  const text = [
    'def outer(a,\n          b):',
    '    def inner():',
    '        return a',
    '    return inner',
    '',
    'def leaf( self ,\tx :\tint ,',
    '          y = ( 1 , 2 ) , ) ->  str:  # a comment',
    '    pass',
    '',
    'class C:',
    '    def method(self, *args, **kwargs):',
    '        return 1',
    '',
  ].join('\n');

  function functions(): Map<string, PyFunction> {
    const module = buildModule('/p', '/p/m.py', text);
    return new Map(module.allFunctions.map((fn) => [fn.qualName, fn]));
  }

  it('keeps a map of nested functions only for a function that has some', () => {
    const byName = functions();
    expect([...(byName.get('outer')!.nested?.keys() ?? [])]).toEqual(['inner']);
    expect(byName.get('outer.inner')!.nested).toBeUndefined();
    expect(byName.get('leaf')!.nested).toBeUndefined();
    expect(byName.get('C.method')!.nested).toBeUndefined();
  });

  it('writes each signature on one line, spaces collapsed, no space or comma before a closing parenthesis', () => {
    const byName = functions();
    expect(signatureOf(byName.get('outer')!)).toBe('def outer(a, b)');
    expect(signatureOf(byName.get('leaf')!)).toBe('def leaf(self , x : int , y = (1 , 2) ) -> str');
    expect(signatureOf(byName.get('C.method')!)).toBe('def method(self, *args, **kwargs)');
  });

  it('gives each offset its line and column, and back', () => {
    for (const sample of [text, '', 'x', '\n', 'a\r\nb\n\nc', '\n\nlast line without a newline']) {
      const index = new LineIndex(sample);
      let line = 1;
      let column = 1;
      let lineStart = 0;
      for (let offset = 0; offset <= sample.length; offset++) {
        expect(index.at(offset)).toEqual({ line, column });
        expect(index.lineStart(offset)).toBe(lineStart);
        expect(index.offsetOf(line, column)).toBe(offset);
        if (sample[offset] === '\n') {
          line++;
          column = 1;
          lineStart = offset + 1;
        } else column++;
      }
    }
  });
});
