/** What decides how long a failed attempt waits before it is sent again. */
export interface RetryPauseInput {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** The answer's `Retry-After`, if any (a floor of the pause, capped at `maxRetryAfterMs`). */
  retryAfterMs?: number | undefined;
  maxRetryAfterMs: number;
  /**
   * Whether the server answered other requests while this one failed with an error, a reset or a refusal that says
   * when to come back (not a 429 or 503 without Retry-After, or a timeout: those say it is busy). Then the failure is
   * this request's bad luck (a 5 % fault rate meets some request four times in a row in a few thousand), not a server
   * in trouble: the pause grows to twice the first and no further. Otherwise (a busy server, or nothing answered: a
   * restart, an outage) it doubles up to `maxDelayMs`, so the retries span the downtime.
   */
  othersAnswered: boolean;
  /** A number in [0, 1): the pause is randomised ×1–2 so that requests failing together are not sent together. */
  random: number;
}

/**
 * The pause before the next attempt, in ms: `minDelayMs × 2^(attempt − 1)`, randomised ×1–2, at most `maxDelayMs`
 * (at most `2 × minDelayMs` while others are answered), and never shorter than the answer's `Retry-After`.
 */
export function retryPauseMs(input: RetryPauseInput): number {
  const { attempt, minDelayMs, maxDelayMs, retryAfterMs, maxRetryAfterMs } = input;
  const cap = input.othersAnswered ? Math.min(maxDelayMs, 2 * minDelayMs) : maxDelayMs;
  const backoff = Math.min(cap, Math.round(minDelayMs * 2 ** (attempt - 1) * (1 + input.random)));
  return retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(retryAfterMs, maxRetryAfterMs));
}
