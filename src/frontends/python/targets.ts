// `--make-async` targets: `fn`, `Class.method`, `Protocol.member` (its whole family, which the planner
// carries), `Class.*`, `path/file.py:line`, and dotted `package.module.Class.method`.
import type { PyFunction, PyModule } from './modules.js';
import { qualifiedNameOf } from './resolver.js';

export function resolvePythonTarget(target: string, modules: readonly PyModule[]): string[] {
  const functions = modules.flatMap((module) => module.allFunctions).filter((fn) => fn.kind !== 'module' && fn.kind !== 'arrow');
  const location = /^(.+\.py):(\d+)$/.exec(target);
  if (location) {
    const [, file, lineText] = location;
    const line = Number(lineText);
    const module = modules.find((m) => m.rel === file!.replace(/\\/g, '/').replace(/^\.\//, ''));
    if (!module) return [];
    // The innermost function whose definition spans the line.
    const spanning = module.allFunctions
      .filter((fn) => fn.kind !== 'module' && fn.kind !== 'arrow')
      .filter((fn) => module.lines.at(fn.outer.startIndex).line <= line && line <= module.lines.at(fn.outer.endIndex).line)
      .sort((a, b) => b.outer.startIndex - a.outer.startIndex);
    return spanning[0] ? [spanning[0].id] : [];
  }
  if (target.endsWith('.*')) {
    const owner = target.slice(0, -2);
    // The class's own methods: not its constructor, properties or dunders, which cannot turn async.
    const isMethod = (fn: PyFunction): boolean => (fn.kind === 'method' || fn.kind === 'abstract-method') && !/^__\w+__$/.test(fn.name);
    return functions.filter((fn) => fn.cls && (fn.cls.name === owner || fn.cls.qualifiedName === owner) && isMethod(fn)).map((fn) => fn.id);
  }
  const matches = (fn: PyFunction): boolean => fn.qualName === target || qualifiedNameOf(fn) === target;
  return functions.filter(matches).map((fn) => fn.id);
}

export function pythonTargetNames(modules: readonly PyModule[]): string[] {
  const names = new Set<string>();
  for (const module of modules) {
    for (const fn of module.allFunctions) if (fn.kind !== 'module' && fn.kind !== 'arrow') names.add(fn.qualName);
    for (const cls of module.classes.values()) names.add(`${cls.name}.*`);
  }
  return [...names].sort();
}
