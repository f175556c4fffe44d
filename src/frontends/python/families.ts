// Which member names a method family: shared by the front-end and the combined plan of per-package
// summaries (`check --summaries-from`), which joins the families each package saw.
import type { FunctionNode } from '../../model.js';

/** The interface member of sorted `members`: a Protocol or abstract member, else the topmost definer (the one whose class no other member shares), else the first. */
export function pythonFamilyHead(members: readonly string[], nodeOf: (id: string) => Pick<FunctionNode, 'kind' | 'name'> | undefined): string {
  return (
    members.find((id) => nodeOf(id)?.kind === 'abstract-method') ??
    members.find((id) => !members.some((other) => other !== id && nodeOf(other)?.name.split('.')[0] === nodeOf(id)?.name.split('.')[0])) ??
    members[0]!
  );
}
