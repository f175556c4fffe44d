#!/usr/bin/env node
// Generates a deterministic npm-workspaces monorepo for the per-package summaries
// (`check --summary-out` / `--summaries-from`): the vitest test builds a small one, `npm run
// bench:monorepo` a 20-package one, and both compare the combined report with a whole-program run.
//
//   node bench/generate-monorepo.mjs [--packages 20] [--files 25] [--shape chain|star] [--language typescript|python] [--out .bench/monorepo]
//
// --language python writes a uv workspace of the same shape (generatePythonMonorepo below).
//
// Shape: packages p00..pNN, each depending on the one or two before it and on p00 (a cycle-free order).
// - p00 holds the `Store` interface and `FileStore`, whose `load` reads a file synchronously, and
//   `step0`, which does blocking I/O.
// - Every later package calls `step<i-1>` of the package before it from its own `step<i>`: one chain
//   of calls across every package, up to the last package's `async main()`, which reaches it.
// - Every later package implements `Store` (`P<i>Store`, a method family across packages) and has an
//   async `handle<i>(store: Store)` that calls `store.load`, so FileStore's blocking read is on the
//   event loop and the whole family turns async, with the callers of `P<i>Store.load` in the next package.
// With --shape star every later package calls p00 instead of the package before (and depends on it
// alone): its imports reach p00 only, which is what bounds a package's own analysis.
// - Every fourth package has a class whose getter calls the package before it's `label<i-1>`, which
//   blocks on `existsSync` and is also called from async code: the getter cannot turn async, so
//   `label<i-1>` stays sync (a block that travels from one package down into another).
// - Every package drops a promise (`kick<i>`: floating-promise) and awaits a sync function
//   (await-non-thenable); the rest is ordinary sync code (`--files` modules of helpers) for bulk.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const pad = (i) => String(i).padStart(2, '0');
const pkgName = (i) => `@mono/p${pad(i)}`;

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Ordinary sync code: helpers calling each other inside one module, no async anywhere. */
function fillerModule(i, m, functions) {
  const lines = [`// Helpers of package ${pad(i)}, module ${m}: plain sync code.`];
  for (let k = 0; k < functions; k++) {
    const name = `h${i}_${m}_${k}`;
    const next = k + 1 < functions ? `h${i}_${m}_${k + 1}(parts.slice(1))` : 'parts.length';
    lines.push(
      `export function ${name}(parts: readonly string[]): number {`,
      `  let total = 0;`,
      `  for (const part of parts) {`,
      `    total += part.length * ${k + 1};`,
      `    if (part.startsWith('${String.fromCharCode(97 + (k % 26))}')) total -= ${m + 1};`,
      `  }`,
      `  const rest = parts.length > 1 ? ${next} : 0;`,
      `  return total + rest;`,
      `}`,
      '',
      `export class Box${i}_${m}_${k} {`,
      `  private readonly items: string[] = [];`,
      `  add(item: string): number {`,
      `    this.items.push(item.trim());`,
      `    return ${name}(this.items);`,
      `  }`,
      `  get size(): number {`,
      `    return this.items.length;`,
      `  }`,
      `}`,
      '',
    );
  }
  return lines.join('\n');
}

function corePackage(files, functions) {
  const src = {};
  src['store.ts'] = `import { existsSync, readFileSync } from 'node:fs';

export interface Store {
  load(key: string): string;
}

export class FileStore implements Store {
  constructor(private readonly dir: string) {}

  load(key: string): string {
    return readFileSync(\`\${this.dir}/\${key}\`, 'utf8');
  }
}

export function step0(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

export function label0(path: string): string {
  return existsSync(path) ? 'present' : 'absent';
}
`;
  src['index.ts'] = [`export * from './store.js';`, ...Array.from({ length: files }, (_, m) => `export * from './helpers${m}.js';`), ''].join('\n');
  for (let m = 0; m < files; m++) src[`helpers${m}.ts`] = fillerModule(0, m, functions);
  return src;
}

function laterPackage(i, count, files, functions, star) {
  // A chain calls the package before; a star calls p00 only, so each package's imports reach p00 alone.
  const before = star ? 0 : i - 1;
  const previous = pkgName(before);
  const src = {};
  const blocksLabel = i % 4 === 3;
  const isLast = i === count - 1;
  src['chain.ts'] = `import { existsSync } from 'node:fs';
import { label${before}, step${before}${before === 0 ? ', type Store' : ''} } from '${previous}';${before === 0 ? '' : `\nimport type { Store } from '@mono/p00';`}

export function step${i}(path: string): string {
  return \`${i}:\${step${before}(path)}\`;
}

export function label${i}(path: string): string {
  return existsSync(path) ? label${before}(path) : 'none';
}

export class P${i}Store implements Store {
  load(key: string): string {
    return key.toUpperCase();
  }
}

export async function handle${i}(store: Store, key: string): Promise<number> {
  const text = store.load(key);
  return text.length;
}

export function loadTwice${i}(store: P${i}Store, key: string): string {
  return store.load(key) + store.load(key);
}

export function kick${i}(key: string): void {
  handle${i}(new P${i}Store(), key);
}

function width${i}(text: string): number {
  return text.length;
}

export async function measure${i}(path: string): Promise<number> {
  return await width${i}(label${before}(path));
}
${blocksLabel ? `
export class Cached${i} {
  constructor(private readonly path: string) {}

  get label(): string {
    return label${before}(this.path);
  }
}
` : ''}${isLast ? `
export async function main(path: string): Promise<void> {
  console.log(step${i}(path), loadTwice${i}(new P${i}Store(), path));
}
` : ''}`;
  src['index.ts'] = [`export * from './chain.js';`, ...Array.from({ length: files }, (_, m) => `export * from './helpers${m}.js';`), ''].join('\n');
  for (let m = 0; m < files; m++) src[`helpers${m}.ts`] = fillerModule(i, m, functions);
  return src;
}

/** Python: ordinary sync code, helpers calling each other inside one module, and a class with a property. */
function pythonFillerModule(i, m, functions) {
  const lines = [`"""Helpers of package ${pad(i)}, module ${m}: plain sync code."""`, ''];
  for (let k = 0; k < functions; k++) {
    const name = `h${i}_${m}_${k}`;
    const next = k + 1 < functions ? `h${i}_${m}_${k + 1}(parts[1:])` : 'len(parts)';
    lines.push(
      '',
      `def ${name}(parts: list[str]) -> int:`,
      `    total = 0`,
      `    for part in parts:`,
      `        total += len(part) * ${k + 1}`,
      `        if part.startswith("${String.fromCharCode(97 + (k % 26))}"):`,
      `            total -= ${m + 1}`,
      `    rest = ${next} if len(parts) > 1 else 0`,
      `    return total + rest`,
      '',
      '',
      `class Box${i}_${m}_${k}:`,
      `    def __init__(self) -> None:`,
      `        self.items: list[str] = []`,
      '',
      `    def add(self, item: str) -> int:`,
      `        self.items.append(item.strip())`,
      `        return ${name}(self.items)`,
      '',
      `    @property`,
      `    def size(self) -> int:`,
      `        return len(self.items)`,
      '',
    );
  }
  return lines.join('\n');
}

function pythonCorePackage(files, functions) {
  const src = {};
  src['store.py'] = `"""Package 00: the Store protocol, a store that fetches over HTTP, and blocking helpers."""
import time
from typing import Protocol

import requests


class Store(Protocol):
    def load(self, key: str) -> str: ...


class FileStore(Store):
    def __init__(self, url: str) -> None:
        self.url = url

    def load(self, key: str) -> str:
        return requests.get(f"{self.url}/{key}").text


class Client:
    def get(self, key: str) -> str:
        time.sleep(0.01)
        return key


def step0(path: str) -> str:
    time.sleep(0.01)
    return path.strip()


def label0(path: str) -> str:
    return requests.head(path).reason


async def ping0(client: Client) -> str:
    return client.get("ping")
`;
  src['__init__.py'] = ['from .store import Client, FileStore, Store, label0, ping0, step0', ...Array.from({ length: files }, (_, m) => `from . import helpers${m}`), ''].join('\n');
  for (let m = 0; m < files; m++) src[`helpers${m}.py`] = pythonFillerModule(0, m, functions);
  return src;
}

function pythonLaterPackage(i, count, files, functions, star) {
  const before = star ? 0 : i - 1;
  const src = {};
  const blocksLabel = i % 4 === 3;
  const isLast = i === count - 1;
  src['chain.py'] = `"""Package ${pad(i)}: a step of the chain, a store of the Store family, handlers."""
from p${pad(before)} import label${before}, step${before}
from p00 import Store


def step${i}(path: str) -> str:
    return f"${i}:{step${before}(path)}"


def label${i}(path: str) -> str:
    return label${before}(path) if path else "none"


class P${i}Store:
    def load(self, key: str) -> str:
        return key.upper()


async def handle${i}(store: Store, key: str) -> int:
    text = store.load(key)
    return len(text)


def load_twice${i}(store: P${i}Store, key: str) -> str:
    return store.load(key) + store.load(key)


def kick${i}(key: str) -> None:
    handle${i}(P${i}Store(), key)


def _width${i}(text: str) -> int:
    return len(text)


async def measure${i}(path: str) -> int:
    return await _width${i}(label${before}(path))


async def option${i}(options) -> str:
    return options.get("name", "")
${blocksLabel ? `

class Cached${i}:
    def __init__(self, path: str) -> None:
        self.path = path

    @property
    def label(self) -> str:
        return label${before}(self.path)
` : ''}${isLast ? `

async def main(path: str) -> None:
    print(step${i}(path), load_twice${i}(P${i}Store(), path))
` : ''}`;
  src['__init__.py'] = [
    `from .chain import P${i}Store, handle${i}, kick${i}, label${i}, load_twice${i}, measure${i}, option${i}, step${i}`,
    ...Array.from({ length: files }, (_, m) => `from . import helpers${m}`),
    '',
  ].join('\n');
  for (let m = 0; m < files; m++) src[`helpers${m}.py`] = pythonFillerModule(i, m, functions);
  return src;
}

/** The last package's test patches the package before's step by its dotted name (a fact on another package's function). */
function pythonTest(i, star) {
  const before = star ? 0 : i - 1;
  const target = before === 0 ? 'p00.store.step0' : `p${pad(before)}.chain.step${before}`;
  return `from unittest import mock

from p${pad(i)} import step${i}


def test_step${i}() -> None:
    with mock.patch("${target}", return_value="x"):
        assert step${i}("p").endswith("x")
`;
}

/**
 * A uv workspace of Python packages p00..pNN (packages/pNN/src/pNN), of the same shape as the npm one:
 * a chain of calls across every package down to p00's blocking `step0`, a Protocol `Store` in p00
 * implemented by shape in every later package (a family across packages), a property every fourth
 * package whose getter keeps the package before's `label` sync, a dropped coroutine and an awaited
 * sync function per package, an untyped `options.get(…)` in async code (a loose match of p00's
 * `Client.get`, which turns async) and a test that patches another package's function by name.
 */
function generatePythonMonorepo({ outDir, packages, files, functions, star }) {
  write(path.join(outDir, 'pyproject.toml'), '[tool.uv.workspace]\nmembers = ["packages/*"]\n');
  let lines = 0;
  for (let i = 0; i < packages; i++) {
    const dir = path.join(outDir, 'packages', `p${pad(i)}`);
    const dependencies = (star ? [0] : [...new Set([0, i - 2, i - 1])]).filter((d) => d >= 0 && d < i).map((d) => `p${pad(d)}`);
    const sources = dependencies.map((name) => `${name} = { workspace = true }\n`).join('');
    write(
      path.join(dir, 'pyproject.toml'),
      `[project]\nname = "p${pad(i)}"\nversion = "1.0.0"\ndependencies = [${dependencies.map((name) => `"${name}"`).join(', ')}]\n${sources ? `\n[tool.uv.sources]\n${sources}` : ''}`,
    );
    const src = i === 0 ? pythonCorePackage(files, functions) : pythonLaterPackage(i, packages, files, functions, star);
    if (i === packages - 1) src['../../tests/test_chain.py'] = pythonTest(i, star);
    for (const [name, text] of Object.entries(src)) {
      write(path.join(dir, 'src', `p${pad(i)}`, name), text);
      lines += text.split('\n').length;
    }
  }
  return lines;
}

/** Writes the monorepo into `outDir` (replacing a previous one) and returns its shape. */
export function generateMonorepo({ outDir, packages = 20, files = 25, functions = 12, shape: layout = 'chain', language = 'typescript', gitInit = false }) {
  const star = layout === 'star';
  if (packages < 2) throw new Error('a monorepo needs at least 2 packages');
  if (fs.existsSync(outDir)) {
    if (!fs.existsSync(path.join(outDir, 'monorepo.json'))) throw new Error(`${outDir} exists and is not a generated monorepo (no monorepo.json); refusing to overwrite`);
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  if (language === 'python') {
    const lines = generatePythonMonorepo({ outDir, packages, files, functions, star });
    const shape = { generator: 'bench/generate-monorepo.mjs', language, layout, packages, filesPerPackage: files + 2, functionsPerModule: functions, lines };
    write(path.join(outDir, 'monorepo.json'), `${JSON.stringify(shape, null, 2)}\n`);
    if (gitInit) execFileSync('git', ['init', '-q', outDir], { stdio: 'ignore' });
    return shape;
  }
  const typeRoots = path.join(REPO_ROOT, 'node_modules', '@types');
  write(path.join(outDir, 'package.json'), `${JSON.stringify({ name: 'mono', private: true, type: 'module', workspaces: ['packages/*'] }, null, 2)}\n`);
  write(
    path.join(outDir, 'tsconfig.base.json'),
    `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [typeRoots] } }, null, 2)}\n`,
  );
  // The root project references every package: a whole-program run loads them all in one program.
  write(path.join(outDir, 'tsconfig.json'), `${JSON.stringify({ files: [], references: Array.from({ length: packages }, (_, i) => ({ path: `packages/p${pad(i)}` })) }, null, 2)}\n`);
  let lines = 0;
  for (let i = 0; i < packages; i++) {
    const dir = path.join(outDir, 'packages', `p${pad(i)}`);
    const dependencies = Object.fromEntries((star ? [0] : [...new Set([0, i - 2, i - 1])]).filter((d) => d >= 0 && d < i).map((d) => [pkgName(d), '*']));
    write(path.join(dir, 'package.json'), `${JSON.stringify({ name: pkgName(i), version: '1.0.0', type: 'module', main: 'dist/index.js', types: 'dist/index.d.ts', dependencies }, null, 2)}\n`);
    write(path.join(dir, 'tsconfig.json'), `${JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] }, null, 2)}\n`);
    const src = i === 0 ? corePackage(files, functions) : laterPackage(i, packages, files, functions, star);
    for (const [name, text] of Object.entries(src)) {
      write(path.join(dir, 'src', name), text);
      lines += text.split('\n').length;
    }
  }
  const shape = { generator: 'bench/generate-monorepo.mjs', layout, packages, filesPerPackage: files + 2, functionsPerModule: functions, lines };
  write(path.join(outDir, 'monorepo.json'), `${JSON.stringify(shape, null, 2)}\n`);
  // Under the repository's gitignored .bench/, a repository of its own keeps its files from being ignored.
  if (gitInit) execFileSync('git', ['init', '-q', outDir], { stdio: 'ignore' });
  return shape;
}

function main() {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
  };
  const outDir = path.resolve(flag('out', path.join(REPO_ROOT, '.bench', 'monorepo')));
  const shape = generateMonorepo({ outDir, packages: Number(flag('packages', '20')), files: Number(flag('files', '25')), functions: Number(flag('functions', '12')), shape: flag('shape', 'chain'), language: flag('language', 'typescript'), gitInit: true });
  process.stdout.write(`generated ${shape.packages} packages (${shape.lines} lines) in ${path.relative(process.cwd(), outDir) || '.'}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
