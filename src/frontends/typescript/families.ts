// Method families of the TypeScript front-end: an interface or abstract member, its implementations
// and overrides (classes and object literals typed by an interface). They are recorded between the
// declaration pass and the walk that records sites and runs the rules, so a rule can ask which
// members a call may dispatch to.
import { ts } from '@ts-morph/common';
import type { FunctionId, FunctionNode } from '../../model.js';

/** What the family recorder needs of the analyzer. */
export interface FamilyHost {
  readonly checker: ts.TypeChecker;
  readonly functions: ReadonlyMap<FunctionId, FunctionNode>;
  idOf(declaration: ts.Node): FunctionId | undefined;
  /** The project functions a symbol declares (through aliases, holders and overloads). */
  functionsOfSymbol(symbol: ts.Symbol | undefined): FunctionId[];
}

export class MethodFamilies {
  /** Union-find over function ids: the families. */
  private readonly parent = new Map<FunctionId, FunctionId>();
  /** Member -> the members it implements or overrides, directly. */
  private readonly bases = new Map<FunctionId, Set<FunctionId>>();
  /** Member -> the members that implement or override it, directly. */
  private readonly overriders = new Map<FunctionId, Set<FunctionId>>();

  constructor(private readonly host: FamilyHost) {}

  /** Whether a node may link family members: a class or interface with heritage, an object literal with function members. */
  static mayLink(node: ts.Node): boolean {
    if (ts.isClassLike(node) || ts.isInterfaceDeclaration(node)) return (node.heritageClauses ?? []).length > 0;
    return ts.isObjectLiteralExpression(node) && functionMembers(node).length > 0;
  }

  record(node: ts.Node): void {
    if (ts.isClassLike(node) || ts.isInterfaceDeclaration(node)) this.recordHeritage(node);
    else if (ts.isObjectLiteralExpression(node)) this.recordObjectLiteral(node);
  }

  groups(): Map<FunctionId, FunctionId[]> {
    const groups = new Map<FunctionId, FunctionId[]>();
    for (const id of this.parent.keys()) {
      const root = this.find(id);
      const list = groups.get(root) ?? [];
      list.push(id);
      groups.set(root, list);
    }
    return groups;
  }

  /**
   * The members a call of `id` may run instead of it, or that it stands in for: what it implements
   * or overrides (transitively) and what implements or overrides it (transitively). Siblings (two
   * implementations of one interface) are not on the line: a call typed by one never runs the other.
   */
  dispatchLine(id: FunctionId): FunctionId[] {
    const line = new Set<FunctionId>();
    const follow = (edges: Map<FunctionId, Set<FunctionId>>): void => {
      const queue = [id];
      while (queue.length > 0) {
        for (const next of edges.get(queue.shift()!) ?? []) {
          if (next === id || line.has(next)) continue;
          line.add(next);
          queue.push(next);
        }
      }
    };
    follow(this.bases);
    follow(this.overriders);
    return [...line];
  }

  private find(id: FunctionId): FunctionId {
    let root = id;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(id, root);
    return root;
  }

  private link(base: FunctionId, member: FunctionId): void {
    const ra = this.find(base);
    const rb = this.find(member);
    if (ra !== rb) this.parent.set(rb, ra);
    if (base === member) return;
    addTo(this.bases, member, base);
    addTo(this.overriders, base, member);
  }

  /** `const store: Store = { get() { … } }`: the literal's methods implement the interface's members. */
  private recordObjectLiteral(literal: ts.ObjectLiteralExpression): void {
    const members = functionMembers(literal);
    if (members.length === 0) return;
    const contextual = this.host.checker.getContextualType(literal);
    if (!contextual) return;
    for (const member of members) {
      const declaration = ts.isMethodDeclaration(member) ? member : (member as ts.PropertyAssignment).initializer;
      const id = this.host.idOf(declaration);
      if (!id || !member.name || !(ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) continue;
      for (const baseId of this.host.functionsOfSymbol(contextual.getProperty(member.name.text))) this.link(baseId, id);
    }
  }

  /** Links each class method to the members it implements or overrides (interfaces, base classes). */
  private recordHeritage(node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration): void {
    const heritage = node.heritageClauses ?? [];
    if (heritage.length === 0) return;
    for (const member of node.members) {
      if (!(ts.isMethodDeclaration(member) || ts.isMethodSignature(member))) continue;
      const id = this.host.idOf(member);
      if (!id || !member.name || !(ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) continue;
      for (const clause of heritage) {
        for (const typeNode of clause.types) {
          const baseType = this.host.checker.getTypeAtLocation(typeNode);
          const property = baseType.getProperty(member.name.text);
          if (!property) continue;
          const baseIds = this.host.functionsOfSymbol(property);
          for (const baseId of baseIds) this.link(baseId, id);
          // The member it implements is declared outside the project, or as a property: its
          // signature cannot change with this one, so this one cannot turn async.
          if (baseIds.length === 0) this.markFixedSignature(id, typeNode.getText(), property);
        }
      }
    }
  }

  private markFixedSignature(id: FunctionId, base: string, property: ts.Symbol): void {
    const fn = this.host.functions.get(id);
    if (!fn || fn.syncOnly) return;
    const declaration = property.declarations?.[0];
    const where = declaration && declaration.getSourceFile().fileName.includes('/node_modules/') ? 'a library' : 'this project, as a property';
    fn.syncOnly = {
      kind: 'family',
      reason: `${fn.name} implements ${base}.${property.getName()}, declared in ${where}; its signature cannot change`,
      suggestion: `Keep ${fn.name} sync for ${base} and add an async sibling (--strategy dual), or change ${base}.${property.getName()} to return a promise first.`,
    };
  }
}

function functionMembers(literal: ts.ObjectLiteralExpression): ts.ObjectLiteralElementLike[] {
  return literal.properties.filter(
    (p) => ts.isMethodDeclaration(p) || (ts.isPropertyAssignment(p) && (ts.isArrowFunction(p.initializer) || ts.isFunctionExpression(p.initializer))),
  );
}

function addTo(map: Map<FunctionId, Set<FunctionId>>, key: FunctionId, value: FunctionId): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
