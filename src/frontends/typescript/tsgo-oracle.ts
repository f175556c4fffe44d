// The native oracle: the questions of oracle.ts answered by TypeScript 7's checker through
// `typescript7/unstable/sync` (the optional dependency `typescript7`, typescript@7.0.2). The native
// checker runs in a child process (`tsgo --api`); each request is a synchronous round trip, so the
// first question about a file asks, in one request, the types of every node the rules will ask
// about there, and the thenable walk below is memoised per type.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ts } from '@ts-morph/common';
import type { API, Checker, Project, Symbol as TsgoSymbol, Type as TsgoType } from 'typescript7/unstable/sync';
import type { Node as TsgoNode, SourceFile as TsgoSourceFile } from 'typescript7/unstable/ast';
import { UsageError } from '../../errors.js';
import { jsOracle, type CheckerOracle, type ValueKind } from './oracle.js';
import type { Awaitability } from './thenables.js';
import { walkTree } from './walk.js';

type SyncModule = typeof import('typescript7/unstable/sync');
type AstModule = typeof import('typescript7/unstable/ast');

/** Questions the native checker answered, and those it could not (no node, or no type) which the JS checker answered. */
export interface OracleCounts {
  asked: number;
  answered: number;
  unanswered: number;
  requests: number;
}

export interface TsgoOracle extends CheckerOracle {
  readonly counts: OracleCounts;
}

const MISSING = 'the native TypeScript 7 checker is not installed (npm install typescript7@npm:typescript@7.0.2)';

/** Starts `tsgo --api` on the tsconfig. Usage errors: no tsconfig, TypeScript 7 not installed, a project it cannot open. */
export async function createTsgoOracle(program: ts.Program, configFile: string | undefined): Promise<TsgoOracle> {
  if (!configFile) throw new UsageError('--oracle tsgo needs a tsconfig.json: the native checker opens projects by their tsconfig, not an inferred list of files');
  let sync: SyncModule;
  let astModule: AstModule;
  try {
    sync = await import('typescript7/unstable/sync');
    astModule = await import('typescript7/unstable/ast');
  } catch {
    throw new UsageError(`--oracle tsgo: ${MISSING}`);
  }
  let api: API;
  let project: Project | undefined;
  try {
    api = new sync.API({ cwd: path.dirname(configFile) });
    const snapshot = api.updateSnapshot({ openProjects: [configFile] });
    project = snapshot.getProject(configFile) ?? snapshot.getProjects()[0];
  } catch (error) {
    throw new UsageError(`--oracle tsgo: the native checker did not start (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  if (!project) {
    api.close();
    throw new UsageError(`--oracle tsgo: the native checker opened no project for ${configFile}`);
  }
  return new NativeOracle(api, project, sync, astModule, program);
}

/** `Identifier`, `CallExpression`…: the names both versions share (their numbers differ). */
function kindNames(kinds: Record<string, string | number> = ts.SyntaxKind): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, value] of Object.entries(kinds)) {
    // Markers (`FirstLiteralToken`) alias real kinds.
    if (typeof value === 'number' && !/^(First|Last)/.test(name) && !names.has(value)) names.set(value, name);
  }
  return names;
}

class NativeOracle implements TsgoOracle {
  readonly name = 'tsgo' as const;
  readonly counts: OracleCounts = { asked: 0, answered: 0, unanswered: 0, requests: 0 };
  private readonly checker: Checker;
  private readonly fallback: CheckerOracle;
  private readonly kindName = kindNames();
  private readonly remoteKindName: Map<number, string>;
  private readonly remoteFiles = new Map<string, TsgoSourceFile | undefined>();
  /** The native type of each ts-morph node asked ahead (undefined: no node or no type there). */
  private readonly types = new Map<ts.Node, TsgoType | undefined>();
  private readonly remoteNodes = new Map<ts.Node, TsgoNode>();
  /** The native symbol of each callee name asked (null: it names nothing; undefined: not answered). */
  private readonly symbols = new Map<ts.Node, TsgoSymbol | null | undefined>();
  /** Declarations by native symbol id, as TypeScript 6's nodes (aliases followed); null: one has no TypeScript 6 node. */
  private readonly declarations = new Map<number, readonly ts.Declaration[] | null>();
  /** TypeScript 6's nodes of a file by span and kind name, to find a native declaration among them. */
  private readonly spans = new Map<ts.SourceFile, Map<string, ts.Node>>();
  private readonly preparedFiles = new Set<ts.SourceFile>();
  private readonly thenable = new Map<number, boolean>();
  private readonly floating = new Map<number, boolean>();
  private readonly defaultLibrary = new Map<string, boolean>();

  constructor(
    private readonly api: API,
    private readonly project: Project,
    private readonly sync: SyncModule,
    private readonly astModule: AstModule,
    private readonly program: ts.Program,
  ) {
    this.checker = project.checker;
    this.remoteKindName = kindNames(astModule.SyntaxKind as unknown as Record<string, string | number>);
    this.fallback = jsOracle(program);
  }

  isNeverAwaitable(operand: ts.Expression): boolean {
    const type = this.typeOf(operand);
    if (!type) return this.fallback.isNeverAwaitable(operand);
    const { TypeFlags } = this.sync;
    if (type.flags & TypeFlags.Never) return false;
    return this.awaitabilityOfUnion(type, this.remoteNodes.get(operand)) === 'never';
  }

  valueKind(expression: ts.Expression, withPromise: boolean): ValueKind {
    const type = this.typeOf(expression);
    if (!type) return this.fallback.valueKind(expression, withPromise);
    if (this.isPromiseArrayType(type)) return 'promise-array';
    if (!withPromise) return 'other';
    return this.isFloatingPromiseType(type) ? 'promise' : 'other';
  }

  calleeDeclarations(name: ts.Identifier | ts.PrivateIdentifier): readonly ts.Declaration[] {
    this.counts.asked++;
    const sourceFile = name.getSourceFile();
    if (!this.preparedFiles.has(sourceFile)) this.prepare(sourceFile);
    if (!this.symbols.has(name)) this.askSymbols(sourceFile, [name]);
    let symbol = this.symbols.get(name);
    // TypeScript 7 follows fewer CommonJS patterns in JavaScript than TypeScript 6 (`store.list()` of
    // a module that did `module.exports = {…}; module.exports.list = f` names nothing): there, the
    // JS checker answers a name the native one cannot place.
    if (symbol === null && JS_FILE.test(sourceFile.fileName)) symbol = undefined;
    if (symbol === undefined) {
      this.counts.unanswered++;
      return this.fallback.calleeDeclarations(name);
    }
    this.counts.answered++;
    if (symbol === null) return [];
    const declarations = this.declarationsOf(symbol);
    if (declarations) return declarations;
    // An import tsgo cannot resolve, or a declaration TypeScript 6 has no node for (TypeScript 7
    // rewrites some JavaScript into nodes of its own): the JS checker answers.
    this.counts.answered--;
    this.counts.unanswered++;
    return this.fallback.calleeDeclarations(name);
  }

  close(): void {
    // API.close() kills the server, which then prints "context canceled" on the stderr it shares with
    // us. At the end of its input it exits on its own, silently (7.0.2's client keeps the process in
    // `client.channel.child`, the version is pinned); the kill stays the fallback.
    const child = (this.api as unknown as { client?: { channel?: { child?: ChildProcess } } }).client?.channel?.child;
    if (!child?.stdin) {
      this.api.close();
      return;
    }
    child.once('exit', () => child.stdout?.destroy());
    child.stdin.end();
  }

  // --- nodes: a ts-morph node is found in the native tree by its span and kind name.

  private typeOf(node: ts.Node): TsgoType | undefined {
    this.counts.asked++;
    const sourceFile = node.getSourceFile();
    if (!this.preparedFiles.has(sourceFile)) this.prepare(sourceFile);
    if (!this.types.has(node)) this.ask(sourceFile, [node]);
    const type = this.types.get(node);
    if (type) this.counts.answered++;
    else this.counts.unanswered++;
    return type;
  }

  /** One request for every await operand and unused value of the file (what the rules ask first). */
  private prepare(sourceFile: ts.SourceFile): void {
    this.preparedFiles.add(sourceFile);
    const wanted: ts.Node[] = [];
    const names: ts.Node[] = [];
    // An explicit stack: a file nested deeper than the call stack is still walked.
    walkTree(sourceFile, (node) => {
      if (ts.isAwaitExpression(node)) wanted.push(skipParentheses(node.expression));
      if (ts.isExpressionStatement(node)) collectValues(node.expression, wanted);
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const callee = node.expression;
        if (ts.isIdentifier(callee)) names.push(callee);
        else if (ts.isPropertyAccessExpression(callee)) names.push(callee.name);
      }
    });
    this.ask(sourceFile, wanted);
    this.askSymbols(sourceFile, names);
  }

  private askSymbols(sourceFile: ts.SourceFile, names: readonly ts.Node[]): void {
    const remote = this.remoteFile(sourceFile.fileName);
    const asked: ts.Node[] = [];
    const located: TsgoNode[] = [];
    for (const name of names) {
      if (this.symbols.has(name)) continue;
      const found = remote ? this.findRemote(remote, name) : undefined;
      if (!found) {
        this.symbols.set(name, undefined);
        continue;
      }
      asked.push(name);
      located.push(found);
    }
    if (located.length === 0) return;
    this.counts.requests++;
    const answers = this.checker.getSymbolAtLocation(located);
    asked.forEach((name, index) => this.symbols.set(name, answers[index] ?? null));
  }

  private declarationsOf(symbol: TsgoSymbol): readonly ts.Declaration[] | undefined {
    let known = this.declarations.get(symbol.id);
    if (known !== undefined) return known ?? undefined;
    let target = symbol;
    if (symbol.flags & this.sync.SymbolFlags.Alias) {
      this.counts.requests++;
      target = this.checker.getAliasedSymbol(symbol);
      // An import the native checker cannot resolve: TypeScript 6's program resolves workspace
      // packages to their source (workspaces.ts), which tsgo's module resolution does not.
      if (this.checker.isUnknownSymbol(target)) {
        this.declarations.set(symbol.id, null);
        return undefined;
      }
    }
    known = this.declarations.get(target.id);
    if (known === undefined) {
      let found: ts.Declaration[] | null = [];
      for (const handle of target.declarations) {
        const declaration = this.localNode(handle);
        if (declaration === null) {
          found = null;
          break;
        }
        if (declaration) found.push(declaration as ts.Declaration);
      }
      known = found;
      this.declarations.set(target.id, known);
    }
    this.declarations.set(symbol.id, known);
    return known ?? undefined;
  }

  /**
   * TypeScript 6's node for a native declaration: undefined for a file TypeScript 6 does not hold
   * (TypeScript 7's own lib files), null for a node it does not have in a file it holds.
   */
  private localNode(handle: TsgoSymbol['declarations'][number]): ts.Node | undefined | null {
    const sourceFile = this.program.getSourceFile(handle.path);
    if (!sourceFile) return undefined;
    if (!this.remoteFiles.has(sourceFile.fileName)) this.counts.requests++;
    const remote = handle.resolve(this.project);
    if (!remote) return null;
    let spans = this.spans.get(sourceFile);
    if (!spans) {
      spans = new Map();
      const index = spans;
      walkTree(sourceFile, (node) => {
        const key = `${node.pos}:${node.end}:${this.kindName.get(node.kind)}`;
        if (!index.has(key)) index.set(key, node);
      });
      this.spans.set(sourceFile, spans);
    }
    return spans.get(`${remote.pos}:${remote.end}:${this.remoteKindName.get(remote.kind)}`) ?? null;
  }

  private ask(sourceFile: ts.SourceFile, nodes: readonly ts.Node[]): void {
    const remote = this.remoteFile(sourceFile.fileName);
    const asked: ts.Node[] = [];
    const located: TsgoNode[] = [];
    for (const node of nodes) {
      if (this.types.has(node)) continue;
      const found = remote ? this.findRemote(remote, node) : undefined;
      if (!found) {
        this.types.set(node, undefined);
        continue;
      }
      this.remoteNodes.set(node, found);
      asked.push(node);
      located.push(found);
    }
    if (located.length === 0) return;
    this.counts.requests++;
    const answers = this.checker.getTypeAtLocation(located);
    asked.forEach((node, index) => this.types.set(node, answers[index]));
  }

  private remoteFile(fileName: string): TsgoSourceFile | undefined {
    if (!this.remoteFiles.has(fileName)) {
      this.counts.requests++;
      let remote: TsgoSourceFile | undefined;
      try {
        remote = this.project.program.getSourceFile(fileName);
      } catch {
        // Not in the native project (a file given outside the tsconfig, a .js file without allowJs):
        // the JS checker answers for it.
        remote = undefined;
      }
      this.remoteFiles.set(fileName, remote);
    }
    return this.remoteFiles.get(fileName);
  }

  private findRemote(remote: TsgoSourceFile, node: ts.Node): TsgoNode | undefined {
    const wantedKind = this.astModule.SyntaxKind[this.kindName.get(node.kind) as keyof typeof this.astModule.SyntaxKind];
    if (wantedKind === undefined) return undefined;
    const { pos, end } = node;
    let current: TsgoNode = remote as unknown as TsgoNode;
    for (;;) {
      if (current.pos === pos && current.end === end && current.kind === wantedKind) return current;
      const next: TsgoNode | undefined = current.forEachChild((child) => (child.pos <= pos && end <= child.end && child.pos < child.end ? child : undefined));
      if (!next) return undefined;
      current = next;
    }
  }

  // --- types: thenables.ts's walk over the native checker's types.

  private constituents(type: TsgoType): readonly TsgoType[] {
    return type.isUnionType() ? (type.getTypes() ?? [type]) : [type];
  }

  private awaitabilityOfUnion(type: TsgoType, node: TsgoNode | undefined): Awaitability {
    const parts = this.constituents(type).map((part) => this.awaitability(part, node));
    return parts.includes('always') ? 'always' : parts.includes('may') ? 'may' : 'never';
  }

  private awaitability(type: TsgoType, node: TsgoNode | undefined): Awaitability {
    const { TypeFlags } = this.sync;
    let constraint: TsgoType | undefined = type;
    if (type.flags & TypeFlags.InstantiableNonPrimitive) constraint = this.checker.getBaseConstraintOfType(type);
    if (!constraint || constraint.flags & TypeFlags.InstantiableNonPrimitive) return 'may';
    if (constraint.flags & (TypeFlags.Any | TypeFlags.Unknown)) return 'may';
    return this.isThenableType(constraint, node) ? 'always' : 'never';
  }

  private isThenableType(type: TsgoType, node: TsgoNode | undefined): boolean {
    const known = this.thenable.get(type.id);
    if (known !== undefined) return known;
    const apparent = this.checker.getApparentType(type) ?? type;
    let result = false;
    for (const constituent of this.constituents(apparent)) {
      const then = this.checker.getPropertyOfType(constituent, 'then');
      if (!then) continue;
      const thenType = this.typeOfSymbol(then, node);
      for (const part of this.constituents(thenType)) {
        for (const signature of this.checker.getSignaturesOfType(part, this.sync.SignatureKind.Call)) {
          const first = signature.getParameters()[0];
          // `then(...callbacks)`: the first parameter is the rest parameter.
          if (first && this.takesCallback(first, signature.hasRestParameter && signature.parameters.length === 1, node)) result = true;
          if (result) break;
        }
        if (result) break;
      }
      if (result) break;
    }
    this.thenable.set(type.id, result);
    return result;
  }

  private typeOfSymbol(symbol: TsgoSymbol, node: TsgoNode | undefined): TsgoType {
    if (node) return this.checker.getTypeOfSymbolAtLocation(symbol, node);
    return this.checker.getTypeOfSymbol(symbol) ?? this.checker.getUnknownType();
  }

  private takesCallback(parameter: TsgoSymbol, rest: boolean, node: TsgoNode | undefined): boolean {
    let type: TsgoType | undefined = this.checker.getApparentType(this.typeOfSymbol(parameter, node));
    if (type && rest) type = this.checker.getIndexInfosOfType(type).find((info) => info.keyType.flags & this.sync.TypeFlags.Number)?.valueType;
    return type !== undefined && this.constituents(type).some((part) => this.checker.getSignaturesOfType(part, this.sync.SignatureKind.Call).length > 0);
  }

  private isFloatingPromiseType(type: TsgoType): boolean {
    const known = this.floating.get(type.id);
    if (known !== undefined) return known;
    const result = this.constituents(this.checker.getApparentType(type) ?? type).some((part) => this.isBuiltinPromise(part, new Set()));
    this.floating.set(type.id, result);
    return result;
  }

  private isPromiseArrayType(type: TsgoType): boolean {
    return this.constituents(type).some((constituent) => {
      const part = this.checker.getApparentType(constituent) ?? constituent;
      if (this.checker.isTupleType(part)) return this.checker.getTypeArguments(part as Parameters<Checker['getTypeArguments']>[0]).some((element) => this.isFloatingPromiseType(element));
      if (!this.checker.isArrayType(part)) return false;
      const element = this.checker.getTypeArguments(part as Parameters<Checker['getTypeArguments']>[0])[0];
      return element !== undefined && this.isFloatingPromiseType(element);
    });
  }

  private isBuiltinPromise(type: TsgoType, seen: Set<number>): boolean {
    if (seen.has(type.id)) return false;
    seen.add(type.id);
    const { TypeFlags, SymbolFlags, ObjectFlags } = this.sync;
    if (type.isIntersectionType()) return (type.getTypes() ?? []).some((part) => this.isBuiltinPromise(part, seen));
    if (type.isUnionType()) return (type.getTypes() ?? []).every((part) => this.isBuiltinPromise(part, seen));
    if (type.flags & TypeFlags.TypeParameter) {
      const constraint = this.checker.getBaseConstraintOfType(type);
      return constraint !== undefined && this.isBuiltinPromise(constraint, seen);
    }
    const symbol = type.getSymbol();
    if (!symbol) return false;
    if (symbol.name === 'Promise' && symbol.declarations.some((declaration) => this.isDefaultLibrary(declaration.path))) return true;
    if (!(symbol.flags & (SymbolFlags.Class | SymbolFlags.Interface))) return false;
    const declared = this.checker.getDeclaredTypeOfSymbol(symbol);
    if (!declared.isObjectType() || !(declared.objectFlags & ObjectFlags.ClassOrInterface)) return false;
    return this.checker.getBaseTypes(declared as Parameters<Checker['getBaseTypes']>[0]).some((base) => this.isBuiltinPromise(base, seen));
  }

  private isDefaultLibrary(filePath: string): boolean {
    let known = this.defaultLibrary.get(filePath);
    if (known === undefined) {
      known = this.project.program.getSourceFileMetadataByPath(filePath as Parameters<Project['program']['getSourceFileMetadataByPath']>[0])?.isDefaultLibrary ?? false;
      this.defaultLibrary.set(filePath, known);
    }
    return known;
  }
}

const JS_FILE = /\.[cm]?jsx?$/;

function skipParentheses(expression: ts.Expression): ts.Expression {
  let node = expression;
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  return node;
}

/** The nodes floating-promise asks about for a statement's value: the value, and the operands it judges one by one. */
function collectValues(expression: ts.Expression, into: ts.Node[]): void {
  const node = skipParentheses(expression);
  into.push(node);
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    if (operator === ts.SyntaxKind.CommaToken || operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
      collectValues(node.left, into);
      collectValues(node.right, into);
    }
  } else if (ts.isConditionalExpression(node)) {
    collectValues(node.whenTrue, into);
    collectValues(node.whenFalse, into);
  } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'finally') {
    collectValues(node.expression.expression, into);
  }
}
