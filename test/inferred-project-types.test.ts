// Without a tsconfig, the `@types` a dependency's `/// <reference types="…" />` names are looked up
// from the analysed folder up, as from a tsconfig's folder: the program (and so the report and its
// cost) does not depend on the directory the command is started in.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadProgram } from '../src/frontends/typescript/project.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'am-inferred-types-'));
const startedIn = process.cwd();
afterEach(() => process.chdir(startedIn));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function typesPackage(home: string, declaration: string): string {
  const folder = path.join(home, 'node_modules', '@types', 'jobenv');
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'index.d.ts');
  writeFileSync(file, declaration);
  return file;
}

const project = path.join(dir, 'project');
const elsewhere = path.join(dir, 'elsewhere');
mkdirSync(path.join(project, 'lib'), { recursive: true });
const job = path.join(project, 'lib', 'job.js');
writeFileSync(job, '/// <reference types="jobenv" />\nstartJob();\n');
const foreign = typesPackage(elsewhere, 'declare function startJob(): Promise<void>;\n');

const programFiles = (root?: string): string[] =>
  loadProgram([job], undefined, undefined, undefined, root)
    .program.getSourceFiles()
    .map((sourceFile) => path.resolve(sourceFile.fileName));

describe('inferred project: @types from the analysed folder', () => {
  it("does not take the working directory's @types", () => {
    process.chdir(elsewhere);
    expect(programFiles(project)).not.toContain(foreign);
    // No root given (library use): the folder of the first file.
    expect(programFiles()).not.toContain(foreign);
  });

  it("takes the analysed project's own @types wherever the command starts", () => {
    const own = typesPackage(project, 'declare function startJob(): void;\n');
    try {
      for (const cwd of [elsewhere, project, os.tmpdir()]) {
        process.chdir(cwd);
        expect(programFiles(project)).toContain(own);
        expect(programFiles(project)).not.toContain(foreign);
      }
    } finally {
      rmSync(path.join(project, 'node_modules'), { recursive: true, force: true });
    }
  });
});
