import { DifyConfigError, DifyLogsError, DifyNetworkError, silentLogger, type Logger } from '@dify-logs/core';
import type { NotificationMessage, NotificationReceipt, Notifier } from '@dify-logs/core/adapter-kit';
import { USER_AGENT } from '@dify-logs/core/adapter-kit';
import { scrub } from '@dify-logs/core/adapter-kit';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookBody } from './signature.js';

export interface WebhookNotifierOptions {
  /**
   * Where to POST. May carry a token in its path or query: it never appears in errors or logs (only origin + path do).
   */
  url: string;
  /** Signs every request (HMAC-SHA256); never appears in errors or logs. */
  secret?: string;
  /** Extra request headers, e.g. `Authorization`. They cannot replace the content type or the signature headers. */
  headers?: Record<string, string>;
  /** Per-request timeout in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Default `webhook`. */
  name?: string;
  logger?: Logger;
  /** A ready fetch; default: global fetch. */
  fetch?: typeof fetch;
}

/** The JSON body of every request. */
export interface WebhookPayload {
  version: 1;
  message: NotificationMessage;
  /** ISO-8601 UTC. */
  sentAt: string;
}

function parseUrl(url: unknown): URL {
  if (typeof url !== 'string' || url.trim() === '')
    throw new DifyConfigError('notification.webhook.url', 'is required');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DifyConfigError('notification.webhook.url', 'is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new DifyConfigError('notification.webhook.url', 'must be an http or https URL');
  return parsed;
}

/**
 * Posts every message as JSON `{ version: 1, message, sentAt }` to a URL, signed with HMAC-SHA256 when a
 * secret is given. 2xx is success; 429, 5xx, network errors and timeouts are retryable; other statuses are not.
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  const url = parseUrl(options?.url);
  const name = options.name ?? 'webhook';
  const logger = (options.logger ?? silentLogger).child({ adapter: name });
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new DifyConfigError('notification.webhook.timeoutMs', 'must be a positive number');
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret === '')) {
    throw new DifyConfigError('notification.webhook.secret', 'must be a non-empty string when given');
  }
  let extraHeaders: Headers;
  try {
    extraHeaders = new Headers(options.headers);
  } catch {
    throw new DifyConfigError('notification.webhook.headers', 'holds an invalid header name or value');
  }
  const endpoint = `${name} (${url.origin}${url.pathname})`;
  const headerValues = Object.values(options.headers ?? {}).filter((value) => value.length >= 8);
  const secrets = [options.url, url.search, url.password, options.secret ?? '', ...headerValues].filter(
    (value) => value.length >= 4,
  );
  const clean = (error: DifyLogsError): DifyLogsError => {
    error.message = scrub(error.message, secrets);
    return error;
  };

  return {
    name,
    capabilities: { markdown: false },
    async send(message): Promise<NotificationReceipt> {
      const payload: WebhookPayload = { version: 1, message, sentAt: new Date().toISOString() };
      const body = JSON.stringify(payload);
      const headers = new Headers(extraHeaders);
      headers.set('content-type', 'application/json; charset=utf-8');
      headers.set('user-agent', USER_AGENT);
      if (options.secret) {
        const timestamp = Math.floor(Date.now() / 1000);
        headers.set(TIMESTAMP_HEADER, String(timestamp));
        headers.set(SIGNATURE_HEADER, signWebhookBody({ secret: options.secret, timestamp, body }));
      }
      let response: Response;
      try {
        response = await (options.fetch ?? fetch)(url, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
      } catch (error) {
        const errorName = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
        const timedOut = errorName === 'TimeoutError' || errorName === 'AbortError';
        throw clean(new DifyNetworkError(endpoint, timedOut ? 'timeout' : 'network', error));
      }
      if (response.status < 200 || response.status >= 300) {
        const retryable = response.status === 429 || response.status >= 500;
        throw clean(
          new DifyLogsError(`${endpoint} answered HTTP ${response.status}`, {
            code: `http_${response.status}`,
            isRetryable: retryable,
          }),
        );
      }
      logger.debug({ kind: message.kind, status: response.status }, 'sent');
      const id = response.headers.get('x-request-id');
      return id ? { notifier: name, id } : { notifier: name };
    },
  };
}
