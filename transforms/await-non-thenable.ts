import { ts } from 'ts-morph';
import { awaitNonThenableVisitors } from '../src/frontends/python/rules/index.js';
import { defineTransform, formatMessage } from '../src/transform.js';
import { skipParentheses } from '../src/frontends/typescript/analyze.js';
import { shorten, textOf } from '../src/frontends/typescript/fix-helpers.js';
import type { TsRuleContext } from '../src/frontends/typescript/rule-context.js';

const awaitNonThenable = defineTransform({
  id: 'await-non-thenable',
  severity: 'error',
  docs: {
    what: 'Finds `await` on a value that is not a promise or thenable, such as the result of a sync method.',
    why: 'The code expects the callee to be async; it is not, so the await is a no-op today and a sign of a half-done migration (or a callee that should turn async).',
    example: 'const rows = await this.memory.retrieve(query); // retrieve() is sync',
    useInstead: 'Make the callee async when it blocks or a migration makes it so; otherwise drop the `await`.',
    fixSafety: 'Removing the await is safe: the value is the same. Making the callee async carries `async` to all of its callers.',
  },
  messages: {
    nonThenable: '`await` on `{expression}` of type `{type}`, which is not a promise',
  },
  typescript: {
    [ts.SyntaxKind.AwaitExpression]: (node, context) => detectAwait(node as ts.AwaitExpression, context),
  },
  python: awaitNonThenableVisitors,
});
export default awaitNonThenable;

function detectAwait(node: ts.AwaitExpression, context: TsRuleContext): void {
  const { checker, sourceFile } = context;
  const operand = skipParentheses(node.expression);
  const type = checker.getTypeAtLocation(operand);
  // any/unknown and type parameters may be thenables: like typescript-eslint's await-thenable, allow them.
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.Never)) return;
  if (context.isThenable(type, true)) return;
  if (type.isUnion() && type.types.some((member) => member.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter))) return;
  const callees = ts.isCallExpression(operand) ? context.resolveCallee(operand) : [];
  const expression = textOf(operand, sourceFile);
  context.report({
    rule: 'await-non-thenable',
    node,
    message: formatMessage(awaitNonThenable.messages.nonThenable!, { expression: shorten(expression), type: checker.typeToString(type) }),
    kind: 'await',
    needsAsync: false,
    awaitedCallee: callees[0],
    fixable: true,
    fallbackFix: (editor) => {
      // Drop `await ` and the whitespace after it; the operand's own parentheses stay.
      editor.replace(node.getStart(sourceFile), node.expression.getStart(sourceFile), '');
      return true;
    },
  });
}
