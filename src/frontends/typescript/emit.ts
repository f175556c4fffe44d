// Turns the planner's decisions and the rule fixes into text edits on the original TypeScript text.
import { ts } from '@ts-morph/common';
import { applyEdits, hitOwner, normalizeEdits, type EditSet, type TextEdit } from '../../edits/edit-set.js';
import type { EmitRequest } from '../../frontend.js';
import type { CallSite, FunctionId } from '../../model.js';
import { hasModifier, skipParentheses, type FunctionLike, type TsAnalysisState, type TsFileInfo } from './analyze.js';
import { asyncResultTypeText, globalPromiseName, insertAwait, needsParenthesesForAwait } from './fix-helpers.js';
import { TsFileEditor } from './file-editor.js';
import { asyncSiblingName, declarationNameNode, existingSibling, isObjectLiteralMember, siblingContainer } from './siblings.js';
import { walkTree } from './walk.js';


export function emitTypeScript(state: TsAnalysisState, request: EmitRequest, edits: EditSet): void {
  const editors = new Map<string, TsFileEditor>();
  // Every step says whose edits it writes (`TextEdit.owner`): a rule hit, or a function turning async.
  let owner: string | undefined;
  const editorFor = (absolute: string): TsFileEditor => {
    let editor = editors.get(absolute);
    if (!editor) editors.set(absolute, (editor = new TsFileEditor(state.files.get(absolute)!)));
    editor.owner = owner;
    return editor;
  };
  const fileOfFunction = (id: FunctionId): TsFileInfo | undefined => {
    const declaration = state.declarations.get(id);
    return declaration ? state.files.get(declaration.getSourceFile().fileName) : undefined;
  };
  const { plan } = request;
  for (const id of plan.dualFunctions) {
    const declaration = state.declarations.get(id);
    const name = declaration ? declarationNameNode(declaration) : undefined;
    if (declaration && name) editorFor(declaration.getSourceFile().fileName).reserveName(asyncSiblingName(name.text));
  }

  for (const hit of request.fixes) {
    const node = state.hitNodes.get(hit);
    if (!node || !hit.fix) continue;
    owner = hitOwner(hit.finding);
    editorFor(node.getSourceFile().fileName).transaction(hit.fix);
  }
  for (const hit of request.fallbacks) {
    const node = state.hitNodes.get(hit);
    if (!node || !hit.fallbackFix) continue;
    owner = hitOwner(hit.finding);
    editorFor(node.getSourceFile().fileName).transaction(hit.fallbackFix);
  }

  // A forEach callback that becomes a loop body loses its arrow head: nothing to mark async there.
  const inlinedCallbacks = new Set(
    plan.callbackSites
      .filter((site) => site.callback?.rewrite === 'for-of')
      .map((site) => site.callee)
      .filter((id) => {
        const declaration = state.declarations.get(id);
        return declaration !== undefined && (ts.isArrowFunction(declaration) || ts.isFunctionExpression(declaration)) && ts.isCallExpression(declaration.parent);
      }),
  );
  for (const id of plan.asyncFunctions.keys()) {
    if (inlinedCallbacks.has(id)) continue;
    owner = `fn:${id}`;
    const declaration = state.declarations.get(id);
    const info = fileOfFunction(id);
    if (!declaration || !info) continue;
    const editor = editorFor(info.absolute);
    makeAsync(declaration, info.sourceFile, editor);
    if (plan.dualFunctions.has(id)) renameDeclaration(declaration, info.sourceFile, editor);
  }

  const widenedParameters = new Set<ts.FunctionTypeNode>();
  for (const site of plan.awaitSites) {
    const node = state.siteNodes.get(site.id);
    if (!node || !ts.isCallExpression(node)) continue;
    owner = `fn:${site.callee}`;
    const editor = editorFor(node.getSourceFile().fileName);
    if (!site.isAwaited) insertAwait(editor, node, node.getSourceFile());
    widenVoidCallbackParameter(node, widenedParameters, editor);
    // A call through a union (`Tool | AsyncTool`) moves to `captureAsync` only when every member has it.
    const movesToSibling = !(site.callGroup && plan.callsWithoutSibling.has(site.callGroup));
    if (plan.dualFunctions.has(site.callee) && movesToSibling) renameCallee(node, editor, state.declarations.get(site.callee));
  }

  for (const site of plan.callbackSites) {
    owner = `fn:${site.callee}`;
    rewriteCallbackSite(site, state, editorFor);
    // `files.map(sizeOf)` in a sibling passes `sizeOfAsync`.
    const argument = state.siteNodes.get(site.id);
    if (argument && plan.dualFunctions.has(site.callee) && ts.isExpression(argument)) {
      renameToSibling(argument, editorFor(argument.getSourceFile().fileName), state.declarations.get(site.callee));
    }
  }

  for (const site of plan.entrySites) {
    const node = state.siteNodes.get(site.id);
    if (!node) continue;
    owner = `fn:${site.callee}`;
    const editor = editorFor(node.getSourceFile().fileName);
    // An uncaught error used to end the process with exit code 1: keep that.
    const handler = state.isNode
      ? '.catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n})'
      : '.catch((error) => console.error(error))';
    editor.insert(node.end, handler.replace(/\n/g, editor.info.sourceFile.text.includes('\r\n') ? '\r\n' : '\n'));
    if (plan.dualFunctions.has(site.callee)) renameCallee(node as ts.CallExpression, editor, state.declarations.get(site.callee));
  }

  reexportSiblings(state, request, (file, id) => {
    owner = `fn:${id}`;
    return editorFor(file);
  });
  exportCommonJsSiblings(state, request, (file, id) => {
    owner = `fn:${id}`;
    return editorFor(file);
  });

  for (const editor of editors.values()) {
    editor.guardStatementStarts();
    editor.flushImports();
    const fileEdits = moveDualBodies(editor, state, request);
    removeUnusedImports(editor, fileEdits);
    for (const edit of fileEdits) edits.add(editor.file, edit);
  }
}

/**
 * `edit(data)` awaited inside the function whose parameter `edit: (data: T) => void` received a
 * callback that turned async: the parameter's declared result becomes `unknown`, so the await is not
 * on a value typed `void` (typescript-eslint's await-thenable) and an async callback is no misused
 * promise where a `void` result was declared (no-misused-promises). Not `void | Promise<void>`: only
 * a plain `void` result lets callers pass a callback that returns something (`(d) => (d.x = 1)`), and
 * `unknown` keeps every caller that fit.
 */
function widenVoidCallbackParameter(call: ts.CallExpression, widened: Set<ts.FunctionTypeNode>, editor: TsFileEditor): void {
  const callee = skipParentheses(call.expression);
  if (!ts.isIdentifier(callee)) return;
  let owner: ts.Node | undefined = call.parent;
  while (owner && !ts.isFunctionLike(owner)) owner = owner.parent;
  if (!owner || !ts.isFunctionLike(owner)) return;
  const parameter = owner.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === callee.text);
  const type = parameter?.type;
  if (!type || !ts.isFunctionTypeNode(type) || type.type.kind !== ts.SyntaxKind.VoidKeyword || widened.has(type)) return;
  widened.add(type);
  const sourceFile = call.getSourceFile();
  editor.replace(type.type.getStart(sourceFile), type.type.end, 'unknown');
}

/** `async` before the function, `Promise<T>` around a declared return type. */
function makeAsync(node: FunctionLike, sourceFile: ts.SourceFile, editor: TsFileEditor): void {
  const isSignatureOnly = ts.isMethodSignature(node) || hasModifier(node, ts.SyntaxKind.AbstractKeyword);
  if (!isSignatureOnly && !hasModifier(node, ts.SyntaxKind.AsyncKeyword)) {
    editor.insert(asyncKeywordPosition(node, sourceFile), 'async ', -1);
  }
  wrapInPromise(node.type, sourceFile, editor);
  // The declared type of what holds an arrow (`describe: (n: string) => string = (n) => …`).
  const holder = node.parent;
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && (ts.isPropertyDeclaration(holder) || ts.isVariableDeclaration(holder))) {
    if (holder.type && ts.isFunctionTypeNode(holder.type)) wrapInPromise(holder.type.type, sourceFile, editor);
  }
  // JavaScript declares its types in JSDoc: `@returns {T}` becomes `@returns {Promise<T>}`.
  if (!node.type && isJavaScript(sourceFile)) wrapInPromise(ts.getJSDocReturnTag(node)?.typeExpression?.type, sourceFile, editor);
  // Overload signatures promise what the implementation now returns.
  for (const overload of overloadSignatures(node)) wrapInPromise(overload.type, sourceFile, editor);
}

function wrapInPromise(type: ts.TypeNode | undefined, sourceFile: ts.SourceFile, editor: TsFileEditor): void {
  if (!type) return;
  // An async function must declare the global Promise (TS1064): `PromiseLike<T>` becomes `Promise<T>`,
  // which every caller expecting a PromiseLike still accepts.
  const promise = globalPromiseName(sourceFile);
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === 'PromiseLike' && type.typeArguments?.length === 1) {
    editor.replace(type.typeName.getStart(sourceFile), type.typeName.end, promise);
    return;
  }
  if (isPromiseType(type, sourceFile)) {
    // `Promise<T>` in a file whose `Promise` is its own (bluebird's) names another type.
    if (promise !== 'Promise' && ts.isTypeReferenceNode(type)) editor.replace(type.typeName.getStart(sourceFile), type.typeName.end, promise);
    return;
  }
  // `string | Promise<string>` (a member that may be either) resolves to `string` once awaited.
  editor.replace(type.getStart(sourceFile), type.end, asyncResultTypeText(type, sourceFile));
}

function isJavaScript(sourceFile: ts.SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(sourceFile.fileName);
}

/** The bodiless declarations of the same name just before an implementation. */
function overloadSignatures(node: FunctionLike): (ts.FunctionDeclaration | ts.MethodDeclaration)[] {
  if (!(ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) || !node.body || !node.name) return [];
  const name = node.name.getText();
  const siblings: readonly ts.Node[] = ts.isClassLike(node.parent) ? node.parent.members : ts.isSourceFile(node.parent) || ts.isModuleBlock(node.parent) || ts.isBlock(node.parent) ? node.parent.statements : [];
  const result: (ts.FunctionDeclaration | ts.MethodDeclaration)[] = [];
  for (let i = siblings.indexOf(node) - 1; i >= 0; i--) {
    const sibling = siblings[i]!;
    if (!(ts.isFunctionDeclaration(sibling) || ts.isMethodDeclaration(sibling)) || sibling.body || sibling.name?.getText() !== name) break;
    result.push(sibling);
  }
  return result;
}

function isPromiseType(type: ts.TypeNode, sourceFile: ts.SourceFile): boolean {
  return /^Promise\s*</.test(type.getText(sourceFile));
}

function asyncKeywordPosition(node: FunctionLike, sourceFile: ts.SourceFile): number {
  if (ts.isArrowFunction(node)) return node.getStart(sourceFile);
  if (ts.isMethodDeclaration(node)) return node.name.getStart(sourceFile);
  // Function declarations and expressions: just before the `function` keyword, after any modifiers.
  const modifiers = ts.getModifiers(node);
  const afterModifiers = modifiers && modifiers.length > 0 ? modifiers[modifiers.length - 1]!.end : node.getStart(sourceFile);
  const trivia = /(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*)*/y;
  trivia.lastIndex = afterModifiers;
  trivia.exec(sourceFile.text);
  return trivia.lastIndex;
}

function renameDeclaration(node: FunctionLike, sourceFile: ts.SourceFile, editor: TsFileEditor): void {
  const name = declarationNameNode(node);
  if (name) editor.replace(name.getStart(sourceFile), name.end, asyncSiblingName(name.text));
  // A module has one default export: the sibling of `export default function load` is a named export.
  const defaultKeyword = ts.getModifiers(node)?.find((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword);
  if (name && defaultKeyword) editor.replace(defaultKeyword.getStart(sourceFile), defaultKeyword.end + (/^\s*/.exec(sourceFile.text.slice(defaultKeyword.end))?.[0].length ?? 0), '');
}

/**
 * Points a call at the async sibling; an imported function's sibling is imported beside it. The
 * sibling of a default export is the named export `loadAsync`, after the function's declared name.
 */
function renameCallee(call: ts.CallExpression, editor: TsFileEditor, declaration: FunctionLike | undefined): void {
  renameToSibling(call.expression, editor, declaration);
}

/** `load`, `store.load`, `ns.default` (called, or passed as a callback) -> the async sibling's name. */
function renameToSibling(expression: ts.Expression, editor: TsFileEditor, declaration: FunctionLike | undefined): void {
  const callee = skipParentheses(expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
  if (!name || !ts.isIdentifier(name)) return;
  const declaredName = declaration ? declarationNameNode(declaration)?.text : undefined;
  const imported = ts.isIdentifier(callee) ? editor.info.imports.get(callee.text) : undefined;
  let replacement = asyncSiblingName(name.text);
  if (imported && imported.name !== '*') {
    const exportName = imported.name === 'default' ? declaredName : imported.name;
    if (exportName) replacement = editor.ensureImport(imported.module, asyncSiblingName(exportName));
  } else if (name.text === 'default' && declaredName) {
    replacement = asyncSiblingName(declaredName); // `loader.default(…)` -> `loader.loadAsync(…)`
  }
  editor.replace(name.getStart(editor.info.sourceFile), name.end, replacement);
}

/** A barrel's `export { load } from './load.js'` re-exports the new `loadAsync` too, so its importers find it. */
function reexportSiblings(state: TsAnalysisState, request: EmitRequest, editorFor: (file: string, owner: FunctionId) => TsFileEditor): void {
  const { plan } = request;
  for (const { specifier, functions } of state.reexports) {
    const dual = functions.find((id) => plan.dualFunctions.has(id) && plan.asyncFunctions.has(id));
    if (dual === undefined) continue;
    const sibling = (name: ts.ModuleExportName): string => asyncSiblingName(name.text);
    const exportedAs = sibling(specifier.name);
    const elements = specifier.parent.elements;
    if (elements.some((element) => element.name.text === exportedAs)) continue;
    const text = specifier.propertyName ? `${sibling(specifier.propertyName)} as ${exportedAs}` : exportedAs;
    editorFor(specifier.getSourceFile().fileName, dual).insert(specifier.end, `, ${text}`);
  }
}

/** `module.exports = { load }` exports `loadAsync` too, `exports.load = load` gains `exports.loadAsync = loadAsync`. */
function exportCommonJsSiblings(state: TsAnalysisState, request: EmitRequest, editorFor: (file: string, owner: FunctionId) => TsFileEditor): void {
  const { plan } = request;
  for (const id of plan.dualFunctions) {
    const declaration = state.declarations.get(id);
    const name = declaration ? declarationNameNode(declaration) : undefined;
    if (!declaration || !name || !plan.asyncFunctions.has(id) || existingSibling(declaration)) continue;
    if (isObjectLiteralMember(siblingContainer(declaration))) continue; // its sibling is a property beside it, not a module export
    const info = state.files.get(declaration.getSourceFile().fileName)!;
    const exported = info.commonJsExports.get(name.text);
    if (!exported || exported.kind === 'module') continue;
    const sibling = asyncSiblingName(name.text);
    const exportedAs = asyncSiblingName(exported.exportedAs);
    const editor = editorFor(info.absolute, id);
    if (exported.kind === 'property') editor.insert(exported.node.end, exportedAs === sibling ? `, ${sibling}` : `, ${exportedAs}: ${sibling}`);
    else {
      const eol = info.sourceFile.text.includes('\r\n') ? '\r\n' : '\n';
      editor.insert(exported.node.end, `${eol}${exported.target.replace(/[\w$]+$/, exportedAs)} = ${sibling};`); // `exports.load` -> `exports.loadAsync`
    }
  }
}

/** `xs.forEach(cb)` -> `for (const x of xs) …`, `xs.map(cb)` -> `await Promise.all(xs.map(cb))`. */
function rewriteCallbackSite(site: CallSite, state: TsAnalysisState, editorFor: (file: string) => TsFileEditor): void {
  const argument = state.siteNodes.get(site.id);
  if (!argument || !site.callback) return;
  const call = argument.parent as ts.CallExpression;
  const sourceFile = argument.getSourceFile();
  const editor = editorFor(sourceFile.fileName);
  if (site.callback.rewrite === 'promise-all') {
    const start = call.getStart(sourceFile);
    const wrap = needsParenthesesForAwait(call);
    editor.insert(start, wrap ? '(await Promise.all(' : 'await Promise.all(', -call.end);
    editor.insert(call.end, wrap ? '))' : ')', -start);
    return;
  }
  if (site.callback.rewrite !== 'for-of' || !ts.isPropertyAccessExpression(call.expression)) return;
  const statement = call.parent as ts.ExpressionStatement;
  const receiver = call.expression.expression;
  const receiverStart = receiver.getStart(sourceFile);
  const callback = skipParentheses(argument as ts.Expression);
  if (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) {
    const [valueParameter, keyParameter] = callback.parameters.map((p) => sourceFile.text.slice(p.name.getStart(sourceFile), p.name.end));
    // A Map yields [key, value] where its forEach passes (value, key).
    const binding = site.callback.api.startsWith('Map.') ? `[${keyParameter ?? ''}, ${valueParameter}]` : valueParameter!;
    editor.insert(receiverStart, `for (const ${binding} of `, -statement.end);
    const body = callback.body;
    keepComments(editor, [[receiver.end, body.getStart(sourceFile)], [body.end, statement.end]], receiverStart, -statement.end - 1);
    if (ts.isBlock(body)) {
      editor.replace(receiver.end, body.getStart(sourceFile), ') ');
      editor.replace(body.end, statement.end, '');
      outdentBody(editor, body, statement);
    } else {
      editor.replace(receiver.end, body.getStart(sourceFile), ') { ');
      editor.replace(body.end, statement.end, '; }');
    }
    return;
  }
  // A named function: call it with each element and await it.
  const item = editor.freshName('item');
  editor.insert(receiverStart, `for (const ${item} of `, -statement.end);
  keepComments(editor, [[receiver.end, argument.getStart(sourceFile)], [argument.end, statement.end]], receiverStart, -statement.end - 1);
  editor.replace(receiver.end, argument.getStart(sourceFile), ') await ');
  editor.replace(argument.end, statement.end, `(${item});`);
}

/**
 * A callback body written deeper than its statement (`xs\n  .filter(f)\n  .forEach((x) => {`) moves
 * out by the difference once it is the loop's body: the indent its closing brace has beyond the
 * statement's comes off each line start, except where a line starts inside a template literal (its
 * text is a value) or inside another edit.
 */
function outdentBody(editor: TsFileEditor, body: ts.Block, statement: ts.Statement): void {
  const { sourceFile } = editor.info;
  const text = sourceFile.text;
  const statementStart = statement.getStart(sourceFile);
  const statementIndent = text.slice(lineStartOf(text, statementStart), statementStart);
  const closeAt = body.end - 1;
  const closeIndent = text.slice(lineStartOf(text, closeAt), closeAt);
  if (!/^[ \t]*$/.test(statementIndent) || !/^[ \t]*$/.test(closeIndent)) return;
  if (closeIndent.length <= statementIndent.length || !closeIndent.startsWith(statementIndent)) return;
  const extra = closeIndent.slice(statementIndent.length);
  const literals: [number, number][] = [];
  walkTree(body, (node) => {
    if (ts.isTemplateLiteral(node) || ts.isStringLiteral(node)) {
      literals.push([node.getStart(sourceFile), node.end]);
      return false;
    }
    return true;
  });
  const existing = [...editor.edits];
  for (let newline = text.indexOf('\n', body.getStart(sourceFile)); newline !== -1 && newline < closeAt; newline = text.indexOf('\n', newline + 1)) {
    const start = newline + 1;
    const end = start + extra.length;
    if (text.slice(start, end) !== extra) continue;
    if (literals.some(([from, to]) => from < start && start < to)) continue;
    if (existing.some((edit) => edit.start < end && edit.end > start && !(edit.start === edit.end && (edit.start === start || edit.start === end)))) continue;
    editor.replace(start, end, '');
  }
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * Comments in the spans a rewrite drops (`}, // done\n);` after a forEach body) move to their own
 * lines before `at`, the start of the statement, with its indent.
 */
function keepComments(editor: TsFileEditor, spans: readonly (readonly [number, number])[], at: number, order: number): void {
  const text = editor.info.sourceFile.text;
  const comments: string[] = [];
  for (const [start, end] of spans) {
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text.slice(start, end));
    for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
      if (token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) comments.push(scanner.getTokenText());
    }
  }
  if (comments.length === 0) return;
  const lineStart = lineStartOf(text, at);
  const indent = /^[ \t]*/.exec(text.slice(lineStart, at))![0];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  editor.insert(at, comments.map((comment) => `${comment}${eol}${indent}`).join(''), order);
}

/**
 * Under the dual strategy a function keeps its sync body and gains an async sibling: every edit
 * inside its declaration goes to a copy inserted after it, never to the original.
 */
function moveDualBodies(editor: TsFileEditor, state: TsAnalysisState, request: EmitRequest): TextEdit[] {
  let fileEdits = editor.edits;
  const { sourceFile } = editor.info;
  const ranges: { start: number; end: number; node: FunctionLike; container: ts.Node; id: FunctionId }[] = [];
  const forwarders: TextEdit[] = [];
  for (const id of request.plan.dualFunctions) {
    const node = state.declarations.get(id);
    if (!node || node.getSourceFile() !== sourceFile) continue;
    // A member that is async already keeps its edits in place; its family's sibling only forwards to it.
    if (state.functions.get(id)?.isAsync) {
      const forwarder = existingSibling(node) ? undefined : forwardingSibling(node, sourceFile);
      if (forwarder) forwarders.push({ ...forwarder, owner: `fn:${id}` });
      continue;
    }
    const container = siblingContainer(node);
    // JavaScript declares its types in JSDoc: the sibling gets a copy of the comment (with its
    // `@returns {Promise<T>}`), and the kept function keeps its own as written.
    ranges.push({ start: container.getStart(sourceFile, isJavaScript(sourceFile)), end: container.end, node, container, id });
  }
  // Outermost first: a dual function nested in another moves with it.
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  let coveredUntil = -1;
  for (const range of ranges) {
    if (range.start < coveredUntil) continue;
    coveredUntil = range.end;
    // Imports and module-level declarations belong to the file, even when they sit at its first function.
    // A sibling that exists already (a second run) is not added again.
    const siblingExists = existingSibling(range.node) !== undefined;
    const inside = fileEdits.filter(
      (edit) => edit.source !== 'import' && edit.start >= range.start && edit.end <= range.end && !(edit.start === range.end && edit.end === range.end),
    );
    if (inside.length === 0) continue;
    fileEdits = fileEdits.filter((edit) => !inside.includes(edit));
    if (siblingExists) continue;
    const shifted = inside.map((edit) => ({ ...edit, start: edit.start - range.start, end: edit.end - range.start }));
    // `override` only where the base has the sibling too: a base outside the project (a library's
    // class) keeps its one sync member, and `override` there would be TS4113.
    const override = ts.getModifiers(range.node)?.find((modifier) => modifier.kind === ts.SyntaxKind.OverrideKeyword);
    if (override && state.functions.get(range.id)?.syncOnly?.kind === 'family') {
      const start = override.getStart(sourceFile);
      const end = override.end + (/^\s*/.exec(sourceFile.text.slice(override.end))?.[0].length ?? 0);
      shifted.push({ start: start - range.start, end: end - range.start, text: '', source: 'dual' });
    }
    const original = sourceFile.text.slice(range.start, range.end);
    const copy = applyEdits(original, normalizeEdits(editor.file, original, shifted));
    const lineStart = lineStartOf(sourceFile.text, range.start);
    const before = sourceFile.text.slice(lineStart, range.start);
    const ownLine = /^[ \t]*$/.test(before);
    const eol = sourceFile.text.includes('\r\n') ? '\r\n' : '\n';
    // A comment after the declaration on its line stays with it: the sibling goes after the comment.
    const restOfLine = (from: number): number => from + (/^[ \t]*(\/\/[^\r\n]*|\/\*[^\r\n]*?\*\/[ \t]*)?(?=\r?\n|$)/.exec(sourceFile.text.slice(from))?.[0].length ?? 0);
    let insertAt = range.end;
    let text: string;
    if (isObjectLiteralMember(range.container)) {
      // `capture: (…) => …,` gains `captureAsync: async (…) => …,` as the next property.
      const comma = /^[ \t]*,/.exec(sourceFile.text.slice(range.end));
      if (ownLine && comma) {
        insertAt = restOfLine(range.end + comma[0].length);
        text = `${eol}${before}${copy},`;
      } else text = ownLine ? `,${eol}${before}${copy}` : `, ${copy}`;
    } else {
      insertAt = restOfLine(range.end);
      // A member written on its own line gets its sibling on the next lines, with the same indent;
      // one sharing a line with other code (`{ get(): T; }`) gets it beside it.
      text = ownLine ? `${ts.isMethodSignature(range.node) ? eol : eol + eol}${before}${copy}` : ` ${copy}`;
    }
    fileEdits.push({ start: insertAt, end: insertAt, text, source: 'dual', order: -1_000_000, owner: `fn:${range.id}` });
  }
  return [...fileEdits, ...forwarders];
}

/**
 * The sibling of a method or function that is async already: the same head under the sibling's name,
 * returning the call of the original (`runAsync(path: string): Promise<string> { return this.run(path); }`).
 * Undefined when its parameters cannot be passed on by name (a destructured one).
 */
function forwardingSibling(node: FunctionLike, sourceFile: ts.SourceFile): TextEdit | undefined {
  if (!(ts.isMethodDeclaration(node) || ts.isFunctionDeclaration(node)) || !node.body || !node.name || !ts.isIdentifier(node.name)) return undefined;
  const args: string[] = [];
  for (const parameter of node.parameters) {
    if (!ts.isIdentifier(parameter.name)) return undefined;
    if (parameter.name.text === 'this') continue;
    args.push(`${parameter.dotDotDotToken ? '...' : ''}${parameter.name.text}`);
  }
  const text = sourceFile.text;
  const start = node.getStart(sourceFile);
  const name = node.name;
  const head = text.slice(start, name.getStart(sourceFile)) + asyncSiblingName(name.text) + text.slice(name.end, node.body.getStart(sourceFile));
  const target = ts.isMethodDeclaration(node) ? `this.${name.text}` : name.text;
  const lineStart = lineStartOf(text, start);
  const indent = text.slice(lineStart, start);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const inner = `${indent}  `;
  const sibling = `${head}{${eol}${inner}return ${target}(${args.join(', ')});${eol}${indent}}`;
  return { start: node.end, end: node.end, text: `${eol}${eol}${indent}${sibling}`, source: 'dual', order: -1_000_000 };
}

/** Drops import bindings (`readFileSync`, `fs`) that no code refers to once the fixes replaced their uses. */
function removeUnusedImports(editor: TsFileEditor, fileEdits: TextEdit[]): void {
  const { sourceFile, imports } = editor.info;
  const replaced = fileEdits.filter((edit) => edit.end > edit.start);
  if (replaced.length === 0) return;
  const isReplaced = (node: ts.Node): boolean => {
    const start = node.getStart(sourceFile);
    return replaced.some((edit) => edit.start <= start && node.end <= edit.end);
  };
  const usage = new Map<string, { total: number; replaced: number }>();
  for (const local of imports.keys()) usage.set(local, { total: 0, replaced: 0 });
  walkTree(sourceFile, (node) => {
    if (ts.isImportDeclaration(node)) return false;
    if (ts.isIdentifier(node)) {
      const entry = usage.get(node.text);
      const binding = imports.get(node.text)?.binding;
      if (entry && binding && !isWithin(node, binding)) {
        entry.total++;
        if (isReplaced(node)) entry.replaced++;
      }
    }
    return true;
  });
  const removable = new Map<ts.Node, ts.Node[]>();
  for (const [local, { total, replaced: count }] of usage) {
    if (total === 0 || count < total || editor.referencedImports.has(local)) continue;
    const imported = imports.get(local)!;
    const list = removable.get(imported.declaration) ?? [];
    list.push(imported.binding);
    removable.set(imported.declaration, list);
  }
  // One set of edits per declaration, so that removing neighbours (and specifiers merged in) never overlap.
  for (const [declaration, bindings] of removable) {
    const elements = listedBindings(declaration);
    const merged = elements ? mergedSpecifiers(fileEdits, elements) : [];
    const all = bindingsOf(declaration);
    if (merged.length === 0 && all.every((binding) => bindings.includes(binding))) {
      fileEdits.push(declarationRemoval(declaration, sourceFile));
      continue;
    }
    if (elements && elements.every((element) => bindings.includes(element)) && merged.length > 0) {
      // `{ execSync }` -> `{ exec }`: the merged specifiers take the removed ones' place.
      for (const edit of merged) fileEdits.splice(fileEdits.indexOf(edit), 1);
      const added = merged.map((edit) => edit.text.replace(/^,\s*/, '')).join(', ');
      fileEdits.push({ start: elements[0]!.getStart(sourceFile), end: elements[elements.length - 1]!.end, text: added, source: 'import', owner: merged[0]?.owner });
      bindings.splice(0, bindings.length, ...bindings.filter((binding) => !elements.includes(binding)));
    } else if (elements) {
      fileEdits.push(...listRemovals(elements, bindings, sourceFile, merged));
      bindings.splice(0, bindings.length, ...bindings.filter((binding) => !elements.includes(binding)));
    }
    // What is left: a default import beside named ones, a `require` among several declarations.
    for (const binding of bindings) fileEdits.push(separatedRemoval(binding, sourceFile));
  }
}

/** The comma-separated list a binding sits in: `{ a, b }` of an import or of a `require` pattern. */
function listedBindings(declaration: ts.Node): readonly ts.Node[] | undefined {
  if (ts.isImportDeclaration(declaration)) {
    const named = declaration.importClause?.namedBindings;
    return named && ts.isNamedImports(named) && named.elements.length > 0 ? named.elements : undefined;
  }
  if (ts.isVariableStatement(declaration) && declaration.declarationList.declarations.length === 1) {
    const name = declaration.declarationList.declarations[0]!.name;
    return ts.isObjectBindingPattern(name) && name.elements.length > 0 ? name.elements : undefined;
  }
  return undefined;
}

/** The specifiers flushImports appended after the list's last element (`, exec`). */
function mergedSpecifiers(fileEdits: TextEdit[], elements: readonly ts.Node[]): TextEdit[] {
  const end = elements[elements.length - 1]!.end;
  return fileEdits.filter((edit) => edit.source === 'import' && edit.start === end && edit.end === end && edit.text.startsWith(','));
}

/**
 * Removes runs of neighbouring elements as one span each: a run with an element after it up to that
 * element, the run at the end from the element before it. Specifiers merged after a removed last
 * element move to the last kept one.
 */
function listRemovals(elements: readonly ts.Node[], removed: readonly ts.Node[], sourceFile: ts.SourceFile, merged: TextEdit[]): TextEdit[] {
  const result: TextEdit[] = [];
  for (let i = 0; i < elements.length; i++) {
    if (!removed.includes(elements[i]!)) continue;
    let j = i;
    while (j + 1 < elements.length && removed.includes(elements[j + 1]!)) j++;
    if (j + 1 < elements.length) {
      result.push({ start: elements[i]!.getStart(sourceFile), end: elements[j + 1]!.getStart(sourceFile), text: '', source: 'import' });
    } else {
      const keptEnd = elements[i - 1]!.end;
      result.push({ start: keptEnd, end: elements[j]!.end, text: '', source: 'import' });
      for (const edit of merged) {
        edit.start = keptEnd;
        edit.end = keptEnd;
        edit.order = -1;
      }
    }
    i = j;
  }
  return result;
}

/** The whole declaration, with its line when it is alone on it. */
function declarationRemoval(declaration: ts.Node, sourceFile: ts.SourceFile): TextEdit {
  const start = declaration.getStart(sourceFile);
  const lineStart = lineStartOf(sourceFile.text, start);
  const newline = sourceFile.text.indexOf('\n', declaration.end);
  const onlyOnLine = sourceFile.text.slice(lineStart, start).trim() === '' && sourceFile.text.slice(declaration.end, newline === -1 ? undefined : newline).trim() === '';
  return onlyOnLine
    ? { start: lineStart, end: newline === -1 ? sourceFile.text.length : newline + 1, text: '', source: 'import' }
    : { start, end: declaration.end, text: '', source: 'import' };
}

/** One binding and the comma after it (or before it, for the last one). */
function separatedRemoval(binding: ts.Node, sourceFile: ts.SourceFile): TextEdit {
  const text = sourceFile.text;
  let start = binding.getStart(sourceFile);
  let end = binding.end;
  const after = /^\s*,\s*/.exec(text.slice(end));
  if (after) end += after[0].length;
  else {
    const before = /,\s*$/.exec(text.slice(0, start));
    if (before) start -= before[0].length;
  }
  return { start, end, text: '', source: 'import' };
}

function isWithin(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

function bindingsOf(declaration: ts.Node): ts.Node[] {
  if (ts.isImportDeclaration(declaration)) {
    const clause = declaration.importClause;
    const list: ts.Node[] = [];
    if (clause?.name) list.push(clause.name);
    const named = clause?.namedBindings;
    if (named && ts.isNamespaceImport(named)) list.push(named);
    else if (named) list.push(...named.elements);
    return list;
  }
  if (ts.isImportEqualsDeclaration(declaration)) return [declaration.name];
  if (ts.isVariableStatement(declaration)) {
    const list: ts.Node[] = [];
    for (const variable of declaration.declarationList.declarations) {
      if (ts.isObjectBindingPattern(variable.name)) list.push(...variable.name.elements);
      else list.push(variable);
    }
    return list;
  }
  return [];
}
