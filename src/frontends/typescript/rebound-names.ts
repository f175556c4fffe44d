// Names bound more than once (`var bar` twice in one scope, two `function bar` in a sloppy script, the
// same global in two script files) or re-assigned (`bar = other`): a call of such a name runs whichever
// function it holds at that moment, dispatch the analysis cannot see through. Async is not carried
// through it: each function the name binds stays sync and is reported with the reason.
import { ts } from '@ts-morph/common';
import type { FunctionNode } from '../../model.js';
import { toReportPath } from '../../paths.js';
import type { TsAnalysisCore } from './core.js';
import { shorten } from './fix-helpers.js';
import type { FunctionLike } from './syntax.js';

/** The operators that may put another function into a name (`+=` and the like cannot). */
const REBINDING = new Set<ts.SyntaxKind>([ts.SyntaxKind.EqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken]);

export class ReboundNames {
  /** How many declarations bind each name, over all files: the checker is asked only about names bound twice. */
  private readonly declared = new Map<string, number>();
  /** `name = …` assignments to plain names, by name. */
  private readonly assignments = new Map<string, ts.BinaryExpression[]>();

  constructor(private readonly core: TsAnalysisCore) {}

  /** Pass 1 shows every node here: declarations of names and assignments to them are counted. */
  record(node: ts.Node): void {
    if ((ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node)) && node.name && ts.isIdentifier(node.name)) {
      this.declared.set(node.name.text, (this.declared.get(node.name.text) ?? 0) + 1);
    } else if (ts.isBinaryExpression(node) && ts.isIdentifier(node.left) && REBINDING.has(node.operatorToken.kind)) {
      const list = this.assignments.get(node.left.text);
      if (list) list.push(node);
      else this.assignments.set(node.left.text, [node]);
    }
  }

  /** Once every file is declared: the functions bound by such a name become sync-only. */
  markFunctions(): void {
    const { checker, state } = this.core;
    for (const [id, declaration] of state.declarations) {
      const name = bindingName(declaration);
      if (!name) continue;
      const assigned = this.assignments.get(name.text);
      if ((this.declared.get(name.text) ?? 0) < 2 && !assigned) continue;
      const fn = state.functions.get(id)!;
      if (fn.syncOnly) continue;
      const symbol = checker.getSymbolAtLocation(name);
      if (!symbol) continue;
      const bindings = (symbol.declarations ?? []).filter(bindsValue);
      if (bindings.length > 1) {
        fn.syncOnly = this.boundTwice(name.text, bindings);
        continue;
      }
      const assignment = assigned?.find((candidate) => checker.getSymbolAtLocation(candidate.left) === symbol);
      if (assignment) fn.syncOnly = this.reassigned(name.text, assignment);
    }
  }

  /**
   * Every value the name may hold when it is bound twice or re-assigned: the initializers and
   * functions bound by its declarations and the right-hand sides of its assignments; a binding whose
   * value is not written there (a parameter, a `for … of` variable) is given as its declaration.
   * Undefined when the name is bound once: then its declaration (and the checker's type) says all.
   */
  valuesOf(name: ts.Identifier): ts.Node[] | undefined {
    const assigned = this.assignments.get(name.text);
    if ((this.declared.get(name.text) ?? 0) < 2 && !assigned) return undefined;
    const { checker } = this.core;
    const symbol = checker.getSymbolAtLocation(name);
    if (!symbol) return undefined;
    const declarations = symbol.declarations ?? [];
    const assignments = (assigned ?? []).filter((assignment) => checker.getSymbolAtLocation(assignment.left) === symbol);
    if (declarations.filter(bindsValue).length < 2 && assignments.length === 0) return undefined;
    const values: ts.Node[] = [];
    for (const declaration of declarations) {
      if (ts.isFunctionDeclaration(declaration)) {
        if (declaration.body) values.push(declaration);
      } else if (ts.isVariableDeclaration(declaration) && !isLoopVariable(declaration)) {
        // `let run;` starts as `undefined`, no thenable and nothing to call; a `declare var` (a
        // `.d.ts`) holds what code the tool does not read put there.
        if (declaration.initializer) values.push(declaration.initializer);
        else if (isAmbient(declaration)) values.push(declaration);
      } else {
        values.push(declaration);
      }
    }
    values.push(...assignments.map((assignment) => assignment.right));
    return values;
  }

  private boundTwice(name: string, bindings: readonly ts.Declaration[]): NonNullable<FunctionNode['syncOnly']> {
    const shown = bindings.slice(0, 3).map((binding) => this.where(binding));
    const more = bindings.length > 3 ? `, and ${bindings.length - 3} more` : '';
    return {
      kind: 'reference',
      reason: `${name} is bound by ${bindings.length} declarations of one scope (${shown.join(', ')}${more}): a call of ${name} runs whichever was assigned last, which is not known here, so async is not carried through it`,
      suggestion: `Give each function its own name (or declare ${name} once, with const), then re-run async-migrate.`,
    };
  }

  private reassigned(name: string, assignment: ts.BinaryExpression): NonNullable<FunctionNode['syncOnly']> {
    return {
      kind: 'reference',
      reason: `${name} is re-assigned at ${this.where(assignment)} (\`${shorten(assignment.getText())}\`): a call of ${name} runs whichever function it holds then, which is not known here, so async is not carried through it`,
      suggestion: `Declare ${name} once with const and give the other function its own name, then re-run async-migrate.`,
    };
  }

  private where(node: ts.Node): string {
    const sourceFile = node.getSourceFile();
    const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    return `${toReportPath(this.core.root, sourceFile.fileName)}:${line + 1}`;
  }
}

/** The name a declaration binds the function to: `function bar`, `var bar = () => …`, `let bar = function () {…}`. */
function bindingName(node: FunctionLike): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(node)) return node.name;
  const parent = node.parent;
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) return parent.name;
  return undefined;
}

function isAmbient(declaration: ts.VariableDeclaration): boolean {
  return declaration.getSourceFile().isDeclarationFile || (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Ambient) !== 0;
}

/** `for (const x of xs)`, `for (var k in o)`: the loop gives the value. */
function isLoopVariable(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isForOfStatement(statement) || ts.isForInStatement(statement);
}

/** A declaration that gives its name a value: a function with a body, a variable with an initializer (overload signatures and `var x;` do not). */
function bindsValue(declaration: ts.Declaration): boolean {
  if (ts.isFunctionDeclaration(declaration)) return declaration.body !== undefined;
  return ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined;
}
