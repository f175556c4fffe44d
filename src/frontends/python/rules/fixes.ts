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

/**
 * `f(a, k=v)` -> `await asyncio.to_thread(f, a, k=v)`, edited in place: the text before the call and
 * its `(` change, every argument keeps its bytes, so line breaks, trailing commas and comments (one
 * after the last argument included) stay where they were.
 */
export function wrapInThread(editor: FileEditor, call: PyNode): boolean {
  const callee = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (!callee || !args) return false;
  const asyncio = editor.ensureImport('asyncio', 'asyncio');
  const parenthesise = needsParentheses(call);
  // Outside any edit of the callee's own subexpressions (an awaited receiver starts at the same offset).
  editor.insert(call.startIndex, `${parenthesise ? '(' : ''}await ${asyncio}.to_thread(`, -1);
  if (args.type === 'generator_expression') {
    editor.insert(callee.endIndex, ', ', 2);
  } else {
    const next = args.text.charAt(1);
    const hasArguments = args.namedChildren.some((child) => child !== null && child.type !== 'comment');
    editor.replace(args.startIndex, args.startIndex + 1, hasArguments ? (/\s/.test(next) ? ',' : ', ') : '');
  }
  // The call's own `)` closes `to_thread(` unless the argument was a generator expression (its parentheses are its own).
  const closing = `${args.type === 'generator_expression' ? ')' : ''}${parenthesise ? ')' : ''}`;
  if (closing) editor.insert(call.endIndex, closing, 2);
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
