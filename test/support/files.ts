import { rmSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const IGNORED = new Set(['node_modules', 'out', '__pycache__', '.git']);

/** Every file under `dir` (relative paths, `/` separators), skipping build output. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (IGNORED.has(entry.name)) continue;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), relative));
    else out.push(relative);
  }
  return out.sort();
}

export function readTree(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((file) => [file, readFileSync(path.join(dir, file), 'latin1')]));
}

/**
 * Copies a case's input to a temporary tree that mirrors the repository layout (same depth under
 * a `fixtures/` folder, with node_modules linked at the top), so relative typeRoots keep working.
 */
export function copyFixtureInput(inputDir: string): { work: string; cleanup: () => void } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'am-fixture-'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  const relative = path.relative(REPO, inputDir);
  const target = path.join(base, relative);
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(inputDir, target, { recursive: true, filter: (source) => !IGNORED.has(path.basename(source)) });
  return { work: target, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** Fixture case directories: those holding an `input/` folder. */
export function findCases(root: string): string[] {
  const cases: string[] = [];
  const walk = (dir: string): void => {
    if (existsSync(path.join(dir, 'input')) && statSync(path.join(dir, 'input')).isDirectory()) {
      cases.push(dir);
      return;
    }
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !IGNORED.has(entry.name)) walk(path.join(dir, entry.name));
    }
  };
  if (existsSync(root)) walk(root);
  return cases.sort();
}
