import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NO_PROGRESS, createProgress, shouldShowProgress } from '../src/progress.js';

/** A stream that claims to be a terminal and keeps what was written. */
function fakeStderr(isTTY: boolean): PassThrough & { isTTY: boolean; columns: number; written: () => string } {
  const chunks: string[] = [];
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100, written: () => chunks.join('') });
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return stream;
}

describe('progress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows only on a TTY, and not with --quiet or --no-progress', () => {
    expect(shouldShowProgress({ isTTY: true })).toBe(true);
    expect(shouldShowProgress({ isTTY: false })).toBe(false);
    expect(shouldShowProgress({ isTTY: undefined })).toBe(false);
    expect(shouldShowProgress({ isTTY: true, quiet: true })).toBe(false);
    expect(shouldShowProgress({ isTTY: true, progress: false })).toBe(false);
    expect(createProgress({ stream: fakeStderr(false) })).toBe(NO_PROGRESS);
    expect(createProgress({ stream: fakeStderr(true), quiet: true })).toBe(NO_PROGRESS);
  });

  it('prints nothing for a run under half a second', async () => {
    const stream = fakeStderr(true);
    const progress = createProgress({ stream });
    progress.phase('py-parse', 10);
    progress.advance(10);
    await vi.advanceTimersByTimeAsync(400);
    progress.stop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(stream.written()).toBe('');
  });

  it('after half a second, shows the phase and files done of total, then clears on stop', async () => {
    const stream = fakeStderr(true);
    const progress = createProgress({ stream });
    progress.phase('py-parse', 10);
    progress.advance(3);
    await vi.advanceTimersByTimeAsync(500);
    expect(stream.written()).toContain('async-migrate Python: parsing');
    expect(stream.written()).toContain('3/10 files');

    progress.phase('write', 4);
    progress.advance();
    await vi.advanceTimersByTimeAsync(500);
    expect(stream.written()).toContain('async-migrate writing');
    expect(stream.written()).toContain('1/4 files');

    progress.stop();
    const atStop = stream.written().length;
    await vi.advanceTimersByTimeAsync(2000);
    expect(stream.written().length).toBe(atStop); // nothing redraws after stop
  });

  // The analysis runs synchronously for seconds: no timer fires, so the calls themselves must draw.
  it('draws and moves during synchronous work, when no timer can fire', () => {
    const stream = fakeStderr(true);
    const start = Date.now();
    const progress = createProgress({ stream });
    progress.phase('ts-analyse', 10);
    for (let file = 1; file <= 10; file++) {
      vi.setSystemTime(start + 300 * file); // the clock moves; the event loop does not turn
      progress.advance();
    }
    expect(stream.written()).toContain('async-migrate TypeScript: analysing');
    expect(stream.written()).toContain('2/10 files');
    expect(stream.written()).toContain('6/10 files');
    expect(stream.written()).toContain('10/10 files');
    progress.stop();
  });

  it('a step that cannot report shows its name at once, and a step without a total counts its files', () => {
    const stream = fakeStderr(true);
    const start = Date.now();
    const progress = createProgress({ stream });
    vi.setSystemTime(start + 600);
    progress.phase('ts-load');
    for (let file = 0; file < 5; file++) {
      vi.setSystemTime(start + 600 + 300 * (file + 1));
      progress.advance();
    }
    expect(stream.written()).toContain('async-migrate TypeScript: parsing… 5 files');
    progress.phase('ts-check');
    expect(stream.written()).toContain('async-migrate TypeScript: binding the program…');
    progress.stop();
  });

  it('timed from the start given (that of the process): a run already half a second old draws its first phase at once', () => {
    const stream = fakeStderr(true);
    const progress = createProgress({ stream, startedAt: Date.now() - 600 });
    progress.phase('start');
    expect(stream.written()).toContain('async-migrate starting…');
    progress.stop();
  });

  it('clear() makes room for a message; the display comes back on the next call', () => {
    const stream = fakeStderr(true);
    const start = Date.now();
    const progress = createProgress({ stream });
    vi.setSystemTime(start + 600);
    progress.phase('plan');
    progress.clear();
    const cleared = stream.written().length;
    progress.phase('write', 2);
    expect(stream.written().slice(cleared)).toContain('async-migrate writing');
    progress.stop();
  });
});
