// What a Python project declares about itself, read (never executed) from its packaging and test
// configuration: where its import roots are (src layouts), whether its tests run on pytest-asyncio,
// and which functions are console-script entry points. Found from the analysed folder upwards, so
// `check pkg` and `check .` from the project's folder see the same project.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type PytestAsyncio = 'none' | 'strict' | 'auto';

export interface PyProjectSettings {
  /** The folder holding the project's configuration (pyproject.toml, setup.py, …), if any. */
  dir?: string;
  /** Absolute folders imports start from besides the project folder: `src` layouts. */
  sourceRoots: string[];
  /** pytest-asyncio: not used, used with markers (strict), or `asyncio_mode = auto`. */
  pytestAsyncio: PytestAsyncio;
  /** Console-script entry points as dotted `module.function` paths. */
  consoleScripts: string[];
}

const PROJECT_FILES = ['pyproject.toml', 'setup.py', 'setup.cfg', 'pytest.ini', 'tox.ini'];
// requirements*.txt / Pipfile mark a project folder too.

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The nearest folder at or above `start` holding a project file; stops at a git work tree's top. */
function projectDir(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (PROJECT_FILES.some((name) => existsSync(path.join(dir, name))) || requirementFiles(dir).length > 0) return dir;
    if (existsSync(path.join(dir, '.git')) || path.dirname(dir) === dir) return undefined;
  }
}

function requirementFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => /^requirements.*\.(txt|in)$|^Pipfile$/.test(name));
  } catch {
    return [];
  }
}

/** The lines of a TOML/INI section (`[project.scripts]`), up to the next section header. */
function section(text: string, header: string): string {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `[${header}]`);
  if (start < 0) return '';
  const end = lines.findIndex((line, index) => index > start && /^\s*\[/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

function sourceRootsOf(dir: string, texts: Record<string, string>): string[] {
  const roots = new Set<string>();
  const all = Object.values(texts).join('\n');
  // find_packages(where="src"), [tool.setuptools.packages.find] where = ["src"], setup.cfg where = src
  for (const match of all.matchAll(/\bwhere\s*=\s*\[?\s*["']([^"']+)["']/g)) roots.add(match[1]!);
  for (const match of section(texts['setup.cfg'] ?? '', 'options.packages.find').matchAll(/^\s*where\s*=\s*([\w./-]+)\s*$/gm)) roots.add(match[1]!);
  // package_dir={"": "src"}, [tool.setuptools.package-dir] "" = "src", setup.cfg package_dir = =src
  for (const match of all.matchAll(/package_dir\s*=\s*\{\s*["']{2}\s*:\s*["']([^"']+)["']/g)) roots.add(match[1]!);
  for (const match of section(texts['pyproject.toml'] ?? '', 'tool.setuptools.package-dir').matchAll(/^\s*["']{2}\s*=\s*["']([^"']+)["']/gm)) roots.add(match[1]!);
  for (const match of (texts['setup.cfg'] ?? '').matchAll(/package_dir\s*=\s*\n?\s*=\s*([\w./-]+)/g)) roots.add(match[1]!);
  // Poetry: packages = [{ include = "pkg", from = "src" }]
  for (const match of all.matchAll(/\bfrom\s*=\s*["']([^"']+)["']/g)) roots.add(match[1]!);
  // A conventional src layout needs no declaration.
  const src = path.join(dir, 'src');
  if (isDirectory(src) && readdirSync(src).some((name) => existsSync(path.join(src, name, '__init__.py')))) roots.add('src');
  return [...roots].map((root) => path.resolve(dir, root)).filter((root) => root !== dir && isDirectory(root));
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function consoleScriptsOf(texts: Record<string, string>): string[] {
  const declared = [
    section(texts['pyproject.toml'] ?? '', 'project.scripts'),
    section(texts['pyproject.toml'] ?? '', 'project.gui-scripts'),
    section(texts['pyproject.toml'] ?? '', 'tool.poetry.scripts'),
    section(texts['setup.cfg'] ?? '', 'options.entry_points'),
    /console_scripts["']?\s*[:=]\s*\[([^\]]*)\]/s.exec(texts['setup.py'] ?? '')?.[1] ?? '',
  ].join('\n');
  return [...declared.matchAll(/=\s*["']?\s*([\w.]+)\s*:\s*([\w.]+)/g)].map((match) => `${match[1]}.${match[2]}`);
}

/** The settings of the project around `root`, or (for a folder holding projects) around its first file. */
export function readProjectSettings(root: string, firstFile?: string): PyProjectSettings {
  const dir = projectDir(root) ?? (firstFile ? projectDir(path.dirname(firstFile)) : undefined);
  if (!dir) return { sourceRoots: [], pytestAsyncio: 'none', consoleScripts: [] };
  const texts: Record<string, string> = {};
  for (const name of PROJECT_FILES) texts[name] = readText(path.join(dir, name));
  const requirements = requirementFiles(dir).map((name) => readText(path.join(dir, name)));
  const declaresAsyncio = [...Object.values(texts), ...requirements].some((text) => /pytest[-_]asyncio/i.test(text));
  const auto = ['pyproject.toml', 'setup.cfg', 'pytest.ini', 'tox.ini'].some((name) => /^\s*asyncio_mode\s*=\s*["']?auto\b/m.test(texts[name] ?? ''));
  return {
    dir,
    sourceRoots: sourceRootsOf(dir, texts),
    pytestAsyncio: auto ? 'auto' : declaresAsyncio ? 'strict' : 'none',
    consoleScripts: consoleScriptsOf(texts),
  };
}

/**
 * The dotted module name Python imports a file by, whatever path was given: relative to a declared
 * source root (`src/`), else to the folder above its outermost package (`__init__.py` folders), else
 * to the project folder (or the analysed root, for files outside any project).
 */
export function importNameOf(file: string, settings: PyProjectSettings, root: string): { name: string; isPackage: boolean } {
  const sourceRoot = settings.sourceRoots.find((dir) => isInside(file, dir));
  let base = sourceRoot;
  if (!base && hasInit(path.dirname(file))) {
    base = path.dirname(file);
    // A folder whose name is no identifier (`autobot-backend/`) is never a package, `__init__.py` or
    // not: it is the folder on sys.path, so its modules are `api.x`, not `autobot-backend.api.x`.
    while (hasInit(base) && isIdentifier(path.basename(base)) && path.dirname(base) !== base) base = path.dirname(base);
  }
  base ??= settings.dir && isInside(file, settings.dir) ? settings.dir : root;
  const rel = path.relative(base, file).split(path.sep).join('/');
  const parts = rel.replace(/\.py$/, '').split('/');
  const isPackage = parts[parts.length - 1] === '__init__';
  if (isPackage) parts.pop();
  return { name: parts.join('.'), isPackage };
}

const initCache = new Map<string, boolean>();

function isIdentifier(name: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(name);
}

function hasInit(dir: string): boolean {
  let known = initCache.get(dir);
  if (known === undefined) initCache.set(dir, (known = existsSync(path.join(dir, '__init__.py'))));
  return known;
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
