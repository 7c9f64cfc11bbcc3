import type { Counter, Histogram } from 'prom-client';
import { boundedLabel, endpointFamily, methodLabel } from './labels.js';

export interface FetchMetrics {
  requests: Counter<'endpoint' | 'method' | 'code'>;
  errors: Counter<'endpoint' | 'code'>;
  duration: Histogram<'endpoint'>;
}

/** At most this many endpoint families per process; later new ones are counted as `other`. */
const ENDPOINT_LIMIT = 100;

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

function requestMethod(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): string | undefined {
  if (init?.method) return init.method;
  return typeof input === 'object' && !(input instanceof URL) ? input.method : undefined;
}

/**
 * `timeout` when the request was aborted by a timer (ours, `AbortSignal.timeout`, or the client's), `network`
 * otherwise.
 */
function thrownCode(error: unknown, init: RequestInit | undefined): 'timeout' | 'network' {
  const candidates = [error, (error as { cause?: unknown } | null)?.cause, init?.signal?.reason];
  for (const candidate of candidates) {
    if (!(candidate instanceof Error)) continue;
    if (candidate.name === 'TimeoutError' || /timed? ?out/i.test(candidate.message)) return 'timeout';
  }
  return 'network';
}

/**
 * Wraps a fetch so every call is counted: requests by endpoint family, method and code (the HTTP
 * status, or `network`/`timeout` when fetch threw), errors (status >= 400 or thrown) by endpoint and
 * code, and the time to response headers. Labels never hold hosts, ids or query strings.
 */
export function createInstrumentedFetch(
  metrics: FetchMetrics,
  fetchImplementation: typeof globalThis.fetch,
): typeof globalThis.fetch {
  const endpoint = boundedLabel(ENDPOINT_LIMIT);
  return async (input, init) => {
    const labels = {
      endpoint: endpoint(endpointFamily(requestUrl(input))),
      method: methodLabel(requestMethod(input, init)),
    };
    const stopTimer = metrics.duration.startTimer({ endpoint: labels.endpoint });
    let response: Response;
    try {
      response = await fetchImplementation(input, init);
    } catch (error) {
      stopTimer();
      const code = thrownCode(error, init);
      metrics.requests.inc({ ...labels, code });
      metrics.errors.inc({ endpoint: labels.endpoint, code });
      throw error;
    }
    stopTimer();
    const code = String(response.status);
    metrics.requests.inc({ ...labels, code });
    if (response.status >= 400) metrics.errors.inc({ endpoint: labels.endpoint, code });
    return response;
  };
}
