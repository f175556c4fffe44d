import fs from 'node:fs'; import vm from 'node:vm'; import { createRequire } from 'node:module'; import path from 'node:path';
const mode = process.argv[2]; // none | produce-early | produce-late | use
const file = path.resolve('node_modules/@ts-morph/common/dist/typescript.js');
const cacheFile = '/tmp/ts-cache-' + (process.argv[3] ?? 'x') + '.bin';
const t0 = process.cpuUsage(); const w0 = performance.now();
const cpu = () => { const u = process.cpuUsage(t0); return ((u.user + u.system) / 1000).toFixed(0) + 'ms'; };
const src = fs.readFileSync(file, 'utf8');
const wrapper = '(function (exports, require, module, __filename, __dirname) { ' + src + '\n});';
const cachedData = mode === 'use' ? fs.readFileSync(cacheFile) : undefined;
const script = new vm.Script(wrapper, { filename: file, cachedData, importModuleDynamically: undefined });
if (mode === 'use') console.log('rejected', script.cachedDataRejected);
if (mode === 'produce-early') fs.writeFileSync(cacheFile, script.createCachedData());
const fn = script.runInThisContext();
const mod = { exports: {} };
fn.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
const t1 = cpu();
const ts = mod.exports;
// workload: program of one file with default lib
const host = ts.createCompilerHost({ noLib: true });
const f = '/tmp/tinyts/a.ts';
fs.mkdirSync('/tmp/tinyts', { recursive: true }); fs.writeFileSync(f, 'export async function g(x: number): Promise<number> { await null; return x + 1 }\nfunction h() { g(1); }\n');
const program = ts.createProgram([f], { noLib: true, strict: true }, host);
const checker = program.getTypeChecker();
ts.forEachChild(program.getSourceFile(f), function v(n) { if (ts.isExpression(n)) checker.getTypeAtLocation(n); ts.forEachChild(n, v); });
const t2 = cpu();
if (mode === 'produce-late') fs.writeFileSync(cacheFile, script.createCachedData());
console.log(mode, 'load', t1, 'load+work', t2, 'rss', (process.memoryUsage().rss / 1e6).toFixed(0));
