/**
 * `@dify-logs/core/client`: the typed Dify client (`createDifyClient`) and the bulk export (`exportRuns`), with every
 * type their options and results name. `@dify-logs/core` re-exports the two functions and their main types.
 */
export { createDifyClient, type DifyClient } from '../client/create-client.js';
export type { DifyClientOptions } from '../client/options.js';
export type { RetryOptions, TransportStats } from '../client/transport/http.js';
export type { RequestGate } from '../client/context.js';
export type { RunRequestOptions } from '../client/endpoints/runs.js';
export type { PasswordEncoding } from '../client/auth/console-session.js';
export type { LogPage, LogQuery } from '../client/endpoints/logs.js';
export type { AppListQuery } from '../client/endpoints/apps.js';
export type { Workspace, WorkspaceCheck } from '../client/endpoints/workspaces.js';
export type { ProbeResult, ProbeProblem, AppAccess } from '../client/endpoints/probe.js';
export type { ArchivedLogPage } from '../client/endpoints/archived-logs.js';
export type { ConversationQuery } from '../client/endpoints/chat.js';
export type { CompletionConversationQuery } from '../client/endpoints/completion.js';
export type {
  AppInfo,
  DifyConsoleApp,
  DifyLogItem,
  DifyLogPage,
  DifyNodeExecution,
  DifyRunDetail,
} from '../client/schemas/dify.js';
export type { DifyCompletionConversation, DifyConversation, DifyMessage } from '../client/schemas/chat.js';
export type { SalvagedField, DroppedRow } from '../client/schemas/salvage.js';
export type { LogWindowOptions } from '../export/log-window.js';
export { exportRuns, type ExportRunsOptions, type ExportProgress, type DroppedLogRow } from '../export/export-runs.js';
export { FETCH_DEFAULTS, DEFAULT_RETRIES, type FetchOptions } from '../export/defaults.js';
/** The policy `exportRuns` applies to every record (its `privacy` option). */
export { createPrivacyPolicy, type PrivacyOptions, type PrivacyPolicy } from '../privacy/policy.js';
