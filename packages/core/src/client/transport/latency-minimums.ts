/**
 * The smallest latency of each group of requests (an endpoint: cheap and costly endpoints are never compared), over
 * two windows. Over the last few seconds (what an answer takes now, the client's own load included) it tells a queue;
 * over a longer window (what an answer takes with no queue at all) it tells what the server serves at once.
 */
export interface LatencyMinimums {
  /** Records a latency (ms) of `key` at `at`, and returns the group's minimums with it. */
  note(key: string, ms: number, at: number): { recent: number; long: number };
}

/** The window of the minimum that tells a queue: it follows a server, or a client, that got slower for good. */
const RECENT_MIN_MS = 2_000;
/** The window of the minimum that tells what the server serves at once. */
const LONG_MIN_MS = 20_000;
/** Minimums are kept per bucket of this many ms. */
const MIN_BUCKET_MS = 500;

export function createLatencyMinimums(): LatencyMinimums {
  const groups = new Map<string, Array<{ at: number; min: number }>>();
  return {
    note(key, ms, at) {
      let buckets = groups.get(key);
      if (!buckets) groups.set(key, (buckets = []));
      const last = buckets.at(-1);
      if (last && at - last.at < MIN_BUCKET_MS) last.min = Math.min(last.min, ms);
      else buckets.push({ at, min: ms });
      while (buckets.length > 1 && at - buckets[0]!.at >= LONG_MIN_MS) buckets.shift();
      let recent = ms;
      let long = ms;
      for (const bucket of buckets) {
        long = Math.min(long, bucket.min);
        if (at - bucket.at < RECENT_MIN_MS) recent = Math.min(recent, bucket.min);
      }
      return { recent, long };
    },
  };
}
