/**
 * `@dify-logs/core/pipeline`: the stages `createDifyLogs` wires, for services that wire them by hand — `runPipeline`
 * (one run of a job), `backfill`, `renderReports` (reports from records at hand), the analyzer and the report
 * analysis it produces, alert rules, and the built-in state stores and notifiers.
 */
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
  type RecordFiles,
  type ChunkSettings,
  backfill,
  type BackfillOptions,
  type BackfillResult,
  type BackfillChunk,
} from '../pipeline/index.js';
export type { MessageTemplates } from '../pipeline/templates.js';
export {
  createAnalyzer,
  type Analyzer,
  type AnalyzerOptions,
  type AnomalyThresholds,
  type PriceRule,
  type PriceTable,
  explorerLinks,
  consoleLogsUrl,
  type ExplorerLinks,
  type ExplorerFilter,
} from '../analysis/index.js';
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
} from '../analysis/types.js';
export type { AlertEvent, AlertRule, AlertRuleKind, AlertPolicy } from '../alerts/index.js';
export { memoryStateStore } from '../state/memory-state.js';
export { fileStateStore, type FileStateStoreOptions } from '../state/file-state.js';
export { memoryStorage, recordingNotifier, consoleNotifier } from '../adapters/index.js';
