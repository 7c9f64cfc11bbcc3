export { VERSION, USER_AGENT } from './version.js';
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
export { silentLogger, type Logger } from './logging/logger.js';
export { createDifyClient, type DifyClient } from './client/create-client.js';
export type { DifyClientOptions } from './client/options.js';
export type { RetryOptions, TransportStats } from './client/transport/http.js';
export type { RequestGate } from './client/context.js';
export type { RunRequestOptions } from './client/endpoints/runs.js';
export type { PasswordEncoding } from './client/auth/console-session.js';
export {
  SERVICE_STATUS_FILTERS,
  CONSOLE_STATUS_FILTERS,
  type LogPage,
  type LogQuery,
} from './client/endpoints/logs.js';
export type { AppListQuery } from './client/endpoints/apps.js';
export type { Workspace, WorkspaceCheck } from './client/endpoints/workspaces.js';
export type { ProbeResult, ProbeProblem } from './client/endpoints/probe.js';
export type {
  AppInfo,
  DifyConsoleApp,
  DifyLogItem,
  DifyLogPage,
  DifyNodeExecution,
  DifyRunDetail,
} from './client/schemas/dify.js';
export {
  RunRecordSchema,
  NodeRecordSchema,
  EnrichmentErrorSchema,
  RunPauseSchema,
  RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  isTerminalStatus,
  runRecordJsonSchema,
  type RunRecord,
  type NodeRecord,
  type EnrichmentError,
  type RunPause,
} from './records/schema.js';
export { toRunRecord, type NormalizeInput } from './records/normalize.js';
export { exportRuns, type ExportRunsOptions, type ExportProgress, type DroppedLogRow } from './export/export-runs.js';
export { FETCH_DEFAULTS, DEFAULT_RETRIES, type FetchOptions } from './export/defaults.js';
export { type SalvagedField, type DroppedRow } from './client/schemas/salvage.js';
export { orderedMap } from './export/ordered-map.js';
export {
  memoryStorage,
  recordingNotifier,
  consoleNotifier,
  type StorageAdapter,
  type StorageFactory,
  type StorageCapabilities,
  type StorageKind,
  type SaveRequest,
  type StoredObject,
  type ListQuery,
  type CleanupOptions,
  type CleanupResult,
  type Notifier,
  type NotifierFactory,
  type NotifierCapabilities,
  type NotificationMessage,
  type NotificationKind,
  type NotificationSeverity,
  type NotificationReceipt,
} from './adapters/index.js';
export {
  runPipeline,
  resolveWindow,
  jsonReporter,
  markdownReporter,
  defaultReporters,
  renderMarkdown,
  reportReadyMessage,
  failureMessage,
  type WindowSpec,
  type ResolvedWindow,
  type PipelineJob,
  type PipelineFetchOptions,
  type PipelineReportOptions,
  type PipelineArchiveOptions,
  type PipelineNotifyOptions,
  type PipelineApp,
  type PipelineDeps,
  type PipelineEvent,
  type PipelineResult,
  type PipelineProblem,
  type PipelineStage,
  type SinkOutcome,
  renderReports,
  type RenderReportsOptions,
  type RenderedReports,
  backfill,
  type BackfillOptions,
  type BackfillResult,
  type BackfillChunk,
} from './pipeline/index.js';
export { EMPTY_APP_STATE, type AppState, type StateStore } from './adapters/state.js';
export { memoryStateStore } from './state/memory-state.js';
export { fileStateStore, type FileStateStoreOptions } from './state/file-state.js';
export { fitToLevel, type RunCache, type EnrichmentLevel } from './adapters/run-cache.js';
export { memoryRunCache } from './state/memory-run-cache.js';
export { fileRunCache } from './state/file-run-cache.js';
export {
  ConfigSchema,
  CORE_NOTIFIER_TYPES,
  LOG_LEVELS,
  OUTPUT_FORMATS,
  CORE_OUTPUT_FORMATS,
  environmentToConfig,
  type ConfigParts,
  type PluginSections,
  NOTIFY_ON,
  DEFAULT_JOB_NAME,
  validateConfig,
  checkConfig,
  loadConfig,
  ENVIRONMENT_VARIABLES,
  PROFILE_VARIABLE,
  SECRET_KEY_VARIABLE,
  isSecretPath,
  ENCRYPTED_PREFIX,
  encryptSecret,
  decryptSecret,
  generateSecretKey,
  parseSecretKey,
  isEncryptedSecret,
  rotateSecrets,
  encryptSecretsInDocument,
  redactConfig,
  describeSources,
  readDataFile,
  type DifyLogsConfig,
  type DifyLogsConfigInput,
  type JobConfig,
  type ConfigValidation,
  type ConfigIssue,
  type LoadConfigOptions,
  type LoadedConfig,
  type ConfigOverrides,
  type ConfigSource,
  type EnvironmentVariable,
  type EncryptedDocument,
} from './config/index.js';
export type { Reporter, ReportWriter, ReportFile, ReportContext } from './adapters/reporter.js';
export type {
  ReportAnalysis,
  PausedRun,
  LatencyStats,
  Money,
  StatusCounts,
  TimeBucket,
  AppAnalysis,
  ModelAnalysis,
  NodeAnalysis,
  EndUserAnalysis,
  ErrorGroup,
  TokenMismatch,
  SlowRun,
  AnomalyFlag,
  Comparison,
  ConversationAnalysis,
  ConversationDay,
  ConversationAppAnalysis,
  QuestionGroup,
} from './analysis/types.js';
export {
  createAnalyzer,
  compareAnalyses,
  DEFAULT_ANOMALY_THRESHOLDS,
  mainCurrency,
  snapshotAnalyzer,
  restoreAnalyzer,
  createConversationAnalyzer,
  type ConversationAnalyzer,
  type MessageFacts,
  type Analyzer,
  type AnalyzerOptions,
  type AnalyzerSnapshot,
  type AnomalyThresholds,
  type PriceRule,
  type PriceTable,
  type Pricer,
} from './analysis/index.js';
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
export { readRunRecords, toNdjson, RecordFileError } from './records/ndjson.js';
export {
  MessageRecordSchema,
  ConversationRecordSchema,
  toMessageRecord,
  toConversationRecord,
  type MessageRecord,
  type ConversationRecord,
} from './records/chat.js';
export type { DifyConversation, DifyMessage } from './client/schemas/chat.js';
export { CHAT_APP_MODES, type ConversationQuery } from './client/endpoints/chat.js';
export { lineStartFrom, readRunRecordRange, linesBefore, type ByteRange } from './records/ndjson-range.js';
export {
  type AlertRule,
  type AlertRuleKind,
  type AlertPolicy,
  type AlertState,
  type ActiveAlert,
  type AlertEvent,
} from './alerts/index.js';
export { type MessageTemplates } from './pipeline/templates.js';
export {
  createArchiveWriter,
  readManifests,
  readArchive,
  verifyArchive,
  listPartitions,
  ARCHIVE_TYPE,
  type ArchiveWriterOptions,
  type ArchivePartFormat,
  type ArchiveAlternate,
  type ArchiveResult,
  type ArchiveQuery,
  type ArchiveProblem,
  type ArchiveReadOptions,
  type ArchiveManifest,
  type ArchivePart,
  findOrphanParts,
  removeOrphanParts,
  ORPHAN_MIN_AGE_HOURS,
  type OrphanPartOptions,
} from './archive/index.js';
export type {
  Scheduler,
  Deployment,
  DeploymentRun,
  DeploymentRunDetail,
  DeploymentRunStatus,
  DeploymentContext,
  DeploymentOutcome,
  DeploymentHandler,
} from './adapters/scheduler.js';
export { assertDeployments } from './adapters/scheduler.js';
export type { Sink, SinkWriter, SinkContext, SinkCommit } from './adapters/sink.js';

// Plugins and the runtime: adapters own their configuration; createDifyLogs wires configuration to a running
// deployment.
export * from './plugins/index.js';
export * from './runtime/index.js';
/** Plugin authoring (`definePlugin`, `configValues`, `z`) and adapter helpers: `@dify-logs/core/adapter-kit`. */
