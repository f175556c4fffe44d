// Installable as users get it, and as the README says: `npm pack` gives a tarball that
// `npm install -D` puts into a project, with no build step left to the user, and `npx async-migrate`
// runs it, reading the project's settings from package.json and pyproject.toml.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './support/files.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

interface Report {
  findings: { rule: string; file: string; line: number }[];
  summary: { files: number; functionsMadeAsync: number };
}

describe('npm pack', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'am-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs into a project as the README says and runs through npx, configured from package.json or pyproject.toml', () => {
    // --ignore-scripts: the suite has built dist/ already (npm test builds first).
    execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: REPO, stdio: 'pipe' });
    const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
    expect(tarball).toBe('async-migrate-0.1.0.tgz');
    const app = path.join(work, 'app');
    cpSync(path.join(REPO, 'fixtures/migrate/chain-three-files/input'), path.join(app, 'project'), { recursive: true });
    cpSync(path.join(REPO, 'fixtures/python-example'), path.join(app, 'service'), { recursive: true });
    // The TypeScript settings in package.json, the Python ones in the service's pyproject.toml.
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, 'async-migrate': { rules: { 'floating-promise': 'off', 'await-non-thenable': 'off', 'blocking-sleep': 'off' } } }));
    writeFileSync(path.join(app, 'service/pyproject.toml'), '[project]\nname = "service"\n\n[tool.async-migrate]\nexclude = ["test_*.py"]\nentry-points = ["main"]\n\n[tool.async-migrate.rules]\nblocking-sleep = "off"\n');
    execFileSync(npm, ['install', '-D', '--no-audit', '--no-fund', path.join(work, tarball!)], { cwd: app, stdio: 'pipe', timeout: 240_000 });
    expect(existsSync(path.join(app, 'node_modules/async-migrate/schemas/async-migrate.config.schema.json'))).toBe(true);

    const npxCheck = (target: string, ...args: string[]): { stderr: string; status: number | null; report: Report; stdout: string } => {
      // --no-install: the installed package, never one fetched from the registry.
      const result = spawnSync(npx, ['--no-install', 'async-migrate', 'check', target, '--format', 'json', ...args], { cwd: app, encoding: 'utf8' });
      return { stderr: result.stderr, status: result.status, report: JSON.parse(result.stdout || 'null') as Report, stdout: result.stdout };
    };
    const ts = npxCheck('project');
    expect(ts.stderr).toBe('');
    expect(ts.report.findings.map(({ rule, file, line }) => ({ rule, file, line }))).toEqual([{ rule: 'blocking-io', file: 'src/repository.ts', line: 8 }]);
    expect(ts.report.summary.functionsMadeAsync).toBe(2);
    expect(ts.status).toBe(1);
    // The native oracle comes with the package (its optional dependency) and gives the same report.
    const native = npxCheck('project', '--oracle', 'tsgo');
    expect({ stderr: native.stderr, status: native.status, stdout: native.stdout }).toEqual({ stderr: '', status: 1, stdout: ts.stdout });

    const py = npxCheck('service');
    expect(py.stderr).toBe('');
    expect(py.report.summary.files).toBe(7);
    expect(py.report.findings.map(({ rule, file, line }) => `${rule} ${file}:${line}`)).toEqual([
      'blocking-io backend/knowledge_base.py:15',
      'blocking-io backend/knowledge_base.py:20',
      'blocking-io backend/knowledge_base.py:23',
    ]);
    expect(py.status).toBe(1);

    // The rule pages are written from the rules themselves, so the tarball prints them without docs/.
    const page = spawnSync(npx, ['--no-install', 'async-migrate', 'rule', 'blocking-io'], { cwd: app, encoding: 'utf8' });
    expect([page.status, page.stderr, page.stdout.split('\n')[0]]).toEqual([0, '', '# blocking-io']);
  }, 300_000);
});
