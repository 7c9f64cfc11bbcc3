export { DifyLogsError, type DifyLogsErrorOptions } from './dify-logs-error.js';
export { DifyHttpError, type DifyHttpErrorOptions } from './http-error.js';
export { DifyNetworkError } from './network-error.js';
export { DifyResponseError, type DifyResponseErrorOptions } from './response-error.js';
export { DifyAuthError, type DifyAuthErrorCode } from './auth-error.js';
export { DifyConfigError } from './config-error.js';
export { DifyWorkspaceError, type DifyWorkspaceErrorCode } from './workspace-error.js';
export { DifyStorageError, type DifyStorageErrorCode } from './storage-error.js';
