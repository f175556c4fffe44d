// Tests that patch a function by its name (`mock.patch("pkg.llm.get_llm")`, `@patch("…")`,
// `patch.object(Client, "fetch")`). Under dual, callers that move to the async sibling no longer call
// the patched name, so such a mock silently stops applying: the report lists it.
import type { FunctionNode } from '../../model.js';
import { isTestModule, type PyFunction, type PyModule } from './modules.js';
import { namedChildren, type PyNode } from './parser.js';
import type { Resolver } from './resolver.js';

const PATCH = /^(?:(?:unittest\.)?mock\.)?patch$/;
const PATCH_OBJECT = /^(?:(?:unittest\.)?mock\.)?patch\.object$/;

/** Sets `patchedBy` on each project function a test patches by name. */
export function recordMockPatches(
  modules: readonly PyModule[],
  byName: ReadonlyMap<string, PyModule>,
  resolver: Resolver,
  nodes: ReadonlyMap<string, FunctionNode>,
): void {
  for (const module of modules) {
    if (!isTestModule(module) || !/\bpatch\b/.test(module.text)) continue;
    for (const call of module.tree.rootNode.descendantsOfType('call')) {
      if (!call) continue;
      const callee = call.childForFieldName('function')?.text.replace(/\s+/g, '') ?? '';
      const args = call.childForFieldName('arguments');
      const list = args?.type === 'argument_list' ? namedChildren(args) : [];
      let patched: PyFunction | undefined;
      let target: string | undefined;
      if (PATCH.test(callee) && list[0] && isPlainString(list[0])) {
        target = list[0].text.slice(1, -1);
        patched = functionAtPath(target, byName, resolver);
      } else if (PATCH_OBJECT.test(callee) && list[0] && list[1] && isPlainString(list[1])) {
        const owner = resolver.resolveExpression(list[0], undefined, module);
        const member = list[1].text.slice(1, -1);
        if (owner?.kind === 'class' || owner?.kind === 'instance') patched = resolver.findMethod(owner.cls, member);
        else if (owner?.kind === 'module' && owner.project) {
          const symbol = resolver.resolveModuleName(owner.project, member, new Set());
          if (symbol?.kind === 'function') patched = symbol.fn;
        }
        target = `${list[0].text}.${member}`;
      }
      const node = patched ? nodes.get(patched.id) : undefined;
      if (!node || target === undefined) continue;
      const at = module.lines.at(call.startIndex);
      (node.patchedBy ??= []).push({ target, location: { file: module.rel, line: at.line, column: at.column } });
    }
  }
}

function isPlainString(node: PyNode): boolean {
  return node.type === 'string' && /^["'][^"'{}]*["']$/.test(node.text);
}

/**
 * `pkg.mod.fn`, `pkg.mod.Class.method`, or the name a module imported (`pkg.service.get_llm`, where
 * `pkg.service` does `from pkg.llm import get_llm`: patching where it is used, as the mock docs advise).
 */
function functionAtPath(target: string, byName: ReadonlyMap<string, PyModule>, resolver: Resolver): PyFunction | undefined {
  const parts = target.split('.');
  for (let split = parts.length - 1; split >= 1; split--) {
    const module = byName.get(parts.slice(0, split).join('.'));
    if (!module) continue;
    const rest = parts.slice(split);
    const symbol = resolver.resolveModuleName(module, rest[0]!, new Set());
    if (rest.length === 1 && symbol?.kind === 'function') return symbol.fn;
    if (rest.length === 2 && symbol?.kind === 'class') return resolver.findMethod(symbol.cls, rest[1]!);
    return undefined;
  }
  return undefined;
}
