const marker = Symbol.for('dify-logs.error');

export interface DifyLogsErrorOptions {
  code: string;
  cause?: unknown;
  isRetryable?: boolean;
}

/**
 * The base of every error this SDK throws. `code` is a stable snake_case string,
 * `isRetryable` says whether repeating the same call may succeed.
 * Use `DifyLogsError.isInstance(error)` rather than `instanceof`: it works across duplicate package copies.
 */
export class DifyLogsError extends Error {
  readonly [marker] = true;
  readonly code: string;
  readonly isRetryable: boolean;

  constructor(message: string, options: DifyLogsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DifyLogsError';
    this.code = options.code;
    this.isRetryable = options.isRetryable ?? false;
  }

  static isInstance(error: unknown): error is DifyLogsError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** A guard factory for subclasses, keyed on `name` so it survives duplicate copies too. */
export function isNamedError<T extends DifyLogsError>(name: string) {
  return (error: unknown): error is T => DifyLogsError.isInstance(error) && error.name === name;
}
