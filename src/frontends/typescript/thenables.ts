// What counts as a promise, a thenable, an awaitable: the type questions of floating-promise and
// await-non-thenable, answered the way typescript-eslint answers them (no-floating-promises,
// await-thenable, and ts-api-utils' isThenableType), so that `check` agrees with the peers.
import { ts } from '@ts-morph/common';

export function unionConstituents(type: ts.Type): readonly ts.Type[] {
  return type.isUnion() ? type.types : [type];
}

/**
 * A thenable: some constituent of the apparent type has a `then` method whose first parameter takes
 * a callback. `then()` without a callback parameter (a query builder's `then` flag, a getter) is
 * not one: `await` does not wait for it.
 */
export function isThenableType(checker: ts.TypeChecker, type: ts.Type, node?: ts.Node): boolean {
  for (const constituent of unionConstituents(checker.getApparentType(type))) {
    const then = constituent.getProperty('then');
    if (!then) continue;
    const thenType = node ? checker.getTypeOfSymbolAtLocation(then, node) : checker.getTypeOfSymbol(then);
    for (const part of unionConstituents(thenType)) {
      for (const signature of part.getCallSignatures()) {
        const first = signature.getParameters()[0];
        if (first && takesCallback(checker, first, node)) return true;
      }
    }
  }
  return false;
}

function takesCallback(checker: ts.TypeChecker, parameter: ts.Symbol, node: ts.Node | undefined): boolean {
  let type: ts.Type | undefined = checker.getApparentType(node ? checker.getTypeOfSymbolAtLocation(parameter, node) : checker.getTypeOfSymbol(parameter));
  const declaration = parameter.valueDeclaration;
  // `then(...callbacks)`: the element type of the rest parameter.
  if (declaration && ts.isParameter(declaration) && declaration.dotDotDotToken) type = type.getNumberIndexType();
  return type !== undefined && unionConstituents(type).some((part) => part.getCallSignatures().length > 0);
}

/**
 * The built-in Promise (declared in the default lib), a class or interface deriving from it, an
 * intersection with it, a union of such, or a type parameter constrained to one
 * (typescript-eslint's isBuiltinSymbolLike).
 */
export function isBuiltinPromise(program: ts.Program, type: ts.Type, seen: Set<ts.Type> = new Set()): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  if (type.isIntersection()) return type.types.some((part) => isBuiltinPromise(program, part, seen));
  if (type.isUnion()) return type.types.every((part) => isBuiltinPromise(program, part, seen));
  if (type.flags & ts.TypeFlags.TypeParameter) {
    const constraint = type.getConstraint();
    return constraint !== undefined && isBuiltinPromise(program, constraint, seen);
  }
  const symbol = type.getSymbol();
  if (!symbol) return false;
  if (symbol.getName() === 'Promise' && isFromDefaultLibrary(program, symbol)) return true;
  if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) return false;
  const checker = program.getTypeChecker();
  const declared = checker.getDeclaredTypeOfSymbol(symbol);
  if (!(declared.flags & ts.TypeFlags.Object) || !((declared as ts.ObjectType).objectFlags & ts.ObjectFlags.ClassOrInterface)) return false;
  return checker.getBaseTypes(declared as ts.InterfaceType).some((base) => isBuiltinPromise(program, base, seen));
}

function isFromDefaultLibrary(program: ts.Program, symbol: ts.Symbol): boolean {
  return (symbol.getDeclarations() ?? []).some((declaration) => program.isSourceFileDefaultLibrary(declaration.getSourceFile()));
}

/**
 * The promises no-floating-promises looks for by default (`checkThenables: false`): a constituent
 * of the apparent type is a built-in Promise. A `PromiseLike` or a hand-written thenable is not one.
 */
export function isFloatingPromiseType(program: ts.Program, type: ts.Type): boolean {
  const checker = program.getTypeChecker();
  return unionConstituents(checker.getApparentType(type)).some((part) => isBuiltinPromise(program, part));
}

/**
 * Arrays and tuples (through unions, `| undefined` and type parameter constraints) with an element
 * that is a floating-promise type: "an array of promises" in no-floating-promises.
 */
export function isPromiseArrayType(program: ts.Program, type: ts.Type): boolean {
  const checker = program.getTypeChecker();
  return unionConstituents(type).some((constituent) => {
    const part = checker.getApparentType(constituent);
    if (checker.isTupleType(part)) return checker.getTypeArguments(part as ts.TypeReference).some((element) => isFloatingPromiseType(program, element));
    if (!checker.isArrayType(part)) return false;
    const element = checker.getTypeArguments(part as ts.TypeReference)[0];
    return element !== undefined && isFloatingPromiseType(program, element);
  });
}

/** Every constituent is an array or tuple, so `Promise.all(…)` takes the value as it is. */
export function isArrayLikeOnly(checker: ts.TypeChecker, type: ts.Type): boolean {
  return unionConstituents(type).every((constituent) => {
    const part = checker.getApparentType(constituent);
    return checker.isArrayType(part) || checker.isTupleType(part);
  });
}

/**
 * Whether a value of this type is to be awaited (typescript-eslint's needsToBeAwaited): `may` for
 * any, unknown and unconstrained type parameters, `always` for thenables (of the constraint, for
 * a constrained type parameter), `never` otherwise.
 */
export type Awaitability = 'always' | 'never' | 'may';

export function awaitability(checker: ts.TypeChecker, type: ts.Type, node?: ts.Node): Awaitability {
  let constraint: ts.Type | undefined = type;
  // Type parameters (and `T[K]`, conditional types) are judged by their constraint.
  if (type.flags & ts.TypeFlags.InstantiableNonPrimitive) constraint = checker.getBaseConstraintOfType(type);
  if (!constraint || constraint.flags & ts.TypeFlags.InstantiableNonPrimitive) return 'may';
  if (constraint.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'may';
  return isThenableType(checker, constraint, node) ? 'always' : 'never';
}

/** Per constituent: one thenable makes the value awaitable, one `may` makes it uncertain. */
export function awaitabilityOfUnion(checker: ts.TypeChecker, type: ts.Type, node?: ts.Node): Awaitability {
  const parts = unionConstituents(type).map((part) => awaitability(checker, part, node));
  return parts.includes('always') ? 'always' : parts.includes('may') ? 'may' : 'never';
}

/**
 * The value is provably no thenable at run time, not only by its declared type. A type is trusted
 * where the project or the default lib states it; a package's declarations (or a project `.d.ts`
 * describing code elsewhere) can be stale: `await ya.argv` was right for yargs whose old @types said
 * `argv` was an object. A call of a project function is judged by what its body returns. A name given
 * more than one value (`reboundValues`) is judged by all of them, not by the type of its first.
 */
export function isProvablyNonThenable(program: ts.Program, expression: ts.Expression, reboundValues: ReboundValues = () => undefined, seen: Set<ts.Node> = new Set()): boolean {
  const checker = program.getTypeChecker();
  const node = skipTransparent(expression);
  const type = checker.getTypeAtLocation(node);
  if (awaitabilityOfUnion(checker, type, node) !== 'never') return false;
  // A callable `then` that takes no callback is no thenable to the checker, but `await` still calls
  // it at run time (and waits, maybe forever): removing the await would change what runs.
  if (hasCallableThen(checker, type)) return false;
  switch (node.kind) {
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TemplateExpression:
    case ts.SyntaxKind.RegularExpressionLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.ThisKeyword:
    case ts.SyntaxKind.ArrayLiteralExpression:
    case ts.SyntaxKind.ObjectLiteralExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ClassExpression:
    case ts.SyntaxKind.PrefixUnaryExpression:
    case ts.SyntaxKind.PostfixUnaryExpression:
    case ts.SyntaxKind.TypeOfExpression:
    case ts.SyntaxKind.VoidExpression:
    case ts.SyntaxKind.DeleteExpression:
    case ts.SyntaxKind.AwaitExpression:
      // Built here (or already awaited): the value is what the checker says.
      return true;
  }
  if (ts.isConditionalExpression(node)) return isProvablyNonThenable(program, node.whenTrue, reboundValues, seen) && isProvablyNonThenable(program, node.whenFalse, reboundValues, seen);
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    if (operator === ts.SyntaxKind.CommaToken || (operator >= ts.SyntaxKind.FirstAssignment && operator <= ts.SyntaxKind.LastAssignment)) {
      return isProvablyNonThenable(program, node.right, reboundValues, seen);
    }
    if (operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
      return isProvablyNonThenable(program, node.left, reboundValues, seen) && isProvablyNonThenable(program, node.right, reboundValues, seen);
    }
    return true; // arithmetic, comparison, `in`, `instanceof`
  }
  if (ts.isNewExpression(node)) {
    // The instance of a class the project (or the lib) declares: its type is the class's.
    const declarations = checker.getTypeAtLocation(node).getSymbol()?.getDeclarations() ?? [];
    return declarations.length > 0 && declarations.every((declaration) => isTrustedDeclaration(program, declaration));
  }
  if (ts.isCallExpression(node)) {
    // `let read = readLocal; … read = readRemote;`: the call runs whichever function the name holds
    // then, while the checker types the name by its first value.
    const callee = skipTransparent(node.expression);
    const values = ts.isIdentifier(callee) ? reboundValues(callee) : undefined;
    if (values) return values.every((value) => callsGiveNoThenable(program, value, reboundValues, seen));
    const declaration = checker.getResolvedSignature(node)?.getDeclaration();
    if (!declaration || !isTrustedDeclaration(program, declaration)) return false;
    if (program.isSourceFileDefaultLibrary(declaration.getSourceFile())) return true;
    const implementation = implementationOf(declaration, checker);
    // A contract without a body (an interface member, an abstract method, a function-typed
    // parameter): the project's own type, unless it returns `void`, which TypeScript lets any
    // function satisfy (an async callback passed as `(data) => void` returns a promise).
    if (!implementation) {
      const returnType = checker.getResolvedSignature(node)?.getReturnType();
      return returnType !== undefined && !unionConstituents(returnType).some((part) => (part.flags & ts.TypeFlags.Void) !== 0);
    }
    return returnsNoThenable(program, implementation, reboundValues, seen);
  }
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
    let symbol = checker.getSymbolAtLocation(ts.isElementAccessExpression(node) ? node.argumentExpression : node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declarations = symbol?.getDeclarations() ?? [];
    const values = ts.isIdentifier(node) ? reboundValues(node) : undefined;
    if (values) {
      // `let value = 'cached'; if (fresh) value = load();`: every value the name is given counts.
      // Keyed by the reference, not the declaration: returnsNoThenable keys the functions it judges.
      if (seen.has(node)) return true;
      seen.add(node);
      return values.every((value) => (ts.isFunctionDeclaration(value) ? true : ts.isExpression(value) && isProvablyNonThenable(program, value, reboundValues, seen)));
    }
    return (
      declarations.length > 0 &&
      declarations.every((declaration) => {
        if (!isTrustedDeclaration(program, declaration)) return false;
        // `const x = lib()`: the value is the initializer's, unless the project states its type.
        if (ts.isVariableDeclaration(declaration) && declaration.initializer && !declaration.type) {
          if (seen.has(declaration)) return true;
          seen.add(declaration);
          return isProvablyNonThenable(program, declaration.initializer, reboundValues, seen);
        }
        return !ts.isBindingElement(declaration);
      })
    );
  }
  return false;
}

/** Some constituent has a callable `then`, whatever its parameters. */
export function hasCallableThen(checker: ts.TypeChecker, type: ts.Type): boolean {
  return unionConstituents(checker.getApparentType(type)).some((part) => {
    const then = part.getProperty('then');
    return then !== undefined && unionConstituents(checker.getTypeOfSymbol(then)).some((t) => t.getCallSignatures().length > 0);
  });
}

function skipTransparent(expression: ts.Expression): ts.Expression {
  let node = expression;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
    node = node.expression;
  }
  return node;
}

/** Declared by the project (not in a `.d.ts`, not in a package) or by the default lib. */
function isTrustedDeclaration(program: ts.Program, declaration: ts.Node): boolean {
  const sourceFile = declaration.getSourceFile();
  if (program.isSourceFileDefaultLibrary(sourceFile)) return true;
  return !sourceFile.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sourceFile) && !sourceFile.fileName.includes('/node_modules/');
}

type FunctionWithBody = ts.FunctionLikeDeclaration & { body: ts.ConciseBody };

/**
 * Every value a name bound twice or re-assigned may hold (rebound-names.ts), or undefined when it is
 * bound once. A binding whose value is not written there (a parameter) is given as its declaration.
 */
export type ReboundValues = (name: ts.Identifier) => readonly ts.Node[] | undefined;

/**
 * A function value whose calls provably give no thenable: a project function written inline or
 * named, judged by its body. Anything else (a parameter, a call's result, a property) proves nothing.
 */
function callsGiveNoThenable(program: ts.Program, value: ts.Node, reboundValues: ReboundValues, seen: Set<ts.Node>): boolean {
  const node = ts.isExpression(value) ? skipTransparent(value) : value;
  if (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    return node.body !== undefined && isTrustedDeclaration(program, node) && returnsNoThenable(program, node as FunctionWithBody, reboundValues, seen);
  }
  if (!ts.isIdentifier(node)) return false;
  const checker = program.getTypeChecker();
  let symbol = checker.getSymbolAtLocation(node);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declarations = symbol?.getDeclarations() ?? [];
  if (declarations.length === 0) return false;
  // `let a = b; let b = a;` comes back to the same reference: that adds no value.
  if (seen.has(node)) return true;
  seen.add(node);
  const values = reboundValues(node);
  if (values) return values.every((inner) => callsGiveNoThenable(program, inner, reboundValues, seen));
  return declarations.every((declaration) => {
    if (ts.isFunctionDeclaration(declaration)) {
      const implementation = implementationOf(declaration, checker);
      return implementation !== undefined && callsGiveNoThenable(program, implementation, reboundValues, seen);
    }
    return ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined && callsGiveNoThenable(program, declaration.initializer, reboundValues, seen);
  });
}

/** The declaration with the body: itself, or the implementation behind an overload signature. */
function implementationOf(declaration: ts.Declaration, checker: ts.TypeChecker): FunctionWithBody | undefined {
  if (!ts.isFunctionLike(declaration)) return undefined;
  if ('body' in declaration && declaration.body) return declaration as FunctionWithBody;
  const symbol = declaration.name ? checker.getSymbolAtLocation(declaration.name) : undefined;
  const implementation = symbol?.getDeclarations()?.find((d): d is FunctionWithBody => ts.isFunctionLike(d) && 'body' in d && d.body !== undefined);
  return implementation;
}

/** A sync, non-generator body whose every returned value is provably no thenable. */
function returnsNoThenable(program: ts.Program, fn: FunctionWithBody, reboundValues: ReboundValues, seen: Set<ts.Node>): boolean {
  if (seen.has(fn)) return true; // recursion adds no new value
  seen.add(fn);
  if (fn.asteriskToken || ts.getModifiers(fn as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return false;
  if (!ts.isBlock(fn.body)) return isProvablyNonThenable(program, fn.body, reboundValues, seen);
  let provable = true;
  const visit = (node: ts.Node): void => {
    if (!provable || ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression && !isProvablyNonThenable(program, node.expression, reboundValues, seen)) provable = false;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  return provable;
}


/**
 * A call that is a promise by its callee's declared signatures: the callee is a function or method
 * (not a variable or property, whose type narrowing or a mapped type could change) and every call
 * signature of its type returns the built-in Promise (an `async` function's always does; an async
 * generator's, a JSDoc `@returns {number}`'s, a type parameter's do not). Whichever signature the call
 * resolves to, its result is a promise, so a caller that only needs to know that need not ask the
 * checker for the call's type, which checks the call and its arguments. The signatures' return types
 * are computed once per function. False means "ask the checker", never "not a promise".
 */
export function returnsPromiseByDeclaration(program: ts.Program, call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) return false;
  const checker = program.getTypeChecker();
  let symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  if (!symbol || !(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Method))) return false;
  if (symbol.flags & (ts.SymbolFlags.Variable | ts.SymbolFlags.Property | ts.SymbolFlags.Accessor)) return false;
  const signatures = checker.getTypeOfSymbol(symbol).getCallSignatures();
  return signatures.length > 0 && signatures.every((signature) => isBuiltinPromise(program, signature.getReturnType()));
}
