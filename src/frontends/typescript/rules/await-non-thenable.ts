// The TypeScript visitors of `await-non-thenable` (transforms/await-non-thenable.ts holds its docs, messages and Python visitors).
import { ts } from '@ts-morph/common';
import { formatMessage } from '../../../transform.js';
import { skipParentheses } from '../analyze.js';
import { shorten, textOf } from '../fix-helpers.js';
import { awaitability, awaitabilityOfUnion, hasCallableThen, isBuiltinPromise, isProvablyNonThenable, returnsPromiseByDeclaration, unionConstituents } from '../thenables.js';
import awaitNonThenable from '../../../../transforms/await-non-thenable.js';
import type { TsRuleContext, TsVisitors } from '../rule-context.js';

export const visitors: TsVisitors = {
  [ts.SyntaxKind.AwaitExpression]: (node, context) => detectAwait(node as ts.AwaitExpression, context),
  [ts.SyntaxKind.CallExpression]: (node, context) => detectAggregatorInput(node as ts.CallExpression, context),
  [ts.SyntaxKind.ForOfStatement]: (node, context) => detectForAwaitOfSync(node as ts.ForOfStatement, context),
  [ts.SyntaxKind.VariableDeclarationList]: (node, context) => detectAwaitUsingOfSync(node as ts.VariableDeclarationList, context),
};

/** The value is never awaitable: every constituent is `never` awaitable (any, unknown, type parameters may be). */
function isNeverAwaitable(type: ts.Type, context: TsRuleContext, node: ts.Node): boolean {
  // `never`: unreachable code, nothing to say.
  if (type.flags & ts.TypeFlags.Never) return false;
  return awaitabilityOfUnion(context.checker, type, node) === 'never';
}

function detectAwait(node: ts.AwaitExpression, context: TsRuleContext): void {
  const { checker, sourceFile, program } = context;
  const operand = skipParentheses(node.expression);
  // `await load()` of an async function: a promise by its declared signatures, so the checker is not
  // asked to check the call (and its arguments) only to say so.
  if (ts.isCallExpression(operand) && returnsPromiseByDeclaration(program, operand)) return;
  // any/unknown and unconstrained type parameters may be thenables; a constrained one is judged by its
  // constraint. The oracle answers this for every await; the rest only for the few reported.
  if (!context.oracle.isNeverAwaitable(operand)) return;
  const type = checker.getTypeAtLocation(operand);
  const callees = ts.isCallExpression(operand) ? context.resolveCallee(operand) : [];
  const expression = shorten(textOf(operand, sourceFile));
  const shownType = checker.typeToString(type);
  const canTurnAsync = callees.length > 0;
  // A method family whose members disagree (a sync base, an async override): which member runs is
  // decided at run time, so the await may be needed however the callee's own body looks.
  const disagreeing = awaitableDispatchMembers(callees, context);
  if (disagreeing) {
    context.report({
      rule: 'await-non-thenable',
      node,
      message: formatMessage(awaitNonThenable.messages.familyDisagrees!, { expression, type: shownType, ...disagreeing.words }),
      kind: 'await',
      needsAsync: false,
      awaitedCallee: callees[0],
      severityCap: 'info',
      fixable: canTurnAsync,
      suggestions: [disagreeing.suggestion],
    });
    return;
  }
  // Removing the await is offered only where the value provably is no thenable.
  const isRemovable = isProvablyNonThenable(program, operand, context.reboundValues);
  const isVoid = (type.flags & ts.TypeFlags.Void) !== 0;
  const rebound = isRemovable ? undefined : reboundName(operand, context);
  const messageId = isRemovable
    ? 'nonThenable'
    : rebound
      ? 'rebound'
      : hasCallableThen(checker, type)
        ? 'callableThen'
        : isVoid && ts.isCallExpression(operand)
          ? 'voidResult'
          : canTurnAsync
            ? 'unprovenCallee'
            : 'unproven';
  context.report({
    rule: 'await-non-thenable',
    node,
    message: formatMessage(awaitNonThenable.messages[messageId]!, { expression, type: shownType, name: rebound ?? '' }),
    kind: 'await',
    needsAsync: false,
    awaitedCallee: callees[0],
    // Not provably useless (the value may be a promise at run time): a warning at most, so a gate on
    // errors does not fail a correct program.
    ...(isRemovable ? {} : { severityCap: 'warning' as const }),
    fixable: isRemovable || canTurnAsync,
    fallbackFix: isRemovable
      ? (editor) => {
          // Drop `await ` and the whitespace after it; the operand's own parentheses stay.
          editor.replace(node.getStart(sourceFile), node.expression.getStart(sourceFile), '');
          return true;
        }
      : undefined,
    // Removing an `await` always drops a turn of the event loop: code that ran after other pending
    // callbacks now runs before them (typescript-eslint and TypeScript offer it as a suggestion too).
    ...(isRemovable ? { fallbackApplicability: 'unsafe' as const, suggestions: ['remove the `await`', 'keep it as a deliberate yield, written `await Promise.resolve()`'] } : {}),
  });
}

/** The name given more than one value that the operand reads or calls (`run` in `await run()`), if any. */
function reboundName(operand: ts.Expression, context: TsRuleContext): string | undefined {
  const read = skipParentheses(ts.isCallExpression(operand) ? skipParentheses(operand.expression) : operand);
  return ts.isIdentifier(read) && context.reboundValues(read) ? read.text : undefined;
}

/**
 * The members a call of these callees may run instead (overrides, implementations) or stands in for
 * (what they override) that return a promise, with the words for the message and the suggestion.
 */
function awaitableDispatchMembers(callees: readonly string[], context: TsRuleContext): { words: Record<string, string>; suggestion: string } | undefined {
  const callee = callees.length > 0 ? context.functionOf(callees[0]!) : undefined;
  if (!callee) return undefined;
  const awaitable = [...new Set(callees.flatMap((id) => context.dispatchLine(id)))].filter((fn) => fn.isAsync || fn.returnsPromise);
  if (awaitable.length === 0) return undefined;
  const names = [...new Set(awaitable.map((fn) => `\`${fn.name}\``))].sort();
  const members = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return {
    words: { callee: callee.name, members, verb: names.length === 1 ? 'returns' : 'return', pronoun: names.length === 1 ? 'it' : 'them' },
    suggestion: `Decide the family's contract: make \`${callee.name}\` and every member of its family async (--make-async ${callee.name}), or make ${members} sync and then remove the await.`,
  };
}

const PROMISE_AGGREGATORS = new Set(['all', 'allSettled', 'race', 'any']);

/**
 * `Promise.all([fetchA(), 5])`: an element that is never a thenable settles at once, usually a
 * missing call or a sync function mistaken for async (await-thenable's invalidPromiseAggregatorInput).
 */
function detectAggregatorInput(call: ts.CallExpression, context: TsRuleContext): void {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !PROMISE_AGGREGATORS.has(callee.name.text)) return;
  const argument = call.arguments[0];
  if (!argument || ts.isSpreadElement(argument)) return;
  const { checker, program } = context;
  if (!isPromiseConstructor(program, checker.getTypeAtLocation(callee.expression))) return;
  const method = callee.name.text;
  const literal = skipParentheses(argument);
  if (ts.isArrayLiteralExpression(literal)) {
    for (const element of literal.elements) {
      if (ts.isOmittedExpression(element)) continue;
      if (ts.isSpreadElement(element)) {
        // `...xs`: judged by what it spreads, so `[...promises]` is fine and `[...[1, 2]]` is not.
        const spread = checker.getTypeAtLocation(element.expression);
        const elementTypes = iterableElementTypes(spread, checker);
        if (elementTypes.length > 0 && elementTypes.every((type) => isNeverAwaitable(type, context, element))) {
          reportAggregator(element, spread, method, 'aggregatorIterable', context);
        }
        continue;
      }
      const type = checker.getTypeAtLocation(element);
      if (isNeverAwaitable(type, context, element)) reportAggregator(element, type, method, 'aggregatorInput', context);
    }
    return;
  }
  // Another iterable: one element type that is never a thenable is enough.
  const type = checker.getTypeAtLocation(argument);
  const nonThenable = iterableElementTypes(type, checker).some((element) =>
    unionConstituents(element).some((part) => !(part.flags & ts.TypeFlags.Never) && awaitability(checker, part, argument) === 'never'),
  );
  if (nonThenable) reportAggregator(argument, type, method, 'aggregatorIterable', context);
}

/**
 * Element types of an iterable: every constituent must have `[Symbol.iterator]` (anything else is
 * already a type error, as await-thenable says), else none.
 */
function iterableElementTypes(type: ts.Type, checker: ts.TypeChecker): readonly ts.Type[] {
  const parts = unionConstituents(type);
  if (!parts.every((part) => hasWellKnownSymbol(part, 'iterator', checker))) return [];
  return parts.flatMap((part) => elementTypesOf(checker.getApparentType(part), checker));
}

function reportAggregator(node: ts.Expression, type: ts.Type, method: string, messageId: 'aggregatorInput' | 'aggregatorIterable', context: TsRuleContext): void {
  context.report({
    rule: 'await-non-thenable',
    node,
    message: formatMessage(awaitNonThenable.messages[messageId]!, {
      expression: shorten(textOf(node, context.sourceFile)),
      type: context.checker.typeToString(type),
      method,
    }),
    kind: 'await',
    needsAsync: false,
    fixable: false,
  });
}

/** `Promise` itself (the built-in PromiseConstructor), or a subclass's constructor. */
function isPromiseConstructor(program: ts.Program, type: ts.Type): boolean {
  const symbol = type.getSymbol();
  if (symbol?.getName() === 'PromiseConstructor' && symbol.getDeclarations()?.some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()))) return true;
  // `class Task extends Promise<…>`: its static side constructs a built-in-like promise.
  return type.getConstructSignatures().some((signature) => isBuiltinPromise(program, signature.getReturnType()));
}

/** Element types of an array, tuple or other iterable type reference. */
function elementTypesOf(type: ts.Type, checker: ts.TypeChecker): readonly ts.Type[] {
  if (checker.isTupleType(type)) return checker.getTypeArguments(type as ts.TypeReference);
  if (checker.isArrayLikeType(type)) {
    const element = type.getNumberIndexType();
    return element ? [element] : [];
  }
  if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
    return checker.getTypeArguments(type as ts.TypeReference).slice(0, 1);
  }
  return [];
}

/**
 * The program's lib declares `Symbol.<name>`. Without it (no ESNext.Disposable lib, no @types/node)
 * every `[Symbol.asyncDispose]` member is an error type: the question has no answer.
 */
function libDeclaresSymbol(name: 'asyncIterator' | 'asyncDispose', checker: ts.TypeChecker): boolean {
  const symbolConstructor = checker.resolveName('Symbol', undefined, ts.SymbolFlags.Value, false);
  return symbolConstructor !== undefined && checker.getTypeOfSymbol(symbolConstructor).getProperty(name) !== undefined;
}

/** The type (any constituent) has the well-known symbol property, e.g. `[Symbol.asyncIterator]`. */
function hasWellKnownSymbol(type: ts.Type, name: 'iterator' | 'asyncIterator' | 'asyncDispose', checker: ts.TypeChecker): boolean {
  // The checker names such properties `__@asyncIterator@<id>`.
  const prefix = `__@${name}@`;
  return unionConstituents(type).some((part) => checker.getPropertiesOfType(checker.getApparentType(part)).some((property) => String(property.escapedName).startsWith(prefix)));
}

function detectForAwaitOfSync(loop: ts.ForOfStatement, context: TsRuleContext): void {
  if (!loop.awaitModifier) return;
  const { checker, sourceFile } = context;
  if (!libDeclaresSymbol('asyncIterator', checker)) return;
  const type = checker.getTypeAtLocation(loop.expression);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never) || hasWellKnownSymbol(type, 'asyncIterator', checker)) return;
  // Beyond await-thenable: `for await` over a sync iterable of promises awaits each one in turn, an
  // idiom; only a sync iterable of values that are never thenables is a mistake.
  const elements = unionConstituents(type).flatMap((part) => elementTypesOf(checker.getApparentType(part), checker));
  if (elements.some((element) => !isNeverAwaitable(element, context, loop.expression))) return;
  context.report({
    rule: 'await-non-thenable',
    node: loop,
    message: formatMessage(awaitNonThenable.messages.forAwaitSync!, { expression: shorten(textOf(loop.expression, sourceFile)), type: checker.typeToString(type) }),
    kind: 'await',
    needsAsync: false,
    // `for await` over a sync iterable still awaits each element: dropping `await` changes that.
    fixable: false,
  });
}

function detectAwaitUsingOfSync(list: ts.VariableDeclarationList, context: TsRuleContext): void {
  if ((list.flags & ts.NodeFlags.BlockScoped) !== ts.NodeFlags.AwaitUsing) return;
  const { checker, sourceFile } = context;
  if (!libDeclaresSymbol('asyncDispose', checker)) return;
  for (const declaration of list.declarations) {
    const initializer = declaration.initializer;
    if (!initializer) continue;
    const type = checker.getTypeAtLocation(initializer);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.Null | ts.TypeFlags.Undefined)) continue;
    if (hasWellKnownSymbol(type, 'asyncDispose', checker)) continue;
    context.report({
      rule: 'await-non-thenable',
      node: initializer,
      message: formatMessage(awaitNonThenable.messages.awaitUsingSync!, { expression: shorten(textOf(initializer, sourceFile)), type: checker.typeToString(type) }),
      kind: 'await',
      needsAsync: false,
      fixable: false,
    });
  }
}
