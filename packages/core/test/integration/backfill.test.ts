import { describe, expect, it } from 'vitest';
import { backfill, memoryStateStore, memoryStorage, type PipelineJob } from '../../src/entries/pipeline.js';
import { createDifyClient, type RunRecord } from '../../src/index.js';
import type { StorageAdapter } from '../../src/adapter-kit.js';
import { dayChunks } from '../../src/pipeline/backfill.js';
import { quickRetry, sim, workflowApp } from './helpers.js';

async function archived(storage: StorageAdapter, key: string): Promise<RunRecord[]> {
  const text = Buffer.from(await storage.read(key)).toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunRecord);
}

describe('dayChunks', () => {
  it('cuts at local midnight, 23 hours on the day clocks go forward', () => {
    const chunks = dayChunks(new Date('2026-03-27T23:00:00Z'), new Date('2026-03-30T22:00:00Z'), 'Europe/Berlin');
    expect(chunks.map((chunk) => [chunk.from.toISOString(), chunk.to.toISOString()])).toEqual([
      ['2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z'],
      ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
      ['2026-03-29T22:00:00.000Z', '2026-03-30T22:00:00.000Z'],
    ]);
  });

  it('starts and ends with partial days when the range does', () => {
    const chunks = dayChunks(new Date('2026-03-01T06:00:00Z'), new Date('2026-03-02T12:00:00Z'), 'UTC');
    expect(chunks.map((chunk) => chunk.to.toISOString())).toEqual([
      '2026-03-02T00:00:00.000Z',
      '2026-03-02T12:00:00.000Z',
    ]);
  });
});

describe('backfill against the simulator', () => {
  it('processes a range day by day, resumes after an interruption, and covers every run exactly once', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 200, runningRuns: 0 });
    const app = workflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry });
    const storage = memoryStorage();
    const state = memoryStateStore();
    const job: PipelineJob = {
      name: 'history',
      apps: [{ id: app.id, client }],
      window: { mode: 'incremental' },
      timezone: 'Asia/Shanghai',
    };
    const deps = { storage, state, now: () => new Date('2026-03-10T12:00:00Z') };
    const range = { from: '2026-03-05T16:00:00Z', to: '2026-03-09T16:00:00Z' };

    const stop = new AbortController();
    const first = await backfill(job, deps, { ...range, signal: stop.signal, onChunk: () => stop.abort() });
    expect(first.status).toBe('aborted');
    expect(first.chunks).toHaveLength(1);

    const second = await backfill(job, deps, range);
    expect(second.status).toBe('succeeded');
    expect(second.chunks.map((chunk) => chunk.status)).toEqual(['skipped', 'succeeded', 'succeeded', 'succeeded']);
    expect(second.chunks.map((chunk) => chunk.from)).toEqual([
      '2026-03-05T16:00:00.000Z',
      '2026-03-06T16:00:00.000Z',
      '2026-03-07T16:00:00.000Z',
      '2026-03-08T16:00:00.000Z',
    ]);

    const all: RunRecord[] = [];
    for (const run of [...first.results, ...second.results]) all.push(...(await archived(storage, run.archive!.key)));
    const expected = await client.logPage({ createdAfter: range.from, createdBefore: range.to, limit: 1 });
    expect(expected.total).toBeGreaterThan(20);
    expect(all).toHaveLength(expected.total);
    expect(new Set(all.map((record) => record.logId)).size).toBe(expected.total);
    expect(first.results[0]!.reports).toHaveLength(2);

    const third = await backfill(job, deps, range);
    expect(third.chunks.every((chunk) => chunk.status === 'skipped')).toBe(true);
    expect(third.results).toEqual([]);
    expect(Object.keys(state.snapshot())).toEqual([
      `history#backfill/${range.from.replace('Z', '.000Z')}..${range.to.replace('Z', '.000Z')}`,
    ]);
  });

  it('refuses a range that ends in the future or is empty, naming the key', async () => {
    const simulator = await sim({ runsPerApp: 5 });
    const app = workflowApp(simulator);
    const job: PipelineJob = {
      name: 'history',
      apps: [{ id: app.id, client: createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id }) }],
      window: { mode: 'incremental' },
    };
    const deps = { storage: memoryStorage(), state: memoryStateStore(), now: () => new Date('2026-03-10T12:00:00Z') };
    await expect(backfill(job, deps, { from: '{{yesterday}}', to: '{{tomorrow}}' })).rejects.toThrow(/backfill\.to/);
    await expect(backfill(job, deps, { from: '{{today}}', to: '{{yesterday}}' })).rejects.toThrow(/backfill\.from/);
  });
});
