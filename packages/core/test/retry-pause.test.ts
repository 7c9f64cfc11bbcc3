import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryPauseMs } from '../src/client/transport/retry-pause.js';

const defaults = { minDelayMs: 250, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

describe('retryPauseMs', () => {
  it('doubles up to maxDelayMs while nothing else is answered (an outage: the retries span it)', () => {
    const pauses = [1, 2, 3, 4, 5, 6].map((attempt) =>
      retryPauseMs({ ...defaults, attempt, othersAnswered: false, random: 0 }),
    );
    expect(pauses).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000]);
    expect(pauses.reduce((sum, pause) => sum + pause, 0)).toBe(15_750);
    expect(retryPauseMs({ ...defaults, attempt: 7, othersAnswered: false, random: 0.5 })).toBe(10_000);
  });

  it('grows to twice the first and no further while others are answered (this request’s bad luck)', () => {
    const pauses = [1, 2, 3, 4, 5, 6].map((attempt) =>
      retryPauseMs({ ...defaults, attempt, othersAnswered: true, random: 0 }),
    );
    expect(pauses).toEqual([250, 500, 500, 500, 500, 500]);
  });

  it('keeps Retry-After as the floor, capped at maxRetryAfterMs', () => {
    expect(retryPauseMs({ ...defaults, attempt: 1, othersAnswered: true, random: 0, retryAfterMs: 3_000 })).toBe(3_000);
    expect(
      retryPauseMs({
        ...defaults,
        attempt: 1,
        othersAnswered: true,
        random: 0,
        retryAfterMs: 3_000,
        maxRetryAfterMs: 1_000,
      }),
    ).toBe(1_000);
    expect(retryPauseMs({ ...defaults, attempt: 6, othersAnswered: false, random: 0, retryAfterMs: 1_000 })).toBe(
      8_000,
    );
  });

  it('stays within [first × 2^(attempt − 1), twice that], the caps and the floor, for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
        (attempt, minDelayMs, maxDelayMs, othersAnswered, random, retryAfterMs) => {
          const input = {
            attempt,
            minDelayMs,
            maxDelayMs,
            othersAnswered,
            random,
            retryAfterMs,
            maxRetryAfterMs: 60_000,
          };
          const pause = retryPauseMs(input);
          const cap = othersAnswered ? Math.min(maxDelayMs, 2 * minDelayMs) : maxDelayMs;
          const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, 60_000);
          const backoff = minDelayMs * 2 ** (attempt - 1);
          expect(pause).toBeGreaterThanOrEqual(Math.max(floor, Math.min(cap, Math.round(backoff))));
          expect(pause).toBeLessThanOrEqual(Math.max(floor, Math.min(cap, Math.round(2 * backoff))));
        },
      ),
    );
  });
});
