import type { DeploymentRun } from '@dify-logs/core/adapter-kit';
import type { PipelineResult } from '@dify-logs/core/pipeline';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createInstrumentedFetch } from './instrument-fetch.js';
import { boundedLabel, currencyLabel, idLabel, runStatusLabel } from './labels.js';

export interface PipelineMetricsOptions {
  /** Where the metrics are registered (default: a new registry). */
  registry?: Registry;
  /** Prefix of every metric name (default `dify_logs_`). */
  prefix?: string;
  /** Also collect prom-client's process metrics (default: true with a new registry, false with a given one). */
  collectDefault?: boolean;
}

/** A pipeline run that threw before it produced a result. */
export interface FailedPipelineRun {
  status: 'failed';
  error: string;
}

export interface PipelineMetrics {
  readonly registry: Registry;
  /** Records one pipeline run of a deployment; `durationSeconds` is its wall time. */
  observeRun(deployment: string, result: PipelineResult | FailedPipelineRun, durationSeconds: number): void;
  /** Records one finished run of the scheduler's history (attempts, triggers); running ones are ignored. */
  observeDeploymentRun(run: DeploymentRun): void;
  /** A fetch that counts Dify requests and errors (give it to `createDifyClient({ fetch })`). */
  instrumentFetch(fetch: typeof globalThis.fetch): typeof globalThis.fetch;
}

/** Runs take from seconds to an hour. */
const RUN_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 2700, 3600];
const STAGE_BUCKETS = [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600];
const REQUEST_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Hard caps on labels bounded by configuration (a misconfiguration cannot blow up the series count). */
const DEPLOYMENT_LIMIT = 200;
const APP_LIMIT = 500;
const NOTIFIER_LIMIT = 50;
const STAGES = new Set(['fetch', 'report', 'store', 'notify', 'alert', 'state']);

function isPipelineResult(result: PipelineResult | FailedPipelineRun): result is PipelineResult {
  return 'runId' in result && 'timings' in result;
}

/**
 * Prometheus metrics of a dify-logs worker: pipeline runs, stage timings, Dify requests and the
 * business figures of each run's analysis (runs, failures, tokens, cost per app). Counters add up
 * per run, so `increase(...[1d])` gives a day's totals across runs. Metrics already in the registry
 * under the same name are reused, so two calls on one registry do not throw.
 */
export function createPipelineMetrics(options: PipelineMetricsOptions = {}): PipelineMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'dify_logs_';
  if (options.collectDefault ?? options.registry === undefined) collectDefaultMetrics({ register: registry, prefix });

  const reuse = <M>(name: string, create: () => M): M =>
    (registry.getSingleMetric(`${prefix}${name}`) as M | undefined) ?? create();
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    reuse(name, () => new Counter<L>({ name: `${prefix}${name}`, help, labelNames, registers: [registry] }));
  const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
    reuse(name, () => new Histogram<L>({ name: `${prefix}${name}`, help, labelNames, buckets, registers: [registry] }));

  const runs = counter('pipeline_runs_total', 'Pipeline runs by deployment and outcome (succeeded, partial, failed).', [
    'deployment',
    'status',
  ]);
  const runDuration = histogram(
    'pipeline_duration_seconds',
    'Wall time of pipeline runs.',
    ['deployment'],
    RUN_BUCKETS,
  );
  const stageDuration = histogram(
    'pipeline_stage_duration_seconds',
    'Time spent in each pipeline stage (fetch, report, store, notify, alert, state).',
    ['stage'],
    STAGE_BUCKETS,
  );
  const lastSuccess = reuse(
    'last_success_timestamp_seconds',
    () =>
      new Gauge<'deployment'>({
        name: `${prefix}last_success_timestamp_seconds`,
        help: 'Unix time of the last succeeded run of each deployment.',
        labelNames: ['deployment'],
        registers: [registry],
      }),
  );
  const fetched = counter('runs_fetched_total', 'Dify runs stored by pipeline runs, per app.', ['deployment', 'app']);
  const appFailures = counter('pipeline_app_failures_total', 'Apps whose export failed in a pipeline run.', [
    'deployment',
    'app',
  ]);
  const notifications = counter(
    'notifications_total',
    'Notifications sent by pipeline runs, by notifier and result (delivered, failed).',
    ['notifier', 'result'],
  );
  const appRuns = counter('app_runs_total', 'Dify runs in the analysed windows, by app and Dify run status.', [
    'deployment',
    'app',
    'status',
  ]);
  const appFailedRuns = counter(
    'app_failed_runs_total',
    'Dify runs with status failed in the analysed windows, by app.',
    ['deployment', 'app'],
  );
  const appTokens = counter('app_tokens_total', 'Tokens used by Dify runs in the analysed windows, by app.', [
    'deployment',
    'app',
  ]);
  const appCost = counter('app_cost_total', 'Cost of Dify runs in the analysed windows, by app and currency.', [
    'deployment',
    'app',
    'currency',
  ]);
  const deploymentRuns = counter(
    'deployment_runs_total',
    'Finished runs of the scheduler history, by deployment, trigger and status.',
    ['deployment', 'trigger', 'status'],
  );
  const deploymentDuration = histogram(
    'deployment_run_duration_seconds',
    'Time from start to finish of scheduled runs (one attempt).',
    ['deployment'],
    RUN_BUCKETS,
  );
  const fetchMetrics = {
    requests: counter(
      'dify_requests_total',
      'Requests to Dify by endpoint family, method and code (HTTP status, network or timeout).',
      ['endpoint', 'method', 'code'],
    ),
    errors: counter(
      'dify_request_errors_total',
      'Failed requests to Dify (HTTP status >= 400, network, timeout) by endpoint family and code.',
      ['endpoint', 'code'],
    ),
    duration: histogram(
      'dify_request_duration_seconds',
      'Time to the response headers of Dify requests.',
      ['endpoint'],
      REQUEST_BUCKETS,
    ),
  };

  const deploymentLabel = boundedLabel(DEPLOYMENT_LIMIT);
  const appLabel = boundedLabel(APP_LIMIT);
  const notifierLabel = boundedLabel(NOTIFIER_LIMIT);

  /** The gauge never goes back in time (history runs may be observed out of order). */
  const lastSuccessSeconds = new Map<string, number>();
  function markSuccess(deployment: string, seconds: number): void {
    if ((lastSuccessSeconds.get(deployment) ?? 0) >= seconds) return;
    lastSuccessSeconds.set(deployment, seconds);
    lastSuccess.set({ deployment }, seconds);
  }

  function observeAnalysis(deployment: string, result: PipelineResult): void {
    for (const [appId, count] of Object.entries(result.counts))
      fetched.inc({ deployment, app: appLabel(idLabel(appId)) }, count.records);
    for (const notification of result.notifications)
      notifications.inc({
        notifier: notifierLabel(idLabel(notification.notifier)),
        result: notification.delivered ? 'delivered' : 'failed',
      });
    if (!result.analysis) return;
    for (const failed of result.analysis.failedApps)
      appFailures.inc({ deployment, app: appLabel(idLabel(failed.appId)) });
    for (const app of result.analysis.apps) {
      const labels = { deployment, app: appLabel(idLabel(app.appId)) };
      for (const [status, count] of Object.entries(app.byStatus))
        if (count > 0) appRuns.inc({ ...labels, status: runStatusLabel(status) }, count);
      appFailedRuns.inc(labels, app.byStatus.failed ?? 0);
      appTokens.inc(labels, Math.max(0, app.tokens));
      for (const [currency, amount] of Object.entries(app.cost))
        if (amount > 0) appCost.inc({ ...labels, currency: currencyLabel(currency) }, amount);
    }
  }

  return {
    registry,
    observeRun(deploymentName, result, durationSeconds) {
      const deployment = deploymentLabel(idLabel(deploymentName));
      runs.inc({ deployment, status: result.status });
      if (Number.isFinite(durationSeconds) && durationSeconds >= 0)
        runDuration.observe({ deployment }, durationSeconds);
      if (result.status === 'succeeded') markSuccess(deployment, Date.now() / 1000);
      if (!isPipelineResult(result)) return;
      for (const [stage, ms] of Object.entries(result.timings))
        if (typeof ms === 'number' && STAGES.has(stage)) stageDuration.observe({ stage }, ms / 1000);
      observeAnalysis(deployment, result);
    },
    observeDeploymentRun(run) {
      if (run.status === 'running' || !run.finishedAt) return;
      const deployment = deploymentLabel(idLabel(run.deployment));
      deploymentRuns.inc({ deployment, trigger: run.trigger, status: run.status });
      const finished = Date.parse(run.finishedAt);
      const seconds = (finished - Date.parse(run.startedAt)) / 1000;
      if (Number.isFinite(seconds) && seconds >= 0) deploymentDuration.observe({ deployment }, seconds);
      if (run.status === 'succeeded' && Number.isFinite(finished)) markSuccess(deployment, finished / 1000);
    },
    instrumentFetch: (fetchImplementation) => createInstrumentedFetch(fetchMetrics, fetchImplementation),
  };
}
