import { describe, expect, it } from 'vitest';
import { DifyAuthError, DifyConfigError, RunRecordSchema, createDifyClient } from '../../src/index.js';
import { chatflowApp, collect, exportRuns, keyClient, quickRetry, sim, workflowApp } from './helpers.js';

const PERSONALITIES = ['1.9.1', '1.11.2', '1.13.3'] as const;

describe.each(PERSONALITIES)('Service API on Dify %s', (version) => {
  it('exports every log of the window once, newest first, with parsed inputs and outputs', async () => {
    const simulator = await sim({ version, lostRunRate: 0.05 });
    const client = keyClient(simulator);
    const total = (await client.logPage({ limit: 1 })).total;
    const records = await collect(exportRuns(client, { withDetails: true, limit: 7 }));
    expect(records).toHaveLength(total);
    expect(new Set(records.map((record) => record.logId)).size).toBe(total);
    const times = records.map((record) => record.loggedAt);
    expect([...times].sort().reverse()).toEqual(times);
    for (const record of records) {
      expect(() => RunRecordSchema.parse(record)).not.toThrow();
      expect(record.enrichmentError).toBeNull();
      if (record.runId) {
        expect(typeof record.inputs).toBe('object');
        expect(record.inputs).not.toBeNull();
        expect(typeof record.outputs).toBe('object');
      } else {
        expect(record.inputs).toBeNull();
      }
    }
    expect(records.some((record) => record.runId === null)).toBe(true);
  });

  it('answers null for the detail of a run Dify does not have (404 or 200-with-nulls)', async () => {
    const simulator = await sim({ version });
    const client = keyClient(simulator);
    expect(await client.runDetail('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('gives an empty export, not an error, for a chatflow app key', async () => {
    const simulator = await sim({ version });
    const app = chatflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry });
    expect(await collect(exportRuns(client, {}))).toEqual([]);
  });
});

describe('Service API behaviour by release', () => {
  it('shows running runs on 1.13.3 (log rows written at start) and they turn terminal on re-poll', async () => {
    const simulator = await sim({ version: '1.13.3', runningRuns: 3 });
    const client = keyClient(simulator);
    const first = await collect(exportRuns(client, { withDetails: true }));
    const unfinished = first.filter((record) => record.status === 'running');
    expect(unfinished).toHaveLength(3);
    expect(unfinished.every((record) => record.finishedAt === null)).toBe(true);
    simulator.completeRunningRuns();
    const again = await Promise.all(unfinished.map((record) => client.runDetail(record.runId!)));
    expect(again.every((detail) => detail && ['succeeded', 'failed'].includes(detail.status!))).toBe(true);
  });

  it('hides running runs on 1.9.1 (log rows written at the end)', async () => {
    const simulator = await sim({ version: '1.9.1', runningRuns: 3 });
    const records = await collect(exportRuns(keyClient(simulator), {}));
    expect(records.some((record) => record.status === 'running')).toBe(false);
  });

  it('filters by status, window and keyword the way Dify does', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 300 });
    const client = keyClient(simulator);
    const failed = await collect(exportRuns(client, { status: 'failed' }));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((record) => record.status === 'failed')).toBe(true);
    const all = await collect(exportRuns(client, {}));
    const middle = all[Math.floor(all.length / 2)]!;
    const windowed = await collect(exportRuns(client, { createdAfter: middle.loggedAt }));
    expect(windowed.every((record) => record.loggedAt >= middle.loggedAt)).toBe(true);
    expect(windowed.length).toBe(all.filter((record) => record.loggedAt >= middle.loggedAt).length);
  });

  it('refuses statuses the Service API cannot filter before sending anything', async () => {
    const simulator = await sim();
    const client = keyClient(simulator);
    await expect(collect(exportRuns(client, { status: 'partial-succeeded' }))).rejects.toThrow(DifyConfigError);
    await expect(client.logPage({ limit: 101 })).rejects.toThrow(/limit/);
    expect(simulator.stats().requests).toBe(0);
  });

  it('says the key was refused when it is revoked', async () => {
    const simulator = await sim();
    simulator.revokeApiKey(workflowApp(simulator).id);
    const error = await keyClient(simulator)
      .logPage()
      .catch((caught: unknown) => caught);
    expect(DifyAuthError.isInstance(error)).toBe(true);
    expect((error as DifyAuthError).message).toMatch(/Access token is invalid/);
  });

  it('refuses node executions without console access', async () => {
    const simulator = await sim();
    await expect(collect(exportRuns(keyClient(simulator), { withNodeExecutions: true }))).rejects.toThrow(
      /withNodeExecutions/,
    );
  });
});
