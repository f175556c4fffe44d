// A syntactic name resolver: no type inference beyond annotations, constructor calls and `self.x`
// assignments. It answers "what does this expression name?" for calls, receivers and annotations.
import { RESULT_TYPES } from './blocking-apis.js';
import { firstParameterName, type ImportBinding, type PyClass, type PyFunction, type PyModule } from './modules.js';
import { namedChildren, type PyNode } from './parser.js';

export type PySymbol =
  | { kind: 'module'; module: string; project?: PyModule }
  | { kind: 'function'; fn: PyFunction }
  | { kind: 'class'; cls: PyClass }
  | { kind: 'instance'; cls: PyClass }
  /** Something outside the project, by dotted path (`time.sleep`, `redis.Redis`). */
  | { kind: 'external'; path: string }
  /** An object made by an external constructor (`redis.Redis(...)`), by the constructor's path. */
  | { kind: 'external-instance'; path: string };

const CONTAINER_TYPES = new Set(['List', 'list', 'Dict', 'dict', 'Set', 'set', 'Tuple', 'tuple', 'Sequence',
  'Iterable', 'Iterator', 'Mapping', 'Callable', 'Type', 'type', 'Awaitable', 'Coroutine', 'Generator']);
const WRAPPER_TYPES = new Set(['Optional', 'Union', 'Final', 'ClassVar', 'Annotated']);

export class Resolver {
  readonly modules = new Map<string, PyModule>();
  private readonly localTypes = new Map<string, Map<string, PyNode>>();

  constructor(modules: readonly PyModule[]) {
    for (const module of modules) this.modules.set(module.name, module);
  }

  /** A name as seen from inside `fn` (locals and parameters first, then the module). */
  resolveName(name: string, fn: PyFunction | undefined, module: PyModule): PySymbol | undefined {
    for (let scope = fn; scope && scope.kind !== 'module'; scope = scope.parent) {
      const closure = scope.nested.get(name);
      if (closure) return { kind: 'function', fn: closure };
      const imported = scope.imports?.get(name);
      if (imported) return this.resolveBinding(imported, new Set());
      const local = this.locals(scope).get(name);
      if (local) return this.typeOfAssignedNode(local, scope);
      if (scope.cls && name === firstParameterName(scope.node) && !scope.decorators.includes('staticmethod')) {
        return scope.decorators.includes('classmethod') ? { kind: 'class', cls: scope.cls } : { kind: 'instance', cls: scope.cls };
      }
    }
    return this.resolveModuleName(module, name, new Set());
  }

  resolveModuleName(module: PyModule, name: string, seen: Set<string>): PySymbol | undefined {
    const fn = module.functions.get(name);
    if (fn) return { kind: 'function', fn };
    const cls = module.classes.get(name);
    if (cls) return { kind: 'class', cls };
    const binding = module.imports.get(name);
    if (binding) return this.resolveBinding(binding, seen);
    const variable = module.variables.get(name);
    const key = `${module.name}:=${name}`;
    if (variable && !seen.has(key)) {
      seen.add(key);
      return variable.type === 'type' ? this.resolveAnnotation(variable, module) : this.resolveExpression(variable, module.topLevel, module);
    }
    if (name === 'open' || name === 'print' || name === 'input') return { kind: 'external', path: `builtins.${name}` };
    return undefined;
  }

  private resolveBinding(binding: ImportBinding, seen: Set<string>): PySymbol {
    if (binding.kind === 'module') return this.moduleSymbol(binding.module);
    const target = this.modules.get(binding.module);
    const key = `${binding.module}:${binding.name}`;
    if (target && !seen.has(key)) {
      seen.add(key);
      const found = this.resolveModuleName(target, binding.name, seen);
      if (found) return found;
    }
    const submodule = `${binding.module}.${binding.name}`;
    if (this.modules.has(submodule)) return this.moduleSymbol(submodule);
    return { kind: 'external', path: submodule };
  }

  private moduleSymbol(module: string): PySymbol {
    return { kind: 'module', module, project: this.modules.get(module) };
  }

  /** What an expression evaluates to, as far as syntax tells. */
  resolveExpression(node: PyNode, fn: PyFunction | undefined, module: PyModule): PySymbol | undefined {
    switch (node.type) {
      case 'identifier':
        return this.resolveName(node.text, fn, module);
      case 'parenthesized_expression': {
        const inner = node.namedChild(0);
        return inner ? this.resolveExpression(inner, fn, module) : undefined;
      }
      case 'await': {
        const inner = node.namedChild(0);
        return inner ? this.resolveExpression(inner, fn, module) : undefined;
      }
      case 'attribute': {
        const object = node.childForFieldName('object')!;
        const attr = node.childForFieldName('attribute')!.text;
        return this.member(this.resolveExpression(object, fn, module), attr);
      }
      case 'call': {
        const callee = node.childForFieldName('function')!;
        if (callee.type === 'identifier' && callee.text === 'super' && fn?.cls) {
          const base = this.baseClasses(fn.cls)[0];
          return base ? { kind: 'instance', cls: base } : undefined;
        }
        const symbol = this.resolveExpression(callee, fn, module);
        // `await asyncio.to_thread(open, p)` gives what `open(p)` gives (a migrated call keeps its type).
        if (symbol?.kind === 'external' && symbol.path === 'asyncio.to_thread') {
          const target = node.childForFieldName('arguments')?.namedChild(0);
          return target && target.type !== 'keyword_argument' ? this.resultOfCall(this.resolveExpression(target, fn, module)) : undefined;
        }
        return this.resultOfCall(symbol);
      }
      default:
        return undefined;
    }
  }

  member(owner: PySymbol | undefined, attr: string): PySymbol | undefined {
    if (!owner) return undefined;
    switch (owner.kind) {
      case 'module': {
        if (owner.project) {
          const found = this.resolveModuleName(owner.project, attr, new Set());
          if (found) return found;
        }
        const submodule = `${owner.module}.${attr}`;
        if (this.modules.has(submodule)) return this.moduleSymbol(submodule);
        return { kind: 'external', path: submodule };
      }
      case 'class':
      case 'instance': {
        const method = this.findMethod(owner.cls, attr);
        if (method) return { kind: 'function', fn: method };
        if (owner.kind === 'instance') return this.attributeType(owner.cls, attr);
        return undefined;
      }
      case 'external':
        return { kind: 'external', path: `${owner.path}.${attr}` };
      case 'external-instance':
        return { kind: 'external', path: `${owner.path}.${attr}` };
      default:
        return undefined;
    }
  }

  private resultOfCall(callee: PySymbol | undefined): PySymbol | undefined {
    if (!callee) return undefined;
    if (callee.kind === 'class') return { kind: 'instance', cls: callee.cls };
    if (callee.kind === 'external') {
      const known = RESULT_TYPES.get(callee.path);
      if (known) return { kind: 'external-instance', path: known };
      const last = callee.path.split('.').pop() ?? '';
      // `Redis(...)`, `redis.from_url(...)`: a client object; its methods are named by the constructor.
      if (/^[A-Z]/.test(last)) return { kind: 'external-instance', path: callee.path };
      if (last === 'from_url') return { kind: 'external-instance', path: callee.path.replace(/\.from_url$/, '.Redis') };
      return undefined;
    }
    if (callee.kind === 'function') {
      const returns = callee.fn.node.childForFieldName('return_type');
      return returns ? this.resolveAnnotation(returns, callee.fn.module) : undefined;
    }
    return undefined;
  }

  /** The class an annotation names (`X`, `"X"`, `Optional[X]`, `X | None`, `mod.X`). */
  resolveAnnotation(annotation: PyNode, module: PyModule): PySymbol | undefined {
    const text = annotation.text.trim().replace(/^["']|["']$/g, '');
    const outer = /^([\p{L}\p{N}_.]+)\s*\[/u.exec(text)?.[1];
    if (outer && CONTAINER_TYPES.has(outer.split('.').pop()!)) return undefined;
    // Python identifiers may be any letters (`Grüße`), hence the Unicode classes.
    for (const token of text.match(/[\p{L}_][\p{L}\p{N}_.]*/gu) ?? []) {
      const last = token.split('.').pop()!;
      if (WRAPPER_TYPES.has(last) || last === 'None') continue;
      const parts = token.split('.');
      let symbol = this.resolveModuleName(module, parts[0]!, new Set());
      for (const part of parts.slice(1)) symbol = this.member(symbol, part);
      if (symbol?.kind === 'class') return { kind: 'instance', cls: symbol.cls };
      if (symbol?.kind === 'external' && /^\p{Lu}/u.test(last)) return { kind: 'external-instance', path: symbol.path };
    }
    return undefined;
  }

  attributeType(cls: PyClass, attr: string): PySymbol | undefined {
    for (const klass of this.mro(cls)) {
      const info = klass.attributes.get(attr);
      if (!info) continue;
      if (info.typeNode) return this.resolveAnnotation(info.typeNode, klass.module);
      if (info.valueNode) return this.resolveExpression(info.valueNode, info.method, klass.module);
    }
    return undefined;
  }

  /** Parameters (by annotation) and assignments of a function body: the first binding wins. */
  private locals(fn: PyFunction): Map<string, PyNode> {
    let map = this.localTypes.get(fn.id);
    if (map) return map;
    map = new Map();
    this.localTypes.set(fn.id, map);
    const parameters = fn.node.childForFieldName('parameters');
    for (const parameter of parameters ? namedChildren(parameters) : []) {
      if (parameter.type === 'typed_parameter' || parameter.type === 'typed_default_parameter') {
        const name = parameter.childForFieldName('name') ?? namedChildren(parameter)[0];
        const type = parameter.childForFieldName('type');
        if (name && type) map.set(name.text, type);
      }
    }
    const body = fn.node.childForFieldName('body');
    if (body && fn.kind !== 'arrow') {
      for (const binding of body.descendantsOfType(['assignment', 'with_item'])) {
        if (binding?.type === 'with_item') {
          // `with open(p) as f`: f is what the context expression gives (its `__enter__`).
          const pattern = binding.childForFieldName('value');
          const target = pattern?.type === 'as_pattern' ? pattern.childForFieldName('alias')?.namedChild(0) : undefined;
          const value = pattern?.namedChild(0);
          if (target?.type === 'identifier' && value && !map.has(target.text)) map.set(target.text, value);
          continue;
        }
        const left = binding?.childForFieldName('left');
        if (!binding || left?.type !== 'identifier' || map.has(left.text)) continue;
        const node = binding.childForFieldName('type') ?? binding.childForFieldName('right');
        if (node) map.set(left.text, node);
      }
    }
    return map;
  }

  private typeOfAssignedNode(node: PyNode, fn: PyFunction): PySymbol | undefined {
    if (node.type === 'type') return this.resolveAnnotation(node, fn.module);
    const value = this.resolveExpression(node, fn, fn.module);
    return node.parent?.type === 'as_pattern' ? this.enteredValue(value) : value;
  }

  /** What `with x as name` binds: the declared result of a project class's `__enter__`, else `x` itself. */
  private enteredValue(symbol: PySymbol | undefined): PySymbol | undefined {
    if (symbol?.kind !== 'instance') return symbol;
    const enter = this.findMethod(symbol.cls, '__enter__') ?? this.findMethod(symbol.cls, '__aenter__');
    const returns = enter?.node.childForFieldName('return_type');
    return (returns && this.resolveAnnotation(returns, enter!.module)) || symbol;
  }

  baseClasses(cls: PyClass): PyClass[] {
    const result: PyClass[] = [];
    for (const base of cls.bases) {
      const symbol = this.resolveExpression(base.type === 'subscript' ? base.childForFieldName('value')! : base, undefined, cls.module);
      if (symbol?.kind === 'class' && symbol.cls !== cls) result.push(symbol.cls);
    }
    return result;
  }

  private readonly mroCache = new Map<PyClass, PyClass[]>();

  /** The class and its project ancestors, depth first (cached: families ask for it per method). */
  mro(cls: PyClass): PyClass[] {
    const cached = this.mroCache.get(cls);
    if (cached) return cached;
    const order: PyClass[] = [];
    const walk = (klass: PyClass): void => {
      if (order.includes(klass)) return;
      order.push(klass);
      for (const base of this.baseClasses(klass)) walk(base);
    };
    walk(cls);
    this.mroCache.set(cls, order);
    return order;
  }

  findMethod(cls: PyClass, name: string): PyFunction | undefined {
    for (const klass of this.mro(cls)) {
      const method = klass.methods.get(name);
      if (method) return method;
    }
    return undefined;
  }

  /** The dotted names of the bases as written resolved to a path (`typing.Protocol`, `unittest.TestCase`). */
  basePaths(cls: PyClass): string[] {
    return cls.bases.map((base) => {
      const node = base.type === 'subscript' ? base.childForFieldName('value')! : base;
      const symbol = this.resolveExpression(node, undefined, cls.module);
      if (symbol?.kind === 'external') return symbol.path;
      if (symbol?.kind === 'class') return symbol.cls.qualifiedName;
      return node.text;
    });
  }

  isProtocol(cls: PyClass): boolean {
    return this.basePaths(cls).some((p) => p === 'typing.Protocol' || p === 'typing_extensions.Protocol' || p === 'Protocol');
  }

  isAbstract(cls: PyClass): boolean {
    return this.isProtocol(cls) || this.basePaths(cls).some((p) => p === 'abc.ABC' || p === 'ABC');
  }

  isTestCase(cls: PyClass): boolean {
    return this.mro(cls).some((klass) =>
      this.basePaths(klass).some((p) => p === 'unittest.TestCase' || p === 'unittest.IsolatedAsyncioTestCase'),
    );
  }
}

export function qualifiedNameOf(fn: PyFunction): string {
  return fn.module.name ? `${fn.module.name}.${fn.qualName}` : fn.qualName;
}
