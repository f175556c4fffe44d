// `--oracle tsgo` where the optional dependency typescript7 did not install (a platform without its
// binary, `npm ci --omit=optional`): one line and exit 2, not a crash and not a JS-checker report.
import { afterEach, expect, it, vi } from 'vitest';
import { runCli } from './support/cli.js';
import { expectUsageError, makeProject, removeProjects } from './support/project.js';

vi.mock('typescript7/unstable/sync', () => {
  throw new Error("Cannot find package 'typescript7'");
});

afterEach(removeProjects);

it('without typescript7 installed: one line, exit 2', async () => {
  const dir = makeProject({ 'src/a.ts': 'export async function a(): Promise<void> {}\n' });
  const result = await runCli(['check', '.', '--oracle', 'tsgo'], dir);
  expectUsageError(result, 'async-migrate: --oracle tsgo: the native TypeScript 7 checker is not installed (npm install typescript7@npm:typescript@7.0.2)');
  // The JS checker still runs without it.
  expect((await runCli(['check', '.', '--format', 'json'], dir)).code).toBe(0);
});
