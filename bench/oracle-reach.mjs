// What a check whose every checker question went to TypeScript 7 could reach (issue 17 item 2;
// docs/native-oracle.md): the parts such a run keeps, timed one by one on a project.
//   node bench/oracle-reach.mjs DIR
// 1. TypeScript 6 parses every file with parent pointers and no binder (syntax and edits stay there);
// 2. tsgo starts and loads the tsconfig's project (its own parse, bind and lazy check);
// 3. tsgo answers, in batches per file, the questions the rules ask first (await operands, unused
//    values: the routed ones) and the call graph's (the symbol of every callee name, followed
//    through aliases, and its declarations found again among TypeScript 6's nodes).
// CPU of the tsgo process is read from /proc (Linux).
import path from 'node:path';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ts } from '@ts-morph/common';
import { API, SymbolFlags } from 'typescript7/unstable/sync';

const dir = path.resolve(process.argv[2] ?? '.bench/ts-project');
const tsconfig = path.join(dir, 'tsconfig.json');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const childCpu = (pid) => { try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; } catch { return NaN; } };
const row = (label, wall, ms) => console.log(`${label.padEnd(58)} wall ${(wall / 1000).toFixed(2)} s  cpu ${(ms / 1000).toFixed(2)} s`);

// 1. parse
let w = performance.now(), c = cpu();
const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const host = ts.createCompilerHost(parsed.options, true);
const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
const files = program.getSourceFiles().filter((f) => !f.isDeclarationFile);
row(`TypeScript 6: parse ${files.length} files (+ libs), no binding`, performance.now() - w, cpu() - c);

// 2. tsgo start
w = performance.now(); c = cpu();
const api = new API({ cwd: dir });
const project = api.updateSnapshot({ openProjects: [tsconfig] }).getProjects()[0];
const child = api.client.channel.child;
const checker = project.checker;
row('tsgo: start, load the project (JS side)', performance.now() - w, cpu() - c);
const startChildCpu = childCpu(child.pid);

// 3. questions
w = performance.now(); c = cpu();
const kindName = new Map();
for (const [name, value] of Object.entries(ts.SyntaxKind)) if (typeof value === 'number' && !/^(First|Last)/.test(name) && !kindName.has(value)) kindName.set(value, name);
const { SyntaxKind } = await import('typescript7/unstable/ast');
const spent = { fetch: 0, find: 0, types: 0, symbols: 0, declarations: 0 };
const timed = (key, f) => { const t = performance.now(); try { return f(); } finally { spent[key] += performance.now() - t; } };
const findRemote = (remote, node) => timed('find', () => findRemoteNode(remote, node));
const findRemoteNode = (remote, node) => {
  const kind = SyntaxKind[kindName.get(node.kind)];
  let current = remote;
  for (;;) {
    if (current.pos === node.pos && current.end === node.end && current.kind === kind) return current;
    const next = current.forEachChild((child) => (child.pos <= node.pos && node.end <= child.end && child.pos < child.end ? child : undefined));
    if (!next) return undefined;
    current = next;
  }
};
let types = 0, symbols = 0, declarations = 0, projectDeclarations = 0, mapped = 0, requests = 0;
const remoteFiles = new Map();
const remoteOf = (fileName) => { if (!remoteFiles.has(fileName)) { requests++; remoteFiles.set(fileName, timed('fetch', () => project.program.getSourceFile(fileName))); } return remoteFiles.get(fileName); };
// ts-morph nodes by span, per file, to map declarations back.
const spans = new Map();
const spanIndex = (sourceFile) => {
  let index = spans.get(sourceFile.fileName);
  if (!index) {
    index = new Map();
    const visit = (node) => { index.set(`${node.pos}:${node.end}:${kindName.get(node.kind)}`, node); ts.forEachChild(node, visit); };
    visit(sourceFile);
    spans.set(sourceFile.fileName, index);
  }
  return index;
};
for (const sourceFile of files) {
  const remote = remoteOf(sourceFile.fileName);
  if (!remote) continue;
  const valueNodes = [];
  const calleeNames = [];
  const visit = (node) => {
    if (ts.isAwaitExpression(node)) valueNodes.push(node.expression);
    if (ts.isExpressionStatement(node)) valueNodes.push(node.expression);
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
      if (name) calleeNames.push(name);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  const remoteValues = valueNodes.map((n) => findRemote(remote, n)).filter(Boolean);
  if (remoteValues.length) { requests++; types += timed('types', () => checker.getTypeAtLocation(remoteValues)).filter(Boolean).length; }
  const remoteNames = calleeNames.map((n) => findRemote(remote, n)).filter(Boolean);
  if (!remoteNames.length) continue;
  requests++;
  for (let symbol of timed('symbols', () => checker.getSymbolAtLocation(remoteNames))) {
    if (!symbol) continue;
    symbols++;
    if (symbol.flags & SymbolFlags.Alias) { requests++; symbol = checker.getAliasedSymbol(symbol); }
    for (const handle of symbol.declarations) {
      declarations++;
      const t = performance.now();
      const declared = program.getSourceFile(handle.path);
      if (!declared || declared.isDeclarationFile) { spent.declarations += performance.now() - t; continue; }
      projectDeclarations++;
      const remoteDeclared = remoteOf(declared.fileName);
      // NodeHandle.resolve fetches the file again; the index is the node's slot in the file we hold.
      const node = remoteDeclared?.getOrCreateNodeAtIndex(handle.index);
      if (node && spanIndex(declared).has(`${node.pos}:${node.end}:${SyntaxKind[node.kind]}`)) mapped++;
      spent.declarations += performance.now() - t;
    }
  }
}
const questionsWall = performance.now() - w;
const questionsCpu = cpu() - c;
const endChildCpu = childCpu(child.pid);
row(`tsgo: ${types} types, ${symbols} callee symbols, ${declarations} declarations (${projectDeclarations} in the project, ${mapped} of them found among TypeScript 6's nodes), ${requests} requests (JS side)`, questionsWall, questionsCpu);
console.log(`JS side, wall ms: ${Object.entries(spent).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
console.log(`tsgo process CPU: ${(startChildCpu / 1000).toFixed(2)} s loading, ${((endChildCpu - startChildCpu) / 1000).toFixed(2)} s answering`);
child.stdin.end();
