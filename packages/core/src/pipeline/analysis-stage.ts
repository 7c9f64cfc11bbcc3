import type { StorageAdapter } from '../adapters/storage.js';
import type { Analyzer } from '../analysis/analyzer.js';
import { compareAnalyses } from '../analysis/compare.js';
import type { ConversationAnalyzer } from '../analysis/conversations.js';
import type { AnomalyThresholds } from '../analysis/compare.js';
import type { PausedRun, ReportAnalysis } from '../analysis/types.js';
import type { Logger } from '../logging/logger.js';
import { findPreviousAnalysis } from './previous.js';
import type { PipelineResult } from './types.js';

export interface AnalysisInputs {
  analyzer: Pick<Analyzer, 'result'>;
  /** The chat apps' conversation analysis, when the window had chat apps. */
  conversations?: Pick<ConversationAnalyzer, 'result'>;
  pausedRuns: PausedRun[];
  workspace: PipelineResult['workspace'];
  retention?: ReportAnalysis['retention'];
  /** The privacy policy the records were read under (every report states it). */
  privacy?: ReportAnalysis['privacy'];
  /** Where the previous period's JSON report is looked up, to compare with (absent: no comparison). */
  previous?: { storage: StorageAdapter; job: string; type: string; window: PipelineResult['window'] };
  anomalies?: Partial<AnomalyThresholds>;
  logger: Logger;
}

/** The period's analysis, once every record was read: what the run found besides the records, and the comparison. */
export async function analysisStage(inputs: AnalysisInputs): Promise<ReportAnalysis> {
  const analysis = inputs.analyzer.result();
  if (inputs.conversations) analysis.conversations = inputs.conversations.result();
  if (inputs.pausedRuns.length > 0)
    analysis.pausedRuns = [...inputs.pausedRuns].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const { workspace } = inputs;
  if (workspace) analysis.workspace = { id: workspace.id, name: workspace.name, pinned: workspace.pinned };
  if (inputs.retention) {
    analysis.retention = inputs.retention;
    inputs.logger.warn(
      inputs.retention,
      "the window starts before Dify's log retention and this Dify offers no archive of older runs",
    );
  }
  if (inputs.privacy) analysis.privacy = inputs.privacy;
  if (inputs.previous) {
    const { storage, ...query } = inputs.previous;
    const previous = await findPreviousAnalysis(storage, query, inputs.logger);
    if (previous) analysis.comparison = compareAnalyses(analysis, previous, inputs.anomalies);
  }
  return analysis;
}
