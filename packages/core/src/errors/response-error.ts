import { DifyLogsError, isNamedError } from './dify-logs-error.js';

export interface DifyResponseErrorOptions {
  endpoint: string;
  /** Dotted path of the offending field, e.g. `data.3.workflow_run.created_at`; empty for the whole body. */
  field?: string;
  problem: string;
  /** true for bodies that are not JSON at all (a truncated or proxy page): those may be transient. */
  malformed?: boolean;
  cause?: unknown;
}

/** Dify answered 2xx, but the body was not JSON or did not have the expected shape. */
export class DifyResponseError extends DifyLogsError {
  readonly endpoint: string;
  readonly field: string;

  constructor(options: DifyResponseErrorOptions) {
    const where = options.field ? ` at field "${options.field}"` : '';
    super(`${options.endpoint} returned an unexpected body${where}: ${options.problem}`, {
      code: options.malformed ? 'malformed_body' : 'unexpected_body',
      cause: options.cause,
      isRetryable: options.malformed ?? false,
    });
    this.name = 'DifyResponseError';
    this.endpoint = options.endpoint;
    this.field = options.field ?? '';
  }

  static override isInstance = isNamedError<DifyResponseError>('DifyResponseError');
}
