import { DifyLogsError, isNamedError } from './dify-logs-error.js';

/** An option or setting is missing or invalid. `key` names it. Never retried. */
export class DifyConfigError extends DifyLogsError {
  readonly key: string;

  constructor(key: string, message: string) {
    super(`${key}: ${message}`, { code: 'invalid_config' });
    this.name = 'DifyConfigError';
    this.key = key;
  }

  static override isInstance = isNamedError<DifyConfigError>('DifyConfigError');
}
