import { DifyLogsError, isNamedError } from './dify-logs-error.js';

/** The request never produced a complete response: timeout, reset, refused connection, truncated body. */
export class DifyNetworkError extends DifyLogsError {
  readonly endpoint: string;

  constructor(endpoint: string, reason: 'timeout' | 'network', cause?: unknown) {
    const what = reason === 'timeout' ? 'timed out' : `failed: ${describe(cause)}`;
    super(`${endpoint} ${what}`, { code: reason === 'timeout' ? 'timeout' : 'network_error', cause, isRetryable: true });
    this.name = 'DifyNetworkError';
    this.endpoint = endpoint;
  }

  static override isInstance = isNamedError<DifyNetworkError>('DifyNetworkError');
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    const innerCode = typeof inner === 'object' && inner !== null ? (inner as { code?: unknown }).code : undefined;
    return typeof innerCode === 'string' ? `${cause.message} (${innerCode})` : cause.message;
  }
  return String(cause);
}
