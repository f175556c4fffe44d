// Async siblings under the dual strategy: `load` gains `loadAsync` (`fooSync` gains `fooAsync`), unless
// the code already declares one beside it.
import { ts } from '@ts-morph/common';
import type { FunctionLike } from './analyze.js';

/** `fooSync` -> `fooAsync`, `foo` -> `fooAsync`. */
export function asyncSiblingName(name: string): string {
  return name.endsWith('Sync') ? `${name.slice(0, -4)}Async` : `${name}Async`;
}

export function declarationNameNode(node: FunctionLike): ts.Identifier | undefined {
  if (node.name && ts.isIdentifier(node.name)) return node.name;
  const parent = node.parent;
  if (
    (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) &&
    ts.isIdentifier(parent.name)
  ) {
    return parent.name;
  }
  return undefined;
}

/**
 * What a sibling copies: the whole `const f = …` statement, class field or object literal property
 * (`capture: (args) => …`) for a held arrow, else the declaration.
 */
export function siblingContainer(node: FunctionLike): ts.Node {
  if (ts.isVariableDeclaration(node.parent)) return node.parent.parent.parent;
  if (ts.isPropertyDeclaration(node.parent) || ts.isPropertyAssignment(node.parent)) return node.parent;
  return node;
}

/** A member of an object literal (`{ capture: (…) => …, run() {} }`): its sibling is another property, after a comma. */
export function isObjectLiteralMember(container: ts.Node): boolean {
  return ts.isObjectLiteralExpression(container.parent);
}

/** The declaration of the function's async sibling in the same container (class, interface, object, file), if one exists. */
export function existingSibling(node: FunctionLike): ts.Node | undefined {
  const name = declarationNameNode(node);
  if (!name) return undefined;
  const sibling = asyncSiblingName(name.text);
  const parent = ts.isPropertyDeclaration(node.parent) || ts.isPropertyAssignment(node.parent) ? node.parent.parent : node.parent;
  if (ts.isClassLike(parent) || ts.isInterfaceDeclaration(parent) || ts.isObjectLiteralExpression(parent)) {
    const members: readonly ts.Node[] = ts.isObjectLiteralExpression(parent) ? parent.properties : parent.members;
    return members.find((member) => {
      const memberName = (member as ts.NamedDeclaration).name;
      return memberName !== undefined && ts.isIdentifier(memberName) && memberName.text === sibling;
    });
  }
  for (const statement of node.getSourceFile().statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === sibling) return statement;
    if (ts.isVariableStatement(statement)) {
      const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === sibling);
      if (declaration) return declaration.initializer ?? declaration;
    }
  }
  return undefined;
}

/** The existing sibling is one callers can await: declared `async`, or declared to return a promise. */
export function isAwaitableSibling(node: ts.Node): boolean {
  if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword)) return true;
  const type = (node as ts.SignatureDeclarationBase).type;
  return type !== undefined && /^(Promise|PromiseLike)\s*</.test(type.getText());
}
