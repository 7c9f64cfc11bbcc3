/**
 * `@dify-logs/core`: what end users call — the runtime (`createDifyLogs`: configuration to a running deployment),
 * configuration (`loadConfig`, `validateConfig`, secrets), the records and their schemas, the privacy policy, the
 * errors, and the Dify client with its export (`createDifyClient`, `exportRuns`).
 *
 * The rest of the public API is in topical entries: `@dify-logs/core/client` (every type of the client),
 * `@dify-logs/core/pipeline` (`runPipeline`, `backfill`, `renderReports`, the analyzer and the report analysis),
 * `@dify-logs/core/archive` (the partitioned archive), `@dify-logs/core/adapter-kit` (the adapter contracts, plugin
 * types and adapter authors' helpers) and `@dify-logs/core/testing` (the conformance suites).
 */
export { VERSION } from './version.js';
export {
  DifyLogsError,
  DifyHttpError,
  DifyNetworkError,
  DifyResponseError,
  DifyAuthError,
  DifyConfigError,
  DifyStorageError,
  DifyWorkspaceError,
  type DifyWorkspaceErrorCode,
  type DifyStorageErrorCode,
  type DifyLogsErrorOptions,
  type DifyHttpErrorOptions,
  type DifyResponseErrorOptions,
  type DifyAuthErrorCode,
} from './errors/index.js';
export type { NetworkErrorDetails } from './errors/network-error.js';
export { silentLogger, type Logger } from './logging/logger.js';
export {
  createDifyLogs,
  type DifyLogs,
  type DifyLogsOptions,
  type RunOverrides,
  type ReportOptions,
  type RuntimeDeps,
  type ArchiveEdits,
} from './runtime/index.js';
export {
  ConfigSchema,
  type PluginSections,
  validateConfig,
  checkConfig,
  loadConfig,
  encryptSecret,
  decryptSecret,
  generateSecretKey,
  parseSecretKey,
  describeSources,
  type DifyLogsConfig,
  type DifyLogsConfigInput,
  type JobConfig,
  type ConfigParts,
  type ConfigValidation,
  type ConfigIssue,
  type LoadConfigOptions,
  type LoadedConfig,
  type ConfigOverrides,
  type ConfigSource,
} from './config/index.js';
export type { EnvironmentVariable } from './config/environment.js';
export {
  RunRecordSchema,
  NodeRecordSchema,
  RUN_STATUSES,
  isTerminalStatus,
  type RunRecord,
  type NodeRecord,
  type EnrichmentError,
  type RunPause,
} from './records/schema.js';
export {
  MessageRecordSchema,
  ConversationRecordSchema,
  type MessageRecord,
  type ConversationRecord,
} from './records/chat.js';
export { readRunRecords, RecordFileError } from './records/ndjson.js';
export {
  createPrivacyPolicy,
  describePrivacy,
  REDACTED_VALUE,
  type PrivacyOptions,
  type PrivacyPolicy,
  type PrivacyStatement,
  type PrivacyAction,
  type EndUserAction,
} from './privacy/policy.js';
export {
  DETECTORS,
  createTextScanner,
  type DetectorName,
  type Finding,
  type TextScanner,
} from './privacy/detectors.js';
export { createDifyClient, type DifyClient } from './client/create-client.js';
export type { DifyClientOptions } from './client/options.js';
export { exportRuns, type ExportRunsOptions } from './export/export-runs.js';
