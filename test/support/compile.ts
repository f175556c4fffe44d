// Type-checks and builds a fixture project in-process. Library .d.ts files (lib.*, @types/node)
// are parsed once and shared across cases: the suite would otherwise spend its time re-parsing them.
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import ts from 'typescript';

const libraryCache = new Map<string, ts.SourceFile>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const isLibrary = fileName.includes('/node_modules/');
    const key = `${fileName}|${typeof languageVersion === 'object' ? languageVersion.languageVersion : languageVersion}`;
    if (isLibrary) {
      const cached = libraryCache.get(key);
      if (cached) return cached;
    }
    const sourceFile = getSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (isLibrary && sourceFile) libraryCache.set(key, sourceFile);
    return sourceFile;
  };
  return host;
}

export interface BuildResult {
  errors: string[];
}

/** `tsc -p <dir>` (emitting to the tsconfig's outDir unless `noEmit`), returning the error messages. */
export function buildProject(projectDir: string, emit: boolean): BuildResult {
  const configPath = path.join(projectDir, existsSync(path.join(projectDir, 'tsconfig.json')) ? 'tsconfig.json' : 'jsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, projectDir, undefined, configPath);
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: !emit, outDir: parsed.options.outDir ?? path.join(projectDir, 'out') };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options, host: cachingHost(options) });
  const diagnostics = [...ts.getPreEmitDiagnostics(program)];
  if (emit) diagnostics.push(...program.emit().diagnostics);
  const errors = diagnostics
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const where = d.file && d.start !== undefined ? `${path.relative(projectDir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  return { errors };
}

export interface ProgramRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The entry of a fixture program: compiled `out/main.js` for TypeScript, else `main.{js,mjs,cjs}`. */
export function programEntry(projectDir: string): { entry: string; needsBuild: boolean } | undefined {
  if (existsSync(path.join(projectDir, 'main.ts'))) return { entry: 'out/main.js', needsBuild: true };
  if (existsSync(path.join(projectDir, 'main.mts'))) return { entry: 'out/main.mjs', needsBuild: true };
  if (existsSync(path.join(projectDir, 'main.cts'))) return { entry: 'out/main.cjs', needsBuild: true };
  for (const name of ['main.js', 'main.mjs', 'main.cjs']) if (existsSync(path.join(projectDir, name))) return { entry: name, needsBuild: false };
  return undefined;
}

export function runProgram(projectDir: string, entry: string): ProgramRun {
  const result = spawnSync(process.execPath, [entry], { cwd: projectDir, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
