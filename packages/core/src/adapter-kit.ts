/**
 * `@dify-logs/core/adapter-kit`: what adapter authors need — the contracts an adapter implements (storage, notifier,
 * sink, scheduler, state store, run cache, reporter) and the plugin types that declare it, plugin definitions and their
 * schema values, storage keys and body sources, metadata packing, object listing, webhook helpers for chat channels,
 * atomic files and spools, and the redaction helpers every adapter uses on its errors.
 */
export type {
  StorageAdapter,
  StorageFactory,
  StorageCapabilities,
  StorageKind,
  SaveRequest,
  StoredObject,
  ListQuery,
  CleanupOptions,
  CleanupResult,
  Notifier,
  NotifierCapabilities,
  NotificationMessage,
  NotificationKind,
  NotificationSeverity,
  NotificationReceipt,
} from './adapters/index.js';
export type { AppState, StateStore } from './adapters/state.js';
export type { RunCache, EnrichmentLevel } from './adapters/run-cache.js';
export type {
  Reporter,
  ReportWriter,
  ReportFile,
  ReportContext,
  ReportShards,
  ShardWriter,
  ShardJoin,
} from './adapters/reporter.js';
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
export type { PluginBase, PluginKind, FormatProduct } from './plugins/types.js';
export { definePlugin } from './plugins/types.js';
/** zod, for plugin schemas (the same instance core composes them with). */
export { z } from 'zod';
import { decimal, flag, httpUrl, listOf, nonEmpty, secretText, wholeNumber } from './config/values.js';
/** Building blocks of configuration schemas: values that arrive as text (environment variables) are converted first. */
export const configValues = { nonEmpty, secretText, httpUrl, wholeNumber, decimal, flag, listOf };
export {
  storageKey,
  kindFolder,
  parseStorageKey,
  safeSegment,
  compactTimestamp,
  assertSafeKey,
  bodyBytes,
  withinAge,
  cleanupCutoff,
  type ParsedKey,
} from './adapters/keys.js';
export { BodySource } from './adapters/body-source.js';
export { packMetadata, unpackMetadata, PACKED_METADATA } from './adapters/packed-metadata.js';
export { normalizeKeyPrefix, listObjectKeys, type ListedKey } from './adapters/object-keys.js';
export { createObjectStorage, type ObjectStoreDriver, type ObjectHead } from './adapters/object-storage.js';
/** Helpers of the chat notifier packages (webhook options, one JSON POST, UTF-8 limits). */
export * as channels from './channels/index.js';
export { renderPlainText } from './adapters/notifiers.js';
export { createAtomicFileWriter, type AtomicFileWriter, type AtomicFileOptions } from './fs/atomic-file.js';
export { createSpool, type Spool } from './fs/spool.js';
export { redact, scrub, isSecretKey, REDACTED, redactConnectionString, connectionSecrets } from './logging/redact.js';
export { teeLogger } from './logging/logger.js';
/**
 * What the database packages share: the run history contract, the database a scheduler's workers meet in, and store
 * helpers.
 */
export {
  memoryRunHistory,
  type RunHistory,
  type RunHistoryQuery,
  type RunHistoryOptions,
  type SchedulerDatabase,
  type SchedulerDatabaseOptions,
  type DatabaseKind,
} from './adapters/databases.js';
export * as databases from './adapters/databases.js';
export { USER_AGENT } from './version.js';
export { environmentToConfig } from './config/index.js';
/** Scheduler packages: a new app's state, a run cache level fitted to the job, deployments checked before a start. */
export { EMPTY_APP_STATE } from './adapters/state.js';
export { fitToLevel } from './adapters/run-cache.js';
export { assertDeployments } from './adapters/scheduler.js';
/** Report packages: the currency a report shows, and the conversation analysis of chat apps. */
export {
  mainCurrency,
  createConversationAnalyzer,
  type ConversationAnalyzer,
  type MessageFacts,
} from './analysis/index.js';
/** The registry of a set of plugins (a scheduler package finds the database plugin of a connection string's scheme). */
export { createPluginRegistry } from './plugins/index.js';
