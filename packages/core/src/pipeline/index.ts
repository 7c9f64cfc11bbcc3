export { runPipeline } from './run-pipeline.js';
export {
  backfill,
  dayChunks,
  backfillStateKey,
  type BackfillOptions,
  type BackfillResult,
  type BackfillChunk,
} from './backfill.js';
export {
  resolveWindow,
  resolveTime,
  assertTimezone,
  startOfDayIn,
  type WindowSpec,
  type ResolvedWindow,
} from '../time/window.js';
export { jsonReporter, markdownReporter, defaultReporters, markdownCell, renderMarkdown } from './reporters.js';
export { reportReadyMessage, failureMessage } from './messages.js';
export type {
  PipelineJob,
  PipelineFetchOptions,
  PipelineReportOptions,
  PipelineArchiveOptions,
  PipelineNotifyOptions,
  PipelineApp,
  PipelineDeps,
  PipelineEvent,
  PipelineResult,
  PipelineProblem,
  PipelineStage,
  SinkOutcome,
} from './types.js';
export {
  renderReports,
  type RenderReportsOptions,
  type RenderedReports,
  type RecordFiles,
  type ChunkSettings,
} from './render-reports.js';
