// A python3 compile check that hits its cap makes the whole run incomplete: exit 1, one stderr line,
// no report. The cap's firing depends on the machine's load, so a report built without the verdict
// (skipping fewer files) would change with the load. The timed-out check is injected.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './support/cli.js';
import { makeProject, removeProjects } from './support/project.js';

vi.mock('../src/frontends/python/compile-check.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/frontends/python/compile-check.js')>();
  return {
    ...original,
    compileWithPython3: async () => ({ errors: new Map(), unavailable: 'python3 took longer than 600 s', timedOut: true as const }),
  };
});

afterEach(removeProjects);

describe('a python3 compile check past its cap', () => {
  it('ends the run with exit 1, one line naming it, and no report', async () => {
    const dir = makeProject({ 'app.py': 'import time\n\n\nasync def main():\n    time.sleep(1)\n' });
    const result = await runCli(['check', '.', '--format', 'json'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/python3 took longer than 600 s to compile 1 Python file\(s\); the run is incomplete/);
  });
});
