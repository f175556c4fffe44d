// A redis pipeline's commands only queue; its `execute()` sends them. So the blocking unit is not the
// `execute()` call alone but everything from the call that builds the pipeline to its last use, in
// one of three shapes a person writes:
//
//     pipe = self.r.pipeline()               with self.r.pipeline() as pipe:      self.r.pipeline().set(k, v).execute()
//     pipe.set(k, v)                             pipe.set(k, v)
//     return len(pipe.execute())                 results = pipe.execute()
//
// This module finds the shape; blocking-calls decides whether it moves into a thread (thread-unit).
import type { PyFunction } from '../modules.js';
import type { PyNode } from '../parser.js';
import { isVariableName } from '../walk.js';
import { firstWithItem } from './thread-unit.js';

export type PipelineShape =
  /** `r.pipeline().set(…).execute()`: the expression is the unit. */
  | { kind: 'chain'; builder: PyNode }
  /** `with r.pipeline() as pipe:` around the `execute()`. */
  | { kind: 'with'; builder: PyNode; statement: PyNode }
  /** `pipe = r.pipeline()`, then sibling statements up to the last one that uses `pipe`. */
  | { kind: 'statements'; builder: PyNode; first: PyNode; last: PyNode; name: string };

/**
 * The shape around `execute` (a call of the pipeline's sending method) in the function's own body,
 * or undefined when the pipeline comes from elsewhere (a parameter, an attribute, a name bound twice).
 */
export function pipelineShapeOf(execute: PyNode, fn: PyFunction, isBuilder: (call: PyNode) => boolean): PipelineShape | undefined {
  const receiver = execute.childForFieldName('function')?.childForFieldName('object');
  if (!receiver) return undefined;
  if (receiver.type === 'call') {
    for (let link: PyNode | null | undefined = receiver; link?.type === 'call'; link = link.childForFieldName('function')?.childForFieldName('object')) {
      if (isBuilder(link)) return { kind: 'chain', builder: link };
    }
    return undefined;
  }
  if (receiver.type !== 'identifier') return undefined;
  const name = receiver.text;
  for (let node = execute.parent; node && !node.equals(fn.node); node = node.parent) {
    if (node.type === 'function_definition' || node.type === 'lambda' || node.type === 'class_definition') return undefined;
    if (node.type !== 'with_statement') continue;
    const item = firstWithItem(node);
    if (item?.alias?.type === 'identifier' && item.alias.text === name) {
      return item.manager.type === 'call' && isBuilder(item.manager) ? { kind: 'with', builder: item.manager, statement: node } : undefined;
    }
  }
  return statementsShape(execute, name, fn, isBuilder);
}

/** `name = <builder>` as a statement, `name` bound nowhere else in the function, every use of it in later siblings. */
function statementsShape(execute: PyNode, name: string, fn: PyFunction, isBuilder: (call: PyNode) => boolean): PipelineShape | undefined {
  const occurrences = fn.node.descendantsOfType('identifier').filter((id): id is PyNode => id !== null && id.text === name && isVariableName(id));
  const bindings = occurrences.filter(isBindingTarget);
  const binding = bindings[0];
  const assignment = binding?.parent;
  if (bindings.length !== 1 || assignment?.type !== 'assignment' || !assignment.childForFieldName('left')?.equals(binding!)) return undefined;
  const builder = assignment.childForFieldName('right');
  const first = assignment.parent;
  if (builder?.type !== 'call' || !isBuilder(builder) || first?.type !== 'expression_statement' || !first.parent) return undefined;
  const block = first.parent;
  let last = first;
  for (const use of [...occurrences, execute]) {
    const statement = statementIn(use, block);
    if (!statement || statement.startIndex < first.startIndex) return undefined;
    if (statement.startIndex > last.startIndex) last = statement;
  }
  return { kind: 'statements', builder, first, last, name };
}

/** The statement of `block` that holds `node`, if any. */
function statementIn(node: PyNode, block: PyNode): PyNode | undefined {
  for (let current: PyNode | null = node; current; current = current.parent) {
    if (current.parent?.equals(block)) return current;
  }
  return undefined;
}

/** Whether the identifier is bound here: an assignment or loop target, `as`, walrus, a parameter, `del`, `global`. */
function isBindingTarget(id: PyNode): boolean {
  for (let child = id, current = id.parent; current; child = current, current = current.parent) {
    switch (current.type) {
      case 'assignment':
      case 'augmented_assignment':
      case 'for_statement':
      case 'for_in_clause':
        return current.childForFieldName('left')?.equals(child) === true;
      case 'default_parameter':
      case 'typed_default_parameter':
        return current.childForFieldName('name')?.equals(child) === true;
      case 'as_pattern_target':
      case 'typed_parameter':
      case 'parameters':
      case 'lambda_parameters':
      case 'delete_statement':
      case 'global_statement':
      case 'nonlocal_statement':
        return true;
      case 'named_expression':
        return current.childForFieldName('name')?.equals(child) === true;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'list_splat_pattern':
        continue;
      default:
        return false;
    }
  }
  return false;
}
