// What a module exports: ES export lists, CommonJS `module.exports` / `exports.x` assignments, and
// whether a class, interface or variable is part of the public surface.
import { ts } from '@ts-morph/common';
import type { TsFileInfo } from './core.js';
import { hasExportModifier, skipParentheses } from './syntax.js';

/** Where a CommonJS module exports a local function: a property of `module.exports = {…}`, an `exports.x = x` statement, or the whole `module.exports`. */
export type CommonJsExport =
  | { kind: 'property'; exportedAs: string; node: ts.ObjectLiteralElementLike }
  | { kind: 'assignment'; exportedAs: string; node: ts.ExpressionStatement; target: string }
  | { kind: 'module' };

/** `save` in `exports.save = save` or `module.exports = { write: save }`: exporting it, not using it as a value. */
export function isCommonJsExportValue(node: ts.Node): boolean {
  const parent = node.parent;
  const isExportsTarget = (left: ts.Expression): boolean => /^(module\.exports|(module\.)?exports\.[\w$]+)$/.test(left.getText());
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    if (parent.right === node) return isExportsTarget(parent.left);
    if (parent.left === node) return ts.isPropertyAccessExpression(node) && isExportsTarget(node); // the `exports.save` being assigned
  }
  if (ts.isPropertyAssignment(parent) && parent.initializer === node && ts.isObjectLiteralExpression(parent.parent)) return isModuleExportsObject(parent.parent);
  return false;
}

/** `export { load, save as store }` (without `from`): the local names exported, not type-only ones. */
export function exportListNames(sourceFile: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of sourceFile.statements) {
    if (!ts.isExportDeclaration(statement) || statement.moduleSpecifier || statement.isTypeOnly) continue;
    if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) {
      const local = element.propertyName ?? element.name;
      if (!element.isTypeOnly && ts.isIdentifier(local)) names.add(local.text);
    }
  }
  return names;
}

/** `module.exports = { load, save: store }`, `module.exports = load`, `exports.load = load`: the local names exported. */
export function commonJsExportedNames(sourceFile: ts.SourceFile): Map<string, CommonJsExport> {
  const names = new Map<string, CommonJsExport>();
  for (const { statement, left, target, value } of commonJsExportAssignments(sourceFile)) {
    const isModuleExports = target === 'module.exports';
    if (ts.isIdentifier(value)) names.set(value.text, isModuleExports ? { kind: 'module' } : { kind: 'assignment', exportedAs: left.name.text, node: statement, target });
    else if (isModuleExports && ts.isObjectLiteralExpression(value)) {
      for (const property of value.properties) {
        if (ts.isShorthandPropertyAssignment(property)) names.set(property.name.text, { kind: 'property', exportedAs: property.name.text, node: property });
        else if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.initializer) && ts.isIdentifier(property.name)) {
          names.set(property.initializer.text, { kind: 'property', exportedAs: property.name.text, node: property });
        }
      }
    }
  }
  return names;
}

/** Top-level `module.exports = …`, `module.exports.x = …` and `exports.x = …` statements. */
function* commonJsExportAssignments(sourceFile: ts.SourceFile): Generator<{ statement: ts.ExpressionStatement; left: ts.PropertyAccessExpression; target: string; value: ts.Expression }> {
  for (const statement of sourceFile.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
    const { left, operatorToken, right } = statement.expression;
    if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(left)) continue;
    const target = left.getText(sourceFile);
    if (target === 'module.exports' || /^(module\.)?exports\.[\w$]+$/.test(target)) yield { statement, left, target, value: skipParentheses(right) };
  }
}

/** The property names a CommonJS module exports whatever their values (`exports.read = other.read`, `module.exports = { write: save }`). */
export function commonJsExportedProperties(sourceFile: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const { left, target, value } of commonJsExportAssignments(sourceFile)) {
    if (target !== 'module.exports') names.push(left.name.text);
    else if (ts.isObjectLiteralExpression(value)) {
      for (const property of value.properties) if (property.name && ts.isIdentifier(property.name)) names.push(property.name.text);
    }
  }
  return names;
}

/**
 * A class or interface its module exports: `export class Store`, or by name elsewhere in the file
 * (`export { Store }`, `export default Store;`, `export = Store`, `module.exports = Store`,
 * `module.exports = { Store }`): its public members are public either way.
 */
export function isExportedDeclaration(node: ts.ClassDeclaration | ts.InterfaceDeclaration, info: TsFileInfo): boolean {
  if (hasExportModifier(node)) return true;
  const name = node.name?.text;
  if (name === undefined) return false;
  if (info.exportListNames.has(name) || info.commonJsExports.has(name)) return true;
  return info.sourceFile.statements.some((statement) => ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression) && statement.expression.text === name);
}

export function isExportedVariable(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement) && hasExportModifier(statement);
}

export function isModuleExportsObject(node: ts.ObjectLiteralExpression): boolean {
  const parent = node.parent;
  return ts.isBinaryExpression(parent) && ts.isPropertyAccessExpression(parent.left) && parent.left.getText() === 'module.exports';
}

/**
 * The call is the value of a holder whose calls the analysis follows (through parentheses): a
 * variable (`const load = traced(f)`), a class field, or in JavaScript a CommonJS export
 * (`module.exports = wrap(f)`, `exports.load = wrap(f)`, a property of `module.exports = {…}`). A
 * wrapper's result kept anywhere else (`this.cb = wrap(f)` in TypeScript, `{ cb: wrap(f) }`) is not
 * followed, so the function it wraps is not treated as wrapped there either.
 */
export function isFollowedHolder(call: ts.CallExpression): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent)) return parent.initializer === node && ts.isIdentifier(parent.name);
  if (!(call.flags & ts.NodeFlags.JavaScriptFile)) return false;
  const exportStatement = ts.isPropertyAssignment(parent) && parent.initializer === node && ts.isObjectLiteralExpression(parent.parent) ? parent.parent.parent.parent : parent.parent;
  if (!exportStatement || !ts.isExpressionStatement(exportStatement) || !ts.isSourceFile(exportStatement.parent)) return false;
  for (const { statement, value } of commonJsExportAssignments(exportStatement.parent)) {
    if (statement === exportStatement) return value === node || (ts.isObjectLiteralExpression(value) && ts.isPropertyAssignment(parent) && parent.parent === value);
  }
  return false;
}

/**
 * `exports.load = function (…) {…}`, `module.exports.load = (…) => …`, `module.exports = function …`
 * at a module's top level: the export the function is assigned to, as written (`exports.load`).
 * Only in JavaScript, where such assignments are how CommonJS exports.
 */
export function commonJsExportTarget(node: ts.Node): string | undefined {
  if (!(node.flags & ts.NodeFlags.JavaScriptFile) || !(ts.isArrowFunction(node) || ts.isFunctionExpression(node))) return undefined;
  let value: ts.Node = node;
  while (ts.isParenthesizedExpression(value.parent)) value = value.parent;
  const assignment = value.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.right !== value || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const statement = assignment.parent;
  if (!ts.isExpressionStatement(statement) || !ts.isSourceFile(statement.parent) || !ts.isPropertyAccessExpression(assignment.left)) return undefined;
  const target = assignment.left.getText();
  return target === 'module.exports' || /^(module\.)?exports\.[\w$]+$/.test(target) ? target : undefined;
}
