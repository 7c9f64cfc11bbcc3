import { clip } from './clip.js';
import { DifyLogsError, isNamedError } from './dify-logs-error.js';

export type DifyAuthErrorCode =
  | 'invalid_credentials'
  | 'account_locked'
  | 'login_failed'
  | 'session_expired'
  | 'forbidden'
  | 'missing_credentials'
  /** The admin key on Dify 1.9.2–1.10.x, whose CSRF check refuses it (the bypass came in 1.11.0). */
  | 'admin_key_unsupported';

/** Credentials were refused, the account is locked, or the session could not be renewed. Never retried. */
export class DifyAuthError extends DifyLogsError {
  readonly endpoint: string;

  constructor(endpoint: string, code: DifyAuthErrorCode, message: string, cause?: unknown) {
    super(`${endpoint}: ${clip(message)}`, { code, cause, isRetryable: false });
    this.name = 'DifyAuthError';
    this.endpoint = endpoint;
  }

  static override isInstance = isNamedError<DifyAuthError>('DifyAuthError');
}
