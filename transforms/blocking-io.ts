import { ts } from 'ts-morph';
import { blockingIoVisitors } from '../src/frontends/python/rules/index.js';
import { findBlockingApi, SYNC_WHEN_NO_CALLBACK, type BlockingApi } from '../src/data/ts-blocking-apis.js';
import type { FileEditor } from '../src/frontend.js';
import { defineTransform, formatMessage } from '../src/transform.js';
import { insertAwait, needsParenthesesForAwait, textOf } from '../src/frontends/typescript/fix-helpers.js';
import { resolveImportedCallee } from '../src/frontends/typescript/imports.js';
import type { TsRuleContext } from '../src/frontends/typescript/rule-context.js';
import { shellSleepSeconds } from './blocking-sleep.js';

const blockingIo = defineTransform({
  id: 'blocking-io',
  severity: 'warning',
  docs: {
    what: 'Finds blocking I/O in code an event loop runs: `fs.*Sync`, `child_process.*Sync`, `zlib.*Sync`, sync crypto, a method whose `xAsync` sibling exists, and calls the config names as blocking.',
    why: 'A sync call holds the event loop for the whole disk, process or CPU operation; every other task waits.',
    example: "const text = fs.readFileSync(path, 'utf8');",
    useInstead: "const text = await readFile(path, 'utf8'); (node:fs/promises), the promisified callback API, or the `xAsync` sibling.",
    fixSafety:
      'Safe for the fs/promises twins. `execSync` becomes `(await execAsync(cmd, { encoding: "buffer" })).stdout`: same value, but stderr is captured rather than inherited. `existsSync` becomes an `access()` check. Descriptor APIs and `spawnSync` are reported, not fixed.',
    doesNotFlag: 'Blocking calls that only sync code reaches (startup, build scripts) under the default `--scope reachable`; callback and promise APIs; sync calls of libraries it does not know (list them in the config\'s `blocking`).',
  },
  messages: {
    api: '`{callee}` blocks the event loop; use `{replacement}`',
    noEquivalent: '`{callee}` blocks the event loop; {hint}',
    sibling: '`{callee}` blocks while `{sibling}` exists on the same type; use `await {sibling}(…)`',
    configured: '`{callee}` is listed as blocking in the config; use `{replacement}`',
  },
  typescript: {
    [ts.SyntaxKind.CallExpression]: (node, context) => detectBlockingCall(node as ts.CallExpression, context),
  },
  python: blockingIoVisitors,
});
export default blockingIo;

function message(id: keyof typeof blockingIo.messages, data: Record<string, string>): string {
  return formatMessage(blockingIo.messages[id]!, data);
}

function detectBlockingCall(call: ts.CallExpression, context: TsRuleContext): void {
  const callee = call.expression;
  const imported = resolveImportedCallee(callee, context.imports);
  if (imported) {
    let api = findBlockingApi(imported.module, imported.name);
    if (!api && call.arguments.length === 1) {
      api = SYNC_WHEN_NO_CALLBACK.find((candidate) => candidate.name === imported.name && candidate.modules.includes(imported.module));
    }
    if (api) {
      if (imported.module === 'child_process' && shellSleepSeconds(call) !== undefined) return; // blocking-sleep's
      reportApi(call, api, context);
      return;
    }
  }
  if (detectConfigured(call, context)) return;
  detectAsyncSibling(call, context);
}

function reportApi(call: ts.CallExpression, api: BlockingApi, context: TsRuleContext): void {
  const { sourceFile } = context;
  const calleeText = textOf(call.expression, sourceFile);
  const equivalent = api.equivalent;
  if (equivalent.kind === 'none') {
    context.report({ rule: 'blocking-io', node: call, message: message('noEquivalent', { callee: calleeText, hint: equivalent.hint }), kind: 'blocking', needsAsync: true });
    return;
  }
  const replacement =
    equivalent.kind === 'exists'
      ? 'await access(path) from node:fs/promises'
      : equivalent.kind === 'direct'
        ? `await ${equivalent.name}(…) from ${equivalent.module}`
        : `await promisify(${equivalent.name})(…)`;
  const fix = fixFor(call, equivalent, context);
  context.report({ rule: 'blocking-io', node: call, message: message('api', { callee: calleeText, replacement }), kind: 'blocking', needsAsync: true, fix });
}

function fixFor(call: ts.CallExpression, equivalent: BlockingApi['equivalent'], context: TsRuleContext): ((editor: FileEditor) => boolean) | undefined {
  const { sourceFile } = context;
  const callee = call.expression;
  const calleeRange = [callee.getStart(sourceFile), callee.end] as const;
  switch (equivalent.kind) {
    case 'direct':
      return (editor) => {
        editor.replace(...calleeRange, editor.ensureImport(equivalent.module, equivalent.name));
        insertAwait(editor, call, sourceFile);
        return true;
      };
    case 'promisify':
      return (editor) => {
        editor.replace(...calleeRange, promisified(editor, equivalent.module, equivalent.name));
        insertAwait(editor, call, sourceFile);
        return true;
      };
    case 'promisify-stdout': {
      // execSync(cmd) returns a Buffer; ask exec for Buffers too so the value is the same.
      const options = call.arguments[equivalent.name === 'exec' ? 1 : 2];
      const hasEncoding = options !== undefined && ts.isObjectLiteralExpression(options) && options.properties.some((p) => p.name?.getText(sourceFile) === 'encoding');
      if (options && !hasEncoding) return undefined;
      return (editor) => {
        const start = call.getStart(sourceFile);
        editor.replace(...calleeRange, promisified(editor, equivalent.module, equivalent.name));
        editor.insert(start, '(await ', -call.end);
        if (!hasEncoding) {
          const last = call.arguments[call.arguments.length - 1]!;
          editor.insert(last.end, ', { encoding: "buffer" }');
        }
        editor.insert(call.end, ').stdout', -start);
        return true;
      };
    }
    case 'exists':
      return (editor) => {
        const start = call.getStart(sourceFile);
        editor.replace(...calleeRange, editor.ensureImport('node:fs/promises', 'access'));
        const wrap = needsParenthesesForAwait(call);
        editor.insert(start, wrap ? '(await ' : 'await ', -call.end);
        editor.insert(call.end, `.then(() => true, () => false)${wrap ? ')' : ''}`, -start);
        return true;
      };
    default:
      return undefined;
  }
}

/** `const gzipAsync = promisify(gzip);` once per file; returns `gzipAsync`. */
function promisified(editor: FileEditor, module: string, name: string): string {
  const promisify = editor.ensureImport('node:util', 'promisify');
  const original = editor.ensureImport(module, name);
  return editor.ensureDeclaration(`promisify:${module}:${name}`, `${name}Async`, (local) => `const ${local} = ${promisify}(${original});`);
}

/** Calls the config lists as blocking, matched on the callee as written (`db.querySync`). */
function detectConfigured(call: ts.CallExpression, context: TsRuleContext): boolean {
  if (context.configBlocking.length === 0) return false;
  const { sourceFile } = context;
  const calleeText = textOf(call.expression, sourceFile).replace(/\s+/g, '');
  const entry = context.configBlocking.find((candidate) => candidate.call === calleeText || calleeText.endsWith(`.${candidate.call}`));
  if (!entry) return false;
  const equivalent = entry.asyncEquivalent;
  context.report({
    rule: 'blocking-io',
    node: call,
    message: message('configured', { callee: calleeText, replacement: equivalent ? `await ${equivalent}(…)` : 'an async equivalent' }),
    kind: 'blocking',
    needsAsync: true,
    fix: equivalent
      ? (editor) => {
          let replacement = equivalent;
          if (entry.module) {
            const [head, ...rest] = equivalent.split('.');
            replacement = [editor.ensureImport(entry.module, head!), ...rest].join('.');
          } else if (!equivalent.includes('.') && ts.isPropertyAccessExpression(call.expression)) {
            // A bare method name: keep the receiver (`db.querySync` -> `db.query`).
            editor.replace(call.expression.name.getStart(sourceFile), call.expression.name.end, equivalent);
            insertAwait(editor, call, sourceFile);
            return true;
          }
          editor.replace(call.expression.getStart(sourceFile), call.expression.end, replacement);
          insertAwait(editor, call, sourceFile);
          return true;
        }
      : undefined,
  });
  return true;
}

/** `store.get(k)` when the same type has `getAsync`: the sync method blocks by the type's own word. */
function detectAsyncSibling(call: ts.CallExpression, context: TsRuleContext): void {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) return;
  const name = callee.name.text;
  if (name.endsWith('Async') || !context.asyncSiblingNames.has(name)) return;
  // `xAsync` itself may be written over `x` (`return Promise.resolve(this.x())`): moving that call to
  // `xAsync` would make it call itself.
  const enclosing = context.enclosingFunction().name.split('.').pop();
  if (enclosing === `${name}Async`) return;
  const { checker, sourceFile } = context;
  const receiverType = checker.getTypeAtLocation(callee.expression);
  const sibling = receiverType.getProperty(`${name}Async`);
  if (!sibling) return;
  const siblingType = checker.getTypeOfSymbolAtLocation(sibling, callee);
  const returnsPromise = siblingType.getCallSignatures().some((signature) => context.isThenable(signature.getReturnType(), true));
  if (!returnsPromise) return;
  if (context.isThenable(checker.getTypeAtLocation(call), true)) return;
  const siblingName = `${name}Async`;
  context.report({
    rule: 'blocking-io',
    node: call,
    message: message('sibling', { callee: textOf(callee, sourceFile), sibling: siblingName }),
    kind: 'blocking',
    needsAsync: true,
    replacesCall: true,
    fix: (editor) => {
      editor.replace(callee.name.getStart(sourceFile), callee.name.end, siblingName);
      insertAwait(editor, call, sourceFile);
      return true;
    },
  });
}
