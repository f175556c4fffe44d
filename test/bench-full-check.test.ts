// The real-repository yardstick (bench/lib/full-check.mjs): a full type check of the program `check`
// analyses, even where tsc would stop at a syntax error in another file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.resolve('bench/lib/full-check.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'full-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench full check', () => {
  it('type-checks every file although another has a syntax error', () => {
    const broken = path.join(dir, 'fixture-broken.js');
    const typed = path.join(dir, 'typed.js');
    writeFileSync(broken, 'function (\n');
    writeFileSync(typed, '/** @type {number} */\nconst count = "many";\nexport { count };\n');
    const program = path.join(dir, 'program.json');
    writeFileSync(program, JSON.stringify({ rootNames: [broken, typed], options: { allowJs: true, noEmit: true, skipLibCheck: true } }));
    const tsc = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '--noEmit', '--allowJs', '--checkJs', broken, typed], { encoding: 'utf8', cwd: dir });
    // tsc itself reports the syntax error and never type-checks.
    expect(tsc.stdout).toMatch(/fixture-broken\.js.*error TS1/);
    expect(tsc.stdout).not.toMatch(/TS2322/);
    const full = spawnSync(process.execPath, [script, program, '--checkJs'], { encoding: 'utf8' });
    expect(full.stdout).toMatch(/fixture-broken\.js.*error TS1/);
    expect(full.stdout).toMatch(/typed\.js\(2,7\): error TS2322/);
    expect(full.status).toBe(1);
    // Without --checkJs the JavaScript file is not checked: the options are the program's own.
    expect(spawnSync(process.execPath, [script, program], { encoding: 'utf8' }).stdout).not.toMatch(/TS2322/);
  });
});
