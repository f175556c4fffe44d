// Workspace packages resolved to their source when node_modules is absent: how each package manager
// declares its packages, and how a package name (and subpath) maps back to the file it is built from.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findWorkspace, yamlPackagesList } from '../src/frontends/typescript/workspaces.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'am-workspace-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const manifest = (fields: Record<string, unknown>): string => `${JSON.stringify(fields)}\n`;

describe('workspace packages', () => {
  it('pnpm-workspace.yaml: globs, negations, exports patterns and dist -> src without a tsconfig', () => {
    const root = tree({
      'pnpm-workspace.yaml': ['# the packages', 'packages:', '  - "packages/**" # all of them', "  - '!packages/old'", '', 'catalog:', '  x: 1', ''].join('\n'),
      'packages/plain/package.json': manifest({ name: '@p/plain' }),
      'packages/plain/src/index.ts': '',
      'packages/built/package.json': manifest({ name: '@p/built', exports: { '.': './dist/main.mjs', './*': { types: './dist/*.d.ts' } } }),
      'packages/built/src/main.mts': '',
      'packages/built/dist/main.mjs': '', // built but not installed: the source is still what counts
      'packages/built/src/sub.ts': '',
      'packages/old/package.json': manifest({ name: '@p/old' }),
      'packages/old/src/index.ts': '',
      'packages/plain/src/nested/package.json': manifest({ name: '@p/nested' }),
      'packages/plain/src/nested/src/index.ts': '',
    });
    const resolve = findWorkspace(path.join(root, 'packages', 'plain', 'src'));
    expect(resolve).toBeDefined();
    expect(resolve!('@p/plain')).toBe(path.join(root, 'packages/plain/src/index.ts'));
    expect(resolve!('@p/built')).toBe(path.join(root, 'packages/built/src/main.mts'));
    expect(resolve!('@p/built/sub')).toBe(path.join(root, 'packages/built/src/sub.ts'));
    expect(resolve!('@p/nested')).toBe(path.join(root, 'packages/plain/src/nested/src/index.ts'));
    expect(resolve!('@p/old')).toBeUndefined();
    expect(resolve!('@p/missing')).toBeUndefined();
    expect(resolve!('@p/built/absent')).toBeUndefined();
  });

  it('package.json workspaces and lerna.json; main mapped back through the tsconfig outDir -> rootDir', () => {
    const root = tree({
      'package.json': manifest({ private: true, workspaces: { packages: ['apps/*'] } }),
      'lerna.json': manifest({ packages: ['libs/*'] }),
      'apps/web/package.json': manifest({ name: 'web' }),
      'apps/web/src/index.tsx': '',
      'libs/core/package.json': manifest({ name: 'core', main: 'lib/index.js', types: 'lib/index.d.ts' }),
      'libs/core/tsconfig.build.json': manifest({ compilerOptions: { outDir: 'lib', rootDir: 'source' } }),
      'libs/core/source/index.ts': '',
      'libs/core/source/deep/file.ts': '',
    });
    const resolve = findWorkspace(path.join(root, 'apps', 'web'))!;
    expect(resolve('web')).toBe(path.join(root, 'apps/web/src/index.tsx'));
    expect(resolve('core')).toBe(path.join(root, 'libs/core/source/index.ts'));
    expect(resolve('core/lib/deep/file')).toBe(path.join(root, 'libs/core/source/deep/file.ts'));
    expect(resolve('core/source/deep/file')).toBe(path.join(root, 'libs/core/source/deep/file.ts'));
  });

  it('no workspace: nothing to resolve', () => {
    const root = tree({ 'package.json': manifest({ name: 'single' }), 'src/index.ts': '' });
    expect(findWorkspace(path.join(root, 'src'))).toBeUndefined();
  });

  it('reads a flow list and ignores the rest of pnpm-workspace.yaml', () => {
    expect(yamlPackagesList("packages: ['a/*', \"b\"] # two\nonlyBuiltDependencies:\n  - esbuild\n")).toEqual(['a/*', 'b']);
    expect(yamlPackagesList('catalog:\n  x: 1\n')).toEqual([]);
  });
});
