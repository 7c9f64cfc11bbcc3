import { describe, expect, it } from 'vitest';
import { createDifyClient } from '../../src/index.js';
import {
  memoryStateStore,
  memoryStorage,
  recordingNotifier,
  runPipeline,
  type PipelineJob,
} from '../../src/entries/pipeline.js';
import { quickRetry, sim, workflowApp } from './helpers.js';

describe('alerts on a rising failure rate', () => {
  it('fires exactly one critical alert while the failure rate stays high, then one resolved message', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 100, runningRuns: 0 });
    const app = workflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry });
    const storage = memoryStorage();
    const state = memoryStateStore();
    const notifier = recordingNotifier();
    const job: PipelineJob = {
      name: 'hourly',
      apps: [{ id: app.id, client }],
      window: { mode: 'incremental', initialFrom: '2026-01-01T00:00:00Z' },
      notify: {
        on: ['failure'],
        alerts: {
          rules: [{ kind: 'failure-rate', threshold: 0.3, severity: 'critical', minRuns: 10 }],
          cooldownMinutes: 360,
        },
      },
    };
    // The simulator stamps added runs just after its own clock (12:00:00), 1 s apart: one pipeline run a minute sees
    // each batch.
    const at = (hour: number) => () => new Date(Date.UTC(2026, 2, 10, 12, hour - 12));
    const alerts = () => notifier.messages.filter((message) => message.kind === 'alert');

    const calm = await runPipeline(job, { storage, state, notifiers: [notifier], now: at(12) });
    expect(calm.analysis!.runs).toBe(100);
    expect(calm.alerts).toEqual([]);

    simulator.addRuns(app.id, 40, { failureRate: 0.7 });
    const rising = await runPipeline(job, { storage, state, notifiers: [notifier], now: at(13) });
    expect(rising.alerts).toEqual([
      expect.objectContaining({ rule: 'failure-rate', severity: 'critical', transition: 'fired' }),
    ]);
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]).toMatchObject({ severity: 'critical', title: '[CRITICAL] hourly: failure-rate' });
    expect(alerts()[0]!.summary).toMatch(/^Failure rate \d+\.\d % \(\d+ of 40 finished runs\) is above 30\.0 %\.$/);

    simulator.addRuns(app.id, 40, { failureRate: 0.8 });
    const ongoing = await runPipeline(job, { storage, state, notifiers: [notifier], now: at(14) });
    expect(ongoing.alerts).toEqual([]);
    expect(alerts()).toHaveLength(1);

    simulator.addRuns(app.id, 40, { failureRate: 0 });
    const recovered = await runPipeline(job, { storage, state, notifiers: [notifier], now: at(15) });
    expect(recovered.alerts).toEqual([expect.objectContaining({ transition: 'resolved' })]);
    expect(alerts().map((message) => message.title)).toEqual([
      '[CRITICAL] hourly: failure-rate',
      '[RESOLVED] hourly: failure-rate',
    ]);
    expect(alerts()[1]!.severity).toBe('info');

    const quiet = await runPipeline(job, { storage, state, notifiers: [notifier], now: at(16) });
    expect(quiet.alerts).toEqual([]);
    expect(alerts()).toHaveLength(2);
  });

  it('re-sends an alert no channel could deliver, instead of losing it', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 40, runningRuns: 0 });
    const app = workflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry });
    const state = memoryStateStore();
    let down = true;
    const delivered: string[] = [];
    const flaky = {
      name: 'chat',
      capabilities: { markdown: true },
      send: async (message: { title: string }) => {
        if (down) throw new Error('webhook down');
        delivered.push(message.title);
        return { notifier: 'chat' };
      },
    };
    const job: PipelineJob = {
      name: 'nightly',
      apps: [{ id: app.id, client }],
      window: { mode: 'incremental', initialFrom: '2026-01-01T00:00:00Z' },
      notify: { on: [], alerts: { rules: [{ kind: 'p95', threshold: 0, severity: 'warning', minRuns: 1 }] } },
    };
    const first = await runPipeline(job, {
      storage: memoryStorage(),
      state,
      notifiers: [flaky],
      notifyAttempts: 1,
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    expect(first.alerts).toHaveLength(1);
    expect(first.status).toBe('partial');
    down = false;
    simulator.addRuns(app.id, 5);
    await runPipeline(job, {
      storage: memoryStorage(),
      state,
      notifiers: [flaky],
      now: () => new Date('2026-03-10T13:00:00Z'),
    });
    expect(delivered).toEqual(['[WARNING] nightly: p95']);
  });
});
