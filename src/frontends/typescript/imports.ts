// Which module and export a local name stands for, read from the syntax alone (imports and
// `require`), so that a blocking API is recognised in JavaScript without types too.
import { ts } from '@ts-morph/common';

export interface ImportedName {
  module: string;
  /** The export name; `*` for a namespace (or a whole `require`), `default` for a default import. */
  name: string;
  /** The declaration that binds it, for removing an import nobody uses any more. */
  declaration: ts.Node;
  /** The binding node (import specifier, namespace import, binding element), for removal. */
  binding: ts.Node;
}

export type ImportIndex = Map<string, ImportedName>;

/** The module of `require('…')` (a string literal argument). */
export function requiredModule(expression: ts.Expression | undefined): string | undefined {
  if (
    expression &&
    ts.isCallExpression(expression) &&
    ts.isIdentifier(expression.expression) &&
    expression.expression.text === 'require' &&
    expression.arguments.length === 1 &&
    ts.isStringLiteralLike(expression.arguments[0]!)
  ) {
    return expression.arguments[0].text;
  }
  return undefined;
}

export function indexImports(sourceFile: ts.SourceFile): ImportIndex {
  const index: ImportIndex = new Map();
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const module = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      if (!clause || clause.isTypeOnly) continue;
      if (clause.name) index.set(clause.name.text, { module, name: 'default', declaration: statement, binding: clause.name });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        index.set(bindings.name.text, { module, name: '*', declaration: statement, binding: bindings });
      } else if (bindings) {
        for (const element of bindings.elements) {
          if (element.isTypeOnly) continue;
          const name = (element.propertyName ?? element.name).text;
          index.set(element.name.text, { module, name, declaration: statement, binding: element });
        }
      }
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
      const expression = statement.moduleReference.expression;
      if (ts.isStringLiteral(expression)) {
        index.set(statement.name.text, { module: expression.text, name: '*', declaration: statement, binding: statement.name });
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const module = requiredModule(declaration.initializer);
        if (!module) continue;
        if (ts.isIdentifier(declaration.name)) {
          index.set(declaration.name.text, { module, name: '*', declaration: statement, binding: declaration });
        } else if (ts.isObjectBindingPattern(declaration.name)) {
          for (const element of declaration.name.elements) {
            if (!ts.isIdentifier(element.name)) continue;
            const property = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
            index.set(element.name.text, { module, name: property, declaration: statement, binding: element });
          }
        }
      }
    }
  }
  return index;
}

/** The bare module name: `node:fs` and `fs` are the same module. */
export function normalizeModule(module: string): string {
  return module.startsWith('node:') ? module.slice(5) : module;
}

/**
 * What a callee expression names, syntactically: `fs.readFileSync` -> fs/readFileSync,
 * `readFileSync` (imported) -> fs/readFileSync, `require('fs').readFileSync` -> fs/readFileSync.
 */
export function resolveImportedCallee(
  callee: ts.Expression,
  imports: ImportIndex,
): { module: string; name: string; local?: ImportedName } | undefined {
  if (ts.isIdentifier(callee)) {
    const imported = imports.get(callee.text);
    if (!imported) return undefined;
    return { module: normalizeModule(imported.module), name: imported.name === '*' ? 'default' : imported.name, local: imported };
  }
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) {
    const target = callee.expression;
    if (ts.isIdentifier(target)) {
      const imported = imports.get(target.text);
      if (imported && (imported.name === '*' || imported.name === 'default')) {
        return { module: normalizeModule(imported.module), name: callee.name.text, local: imported };
      }
      return undefined;
    }
    const required = requiredModule(target);
    if (required) return { module: normalizeModule(required), name: callee.name.text };
  }
  return undefined;
}
