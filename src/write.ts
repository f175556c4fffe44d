// Writing migrated files: atomically (temp file + rename), and never over uncommitted work.
import { execFile } from 'node:child_process';
import { chmod, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from './errors.js';

const execFileAsync = promisify(execFile);

/** Files under `paths` with uncommitted changes, or [] when clean or not in a git work tree. */
export async function uncommittedFiles(cwd: string, paths: readonly string[]): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('git', ['status', '--porcelain', '--', ...paths], { cwd });
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.slice(3));
  } catch {
    return []; // not a git work tree (or no git): nothing to protect
  }
}

export async function assertCleanWorkTree(cwd: string, paths: readonly string[]): Promise<void> {
  const dirty = await uncommittedFiles(cwd, paths);
  if (dirty.length > 0) {
    const shown = dirty.slice(0, 3).join(', ') + (dirty.length > 3 ? `, and ${dirty.length - 3} more` : '');
    throw new UsageError(`refusing to write into a git work tree with uncommitted changes (${shown}); commit or stash them, or pass --allow-dirty`);
  }
}

/** Replaces a file's content atomically, keeping its mode. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.async-migrate-${process.pid}.tmp`);
  const { mode } = await stat(file);
  try {
    await writeFile(temp, content, 'utf8');
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
