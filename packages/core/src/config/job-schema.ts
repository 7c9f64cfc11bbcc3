import { FETCH_DEFAULTS } from '../export/defaults.js';
import { z } from 'zod';
import { CONSOLE_STATUS_FILTERS } from '../client/endpoints/logs.js';
import { DifyConfigError } from '../errors/config-error.js';
import { resolveTime } from '../time/window.js';
import { decimal, flag, listOf, nonEmpty, splitList, timeZone, wholeNumber } from './values.js';

/** Formats core writes itself; the others (csv, html, xlsx, parquet) come from format plugins. */
export const CORE_OUTPUT_FORMATS = ['json', 'markdown', 'ndjson'] as const;
/** Every first-party format (core's and those of `@dify-logs/reports` and `@dify-logs/parquet`). */
export const OUTPUT_FORMATS = ['json', 'markdown', 'csv', 'ndjson', 'html', 'xlsx', 'parquet'] as const;
export const NOTIFY_ON = ['success', 'failure', 'report-ready'] as const;
export const DEFAULT_JOB_NAME = 'default';

const JOB_NAME = /^[A-Za-z0-9_-]+$/;

/** An ISO-8601 time or a template such as `{{yesterday}}`, checked the way the pipeline will resolve it. */
const timeExpression = nonEmpty.superRefine((value, context) => {
  try {
    resolveTime(value, { now: new Date(), timezone: 'UTC', key: '' });
  } catch (error) {
    if (!DifyConfigError.isInstance(error)) throw error;
    context.addIssue({ code: 'custom', message: error.message.replace(/^: /, '') });
  }
});

const ExplicitWindowSchema = z.strictObject({
  mode: z.literal('explicit'),
  from: timeExpression,
  to: timeExpression,
});

const IncrementalWindowSchema = z.strictObject({
  mode: z.literal('incremental'),
  /** Minutes re-read before the last watermark, for runs that finished late. */
  overlapMinutes: wholeNumber(0, 7 * 24 * 60).default(10),
  /** Where the first run starts. */
  initialFrom: timeExpression.default('{{yesterday}}'),
});

export const WindowSchema = z.discriminatedUnion('mode', [ExplicitWindowSchema, IncrementalWindowSchema]);

const jobName = z.string().superRefine((value, context) => {
  if (!JOB_NAME.test(value)) {
    context.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not a job name: use letters, digits, "_" and "-" only`,
    });
  }
});

/** `'all'`, or app ids as a list or a comma-separated string. */
const jobApps = z.preprocess(
  (value) => (typeof value === 'string' && value.trim().toLowerCase() === 'all' ? 'all' : splitList(value)),
  z.union([z.literal('all'), z.array(nonEmpty).min(1)], { error: 'expected "all" or a list of app ids' }),
);

/** When a change against the previous period is flagged (see `AnomalyThresholds`). */
const AnomaliesSchema = z.strictObject({
  volumeChange: decimal().optional(),
  successRateDrop: decimal().optional(),
  p95Increase: decimal().optional(),
  costIncrease: decimal().optional(),
  minRuns: wholeNumber(0).optional(),
});

const ALERT_KINDS = ['failure-rate', 'p95', 'p95-increase', 'cost', 'new-error', 'no-runs'] as const;

/** Alert rules (see `AlertPolicy`); routes name notifier types (`email`, `dingtalk`, …). */
const AlertsSchema = z.strictObject({
  rules: z.array(
    z.strictObject({
      id: nonEmpty.optional(),
      kind: z.enum(ALERT_KINDS),
      severity: z.enum(['warning', 'critical']).default('warning'),
      threshold: decimal().optional(),
      minRuns: wholeNumber(0).optional(),
      currency: nonEmpty.optional(),
    }),
  ),
  cooldownMinutes: wholeNumber(0).default(360),
  routes: z.strictObject({ warning: listOf(nonEmpty).optional(), critical: listOf(nonEmpty).optional() }).optional(),
  notifyResolved: flag.default(true),
});

/** A job whose `outputFormat` may name core's formats and `reportFormats`. */
export function jobSchema(reportFormats: readonly string[]) {
  // First-party formats in their documented order, then any other plugin's.
  const known = (format: string) =>
    (OUTPUT_FORMATS as readonly string[]).includes(format)
      ? (OUTPUT_FORMATS as readonly string[]).indexOf(format)
      : OUTPUT_FORMATS.length;
  const formats = [...new Set([...CORE_OUTPUT_FORMATS, ...reportFormats])].sort((a, b) => known(a) - known(b)) as [
    string,
    ...string[],
  ];
  return z.strictObject({
    name: jobName,
    /** App ids, or `all` (every workflow app, through console access). Absent: the configured apps, or `dify.appId`. */
    apps: jobApps.optional(),
    window: WindowSchema.prefault({ mode: 'incremental' }),
    timezone: timeZone.default('UTC'),
    keyword: z.string().optional(),
    status: z.enum(CONSOLE_STATUS_FILTERS).optional(),
    withDetails: flag.default(FETCH_DEFAULTS.withDetails),
    withNodeExecutions: flag.default(FETCH_DEFAULTS.withNodeExecutions),
    concurrency: wholeNumber(1, 64).default(FETCH_DEFAULTS.concurrency),
    outputFormat: listOf(z.enum(formats), 1).default(['json', 'markdown']),
    reportType: nonEmpty.default('daily'),
    /** A cron expression for the scheduler; checked by the scheduler, not here. */
    schedule: nonEmpty.optional(),
    notifyOn: listOf(z.enum(NOTIFY_ON)).default(['failure', 'report-ready']),
    /**
     * The archive of every record: `partitioned` (gzip NDJSON per app and UTC day with manifests), `run` (one NDJSON
     * per run) or `off`.
     */
    archive: z.enum(['partitioned', 'run', 'off']).default('partitioned'),
    /** Compare with the previous period's JSON report and flag anomalies. */
    compare: flag.default(true),
    anomalies: AnomaliesSchema.optional(),
    alerts: AlertsSchema.optional(),
  });
}

export function jobsSchema(reportFormats: readonly string[]) {
  return z
    .array(jobSchema(reportFormats))
    .min(1)
    .superRefine((jobs, context) => {
      const seen = new Map<string, number>();
      jobs.forEach((job, index) => {
        const first = seen.get(job.name);
        if (first !== undefined)
          context.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `${JSON.stringify(job.name)} is already the name of jobs.${first}`,
          });
        else seen.set(job.name, index);
      });
    })
    .prefault([{ name: DEFAULT_JOB_NAME }]);
}
