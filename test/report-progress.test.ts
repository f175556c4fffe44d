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

  it('prints nothing for a run under a second', async () => {
    const stream = fakeStderr(true);
    const progress = createProgress({ stream });
    progress.phase('parse', 10);
    progress.advance(10);
    await vi.advanceTimersByTimeAsync(900);
    progress.stop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(stream.written()).toBe('');
  });

  it('after a second, shows the phase and files done of total, then clears on stop', async () => {
    const stream = fakeStderr(true);
    const progress = createProgress({ stream });
    progress.phase('parse', 10);
    progress.advance(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(stream.written()).toContain('async-migrate parsing');
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
});
