import { describe, expect, it } from 'vitest';
import { createDifyClient, RunRecordSchema, type RunRecord } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline } from '../../src/entries/pipeline.js';
import { quickRetry, sim, workflowApp } from './helpers.js';

const now = () => new Date('2026-03-10T12:00:00Z');

async function run(version: '1.13.3' | '1.11.2', from: string) {
  const simulator = await sim({ version, runsPerApp: 140, days: 7, runningRuns: 0, archivedAfterDays: 3 });
  const app = workflowApp(simulator);
  const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
  const storage = memoryStorage();
  const result = await runPipeline(
    {
      name: 'backfill',
      apps: [{ id: app.id, client }],
      window: { mode: 'explicit', from, to: '2026-03-10T12:00:00Z' },
    },
    { storage, state: memoryStateStore(), now },
  );
  const records = Buffer.from(await storage.read(result.archive!.key))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunRecord);
  return { simulator, result, records };
}

describe("runs Dify's retention archived (1.13 workflow-archived-logs)", () => {
  it('an explicit window reaching past the archive boundary reads the archived runs too, marked archived', async () => {
    const { simulator, result, records } = await run('1.13.3', '2026-03-03T12:00:00Z');
    expect(result.status).toBe('succeeded');
    const archived = records.filter((record) => record.archived);
    expect(archived.length).toBeGreaterThan(40);
    expect(records).toHaveLength(140);
    expect(new Set(records.map((record) => record.logId)).size).toBe(140);
    const boundary = '2026-03-07T12:00:00.000Z';
    expect(
      archived.every((record) => record.createdAt < boundary && record.nodes === null && record.status !== null),
    ).toBe(true);
    expect(records.filter((record) => !record.archived).every((record) => record.createdAt >= boundary)).toBe(true);
    for (const record of archived.slice(0, 5)) expect(RunRecordSchema.parse(record)).toEqual(record);
    expect(result.counts[workflowApp(simulator).id]!.archived).toBe(archived.length);
    expect(result.analysis!.runs).toBe(140);
  });

  it('a window inside the live logs costs one archive request and reads nothing from it', async () => {
    const { simulator, records } = await run('1.13.3', '2026-03-09T00:00:00Z');
    expect(records.some((record) => record.archived)).toBe(false);
    expect(simulator.stats().byRoute['GET /console/api/apps/:appId/workflow-archived-logs']).toBe(1);
  });

  it('a release before 1.13 is not asked', async () => {
    const { simulator, records } = await run('1.11.2', '2026-03-03T12:00:00Z');
    expect(records.some((record) => record.archived)).toBe(false);
    expect(simulator.stats().byRoute['GET /console/api/apps/:appId/workflow-archived-logs']).toBeUndefined();
  });
});
