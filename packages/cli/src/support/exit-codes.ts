/** Exit codes of the `dify-logs` command (documented in the CLI README). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  partial: 3,
} as const;

/** A bad flag, a missing credential or an invalid value: one line on stderr, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
