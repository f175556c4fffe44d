import { ts } from '@ts-morph/common';
import { awaitNonThenableVisitors } from '../src/frontends/python/rules/index.js';
import { defineTransform, formatMessage } from '../src/transform.js';
import { skipParentheses } from '../src/frontends/typescript/analyze.js';
import { shorten, textOf } from '../src/frontends/typescript/fix-helpers.js';
import type { TsRuleContext } from '../src/frontends/typescript/rule-context.js';
import { awaitability, awaitabilityOfUnion, hasCallableThen, isBuiltinPromise, isProvablyNonThenable, returnsPromiseByDeclaration, unionConstituents } from '../src/frontends/typescript/thenables.js';

const awaitNonThenable = defineTransform({
  id: 'await-non-thenable',
  severity: 'error',
  docs: {
    what: 'Finds `await` on a value that is not a promise or thenable (such as the result of a sync method), `Promise.all`/`allSettled`/`race`/`any` given values that are never promises, `for await` over a sync iterable of plain values, and `await using` of a sync-only `Disposable`.',
    why: 'The code expects the callee to be async; it is not, so the await is a no-op today and a sign of a half-done migration (or a callee that should turn async).',
    examples: {
      typescript: {
        flagged: `class Cache {
  get(key: string): string | undefined {
    return key;
  }
}

export async function lookup(cache: Cache, key: string): Promise<string | undefined> {
  return await cache.get(key);
}
`,
        fixed: `class Cache {
  get(key: string): string | undefined {
    return key;
  }
}

export async function lookup(cache: Cache, key: string): Promise<string | undefined> {
  return cache.get(key);
}
`,
        fixedBy: 'migrate --unsafe-fixes',
      },
      python: {
        flagged: `def cached_user(user_id: int) -> str:
    return f"user-{user_id}"


async def handler(user_id: int) -> str:
    return await cached_user(user_id)
`,
        fixed: `def cached_user(user_id: int) -> str:
    return f"user-{user_id}"


async def handler(user_id: int) -> str:
    return cached_user(user_id)
`,
        fixedBy: 'migrate',
      },
    },
    useInstead: 'Make the callee async when it blocks or a migration makes it so; otherwise drop the `await`.',
    fixSafety:
      'Making the callee async (when it blocks or the strategy asks for it) is safe and carries `async` to all of its callers. In TypeScript, removing the `await` is unsafe: even on a value that provably is no thenable, the `await` gives other pending callbacks a turn first, so without it the next line runs earlier than it did (two tasks interleave in another order); it is suggested only where the value provably is no thenable, and applied only with `--unsafe-fixes`. In Python, an `await` on a project function that never returns an awaitable raises `TypeError` at run time, so removing it is safe. A type declared by a package can be wrong at run time (stale @types), and a function declared to return `void` (a callback, an interface member) may be given an async one, so those awaits are reported, not removed. A name given more than one value (`let run = readLocal; … run = readRemote;`, a `var` declared twice) is judged by every value it may hold, not by the one the checker types it by. Severity: only an `await` the tool proves useless is at the rule\'s severity; one it cannot prove (a `void` result, a type declared by a package or a `.d.ts`, a body returning values typed elsewhere, a callable `then`, a name given more than one value, a Python stub whose implementations it cannot see) is at most `warning`, and one that dispatch decides (a method family whose members disagree) is `info`, whatever severity the config gives the rule; a rule configured lower stays lower.',
    applicability:
      'safe: the callee turns async; in Python, removing an `await` on a project function that returns no awaitable (it raises today); unsafe: removing an `await` in TypeScript (it changes the order in which pending callbacks run); reported without a fix: types declared by packages, `void` results, names given more than one function, stubs whose implementations are not seen (at most `warning`, so `check --fail-on error` passes), dispatch the tool cannot see (a method family whose members disagree: at `info`, so `check` passes).',
    doesNotFlag: '`await` on `any`, `unknown`, an unconstrained type parameter (or a union holding one) or `never`; thenables whose `then` takes a callback (`PromiseLike`, hand-written); `Promise.all` of a value that is not iterable (a type error already); `for await` over a sync iterable whose elements may be promises.',
    options: [
      {
        flag: '--unsafe-fixes',
        key: 'unsafeFixes',
        effect: '`migrate` also removes the `await`s whose removal is unsafe (TypeScript).',
      },
      {
        flag: '--make-async',
        key: 'makeAsync',
        effect: 'Decide the other way: `--make-async Cache.get` turns the callee async (and carries that to its callers), so the `await` stays and becomes right.',
      },
    ],
  },
  messages: {
    nonThenable: '`await` on `{expression}` of type `{type}`, which is not a promise',
    callableThen: '`await` on `{expression}` of type `{type}`, whose `then` takes no callback: no thenable, yet `await` calls it at run time, so the await is left for you to check',
    unprovenCallee: '`await` on `{expression}` of type `{type}`, which is not a promise by its declared type; its body returns values typed outside the project (or `any`), so removing the await is not provably safe',
    voidResult: '`await` on `{expression}` of type `void`: a function declared to return `void` may still return a promise (TypeScript lets an async function stand in for it), so the await is left for you to check',
    familyDisagrees: '`await` on `{expression}` of type `{type}`: `{callee}` is not async, but {members} on its method family {verb} a promise, and the call may run {pronoun}; the await is left for you to check',
    unproven: '`await` on `{expression}` of type `{type}`, which is not a promise by declarations (a `.d.ts`, a package) that may be wrong at run time, so the await is left for you to check',
    rebound: '`await` on `{expression}` of type `{type}`: `{name}` is bound more than once (re-assigned or declared twice) and typed by one of its values; not all of them provably give no promise here, so the await is left for you to check',
    aggregatorInput: '`{expression}` of type `{type}` passed to `Promise.{method}` is not a promise; it settles at once',
    aggregatorIterable: '`{expression}` of type `{type}` passed to `Promise.{method}` holds values that are not promises; they settle at once',
    forAwaitSync: '`for await` over `{expression}` of type `{type}`, which is not async iterable; use `for … of`',
    awaitUsingSync: '`await using` of `{expression}` of type `{type}`, which is not async disposable (no `[Symbol.asyncDispose]`); use `using`',
  },
  typescript: {
    [ts.SyntaxKind.AwaitExpression]: (node, context) => detectAwait(node as ts.AwaitExpression, context),
    [ts.SyntaxKind.CallExpression]: (node, context) => detectAggregatorInput(node as ts.CallExpression, context),
    [ts.SyntaxKind.ForOfStatement]: (node, context) => detectForAwaitOfSync(node as ts.ForOfStatement, context),
    [ts.SyntaxKind.VariableDeclarationList]: (node, context) => detectAwaitUsingOfSync(node as ts.VariableDeclarationList, context),
  },
  python: awaitNonThenableVisitors,
});
export default awaitNonThenable;

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
