import { describe, expect, it } from 'vitest';
import { createDifyClient, type RunRecord } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline, type PipelineJob } from '../../src/entries/pipeline.js';
import type { Sink, SinkContext } from '../../src/adapter-kit.js';
import { quickRetry, sim } from './helpers.js';

/**
 * A sink keeping committed rows by run id (idempotent like a table keyed by Dify ids); fails the first `failures`
 * writes mid-way.
 */
function tableSink(failures = 0) {
  const rows = new Map<string, RunRecord>();
  const windows: SinkContext[] = [];
  let attempts = 0;
  const sink: Sink = {
    name: 'table',
    async open(context) {
      attempts += 1;
      const attempt = attempts;
      const pending: RunRecord[] = [];
      return {
        add(record) {
          if (attempt <= failures && pending.length === 3) throw new Error(`connection reset on attempt ${attempt}`);
          pending.push(record);
        },
        async commit() {
          for (const record of pending) rows.set(record.logId, record);
          windows.push(context);
          return { rows: { runs: pending.length } };
        },
        async abort() {
          pending.length = 0;
        },
      };
    },
  };
  return { sink, rows, windows, attempts: () => attempts };
}

describe('sinks in the pipeline', () => {
  it('writes every record of the window to each sink after the reports are stored, retrying a flaky one', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 60, runningRuns: 0 });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const client = createDifyClient({
      baseUrl: simulator.url,
      apiKey: app.apiKey,
      appId: app.id,
      console: { ...simulator.account },
      retry: quickRetry,
    });
    const steady = tableSink();
    const flaky = tableSink(2);
    const storage = memoryStorage();
    const job: PipelineJob = {
      name: 'nightly',
      apps: [{ id: app.id, client }],
      window: { mode: 'incremental', initialFrom: '2026-03-01T00:00:00Z' },
      fetch: { withNodeExecutions: true },
    };
    const result = await runPipeline(job, {
      storage,
      state: memoryStateStore(),
      sinks: [steady.sink, flaky.sink],
      sinkRetryDelayMs: 5,
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    expect(result.status).toBe('succeeded');
    const runs = result.counts[app.id]!.records;
    expect(runs).toBeGreaterThan(10);
    expect(steady.rows.size).toBe(runs);
    expect(flaky.rows.size).toBe(runs);
    expect(result.sinks).toEqual([
      { sink: 'table', written: true, attempts: 1, rows: { runs } },
      { sink: 'table', written: true, attempts: 3, rows: { runs } },
    ]);
    expect(steady.windows[0]).toMatchObject({ job: 'nightly', runId: result.runId, window: result.window });
    expect([...steady.rows.values()].some((record) => (record.nodes ?? []).length > 0)).toBe(true);
    expect(result.timings.sink).toBeGreaterThanOrEqual(0);
  });

  it(
    'a sink failing every attempt makes the run partial, keeps the ' +
      'reports and the archive, and leaves the watermark where it was',
    async () => {
      const simulator = await sim({ version: '1.13.3', runsPerApp: 40, runningRuns: 0 });
      const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
      const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry });
      const broken = tableSink(99);
      const state = memoryStateStore();
      const storage = memoryStorage();
      const job: PipelineJob = {
        name: 'nightly',
        apps: [{ id: app.id, client }],
        window: { mode: 'incremental', initialFrom: '2026-03-01T00:00:00Z' },
        archive: { mode: 'run' },
      };
      const deps = {
        storage,
        state,
        sinks: [broken.sink],
        sinkAttempts: 2,
        sinkRetryDelayMs: 5,
        now: () => new Date('2026-03-10T12:00:00Z'),
      };
      const first = await runPipeline(job, deps);
      expect(first.status).toBe('partial');
      expect(first.sinks).toEqual([
        { sink: 'table', written: false, attempts: 2, error: 'connection reset on attempt 2' },
      ]);
      expect(first.problems).toContainEqual({
        stage: 'sink',
        sink: 'table',
        code: 'sink_failed',
        message: 'table: connection reset on attempt 2',
      });
      expect(first.reports.length).toBeGreaterThan(0);
      expect(first.archive).not.toBeNull();
      expect(broken.rows.size).toBe(0);
      expect((await state.read('nightly', app.id)).watermark).toBeNull();

      // Fixed: the next run writes the same window again, then the watermark moves.
      const fixed = tableSink();
      const second = await runPipeline(job, { ...deps, sinks: [fixed.sink] });
      expect(second.status).toBe('succeeded');
      expect(fixed.rows.size).toBe(first.counts[app.id]!.records);
      expect((await state.read('nightly', app.id)).watermark).not.toBeNull();
    },
  );
});
