/**
 * An adaptive concurrency limit for the requests one client sends to Dify, in the spirit of TCP congestion
 * control and Netflix's concurrency-limits: a small self-hosted Dify (one API worker, a busy database) is never
 * sent more than it can take, a large one gets up to `max` requests at once.
 *
 * - **Start**: the limit doubles every round trip without a congestion signal (slow start, from `initial`).
 * - **Congestion signals**: a 429 or 503 answer, a timeout (overload), or latency rising above twice the
 *   smallest recent latency (a queue building up on the server).
 *   - A rejection sets the limit to the number of *other* requests in flight when the rejected one was sent
 *     (what the server evidently could take), at most one less than before: a big overshoot is undone at once.
 *   - Rising latency (over twice the minimum plus 5 ms) shrinks the limit by 10 % (at most every two round trips).
 *   The limit after a signal is remembered as the ceiling.
 * - **Below the ceiling** the limit grows by one per round trip; **at the ceiling** it probes one higher after a
 *   quiet spell of 10 round trips, halving that spell after each probe that passes (so a server that got bigger
 *   is followed within a few dozen round trips), back to 10 after a signal.
 * - Other errors (500, 502, resets, malformed bodies) are not load signals: they are retried, not throttled.
 *
 * Optionally also a requests-per-second cap (a token bucket, one second of burst).
 */
export interface AdaptiveLimiterOptions {
  /** Most requests in flight (default 64). */
  max?: number;
  /** Requests in flight at the start (default 4, at most `max`). */
  initial?: number;
  /** `false`: a fixed limit of `max` (no adaptation). Default true. */
  adaptive?: boolean;
  /** At most this many requests start per second (default: no cap). */
  maxRequestsPerSecond?: number;
  now?: () => number;
}

export type RequestOutcome = 'success' | 'rejected' | 'error';

export interface LimiterSlot {
  /** Report how the request went (the limiter measures its latency): `rejected` for 429, 503 and timeouts. */
  release(outcome: RequestOutcome): void;
}

export interface AdaptiveLimiter {
  /** `key` groups requests of similar cost (an endpoint): latency is compared only within a group. */
  /** `first`: wait at the head of the queue (a request sent again at once, e.g. on a renewed session). */
  acquire(signal?: AbortSignal, first?: boolean, key?: string): Promise<LimiterSlot>;
  /** The current limit (whole requests) and what is in flight and waiting. */
  state(): { limit: number; inFlight: number; waiting: number; ceiling: number | null; minLatencyMs: number | null };
}

const QUIET_ROUND_TRIPS = 10;
const LATENCY_TOLERANCE = 2;
const LATENCY_WINDOW = 200;
/** Latency must also rise by this much (ms): jitter on a fast network is not a queue. */
const LATENCY_SLACK_MS = 5;
/** Outcomes remembered to tell overload from sporadic refusals. */
const OUTCOME_WINDOW = 200;
/**
 * A refusal is sporadic (not overload) when, among the recent requests sent with at least as many others in flight,
 * fewer than this share were refused: refusals of an overloaded server rise with concurrency, random ones do not.
 */
const SPORADIC_SHARE = 0.2;

export function createAdaptiveLimiter(options: AdaptiveLimiterOptions = {}): AdaptiveLimiter {
  const max = options.max ?? 64;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a whole number of at least 1, got ${max}`);
  const now = options.now ?? (() => performance.now());
  const adaptive = options.adaptive ?? true;
  let limit = adaptive ? Math.min(max, Math.max(1, options.initial ?? 4)) : max;
  let ceiling: number | null = null;
  let inFlight = 0;
  const waiters: Array<() => void> = [];
  // Latency per group of requests: the smallest over a sliding window of samples (so it follows a server that got
  // slower for good) and a smoothed recent value. Cheap and costly endpoints are never compared with each other.
  const latencies = new Map<string, { samples: number[]; min: number; smoothed: number }>();
  let minLatency: number | null = null;
  let lastSignalAt = Number.NEGATIVE_INFINITY;
  let roundTripStartedAt = now();
  let quietRoundTrips = 0;
  let probeAfter = QUIET_ROUND_TRIPS;
  // Requests-per-second cap.
  const rate = options.maxRequestsPerSecond;
  let tokens = rate ?? 0;
  let tokensAt = now();
  // Recent outcomes: how many others were in flight when each was sent, and whether it was refused.
  const recent: Array<{ others: number; rejected: boolean }> = [];

  const roundTrip = () => minLatency ?? 100;
  const whole = () => Math.max(1, Math.min(max, Math.floor(limit)));

  function wake(): void {
    while (waiters.length > 0 && inFlight < whole()) {
      inFlight += 1;
      waiters.shift()!();
    }
  }

  /** Records a latency; true when its group's recent latency has risen well above its minimum (a queue). */
  function noteLatency(key: string, ms: number): boolean {
    let group = latencies.get(key);
    if (!group) latencies.set(key, (group = { samples: [], min: ms, smoothed: ms }));
    group.samples.push(ms);
    if (group.samples.length > LATENCY_WINDOW) group.samples.shift();
    group.min = Math.min(...group.samples);
    group.smoothed = group.smoothed * 0.9 + ms * 0.1;
    // The round trip the limiter steps by: the minimum latency of the requests just seen (at least 1 ms).
    minLatency = Math.max(1, group.min);
    if (group.samples.length < 10 || group.smoothed <= LATENCY_TOLERANCE * group.min + LATENCY_SLACK_MS) return false;
    group.smoothed = group.min * LATENCY_TOLERANCE; // judge the smaller limit afresh
    return true;
  }

  /** One step per round trip: double before the first signal, grow below the ceiling, probe above it after a quiet spell. */
  function onSuccess(at: number): void {
    if (at - roundTripStartedAt < roundTrip()) return;
    roundTripStartedAt = at;
    quietRoundTrips += 1;
    if (ceiling === null) limit = Math.min(max, limit * 2);
    else if (limit < ceiling) limit = Math.min(ceiling, limit + 1);
    else if (quietRoundTrips >= probeAfter) {
      limit = Math.min(max, limit + 1);
      ceiling = Math.floor(limit);
      quietRoundTrips = 0;
      probeAfter = Math.max(1, probeAfter / 2);
    }
  }

  function remember(others: number, rejected: boolean): void {
    recent.push({ others, rejected });
    if (recent.length > OUTCOME_WINDOW) recent.shift();
  }

  /**
   * True when the recent requests sent at this concurrency or above mostly went through: the refusal is not overload
   * (an overloaded server refuses most of what it gets above its capacity; random refusals come at every level).
   */
  function isSporadic(others: number): boolean {
    let refused = 0;
    let total = 0;
    for (const outcome of recent) {
      if (outcome.others < others) continue;
      total += 1;
      if (outcome.rejected) refused += 1;
    }
    return total >= 10 && refused / total < SPORADIC_SHARE;
  }

  function onSignal(at: number, target: number): void {
    limit = Math.max(1, Math.min(target, limit));
    ceiling = Math.max(1, Math.floor(limit));
    lastSignalAt = at;
    quietRoundTrips = 0;
    probeAfter = QUIET_ROUND_TRIPS;
    roundTripStartedAt = at;
  }

  async function takeToken(signal?: AbortSignal): Promise<void> {
    if (rate === undefined) return;
    for (;;) {
      const at = now();
      tokens = Math.min(rate, tokens + ((at - tokensAt) / 1000) * rate);
      tokensAt = at;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - tokens) / rate) * 1000)));
      if (signal?.aborted) throw signal.reason;
    }
  }

  return {
    async acquire(signal, first = false, key = '') {
      await takeToken(signal);
      if (inFlight < whole()) inFlight += 1;
      else {
        await new Promise<void>((resolve, reject) => {
          const wakeUp = () => resolve();
          if (first) waiters.unshift(wakeUp);
          else waiters.push(wakeUp);
          signal?.addEventListener(
            'abort',
            () => {
              const index = waiters.indexOf(wakeUp);
              if (index >= 0) waiters.splice(index, 1);
              reject(signal.reason);
            },
            { once: true },
          );
        });
      }
      const startedAt = now();
      const othersInFlight = inFlight - 1;
      let released = false;
      return {
        release(outcome) {
          if (released) return;
          released = true;
          inFlight -= 1;
          const at = now();
          if (adaptive) {
            if (outcome === 'rejected') {
              remember(othersInFlight, true);
              if (!isSporadic(othersInFlight)) onSignal(at, Math.min(Math.floor(limit) - 1, othersInFlight));
            } else if (outcome === 'success') {
              remember(othersInFlight, false);
              const queueing = noteLatency(key, at - startedAt);
              if (queueing && at - lastSignalAt >= roundTrip() * 2) onSignal(at, limit * 0.9);
              else onSuccess(at);
            }
          }
          wake();
        },
      };
    },
    state: () => ({ limit: whole(), inFlight, waiting: waiters.length, ceiling, minLatencyMs: minLatency }),
  };
}
