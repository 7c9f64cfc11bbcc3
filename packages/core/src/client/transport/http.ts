import ky from 'ky';
import pRetry from 'p-retry';
import { DifyHttpError } from '../../errors/http-error.js';
import { DifyNetworkError, safeUrl } from '../../errors/network-error.js';
import { DifyResponseError } from '../../errors/response-error.js';
import { DifyLogsError } from '../../errors/dify-logs-error.js';
import type { Logger } from '../../logging/logger.js';
import { USER_AGENT } from '../../version.js';
import type { AdaptiveLimiter, RequestOutcome } from './adaptive-limiter.js';
import { toHttpError } from './error-body.js';
import { retryPauseMs } from './retry-pause.js';

export interface RetryOptions {
  /**
   * Retries after the first attempt (default 6: with the default delays, while Dify answers nothing, at least 15.75 s
   * of waiting, so a Dify restart of 10 s is ridden out). 0 disables retrying.
   */
  retries?: number;
  /**
   * First backoff delay in ms (default 250); doubles each retry, randomised ×1–2. After an error, a reset or a refusal
   * with Retry-After while the server answers other requests (a failure of this request alone), it grows to twice this
   * and no further (see retryPauseMs).
   */
  minDelayMs?: number;
  /** Largest backoff delay in ms (default 10 000), reached when nothing else is answered either. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this (ms, default 60 000) is capped to it. */
  maxRetryAfterMs?: number;
}

export interface TransportOptions {
  timeoutMs: number;
  /** Every attempt waits for a slot here; the outcome (429/503/timeout: rejected) adapts the limit. */
  limiter?: AdaptiveLimiter;
  retry: Required<RetryOptions>;
  logger: Logger;
  fetch?: typeof globalThis.fetch | undefined;
  signal?: AbortSignal | undefined;
}

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestSpec {
  method: 'GET' | 'POST';
  /** Absolute URL without query. */
  url: string;
  /** Endpoint label for errors and logs, e.g. `GET /v1/workflows/logs`. */
  endpoint: string;
  query?: Record<string, QueryValue>;
  json?: unknown;
  headers?: Record<string, string>;
  /**
   * Credentials, asked for once the request has its slot under the request limit (so the session that signs a
   * request is the one current when it leaves, and the first request of a new session is the first one sent).
   */
  authorize?: () => Promise<Record<string, string>>;
  /** Bypass the request limit: session requests (login, refresh) that requests holding slots may be waiting for. */
  unlimited?: boolean;
  /** Sent again at once on a renewed session: it waits at the head of the request limit's queue, not the tail. */
  priority?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  /** Decoded JSON body; undefined for an empty body. */
  body: unknown;
  text: string;
}

export interface TransportStats {
  requests: number;
  retries: number;
  /** The adaptive concurrency limit now (requests at once). */
  concurrencyLimit?: number;
  /** Requests sent and not yet answered now (under the adaptive limit), the client's own handling of each included. */
  inFlight?: number;
}

export interface Transport {
  /**
   * One attempt. Resolves with any HTTP status; rejects with DifyNetworkError, or DifyResponseError for a 2xx non-JSON
   * body.
   */
  send(spec: RequestSpec): Promise<RawResponse>;
  /** Runs `attempt` with the retry policy: only errors with `isRetryable` are retried, honouring `retryAfterMs`. */
  withRetry<T>(endpoint: string, attempt: () => Promise<T>): Promise<T>;
  stats(): TransportStats;
}

export function createTransport(options: TransportOptions): Transport {
  const http = ky.create({
    retry: 0,
    timeout: false,
    throwHttpErrors: false,
    headers: { 'user-agent': USER_AGENT, accept: 'application/json' },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const counters: TransportStats = { requests: 0, retries: 0 };
  /** When the server last answered a request (any answer but a 5xx or 429): retries tell chance from trouble by it. */
  let answeredAt = Number.NEGATIVE_INFINITY;

  async function send(spec: RequestSpec): Promise<RawResponse> {
    if (!options.limiter || spec.unlimited) return sendNow(spec, spec.authorize ? await spec.authorize() : undefined);
    const slot = await options.limiter.acquire(
      options.signal,
      spec.priority ?? false,
      spec.endpoint.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id'),
    );
    let outcome: RequestOutcome = 'error';
    try {
      const response = await sendNow(spec, spec.authorize ? await spec.authorize() : undefined);
      outcome =
        response.status === 429 || response.status === 503 ? 'rejected' : response.status >= 500 ? 'error' : 'success';
      return response;
    } catch (error) {
      if (DifyNetworkError.isInstance(error) && error.code === 'timeout') outcome = 'rejected';
      else if (DifyResponseError.isInstance(error)) outcome = 'success';
      throw error;
    } finally {
      slot.release(outcome);
    }
  }

  async function sendNow(spec: RequestSpec, credentials: Record<string, string> | undefined): Promise<RawResponse> {
    counters.requests += 1;
    // A controller and a cleared timer cost a fraction of AbortSignal.timeout(), which matters at hundreds of
    // requests/s.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    timer.unref();
    const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
    // Node 20's fetch can stay unsettled after its signal aborts (a connection reset mid-response): the attempt ends
    // when the signal fires whatever fetch does, so a request can never hang a run past its timeout.
    const abandoned = new Promise<never>((_resolve, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
    );
    abandoned.catch(() => undefined);
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      const attempt = http(spec.url, {
        method: spec.method,
        searchParams: toSearchParams(spec.query),
        ...(spec.json === undefined ? {} : { json: spec.json }),
        headers: credentials ? { ...spec.headers, ...credentials } : spec.headers,
        signal,
      }).then(async (response) => ({
        status: response.status,
        headers: response.headers,
        text: await response.text(),
      }));
      attempt.catch(() => undefined);
      ({ status, headers, text } = await Promise.race([attempt, abandoned]));
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      throw new DifyNetworkError(spec.endpoint, timedOut ? 'timeout' : 'network', error, {
        url: safeUrl(spec.url),
        timeoutMs: options.timeoutMs,
      });
    } finally {
      clearTimeout(timer);
    }
    if (status < 500 && status !== 429) answeredAt = performance.now();
    if (status < 200 || status >= 300) return { status, headers, body: undefined, text };
    if (text.trim() === '') return { status, headers, body: undefined, text };
    try {
      return { status, headers, body: JSON.parse(text), text };
    } catch (error) {
      throw new DifyResponseError({
        endpoint: spec.endpoint,
        problem:
          `body is not valid JSON (${text.length} bytes` +
          `${text.trimStart().startsWith('<') ? ', looks like HTML' : ''})`,
        malformed: true,
        cause: error,
      });
    }
  }

  function withRetry<T>(endpoint: string, attempt: () => Promise<T>): Promise<T> {
    const { retries, minDelayMs, maxDelayMs, maxRetryAfterMs } = options.retry;
    let sentAt = 0;
    return pRetry(
      () => {
        sentAt = performance.now();
        return attempt();
      },
      {
        retries,
        // The whole pause is taken in onFailedAttempt (retryPauseMs), not by p-retry.
        minTimeout: 0,
        maxTimeout: 0,
        randomize: false,
        ...(options.signal ? { signal: options.signal } : {}),
        shouldRetry: ({ error }) => DifyLogsError.isInstance(error) && error.isRetryable,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (!DifyLogsError.isInstance(error) || !error.isRetryable || retriesLeft === 0) return;
          counters.retries += 1;
          const retryAfterMs = DifyHttpError.isInstance(error) ? error.retryAfterMs : undefined;
          // A refusal that does not say when to come back (a 429 or 503 without Retry-After, a timeout) says the server
          // is busy: it keeps the doubling back-off whatever the others met. Errors and resets that others escaped are
          // chance, and a Retry-After is the server's own back-off (the floor of the pause).
          const refused =
            (DifyHttpError.isInstance(error) &&
              (error.status === 429 || error.status === 503) &&
              retryAfterMs === undefined) ||
            (DifyNetworkError.isInstance(error) && error.code === 'timeout');
          const othersAnswered = !refused && answeredAt > sentAt;
          const pauseMs = retryPauseMs({
            attempt: attemptNumber,
            minDelayMs,
            maxDelayMs,
            retryAfterMs,
            maxRetryAfterMs,
            othersAnswered,
            random: Math.random(),
          });
          options.logger.debug(
            { endpoint, attempt: attemptNumber, retriesLeft, code: error.code, retryAfterMs, othersAnswered, pauseMs },
            'retrying request',
          );
          await sleep(pauseMs, options.signal);
        },
      },
    );
  }

  return {
    send,
    withRetry,
    stats: () => ({
      ...counters,
      ...(options.limiter
        ? (({ limit, inFlight }) => ({ concurrencyLimit: limit, inFlight }))(options.limiter.state())
        : {}),
    }),
  };
}

/** Raises the right error for a non-2xx answer (2xx passes through). */
export function assertOk(endpoint: string, response: RawResponse): RawResponse {
  if (response.status >= 200 && response.status < 300) return response;
  throw toHttpError(endpoint, response.status, response.headers, response.text);
}

function toSearchParams(query: Record<string, QueryValue> | undefined): Record<string, string> | undefined {
  if (!query) return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params[key] = String(value);
  }
  return params;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
