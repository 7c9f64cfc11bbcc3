import type { CapacityOptions } from './types.js';

export interface Admission {
  /** Frees the slot (after the answer was sent, or the request failed). */
  release(): void;
}

export interface Capacity {
  set(options: CapacityOptions | undefined): void;
  /**
   * A slot for one request, or `undefined` when the server refuses it (429 mode, all slots busy). Queues in queue
   * mode.
   */
  admit(): Promise<Admission | undefined>;
  /** How long an admitted request holds its slot, in ms. */
  serviceMs(): number;
  counts(): { rejected: number; peakInFlight: number; inFlight: number };
}

/** Dify's default API server (`SERVER_WORKER_CONNECTIONS=10`, one gevent worker). */
export const DIFY_WORKER_CONNECTIONS = 10;

/**
 * The capacity of Dify's gunicorn server with one gevent worker of `connections` connections: `connections`
 * requests are served at once, further connections wait in the listen backlog (queued, never refused). Dify's
 * nginx proxies without upstream keep-alive, so one request is one connection. `undefined` in, `undefined` out.
 */
export function workerConnectionsCapacity(
  connections: number | undefined,
  serviceMs?: number,
): CapacityOptions | undefined {
  if (connections === undefined) return undefined;
  return { maxInFlight: connections, mode: 'queue', ...(serviceMs === undefined ? {} : { serviceMs }) };
}

const EXEMPT = [/^\/v1\/?$/, /^\/console\/api\/login$/, /^\/console\/api\/refresh-token$/];

export function isCapacityExempt(path: string): boolean {
  return EXEMPT.some((pattern) => pattern.test(path));
}

/**
 * A server of limited capacity, like a self-hosted Dify with a few API workers: at most `maxInFlight` requests
 * are served at once, each taking `serviceMs`. Above that, `429` mode answers 429 at once (a proxy's connection
 * limit); `queue` mode makes requests wait their turn, so latency grows with the queue.
 */
export function createCapacity(initial: CapacityOptions | undefined): Capacity {
  let options: CapacityOptions | undefined = initial;
  let inFlight = 0;
  let peakInFlight = 0;
  let rejected = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    inFlight -= 1;
    while (options && queue.length > 0 && inFlight < options.maxInFlight) {
      inFlight += 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
      queue.shift()!();
    }
    if (!options) for (const wake of queue.splice(0)) ((inFlight += 1), wake());
  };
  return {
    set(next) {
      if (next && (!Number.isInteger(next.maxInFlight) || next.maxInFlight < 1))
        throw new RangeError(`capacity.maxInFlight must be a whole number of at least 1, got ${next.maxInFlight}`);
      options = next ? { ...next } : undefined;
      peakInFlight = inFlight;
      // A larger capacity admits the waiting requests now.
      inFlight += 1;
      release();
    },
    async admit() {
      if (options && inFlight >= options.maxInFlight) {
        if ((options.mode ?? '429') === '429') {
          rejected += 1;
          return undefined;
        }
        await new Promise<void>((resolve) => queue.push(resolve));
      } else {
        inFlight += 1;
        peakInFlight = Math.max(peakInFlight, inFlight);
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          release();
        },
      };
    },
    serviceMs: () => (options ? (options.serviceMs ?? 50) : 0),
    counts: () => ({ rejected, peakInFlight, inFlight }),
  };
}
