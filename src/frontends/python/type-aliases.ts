// Type aliases read as written: `Response = Coroutine[Any, Any, T]` (at the top level, or under
// `if TYPE_CHECKING:`), so that `def f() -> Response[None]` reads as `Coroutine[Any, Any, None]`.
import type { PyModule } from './modules.js';
import { namedChildren, type PyNode } from './parser.js';
import { splitTopLevel } from './annotation-text.js';

const GENERIC = /^([A-Za-z_]\w*)\s*(?:\[([\s\S]*)\])?$/;
const TYPE_EXPRESSION = /^[A-Za-z_][\w.]*\s*(?:\[[\s\S]*\])?$/;

/** Module-level names bound to a type expression or a `TypeVar(…)`, by module. */
const cache = new WeakMap<PyModule, Map<string, string>>();

function aliasesOf(module: PyModule): Map<string, string> {
  let aliases = cache.get(module);
  if (aliases) return aliases;
  aliases = new Map();
  const visit = (statements: PyNode[], depth: number): void => {
    for (const statement of statements) {
      if (statement.type === 'if_statement' && depth === 0) {
        // `if TYPE_CHECKING:` and version checks: their first branch.
        const body = statement.childForFieldName('consequence');
        if (body) visit(namedChildren(body), depth + 1);
        continue;
      }
      const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
      const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
      const right = assignment?.childForFieldName('right');
      if (!left || left.type !== 'identifier' || !right || aliases.has(left.text)) continue;
      const text = right.text.trim();
      if (TYPE_EXPRESSION.test(text) || /^(typing\.)?TypeVar\(/.test(text)) aliases.set(left.text, text);
    }
  };
  visit(namedChildren(module.tree.rootNode), 0);
  cache.set(module, aliases);
  return aliases;
}

/**
 * The annotation with an alias at its head expanded (a few levels), its type variables replaced by
 * the arguments in the order they first appear; the text as it is when the head names no alias.
 * `moduleNamed` follows an alias imported from another project module.
 */
export function expandTypeAlias(text: string, module: PyModule, moduleNamed?: (name: string) => PyModule | undefined): string {
  let current = text.trim();
  let home = module;
  for (let level = 0; level < 4; level++) {
    const match = GENERIC.exec(current);
    if (!match) return current;
    const [, head, args] = match;
    let owner: PyModule | undefined = home;
    let value = aliasesOf(home).get(head!);
    const binding = home.imports.get(head!);
    if (value === undefined && binding?.kind === 'symbol' && moduleNamed) {
      owner = moduleNamed(binding.module);
      value = owner ? aliasesOf(owner).get(binding.name) : undefined;
    }
    if (value === undefined || owner === undefined || /^(typing\.)?TypeVar\(/.test(value)) return current;
    const aliases = aliasesOf(owner);
    const typeVars: string[] = [];
    for (const name of value.match(/[A-Za-z_]\w*/g) ?? []) {
      if (!typeVars.includes(name) && /^(typing\.)?TypeVar\(/.test(aliases.get(name) ?? '')) typeVars.push(name);
    }
    const given = args === undefined ? [] : splitTopLevel(args).map((arg) => arg.trim());
    if (given.length > 0 && given.length !== typeVars.length) return current;
    const bound = new Map(typeVars.map((name, i) => [name, given[i] ?? 'Any']));
    current = value.replace(/[A-Za-z_]\w*/g, (name) => bound.get(name) ?? name);
    home = owner;
  }
  return current;
}
