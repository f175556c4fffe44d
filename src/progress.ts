// Progress on stderr for long runs: only on a TTY (never in logs or pipes), never with --quiet or
// --no-progress, and only once a run has lasted half a second, so quick runs print nothing at all.
// The analysis is synchronous for seconds at a time, so no timer could fire during it: the display is
// drawn from the phase() and advance() calls themselves (cli-progress redraws at most ten times a
// second), and a timer only covers the waits between them.
import cliProgress from 'cli-progress';

/** The phases of a run, in order; each is shown only when it runs. */
export type Phase = 'start' | 'discover' | 'read' | 'ts-load' | 'ts-check' | 'ts-index' | 'ts-analyse' | 'py-parse' | 'py-analyse' | 'pyright' | 'plan' | 'write';

const PHASE_LABELS: Record<Phase, string> = {
  start: 'starting',
  discover: 'finding files',
  read: 'reading',
  'ts-load': 'TypeScript: parsing',
  'ts-check': 'TypeScript: binding the program',
  'ts-index': 'TypeScript: indexing functions',
  'ts-analyse': 'TypeScript: analysing',
  'py-parse': 'Python: parsing',
  'py-analyse': 'Python: analysing',
  pyright: 'Python: asking pyright about unresolved calls',
  plan: 'planning',
  write: 'writing',
};

/** What the engine tells the progress display; every method is cheap and safe to call when hidden. */
export interface Progress {
  /**
   * Starts a phase: a bar over `total` files, or without a total a line that counts the files
   * `advance` reports (none: the phase's name alone, for a step that cannot report).
   */
  phase(name: Phase, total?: number): void;
  /** `done` more files of the current phase are finished. */
  advance(done?: number): void;
  /** Clears the line for a message on stderr; the display comes back on the next call. */
  clear(): void;
  /** Clears the display for good; call it before printing the report. */
  stop(): void;
}

export interface ProgressOptions {
  /** Defaults to process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  quiet?: boolean;
  /** false for `--no-progress` (commander's negated option). */
  progress?: boolean;
  /** How long a run goes before the display appears (default 500 ms, so the first line comes within a second of start). */
  delayMs?: number;
  /** When the run started, in ms since the epoch (default: now; the cli gives the process's start). */
  startedAt?: number;
}

export const FIRST_LINE_DELAY_MS = 500;

export const NO_PROGRESS: Progress = { phase: () => {}, advance: () => {}, clear: () => {}, stop: () => {} };

export function shouldShowProgress(options: { isTTY?: boolean; quiet?: boolean; progress?: boolean }): boolean {
  return options.isTTY === true && options.quiet !== true && options.progress !== false;
}

interface Payload {
  label: string;
  /** The phase has a total: draw a bar. */
  counted: boolean;
}

/** One line: `async-migrate TypeScript: analysing [████░░░░] 120/621 files`, or the phase and a count. */
const formatLine: cliProgress.GenericFormatter = (options, params, payload: Payload) => {
  if (payload.counted) return `async-migrate ${payload.label} [${cliProgress.Format.BarFormat(params.progress, options)}] ${params.value}/${params.total} files`;
  return `async-migrate ${payload.label}…${params.value > 0 ? ` ${params.value} files` : ''}`;
};

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!shouldShowProgress({ isTTY: stream.isTTY, quiet: options.quiet, progress: options.progress })) return NO_PROGRESS;

  const startedAt = options.startedAt ?? Date.now();
  const delayMs = options.delayMs ?? FIRST_LINE_DELAY_MS;
  let current: { phase: Phase; total: number | undefined; done: number } | undefined;
  let bar: cliProgress.SingleBar | undefined;
  let isStopped = false;

  const payloadOf = (phase: NonNullable<typeof current>): Payload => ({ label: PHASE_LABELS[phase.phase], counted: phase.total !== undefined });
  const hide = (): void => {
    bar?.stop();
    bar = undefined;
  };
  const draw = (): void => {
    if (isStopped || current === undefined || Date.now() - startedAt < delayMs) return;
    if (bar) {
      bar.update(current.done, payloadOf(current));
      return;
    }
    bar = new cliProgress.SingleBar(
      {
        stream,
        format: formatLine,
        barsize: 20,
        clearOnComplete: true,
        // A hidden cursor would stay hidden if the run is killed mid-bar.
        hideCursor: false,
        linewrap: false,
        gracefulExit: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(current.total ?? Math.max(1, current.done), current.done, payloadOf(current));
  };
  const timer = setTimeout(draw, Math.max(0, startedAt + delayMs - Date.now()));
  timer.unref(); // never keep the process alive for a bar

  return {
    phase(name, total) {
      current = { phase: name, total, done: 0 };
      // A new bar for each phase: its label shows at once, and a phase without a total has no bar.
      hide();
      draw();
    },
    advance(done = 1) {
      if (current === undefined) return;
      current.done = current.total === undefined ? current.done + done : Math.min(current.total, current.done + done);
      if (bar && current.total === undefined) bar.setTotal(Math.max(1, current.done));
      draw();
    },
    clear() {
      hide();
    },
    stop() {
      isStopped = true;
      clearTimeout(timer);
      hide();
    },
  };
}
