// How a stored promise is used: as a promise (awaited, `.then`-ed, passed where a promise fits), or
// as the value it resolves to (`prev.length`, `prev + 1`, `for (… of prev)`, a `string` parameter).
// The second is the mark of a half-migrated tree: the callee turned async, this caller did not.
import { ts } from '@ts-morph/common';
import { isBuiltinPromise } from './thenables.js';

/** `resolved`: needs the value the promise resolves to. `promise`: fits a promise, or cannot be told apart. */
export type UseKind = 'resolved' | 'promise';

export interface PromiseUse {
  kind: UseKind;
  /** The reference as written (`prev`), for positions. */
  node: ts.Expression;
  /** Why it counts as it does, for the message: `.length`, `+`, `for … of`, `parameter of type string`. */
  what: string;
}

/**
 * How the expression (a promise) is used where it stands. Anything not known to need the resolved
 * value counts as a promise use: the rule edits only what every use proves.
 */
export function classifyUse(checker: ts.TypeChecker, program: ts.Program, expression: ts.Expression, promiseType: ts.Type): PromiseUse {
  const node = outermost(expression);
  const parent = node.parent;
  const use = (kind: UseKind, what: string): PromiseUse => ({ kind, node: expression, what });

  const positional = positionalPromiseUse(expression);
  if (positional) return use('promise', positional);
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === node) {
    const name = ts.isPropertyAccessExpression(parent)
      ? parent.name.text
      : ts.isStringLiteralLike(parent.argumentExpression) || ts.isNumericLiteral(parent.argumentExpression)
        ? parent.argumentExpression.text
        : undefined;
    // A member the promise has (`then`, `catch`, `finally`) is a promise use; any other one reads the value.
    if (name === undefined) return use('resolved', 'an index');
    return checker.getPropertyOfType(promiseType, name) ? use('promise', `\`.${name}\``) : use('resolved', `\`.${name}\``);
  }
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === node) return use('resolved', 'a call of it');
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(node)) return parameterUse(checker, node, promiseType, use);
  if (ts.isBinaryExpression(parent)) return binaryUse(checker, program, parent, node, use);
  if (ts.isPrefixUnaryExpression(parent)) {
    const operator = parent.operator;
    if (operator === ts.SyntaxKind.PlusPlusToken || operator === ts.SyntaxKind.MinusMinusToken) return use('promise', 'an update');
    return use('resolved', `\`${ts.tokenToString(operator) ?? ''}\``);
  }
  if (ts.isPostfixUnaryExpression(parent)) return use('promise', 'an update');
  // A tagged template hands its values to the tag, as arguments: not known to read them.
  if (ts.isTemplateSpan(parent) && parent.expression === node && !ts.isTaggedTemplateExpression(parent.parent.parent)) return use('resolved', 'a template literal');
  if (ts.isForOfStatement(parent) && parent.expression === node) return use('resolved', '`for … of`');
  if (ts.isForInStatement(parent) && parent.expression === node) return use('resolved', '`for … in`');
  if (ts.isSpreadElement(parent) || ts.isSpreadAssignment(parent)) return use('resolved', 'a spread');
  // A condition on a promise is always true (TS2801): the code meant the value.
  if ((ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) && parent.expression === node) return use('resolved', 'a condition');
  if (ts.isConditionalExpression(parent) && parent.condition === node) return use('resolved', 'a condition');
  if (ts.isVariableDeclaration(parent) && parent.initializer === node) {
    if (ts.isObjectBindingPattern(parent.name) || ts.isArrayBindingPattern(parent.name)) return use('resolved', 'destructuring');
    if (parent.type) return assignableUse(checker, promiseType, checker.getTypeFromTypeNode(parent.type), 'a variable of type', use);
    return use('promise', 'another variable');
  }
  if (isReturned(node)) return returnUse(checker, program, node, promiseType, use);
  return use('promise', 'a value passed on');
}

/** The expression with the parentheses and non-null assertions around it. */
function outermost(expression: ts.Expression): ts.Expression {
  let node = expression;
  while (ts.isParenthesizedExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
  return node;
}

function isReturned(node: ts.Expression): boolean {
  const parent = node.parent;
  return ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === node);
}

/**
 * The promise use (its description) where the position alone decides, whatever the promise's type:
 * awaited, dropped (`f();`, `void f()`), an array element, returned from an async function or one
 * with no declared return type. Undefined where the checker must be asked. classifyUse starts here,
 * and a caller can skip asking for the expression's type where this answers.
 */
export function positionalPromiseUse(expression: ts.Expression): string | undefined {
  const node = outermost(expression);
  const parent = node.parent;
  if (ts.isAwaitExpression(parent)) return '`await`';
  // None of classifyUse's other cases holds these: they end in its last line.
  if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent) || ts.isArrayLiteralExpression(parent)) return 'a value passed on';
  if (isReturned(node)) {
    const fn = ts.findAncestor(node, ts.isFunctionLike);
    if (!fn || !('body' in fn)) return 'a return';
    if (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) return 'a return from an async function';
    if (!fn.type) return 'a return';
  }
  return undefined;
}

type MakeUse = (kind: UseKind, what: string) => PromiseUse;

/** An argument: a promise use when a promise is assignable to the parameter (`Promise<T>`, `unknown`, `any`). */
function parameterUse(checker: ts.TypeChecker, node: ts.Expression, promiseType: ts.Type, use: MakeUse): PromiseUse {
  const parameterType = checker.getContextualType(node);
  if (!parameterType) return use('promise', 'an argument');
  return assignableUse(checker, promiseType, parameterType, 'a parameter of type', use);
}

function assignableUse(checker: ts.TypeChecker, promiseType: ts.Type, target: ts.Type, where: string, use: MakeUse): PromiseUse {
  if (target.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return use('promise', `${where} \`${checker.typeToString(target)}\``);
  // A generic parameter (`<T>(x: T)`) takes the promise as it is.
  if (target.flags & ts.TypeFlags.TypeParameter) return use('promise', `${where} \`${checker.typeToString(target)}\``);
  const kind = checker.isTypeAssignableTo(promiseType, target) ? 'promise' : 'resolved';
  return use(kind, `${where} \`${checker.typeToString(target)}\``);
}

const ARITHMETIC = new Set([
  ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.AsteriskAsteriskToken, ts.SyntaxKind.AmpersandToken, ts.SyntaxKind.BarToken, ts.SyntaxKind.CaretToken,
  ts.SyntaxKind.LessThanLessThanToken, ts.SyntaxKind.GreaterThanGreaterThanToken, ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
  ts.SyntaxKind.LessThanToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanEqualsToken,
]);
const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
]);

/**
 * Arithmetic and ordering read the value; so does equality with something that is not itself a
 * promise (`prev === 0`; `prev === other` compares promises), and a destructuring assignment.
 * Logical operators, `in`, `instanceof` and other assignments pass the promise on or write the
 * variable: not known to read the value.
 */
function binaryUse(checker: ts.TypeChecker, program: ts.Program, parent: ts.BinaryExpression, node: ts.Expression, use: MakeUse): PromiseUse {
  const operator = parent.operatorToken.kind;
  const text = `\`${ts.tokenToString(operator) ?? ''}\``;
  if (ARITHMETIC.has(operator)) return use('resolved', text);
  const destructures = ts.isObjectLiteralExpression(parent.left) || ts.isArrayLiteralExpression(parent.left);
  if (operator === ts.SyntaxKind.EqualsToken && parent.right === node && destructures) return use('resolved', 'destructuring');
  if (operator >= ts.SyntaxKind.FirstAssignment && operator <= ts.SyntaxKind.LastAssignment && parent.left === node) return use('promise', 'a reassignment');
  if (EQUALITY.has(operator)) {
    const other = parent.left === node ? parent.right : parent.left;
    return isBuiltinPromise(program, checker.getTypeAtLocation(other)) ? use('promise', text) : use('resolved', text);
  }
  return use('promise', text);
}

/**
 * A return from a sync function with a declared return type (positionalPromiseUse answers the
 * others): one declared to return a promise hands it on; a declared return type a promise is not
 * assignable to wanted the value.
 */
function returnUse(checker: ts.TypeChecker, program: ts.Program, node: ts.Expression, promiseType: ts.Type, use: MakeUse): PromiseUse {
  // positionalPromiseUse answered for a return without a declared type and from an async function.
  const fn = ts.findAncestor(node, ts.isFunctionLike) as ts.SignatureDeclaration & { type: ts.TypeNode };
  const declared = checker.getTypeFromTypeNode(fn.type);
  if (isBuiltinPromise(program, declared)) return use('promise', 'a return');
  return assignableUse(checker, promiseType, declared, 'a return of type', use);
}

/**
 * Every reference to the variable a declaration binds, in the function (or file) that declares it;
 * none when the variable escapes what can be seen (exported).
 */
export function referencesOf(checker: ts.TypeChecker, declaration: ts.VariableDeclaration & { name: ts.Identifier }): ts.Identifier[] | undefined {
  const statement = declaration.parent.parent;
  if (ts.isVariableStatement(statement) && statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  const symbol = checker.getSymbolAtLocation(declaration.name);
  if (!symbol) return undefined;
  const scope = ts.findAncestor(declaration.parent, (node) => ts.isFunctionLike(node) || ts.isSourceFile(node)) ?? declaration.getSourceFile();
  const references: ts.Identifier[] = [];
  const name = declaration.name.text;
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node !== declaration.name && node.text === name) {
      if (ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node) {
        if (checker.getShorthandAssignmentValueSymbol(node.parent) === symbol) references.push(node);
      } else if (isExpressionPosition(node) && checker.getSymbolAtLocation(node) === symbol) {
        references.push(node);
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return references;
}

/** Not a property name (`x.prev`, `{ prev: 1 }`): a name that reads or writes a variable. */
function isExpressionPosition(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) return false;
  return true;
}
