/**
 * `@dify-logs/core`: what end users call — the client (`createDifyClient`), the export (`exportRuns`), the pipeline
 * (`runPipeline`, `backfill`), the runtime (`createDifyLogs`), configuration (`loadConfig`), reports and archives, and
 * the records, results, errors and contracts those take and return. Adapter authors' helpers are in
 * `@dify-logs/core/adapter-kit`, the conformance suites in `@dify-logs/core/testing`.
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
export { silentLogger, type Logger } from './logging/logger.js';
export { createDifyClient, type DifyClient } from './client/create-client.js';
export type { DifyClientOptions } from './client/options.js';
export type { RetryOptions, TransportStats } from './client/transport/http.js';
export type { RunRequestOptions } from './client/endpoints/runs.js';
export type { PasswordEncoding } from './client/auth/console-session.js';
export type { LogPage, LogQuery } from './client/endpoints/logs.js';
export type { AppListQuery } from './client/endpoints/apps.js';
export type { Workspace, WorkspaceCheck } from './client/endpoints/workspaces.js';
export type { ProbeResult, ProbeProblem, AppAccess } from './client/endpoints/probe.js';
export type { ArchivedLogPage } from './client/endpoints/archived-logs.js';
export type { NetworkErrorDetails } from './errors/network-error.js';
export type { LogWindowOptions } from './export/log-window.js';
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
  RUN_STATUSES,
  isTerminalStatus,
  type RunRecord,
  type NodeRecord,
  type EnrichmentError,
  type RunPause,
} from './records/schema.js';
export { exportRuns, type ExportRunsOptions, type ExportProgress, type DroppedLogRow } from './export/export-runs.js';
export { FETCH_DEFAULTS, DEFAULT_RETRIES, type FetchOptions } from './export/defaults.js';
export { type SalvagedField, type DroppedRow } from './client/schemas/salvage.js';
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
  type NotifierCapabilities,
  type NotificationMessage,
  type NotificationKind,
  type NotificationSeverity,
  type NotificationReceipt,
} from './adapters/index.js';
export {
  runPipeline,
  type WindowSpec,
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
export type { AppState, StateStore } from './adapters/state.js';
export { memoryStateStore } from './state/memory-state.js';
export { fileStateStore, type FileStateStoreOptions } from './state/file-state.js';
export type { RunCache, EnrichmentLevel } from './adapters/run-cache.js';
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
  type ConfigValidation,
  type ConfigIssue,
  type LoadConfigOptions,
  type LoadedConfig,
  type ConfigOverrides,
  type ConfigSource,
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
  ConversationEndUser,
  ConversationTranscript,
  TranscriptMessage,
} from './analysis/types.js';
export {
  createAnalyzer,
  type Analyzer,
  type AnalyzerOptions,
  type AnomalyThresholds,
  type PriceRule,
  type PriceTable,
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
export { readRunRecords, RecordFileError } from './records/ndjson.js';
export {
  MessageRecordSchema,
  ConversationRecordSchema,
  type MessageRecord,
  type ConversationRecord,
} from './records/chat.js';
export type { DifyCompletionConversation, DifyConversation, DifyMessage } from './client/schemas/chat.js';
export type { ConversationQuery } from './client/endpoints/chat.js';
export type { CompletionConversationQuery } from './client/endpoints/completion.js';
export type { AlertEvent } from './alerts/index.js';
export {
  createArchiveWriter,
  readArchive,
  readArchivedMessages,
  verifyArchive,
  listPartitions,
  removeOrphanParts,
  type ArchiveWriter,
  type ArchiveWriterOptions,
  type ArchivePartFormat,
  type ArchiveResult,
  type ArchiveQuery,
  type ArchiveProblem,
  type ArchiveReadOptions,
  type ArchiveManifest,
  type ArchivePart,
  type OrphanPartOptions,
  type ArchiveEditRequest,
  type ArchiveEditResult,
  type ForgetEndUserRequest,
  type SinkEditResult,
  type RewriteArchiveResult,
  type RewrittenPartition,
  type RewriteMessagesResult,
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
export type { Sink, SinkWriter, SinkContext, SinkCommit, SinkForgetRequest } from './adapters/sink.js';

// Plugins and the runtime: adapters own their configuration; createDifyLogs wires configuration to a running
// deployment.
export type {
  DifyLogsPlugin,
  PluginContext,
  StoragePlugin,
  NotifierPlugin,
  SinkPlugin,
  FormatPlugin,
  SchedulerPlugin,
  ServicePlugin,
  DatabasePlugin,
  PluginsOption,
  PluginRegistry,
} from './plugins/index.js';
export {
  createDifyLogs,
  type DifyLogs,
  type DifyLogsOptions,
  type RunOverrides,
  type ReportOptions,
  type RuntimeDeps,
  type ArchiveEdits,
} from './runtime/index.js';
// Types the signatures above refer to.
export type { ArchiveAlternate } from './archive/index.js';
export type { ConfigParts } from './config/index.js';
export type { EnvironmentVariable } from './config/environment.js';
export type { RequestGate } from './client/context.js';
export type { AlertRule, AlertRuleKind, AlertPolicy } from './alerts/index.js';
export type { MessageTemplates } from './pipeline/templates.js';
export type { PluginBase, PluginKind, FormatProduct } from './plugins/types.js';
