// The TypeScript visitors of `blocking-io` (transforms/blocking-io.ts holds its docs, messages and Python visitors).
import { ts } from '@ts-morph/common';
import { findBlockingApi, SYNC_WHEN_NO_CALLBACK, type BlockingApi } from '../../../data/ts-blocking-apis.js';
import type { FileEditor } from '../../../frontend.js';
import { formatMessage } from '../../../transform.js';
import { appendArgument, insertAwait, needsParenthesesForAwait, shorten, textOf } from '../fix-helpers.js';
import { quoteStyle } from '../file-editor.js';
import { normalizeModule, resolveImportedCallee } from '../imports.js';
import { shellSleepSeconds } from './blocking-sleep.js';
import blockingIo from '../../../../transforms/blocking-io.js';
import type { TsRuleContext, TsVisitors } from '../rule-context.js';

export const visitors: TsVisitors = {
  [ts.SyntaxKind.CallExpression]: (node, context) => detectBlockingCall(node as ts.CallExpression, context),
};

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
      if (api.cheapBelow !== undefined && (literalSize(call.arguments[0]) ?? Infinity) < api.cheapBelow) return;
      if (imported.module === 'child_process' && shellSleepSeconds(call) !== undefined) return; // blocking-sleep's
      reportApi(call, api, context);
      return;
    }
  }
  if (detectConfigured(call, context)) return;
  detectAsyncSibling(call, context);
}

/** A size written as a literal (`16`, `32 * 1024`, `1 << 16`), or undefined when it is computed. */
function literalSize(node: ts.Expression | undefined): number | undefined {
  if (!node) return undefined;
  if (ts.isParenthesizedExpression(node)) return literalSize(node.expression);
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (!ts.isBinaryExpression(node)) return undefined;
  const left = literalSize(node.left);
  const right = literalSize(node.right);
  if (left === undefined || right === undefined) return undefined;
  switch (node.operatorToken.kind) {
    case ts.SyntaxKind.AsteriskToken:
      return left * right;
    case ts.SyntaxKind.PlusToken:
      return left + right;
    case ts.SyntaxKind.LessThanLessThanToken:
      return left * 2 ** right;
    default:
      return undefined;
  }
}

function reportApi(call: ts.CallExpression, api: BlockingApi, context: TsRuleContext): void {
  const { sourceFile } = context;
  const calleeText = textOf(call.expression, sourceFile);
  const equivalent = api.equivalent;
  if (equivalent.kind === 'none') {
    context.report({ rule: 'blocking-io', node: call, message: message('noEquivalent', { callee: calleeText, hint: equivalent.hint }), kind: 'blocking', needsAsync: true });
    return;
  }
  if (equivalent.kind === 'promisify-stdout') {
    const syncOnly = syncOnlyOption(call, equivalent, sourceFile);
    if (syncOnly) {
      const text = message(syncOnly.unreadable ? 'unreadableOptions' : 'syncOnlyOption', { callee: calleeText, option: syncOnly.text, async: equivalent.name });
      context.report({ rule: 'blocking-io', node: call, message: text, kind: 'blocking', needsAsync: true });
      return;
    }
  }
  const replacement =
    equivalent.kind === 'exists'
      ? '`await access(path)` from node:fs/promises'
      : equivalent.kind === 'direct'
        ? `\`await ${equivalent.name}(…)\` from ${equivalent.module}`
        : `\`await promisify(${equivalent.name})(…)\``;
  const fix = fixFor(call, equivalent, context);
  // exec captures stderr where execSync let the child write to ours: same value, but a failing
  // command no longer prints its error.
  const capturesStderr = equivalent.kind === 'promisify-stdout';
  context.report({
    rule: 'blocking-io',
    node: call,
    message: message('api', { callee: calleeText, replacement }),
    kind: 'blocking',
    needsAsync: true,
    fix,
    ...(capturesStderr
      ? { applicability: 'unsafe' as const, suggestions: [`${replacement}, printing \`stderr\` yourself if the command's errors should still show`, `keep \`${calleeText}\` and run it in a worker`] }
      : {}),
  });
}

function fixFor(call: ts.CallExpression, equivalent: BlockingApi['equivalent'], context: TsRuleContext): ((editor: FileEditor) => boolean) | undefined {
  const { sourceFile } = context;
  const callee = call.expression;
  const calleeRange = [callee.getStart(sourceFile), callee.end] as const;
  switch (equivalent.kind) {
    case 'direct':
      return (editor) => {
        // `fse.readJsonSync` -> `fse.readJson`: the twin lives on the same module object.
        const imported = resolveImportedCallee(callee, context.imports);
        if (ts.isPropertyAccessExpression(callee) && imported && imported.module === normalizeModule(equivalent.module)) {
          editor.replace(callee.name.getStart(sourceFile), callee.name.end, equivalent.name);
        } else {
          editor.replace(...calleeRange, editor.ensureImport(equivalent.module, equivalent.name));
        }
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
      const options = execOptions(call, equivalent.name);
      const literal = options && ts.isObjectLiteralExpression(options) ? options : undefined;
      const hasEncoding = literal !== undefined && literal.properties.some((p) => optionName(p, sourceFile) === 'encoding');
      if (options && !literal) return undefined;
      // The option is written in the file's own quotes.
      const buffer = `encoding: ${quoteStyle(sourceFile)}buffer${quoteStyle(sourceFile)}`;
      return (editor) => {
        const start = call.getStart(sourceFile);
        editor.replace(...calleeRange, promisified(editor, equivalent.module, equivalent.name));
        editor.insert(start, '(await ', -call.end);
        // `stdio: 'pipe'` is exec's own behaviour, and not one of its options; the others (cwd, env,
        // timeout, …) mean the same to exec and execFile.
        const stdio = literal?.properties.find((p) => optionName(p, sourceFile) === 'stdio');
        if (literal && stdio && !hasEncoding) editor.replace(stdio.getStart(sourceFile), stdio.end, buffer);
        else if (literal && stdio) removeProperty(editor, literal, stdio, sourceFile);
        else if (literal && !hasEncoding) appendProperty(editor, literal, buffer, sourceFile);
        else if (!hasEncoding) appendArgument(editor, call, `{ ${buffer} }`, sourceFile);
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

/**
 * Why the call's options cannot go to the async API: an option only the Sync form has (`stdio:
 * 'inherit'` streams to the terminal, `input` feeds stdin), or options that are not a literal the
 * tool can read (or may sit in a spread argument). `stdio: 'pipe'` is what exec does anyway.
 */
function syncOnlyOption(
  call: ts.CallExpression,
  equivalent: { name: string; syncOnlyOptions: readonly string[] },
  sourceFile: ts.SourceFile,
): { text: string; unreadable: boolean } | undefined {
  // `execFileSync(...command)`: the spread may hold the options, and the argument positions are unknown.
  const spread = call.arguments.find(ts.isSpreadElement);
  if (spread) return { text: shorten(textOf(spread, sourceFile)), unreadable: true };
  const options = execOptions(call, equivalent.name);
  if (!options) return undefined;
  if (!ts.isObjectLiteralExpression(options)) return { text: shorten(textOf(options, sourceFile)), unreadable: true };
  for (const property of options.properties) {
    if (!ts.isPropertyAssignment(property) && !ts.isShorthandPropertyAssignment(property)) return { text: shorten(textOf(property, sourceFile)), unreadable: true };
    const name = optionName(property, sourceFile);
    if (!name || !equivalent.syncOnlyOptions.includes(name)) continue;
    const value = ts.isPropertyAssignment(property) ? property.initializer : undefined;
    if (name === 'stdio' && value && ts.isStringLiteral(value) && value.text === 'pipe') continue;
    return { text: shorten(textOf(property, sourceFile)), unreadable: false };
  }
  return undefined;
}

function optionName(property: ts.ObjectLiteralElementLike, sourceFile: ts.SourceFile): string | undefined {
  return property.name?.getText(sourceFile).replace(/^['"]|['"]$/g, '');
}

/** Adds a property after the literal's last one (`{ cwd }` -> `{ cwd, encoding: "buffer" }`), or into `{}`. */
function appendProperty(editor: FileEditor, literal: ts.ObjectLiteralExpression, property: string, sourceFile: ts.SourceFile): void {
  const last = literal.properties[literal.properties.length - 1];
  if (!last) {
    editor.replace(literal.getStart(sourceFile), literal.end, `{ ${property} }`);
    return;
  }
  const hasTrailingComma = literal.properties.hasTrailingComma;
  editor.insert(last.end, hasTrailingComma ? ` ${property},` : `, ${property}`);
}

/** Removes a property with the comma that separates it from its neighbour. */
function removeProperty(editor: FileEditor, literal: ts.ObjectLiteralExpression, property: ts.ObjectLiteralElementLike, sourceFile: ts.SourceFile): void {
  const properties = literal.properties;
  const index = properties.indexOf(property);
  const next = properties[index + 1];
  if (next) editor.replace(property.getStart(sourceFile), next.getStart(sourceFile), '');
  else if (index > 0) editor.replace(properties[index - 1]!.end, property.end, '');
  else editor.replace(property.getStart(sourceFile), property.end, '');
}

/** The options argument: `exec(cmd, options)`, `execFile(file, args, options)` or `execFile(file, { … })`. */
function execOptions(call: ts.CallExpression, asyncName: string): ts.Expression | undefined {
  if (asyncName === 'exec') return call.arguments[1];
  const second = call.arguments[1];
  return call.arguments[2] ?? (second && ts.isObjectLiteralExpression(second) ? second : undefined);
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
  // The sibling is another method, found by its name: it may need setup the sync one does not, or
  // differ in what it does; given a function (`t.throws(() => { … })` -> `t.throwsAsync(…)`), it
  // expects that function to be async. So the move is a suggestion, applied with --unsafe-fixes.
  const takesFunction = call.arguments.some((argument) => checker.getTypeAtLocation(argument).getCallSignatures().length > 0);
  const receiverText = textOf(callee.expression, sourceFile);
  context.report({
    rule: 'blocking-io',
    node: call,
    message: message('sibling', { callee: textOf(callee, sourceFile), sibling: siblingName }),
    kind: 'blocking',
    needsAsync: true,
    replacesCall: true,
    applicability: 'unsafe',
    suggestions: takesFunction
      ? [`keep \`${textOf(callee, sourceFile)}\` (its callback is sync)`, `\`await ${receiverText}.${siblingName}(…)\` once the callback is async`]
      : [`\`await ${receiverText}.${siblingName}(…)\` once you have checked it does the same`, `keep \`${textOf(callee, sourceFile)}\``],
    fix: (editor) => {
      editor.replace(callee.name.getStart(sourceFile), callee.name.end, siblingName);
      insertAwait(editor, call, sourceFile);
      return true;
    },
  });
}
