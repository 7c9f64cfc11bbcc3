import type { ReportAnalysis } from '../analysis/types.js';
import type { ResolvedWindow } from '../time/window.js';
import type { PipelineJob, PipelineResult } from './types.js';

const DAY_MS = 86_400_000;
/** Dify's `WORKFLOW_LOG_RETENTION_DAYS` default. */
export const DIFY_DEFAULT_RETENTION_DAYS = 30;

/**
 * When an explicit window starts before Dify's retention cut-off and some of its workflow apps had no archive to read
 * (Dify before 1.13, or without the paid-plan archive), runs of the window's start may already be deleted: the report
 * says so. Incremental windows start at the last watermark and are not judged.
 */
export function retentionNotice(
  job: PipelineJob,
  window: ResolvedWindow,
  now: Date,
  counts: PipelineResult['counts'],
): ReportAnalysis['retention'] | undefined {
  if (job.window.mode !== 'explicit') return undefined;
  const days = job.fetch?.retentionDays ?? DIFY_DEFAULT_RETENTION_DAYS;
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  if (window.from.getTime() >= cutoff.getTime()) return undefined;
  const apps = Object.entries(counts)
    .filter(([, count]) => count.archiveOffered === false)
    .map(([appId]) => appId)
    .sort();
  if (apps.length === 0) return undefined;
  return { days, assumed: job.fetch?.retentionDays === undefined, cutoff: cutoff.toISOString(), apps };
}
