// Asks the JS and the native (TypeScript 7) oracle the same questions on a project and counts where
// they agree, with the time each took (issue 17 item 2; docs/native-oracle.md). Not a test.
//   node bench/oracle-agreement.mjs DIR [--tsconfig DIR/tsconfig.json]
import path from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ts } from '@ts-morph/common';
import { loadProgram } from '../dist/src/frontends/typescript/project.js';
import { jsOracle } from '../dist/src/frontends/typescript/oracle.js';
import { createTsgoOracle } from '../dist/src/frontends/typescript/tsgo-oracle.js';

const dir = path.resolve(process.argv[2] ?? '.bench/ts-project');
const tsconfig = path.resolve(process.argv[3] ?? path.join(dir, 'tsconfig.json'));
const files = [];
const walk = (d) => {
  for (const name of readdirSync(d)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(d, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (/\.(m|c)?[jt]sx?$/.test(name) && !name.endsWith('.d.ts')) files.push(full);
  }
};
walk(dir);
let t = performance.now();
const { program } = loadProgram(files, tsconfig);
program.getTypeChecker();
const loadMs = performance.now() - t;

const questions = [];
for (const file of files) {
  const sourceFile = program.getSourceFile(file);
  if (!sourceFile) continue;
  const visit = (node) => {
    if (ts.isAwaitExpression(node)) {
      let operand = node.expression;
      while (ts.isParenthesizedExpression(operand)) operand = operand.expression;
      questions.push({ kind: 'await', node: operand });
    }
    if (ts.isExpressionStatement(node)) {
      let value = node.expression;
      while (ts.isParenthesizedExpression(value)) value = value.expression;
      questions.push({ kind: 'value', node: value, withPromise: !ts.isAwaitExpression(value) });
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
      if (name) questions.push({ kind: 'callee', node: name });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
}
// The call graph needs the declarations the project holds; declarations in .d.ts files (the libs,
// packages) cannot make a project function, and TypeScript 7's own lib files have no TypeScript 6 node.
const where = (declaration) => `${path.relative(dir, declaration.getSourceFile().fileName)}:${declaration.pos}`;
const ask = (oracle, q) =>
  q.kind === 'await'
    ? String(oracle.isNeverAwaitable(q.node))
    : q.kind === 'value'
      ? oracle.valueKind(q.node, q.withPromise)
      : oracle.calleeDeclarations(q.node).filter((d) => !d.getSourceFile().isDeclarationFile).map(where).join(' ');

const js = jsOracle(program);
t = performance.now();
const jsAnswers = questions.map((q) => ask(js, q));
const jsMs = performance.now() - t;

t = performance.now();
const native = await createTsgoOracle(program, tsconfig);
const startMs = performance.now() - t;
t = performance.now();
const nativeAnswers = questions.map((q) => ask(native, q));
const nativeMs = performance.now() - t;
native.close();

const differ = [];
questions.forEach((q, i) => {
  if (jsAnswers[i] !== nativeAnswers[i]) differ.push(`${q.kind} ${path.relative(dir, q.node.getSourceFile().fileName)}:${q.node.getSourceFile().getLineAndCharacterOfPosition(q.node.getStart()).line + 1} ${q.node.getText().slice(0, 60)}: js ${jsAnswers[i]}, tsgo ${nativeAnswers[i]}`);
});
const byKind = (kind) => questions.filter((q) => q.kind === kind).length;
console.log(`${files.length} files; ${questions.length} questions (${byKind('await')} await operands, ${byKind('value')} statement values)`);
console.log(`JS: program + binding ${loadMs.toFixed(0)} ms, answers ${jsMs.toFixed(0)} ms`);
console.log(`tsgo: start + project ${startMs.toFixed(0)} ms, answers ${nativeMs.toFixed(0)} ms; ${JSON.stringify(native.counts)}`);
console.log(`agree: ${questions.length - differ.length} of ${questions.length}`);
for (const line of differ.slice(0, 30)) console.log(`  ${line}`);
