// A syntactic name resolver: no type inference beyond annotations, constructor calls and `self.x`
// assignments. It answers "what does this expression name?" for calls, receivers and annotations.
import { splitTopLevel } from './annotation-text.js';
import { RESULT_TYPES, SELF_RETURNING_TYPES } from './blocking-apis.js';
import { firstParameterName, isPytestFixture, isPytestFunction, type ImportBinding, type PyClass, type PyFunction, type PyModule } from './modules.js';
import { namedChildren, type PyNode } from './parser.js';
import { PYTHON_STDLIB_MODULES } from './stdlib-modules.js';

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

const LITERAL_TYPES: Record<string, string> = {
  dictionary: 'dict', dictionary_comprehension: 'dict', list: 'list', list_comprehension: 'list', set: 'set',
  set_comprehension: 'set', tuple: 'tuple', string: 'str', concatenated_string: 'str', integer: 'int', float: 'float',
};
const BUILTIN_CONTAINERS: Record<string, string> = { dict: 'dict', Dict: 'dict', list: 'list', List: 'list', set: 'set', Set: 'set', tuple: 'tuple', Tuple: 'tuple', frozenset: 'frozenset', FrozenSet: 'frozenset' };
const BUILTIN_TYPES = new Set(['dict', 'list', 'set', 'frozenset', 'tuple', 'str', 'bytes', 'bytearray', 'int', 'float', 'bool', 'object']);
/** Builtins that are never project functions (a call of one is resolved, not unknown). */
const BUILTIN_NAMES = new Set([...BUILTIN_TYPES, 'len', 'range', 'enumerate', 'zip', 'map', 'filter', 'sorted', 'reversed', 'min', 'max',
  'sum', 'any', 'all', 'abs', 'round', 'isinstance', 'issubclass', 'hasattr', 'getattr', 'setattr', 'callable', 'repr', 'iter',
  'next', 'id', 'hash', 'format', 'super', 'type', 'vars', 'dir', 'divmod', 'pow', 'chr', 'ord', 'hex', 'bin', 'oct',
  'ValueError', 'TypeError', 'KeyError', 'RuntimeError', 'Exception', 'NotImplementedError', 'AttributeError', 'IndexError',
  'OSError', 'StopIteration', 'staticmethod', 'classmethod', 'property']);

/** A function's locals: the annotation or first assigned value; null for a parameter of unknown type. */
interface FunctionLocals {
  types: Map<string, PyNode | null>;
  /** Unannotated locals bound more than once: every value bound (`f = AsyncBuffer(…)` on one path, `f = open(…)` on another). */
  rebound?: Map<string, PyNode[]>;
}

/** For how many modules (the last asked about) the locals of each function are kept. */
const LOCALS_KEPT_FOR_MODULES = 16;

/** How deep one question may follow bindings (`a = b`, `self.x = y.z`) before giving up: unknown. */
const MAX_BINDING_DEPTH = 64;

export class Resolver {
  readonly modules = new Map<string, PyModule>();
  /**
   * Each function's locals (see `FunctionLocals`), by module, for the modules asked about last: kept
   * for every function of a large project they were a fifth of the heap, and the walks go module by
   * module. Made from the syntax alone, so one made again is the same.
   */
  private readonly localsByModule = new Map<PyModule, Map<string, FunctionLocals>>();
  private localsModule: PyModule | undefined;
  /**
   * Bindings being evaluated right now. Inference follows a binding to the expression bound, which may
   * lead back to itself (`x = x.strip()`, `a = b; b = a`, `self.a = self.b; self.b = self.a`): a binding
   * met again while it is being evaluated is unknown, so every cycle ends.
   */
  private readonly evaluating = new Set<number>();
  /**
   * Rebound locals being evaluated, by `scope id + name`, with what a read of the name inside its own
   * values stands for on this pass (see `reboundSymbol`).
   */
  private readonly reboundInProgress = new Map<string, PySymbol | undefined>();

  /**
   * Other names of project modules: the name a module has through a symlinked folder inside the root
   * (`linked.io` for `lib/io.py` when `linked -> lib`), so that both names reach one module.
   */
  private readonly aliases: ReadonlyMap<string, PyModule>;

  /** Top-level modules known to lie outside the project (`libraries.ts`): the stdlib, declared and installed libraries. */
  private readonly libraries: ReadonlySet<string>;
  /** First parts of the project's module names (`api` for `api.vnc_manager`). */
  private readonly projectTops = new Set<string>();
  /** Modules a relative import names that hold no project file (`from .gone import f`). */
  private readonly missingRelative = new Set<string>();

  constructor(modules: readonly PyModule[], aliases: ReadonlyMap<string, PyModule> = new Map(), libraries: ReadonlySet<string> = PYTHON_STDLIB_MODULES) {
    for (const module of modules) this.modules.set(module.name, module);
    this.aliases = aliases;
    this.libraries = libraries;
    for (const name of [...this.modules.keys(), ...aliases.keys()]) this.projectTops.add(name.split('.')[0]!);
    for (const module of modules) {
      for (const imports of [module.imports, ...module.allFunctions.map((fn) => fn.imports)]) {
        for (const binding of imports?.values() ?? []) {
          if (binding.kind === 'symbol' && binding.relative && !this.moduleNamed(binding.module)) this.missingRelative.add(binding.module);
        }
      }
    }
  }

  /**
   * An external path (`api.vnc_manager.get_vnc`) whose module the tool cannot place: inside a project
   * package but naming no module or definition found there, from a relative import that names no
   * file, or from a top-level module that is neither the project's nor a known library (a folder put
   * on sys.path at run time, a module named differently). What it calls may be a project function.
   */
  isUnknownPath(dotted: string): boolean {
    const top = dotted.split('.')[0]!;
    if (this.projectTops.has(top)) return true;
    for (let end = dotted.lastIndexOf('.'); end > 0; end = dotted.lastIndexOf('.', end - 1)) {
      if (this.missingRelative.has(dotted.slice(0, end))) return true;
    }
    return !this.libraries.has(top);
  }

  /** The project module a dotted name imports, by its own name or through a link. */
  moduleNamed(name: string): PyModule | undefined {
    return this.modules.get(name) ?? this.aliases.get(name);
  }

  /** A name as seen from inside `fn` (locals and parameters first, then the module). */
  resolveName(name: string, fn: PyFunction | undefined, module: PyModule): PySymbol | undefined {
    for (let scope = fn; scope && scope.kind !== 'module'; scope = scope.parent) {
      const closure = scope.nested?.get(name);
      if (closure) return { kind: 'function', fn: closure };
      const imported = scope.imports?.get(name);
      if (imported) return this.resolveBinding(imported, new Set());
      if (scope.cls && name === firstParameterName(scope.node) && !scope.decorators.includes('staticmethod')) {
        return scope.decorators.includes('classmethod') ? { kind: 'class', cls: scope.cls } : { kind: 'instance', cls: scope.cls };
      }
      const { types: locals, rebound: reboundLocals } = this.locals(scope);
      if (locals.has(name)) {
        const local = locals.get(name);
        // Bound to values of different types on different paths, the name's type is unknown here: reading
        // it as the first (an async buffer on a path that returned) would await a sync call.
        const rebound = local && local.type !== 'type' ? reboundLocals?.get(name) : undefined;
        if (rebound) return this.reboundSymbol(scope, name, rebound);
        if (local) return this.typeOfAssignedNode(local, scope);
        // An unannotated parameter: a pytest fixture's value, else unknown (it hides the module's names).
        if (!isPytestFunction(scope, this)) return undefined;
        const method = scope.cls?.methods.get(name);
        const fixture = method && isPytestFixture(method) ? method : this.fixture(name, scope.module);
        return fixture ? this.returnOf(fixture) : undefined;
      }
    }
    return this.resolveModuleName(module, name, new Set());
  }

  /**
   * A local bound to several values (`q = session.query(T)`, then `q = q.filter(…)` on some paths): the
   * one symbol all its values agree on. A value that reads the name itself (`q.filter(…)`) sees, on a
   * first pass, nothing, and on a second, what the first pass agreed on; re-evaluating every other value
   * at each such read instead costs n! for n bindings (a query built by 13 filters never finished).
   */
  private reboundSymbol(scope: PyFunction, name: string, values: readonly PyNode[]): PySymbol | undefined {
    const key = `${scope.id}\0${name}`;
    if (this.reboundInProgress.has(key)) return this.reboundInProgress.get(key);
    const evaluateAll = () => this.oneSymbol(values.map((value) => this.typeOfAssignedNode(value, scope)));
    this.reboundInProgress.set(key, undefined);
    try {
      // The first pass only seeds the second: a union it meets is the second pass's to report.
      const sawUnion = this.sawUnion;
      const seed = evaluateAll();
      this.sawUnion = sawUnion;
      this.reboundInProgress.set(key, seed);
      return evaluateAll();
    } finally {
      this.reboundInProgress.delete(key);
    }
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
    // `LOG = LOG or make()`: a module variable read while resolving itself names nothing known.
    if (variable && !seen.has(key)) {
      seen.add(key);
      return this.followBinding(variable, () =>
        variable.type === 'type' ? this.resolveAnnotation(variable, module) : this.resolveExpression(variable, module.topLevel, module));
    }
    // `from .impl import *` (a package re-exporting its modules): the name is what that module gives.
    for (const source of module.starImports) {
      const target = this.moduleNamed(source);
      const starKey = `${source}:*${name}`;
      if (!target || seen.has(starKey) || !exportedByStar(target, name)) continue;
      seen.add(starKey);
      const found = this.resolveModuleName(target, name, seen);
      if (found) return found;
    }
    if (name === 'open' || name === 'print' || name === 'input' || BUILTIN_NAMES.has(name)) return { kind: 'external', path: `builtins.${name}` };
    return undefined;
  }

  private resolveBinding(binding: ImportBinding, seen: Set<string>): PySymbol {
    if (binding.kind === 'module') return this.moduleSymbol(binding.module);
    const target = this.moduleNamed(binding.module);
    const key = `${binding.module}:${binding.name}`;
    if (target && !seen.has(key)) {
      seen.add(key);
      const found = this.resolveModuleName(target, binding.name, seen);
      if (found) return found;
    }
    const submodule = `${binding.module}.${binding.name}`;
    if (this.moduleNamed(submodule)) return this.moduleSymbol(submodule);
    return { kind: 'external', path: submodule };
  }

  private moduleSymbol(module: string): PySymbol {
    return { kind: 'module', module, project: this.moduleNamed(module) };
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
        let owner = this.resolveExpression(object, fn, module);
        // `self.client.get()` where `client` is a @property: what the getter returns.
        if (owner?.kind === 'function' && owner.fn.kind === 'getter' && object.type === 'attribute') owner = this.returnOf(owner.fn);
        return this.member(owner, attr);
      }
      case 'dictionary':
      case 'dictionary_comprehension':
      case 'list':
      case 'list_comprehension':
      case 'set':
      case 'set_comprehension':
      case 'tuple':
      case 'string':
      case 'concatenated_string':
      case 'integer':
      case 'float':
        // A literal is a builtin value: its methods are no project function.
        return { kind: 'external-instance', path: `builtins.${LITERAL_TYPES[node.type]}` };
      case 'boolean_operator': {
        // `client or Client()`: either side; the first that names something wins.
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        return (left && this.resolveExpression(left, fn, module)) ?? (right ? this.resolveExpression(right, fn, module) : undefined);
      }
      case 'conditional_expression': {
        const [then, , otherwise] = namedChildren(node);
        return (then && this.resolveExpression(then, fn, module)) ?? (otherwise ? this.resolveExpression(otherwise, fn, module) : undefined);
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
        if (this.moduleNamed(submodule)) return this.moduleSymbol(submodule);
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
      const owner = callee.path.slice(0, -last.length - 1);
      if (SELF_RETURNING_TYPES.get(owner)?.has(last) === false) return { kind: 'external-instance', path: owner };
      if (callee.path.startsWith('builtins.') && BUILTIN_TYPES.has(last)) return { kind: 'external-instance', path: callee.path };
      // The containers of `collections` spelled in lower case: builtin values, no project method.
      if (callee.path === 'collections.defaultdict' || callee.path === 'collections.deque') return { kind: 'external-instance', path: callee.path };
      // `Redis(...)`, `redis.from_url(...)`: a client object; its methods are named by the constructor.
      if (/^[A-Z]/.test(last)) return { kind: 'external-instance', path: callee.path };
      if (last === 'from_url') return { kind: 'external-instance', path: callee.path.replace(/\.from_url$/, '.Redis') };
      return undefined;
    }
    if (callee.kind === 'function') return this.returnOf(callee.fn);
    return undefined;
  }

  private readonly resolvingReturns = new Set<string>();
  /** Set when two candidate types disagreed (a union, returns of different types) since the last `throughUnions`. */
  private sawUnion = false;
  /** While set, such candidates resolve to the first one instead of unknown. */
  private unionAsFirst = false;

  /** The one symbol the resolved candidates agree on; undefined when none resolved or two differ. */
  private oneSymbol(symbols: readonly (PySymbol | undefined)[]): PySymbol | undefined {
    const known = symbols.filter((symbol): symbol is PySymbol => symbol !== undefined);
    const first = known[0];
    if (!first || known.every((symbol) => symbolKey(symbol) === symbolKey(first))) return first;
    this.sawUnion = true;
    return this.unionAsFirst ? first : undefined;
  }

  /**
   * `resolve()` as asked, and, when that met candidates that disagree, what it gives with each read as
   * its first one (`Union[redis.Redis, redis.asyncio.Redis]` as `redis.Redis`): a guess to report what
   * may block, never to fix it.
   */
  throughUnions<T>(resolve: () => T | undefined): { value: T | undefined; guess?: T } {
    this.sawUnion = false;
    const value = resolve();
    if (value !== undefined || !this.sawUnion) return { value };
    this.unionAsFirst = true;
    try {
      return { value, guess: resolve() };
    } finally {
      this.unionAsFirst = false;
    }
  }

  /** What a function returns: its return annotation, else what its first `return x` (or `yield x`) gives. */
  returnOf(fn: PyFunction): PySymbol | undefined {
    const returns = fn.node.childForFieldName('return_type');
    if (returns) return this.resolveAnnotation(returns, fn.module);
    if (this.resolvingReturns.has(fn.id) || fn.kind === 'arrow' || fn.kind === 'module') return undefined;
    this.resolvingReturns.add(fn.id);
    try {
      // Returns that name different types (`redis.Redis()` in one branch, `redis.asyncio.Redis()` in
      // another) leave the result unknown: reading it as the first would fix an async client as a sync one.
      return this.oneSymbol(ownReturnedValues(fn).map((value) => this.resolveExpression(value, fn, fn.module)));
    } finally {
      this.resolvingReturns.delete(fn.id);
    }
  }

  private byRel: Map<string, PyModule> | undefined;

  /** The module of a file by its relative path (the first one, as a search in order finds it); indexed once, asked per test parameter. */
  private moduleAt(rel: string): PyModule | undefined {
    if (!this.byRel) {
      this.byRel = new Map();
      for (const module of this.modules.values()) if (!this.byRel.has(module.rel)) this.byRel.set(module.rel, module);
    }
    return this.byRel.get(rel);
  }

  /** The pytest fixture a test parameter names: in the test's module, or a conftest.py above it. */
  private fixture(name: string, module: PyModule): PyFunction | undefined {
    const own = module.functions.get(name);
    if (own && isPytestFixture(own)) return own;
    const dirs = module.rel.split('/').slice(0, -1);
    for (let depth = dirs.length; depth >= 0; depth--) {
      const conftest = [...dirs.slice(0, depth), 'conftest.py'].join('/');
      const candidate = this.moduleAt(conftest)?.functions.get(name);
      if (candidate && isPytestFixture(candidate)) return candidate;
    }
    return undefined;
  }

  /**
   * The class an annotation names (`X`, `"X"`, `Optional[X]`, `X | None`, `mod.X`); a union of
   * different types (`Union[redis.Redis, redis.asyncio.Redis]`) is unknown.
   */
  resolveAnnotation(annotation: PyNode, module: PyModule): PySymbol | undefined {
    const text = annotation.text.trim().replace(/^["']|["']$/g, '');
    const members = unionMembers(text);
    if (members.length > 1) return this.oneSymbol(members.map((member) => this.resolveAnnotationText(member, module)));
    return this.resolveAnnotationText(text, module);
  }

  private resolveAnnotationText(text: string, module: PyModule): PySymbol | undefined {
    const outer = /^([\p{L}\p{N}_.]+)\s*\[/u.exec(text)?.[1];
    const container = outer?.split('.').pop();
    if (container && BUILTIN_CONTAINERS[container]) return { kind: 'external-instance', path: `builtins.${BUILTIN_CONTAINERS[container]}` };
    if (container && CONTAINER_TYPES.has(container)) return undefined;
    // Python identifiers may be any letters (`Grüße`), hence the Unicode classes.
    for (const token of text.match(/[\p{L}_][\p{L}\p{N}_.]*/gu) ?? []) {
      const last = token.split('.').pop()!;
      if (WRAPPER_TYPES.has(last) || last === 'None') continue;
      const parts = token.split('.');
      let symbol = this.resolveModuleName(module, parts[0]!, new Set());
      for (const part of parts.slice(1)) symbol = this.member(symbol, part);
      if (symbol?.kind === 'class') return { kind: 'instance', cls: symbol.cls };
      if (symbol?.kind === 'external' && symbol.path === `builtins.${last}` && BUILTIN_TYPES.has(last)) return { kind: 'external-instance', path: symbol.path };
      if (symbol?.kind === 'external' && /^\p{Lu}/u.test(last)) return { kind: 'external-instance', path: symbol.path };
    }
    return undefined;
  }

  attributeType(cls: PyClass, attr: string): PySymbol | undefined {
    for (const klass of this.mro(cls)) {
      const info = klass.attributes.get(attr);
      if (!info) continue;
      if (info.typeNode) return this.resolveAnnotation(info.typeNode, klass.module);
      const value = info.valueNode;
      if (value) return this.followBinding(value, () => this.resolveExpression(value, info.method, klass.module));
    }
    return undefined;
  }

  /**
   * Parameters (by annotation; null when unannotated) and the assignments of the function's own body
   * (not of nested defs, lambdas or classes): the first binding wins.
   */
  private locals(fn: PyFunction): FunctionLocals {
    let byFunction = this.localsByModule.get(fn.module);
    if (byFunction) {
      // Most recently used last: the first is the one to forget.
      if (this.localsModule !== fn.module) {
        this.localsByModule.delete(fn.module);
        this.localsByModule.set(fn.module, byFunction);
      }
    } else {
      byFunction = new Map();
      this.localsByModule.set(fn.module, byFunction);
      if (this.localsByModule.size > LOCALS_KEPT_FOR_MODULES) this.localsByModule.delete(this.localsByModule.keys().next().value!);
    }
    this.localsModule = fn.module;
    const known = byFunction.get(fn.id);
    if (known) return known;
    const map = new Map<string, PyNode | null>();
    const entry: FunctionLocals = { types: map };
    byFunction.set(fn.id, entry);
    const parameters = fn.node.childForFieldName('parameters');
    for (const parameter of parameters ? namedChildren(parameters) : []) {
      const name = parameterName(parameter);
      if (!name || map.has(name)) continue;
      const type = parameter.type === 'typed_parameter' || parameter.type === 'typed_default_parameter' ? parameter.childForFieldName('type') : null;
      map.set(name, type);
    }
    const body = fn.node.childForFieldName('body');
    const values = new Map<string, PyNode[]>();
    const locals = map;
    const bind = (name: string, node: PyNode): void => {
      if (!locals.has(name)) locals.set(name, node);
      if (node.type !== 'type') values.set(name, [...(values.get(name) ?? []), node]);
    };
    if (body && fn.kind !== 'arrow') {
      for (const binding of body.descendantsOfType(['assignment', 'with_item'])) {
        if (!binding || ownerScope(binding) !== fn.node.id) continue;
        if (binding.type === 'with_item') {
          // `with open(p) as f`: f is what the context expression gives (its `__enter__`).
          const pattern = binding.childForFieldName('value');
          const target = pattern?.type === 'as_pattern' ? pattern.childForFieldName('alias')?.namedChild(0) : undefined;
          const value = pattern?.namedChild(0);
          if (target?.type === 'identifier' && value) bind(target.text, value);
          continue;
        }
        const left = binding.childForFieldName('left');
        if (left?.type !== 'identifier') continue;
        const node = binding.childForFieldName('type') ?? binding.childForFieldName('right');
        if (node) bind(left.text, node);
      }
    }
    const rebound = new Map([...values].filter(([name, nodes]) => nodes.length > 1 && locals.get(name)?.type !== 'type'));
    if (rebound.size > 0) entry.rebound = rebound;
    return entry;
  }

  private typeOfAssignedNode(node: PyNode, fn: PyFunction): PySymbol | undefined {
    if (node.type === 'type') return this.resolveAnnotation(node, fn.module);
    const value = this.followBinding(node, () => this.resolveExpression(node, fn, fn.module));
    return node.parent?.type === 'as_pattern' ? this.enteredValue(value) : value;
  }

  /** What `with x as name` binds: the declared result of a project class's `__enter__`, else `x` itself. */
  private enteredValue(symbol: PySymbol | undefined): PySymbol | undefined {
    if (symbol?.kind !== 'instance') return symbol;
    const enter = this.findMethod(symbol.cls, '__enter__') ?? this.findMethod(symbol.cls, '__aenter__');
    const returns = enter?.node.childForFieldName('return_type');
    return (returns && this.resolveAnnotation(returns, enter!.module)) || symbol;
  }

  /** Evaluates what a binding holds, unless that binding is already being evaluated (a cycle) or the chain is too deep. */
  private followBinding(bound: PyNode, evaluate: () => PySymbol | undefined): PySymbol | undefined {
    // Node ids are unique across the trees of one run: each file is parsed on its own.
    const key = bound.id;
    if (this.evaluating.has(key) || this.evaluating.size >= MAX_BINDING_DEPTH) return undefined;
    this.evaluating.add(key);
    try {
      return evaluate();
    } finally {
      this.evaluating.delete(key);
    }
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

/** Whether `from module import *` binds the name: `__all__` lists it, or, with no `__all__`, it is not private. */
function exportedByStar(module: PyModule, name: string): boolean {
  const all = module.variables.get('__all__');
  if (!all) return !name.startsWith('_');
  return all.descendantsOfType('string').some((item) => item?.text.replace(/^[a-zA-Z]*["']+|["']+$/g, '') === name);
}

/** The values of the function's own `return x` and `yield x` statements (not those of nested functions). */
function symbolKey(symbol: PySymbol): string {
  switch (symbol.kind) {
    case 'module': return `module:${symbol.module}`;
    case 'function': return `function:${symbol.fn.id}`;
    case 'class':
    case 'instance': return `${symbol.kind}:${symbol.cls.qualifiedName}`;
    case 'external':
    case 'external-instance': return `${symbol.kind}:${symbol.path}`;
  }
}

/** The members of `Union[A, B]`, `Optional[A]` or `A | B` (top-level only, `None` left out); else the text itself. */
function unionMembers(text: string): string[] {
  const union = /^(?:[\p{L}_][\p{L}\p{N}_]*\.)?(Union|Optional)\s*\[(.*)\]$/su.exec(text);
  // Inside `Union[…]` both `,` and `|` separate members; outside, only `|`.
  const members = union ? splitTopLevel(union[2]!).flatMap((member) => splitTopLevel(member, '|')) : splitTopLevel(text, '|');
  const named = members.map((member) => member.trim()).filter((member) => member !== '' && member !== 'None');
  return named.length > 0 ? named : [text];
}

function ownReturnedValues(fn: PyFunction): PyNode[] {
  const values: PyNode[] = [];
  const visit = (node: PyNode): void => {
    for (const child of namedChildren(node)) {
      if (child.type === 'function_definition' || child.type === 'lambda' || child.type === 'class_definition') continue;
      if (child.type === 'return_statement' || child.type === 'yield') {
        const value = child.namedChild(0);
        if (value && value.type !== 'none') values.push(value);
      }
      visit(child);
    }
  };
  const body = fn.node.childForFieldName('body');
  if (body) visit(body);
  return values;
}

/** The name a parameter binds (`x`, `x: T`, `x=1`, `*args`, `**kwargs`), if any. */
export function parameterName(parameter: PyNode): string | undefined {
  switch (parameter.type) {
    case 'identifier':
      return parameter.text;
    case 'default_parameter':
    case 'typed_default_parameter':
      return parameter.childForFieldName('name')?.text;
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern': {
      const inner = namedChildren(parameter)[0];
      return inner?.type === 'identifier' ? inner.text : inner ? parameterName(inner) : undefined;
    }
    default:
      return undefined;
  }
}

/** The id of the def or lambda whose body holds the node (classes count as their own scope). */
function ownerScope(node: PyNode): number | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'function_definition' || current.type === 'lambda' || current.type === 'class_definition') return current.id;
  }
  return undefined;
}

export function qualifiedNameOf(fn: PyFunction): string {
  return fn.module.name ? `${fn.module.name}.${fn.qualName}` : fn.qualName;
}
