// Edits shared by the Python rules. Each records all of its edits or returns false and records none.
import type { FileEditor } from '../../../frontend.js';
import type { PyNode } from '../parser.js';
import { needsParentheses } from '../walk.js';

/** `await ` before the call, parenthesised when the call is the object of `.x`, `[i]` or a call. */
export function insertAwait(editor: FileEditor, call: PyNode): void {
  if (needsParentheses(call)) {
    editor.insert(call.startIndex, '(await ', 0);
    editor.insert(call.endIndex, ')', 1);
  } else {
    editor.insert(call.startIndex, 'await ', 0);
  }
}

/** The argument text of a call without its parentheses (`a, b=1`), or a generator argument. */
export function argumentsText(call: PyNode): string {
  const args = call.childForFieldName('arguments');
  if (!args) return '';
  if (args.type === 'generator_expression') return args.text;
  return args.text.slice(1, -1).trim().replace(/,\s*$/, '');
}

/** `f(a, k=v)` -> `await asyncio.to_thread(f, a, k=v)`. */
export function wrapInThread(editor: FileEditor, call: PyNode): boolean {
  const callee = call.childForFieldName('function');
  if (!callee) return false;
  const asyncio = editor.ensureImport('asyncio', 'asyncio');
  const args = argumentsText(call);
  const inner = `${asyncio}.to_thread(${callee.text}${args ? `, ${args}` : ''})`;
  editor.replace(call.startIndex, call.endIndex, needsParentheses(call) ? `(await ${inner})` : `await ${inner}`);
  return true;
}

/** Replaces the callee (`time.sleep` -> `asyncio.sleep`) and awaits the call. */
export function replaceCalleeAndAwait(editor: FileEditor, call: PyNode, callee: string, importModule: string): boolean {
  const calleeNode = call.childForFieldName('function');
  if (!calleeNode) return false;
  const local = editor.ensureImport(importModule, importModule);
  const rest = callee.startsWith(`${importModule}.`) ? callee.slice(importModule.length) : callee === importModule ? '' : undefined;
  insertAwait(editor, call);
  editor.replace(calleeNode.startIndex, calleeNode.endIndex, rest === undefined ? callee : `${local}${rest}`);
  return true;
}

/** Calls a sibling method (`x.store(…)` -> `await x.store_async(…)`). */
export function renameAndAwait(editor: FileEditor, call: PyNode, name: string): boolean {
  const callee = call.childForFieldName('function');
  const nameNode = callee?.type === 'attribute' ? callee.childForFieldName('attribute') : callee?.type === 'identifier' ? callee : null;
  if (!nameNode) return false;
  insertAwait(editor, call);
  editor.replace(nameNode.startIndex, nameNode.endIndex, name);
  return true;
}
