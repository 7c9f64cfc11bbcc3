import { DifyLogsError, isNamedError } from './dify-logs-error.js';

export type DifyWorkspaceErrorCode =
  /** Another workspace became the account's current one (someone switched it) and no workspace is pinned. */
  | 'workspace_changed'
  /** The pinned workspace (`console.workspaceId`) is not one the account joined, or Dify refused the switch. */
  | 'workspace_not_joined';

/**
 * The console would read another workspace than intended. Dify keeps the current workspace per account
 * (`TenantAccountJoin.current`), so a person switching it in the browser moves this client too. Never retried.
 */
export class DifyWorkspaceError extends DifyLogsError {
  constructor(code: DifyWorkspaceErrorCode, message: string, cause?: unknown) {
    super(message, { code, cause, isRetryable: false });
    this.name = 'DifyWorkspaceError';
  }

  static override isInstance = isNamedError<DifyWorkspaceError>('DifyWorkspaceError');
}
