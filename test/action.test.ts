// action.yml, run as the GitHub runner runs a composite action: each `run:` step in bash -eo pipefail
// with its `env:` expressions evaluated from the inputs, GITHUB_OUTPUT collected between steps. The
// install step (npm ci in the action's checkout) is not run: this checkout is installed and built.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './support/files.js';

interface Step {
  id?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  inputs: Record<string, { description: string; default?: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as Action;
const work = mkdtempSync(path.join(os.tmpdir(), 'am-action-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  /** The verdict: the exit code of the last step that ran (0 when every step passed). */
  status: number;
  log: string;
  outputs: Record<string, Record<string, string>>;
  /** Whether the upload-sarif step's condition held (hashFiles: the file exists). */
  uploaded: boolean;
  workspace: string;
}

/** Runs the action's steps on a copy of the three-file chain fixture, as `uses: ./` with `inputs`. */
function runAction(name: string, given: Record<string, string>): Run {
  const workspace = path.join(work, name);
  cpSync(path.join(REPO, 'fixtures/migrate/chain-three-files/input'), path.join(workspace, 'project'), { recursive: true });
  const inputs: Record<string, string> = Object.fromEntries(Object.entries(action.inputs).map(([key, input]) => [key, given[key] ?? input.default ?? '']));
  const outputs: Record<string, Record<string, string>> = {};
  const evaluate = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_whole, expression: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(expression);
      if (input) return inputs[input[1]!] ?? '';
      if (expression === 'github.action_path') return REPO;
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
      if (output) return outputs[output[1]!]?.[output[2]!] ?? '';
      throw new Error(`the test cannot evaluate \${{ ${expression} }}`);
    });

  let log = '';
  let uploaded = false;
  for (const step of action.runs.steps) {
    if (step.uses !== undefined) {
      expect(step).toMatchObject({ uses: 'github/codeql-action/upload-sarif@v3', with: { sarif_file: '${{ inputs.sarif }}' } });
      expect(step.if).toBe("${{ inputs.sarif != '' && hashFiles(inputs.sarif) != '' }}");
      uploaded = inputs.sarif !== '' && existsSync(path.join(workspace, inputs.sarif!));
      continue;
    }
    if (step.id === 'install') {
      expect(step).toMatchObject({ run: 'npm ci --no-audit --no-fund --loglevel=error', 'working-directory': '${{ github.action_path }}' });
      continue;
    }
    expect(step.if).toBeUndefined();
    expect(step.shell).toBe('bash');
    // Expressions in a script are pasted in before the shell sees it: inputs go through env instead.
    expect(step.run).not.toContain('${{');
    const outputFile = path.join(work, `${name}-${step.id ?? 'step'}.output`);
    writeFileSync(outputFile, '');
    const script = path.join(work, `${name}-${step.id ?? 'step'}.sh`);
    writeFileSync(script, step.run ?? '');
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, evaluate(value)]));
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: step['working-directory'] ? evaluate(step['working-directory']) : workspace,
      encoding: 'utf8',
      env: { ...process.env, ...env, GITHUB_OUTPUT: outputFile, GITHUB_WORKSPACE: workspace, GITHUB_ACTIONS: 'true' },
    });
    log += result.stdout + result.stderr;
    if (step.id) outputs[step.id] = Object.fromEntries(readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((line) => line.split('=', 2) as [string, string]));
    if (result.status !== 0) return { status: result.status ?? -1, log, outputs, uploaded, workspace };
  }
  return { status: 0, log, outputs, uploaded, workspace };
}

describe('action.yml', () => {
  it('is a composite action with the inputs paths, args, sarif and fail-on', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(['args', 'fail-on', 'paths', 'sarif']);
  });

  it('with sarif: writes and uploads the SARIF file, and fails at fail-on warning', () => {
    // --format json in args cannot turn the file into another format.
    const run = runAction('sarif', { paths: 'project', sarif: 'results/async-migrate.sarif', args: '--rules blocking-io --format json' });
    expect(run.log).toBe('async-migrate: exit 1; the findings are in results/async-migrate.sarif, uploaded to code scanning\n');
    const sarif = JSON.parse(readFileSync(path.join(run.workspace, 'results/async-migrate.sarif'), 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.results.map((result) => result.ruleId)).toEqual(['blocking-io']);
    expect(run.uploaded).toBe(true);
    expect(run.outputs.check).toEqual({ 'exit-code': '1' });
    expect(run.status).toBe(1);
  }, 60_000);

  it('without sarif: annotates the findings on the pull request', () => {
    const run = runAction('annotations', { paths: 'project', args: '--rules blocking-io' });
    expect(run.log).toMatch(/^::warning file=project\/src\/repository\.ts,line=8,col=29,title=async-migrate blocking-io::`readFileSync` blocks/m);
    expect(run.uploaded).toBe(false);
    expect(run.status).toBe(1);
  }, 60_000);

  it('passes when nothing reaches fail-on, and uploads nothing without sarif', () => {
    const run = runAction('fail-on-error', { paths: 'project', 'fail-on': 'error' });
    expect(run.log).toContain('::warning file=project/src/repository.ts,line=8');
    expect(run.uploaded).toBe(false);
    expect(run.outputs.check).toEqual({ 'exit-code': '0' });
    expect(run.status).toBe(0);
  }, 60_000);

  it('splits paths on spaces without expanding globs', () => {
    const files = runAction('two-files', { paths: 'project/src/service.ts project/src/repository.ts', args: '--format json' });
    expect((JSON.parse(files.log) as { summary: { files: number } }).summary.files).toBe(2);
    const glob = runAction('glob', { paths: 'project/*' });
    expect(glob.log).toContain(`async-migrate: path does not exist: ${path.join(glob.workspace, 'project/*')}`);
    expect(glob.status).toBe(2);
  }, 60_000);

  it("the README's CI recipe uses the action with its inputs only", () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const recipe = /## CI\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    const workflow = parse(recipe ?? '') as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> };
    const step = Object.values(workflow.jobs).flatMap((job) => job.steps).find((candidate) => candidate.uses?.startsWith('OWNER/async-migrate@'));
    expect(step).toBeDefined();
    for (const key of Object.keys(step?.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
  });
});
