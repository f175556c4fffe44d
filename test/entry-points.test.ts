// Package entry points: which package.json each file belongs to, what its entries resolve to, and
// what they make public. The fixtures package-entry-points* and package-main-commonjs hold the
// whole-report behaviour; these cases hold the resolution rules they do not show.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ts } from '@ts-morph/common';
import { afterAll, describe, expect, it } from 'vitest';
import { findPublicSurface } from '../src/frontends/typescript/entry-points.js';
import { loadProgram } from '../src/frontends/typescript/project.js';

function writeTree(dir: string, files: Record<string, string>): string[] {
  return Object.entries(files).map(([name, text]) => {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  });
}

function surfaceOf(dir: string, files: Record<string, string>) {
  const written = writeTree(dir, files).filter((file) => /\.[cm]?[jt]s$/.test(file));
  const { program, checker } = loadProgram(written, undefined);
  const surface = findPublicSurface(program, checker, dir, written);
  const names = [...surface.reachable.entries()].map(([node, entry]) => `${nameOf(node)} ${entry.package} ${entry.field}`).sort();
  return { surface, names, file: (name: string) => path.join(dir, name) };
}

function nameOf(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  if (ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) return node.parent.name.text;
  return ts.SyntaxKind[node.kind];
}

describe('package entry points', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'am-entry-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('gives each workspace package its own entries, and passes over a {"type": "module"} marker', () => {
    const dir = path.join(base, 'monorepo');
    const { surface, names, file } = surfaceOf(dir, {
      'package.json': JSON.stringify({ name: 'root', private: true, workspaces: ['packages/*'] }),
      'packages/a/package.json': JSON.stringify({ name: '@m/a', main: './dist/index.js' }),
      'packages/a/src/index.ts': "export { load } from './esm/load.js';\n",
      'packages/a/src/esm/package.json': JSON.stringify({ type: 'module' }),
      'packages/a/src/esm/load.ts': 'export function load(): string { return "a"; }\nexport function other(): void {}\n',
      // `./package.json` is loaded as data, not code: it neither resolves nor keeps the map from narrowing.
      'packages/b/package.json': JSON.stringify({ name: '@m/b', exports: { './tools': { require: './lib/tools.js' }, './package.json': './package.json' } }),
      'packages/b/src/tools.ts': 'export const tool = (): number => 1;\n',
      'packages/b/src/hidden.ts': 'export function hidden(): void {}\n',
    });
    expect(names).toEqual(['load packages/a/package.json main', 'tool packages/b/package.json exports["./tools"]', 'tool packages/b/package.json exports["./tools"]']);
    // `main` alone: deep imports stay possible, so the other files' exports stay public.
    expect(surface.fileExportsArePublic(file('packages/a/src/esm/load.ts'))).toBe(true);
    // An `exports` map is all a user can import.
    expect(surface.fileExportsArePublic(file('packages/b/src/hidden.ts'))).toBe(false);
    expect(surface.entries.map((entry) => `${entry.package} ${entry.field} ${entry.source}`)).toEqual([
      'packages/a/package.json main packages/a/src/index.ts',
      'packages/b/package.json exports["./tools"] packages/b/src/tools.ts',
    ]);
  });

  it('says once, in the report, that an exports target maps to no source, and then narrows nothing', () => {
    const dir = path.join(base, 'unmapped');
    const { surface, file } = surfaceOf(dir, {
      'package.json': JSON.stringify({ name: 'u', exports: { '.': './build-output/index.js' } }),
      'src/index.ts': 'export function f(): void {}\n',
    });
    expect(surface.entries).toEqual([
      {
        package: 'package.json',
        field: 'exports["."]',
        kind: 'api',
        target: './build-output/index.js',
        note: "./build-output/index.js maps to no analysed source file (through a tsconfig's outDir/rootDir or declarationDir, or dist|lib|out|build -> src): what it exports is not known, so every exported function of the package counts as public",
      },
    ]);
    expect(surface.fileExportsArePublic(file('src/index.ts'))).toBe(true);
  });

  it('follows export =, namespace re-exports and a class to its base', () => {
    const dir = path.join(base, 'shapes');
    const { names } = surfaceOf(dir, {
      'package.json': JSON.stringify({ name: 's', exports: './dist/index.js' }),
      'src/index.ts': "export * as ns from './ns.js';\nexport { Child } from './child.js';\n",
      'src/ns.ts': 'export function inNamespace(): void {}\n',
      'src/base.ts': 'export class Base {\n  shared(): void {}\n  private secret(): void {}\n}\n',
      'src/child.ts': "import { Base } from './base.js';\nexport class Child extends Base {\n  own(): void {}\n}\n",
    });
    expect(names).toEqual([
      'Base package.json exports["."]',
      'Child package.json exports["."]',
      'inNamespace package.json exports["."]',
      'own package.json exports["."]',
      'shared package.json exports["."]',
    ]);
  });
});
