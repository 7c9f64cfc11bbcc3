import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { AppAnalysis, LatencyStats, PipelineResult, ReportAnalysis } from '@dify-logs/core/pipeline';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineMetrics, createWorkerServer, endpointFamily, type WorkerServer } from '../src/server/index.js';

interface ParsedSample {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
}
interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: ParsedSample[];
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => ParsedFamily[];

const APP_A = '0f6a2b1c-3d4e-4f50-8a6b-7c8d9e0f1a2b';
const APP_B = '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b';
const latency: LatencyStats = { count: 0, mean: null, max: null, p50: null, p90: null, p95: null, p99: null };

function app(
  appId: string,
  byStatus: Record<string, number>,
  tokens: number,
  cost: Record<string, number>,
): AppAnalysis {
  const runs = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
  return { appId, runs, byStatus, successRate: null, latency, tokens, cost, enrichmentFailures: 0, lostRuns: 0 };
}

function analysis(apps: AppAnalysis[]): ReportAnalysis {
  return {
    schemaVersion: 1,
    job: 'daily',
    runId: 'run-1',
    window: { from: '2026-11-27T00:00:00.000Z', to: '2026-11-28T00:00:00.000Z', timezone: 'UTC' },
    generatedAt: '2026-11-28T00:01:00.000Z',
    consoleUrl: null,
    runs: 0,
    byStatus: {},
    successRate: null,
    latency,
    tokens: { stated: 0, effective: 0, promptTokens: 0, completionTokens: 0, mismatchedRuns: 0 },
    cost: {},
    perHour: [],
    perDay: [],
    byTrigger: {},
    byVersion: {},
    apps,
    models: [],
    nodes: [],
    endUsers: [],
    errors: [],
    otherErrors: 0,
    tokenMismatches: [],
    slowestRuns: [],
    enrichmentFailures: 0,
    lostRuns: 0,
    salvaged: 0,
    droppedRows: 0,
    failedApps: [{ appId: APP_B, error: 'console login failed' }],
    comparison: null,
  };
}

function succeededRun(): PipelineResult {
  return {
    runId: 'run-1',
    job: 'daily',
    status: 'succeeded',
    window: { from: '2026-11-27T00:00:00.000Z', to: '2026-11-28T00:00:00.000Z', timezone: 'UTC' },
    analysis: analysis([
      app(APP_A, { succeeded: 8, failed: 2 }, 1200, { USD: 0.5 }),
      app(APP_B, { succeeded: 3, stopped: 1, weird: 1 }, 300, { USD: 0.25, RMB: 2 }),
    ]),
    counts: {
      [APP_A]: { records: 10, unfinished: 0, repolled: 0, cached: 4, salvaged: 0 },
      [APP_B]: { records: 5, unfinished: 1, repolled: 0, cached: 0, salvaged: 0 },
    },
    reports: [],
    archive: null,
    messages: null,
    partitions: null,
    messagePartitions: null,
    conversationPartitions: null,
    notifications: [
      { notifier: 'slack', delivered: true },
      { notifier: 'email', delivered: false, error: 'smtp down' },
    ],
    sinks: [],
    timings: { fetch: 2500, report: 120, store: 40 },
    problems: [],
    alerts: [],
  };
}

const value = (families: ParsedFamily[], name: string, labels: Record<string, string>): number | undefined => {
  const family = families.find((candidate) => candidate.name === name);
  const sample = family?.metrics.find(
    (metric) =>
      Object.entries(labels).every(([key, expected]) => metric.labels?.[key] === expected) &&
      Object.keys(metric.labels ?? {}).length === Object.keys(labels).length,
  );
  return sample?.value === undefined ? undefined : Number(sample.value);
};

/** The parser merges labelled histogram series, so counts are read from the `_count` lines themselves. */
const histogramCount = (text: string, name: string, labels: string): number | undefined => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}_count{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};

describe('pipeline metrics over /metrics', () => {
  let dify: Server;
  let difyUrl: string;
  let refusedUrl: string;
  let server: WorkerServer;
  let text: string;
  let families: ParsedFamily[];
  let contentType: string | null;

  beforeAll(async () => {
    dify = createServer((request, response) => {
      if (request.url?.startsWith('/hang')) return; // never answers
      const status = request.url?.includes('workflow-app-logs')
        ? 500
        : request.url?.startsWith('/v1/workflows/logs')
          ? 429
          : 200;
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => dify.listen(0, '127.0.0.1', resolve));
    difyUrl = `http://127.0.0.1:${(dify.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    refusedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const metrics = createPipelineMetrics();
    const fetch = metrics.instrumentFetch(globalThis.fetch);
    await (await fetch(`${difyUrl}/console/api/apps/${APP_A}/workflow-runs/${APP_B}?token=SECRET-TOKEN`)).text();
    await (await fetch(`${difyUrl}/console/api/apps/${APP_A}/workflow-runs/${APP_B}`)).text();
    await (await fetch(new URL(`${difyUrl}/v1/workflows/logs?page=2&api_key=SECRET-KEY`), { method: 'get' })).text();
    await (
      await fetch(
        new Request(`${difyUrl}/console/api/apps/${APP_B}/workflow-app-logs?page=1`, { method: 'POST', body: '{}' }),
      )
    ).text();
    await expect(fetch(`${refusedUrl}/v1/info`)).rejects.toThrow();
    await expect(fetch(`${difyUrl}/hang/12345`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();

    metrics.observeRun('daily', succeededRun(), 12.5);
    metrics.observeRun('daily', { status: 'failed', error: 'connect postgres://u:secret@h/db refused' }, 3);
    metrics.observeRun(
      'hourly',
      { ...succeededRun(), status: 'partial', analysis: null, timings: { fetch: 100 } },
      0.5,
    );
    metrics.observeDeploymentRun({
      id: 'r1',
      deployment: 'daily',
      job: 'daily',
      scheduledFor: '2026-11-28T00:00:00.000Z',
      trigger: 'retry',
      attempt: 2,
      status: 'succeeded',
      startedAt: '2026-11-28T00:00:00.000Z',
      finishedAt: '2026-11-28T00:01:30.000Z',
      error: null,
      summary: null,
    });
    metrics.observeDeploymentRun({
      id: 'r2',
      deployment: 'daily',
      job: 'daily',
      scheduledFor: '2026-11-28T00:00:00.000Z',
      trigger: 'schedule',
      attempt: 1,
      status: 'running',
      startedAt: '2026-11-28T00:00:00.000Z',
      finishedAt: null,
      error: null,
      summary: null,
    });

    server = await createWorkerServer({ port: 0, metrics, readiness: [] });
    const response = await globalThis.fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    contentType = response.headers.get('content-type');
    text = await response.text();
    families = parsePrometheus(text);
  });

  afterAll(async () => {
    await server?.close();
    await new Promise<void>((resolve) => dify?.close(() => resolve()));
  });

  it('answers in the Prometheus text format', () => {
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const types = Object.fromEntries(families.map((family) => [family.name, family.type]));
    expect(types).toMatchObject({
      dify_logs_pipeline_runs_total: 'COUNTER',
      dify_logs_pipeline_duration_seconds: 'HISTOGRAM',
      dify_logs_pipeline_stage_duration_seconds: 'HISTOGRAM',
      dify_logs_last_success_timestamp_seconds: 'GAUGE',
      dify_logs_runs_fetched_total: 'COUNTER',
      dify_logs_app_runs_total: 'COUNTER',
      dify_logs_app_failed_runs_total: 'COUNTER',
      dify_logs_app_tokens_total: 'COUNTER',
      dify_logs_app_cost_total: 'COUNTER',
      dify_logs_dify_requests_total: 'COUNTER',
      dify_logs_dify_request_errors_total: 'COUNTER',
      dify_logs_dify_request_duration_seconds: 'HISTOGRAM',
      dify_logs_deployment_runs_total: 'COUNTER',
      dify_logs_process_cpu_user_seconds_total: 'COUNTER',
    });
  });

  it('counts pipeline runs, durations and stages', () => {
    expect(value(families, 'dify_logs_pipeline_runs_total', { deployment: 'daily', status: 'succeeded' })).toBe(1);
    expect(value(families, 'dify_logs_pipeline_runs_total', { deployment: 'daily', status: 'failed' })).toBe(1);
    expect(value(families, 'dify_logs_pipeline_runs_total', { deployment: 'hourly', status: 'partial' })).toBe(1);
    expect(histogramCount(text, 'dify_logs_pipeline_duration_seconds', 'deployment="daily"')).toBe(2);
    expect(histogramCount(text, 'dify_logs_pipeline_stage_duration_seconds', 'stage="fetch"')).toBe(2);
    expect(histogramCount(text, 'dify_logs_pipeline_stage_duration_seconds', 'stage="report"')).toBe(1);
    expect(text).toContain('dify_logs_pipeline_stage_duration_seconds_sum{stage="fetch"} 2.6');
    const lastSuccess = value(families, 'dify_logs_last_success_timestamp_seconds', { deployment: 'daily' });
    expect(lastSuccess).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(value(families, 'dify_logs_last_success_timestamp_seconds', { deployment: 'hourly' })).toBeUndefined();
  });

  it('counts business figures per app from the analysis', () => {
    expect(value(families, 'dify_logs_runs_fetched_total', { deployment: 'daily', app: APP_A })).toBe(10);
    expect(value(families, 'dify_logs_runs_fetched_total', { deployment: 'hourly', app: APP_B })).toBe(5);
    expect(value(families, 'dify_logs_app_runs_total', { deployment: 'daily', app: APP_A, status: 'succeeded' })).toBe(
      8,
    );
    expect(value(families, 'dify_logs_app_runs_total', { deployment: 'daily', app: APP_A, status: 'failed' })).toBe(2);
    expect(value(families, 'dify_logs_app_runs_total', { deployment: 'daily', app: APP_B, status: 'other' })).toBe(1);
    expect(value(families, 'dify_logs_app_failed_runs_total', { deployment: 'daily', app: APP_A })).toBe(2);
    expect(value(families, 'dify_logs_app_failed_runs_total', { deployment: 'daily', app: APP_B })).toBe(0);
    expect(value(families, 'dify_logs_app_tokens_total', { deployment: 'daily', app: APP_A })).toBe(1200);
    expect(value(families, 'dify_logs_app_cost_total', { deployment: 'daily', app: APP_B, currency: 'RMB' })).toBe(2);
    expect(value(families, 'dify_logs_app_cost_total', { deployment: 'daily', app: APP_B, currency: 'USD' })).toBe(
      0.25,
    );
    expect(value(families, 'dify_logs_pipeline_app_failures_total', { deployment: 'daily', app: APP_B })).toBe(1);
    expect(value(families, 'dify_logs_notifications_total', { notifier: 'email', result: 'failed' })).toBe(2);
    expect(
      value(families, 'dify_logs_deployment_runs_total', {
        deployment: 'daily',
        trigger: 'retry',
        status: 'succeeded',
      }),
    ).toBe(1);
    expect(
      value(families, 'dify_logs_deployment_runs_total', {
        deployment: 'daily',
        trigger: 'schedule',
        status: 'running',
      }),
    ).toBeUndefined();
  });

  it('counts Dify requests by endpoint family and code, without ids or query strings', () => {
    const runs = '/console/api/apps/:id/workflow-runs/:id';
    expect(value(families, 'dify_logs_dify_requests_total', { endpoint: runs, method: 'GET', code: '200' })).toBe(2);
    expect(
      value(families, 'dify_logs_dify_requests_total', { endpoint: '/v1/workflows/logs', method: 'GET', code: '429' }),
    ).toBe(1);
    expect(
      value(families, 'dify_logs_dify_requests_total', {
        endpoint: '/console/api/apps/:id/workflow-app-logs',
        method: 'POST',
        code: '500',
      }),
    ).toBe(1);
    expect(
      value(families, 'dify_logs_dify_requests_total', { endpoint: '/v1/info', method: 'GET', code: 'network' }),
    ).toBe(1);
    expect(
      value(families, 'dify_logs_dify_requests_total', { endpoint: '/hang/:id', method: 'GET', code: 'timeout' }),
    ).toBe(1);
    expect(
      value(families, 'dify_logs_dify_request_errors_total', { endpoint: '/v1/workflows/logs', code: '429' }),
    ).toBe(1);
    expect(value(families, 'dify_logs_dify_request_errors_total', { endpoint: '/v1/info', code: 'network' })).toBe(1);
    expect(value(families, 'dify_logs_dify_request_errors_total', { endpoint: runs, code: '200' })).toBeUndefined();
    const errors = families.find((family) => family.name === 'dify_logs_dify_request_errors_total')!;
    expect(errors.metrics.reduce((sum, metric) => sum + Number(metric.value), 0)).toBe(4);
    expect(histogramCount(text, 'dify_logs_dify_request_duration_seconds', `endpoint="${runs}"`)).toBe(2);
    for (const secret of ['SECRET', 'secret', 'token=', 'page=', '127.0.0.1', APP_A.slice(0, 8) + '-']) {
      expect(text.split('\n').filter((line) => line.startsWith('dify_logs_dify_') && line.includes(secret))).toEqual(
        [],
      );
    }
    expect(text).not.toContain('secret');
  });
});

describe('createPipelineMetrics options', () => {
  it(
    'uses the prefix, leaves a given registry without ' + 'default metrics, and reuses metrics already registered',
    async () => {
      const registry = new Registry();
      const first = createPipelineMetrics({ registry, prefix: 'worker_' });
      const second = createPipelineMetrics({ registry, prefix: 'worker_' });
      first.observeRun('a', { status: 'failed', error: 'x' }, 1);
      second.observeRun('a', { status: 'failed', error: 'x' }, 1);
      const families = parsePrometheus(await registry.metrics());
      expect(value(families, 'worker_pipeline_runs_total', { deployment: 'a', status: 'failed' })).toBe(2);
      expect(families.some((family) => family.name.includes('process_'))).toBe(false);
      expect(families.every((family) => family.name.startsWith('worker_'))).toBe(true);
    },
  );

  it('maps ids in paths to :id', () => {
    expect(endpointFamily('https://dify.example.com/v1/apps/123/logs?api_key=k')).toBe('/v1/apps/:id/logs');
    expect(endpointFamily('/console/api/workflow-runs/0123456789abcdef0123')).toBe('/console/api/workflow-runs/:id');
    expect(endpointFamily('/files/user%40example.com/preview')).toBe('/files/:id/preview');
  });
});
