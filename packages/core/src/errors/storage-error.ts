import { DifyLogsError, isNamedError } from './dify-logs-error.js';

/**
 * `invalid_object`: an object's content is not what dify-logs writes (a corrupt or foreign manifest or archive part).
 */
export type DifyStorageErrorCode = 'already_exists' | 'not_found' | 'invalid_key' | 'invalid_object' | 'storage_failed';

/** A storage adapter could not save, read, list or delete. `key` names the object when there is one. */
export class DifyStorageError extends DifyLogsError {
  readonly adapter: string;
  readonly key: string | undefined;

  constructor(
    adapter: string,
    code: DifyStorageErrorCode,
    message: string,
    options: { key?: string; cause?: unknown; isRetryable?: boolean } = {},
  ) {
    super(`${adapter}: ${message}`, { code, cause: options.cause, isRetryable: options.isRetryable ?? false });
    this.name = 'DifyStorageError';
    this.adapter = adapter;
    this.key = options.key;
  }

  static override isInstance = isNamedError<DifyStorageError>('DifyStorageError');
}
