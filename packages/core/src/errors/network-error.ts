import { DifyLogsError, isNamedError } from './dify-logs-error.js';

export interface NetworkErrorDetails {
  /** Where the request went, without query or credentials. */
  url?: string;
  /** The timeout that ran out, for `timeout`. */
  timeoutMs?: number;
}

/** The request never produced a complete response: timeout, reset, refused connection, DNS, TLS, truncated body. */
export class DifyNetworkError extends DifyLogsError {
  readonly endpoint: string;
  /** Where the request went, without query or credentials (when known). */
  readonly url: string | undefined;

  constructor(endpoint: string, reason: 'timeout' | 'network', cause?: unknown, details: NetworkErrorDetails = {}) {
    const where = details.url ? ` (${details.url})` : '';
    const what =
      reason === 'timeout'
        ? `timed out${details.timeoutMs === undefined ? '' : ` after ${formatSeconds(details.timeoutMs)}`}`
        : `failed: ${describe(cause)}`;
    super(`${endpoint}${where} ${what}`, {
      code: reason === 'timeout' ? 'timeout' : 'network_error',
      cause,
      isRetryable: true,
    });
    this.name = 'DifyNetworkError';
    this.endpoint = endpoint;
    this.url = details.url;
  }

  static override isInstance = isNamedError<DifyNetworkError>('DifyNetworkError');
}

/** A URL as it may be shown: origin and path, never user info or query. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '[unparseable URL]';
  }
}

const CAUSES: Array<[RegExp, (code: string, cause: Record<string, unknown>) => string]> = [
  [/^ECONNREFUSED$/, () => 'connection refused (is Dify running at this address?)'],
  [
    /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/,
    (_code, cause) => `DNS name not found${typeof cause.hostname === 'string' ? `: ${cause.hostname}` : ''}`,
  ],
  [/^ECONNRESET$/, () => 'connection reset by the server or a proxy'],
  [/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT)$/, () => 'could not connect in time'],
  [/^(EHOSTUNREACH|ENETUNREACH)$/, () => 'host unreachable'],
  [/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/, (code) => `TLS certificate not accepted`],
  [/^(UND_ERR_SOCKET|UND_ERR_CLOSED|EPIPE)$/, () => 'connection closed before the answer was complete'],
];

/** Names the cause the way an operator thinks of it (connection refused, DNS, TLS, reset), with the system code. */
function describe(cause: unknown): string {
  const chain: Array<Record<string, unknown>> = [];
  for (let current = cause, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    chain.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  for (const link of chain) {
    const code = typeof link.code === 'string' ? link.code : undefined;
    if (!code) continue;
    for (const [pattern, explain] of CAUSES) if (pattern.test(code)) return `${explain(code, link)} (${code})`;
  }
  const innermost = chain.at(-1);
  const code = chain.map((link) => link.code).find((value): value is string => typeof value === 'string');
  const message =
    innermost && typeof innermost.message === 'string'
      ? innermost.message
      : cause instanceof Error
        ? cause.message
        : String(cause);
  return code ? `${message} (${code})` : message;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
