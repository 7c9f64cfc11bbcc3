import type { DifyLogsConfig, JobConfig } from '../config/schema.js';
import type { PipelineApp, PipelineJob } from '../pipeline/types.js';

/** The report formats of a job: its `outputFormat` without `ndjson` (the archive every run stores anyway), else json. */
export function reportFormats(job: JobConfig): string[] {
  const formats = job.outputFormat.filter((format) => format !== 'ndjson');
  return formats.length > 0 ? formats : ['json'];
}

/** The pipeline job of a configured job (`ndjson` is the archive every run stores anyway, not a report). */
export function toPipelineJob(
  job: JobConfig,
  apps: PipelineApp[],
  window?: PipelineJob['window'],
  shared: {
    prices?: DifyLogsConfig['prices'];
    templates?: DifyLogsConfig['notification']['templates'];
    retentionDays?: number;
  } = {},
): PipelineJob {
  const pipelineJob: PipelineJob = {
    name: job.name,
    apps,
    window: window ?? job.window,
    timezone: job.timezone,
    keyword: job.keyword,
    status: job.status,
    withDetails: job.withDetails,
    withNodeExecutions: job.withNodeExecutions,
    concurrency: job.concurrency,
    reportType: job.reportType,
    formats: reportFormats(job),
    notifyOn: job.notifyOn,
    compare: job.compare,
    archive: job.archive === 'off' ? false : job.archive,
    ...(job.alerts ? { alerts: job.alerts } : {}),
    ...(job.anomalies ? { anomalies: job.anomalies } : {}),
    ...(shared.prices ? { prices: shared.prices } : {}),
    ...(shared.templates ? { templates: shared.templates } : {}),
    ...(shared.retentionDays ? { retentionDays: shared.retentionDays } : {}),
  };
  return pipelineJob;
}
