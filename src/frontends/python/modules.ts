// The project as Python sees it: one module per file (dotted names from paths relative to the root,
// `__init__.py` naming its package), with the definitions and imports each module holds.
import path from 'node:path';
import type { FunctionKind } from '../../model.js';
import { LineIndex, namedChildren, parsePython, type PyNode, type PyTree } from './parser.js';
import { stripBom } from '../../source-text.js';

export type ImportBinding =
  | { kind: 'module'; module: string }
  /** `relative`: written `from .x import y` (the module is the project's, or nothing). */
  | { kind: 'symbol'; module: string; name: string; relative?: true };

export interface PyFunction {
  /** `<file>#<start offset>` of the `def`/`lambda` node, or `<file>#module`. */
  id: string;
  name: string;
  /** `Class.method`, `fn`, `outer.inner`, `<lambda>@file:line`, `<module>`. */
  qualName: string;
  kind: FunctionKind;
  /** function_definition, lambda or module. */
  node: PyNode;
  /** The decorated_definition around `node`, or `node` itself. */
  outer: PyNode;
  module: PyModule;
  cls?: PyClass;
  parent?: PyFunction;
  decorators: string[];
  isAsync: boolean;
  /** Functions defined directly in this one's body, by name (closures it may call); absent when none (most functions: an empty Map each was 14 MB on a 505k-line project). */
  nested?: Map<string, PyFunction>;
  /** Imports in this function's own body (`def f(): from x import y`). */
  imports?: Map<string, ImportBinding>;
}

export interface PyClass {
  name: string;
  qualifiedName: string;
  node: PyNode;
  module: PyModule;
  bases: PyNode[];
  methods: Map<string, PyFunction>;
  /** `self.x` and class-level annotations: the node giving the type, and the method it appears in. */
  attributes: Map<string, { typeNode?: PyNode; valueNode?: PyNode; method?: PyFunction }>;
}

export interface PyModule {
  name: string;
  file: string;
  rel: string;
  isPackage: boolean;
  text: string;
  tree: PyTree;
  lines: LineIndex;
  eol: string;
  imports: Map<string, ImportBinding>;
  /** The modules of its top-level `from x import *` statements, in order (absolute names). */
  starImports: string[];
  functions: Map<string, PyFunction>;
  classes: Map<string, PyClass>;
  /** Module-level variables: the annotation or the first assigned value. */
  variables: Map<string, PyNode>;
  /** Every function of the file, nested ones and lambdas included, and the module's top level. */
  allFunctions: PyFunction[];
  topLevel: PyFunction;
}

export function moduleNameOf(rel: string): { name: string; isPackage: boolean } {
  const parts = rel.replace(/\.py$/, '').split('/');
  const isPackage = parts[parts.length - 1] === '__init__';
  if (isPackage) parts.pop();
  return { name: parts.join('.'), isPackage };
}

export function relativePath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** Resolves `from ..x import y` against the importing module. */
function absoluteModule(importer: { name: string; isPackage: boolean }, dots: number, rest: string): string {
  const base = importer.name.split('.').filter(Boolean);
  const drop = importer.isPackage ? dots - 1 : dots;
  const kept = base.slice(0, Math.max(0, base.length - drop));
  return [...kept, ...(rest ? rest.split('.') : [])].join('.');
}

/** `tree`: the text's tree when it was parsed already (parse-pool.ts); parsed here otherwise. */
export function buildModule(root: string, file: string, source: string, importName?: { name: string; isPackage: boolean }, parsed?: PyTree): PyModule {
  // Offsets index the text after a UTF-8 BOM, as the engine's edits do (it writes the BOM back).
  const text = stripBom(source);
  const rel = relativePath(root, file);
  const { name, isPackage } = importName ?? moduleNameOf(rel);
  const tree = parsed ?? parsePython(text);
  const module: PyModule = {
    name,
    file,
    rel,
    isPackage,
    text,
    tree,
    lines: new LineIndex(text),
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    imports: new Map(),
    starImports: [],
    functions: new Map(),
    classes: new Map(),
    variables: new Map(),
    allFunctions: [],
    topLevel: undefined as unknown as PyFunction,
  };
  module.topLevel = {
    id: `${rel}#module`,
    name: '<module>',
    qualName: '<module>',
    kind: 'module',
    node: tree.rootNode,
    outer: tree.rootNode,
    module,
    decorators: [],
    isAsync: false,
  };
  module.allFunctions.push(module.topLevel);
  collectImports(module, tree.rootNode);
  collectVariables(module);
  collectDefinitions(module, tree.rootNode, undefined, undefined);
  return module;
}

/** Statements whose blocks bind names in the scope around them (not a def or a class). */
export const IMPORT_SCOPES = new Set(['if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'finally_clause', 'block',
  'with_statement', 'for_statement', 'while_statement']);

function collectImports(module: PyModule, node: PyNode, into: Map<string, ImportBinding> = module.imports): void {
  for (const child of namedChildren(node)) {
    if (child.type === 'import_statement') {
      for (const item of namedChildren(child)) {
        if (item.type === 'dotted_name') {
          // `import a.b` binds `a`, through which `a.b` is reached.
          const top = item.text.split('.')[0]!;
          if (!into.has(top)) into.set(top, { kind: 'module', module: top });
        } else if (item.type === 'aliased_import') {
          const target = item.childForFieldName('name')!.text;
          into.set(item.childForFieldName('alias')!.text, { kind: 'module', module: target });
        }
      }
    } else if (child.type === 'import_from_statement') {
      const source = child.childForFieldName('module_name')!;
      let from = source.text;
      const relative = source.type === 'relative_import' ? { relative: true as const } : {};
      if (source.type === 'relative_import') {
        const dots = (/^\.+/.exec(from)?.[0] ?? '').length;
        from = absoluteModule(module, dots, from.slice(dots));
      }
      if (into === module.imports && namedChildren(child).some((item) => item.type === 'wildcard_import')) module.starImports.push(from);
      for (const item of child.childrenForFieldName('name')) {
        if (!item) continue;
        if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')!.text;
          into.set(item.childForFieldName('alias')!.text, { kind: 'symbol', module: from, name, ...relative });
        } else {
          into.set(item.text, { kind: 'symbol', module: from, name: item.text, ...relative });
        }
      }
    } else if (IMPORT_SCOPES.has(child.type)) {
      collectImports(module, child, into); // `try: import x except ImportError: …` and `if TYPE_CHECKING:`
    }
  }
}

/**
 * Module-level bindings, the blocks of `if __name__ == "__main__":`, `try`, `with` and loops included:
 * a call through `classifier = Classifier()` bound there is a call of `Classifier`'s method too, and
 * left unresolved it was neither awaited nor blocked when the method turned async.
 */
function collectVariables(module: PyModule, node: PyNode = module.tree.rootNode): void {
  for (const statement of namedChildren(node)) {
    if (IMPORT_SCOPES.has(statement.type)) {
      collectVariables(module, statement);
      continue;
    }
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
    if (!assignment || left?.type !== 'identifier') continue;
    const typeNode = assignment.childForFieldName('type');
    const known = module.variables.get(left.text);
    if (typeNode && known?.type !== 'type') module.variables.set(left.text, typeNode);
    else if (!known) {
      const value = assignment.childForFieldName('right');
      if (value) module.variables.set(left.text, value);
    }
  }
}

function decoratorsOf(outer: PyNode): string[] {
  if (outer.type !== 'decorated_definition') return [];
  return namedChildren(outer)
    .filter((child) => child.type === 'decorator')
    .map((decorator) => decorator.text.replace(/^@\s*/, '').replace(/\(.*$/s, ''));
}

const SKIP_INTO = new Set(['function_definition', 'class_definition', 'decorated_definition', 'lambda']);

/** Walks a scope: defs, classes and lambdas found in it become functions of the module. */
function collectDefinitions(module: PyModule, scope: PyNode, parent: PyFunction | undefined, cls: PyClass | undefined): void {
  const visit = (node: PyNode): void => {
    for (const child of namedChildren(node)) {
      if (child.type === 'decorated_definition') {
        const definition = child.childForFieldName('definition')!;
        if (definition.type === 'function_definition') addFunction(definition, child);
        else if (definition.type === 'class_definition') addClass(definition);
        for (const decorator of namedChildren(child)) if (decorator.type === 'decorator') visit(decorator);
      } else if (child.type === 'function_definition') {
        addFunction(child, child);
      } else if (child.type === 'class_definition') {
        addClass(child);
      } else if (child.type === 'lambda') {
        addLambda(child);
      } else if (!SKIP_INTO.has(child.type)) {
        visit(child);
      }
    }
  };

  const addFunction = (node: PyNode, outer: PyNode): void => {
    const name = node.childForFieldName('name')!.text;
    const decorators = decoratorsOf(outer);
    const isAsync = node.children.some((c) => c?.type === 'async');
    let kind: FunctionKind = cls ? 'method' : 'function';
    if (cls) {
      if (name === '__init__') kind = 'constructor';
      else if (decorators.some((d) => d === 'property' || d.endsWith('cached_property') || d.endsWith('.getter'))) kind = 'getter';
      else if (decorators.some((d) => d.endsWith('.setter'))) kind = 'setter';
    }
    const fn: PyFunction = {
      id: `${module.rel}#${node.startIndex}`,
      name,
      qualName: cls ? `${cls.name}.${name}` : parent && parent.kind !== 'module' ? `${parent.qualName}.${name}` : name,
      kind,
      node,
      outer,
      module,
      cls,
      parent,
      decorators,
      isAsync,
    };
    module.allFunctions.push(fn);
    const own = new Map<string, ImportBinding>();
    collectImports(module, node.childForFieldName('body')!, own);
    if (own.size > 0) fn.imports = own;
    // A property's setter or deleter (`@callback.setter def callback`) does not replace its getter:
    // reading `obj.callback` runs the getter.
    const accessor = decorators.some((d) => d.endsWith('.setter') || d.endsWith('.deleter'));
    if (cls && !(accessor && cls.methods.get(name)?.kind === 'getter')) cls.methods.set(name, fn);
    else if (!parent) module.functions.set(name, fn);
    else (parent.nested ??= new Map()).set(name, fn);
    // Default values and annotations run in the enclosing scope.
    const parameters = node.childForFieldName('parameters');
    if (parameters) visit(parameters);
    collectDefinitions(module, node.childForFieldName('body')!, fn, undefined);
  };

  const addClass = (node: PyNode): void => {
    const name = node.childForFieldName('name')!.text;
    const superclasses = node.childForFieldName('superclasses');
    const bases = superclasses ? namedChildren(superclasses).filter((b) => b.type !== 'keyword_argument') : [];
    const inner: PyClass = {
      name,
      qualifiedName: module.name ? `${module.name}.${name}` : name,
      node,
      module,
      bases,
      methods: new Map(),
      attributes: new Map(),
    };
    if (!parent && !cls) module.classes.set(name, inner);
    collectDefinitions(module, node.childForFieldName('body')!, parent, inner);
    collectAttributes(inner);
  };

  const addLambda = (node: PyNode): void => {
    const { line } = module.lines.at(node.startIndex);
    const fn: PyFunction = {
      id: `${module.rel}#${node.startIndex}`,
      name: '<lambda>',
      qualName: `<lambda>@${module.rel}:${line}`,
      kind: 'arrow',
      node,
      outer: node,
      module,
      parent,
      decorators: [],
      isAsync: false,
    };
    module.allFunctions.push(fn);
    collectDefinitions(module, node.childForFieldName('body')!, fn, undefined);
  };

  visit(scope);
}

/** `x: T` in the class body, and `self.x: T = …` / `self.x = …` in its methods. */
function collectAttributes(cls: PyClass): void {
  const body = cls.node.childForFieldName('body')!;
  for (const statement of namedChildren(body)) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
    if (assignment?.type === 'assignment') {
      const left = assignment.childForFieldName('left');
      const typeNode = assignment.childForFieldName('type') ?? undefined;
      if (left?.type === 'identifier' && typeNode) cls.attributes.set(left.text, { typeNode });
    }
  }
  for (const method of cls.methods.values()) {
    const self = firstParameterName(method.node);
    if (!self) continue;
    for (const assignment of method.node.childForFieldName('body')!.descendantsOfType('assignment')) {
      const left = assignment?.childForFieldName('left');
      if (!assignment || left?.type !== 'attribute') continue;
      if (left.childForFieldName('object')?.text !== self) continue;
      const attr = left.childForFieldName('attribute')!.text;
      const typeNode = assignment.childForFieldName('type') ?? undefined;
      const valueNode = assignment.childForFieldName('right') ?? undefined;
      const known = cls.attributes.get(attr);
      // The annotated or first assignment (usually in __init__) decides the type; a `None` placeholder
      // (`self.client = None`, assigned for real later) gives way to the first real value.
      const placeholder = known && !known.typeNode && known.valueNode?.type === 'none';
      if (!known || (!known.typeNode && typeNode) || (placeholder && valueNode && valueNode.type !== 'none')) cls.attributes.set(attr, { typeNode, valueNode, method });
    }
  }
}

export function firstParameterName(fnNode: PyNode): string | undefined {
  const parameters = fnNode.childForFieldName('parameters');
  const first = parameters ? namedChildren(parameters)[0] : undefined;
  if (!first) return undefined;
  if (first.type === 'identifier') return first.text;
  if (first.type === 'typed_parameter') return namedChildren(first)[0]?.text;
  return undefined;
}

/** Test code as pytest and unittest find it: `test_*.py`, `*_test.py`, `conftest.py`, or under a `tests`/`test` folder. */
export function isTestModule(module: PyModule): boolean {
  const parts = module.rel.split('/');
  const base = parts.pop()!;
  return base.startsWith('test_') || base.endsWith('_test.py') || base === 'conftest.py' || parts.some((part) => part === 'tests' || part === 'test');
}

/** `@pytest.fixture`, `@pytest_asyncio.fixture`, `@fixture(...)`. */
export function isPytestFixture(fn: PyFunction): boolean {
  return fn.decorators.some((d) => d === 'pytest.fixture' || d === 'fixture' || d === 'pytest_asyncio.fixture');
}

/** A pytest test (`test*` function, or `test*` method of a `Test*` class that is no unittest.TestCase) or fixture. */
export function isPytestFunction(fn: PyFunction, testCase: { isTestCase(cls: PyClass): boolean }): 'test' | 'fixture' | undefined {
  if (isPytestFixture(fn)) return 'fixture';
  if (!isTestModule(fn.module) || !fn.name.startsWith('test') || fn.parent) return undefined;
  if (!fn.cls) return 'test';
  const cls = fn.cls;
  return cls.name.startsWith('Test') && fn.module.classes.get(cls.name) === cls && !testCase.isTestCase(cls) ? 'test' : undefined;
}

/**
 * The async sibling a function already has, by the project's naming: `f_async` (what dual writes),
 * or an `async def` named `af`, `async_f` (`execute` / `aexecute`, `search` / `asearch`).
 */
export function existingAsyncSibling(fn: PyFunction): PyFunction | undefined {
  if (fn.kind === 'module' || fn.kind === 'arrow') return undefined;
  const scope = fn.cls ? fn.cls.methods : fn.parent ? fn.parent.nested : fn.module.functions;
  if (!scope) return undefined;
  const generated = scope.get(`${fn.name}_async`);
  if (generated) return generated;
  for (const name of [`a${fn.name}`, `async_${fn.name}`]) {
    const sibling = scope.get(name);
    if (sibling?.isAsync) return sibling;
  }
  return undefined;
}

/** The name of the function's async sibling: the existing one, else `f_async`. */
export function asyncSiblingName(fn: PyFunction): string {
  return existingAsyncSibling(fn)?.name ?? `${fn.name}_async`;
}
