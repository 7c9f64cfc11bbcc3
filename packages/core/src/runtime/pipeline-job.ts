import type { DifyLogsConfig, JobConfig } from '../config/schema.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { PipelineApp, PipelineArchiveOptions, PipelineJob } from '../pipeline/types.js';

/**
 * The report formats of a job: its `outputFormat` without `ndjson` (the archive every run stores anyway), else json.
 */
export function reportFormats(job: JobConfig): string[] {
  const formats = job.outputFormat.filter((format) => format !== 'ndjson');
  return formats.length > 0 ? formats : ['json'];
}

/**
 * The pipeline job of a configured job: the flat `jobs:` entry grouped by stage (`ndjson` is the archive every run
 * stores anyway, not a report); `shared` holds what comes from outside the job entry.
 */
export function toPipelineJob(
  job: JobConfig,
  apps: PipelineApp[],
  window?: PipelineJob['window'],
  shared: {
    prices?: DifyLogsConfig['prices'];
    templates?: DifyLogsConfig['notification']['templates'];
    retentionDays?: number;
    /** The configuration's `privacy` section. */
    privacy?: DifyLogsConfig['privacy'];
    /** The storage's archive part formats (`storage.archiveFormats`, `storage.archiveNdjson`). */
    archive?: Omit<PipelineArchiveOptions, 'mode'>;
    /** The run explorer's public address (see `explorerUrl`). */
    explorerUrl?: string;
  } = {},
): PipelineJob {
  return {
    name: job.name,
    apps,
    window: window ?? job.window,
    timezone: job.timezone,
    fetch: {
      keyword: job.keyword,
      status: job.status,
      withDetails: job.withDetails,
      withNodeExecutions: job.withNodeExecutions,
      concurrency: job.concurrency,
      ...(shared.retentionDays ? { retentionDays: shared.retentionDays } : {}),
    },
    report: {
      type: job.reportType,
      formats: reportFormats(job),
      compare: job.compare,
      ...(job.anomalies ? { anomalies: job.anomalies } : {}),
      ...(shared.prices ? { prices: shared.prices } : {}),
      ...(shared.explorerUrl ? { explorerUrl: shared.explorerUrl } : {}),
    },
    archive: { mode: job.archive === 'off' ? false : job.archive, ...shared.archive },
    ...(shared.privacy ? { privacy: shared.privacy } : {}),
    notify: {
      on: job.notifyOn,
      ...(job.alerts ? { alerts: job.alerts } : {}),
      ...(shared.templates ? { templates: shared.templates } : {}),
    },
  };
}

/** The public address of a run explorer a service plugin serves (`serve.publicUrl`), from its section, if any. */
export function explorerUrl(plugins: PluginRegistry, config: Readonly<Record<string, unknown>>): string | undefined {
  for (const plugin of plugins.plugins) {
    if (plugin.kind !== 'service' || !plugin.explorerUrl) continue;
    const url = plugin.explorerUrl(config[plugin.type]);
    if (url) return url;
  }
  return undefined;
}
