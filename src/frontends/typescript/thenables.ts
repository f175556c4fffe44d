// What counts as a promise, a thenable, an awaitable: the type questions of floating-promise and
// await-non-thenable, answered the way typescript-eslint answers them (no-floating-promises,
// await-thenable, and ts-api-utils' isThenableType), so that `check` agrees with the peers.
import { ts } from 'ts-morph';

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
