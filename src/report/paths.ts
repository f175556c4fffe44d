// Report paths are relative to the report root; GitHub resolves annotation and SARIF paths against
// the workspace (the directory the CLI ran in). A relative root is the missing part of the path.
import { posix } from 'node:path';

export function workspacePath(root: string, file: string): string {
  if (root === '' || root === '.' || posix.isAbsolute(root) || /^[A-Za-z]:[\\/]/.test(root)) return file;
  return posix.join(root.replaceAll('\\', '/'), file);
}
