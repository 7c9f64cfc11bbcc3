import { DifyConfigError } from '../errors/config-error.js';
import { DifyNetworkError } from '../errors/network-error.js';
import { scrub } from '../logging/redact.js';
import { USER_AGENT } from '../version.js';

// Shared by the chat notifiers (`@dify-logs/notifier-dingtalk`, `-wecom`, `-feishu`, `-slack`): webhook options and one
// JSON POST.

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Parses a webhook option: https, or http on the loopback interface only (local test servers). Never echoes the value:
 * it holds the token.
 */
export function parseWebhook(key: string, value: unknown): URL {
  if (typeof value !== 'string' || value.trim() === '') throw new DifyConfigError(key, 'is required');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DifyConfigError(key, 'is not a valid URL');
  }
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!allowed) throw new DifyConfigError(key, 'must be an https URL (plain http only for 127.0.0.1 or localhost)');
  if (url.username !== '' || url.password !== '') throw new DifyConfigError(key, 'must not contain user credentials');
  return url;
}

/**
 * Where the webhook points, safe to show: origin and the first `keepSegments` path segments, the rest
 * (a token in the path) replaced, no query (a token in the query). Plus every token-like part, for `scrub`.
 */
export function describeWebhook(
  url: URL,
  keepSegments = Number.POSITIVE_INFINITY,
): { shown: string; secrets: string[] } {
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const kept = segments.slice(0, keepSegments);
  const hidden = segments.slice(kept.length);
  const path = `/${kept.join('/')}${hidden.length > 0 ? `${kept.length > 0 ? '/' : ''}[redacted]` : ''}`;
  const secrets = [...hidden, ...[...url.searchParams.values()]].flatMap((part) => [part, encodeURIComponent(part)]);
  return { shown: `${url.origin}${path}`, secrets };
}

export function positiveInteger(
  key: string,
  value: unknown,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new DifyConfigError(key, `must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

export function optionalText(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new DifyConfigError(key, 'must be a non-empty string');
  return value;
}

export interface ChannelResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface PostOptions {
  /** `name (origin/path)`: what errors show. */
  endpoint: string;
  url: string;
  body: unknown;
  contentType: string;
  fetch: typeof fetch;
  timeoutMs: number;
  secrets: string[];
}

/** POSTs JSON once (core owns retries); a failure before a complete answer is a retryable `DifyNetworkError`. */
export async function postJson(options: PostOptions): Promise<ChannelResponse> {
  try {
    const response = await options.fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': options.contentType, 'user-agent': USER_AGENT },
      body: JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const failure = new DifyNetworkError(options.endpoint, timedOut ? 'timeout' : 'network', error);
    failure.message = scrub(failure.message, options.secrets);
    throw failure;
  }
}

/** The answer as a JSON object, or undefined when it is not one. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
