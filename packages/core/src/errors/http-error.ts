import { clip } from './clip.js';
import { DifyLogsError, isNamedError } from './dify-logs-error.js';

export interface DifyHttpErrorOptions {
  endpoint: string;
  status: number;
  difyCode?: string | undefined;
  difyMessage?: string | undefined;
  /** Field-level messages from Dify's validation errors (`params` or `errors`). */
  fields?: Record<string, string> | undefined;
  retryAfterMs?: number | undefined;
  isRetryable?: boolean;
}

/** Dify (or a proxy in front of it) answered with a non-success HTTP status. */
export class DifyHttpError extends DifyLogsError {
  readonly endpoint: string;
  readonly status: number;
  readonly difyCode: string | undefined;
  readonly difyMessage: string | undefined;
  readonly fields: Record<string, string> | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(options: DifyHttpErrorOptions) {
    const detail = options.difyMessage ? `: ${clip(options.difyMessage)}` : '';
    const code = options.difyCode ? ` (${clip(options.difyCode, 100)})` : '';
    const fields = options.fields
      ? ` [${clip(
          Object.entries(options.fields)
            .map(([key, value]) => `${key}: ${value}`)
            .join('; '),
        )}]`
      : '';
    super(`${options.endpoint} answered HTTP ${options.status}${code}${detail}${fields}`, {
      code: options.difyCode ?? `http_${options.status}`,
      isRetryable: options.isRetryable ?? (options.status === 429 || options.status >= 500),
    });
    this.name = 'DifyHttpError';
    this.endpoint = options.endpoint;
    this.status = options.status;
    this.difyCode = options.difyCode;
    this.difyMessage = options.difyMessage;
    this.fields = options.fields;
    this.retryAfterMs = options.retryAfterMs;
  }

  static override isInstance = isNamedError<DifyHttpError>('DifyHttpError');
}
