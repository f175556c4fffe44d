/** Bad input from the user: one clear line on stderr and exit 2, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The run could not finish its analysis for a reason outside the input (an oracle hit its wall-clock
 * cap): one line on stderr and exit 1, no report, since a report would depend on the machine's load.
 */
export class IncompleteRunError extends Error {
  override name = 'IncompleteRunError';
}

/**
 * An unexpected error (a bug, a stack overflow on odd code) while analysing one file: the engine
 * skips that file and analyses the others again, instead of aborting the run.
 */
export class FileAnalysisError extends Error {
  override name = 'FileAnalysisError';
  constructor(
    readonly file: string,
    readonly reason: unknown,
  ) {
    super(`${file}: ${describeError(reason)}`);
  }
}

/** Runs one file's share of an analysis, naming that file in whatever unexpected error it throws. */
export function attributeTo<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof FileAnalysisError || error instanceof UsageError || error instanceof IncompleteRunError) throw error;
    throw new FileAnalysisError(file, error);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
