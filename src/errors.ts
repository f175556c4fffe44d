/** Bad input from the user: one clear line on stderr and exit 2, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
