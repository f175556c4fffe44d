// Progress on stderr for long runs: only on a TTY (never in logs or pipes), never with --quiet or
// --no-progress, and only once a run has lasted a second, so quick runs print nothing at all.
import cliProgress from 'cli-progress';

export type Phase = 'parse' | 'types' | 'plan' | 'write';

const PHASE_LABELS: Record<Phase, string> = {
  parse: 'parsing      ',
  types: 'type-checking',
  plan: 'planning     ',
  write: 'writing      ',
};

/** What the engine tells the progress display; every method is cheap and safe to call when hidden. */
export interface Progress {
  /** Starts a phase over `total` files. */
  phase(name: Phase, total: number): void;
  /** `done` more files of the current phase are finished. */
  advance(done?: number): void;
  /** Clears the bar; call it before printing the report. */
  stop(): void;
}

export interface ProgressOptions {
  /** Defaults to process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  quiet?: boolean;
  /** false for `--no-progress` (commander's negated option). */
  progress?: boolean;
  /** How long a run goes before the bar appears. */
  delayMs?: number;
}

export const NO_PROGRESS: Progress = { phase: () => {}, advance: () => {}, stop: () => {} };

export function shouldShowProgress(options: { isTTY?: boolean; quiet?: boolean; progress?: boolean }): boolean {
  return options.isTTY === true && options.quiet !== true && options.progress !== false;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!shouldShowProgress({ isTTY: stream.isTTY, quiet: options.quiet, progress: options.progress })) return NO_PROGRESS;

  let current: { phase: Phase; total: number; done: number } | undefined;
  let bar: cliProgress.SingleBar | undefined;
  let isStopped = false;

  const show = (): void => {
    if (isStopped || current === undefined) return;
    bar = new cliProgress.SingleBar(
      {
        stream,
        format: 'async-migrate {phase} [{bar}] {value}/{total} files',
        barsize: 24,
        clearOnComplete: true,
        // A hidden cursor would stay hidden if the run is killed mid-bar.
        hideCursor: false,
        linewrap: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(current.total, current.done, { phase: PHASE_LABELS[current.phase] });
  };
  const timer = setTimeout(show, options.delayMs ?? 1000);
  timer.unref(); // never keep the process alive for a bar

  return {
    phase(name, total) {
      current = { phase: name, total, done: 0 };
      if (bar === undefined) return;
      bar.setTotal(total);
      bar.update(0, { phase: PHASE_LABELS[name] });
    },
    advance(done = 1) {
      if (current === undefined) return;
      current.done = Math.min(current.total, current.done + done);
      bar?.update(current.done);
    },
    stop() {
      isStopped = true;
      clearTimeout(timer);
      bar?.stop();
      bar = undefined;
    },
  };
}
