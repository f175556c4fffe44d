// What a Python project declares about itself (src/frontends/python/project.ts): import roots,
// pytest-asyncio and console scripts, read from its files, and the import name of a file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importNameOf, readProjectSettings } from '../src/frontends/python/project.js';

const made: string[] = [];

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'am-pyproject-'));
  made.push(root);
  mkdirSync(path.join(root, '.git'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('readProjectSettings', () => {
  it('finds src roots declared by setuptools (setup.py), setup.cfg and Poetry', () => {
    const setupPy = project({ 'setup.py': 'from setuptools import setup, find_packages\nsetup(packages=find_packages(where="lib"))\n', 'lib/x/__init__.py': '' });
    expect(readProjectSettings(setupPy).sourceRoots).toEqual([path.join(setupPy, 'lib')]);
    const cfg = project({ 'setup.cfg': '[options]\npackage_dir =\n    =code\n', 'code/x/__init__.py': '' });
    expect(readProjectSettings(cfg).sourceRoots).toEqual([path.join(cfg, 'code')]);
    const poetry = project({ 'pyproject.toml': '[tool.poetry]\npackages = [{ include = "x", from = "pkgs" }]\n', 'pkgs/x/__init__.py': '' });
    expect(readProjectSettings(poetry).sourceRoots).toEqual([path.join(poetry, 'pkgs')]);
  });

  it('tells pytest-asyncio strict, auto and absent apart', () => {
    expect(readProjectSettings(project({ 'requirements-dev.txt': 'pytest\npytest-asyncio==0.23\n' })).pytestAsyncio).toBe('strict');
    expect(readProjectSettings(project({ 'pytest.ini': '[pytest]\nasyncio_mode = auto\n' })).pytestAsyncio).toBe('auto');
    expect(readProjectSettings(project({ 'pyproject.toml': '[project]\nname = "x"\n' })).pytestAsyncio).toBe('none');
  });

  it('reads console scripts from pyproject and setup.py', () => {
    const toml = project({ 'pyproject.toml': '[project.scripts]\ntool = "pkg.cli:main"\n\n[tool.other]\nx = "a:b"\n' });
    expect(readProjectSettings(toml).consoleScripts).toEqual(['pkg.cli.main']);
    const py = project({ 'setup.py': 'setup(entry_points={"console_scripts": ["tool = pkg.cli:run", "t2=pkg.b:go"]})\n' });
    expect(readProjectSettings(py).consoleScripts).toEqual(['pkg.cli.run', 'pkg.b.go']);
  });
});

describe('importNameOf', () => {
  it('names a module the same whichever folder is analysed', () => {
    const root = project({ 'pyproject.toml': '', 'app/__init__.py': '', 'app/core/__init__.py': '', 'app/core/db.py': '', 'scripts/run.py': '' });
    const db = path.join(root, 'app/core/db.py');
    const fromTop = readProjectSettings(root);
    const fromPackage = readProjectSettings(path.join(root, 'app'));
    expect(importNameOf(db, fromTop, root)).toEqual({ name: 'app.core.db', isPackage: false });
    expect(importNameOf(db, fromPackage, path.join(root, 'app'))).toEqual({ name: 'app.core.db', isPackage: false });
    expect(importNameOf(path.join(root, 'app/core/__init__.py'), fromTop, root)).toEqual({ name: 'app.core', isPackage: true });
    expect(importNameOf(path.join(root, 'scripts/run.py'), fromPackage, path.join(root, 'app'))).toEqual({ name: 'scripts.run', isPackage: false });
  });

  it('never counts a folder whose name is no identifier as a package, even with an __init__.py', () => {
    // `my-service/` is the folder put on sys.path: its code imports `api.jobs`, which no dotted name
    // can spell through `my-service`.
    const root = project({ 'pyproject.toml': '', 'my-service/__init__.py': '', 'my-service/api/__init__.py': '', 'my-service/api/jobs.py': '', 'my-service/main.py': '' });
    const settings = readProjectSettings(root);
    expect(importNameOf(path.join(root, 'my-service/api/jobs.py'), settings, root)).toEqual({ name: 'api.jobs', isPackage: false });
    expect(importNameOf(path.join(root, 'my-service/main.py'), settings, root)).toEqual({ name: 'main', isPackage: false });
  });
});

describe('the path given', () => {
  it('does not change what check finds: `check proj` and `check proj/pkg` see the same functions turn async', async () => {
    const { runCli } = await import('./support/cli.js');
    const root = project({
      'pyproject.toml': '[project]\nname = "proj"\n',
      'pkg/__init__.py': '',
      'pkg/store.py': 'import time\n\n\ndef read() -> str:\n    time.sleep(0.001)\n    return "x"\n',
      'pkg/api.py': 'from pkg.store import read\n\n\nasync def handle() -> str:\n    return read()\n',
    });
    const names = async (dir: string): Promise<string[]> => {
      const result = await runCli(['check', dir, '--format', 'json'], root);
      return (JSON.parse(result.stdout) as { asyncFunctions: { name: string }[] }).asyncFunctions.map((fn) => fn.name);
    };
    expect(await names('.')).toEqual(['read']);
    expect(await names('pkg')).toEqual(['read']);
  });
});
