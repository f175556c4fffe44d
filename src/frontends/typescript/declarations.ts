// Pass 1: every function of every file is declared (id, name, kind, exported or not, sync-only
// reasons), with the module facts and name filters pass 2 consults.
import { ts } from '@ts-morph/common';
import type { FunctionNode } from '../../model.js';
import { computeLineStarts, lineAndColumn, toReportPath } from '../../paths.js';
import { awaitsAtTopLevel } from './awaits.js';
import type { TsAnalysisCore, TsFileInfo } from './core.js';
import { MethodFamilies } from './families.js';
import { indexImports } from './imports.js';
import { commonJsExportedNames, commonJsExportedProperties, commonJsExportTarget, exportListNames, isExportedDeclaration, isExportedVariable, isModuleExportsObject } from './module-exports.js';
import { ReboundNames } from './rebound-names.js';
import type { TsResolver } from './resolver.js';
import { asyncSiblingName, declarationNameNode, existingSibling, isAwaitableSibling, isObjectLiteralMember, siblingContainer } from './siblings.js';
import { asyncSignatureText, childProcessResult, signatureText, syncOnlyReason } from './signatures.js';
import { type FunctionLike, functionKind, hasExportModifier, hasModifier, isFunctionLike, isModuleLevelVariable, mayHoldWrappedFunction, objectLiteralHolder, objectOwnerPrefix, skipParentheses } from './syntax.js';
import { isStackOverflow, walkTree } from './walk.js';

export class TsDeclarations {
  /** Classes, interfaces and object literals that may link family members, recorded before the walk. */
  readonly familyLinks: { node: ts.Node; info: TsFileInfo }[] = [];
  /** Variables inside functions initialised with a call given a function: candidates for `registerLocalHolders`. */
  private readonly localHolders: ts.VariableDeclaration[] = [];
  /** `export const load = traced(loadImpl)`: public names whose type changes when the wrapped function turns async. */
  private readonly exportedWrapperHolders: { holder: ts.VariableDeclaration; info: TsFileInfo }[] = [];
  private readonly reboundNames: ReboundNames;

  constructor(
    private readonly core: TsAnalysisCore,
    private readonly resolver: TsResolver,
  ) {
    this.reboundNames = new ReboundNames(core);
  }

  declareFunctions(sourceFile: ts.SourceFile): void {
    const absolute = sourceFile.fileName;
    const file = toReportPath(this.core.root, absolute);
    const isCommonJs = this.isCommonJs(sourceFile);
    const info: TsFileInfo = {
      absolute,
      file,
      sourceFile,
      imports: indexImports(sourceFile),
      lineStarts: computeLineStarts(sourceFile.text),
      allowsTopLevelAwait: !isCommonJs && this.allowsTopLevelAwait(sourceFile),
      isCommonJs,
      moduleId: `${file}#module`,
      commonJsExports: commonJsExportedNames(sourceFile),
      exportListNames: exportListNames(sourceFile),
    };
    this.core.state.files.set(absolute, info);
    // `import load from './x.js'`, `{ read as load }`: calls through the local name must resolve too.
    for (const local of info.imports.keys()) this.core.functionNames.add(local);
    // `module.exports = { write: save }`, `exports.write = save`: callers elsewhere call `write`.
    for (const exported of commonJsExportedProperties(sourceFile)) this.core.functionNames.add(exported);
    for (const match of sourceFile.text.matchAll(/\b([A-Za-z_$][\w$]*)Async\b/g)) this.core.asyncSiblingNames.add(match[1]!);
    this.core.state.functions.set(info.moduleId, {
      id: info.moduleId,
      name: `<top level of ${file}>`,
      kind: 'module',
      location: { file, line: 1, column: 1 },
      isAsync: false,
      ...(info.allowsTopLevelAwait && awaitsAtTopLevel(sourceFile) ? { awaitsAtTopLevel: true } : {}),
      isExported: false,
      syncOnly: info.allowsTopLevelAwait
        ? undefined
        : {
            kind: 'top-level',
            reason: isCommonJs
              ? `top-level code of the CommonJS module ${file} cannot await`
              : `top-level await is not available for ${file} under this tsconfig's module setting`,
            suggestion: 'Move the top-level code into an `async function main()` and call it with `main().catch(…)`, or make the file an ES module.',
          },
    });
    walkTree(sourceFile, (node) => {
      if (MethodFamilies.mayLink(node)) this.familyLinks.push({ node, info });
      this.reboundNames.record(node);
      if (isFunctionLike(node)) this.declareFunction(node, info);
      else if (ts.isVariableDeclaration(node) && !isModuleLevelVariable(node) && ts.isIdentifier(node.name) && mayHoldWrappedFunction(node.initializer)) {
        this.localHolders.push(node); // decided once every function is declared
      } else if ((ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && ts.isIdentifier(node.name) && mayHoldWrappedFunction(node.initializer)) {
        this.core.functionNames.add(node.name.text); // `const load = memoize(loadImpl)`: calls of `load` may reach a project function
        if (ts.isVariableDeclaration(node) && (this.core.publicSurface.reachable.has(node) || (this.fileExportsArePublic(info) && isExportedVariable(node)))) this.exportedWrapperHolders.push({ holder: node, info });
      }
    });
  }

  private isCommonJs(sourceFile: ts.SourceFile): boolean {
    const name = sourceFile.fileName;
    if (name.endsWith('.cjs') || name.endsWith('.cts')) return true;
    if (name.endsWith('.mjs') || name.endsWith('.mts')) return false;
    if (sourceFile.impliedNodeFormat !== undefined) return sourceFile.impliedNodeFormat === ts.ModuleKind.CommonJS;
    const module = this.core.program.getCompilerOptions().module;
    return module === undefined || module === ts.ModuleKind.CommonJS || module === ts.ModuleKind.UMD || module === ts.ModuleKind.AMD;
  }

  private allowsTopLevelAwait(sourceFile: ts.SourceFile): boolean {
    const options = this.core.program.getCompilerOptions();
    const module = options.module ?? ts.ModuleKind.CommonJS;
    const moduleOk =
      module === ts.ModuleKind.ES2022 ||
      module === ts.ModuleKind.ESNext ||
      module === ts.ModuleKind.System ||
      module === ts.ModuleKind.Node16 ||
      module === ts.ModuleKind.Node18 ||
      module === ts.ModuleKind.NodeNext ||
      module === ts.ModuleKind.Preserve;
    const targetOk = (options.target ?? ts.ScriptTarget.ES5) >= ts.ScriptTarget.ES2017;
    // Top-level await needs the file to be a module (an import or export), not a script.
    const isModule = sourceFile.statements.some(
      (statement) => ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement) || hasExportModifier(statement),
    );
    return moduleOk && targetOk && isModule;
  }

  private declareFunction(node: FunctionLike, info: TsFileInfo): void {
    const start = node.getStart(info.sourceFile);
    const id = `${info.file}#${start}`;
    const { line, column } = lineAndColumn(info.lineStarts, start);
    const name = this.functionName(node, info, line);
    const kind = functionKind(node);
    const fn: FunctionNode = {
      id,
      name,
      kind,
      location: { file: info.file, line, column },
      endLine: lineAndColumn(info.lineStarts, node.end).line,
      isAsync: hasModifier(node, ts.SyntaxKind.AsyncKeyword),
      isExported: this.isExported(node, info),
    };
    const entryPoint = this.core.publicSurface.reachable.get(node);
    if (entryPoint) fn.entryPoint = entryPoint;
    // Shown only for the functions a report lists: the text is cut from the source when first read.
    let signature: string | undefined;
    let asyncSignature: string | undefined;
    Object.defineProperty(fn, 'signature', { enumerable: true, get: () => (signature ??= signatureText(node, info.sourceFile)) });
    Object.defineProperty(fn, 'asyncSignature', { enumerable: true, get: () => (asyncSignature ??= asyncSignatureText(node, info.sourceFile)) });
    if (!fn.isAsync) {
      // Asked of the functions the plan touches only: inferring every function's result would cost a full check.
      let returnsPromise: boolean | undefined;
      Object.defineProperty(fn, 'returnsPromise', { enumerable: true, get: () => (returnsPromise ??= this.returnsGlobalPromise(node)) });
      let thenable: string | null | undefined;
      Object.defineProperty(fn, 'returnsThenable', { enumerable: true, get: () => (thenable === undefined ? (thenable = this.ownThenableResult(node, fn) ?? null) : thenable) ?? undefined });
      let childProcess: FunctionNode['returnsChildProcess'];
      let askedChildProcess = false;
      const returnsChildProcess = (): FunctionNode['returnsChildProcess'] => {
        if (!askedChildProcess) childProcess = this.childProcessResult(node);
        askedChildProcess = true;
        return childProcess;
      };
      Object.defineProperty(fn, 'returnsChildProcess', { enumerable: true, get: returnsChildProcess });
    }
    const syncOnly = syncOnlyReason(node, name);
    if (syncOnly) fn.syncOnly = syncOnly;
    const nameNode = declarationNameNode(node);
    const exportTarget = commonJsExportTarget(node);
    // `exports.load = function load(…)`: a sibling of the expression would land inside the assignment.
    if (exportTarget === 'module.exports') fn.noSibling = 'it is the whole module.exports, which has no place for a sibling';
    else if (exportTarget) fn.noSibling = `it is assigned to \`${exportTarget}\`, beside which no sibling is written`;
    else if (!nameNode) fn.noSibling = 'it has no name to give an async sibling';
    else if (nameNode && !isObjectLiteralMember(siblingContainer(node)) && info.commonJsExports.get(nameNode.text)?.kind === 'module') fn.noSibling = 'it is the whole module.exports, which has no place for a sibling';
    // Under dual an async member of a family would need a sibling that awaits it; none is written here.
    else if (fn.isAsync && (ts.isMethodDeclaration(node) || ts.isMethodSignature(node))) fn.noSibling = 'it is async already, and no sibling that awaits it is written';
    this.core.state.functions.set(id, fn);
    this.core.state.declarations.set(id, node);
    this.core.idByDeclaration.set(node, id);
    const simpleName = name.split('.').pop();
    if (simpleName) this.core.functionNames.add(simpleName);
    if (hasModifier(node, ts.SyntaxKind.DefaultKeyword)) this.core.functionNames.add('default'); // `ns.default(…)`
    for (const parameter of node.parameters) if (ts.isIdentifier(parameter.name)) this.core.parameterNames.add(parameter.name.text);
    const holder = objectLiteralHolder(node);
    if (holder) {
      this.core.functionHolders.set(holder, [...(this.core.functionHolders.get(holder) ?? []), id]);
      this.core.functionHolderNames.add((holder.name as ts.Identifier).text);
    }
    if (ts.isConstructorDeclaration(node) && ts.isClassDeclaration(node.parent) && node.parent.name) this.core.constructedClassNames.add(node.parent.name.text);
  }

  /** The declared or inferred result is the global `Promise<T>`, the one type an async function may keep. */
  private returnsGlobalPromise(node: FunctionLike): boolean {
    try {
      const signature = this.core.checker.getSignatureFromDeclaration(node);
      const symbol = signature ? this.core.checker.getReturnTypeOfSignature(signature).getSymbol() : undefined;
      return symbol?.getName() === 'Promise' && (symbol.declarations ?? []).some((declaration) => /\/lib\.[\w.]*\.d\.ts$/.test(declaration.getSourceFile().fileName));
    } catch (error) {
      if (isStackOverflow(error)) return false;
      throw error;
    }
  }

  /** The result's type text when it is a thenable other than the global Promise (a promise library's, `PromiseLike<T>`). */
  private ownThenableResult(node: FunctionLike, fn: FunctionNode): string | undefined {
    try {
      if (fn.returnsPromise) return undefined;
      const signature = this.core.checker.getSignatureFromDeclaration(node);
      const result = signature ? this.core.checker.getReturnTypeOfSignature(signature) : undefined;
      if (!result || !this.core.isThenable(result, true)) return undefined;
      return node.type ? node.type.getText().replace(/\s+/g, ' ') : this.core.checker.typeToString(result);
    } catch (error) {
      if (isStackOverflow(error)) return undefined;
      throw error;
    }
  }

  private childProcessResult(node: FunctionLike): FunctionNode['returnsChildProcess'] {
    try {
      return childProcessResult(this.core.checker, node);
    } catch (error) {
      if (isStackOverflow(error)) return undefined;
      throw error;
    }
  }

  private functionName(node: FunctionLike, info: TsFileInfo, line: number): string {
    const owner = node.parent && (ts.isClassLike(node.parent) || ts.isInterfaceDeclaration(node.parent)) ? node.parent : undefined;
    const ownerName = owner?.name?.text ?? (owner ? '<anonymous class>' : undefined);
    if (ts.isConstructorDeclaration(node)) return `${ownerName}.constructor`;
    if (node.name && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name) || ts.isStringLiteral(node.name))) {
      if (ownerName) return `${ownerName}.${node.name.text}`;
      return ts.isObjectLiteralExpression(node.parent) ? `${objectOwnerPrefix(node.parent)}${node.name.text}` : node.name.text;
    }
    // A function expression or arrow takes the name of what it is assigned to.
    const parent = node.parent;
    if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    if (parent && ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) {
      const cls = parent.parent;
      return `${ts.isClassLike(cls) && cls.name ? cls.name.text : '<anonymous class>'}.${parent.name.text}`;
    }
    if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return `${objectOwnerPrefix(parent.parent)}${parent.name.text}`;
    // `exports.load = function (…) {…}` is `load` to its callers (`require('./x').load(…)`).
    const exportTarget = commonJsExportTarget(node);
    if (exportTarget && exportTarget !== 'module.exports') return exportTarget.slice(exportTarget.lastIndexOf('.') + 1);
    if (parent && (ts.isCallExpression(parent) || ts.isNewExpression(parent))) {
      // `it.each(table)('…', (n) => …)` is named after `it.each`.
      const callee = ts.isCallExpression(parent.expression) ? parent.expression.expression : parent.expression;
      const api = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : 'call';
      return `<${api} callback>@${info.file}:${line}`;
    }
    return `<anonymous>@${info.file}:${line}`;
  }

  /** The config's `public` globs when given; else what the package's entry points say (every file when it has none). */
  private fileExportsArePublic(info: TsFileInfo): boolean {
    return this.core.isPublicFile ? this.core.isPublicFile(info.file) : this.core.publicSurface.fileExportsArePublic(info.absolute);
  }

  private isExported(node: FunctionLike, info: TsFileInfo): boolean {
    // Reachable from a package entry point: public whatever its own file's syntax says (`export default { load() {…} }`).
    if (this.core.publicSurface.reachable.has(node)) return true;
    if (!this.fileExportsArePublic(info)) return false;
    if (ts.isFunctionDeclaration(node)) {
      return hasExportModifier(node) || (node.name !== undefined && (info.commonJsExports.has(node.name.text) || info.exportListNames.has(node.name.text)));
    }
    const parent = node.parent;
    // `exports.load = function (…) {…}`: what the module exports, the public API of an entry point.
    if (commonJsExportTarget(node)) return true;
    // A method (or function property) of an object literal held by an exported const is public.
    const literal = ts.isObjectLiteralExpression(parent) ? parent : ts.isPropertyAssignment(parent) ? parent.parent : undefined;
    if (literal && ts.isObjectLiteralExpression(literal) && isModuleExportsObject(literal)) return true; // `module.exports = { load() {…} }`
    if (literal && ts.isObjectLiteralExpression(literal) && ts.isVariableDeclaration(literal.parent)) {
      const statement = literal.parent.parent?.parent;
      return statement !== undefined && ts.isVariableStatement(statement) && hasExportModifier(statement);
    }
    if (ts.isMethodDeclaration(node) || ts.isMethodSignature(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
      const owner = node.parent;
      // `export type Tool = { capture(…): string }` is an interface by another name.
      const ownerExported =
        ((ts.isClassDeclaration(owner) || ts.isInterfaceDeclaration(owner)) && isExportedDeclaration(owner, info)) ||
        (ts.isTypeLiteralNode(owner) && ts.isTypeAliasDeclaration(owner.parent) && hasExportModifier(owner.parent));
      // Protected members are public to subclasses outside the project: they count.
      const isPrivate = hasModifier(node, ts.SyntaxKind.PrivateKeyword) || (node.name !== undefined && ts.isPrivateIdentifier(node.name));
      return ownerExported && !isPrivate;
    }
    if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isPropertyDeclaration(parent)) {
      const owner = parent.parent;
      const isPrivate = hasModifier(parent, ts.SyntaxKind.PrivateKeyword) || ts.isPrivateIdentifier(parent.name);
      return ts.isClassDeclaration(owner) && isExportedDeclaration(owner, info) && !isPrivate;
    }
    if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(parent)) {
      const statement = parent.parent?.parent;
      if (ts.isIdentifier(parent.name) && (info.commonJsExports.has(parent.name.text) || info.exportListNames.has(parent.name.text))) return true;
      return statement !== undefined && ts.isVariableStatement(statement) && hasExportModifier(statement);
    }
    return false;
  }

  recordExportedWrappers(): void {
    for (const { holder, info } of this.exportedWrapperHolders) {
      const call = skipParentheses(holder.initializer!);
      const wrapped = ts.isCallExpression(call) ? this.resolver.wrappedArgument(call) : undefined;
      const signature = this.core.checker.getTypeAtLocation(holder.name).getCallSignatures()[0];
      if (!wrapped || !signature || !ts.isIdentifier(holder.name)) continue;
      const parameters = signature.getParameters().map((p) => `${p.getName()}: ${this.core.checker.typeToString(this.core.checker.getTypeOfSymbolAtLocation(p, holder))}`);
      const result = this.core.checker.typeToString(signature.getReturnType());
      const name = holder.name.text;
      const start = holder.getStart(info.sourceFile);
      const { line, column } = lineAndColumn(info.lineStarts, start);
      for (const id of this.resolver.functionsOfExpression(wrapped)) {
        const fn = this.core.state.functions.get(id)!;
        (fn.exportedAs ??= []).push({
          name,
          location: { file: info.file, line, column },
          signature: `const ${name}: (${parameters.join(', ')}) => ${result}`,
          asyncSignature: `const ${name}: (${parameters.join(', ')}) => ${/^Promise</.test(result) ? result : `Promise<${result}>`}`,
        });
      }
    }
  }

  /**
   * `const read = traced('read', readImpl)` inside a function: its calls are followed like those of a
   * module-level holder. Only a local given a function by name (one of the project's names) or
   * inline counts, so that common local names (`const data = parse(text)`) stay out of the name filter.
   */
  registerLocalHolders(): void {
    for (const holder of this.localHolders) {
      const call = skipParentheses(holder.initializer!) as ts.CallExpression;
      const givesFunction = call.arguments.some((argument) => {
        const inner = skipParentheses(argument);
        const name = ts.isPropertyAccessExpression(inner) ? inner.name : inner;
        return ts.isArrowFunction(inner) || ts.isFunctionExpression(inner) || (ts.isIdentifier(name) && this.core.functionNames.has(name.text));
      });
      if (givesFunction) this.core.functionNames.add((holder.name as ts.Identifier).text);
    }
  }

  /** `load` beside a hand-written `async loadAsync`: the dual strategy uses that one. */
  /** A function bound by a name declared twice or re-assigned stays sync (see `rebound-names.ts`). */
  markReboundNames(): void {
    this.reboundNames.markFunctions();
  }

  /** Every value a name bound twice or re-assigned may hold (see `ReboundNames.valuesOf`). */
  reboundValues(name: ts.Identifier): ts.Node[] | undefined {
    return this.reboundNames.valuesOf(name);
  }

  markExistingSiblings(): void {
    for (const [id, declaration] of this.core.state.declarations) {
      const fn = this.core.state.functions.get(id)!;
      if (fn.isAsync || fn.kind === 'module' || fn.kind === 'constructor') continue;
      const sibling = existingSibling(declaration);
      if (!sibling || !(fn.kind === 'abstract-method' || isAwaitableSibling(sibling))) continue;
      fn.asyncSibling = asyncSiblingName(fn.name.slice(fn.name.lastIndexOf('.') + 1));
    }
  }
}
