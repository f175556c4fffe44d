// Installable as users get it: `npm pack` gives a tarball that installs into an empty directory and
// runs with no dev dependencies and no build step left to the user.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './support/files.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('npm pack', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'am-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs into an empty directory and checks a project', () => {
    // --ignore-scripts: the suite has built dist/ already (npm test builds first).
    execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: REPO, stdio: 'pipe' });
    const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = path.join(work, 'app');
    cpSync(path.join(REPO, 'fixtures/migrate/chain-three-files/input'), path.join(app, 'project'), { recursive: true });
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    execFileSync(npm, ['install', '--omit=dev', '--no-audit', '--no-fund', path.join(work, tarball!)], { cwd: app, stdio: 'pipe', timeout: 240_000 });
    const result = spawnSync(process.execPath, [path.join(app, 'node_modules/.bin/async-migrate'), 'check', 'project', '--format', 'json', '--rules', 'blocking-io'], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { findings: { rule: string; file: string; line: number }[]; summary: { functionsMadeAsync: number } };
    expect(report.findings.map(({ rule, file, line }) => ({ rule, file, line }))).toEqual([{ rule: 'blocking-io', file: 'src/repository.ts', line: 8 }]);
    expect(report.summary.functionsMadeAsync).toBe(2);
    expect(result.status).toBe(1);
    // The rule pages are written from the rules themselves, so the tarball prints them without docs/.
    const page = spawnSync(process.execPath, [path.join(app, 'node_modules/.bin/async-migrate'), 'rule', 'blocking-io'], { cwd: app, encoding: 'utf8' });
    expect([page.status, page.stderr, page.stdout.split('\n')[0]]).toEqual([0, '', '# blocking-io']);
  }, 300_000);
});
