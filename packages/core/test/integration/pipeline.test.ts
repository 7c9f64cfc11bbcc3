import { describe, expect, it } from 'vitest';
import { DifyStorageError, createDifyClient, type RunRecord } from '../../src/index.js';
import {
  memoryStateStore,
  memoryStorage,
  recordingNotifier,
  runPipeline,
  type PipelineJob,
} from '../../src/entries/pipeline.js';
import type { StorageAdapter } from '../../src/adapter-kit.js';
import { quickRetry, sim } from './helpers.js';

type Simulator = Awaited<ReturnType<typeof sim>>;

function appsOf(simulator: Simulator, count = 1) {
  return simulator.apps
    .filter((app) => app.mode === 'workflow')
    .slice(0, count)
    .map((app) => ({
      id: app.id,
      client: createDifyClient({
        baseUrl: simulator.url,
        apiKey: app.apiKey,
        appId: app.id,
        console: { ...simulator.account },
        retry: quickRetry,
      }),
    }));
}

async function archived(storage: StorageAdapter, key: string): Promise<RunRecord[]> {
  const text = Buffer.from(await storage.read(key)).toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunRecord);
}

const clock = (iso: string) => () => new Date(iso);

describe('runPipeline against the simulator', () => {
  it(
    'explicit window: archives every run with nodes, stores ' +
      'JSON and Markdown reports, notifies, leaves state alone',
    async () => {
      const simulator = await sim({ version: '1.13.3', runsPerApp: 150, runningRuns: 0 });
      const [app] = appsOf(simulator);
      const storage = memoryStorage();
      const state = memoryStateStore();
      const notifier = recordingNotifier();
      const job: PipelineJob = {
        name: 'daily_report',
        apps: [app!],
        window: { mode: 'explicit', from: '{{yesterday}}', to: '{{today}}' },
        timezone: 'Asia/Shanghai',
        fetch: { withNodeExecutions: true },
      };
      const result = await runPipeline(job, {
        storage,
        state,
        notifiers: [notifier],
        now: clock('2026-03-10T12:00:00Z'),
      });
      expect(result.status).toBe('succeeded');
      expect(result.window).toEqual({
        from: '2026-03-08T16:00:00.000Z',
        to: '2026-03-09T16:00:00.000Z',
        timezone: 'Asia/Shanghai',
      });
      const expected = await app!.client.logPage({
        createdAfter: result.window.from,
        createdBefore: result.window.to,
        limit: 1,
      });
      const records = await archived(storage, result.archive!.key);
      expect(records).toHaveLength(expected.total);
      expect(records.length).toBeGreaterThan(5);
      expect(
        records.every((record) => record.loggedAt >= result.window.from && record.loggedAt <= result.window.to),
      ).toBe(true);
      expect(records.every((record) => record.runId === null || (record.nodes ?? []).length > 0)).toBe(true);
      expect(result.reports.map((report) => report.key.split('.').pop())).toEqual(['json', 'md']);
      const summary = JSON.parse(Buffer.from(await storage.read(result.reports[0]!.key)).toString('utf8')) as {
        runs: number;
      };
      expect(summary.runs).toBe(expected.total);
      expect(notifier.messages).toHaveLength(1);
      expect(notifier.messages[0]).toMatchObject({
        kind: 'report-ready',
        facts: expect.arrayContaining([{ label: 'Runs', value: String(expected.total) }]),
      });
      expect(state.snapshot()).toEqual({});
    },
  );

  it(
    'incremental: a second run with no new logs costs one list ' +
      'request and gives an empty-period report; new runs are counted once',
    async () => {
      const simulator = await sim({ version: '1.13.3', runsPerApp: 120, runningRuns: 0 });
      const [app] = appsOf(simulator);
      const storage = memoryStorage();
      const state = memoryStateStore();
      const job: PipelineJob = {
        name: 'hourly',
        apps: [app!],
        window: { mode: 'incremental', overlapMinutes: 10, initialFrom: '2026-01-01T00:00:00Z' },
      };
      const first = await runPipeline(job, { storage, state, now: clock('2026-03-10T12:00:00Z') });
      expect(first.counts[app!.id]!.records).toBe(120);

      simulator.resetStats();
      const second = await runPipeline(job, { storage, state, now: clock('2026-03-10T12:05:00Z') });
      expect(second.status).toBe('succeeded');
      expect(second.analysis!.runs).toBe(0);
      expect(second.reports).toHaveLength(2);
      expect(simulator.stats().byRoute['GET /v1/workflows/logs']).toBeLessThanOrEqual(2);
      expect(simulator.stats().byRoute['GET /v1/workflows/run/:runId'] ?? 0).toBe(0);

      simulator.addRuns(app!.id, 5);
      const third = await runPipeline(job, { storage, state, now: clock('2026-03-10T13:00:00Z') });
      const fresh = await archived(storage, third.archive!.key);
      expect(fresh).toHaveLength(5);
      const all = [...(await archived(storage, first.archive!.key)), ...fresh];
      expect(new Set(all.map((record) => record.logId)).size).toBe(125);
    },
  );

  it('an explicit re-run costs list requests only: finished runs come from the run cache, identical', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 150, runningRuns: 0 });
    const [app] = appsOf(simulator);
    const storage = memoryStorage();
    const state = memoryStateStore();
    const job: PipelineJob = {
      name: 'daily_report',
      apps: [app!],
      window: { mode: 'explicit', from: '2026-03-08T00:00:00Z', to: '2026-03-10T00:00:00Z' },
      fetch: { withNodeExecutions: true },
    };
    const first = await runPipeline(job, { storage, state, now: clock('2026-03-10T12:00:00Z') });
    const enrichment = () =>
      (simulator.stats().byRoute['GET /console/api/apps/:appId/workflow-runs/:runId'] ?? 0) +
      (simulator.stats().byRoute['GET /console/api/apps/:appId/workflow-runs/:runId/node-executions'] ?? 0) +
      (simulator.stats().byRoute['GET /v1/workflows/run/:runId'] ?? 0);
    expect(enrichment()).toBeGreaterThan(first.counts[app!.id]!.records);
    simulator.resetStats();

    const second = await runPipeline(job, { storage, state, now: clock('2026-03-10T12:30:00Z') });
    expect(enrichment()).toBe(0);
    expect(second.counts[app!.id]).toMatchObject({
      records: first.counts[app!.id]!.records,
      cached: first.counts[app!.id]!.records,
    });
    expect(await archived(storage, second.archive!.key)).toEqual(await archived(storage, first.archive!.key));

    simulator.resetStats();
    const uncached = await runPipeline(
      { ...job, fetch: { ...job.fetch, useRunCache: false } },
      { storage, state, now: clock('2026-03-10T13:00:00Z') },
    );
    expect(uncached.counts[app!.id]!.cached).toBe(0);
    expect(enrichment()).toBeGreaterThan(0);
  });

  it("compares an explicit day with the previous day's stored JSON report, without asking Dify for it", async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 200, runningRuns: 0 });
    const [app] = appsOf(simulator);
    const storage = memoryStorage();
    const state = memoryStateStore();
    const job: PipelineJob = {
      name: 'daily_report',
      apps: [app!],
      window: { mode: 'explicit', from: '{{yesterday}}', to: '{{today}}' },
    };
    const before = await runPipeline(job, { storage, state, now: clock('2026-03-09T01:00:00Z') });
    expect(before.analysis!.comparison).toBeNull();
    const after = await runPipeline(job, { storage, state, now: clock('2026-03-10T01:00:00Z') });
    expect(after.analysis!.comparison).toMatchObject({
      previous: { from: before.window.from, to: before.window.to },
      runs: { current: after.analysis!.runs, previous: before.analysis!.runs },
    });
    const unrelated = await runPipeline(
      { ...job, window: { mode: 'explicit', from: '2026-03-05T00:00:00Z', to: '2026-03-05T12:00:00Z' } },
      { storage, state, now: clock('2026-03-10T02:00:00Z') },
    );
    expect(unrelated.analysis!.comparison).toBeNull();
  });

  it('holds unfinished runs back and reports them once they finish', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 40, runningRuns: 2 });
    const [app] = appsOf(simulator);
    const storage = memoryStorage();
    const state = memoryStateStore();
    const job: PipelineJob = {
      name: 'live',
      apps: [app!],
      window: { mode: 'incremental', overlapMinutes: 1, initialFrom: '2026-01-01T00:00:00Z' },
      fetch: { withNodeExecutions: true },
    };
    const first = await runPipeline(job, { storage, state, now: clock('2026-03-10T12:00:00Z') });
    expect(first.counts[app!.id]).toEqual({ records: 38, unfinished: 2, repolled: 0, cached: 0, salvaged: 0 });
    simulator.completeRunningRuns();
    const second = await runPipeline(job, { storage, state, now: clock('2026-03-11T12:00:00Z') });
    const finished = await archived(storage, second.archive!.key);
    expect(finished).toHaveLength(2);
    expect(
      finished.every(
        (record) =>
          ['succeeded', 'failed'].includes(record.status!) &&
          record.finishedAt !== null &&
          (record.nodes ?? []).length > 0,
      ),
    ).toBe(true);
    expect(second.counts[app!.id]!.repolled).toBe(2);
    const third = await runPipeline(job, { storage, state, now: clock('2026-03-12T12:00:00Z') });
    expect(third.analysis!.runs).toBe(0);
  });

  it(
    'multi-app with one key revoked: the other apps are ' +
      'reported, the failure is named, that app keeps its watermark',
    async () => {
      const simulator = await sim({ version: '1.11.2', runsPerApp: 30, runningRuns: 0 });
      const apps = appsOf(simulator, 3);
      simulator.revokeApiKey(apps[1]!.id);
      const storage = memoryStorage();
      const state = memoryStateStore();
      const notifier = recordingNotifier();
      const job: PipelineJob = {
        name: 'nightly',
        apps,
        window: { mode: 'incremental', initialFrom: '2026-01-01T00:00:00Z' },
      };
      const result = await runPipeline(job, {
        storage,
        state,
        notifiers: [notifier],
        now: clock('2026-03-10T12:00:00Z'),
      });
      expect(result.status).toBe('partial');
      expect(result.problems).toEqual([
        expect.objectContaining({ stage: 'fetch', appId: apps[1]!.id, code: 'invalid_credentials' }),
      ]);
      expect(result.counts[apps[0]!.id]!.records).toBe(30);
      expect(result.counts[apps[2]!.id]!.records).toBe(30);
      expect(result.analysis!.failedApps.map((failed) => failed.appId)).toEqual([apps[1]!.id]);
      expect(notifier.messages[0]!.summary).toContain(apps[1]!.id);
      const snapshot = state.snapshot();
      expect(snapshot[`nightly/${apps[0]!.id}`]!.watermark).toBe('2026-03-10T12:00:00.000Z');
      expect(snapshot[`nightly/${apps[1]!.id}`]).toBeUndefined();
    },
  );

  it('a storage failure fails the run, notifies it, and leaves the state where it was', async () => {
    const simulator = await sim({ runsPerApp: 20, runningRuns: 0 });
    const [app] = appsOf(simulator);
    const inner = memoryStorage();
    const broken: StorageAdapter = {
      ...inner,
      saveReport: async () => {
        throw new DifyStorageError('broken', 'storage_failed', 'disk full');
      },
    };
    const state = memoryStateStore();
    const notifier = recordingNotifier();
    const job: PipelineJob = {
      name: 'nightly',
      apps: [app!],
      window: { mode: 'incremental', initialFrom: '2026-01-01T00:00:00Z' },
    };
    const result = await runPipeline(job, {
      storage: broken,
      state,
      notifiers: [notifier],
      now: clock('2026-03-10T12:00:00Z'),
    });
    expect(result.status).toBe('failed');
    expect(result.problems[0]).toMatchObject({ stage: 'store', code: 'storage_failed' });
    expect(notifier.messages.map((message) => message.kind)).toEqual(['failure']);
    expect(state.snapshot()).toEqual({});
    expect(inner.size()).toBe(0);
    expect(result.archive).toBeNull();
  });

  it('a notifier that keeps failing is retried, recorded, and does not undo the stored reports', async () => {
    const simulator = await sim({ runsPerApp: 20, runningRuns: 0 });
    const [app] = appsOf(simulator);
    const storage = memoryStorage();
    const state = memoryStateStore();
    let attempts = 0;
    const failing = {
      name: 'flaky',
      capabilities: { markdown: false },
      send: async () => {
        attempts += 1;
        throw new Error('webhook down');
      },
    };
    const job: PipelineJob = {
      name: 'nightly',
      apps: [app!],
      window: { mode: 'incremental', initialFrom: '2026-01-01T00:00:00Z' },
    };
    const result = await runPipeline(job, {
      storage,
      state,
      notifiers: [failing],
      notifyAttempts: 2,
      now: clock('2026-03-10T12:00:00Z'),
    });
    expect(result.status).toBe('partial');
    expect(attempts).toBe(2);
    expect(result.notifications).toEqual([{ notifier: 'flaky', delivered: false, error: 'webhook down' }]);
    expect(result.reports).toHaveLength(2);
    expect(state.snapshot()[`nightly/${app!.id}`]!.watermark).toBe('2026-03-10T12:00:00.000Z');
  });
});
