// The python3 compile check's wall-clock cap must never decide which files a run skips: under load a
// check that hits it would otherwise fall back to the grammar alone and skip fewer files.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTimeoutLine, compileWithPython3 } from '../src/frontends/python/compile-check.js';

describe('the python3 compile check', () => {
  it('reports a check that hits its cap as timed out, with no verdict, and names the run incomplete', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'am-compile-'));
    const slow = path.join(dir, 'slow-python3');
    // A stand-in interpreter that is still busy when the cap fires.
    writeFileSync(slow, '#!/bin/sh\nexec sleep 5\n');
    chmodSync(slow, 0o755);
    writeFileSync(path.join(dir, 'a.py'), 'print "python 2"\n');
    const check = await compileWithPython3([path.join(dir, 'a.py')], dir, slow, undefined, 200);
    expect(check.timedOut).toBe(true);
    expect(check.errors.size).toBe(0);
    expect(compileTimeoutLine(check, 1)).toMatch(/took longer than 0\.2 s to compile 1 Python file\(s\); the run is incomplete/);
  });

  it('gives a verdict when it finishes in time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'am-compile-'));
    writeFileSync(path.join(dir, 'a.py'), 'print "python 2"\n');
    writeFileSync(path.join(dir, 'b.py'), 'print("python 3")\n');
    const check = await compileWithPython3([path.join(dir, 'a.py'), path.join(dir, 'b.py')], dir);
    if (check.unavailable) return; // no python3 on this machine: nothing to compare
    expect(check.timedOut).toBeUndefined();
    expect([...check.errors.keys()]).toEqual([path.join(dir, 'a.py')]);
  });
});
