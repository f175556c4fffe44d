// Breaking-change facts of a function: its signature before and after turning async, and why it
// cannot turn async at all (constructors, accessors, generators).
import { ts } from '@ts-morph/common';
import type { FunctionNode } from '../../model.js';
import { asyncResultTypeText } from './fix-helpers.js';
import { type FunctionLike, isAbstract } from './syntax.js';

/** The declaration head as written (no body), for `breaking`. */
export function signatureText(node: FunctionLike, sourceFile: ts.SourceFile): string {
  // A typed field or const holding an arrow shows its declared type: what callers see.
  const holder = node.parent;
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && (ts.isPropertyDeclaration(holder) || ts.isVariableDeclaration(holder)) && holder.type) {
    return `${holder.name.getText(sourceFile)}: ${holder.type.getText(sourceFile).replace(/\s+/g, ' ')}`;
  }
  const start = node.getStart(sourceFile);
  const bodyStart = 'body' in node && node.body ? node.body.getStart(sourceFile) : node.end;
  return sourceFile.text
    .slice(start, bodyStart)
    .replace(/\s+/g, ' ')
    .replace(/\s*(=>)?\s*;?\s*$/, (_match, arrow: string | undefined) => (arrow ? ' =>' : ''))
    .trim();
}

export function asyncSignatureText(node: FunctionLike, sourceFile: ts.SourceFile): string {
  let text = signatureText(node, sourceFile);
  const holder = node.parent;
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && (ts.isPropertyDeclaration(holder) || ts.isVariableDeclaration(holder)) && holder.type) {
    const type = holder.type;
    if (!ts.isFunctionTypeNode(type)) return text;
    const result = type.type.getText(sourceFile);
    return /^Promise</.test(result) ? text : `${text.slice(0, text.length - result.length)}Promise<${result}>`;
  }
  const returnType = node.type ? node.type.getText(sourceFile) : undefined;
  if (node.type && returnType && !/^Promise</.test(returnType)) {
    const wrapped = asyncResultTypeText(node.type, sourceFile);
    const at = text.lastIndexOf(returnType);
    if (at >= 0) text = text.slice(0, at) + wrapped + text.slice(at + returnType.length);
  }
  if (ts.isMethodSignature(node) || isAbstract(node)) return text;
  if (ts.isFunctionDeclaration(node)) return text.replace(/(^|\s)function\b/, '$1async function');
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return `async ${text}`;
  // Methods: after the modifiers.
  return text.replace(/^((?:(?:public|private|protected|static|override|readonly)\s+)*)/, '$1async ');
}

export function syncOnlyReason(node: FunctionLike, name: string): FunctionNode['syncOnly'] {
  const owner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : 'the class';
  if (ts.isConstructorDeclaration(node)) {
    return {
      kind: 'constructor',
      reason: `${name} cannot be async: a constructor returns the instance, not a promise`,
      suggestion: `Move the async work out of the constructor: add \`static async create(...)\` that constructs ${owner} and awaits the work, or a lazy \`private async ensureInitialized()\` awaited at the start of each method that needs it.`,
    };
  }
  if (ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const accessor = ts.isGetAccessorDeclaration(node) ? 'getter' : 'setter';
    const property = name.split('.').pop() ?? name;
    const method = `${accessor === 'getter' ? 'get' : 'set'}${property.charAt(0).toUpperCase()}${property.slice(1)}`;
    return {
      kind: accessor,
      reason: `${name} is a ${accessor}; ${accessor}s cannot be async`,
      suggestion: `Replace the ${accessor} with an async method \`${method}()\` and await it where ${property} is ${accessor === 'getter' ? 'read' : 'assigned'}.`,
    };
  }
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.asteriskToken) {
    return {
      kind: 'generator',
      reason: `${name} is a generator; turning it async changes it into an async generator that callers iterate with for await`,
      suggestion: `Turn ${name} into an \`async function*\` by hand and iterate it with \`for await … of\`.`,
    };
  }
  return undefined;
}

/**
 * The function returns a child process (node's `ChildProcess`, execa's child, which is also a
 * promise of its result): turning it async changes what callers get, beyond `Promise<…>` around it.
 * A thenable child is adopted by the async function, so callers get what it resolves to and lose the
 * child itself (`.pid`, `.kill()`, its streams). `before`/`after` are the result types.
 */
export function childProcessResult(checker: ts.TypeChecker, node: FunctionLike): { before: string; after: string } | undefined {
  const signature = checker.getSignatureFromDeclaration(node);
  if (!signature) return undefined;
  const result = checker.getReturnTypeOfSignature(signature);
  const parts = result.isUnion() ? result.types : [result];
  const isChild = parts.some((part) => ['kill', 'pid', 'stdout'].every((name) => part.getProperty(name) !== undefined));
  if (!isChild) return undefined;
  const before = checker.typeToString(result);
  const awaited = checker.getAwaitedType(result);
  return { before, after: `Promise<${awaited ? checker.typeToString(awaited) : before}>` };
}
