// `--make-async` targets matched against the call graph's function nodes: the TypeScript front-end's
// resolver, and a combined run's (`check --summaries-from`), which has the nodes and no program.
import type { FunctionId, FunctionNode } from './model.js';

/** `fn`, `Class.method`, `Interface.member`, `Class.*`, `path/file.ts:42`. */
export function resolveTarget(target: string, functions: readonly FunctionNode[]): FunctionId[] {
  const location = /^(.+):(\d+)$/.exec(target);
  if (location) {
    const [, file, lineText] = location;
    const line = Number(lineText);
    const inFile = functions.filter((fn) => fn.kind !== 'module' && (fn.location.file === file || fn.location.file.endsWith(`/${file}`)));
    const exact = inFile.filter((fn) => fn.location.line === line);
    if (exact.length > 0) return exact.map((fn) => fn.id);
    // Otherwise the innermost function whose declaration spans the line.
    const around = inFile
      .filter((fn) => fn.location.line <= line && (fn.endLine ?? fn.location.line) >= line)
      .sort((a, b) => b.location.line - a.location.line);
    return around[0] ? [around[0].id] : [];
  }
  if (target.endsWith('.*')) {
    const owner = target.slice(0, -2);
    return functions
      .filter((fn) => (fn.kind === 'method' || fn.kind === 'abstract-method') && fn.name.startsWith(`${owner}.`) && !fn.name.slice(owner.length + 1).includes('.'))
      .map((fn) => fn.id);
  }
  return functions.filter((fn) => fn.name === target && fn.kind !== 'module').map((fn) => fn.id);
}
