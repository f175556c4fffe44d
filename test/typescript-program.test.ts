// The TypeScript program the front-end builds must see the standard library: ts-morph keeps its lib
// files in memory, and a program without them resolves nothing (every array is `any`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ts } from '@ts-morph/common';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProgram } from '../src/frontends/typescript/project.js';
import { loadTsRules, TsAnalyzer } from '../src/frontends/typescript/analyze.js';
import { TRANSFORMS } from '../transforms/index.js';
import { RULE_IDS, type FunctionNode } from '../src/model.js';
import { resolveTarget } from '../src/frontends/typescript/index.js';
import { defineTransform } from '../src/transform.js';

describe('TypeScript program', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'am-program-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'a.ts');
  writeFileSync(
    file,
    ['class A {', '  m(): number {', '    return 1;', '  }', '}', 'for (const x of [new A()]) x.m();', 'const p: Promise<number> = Promise.resolve(1);', 'void p;', ''].join('\n'),
  );

  it('has the lib: no global type is missing', () => {
    const { program } = loadProgram([file], undefined);
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))).toEqual([]);
  });

  // The parser is asked for no parent pointers (a tenth of the parse): the binder sets them as the
  // checker is created, and the analysis reads `node.parent` everywhere. This holds that order.
  it('gives every node of the project a parent once the program is loaded', () => {
    const js = path.join(dir, 'b.js');
    writeFileSync(js, ['/** @param {string} s */', 'function f(s) { return s.length; }', 'module.exports = { f };', ''].join('\n'));
    const { program } = loadProgram([file, js], undefined);
    for (const sourceFile of [program.getSourceFile(file)!, program.getSourceFile(js)!]) {
      const orphans: string[] = [];
      const visit = (node: ts.Node, parent: ts.Node): void => {
        if (node.parent !== parent) orphans.push(ts.SyntaxKind[node.kind]);
        ts.forEachChild(node, (child) => visit(child, node));
      };
      ts.forEachChild(sourceFile, (child) => visit(child, sourceFile));
      expect(orphans).toEqual([]);
    }
  });

  it('resolves a method call on a for-of variable over an array', async () => {
    const { program, checker } = loadProgram([file], undefined);
    const analyzer = new TsAnalyzer(program, checker, dir, await loadTsRules(TRANSFORMS), new Set(RULE_IDS), () => true, []);
    analyzer.analyze([file]);
    const sites = analyzer.state.sites.map((site) => ({ caller: site.caller, callee: analyzer.state.functions.get(site.callee)?.name, line: site.location.line }));
    expect(sites).toEqual([{ caller: 'a.ts#module', callee: 'A.m', line: 6 }]);
  });
});

describe('analysis of a node the checker cannot handle', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'am-overflow-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'a.ts');
  writeFileSync(file, ['function f(): number {', '  return 1;', '}', 'const deep = [f()];', 'f();', ''].join('\n'));

  it('skips that node, says so, and analyses the rest of the file', async () => {
    const { program, checker } = loadProgram([file], undefined);
    // A rule that overflows the stack on array literals, as the checker can on a deeply recursive type.
    const overflowing = defineTransform({
      id: 'floating-promise',
      severity: 'error',
      docs: TRANSFORMS[0]!.docs,
      messages: {},
      typescript: async () => ({
        [ts.SyntaxKind.ArrayLiteralExpression]: () => {
          throw new RangeError('Maximum call stack size exceeded');
        },
      }),
    });
    const analyzer = new TsAnalyzer(program, checker, dir, await loadTsRules([overflowing]), new Set(RULE_IDS), () => true, []);
    analyzer.analyze([file]);
    expect(analyzer.state.uncheckedLines).toEqual([{ absolute: file, line: 4 }]);
    // The call inside the array is a child of the skipped node: still walked. So is the next statement.
    expect(analyzer.state.sites.map((site) => site.location.line)).toEqual([4, 5]);
  });
});

describe('--make-async file:line', () => {
  const fn = (id: string, line: number, endLine: number): FunctionNode => ({
    id,
    name: id,
    kind: 'function',
    location: { file: 'src/a.ts', line, column: 1 },
    endLine,
    isAsync: false,
    isExported: false,
  });
  const functions = [fn('outer', 1, 10), fn('inner', 4, 6), fn('other', 12, 14)];

  it('picks the innermost function whose declaration spans the line', () => {
    expect(resolveTarget('src/a.ts:5', functions)).toEqual(['inner']);
    expect(resolveTarget('a.ts:8', functions)).toEqual(['outer']);
    expect(resolveTarget('src/a.ts:12', functions)).toEqual(['other']);
  });

  it('picks nothing on a line outside every function', () => {
    expect(resolveTarget('src/a.ts:11', functions)).toEqual([]);
  });
});
