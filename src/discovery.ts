// Which files a run looks at: the paths given, directories searched with .gitignore honoured.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { globby } from 'globby';
import { describeError, UsageError } from './errors.js';
import type { Language } from './model.js';

export const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
export const PY_EXTENSIONS = ['.py'];

export function languageOf(file: string): Language | undefined {
  const ext = path.extname(file);
  if (file.endsWith('.d.ts') || file.endsWith('.d.mts') || file.endsWith('.d.cts')) return undefined;
  if (TS_EXTENSIONS.includes(ext)) return 'typescript';
  if (PY_EXTENSIONS.includes(ext)) return 'python';
  return undefined;
}

const ALWAYS_IGNORED = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/out/**', '**/__pycache__/**', '**/.venv/**', '**/venv/**'];

export interface DiscoveryOptions {
  include: readonly string[];
  exclude: readonly string[];
  language?: Language;
}

/**
 * Whether a path argument is a file or a directory, by `stat` (a folder named `my.project` is a
 * folder). Anything else is a usage error naming the real cause: missing, a link loop, a FIFO, a
 * device such as /dev/null (reading a FIFO would block the run; a device is no source file).
 */
export async function pathKind(given: string, absolute = path.resolve(given)): Promise<'file' | 'directory'> {
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`path does not exist: ${given}`);
    if (code === 'ELOOP') throw new UsageError(`path ${given}: a symbolic link loop (too many levels of symbolic links)`);
    if (code === 'ENOTDIR') throw new UsageError(`path does not exist: ${given} (a part of it is not a directory)`);
    throw new UsageError(`path ${given}: cannot be read (${code ?? describeError(error)})`);
  }
  if (info.isFile()) return 'file';
  if (info.isDirectory()) return 'directory';
  const kind = info.isFIFO() ? 'a FIFO' : info.isCharacterDevice() ? 'a character device' : info.isBlockDevice() ? 'a block device' : info.isSocket() ? 'a socket' : 'not a regular file';
  throw new UsageError(`path ${given} is ${kind}, not a file or directory`);
}

/** Absolute paths of the source files under `paths`, sorted. A missing path is a usage error. */
export async function discoverFiles(paths: readonly string[], options: DiscoveryOptions): Promise<string[]> {
  const found = new Set<string>();
  for (const given of paths) {
    const absolute = path.resolve(given);
    if ((await pathKind(given, absolute)) === 'file') {
      if (languageOf(absolute)) found.add(absolute);
      continue;
    }
    const patterns = options.include.length > 0 ? [...options.include] : ['**/*'];
    const files = await globby(patterns, {
      cwd: absolute,
      absolute: true,
      gitignore: true,
      ignore: [...ALWAYS_IGNORED, ...options.exclude],
      onlyFiles: true,
      dot: false,
      // Links are not followed: a link loop would multiply (or never end) the walk, and a linked
      // file is either found where it really is or lies outside the tree, where nothing is written.
      followSymbolicLinks: false,
    });
    for (const file of files) if (languageOf(file)) found.add(path.normalize(file));
  }
  return [...found]
    .filter((file) => !options.language || languageOf(file) === options.language)
    .sort();
}

/**
 * Symlinked folders below `root` whose target also lies inside it (`src/linked -> ../lib`), with the
 * target spelt from the root. Discovery does not follow links, so a file there is analysed once, where
 * it lies; a front-end gives it its other name too, so that imports through the link reach it.
 */
export async function linkedFolders(root: string): Promise<{ link: string; target: string }[]> {
  const entries = await globby(['**/*'], {
    cwd: root,
    absolute: true,
    gitignore: true,
    ignore: ALWAYS_IGNORED,
    onlyFiles: false,
    dot: false,
    followSymbolicLinks: false,
    objectMode: true,
  });
  const realRoot = await realpath(root);
  const found: { link: string; target: string }[] = [];
  for (const entry of entries) {
    if (!entry.dirent.isSymbolicLink()) continue;
    const real = await realpath(entry.path).catch(() => undefined);
    if (real === undefined || !(await stat(real).catch(() => undefined))?.isDirectory()) continue;
    const relative = path.relative(realRoot, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
    found.push({ link: path.normalize(entry.path), target: path.join(root, relative) });
  }
  return found;
}
