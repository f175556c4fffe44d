// Imports of modules the Python front-end cannot place: which top-level modules count as libraries
// (stdlib, declared dependencies, a project virtualenv), which calls are then unresolved, and star
// imports of project modules followed instead of left unknown.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config.js';
import { RULE_IDS } from '../src/model.js';
import { createPythonFrontEnd } from '../src/frontends/python/index.js';
import { dependencyFolders, importNamesOf, knownLibraryModules } from '../src/frontends/python/libraries.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function project(files: Record<string, string>): { root: string; paths: string[] } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'async-migrate-pyunknown-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return { root, paths: Object.keys(files).filter((name) => name.endsWith('.py')).map((name) => path.join(root, name)) };
}

/** The unresolved calls the graph records, as `name <- text`. */
async function unresolvedOf(files: Record<string, string>): Promise<string[]> {
  const { root, paths } = project(files);
  const analysis = await createPythonFrontEnd({ root, config: DEFAULT_CONFIG }).analyze(paths, new Set(RULE_IDS));
  return (analysis.graph.unresolved ?? []).map((call) => `${call.name} <- ${call.text}`).sort();
}

describe('known library modules', () => {
  it('maps distribution names to the names they are imported by', () => {
    expect(importNamesOf('python-dateutil')).toEqual(expect.arrayContaining(['python_dateutil', 'dateutil']));
    expect(importNamesOf('PyYAML')).toContain('yaml');
    expect(importNamesOf('beautifulsoup4')).toContain('bs4');
    expect(importNamesOf('google-cloud-storage')).toContain('google');
    expect(importNamesOf('Django')).toEqual(['django']);
  });

  it('reads requirements files, pyproject (PEP 621, groups, Poetry), Pipfile, setup.py and a project virtualenv', () => {
    const { root } = project({
      'requirements.txt': '# pinned\nredis[hiredis]==5.0.1 ; python_version > "3.8"\n-r requirements/dev.txt\n-e .\nhttps://example.invalid/pkg.whl\n',
      'requirements/dev.txt': 'pytest-cov\n',
      'pyproject.toml': '[project]\nname = "app"\ndependencies = ["fastapi>=0.100", "PyJWT"]\n[project.optional-dependencies]\nexcel = ["openpyxl"]\n[dependency-groups]\nlint = ["ruff"]\n[tool.poetry.dependencies]\npython = "^3.11"\nhttpx = "*"\n[tool.poetry.group.dev.dependencies]\nfreezegun = "*"\n',
      'Pipfile': '[packages]\nrequests = "*"\n[dev-packages]\nmypy = "*"\n',
      'setup.py': 'from setuptools import setup\nsetup(name="app", install_requires=["click>=8", \'tabulate\'], extras_require={"s3": ["boto3"]})\n',
      '.venv/lib/python3.12/site-packages/vendored_lib/__init__.py': '',
      '.venv/lib/python3.12/site-packages/single_module.py': '',
      '.venv/lib/python3.12/site-packages/Pillow-10.0.0.dist-info/top_level.txt': 'PIL\n',
    });
    const known = knownLibraryModules([root], []);
    for (const name of ['redis', 'pytest_cov', 'fastapi', 'jwt', 'openpyxl', 'ruff', 'httpx', 'freezegun', 'requests', 'mypy', 'click', 'tabulate', 'boto3', 'vendored_lib', 'single_module', 'PIL', 'os', 'asyncio', 'builtins']) {
      expect(known, name).toContain(name);
    }
    for (const name of ['python', 'api', 'app', 'e', 'https']) expect(known, name).not.toContain(name);
  });

  it('looks for project files in each folder from a file up to the analysed root', () => {
    const { root } = project({ 'backend/api/x.py': '', 'backend/requirements.txt': 'aiohttp\n' });
    const dirs = dependencyFolders(root, [path.join(root, 'backend/api/x.py')], undefined);
    expect(dirs.sort()).toEqual([root, path.join(root, 'backend'), path.join(root, 'backend/api')].sort());
    expect(knownLibraryModules(dirs, [])).toContain('aiohttp');
  });
});

describe('calls through modules the tool cannot place', () => {
  const base = {
    'lib/__init__.py': '',
    'lib/vnc/__init__.py': '',
    'lib/vnc/manager.py': 'def get_vnc(host):\n    return host\n',
  };

  it('records calls through an unknown module, a relative import naming no file and a missing module of a project package', async () => {
    expect(await unresolvedOf({
      ...base,
      'app/__init__.py': '',
      'app/panel.py': 'import vnc.manager as vm\nfrom vnc.manager import get_vnc as fetch\nfrom .gone import get_vnc\nfrom lib.vnc.missing import helper\n\n\ndef panel(h):\n    return fetch(h), vm.get_vnc(h), get_vnc(h), helper(h)\n',
    })).toEqual(['get_vnc <- fetch', 'get_vnc <- get_vnc', 'get_vnc <- vm.get_vnc', 'helper <- helper']);
  });

  it('does not record calls into the stdlib, builtins, a declared dependency or a blocking-API library', async () => {
    expect(await unresolvedOf({
      ...base,
      'requirements.txt': 'vnc-tools\n',
      'app.py': 'import json\nimport os.path\nimport redis\nfrom vnc_tools import get_vnc\n\n\ndef panel(h):\n    return get_vnc(h), json.dumps(h), os.path.join(h, h), redis.Redis().get(h), len(h)\n',
    })).toEqual([]);
  });

  it('records a function of an unknown module used as a value, and on an instance of its class only a method name', async () => {
    expect(await unresolvedOf({
      ...base,
      'lib/vnc/client.py': 'class Client:\n    def refresh(self):\n        return 1\n',
      'app.py': 'import vnc.manager as vm\nfrom vnc.manager import get_vnc\nfrom vnc.settings import Settings\n\n\ndef handlers() -> list:\n    return [get_vnc, vm.get_vnc]\n\n\ndef typed(x: get_vnc) -> None:\n    pass\n\n\ndef settings() -> list:\n    s = Settings()\n    return [s.get_vnc, s.refresh]\n',
    })).toEqual(['Settings <- Settings', 'get_vnc <- get_vnc', 'get_vnc <- vm.get_vnc', 'refresh <- s.refresh']);
  });
});

describe('star imports of project modules', () => {
  it('resolves a name a package re-exports with `from .impl import *`, as `__all__` allows', async () => {
    const { root, paths } = project({
      'store/__init__.py': 'from .files import *\nfrom .hidden import *\n',
      'store/files.py': '__all__ = ["load"]\n\n\ndef load(k):\n    return k\n\n\ndef unlisted(k):\n    return k\n',
      'store/hidden.py': 'def _private(k):\n    return k\n',
      'app.py': 'from store import load, unlisted, _private\n\n\ndef run():\n    return load(1), unlisted(2), _private(3)\n',
    });
    const analysis = await createPythonFrontEnd({ root, config: DEFAULT_CONFIG }).analyze(paths, new Set(RULE_IDS));
    const named = (id: string): string => analysis.graph.functions.get(id)!.name;
    const run = [...analysis.graph.functions.values()].find((fn) => fn.name === 'run')!;
    expect(analysis.graph.sites.filter((site) => site.caller === run.id).map((site) => named(site.callee))).toEqual(['load']);
    // `unlisted` (not in `__all__`) and `_private` are not bound by the star import: unknown, so recorded.
    expect((analysis.graph.unresolved ?? []).map((call) => call.name).sort()).toEqual(['_private', 'unlisted']);
  });
});
