// The per-file editor the TypeScript fixes and the plan emitter write into. Fixes are transactional
// (all of a fix's edits or none); imports and helper declarations are gathered and written once.
import { ts } from '@ts-morph/common';
import type { TextEdit } from '../../edits/edit-set.js';
import type { FileEditor } from '../../frontend.js';
import { normalizeModule } from './imports.js';
import type { TsFileInfo } from './analyze.js';
import { walkTree } from './walk.js';

interface ImportRequest {
  module: string;
  name: string;
  local: string;
  owner?: string;
}

export class TsFileEditor implements FileEditor {
  readonly file: string;
  readonly edits: TextEdit[] = [];
  private pending: TextEdit[] | undefined;
  private readonly newImports: ImportRequest[] = [];
  private readonly declarations = new Map<string, { local: string; text: string; owner?: string }>();
  /** Stamped on every edit recorded from now on (`TextEdit.owner`): the emitter sets it per step. */
  owner: string | undefined;
  private usedNames: Set<string> | undefined;
  /** Imports the new code refers to (`promisify(randomBytes)`): they stay, whatever the fixes replaced. */
  readonly referencedImports = new Set<string>();
  private readonly eol: string;
  private readonly quote: string;

  constructor(readonly info: TsFileInfo) {
    this.file = info.absolute;
    const text = info.sourceFile.text;
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    this.quote = quoteStyle(info.sourceFile);
    this.usesRequire = usesRequireSyntax(info);
  }

  /** New imports follow the syntax the file already uses: `require` only where the file requires. */
  private readonly usesRequire: boolean;

  /** Runs a fix; keeps its edits only if it returns true. */
  transaction(fix: (editor: FileEditor) => boolean): boolean {
    this.pending = [];
    const importCount = this.newImports.length;
    const declarationKeys = new Set(this.declarations.keys());
    let ok = false;
    try {
      ok = fix(this);
    } finally {
      const pending = this.pending;
      this.pending = undefined;
      if (ok) this.edits.push(...pending);
      else {
        this.newImports.length = importCount;
        for (const key of [...this.declarations.keys()]) if (!declarationKeys.has(key)) this.declarations.delete(key);
      }
    }
    return ok;
  }

  private record(edit: TextEdit): void {
    (this.pending ?? this.edits).push(this.owner === undefined ? edit : { ...edit, owner: this.owner });
  }

  insert(at: number, text: string, order?: number): void {
    this.record({ start: at, end: at, text, source: 'fix', order });
  }

  replace(start: number, end: number, text: string): void {
    this.record({ start, end, text, source: 'fix' });
  }

  /** Every identifier of the file (not words in comments): a new local name must avoid them all. */
  private names(): Set<string> {
    if (!this.usedNames) {
      const names = new Set<string>();
      // Property and member names are not bindings: `crypto.randomBytes` leaves `randomBytes` free.
      walkTree(this.info.sourceFile, (node) => {
        if (ts.isIdentifier(node) && !isMemberName(node)) names.add(node.text);
      });
      this.usedNames = names;
    }
    return this.usedNames;
  }

  /** Keeps a name a later edit will introduce (an async sibling) from being chosen for an import. */
  reserveName(name: string): void {
    this.names().add(name);
  }

  freshName(preferred: string): string {
    const names = this.names();
    let candidate = preferred;
    for (let i = 2; names.has(candidate); i++) candidate = `${preferred}${i}`;
    names.add(candidate);
    return candidate;
  }

  ensureImport(module: string, name: string, preferredLocal?: string): string {
    const wanted = normalizeModule(module);
    const existing = this.existingImport(wanted, name);
    if (existing) {
      this.referencedImports.add(existing.local);
      return existing.text;
    }
    const requested = this.newImports.find((request) => normalizeModule(request.module) === wanted && request.name === name);
    if (requested) return requested.local;
    const base = preferredLocal ?? name;
    const local = this.names().has(base) ? this.freshName(`${base}Async`) : this.freshName(base);
    this.newImports.push({ module, name, local, owner: this.owner });
    return local;
  }

  /**
   * An import the file has that reaches `name`: the binding itself, or a member of a namespace
   * (`import * as fsp from 'fs/promises'` -> `fsp.readFile`, `import { promises as fs } from 'fs'` ->
   * `fs.readFile`), so that no second import of the same module is added beside it.
   */
  private existingImport(wanted: string, name: string): { local: string; text: string } | undefined {
    let member: { local: string; text: string } | undefined;
    for (const [local, imported] of this.info.imports) {
      const from = normalizeModule(imported.module);
      if (from === wanted && imported.name === name) return { local, text: local };
      // A Node built-in's default export is its namespace too.
      const isNamespace = imported.name === '*' || (imported.name === 'default' && NODE_BUILTIN_DEFAULTS.has(from));
      if (!member && ((from === wanted && isNamespace) || (`${from}/${imported.name}` === wanted && wanted === 'fs/promises'))) {
        member = { local, text: `${local}.${name}` };
      }
    }
    return member;
  }

  ensureDeclaration(key: string, preferredName: string, text: (local: string) => string): string {
    const existing = this.declarations.get(key);
    if (existing) return existing.local;
    // A declaration an earlier run wrote (`const execFileAsync = promisify(execFile)`) is reused, so a
    // second run adds no `execFileAsync2`.
    const wanted = withoutSemicolon(text(preferredName));
    const written = this.info.sourceFile.statements.some((statement) => ts.isVariableStatement(statement) && withoutSemicolon(statement.getText(this.info.sourceFile)) === wanted);
    if (written) return preferredName;
    const local = this.freshName(preferredName);
    this.declarations.set(key, { local, text: text(local), owner: this.owner });
    return local;
  }

  /**
   * A statement rewritten to start with `(`, `[` or a template (`(await readFile(f)).length`) would
   * continue the previous one when that one ends without a semicolon (ASI): a `;` goes first, as
   * prettier and standard write it.
   */
  guardStatementStarts(): void {
    const byStart = new Map<number, TextEdit[]>();
    for (const edit of this.edits) byStart.set(edit.start, [...(byStart.get(edit.start) ?? []), edit]);
    const { sourceFile } = this.info;
    walkTree(sourceFile, (node) => {
      if (!ts.isExpressionStatement(node)) return true;
      const start = node.getStart(sourceFile);
      const first = (byStart.get(start) ?? []).filter((edit) => edit.text !== '').sort((a, b) => a.end - b.end || (a.order ?? 0) - (b.order ?? 0))[0];
      if (first && /^[([`]/.test(first.text) && !/^[([`]/.test(sourceFile.text.slice(start, start + 1)) && continuesPrevious(node, sourceFile)) {
        this.edits.push({ start, end: start, text: ';', source: 'fix', order: -3_000_000, owner: first.owner });
      }
      return true;
    });
  }

  /** Writes the gathered imports and declarations as edits: merged into an import from the same module when there is one. */
  flushImports(): void {
    const { sourceFile } = this.info;
    const text = sourceFile.text;
    const importLines: string[] = [];
    const byModule = new Map<string, ImportRequest[]>();
    for (const request of this.newImports) {
      const list = byModule.get(request.module) ?? [];
      list.push(request);
      byModule.set(request.module, list);
    }
    const at = this.importInsertionPoint();
    // Where each name a new declaration may read is bound: a CommonJS emit evaluates the imports
    // (requires) in order, so `promisify(execFile)` must come after the statement binding `execFile`.
    const boundAfter = new Map<string, number>();
    // A block of new lines is one edit: it belongs to the first fix that asked for a line of it.
    let blockOwner: string | undefined;
    for (const [local, imported] of this.info.imports) boundAfter.set(local, lineEndAfter(text, imported.declaration.end));
    for (const [module, requests] of byModule) {
      const specifiers = requests.map((r) =>
        r.local === r.name ? r.name : this.usesRequire ? `${r.name}: ${r.local}` : `${r.name} as ${r.local}`,
      );
      const existing = this.usesRequire ? undefined : this.mergeableImport(module);
      if (existing) {
        const last = existing.elements[existing.elements.length - 1]!;
        this.edits.push({ start: last.end, end: last.end, text: `, ${specifiers.join(', ')}`, source: 'import', owner: requests[0]?.owner });
        for (const request of requests) boundAfter.set(request.local, lineEndAfter(text, existing.end));
        continue;
      }
      const q = this.quote;
      importLines.push(
        this.usesRequire
          ? `const { ${specifiers.join(', ')} } = require(${q}${module}${q});`
          : `import { ${specifiers.join(', ')} } from ${q}${module}${q};`,
      );
      for (const request of requests) boundAfter.set(request.local, at.offset);
      blockOwner ??= requests[0]?.owner;
    }
    // Each declaration goes below the import block, or below the last binding it reads when that is later.
    const declarationsAt = new Map<number, string[]>([[at.offset, importLines]]);
    const ownerAt = new Map<number, string | undefined>([[at.offset, blockOwner]]);
    for (const { text: declaration, owner } of this.declarations.values()) {
      let offset = at.offset;
      for (const name of declaration.match(/[A-Za-z_$][\w$]*/g) ?? []) offset = Math.max(offset, boundAfter.get(name) ?? offset);
      declarationsAt.set(offset, [...(declarationsAt.get(offset) ?? []), declaration]);
      if (ownerAt.get(offset) === undefined) ownerAt.set(offset, owner);
    }
    // New statements follow the file's style: no semicolons in a file written without them.
    const semicolons = usesSemicolons(sourceFile);
    for (const [offset, lines] of declarationsAt) {
      if (lines.length === 0) continue;
      const block = lines.map((line) => (semicolons ? line : line.replace(/;$/, ''))).join(this.eol) + this.eol;
      // At the top of a file, a blank line separates the new imports from the code below.
      const needsBlankAfter = offset === at.offset && at.atTop && offset < text.length && !/^\r?\n/.test(text.slice(offset));
      this.edits.push({ start: offset, end: offset, text: block + (needsBlankAfter ? this.eol : ''), source: 'import', order: -2_000_000, owner: ownerAt.get(offset) });
    }
  }

  private mergeableImport(module: string): ts.NamedImports | undefined {
    const wanted = normalizeModule(module);
    for (const statement of this.info.sourceFile.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      if (normalizeModule(statement.moduleSpecifier.text) !== wanted) continue;
      const clause = statement.importClause;
      if (clause && !clause.isTypeOnly && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0) {
        return clause.namedBindings;
      }
    }
    return undefined;
  }

  /**
   * The start of the line after the last import (in a file that requires: the leading requires). With none: above the first statement and
   * the comments attached to it (a doc comment stays with its function), below a shebang, a
   * directive or a header comment separated by a blank line.
   */
  private importInsertionPoint(): { offset: number; atTop: boolean } {
    const { sourceFile } = this.info;
    const text = sourceFile.text;
    let last: ts.Statement | undefined;
    for (const statement of sourceFile.statements) {
      if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) || isRequireStatement(statement) || isDirective(statement)) last = statement;
      else break;
    }
    // A file that imports: after its last import declaration, wherever that is (code may sit between
    // imports), and not after a `require` that the next line already uses.
    if (!this.usesRequire) {
      const imports = sourceFile.statements.filter((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s));
      const lastImport = imports[imports.length - 1];
      if (lastImport) last = lastImport;
    }
    if (last) return { offset: lineEndAfter(text, last.end), atTop: false };
    const first = sourceFile.statements[0];
    if (!first) return { offset: text.length, atTop: true };
    let offset = lineStartOf(text, first.getStart(sourceFile));
    const comments = ts.getLeadingCommentRanges(text, first.pos) ?? [];
    for (let i = comments.length - 1; i >= 0; i--) {
      const comment = comments[i]!;
      const gap = text.slice(comment.end, offset);
      if ((gap.match(/\n/g) ?? []).length > 1) break; // a blank line: a file header, not this statement's
      offset = lineStartOf(text, comment.pos);
    }
    return { offset, atTop: true };
  }
}

/** Node built-ins whose default import is the module namespace (`import fsp from 'fs/promises'`). */
const NODE_BUILTIN_DEFAULTS = new Set(['fs', 'fs/promises', 'timers/promises', 'child_process', 'zlib', 'crypto', 'util', 'os', 'path']);

/** Most of the file's simple statements end with `;` (prettier's `semi`, standard's style). */
function usesSemicolons(sourceFile: ts.SourceFile): boolean {
  let withSemicolon = 0;
  let without = 0;
  walkTree(sourceFile, (node) => {
    if (ts.isExpressionStatement(node) || ts.isVariableStatement(node) || ts.isImportDeclaration(node) || ts.isReturnStatement(node)) {
      if (sourceFile.text[node.end - 1] === ';') withSemicolon++;
      else without++;
    }
    return !ts.isExpression(node);
  });
  return withSemicolon >= without;
}

/** The statement before this one in its block ends without a semicolon, so ASI is all that ends it. */
function continuesPrevious(statement: ts.ExpressionStatement, sourceFile: ts.SourceFile): boolean {
  const parent = statement.parent;
  const siblings: readonly ts.Statement[] | undefined = ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isModuleBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent) ? parent.statements : undefined;
  if (!siblings) return false;
  const previous = siblings[siblings.indexOf(statement) - 1];
  if (!previous) return false;
  // Declarations and compound statements end in `}` that no expression can continue.
  if (!(ts.isExpressionStatement(previous) || ts.isVariableStatement(previous) || ts.isReturnStatement(previous) || ts.isThrowStatement(previous) ||
    ts.isBreakStatement(previous) || ts.isContinueStatement(previous) || ts.isDoStatement(previous) || ts.isImportDeclaration(previous) ||
    ts.isExportDeclaration(previous) || ts.isExportAssignment(previous) || ts.isTypeAliasDeclaration(previous) || ts.isImportEqualsDeclaration(previous))) {
    return false;
  }
  return sourceFile.text[previous.end - 1] !== ';';
}

/** The start of the line after the one `offset` is on (the end of the text on the last line). */
function lineEndAfter(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The quote the file's module specifiers (or, failing those, its first string) use. */
export function quoteStyle(sourceFile: ts.SourceFile): string {
  let quote: string | undefined;
  const visit = (root: ts.Node): void =>
    walkTree(root, (node) => {
      if (quote) return false;
      if (ts.isStringLiteral(node)) quote = sourceFile.text[node.getStart(sourceFile)];
      return quote === undefined;
    });
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) || isRequireStatement(statement)) visit(statement);
  }
  if (!quote) visit(sourceFile);
  return quote === "'" ? "'" : '"';
}

/** JavaScript that requires: TypeScript files and files with `import` statements always import. */
function usesRequireSyntax(info: TsFileInfo): boolean {
  const { sourceFile } = info;
  if (sourceFile.statements.some((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s))) return false;
  if (sourceFile.statements.some(isRequireStatement)) return true;
  return info.isCommonJs && /\.(c?js|jsx)$/.test(sourceFile.fileName);
}

function isMemberName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isPropertyAccessExpression(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodSignature(parent)) &&
    parent.name === node
  );
}

function isDirective(statement: ts.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression);
}

function isRequireStatement(statement: ts.Statement): boolean {
  if (!ts.isVariableStatement(statement)) return false;
  return statement.declarationList.declarations.every((declaration) => {
    const init = declaration.initializer;
    return init !== undefined && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require';
  });
}

function withoutSemicolon(statement: string): string {
  return statement.trim().replace(/;$/, '');
}
