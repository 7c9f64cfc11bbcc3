import { createAnswerHistory } from './answer-history.js';
import { createLatencyMinimums } from './latency-minimums.js';

/**
 * An adaptive concurrency limit for the requests one client sends to Dify, in the spirit of TCP congestion
 * control (Vegas) and Netflix's concurrency-limits: a small self-hosted Dify (one API worker, a busy database) is
 * never sent more than it can take, a large one gets up to `max` requests at once.
 *
 * - **Start**: from `initial` (16, the default concurrency of a job) the limit doubles every round trip while no
 *   queue shows (slow start). A round trip is the requests sent since the last step: it is judged once half of
 *   them are back.
 * - **Queue estimate** (Vegas): each success's latency is compared with the smallest latency of its endpoint; in
 *   flight × (1 − (minimum + 5 ms) / latency) is how many requests waited on the server instead of being served.
 *   A round trip reads the median of its successes' estimates: a queue on the server delays every request, a busy
 *   client (event loop, GC, a loaded machine) or jitter only some. (The lower quartile, read before, missed the
 *   queue of 4–5 that Dify's 10-connection server kept: in a closed loop some requests always find a free slot.)
 *   Below 1 queued request the limit grows, from 1 to 3 it holds, above 3 for two round trips in a row (a stall of the
 *   client's own lasts one) it falls to what the server served at once (in flight × minimum / latency: at least one
 *   less, at most halving), and a short queue that stands for 10 round trips is drained the same way. After such a cut
 *   it grows back one per round trip to one below where it was (a busy client's latency looks like a queue too), then
 *   probes as at a ceiling. Within 30 s of a refusal read as overload a queue only stops growth: a server that refuses
 *   says where its limit is, and at hundreds of requests a second the client's own work raises latency too.
 *   - The minimum that tells a queue is the smallest latency of the last 2 s (it follows a server, or a client,
 *     that got slower for good); the one that tells what the server served at once is the smallest of the last
 *     20 s. Without the drains a standing queue would become the recent minimum and the limit would creep up.
 *   - The first time slow start meets a queue above 3, the limit drops to 4 for one round trip: a server that takes
 *     fewer than `initial` queued even the first requests, so every minimum so far may have been measured behind a
 *     queue. Slow start then goes on from half the limit it drained from.
 * - **Rejections**: a 429 or 503 answer, or a timeout (overload), sets the limit to the number of *other* requests
 *   in flight when the rejected one was sent (what the server evidently could take), at most one less than before
 *   (not for a request sent before, or at, the last signal: a burst refused together is one signal): a big overshoot is
 *   undone at once. When at most three quarters as many were answered at once over the last few round trips (Little's
 *   law: the time the answers spent in flight over the span), the limit falls to that instead (at most halving): a
 *   proxy's 429 comes back at once and the request is sent again, so the others in flight stay near the limit however
 *   far above the server's capacity it is (the limit fell by one per round trip from 64 at K = 32, 6-8 % refused).
 *   Unless the refusal is sporadic: among the recent requests sent with at least
 *   as many others in flight, fewer than 20 % were refused (random refusals come at every concurrency, those of an
 *   overloaded server rise with it).
 * - The limit after a rejection or a queue is remembered as the ceiling. **Below the ceiling** the limit grows by
 *   one per round trip; **at the ceiling** it probes one higher after a quiet spell of 10 round trips, halving that
 *   spell after each probe that passes (so a server that got bigger is followed within a few dozen round trips),
 *   back to 10 after a signal.
 * - Other errors (500, 502, resets, malformed bodies) are not load signals: they are retried, not throttled.
 *
 * Optionally also a requests-per-second cap (a token bucket, one second of burst).
 */
export interface AdaptiveLimiterOptions {
  /** Most requests in flight (default 64). */
  max?: number;
  /** Requests in flight at the start (default 16, the default concurrency of a job; at most `max`). */
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

/** Requests in flight at the start unless told otherwise. */
const INITIAL_LIMIT = 16;
const QUIET_ROUND_TRIPS = 10;
/** Latency must also rise by this much (ms) before it counts as queueing: jitter on a fast network is not a queue. */
const LATENCY_SLACK_MS = 5;
/** Estimated requests waiting on the server: grow only below QUEUE_GROW, hold up to QUEUE_SHRINK, shrink above it. */
const QUEUE_GROW = 1;
const QUEUE_SHRINK = 3;
/** Round trips in a row the queue must stay above QUEUE_SHRINK: a stall of the client's own delays one, not two. */
const QUEUED_ROUND_TRIPS = 2;
/**
 * Round trips in a row a short queue (QUEUE_GROW to QUEUE_SHRINK) may stand before the limit drains it: a queue that
 * never drains would become the new minimum latency (the recent minimum follows it), and the limit would creep up.
 */
const HELD_ROUND_TRIPS = 10;
/**
 * The quantile of a round trip's queue estimates that is read (the median): a queue delays most requests, noise
 * some.
 */
const QUEUE_QUANTILE = 0.5;
/**
 * For this long (ms) after a refusal read as overload, a queue does not shrink the limit (it still stops it growing):
 * a server that refuses what it cannot take says where its limit is, and the latency of a client that sends hundreds
 * of requests a second rises with its own work too.
 */
const REFUSALS_REMEMBERED_MS = 30_000;
/** The limit of the one round trip that drains the server's queue at the end of slow start. */
const DRAIN_TO = 4;
/**
 * How many requests the server was serving at once lately (Little's law) is read over the last SERVED_ROUND_TRIPS
 * round trips, at least SERVED_WINDOW_MS.
 */
const SERVED_WINDOW_MS = 200;
const SERVED_ROUND_TRIPS = 4;
/** The answered-at-once estimate is used only when it is at most this share of the others in flight. */
const SERVED_SHARE = 0.75;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

export function createAdaptiveLimiter(options: AdaptiveLimiterOptions = {}): AdaptiveLimiter {
  const max = options.max ?? 64;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a whole number of at least 1, got ${max}`);
  const now = options.now ?? (() => performance.now());
  const adaptive = options.adaptive ?? true;
  let limit = adaptive ? Math.min(max, Math.max(1, options.initial ?? INITIAL_LIMIT)) : max;
  let ceiling: number | null = null;
  let inFlight = 0;
  const waiters: Array<() => void> = [];
  // Latency per group of requests (an endpoint): cheap and costly endpoints are never compared with each other.
  const minimums = createLatencyMinimums();
  let minLatency: number | null = null;
  let lastSignalAt = Number.NEGATIVE_INFINITY;
  let roundTripStartedAt = now();
  let quietRoundTrips = 0;
  let probeAfter = QUIET_ROUND_TRIPS;
  // A round trip is the requests sent since the last step (an epoch): they alone show what the current limit does.
  // Their estimates, one per success: requests queued on the server, requests it served at once.
  let epoch = 0;
  let sentInEpoch = 0;
  let doneInEpoch = 0;
  let queued: number[] = [];
  let served: number[] = [];
  let queuedRoundTrips = 0;
  let heldRoundTrips = 0;
  let refusedAt = Number.NEGATIVE_INFINITY;
  // The one drain (see onRoundTrip): the limit to come back to, while it lasts.
  let drained = false;
  let drainedFrom: number | null = null;
  // Requests-per-second cap.
  const rate = options.maxRequestsPerSecond;
  let tokens = rate ?? 0;
  let tokensAt = now();
  const history = createAnswerHistory();
  // The span servedAtOnce reads: the last few round trips.
  const servedSpan = () => Math.max(SERVED_WINDOW_MS, roundTrip() * SERVED_ROUND_TRIPS);

  const roundTrip = () => minLatency ?? 100;
  const whole = () => Math.max(1, Math.min(max, Math.floor(limit)));

  function wake(): void {
    while (waiters.length > 0 && inFlight < whole()) {
      inFlight += 1;
      waiters.shift()!();
    }
  }

  /**
   * Records a success's latency and what was in flight when it was sent (`sentWith`, itself included), as estimates
   * in the manner of TCP Vegas against its group's minimum latency: requests queued on the server, sentWith × (1 −
   * (min + slack) / latency); requests it served at once, sentWith × min / latency.
   */
  function noteLatency(key: string, ms: number, at: number, sentWith: number, current: boolean): void {
    const { recent, long } = minimums.note(key, ms, at);
    // The round trip the limiter steps by: the minimum latency of the requests just seen (at least 1 ms).
    minLatency = Math.max(1, recent);
    if (!current) return;
    const latency = Math.max(ms, 0.001);
    queued.push((sentWith * Math.max(0, latency - recent - LATENCY_SLACK_MS)) / latency);
    served.push((sentWith * Math.min(latency, long)) / latency);
  }

  /**
   * One step per round trip, on the queue the round trip's latencies show: grow while it is short (double before the
   * first signal, one more below the ceiling, probe above the ceiling after a quiet spell), hold while it is a few
   * requests, shrink to what the server served at once when it stayed long for two round trips.
   */
  function onRoundTrip(at: number): void {
    if (at - roundTripStartedAt < roundTrip() || queued.length === 0) return;
    // Half the round trip's requests back (all of them when fewer were sent).
    if (queued.length < Math.ceil(whole() / 2) && doneInEpoch < sentInEpoch) return;
    const queue = quantile(queued, QUEUE_QUANTILE);
    const capacity = quantile(served, 0.5);
    startRoundTrip(at);
    if (drainedFrom !== null) {
      // The drain is over (its requests met no queue, so the minimum latencies are now the server's own): go on
      // from half the limit it drained from.
      limit = Math.max(limit, drainedFrom / 2);
      drainedFrom = null;
      return;
    }
    if (!drained && ceiling === null && queue > QUEUE_SHRINK && whole() > DRAIN_TO) {
      // The first queue seen in slow start: the minimum latencies may all have been measured behind a queue (a
      // server that takes fewer than the initial limit queues the very first requests). Drain it for one round trip.
      drained = true;
      drainedFrom = limit;
      limit = DRAIN_TO;
      return;
    }
    queuedRoundTrips = queue > QUEUE_SHRINK ? queuedRoundTrips + 1 : 0;
    heldRoundTrips = queue >= QUEUE_GROW ? heldRoundTrips + 1 : 0;
    const refusing = at - refusedAt < REFUSALS_REMEMBERED_MS;
    if (
      !refusing &&
      (queuedRoundTrips >= QUEUED_ROUND_TRIPS || heldRoundTrips >= HELD_ROUND_TRIPS) &&
      at - lastSignalAt >= roundTrip() * 2
    ) {
      // A queue on the server (long, or short but standing): back to what it served at once (at most halving, at
      // least one less). The queue drains, so the recent minimum latency is the server's own again.
      const before = Math.floor(limit);
      onSignal(at, Math.max(limit / 2, Math.min(before - 1, Math.floor(capacity))));
      // Grow back one per round trip up to one below where the queue was (a busy client looks like a queue too).
      ceiling = Math.max(ceiling ?? 1, before - 1);
      return;
    }
    if (queue >= QUEUE_GROW) {
      // A short queue on the server: hold the limit where it is (and do not count the round trip as quiet).
      quietRoundTrips = 0;
      return;
    }
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

  function onSignal(at: number, target: number): void {
    limit = Math.max(1, Math.min(target, limit));
    ceiling = Math.max(1, Math.floor(limit));
    lastSignalAt = at;
    quietRoundTrips = 0;
    probeAfter = QUIET_ROUND_TRIPS;
    roundTripStartedAt = at;
    queuedRoundTrips = 0;
    heldRoundTrips = 0;
  }

  function startRoundTrip(at: number): void {
    roundTripStartedAt = at;
    epoch += 1;
    sentInEpoch = 0;
    doneInEpoch = 0;
    queued = [];
    served = [];
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
      const sentIn = epoch;
      sentInEpoch += 1;
      let released = false;
      return {
        release(outcome) {
          if (released) return;
          released = true;
          inFlight -= 1;
          const at = now();
          const current = sentIn === epoch;
          if (current) doneInEpoch += 1;
          if (adaptive) {
            history.noteAnswer(at, at - startedAt, outcome === 'rejected', servedSpan());
            if (outcome === 'rejected') {
              history.noteOutcome(othersInFlight, true);
              // One less than before, unless it was sent before the last signal (a burst refused together is one
              // signal: its refusals trickling back must not take the limit down by one each).
              if (!history.isSporadic(othersInFlight)) {
                if (startedAt <= lastSignalAt) onSignal(at, othersInFlight);
                else {
                  // Well under the others in flight answered at once lately (servedAtOnce): down to that at once (at
                  // most halving). Refused requests come back at once and are sent again, so against a proxy's 429
                  // the others in flight stay near the limit however far above the server's capacity it is. (Near
                  // the others in flight it is a random refusal's: the others in flight, as before.)
                  const served = history.servedAtOnce(at, servedSpan());
                  const cap =
                    served === null || served > othersInFlight * SERVED_SHARE
                      ? Number.POSITIVE_INFINITY
                      : Math.max(Math.ceil(served), Math.floor(limit / 2));
                  onSignal(
                    at,
                    cap < Math.floor(limit)
                      ? Math.min(othersInFlight, cap)
                      : Math.min(Math.floor(limit) - 1, othersInFlight),
                  );
                }
                refusedAt = at;
              }
            }
            if (outcome === 'success') {
              history.noteOutcome(othersInFlight, false);
              // What it shared the server with: the requests in flight when it was sent or when it came back.
              noteLatency(key, at - startedAt, at, Math.max(othersInFlight, inFlight) + 1, current);
              onRoundTrip(at);
            }
          }
          wake();
        },
      };
    },
    state: () => ({ limit: whole(), inFlight, waiting: waiters.length, ceiling, minLatencyMs: minLatency }),
  };
}
