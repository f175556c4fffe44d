// The top-level modules an import may name outside the project that the tool knows of: the standard
// library (embedded, `stdlib-modules.ts`), the libraries of its blocking-API table, the project's
// declared dependencies (requirements files, pyproject.toml, Pipfile, setup.py/setup.cfg) and what a
// virtualenv inside the project has installed. Read from files, never by running Python or the
// project. An import of any other module that is no project module either (a folder put on sys.path
// at run time, a module the tool named differently, a missing file) is unknown: a call through it
// may be a project function the tool did not place.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { PYTHON_STDLIB_MODULES } from './stdlib-modules.js';

/** Libraries present with most Python tooling whether declared or not. */
const ALWAYS_PRESENT = ['pytest', '_pytest', 'pluggy', 'setuptools', 'pkg_resources', 'pip', 'typing_extensions', 'mypy_extensions'];

/** Distributions whose import name is not their own (normalised: lower case, `_` for `-` and `.`). */
const IMPORT_NAMES: Record<string, string[]> = {
  attrs: ['attr', 'attrs'],
  beautifulsoup4: ['bs4'],
  dnspython: ['dns'],
  django_cors_headers: ['corsheaders'],
  djangorestframework: ['rest_framework'],
  faiss_cpu: ['faiss'],
  faiss_gpu: ['faiss'],
  grpcio: ['grpc'],
  msgpack_python: ['msgpack'],
  mysql_connector_python: ['mysql'],
  mysqlclient: ['MySQLdb'],
  opencv_contrib_python: ['cv2'],
  opencv_python: ['cv2'],
  opencv_python_headless: ['cv2'],
  pillow: ['PIL'],
  protobuf: ['google'],
  psycopg2_binary: ['psycopg2'],
  psycopg_binary: ['psycopg'],
  pycryptodome: ['Crypto'],
  pycryptodomex: ['Cryptodome'],
  pyjwt: ['jwt'],
  pymupdf: ['fitz', 'pymupdf'],
  pyopenssl: ['OpenSSL'],
  python_json_logger: ['pythonjsonlogger'],
  python_telegram_bot: ['telegram'],
  pyyaml: ['yaml'],
  pywin32: ['win32api', 'win32con', 'win32file', 'pywintypes'],
  scikit_image: ['skimage'],
  scikit_learn: ['sklearn'],
  websocket_client: ['websocket'],
};

/** Namespace families: `google-cloud-storage` is imported as `google.cloud.storage`. */
const NAMESPACES = new Set(['google', 'azure', 'opentelemetry', 'zope', 'jaraco', 'backports', 'ruamel', 'sphinxcontrib', 'flufl']);

/** The names a distribution may be imported by (`python-dateutil`: `python_dateutil`, `dateutil`). */
export function importNamesOf(distribution: string): string[] {
  const normal = distribution.trim().toLowerCase().replace(/[-_.]+/g, '_');
  if (!normal) return [];
  const names = new Set([normal, ...(IMPORT_NAMES[normal] ?? [])]);
  for (const [pattern, replacement] of [[/^python_/, ''], [/_python$/, ''], [/^py(?=[a-z])/, ''], [/_py$/, '']] as const) {
    const stripped = normal.replace(pattern, replacement);
    if (stripped && stripped !== normal) names.add(stripped);
  }
  const first = normal.split('_')[0]!;
  if (NAMESPACES.has(first)) names.add(first);
  return [...names];
}

/** The distribution a requirement line names (`redis[hiredis]>=5; python_version>"3.8"` -> `redis`), if any. */
function requirementName(line: string): string | undefined {
  const text = line.replace(/(^|\s)#.*$/, '').trim();
  if (!text || text.startsWith('-') || /^[a-z+]+:\/\//i.test(text) || text.startsWith('.') || text.startsWith('/')) return undefined;
  return /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(text)?.[1];
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The string items of every array in a TOML value (`dependencies = [...]`, optional groups). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  return [];
}

function tableKeys(value: unknown): string[] {
  return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

/** Distributions a pyproject.toml declares: PEP 621 (and its optional groups), PEP 735 groups, Poetry. */
function pyprojectDistributions(text: string): string[] {
  let toml: Record<string, unknown>;
  try {
    toml = parseToml(text) as Record<string, unknown>;
  } catch {
    return [];
  }
  const project = (toml.project ?? {}) as Record<string, unknown>;
  const requirements = [
    ...stringsIn(project.dependencies),
    ...Object.values((project['optional-dependencies'] ?? {}) as Record<string, unknown>).flatMap(stringsIn),
    ...Object.values((toml['dependency-groups'] ?? {}) as Record<string, unknown>).flatMap(stringsIn),
  ];
  const poetry = ((toml.tool ?? {}) as Record<string, unknown>).poetry as Record<string, unknown> | undefined;
  const groups = (poetry?.group ?? {}) as Record<string, Record<string, unknown>>;
  const poetryNames = [
    ...tableKeys(poetry?.dependencies),
    ...tableKeys(poetry?.['dev-dependencies']),
    ...Object.values(groups).flatMap((group) => tableKeys(group.dependencies)),
  ].filter((name) => name !== 'python');
  return [...requirements.flatMap((line) => requirementName(line) ?? []), ...poetryNames];
}

function pipfileDistributions(text: string): string[] {
  try {
    const toml = parseToml(text) as Record<string, unknown>;
    return [...tableKeys(toml.packages), ...tableKeys(toml['dev-packages'])];
  } catch {
    return [];
  }
}

/** `install_requires=[...]`, `extras_require`, `tests_require` (setup.py) and their setup.cfg lists. */
function setupDistributions(setupPy: string, setupCfg: string): string[] {
  const names: string[] = [];
  for (const match of setupPy.matchAll(/\b(?:install_requires|tests_require|setup_requires|extras_require)\s*=\s*([[{][^\]}]*[\]}])/g)) {
    for (const item of match[1]!.matchAll(/["']([^"']+)["']/g)) {
      const name = requirementName(item[1]!);
      if (name) names.push(name);
    }
  }
  for (const match of setupCfg.matchAll(/^\s*(?:install_requires|tests_require)\s*=\s*((?:.*\n?)(?:[ \t]+.*\n?)*)/gm)) {
    for (const line of match[1]!.split('\n')) {
      const name = requirementName(line);
      if (name) names.push(name);
    }
  }
  return names;
}

/** The distributions the project files of one folder declare. */
function declaredIn(dir: string): string[] {
  const names: string[] = [];
  const requirementFiles = [
    ...list(dir).filter((name) => /^requirements.*\.(txt|in)$/.test(name)).map((name) => path.join(dir, name)),
    ...list(path.join(dir, 'requirements')).filter((name) => /\.(txt|in)$/.test(name)).map((name) => path.join(dir, 'requirements', name)),
  ];
  for (const file of requirementFiles) for (const line of readText(file).split(/\r?\n/)) names.push(requirementName(line) ?? '');
  names.push(...pyprojectDistributions(readText(path.join(dir, 'pyproject.toml'))));
  names.push(...pipfileDistributions(readText(path.join(dir, 'Pipfile'))));
  names.push(...setupDistributions(readText(path.join(dir, 'setup.py')), readText(path.join(dir, 'setup.cfg'))));
  return names.filter(Boolean);
}

/** Top-level modules installed in a virtualenv inside the folder (`.venv/lib/python3.12/site-packages`). */
function installedIn(dir: string): string[] {
  const names: string[] = [];
  for (const venv of ['.venv', 'venv', 'env', '.env']) {
    const lib = path.join(dir, venv, 'lib');
    const sites = [
      ...list(lib).filter((name) => /^python\d/.test(name)).map((name) => path.join(lib, name, 'site-packages')),
      path.join(dir, venv, 'Lib', 'site-packages'),
    ];
    for (const site of sites) {
      for (const entry of list(site)) {
        if (entry.endsWith('.dist-info') || entry.endsWith('.egg-info')) {
          names.push(...readText(path.join(site, entry, 'top_level.txt')).split(/\r?\n/).map((line) => line.trim()));
          names.push(...importNamesOf(entry.replace(/-[^-]*\.(dist|egg)-info$/, '')));
        } else if (/^[\p{L}_][\p{L}\p{N}_]*$/u.test(entry)) {
          names.push(entry);
        } else {
          const module = /^([\p{L}_][\p{L}\p{N}_]*)(\..*)?\.(py|so|pyd)$/u.exec(entry)?.[1];
          if (module) names.push(module);
        }
      }
    }
  }
  return names.filter(Boolean);
}

/**
 * Every top-level module name known to lie outside the project: the standard library, `libraries`
 * (the blocking-API table's), and what the project files of `dirs` declare or their virtualenvs hold.
 */
export function knownLibraryModules(dirs: readonly string[], libraries: Iterable<string>): Set<string> {
  const known = new Set<string>([...PYTHON_STDLIB_MODULES, ...ALWAYS_PRESENT, ...libraries]);
  for (const dir of new Set(dirs)) {
    for (const distribution of declaredIn(dir)) for (const name of importNamesOf(distribution)) known.add(name);
    for (const name of installedIn(dir)) known.add(name);
  }
  return known;
}

/** The folders whose project files may declare the dependencies of these files: each folder from a file's up to `root`, and `projectDir`. */
export function dependencyFolders(root: string, files: readonly string[], projectDir: string | undefined): string[] {
  const dirs = new Set<string>();
  const top = path.resolve(root);
  for (const file of files) {
    for (let dir = path.dirname(path.resolve(file)); !dirs.has(dir); dir = path.dirname(dir)) {
      dirs.add(dir);
      if (dir === top || path.dirname(dir) === dir || !dir.startsWith(top)) break;
    }
  }
  if (projectDir) dirs.add(path.resolve(projectDir));
  return [...dirs].filter((dir) => existsSync(dir));
}
