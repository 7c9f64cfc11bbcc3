import { describe, expect, it } from 'vitest';
import { memoryStateStore, memoryStorage } from '../src/entries/pipeline.js';
import { silentLogger } from '../src/index.js';
import { beginRun, recoverKilledRun } from '../src/pipeline/run-journal.js';

const entry = {
  runId: '20260310T120000000Z-abc123',
  startedAt: '2026-03-10T12:00:00.000Z',
  window: { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' },
  incremental: true,
  apps: ['app-a'],
};

async function store(storage: ReturnType<typeof memoryStorage>, runId: string) {
  const createdAt = new Date('2026-03-10T12:00:00Z');
  await storage.saveData({
    type: 'archive',
    job: 'daily',
    app: 'app-a',
    runId,
    createdAt,
    extension: 'ndjson',
    contentType: 'application/x-ndjson',
    body: '{}\n',
  });
  await storage.saveReport({
    type: 'daily',
    job: 'daily',
    app: 'app-a',
    runId,
    createdAt,
    extension: 'json',
    contentType: 'application/json',
    body: '{}',
  });
}

async function keys(storage: ReturnType<typeof memoryStorage>) {
  const found: string[] = [];
  for (const kind of ['report', 'data'] as const)
    for await (const object of storage.list({ kind })) found.push(object.key);
  return found.sort();
}

describe('the run journal', () => {
  it("removes a killed run's objects (and only those), then forgets it", async () => {
    const storage = memoryStorage();
    const state = memoryStateStore();
    await store(storage, entry.runId);
    await store(storage, 'an-earlier-run');
    await state.writeDocument('run-journal:daily', { ...entry, host: 'another-host', pid: 1 });
    const removed = await recoverKilledRun(
      storage,
      state,
      'daily',
      new Map([['app-a', { watermark: '2026-03-09T00:00:00.000Z', recent: {}, pending: {} }]]),
      silentLogger,
    );
    expect(removed).toBe(2);
    expect((await keys(storage)).every((key) => key.includes('an-earlier-run'))).toBe(true);
    expect(await keys(storage)).toHaveLength(2);
    expect(await state.readDocument('run-journal:daily')).toBeNull();
  });

  it('keeps the objects of a run that had committed its window (killed just before clearing the journal)', async () => {
    const storage = memoryStorage();
    const state = memoryStateStore();
    await store(storage, entry.runId);
    await state.writeDocument('run-journal:daily', { ...entry, host: 'another-host', pid: 1 });
    const removed = await recoverKilledRun(
      storage,
      state,
      'daily',
      new Map([['app-a', { watermark: entry.window.to, recent: {}, pending: {} }]]),
      silentLogger,
    );
    expect(removed).toBe(0);
    expect(await keys(storage)).toHaveLength(2);
  });

  it('leaves a run alone whose process is still alive on this machine', async () => {
    const storage = memoryStorage();
    const state = memoryStateStore();
    await store(storage, entry.runId);
    await beginRun(state, 'daily', entry); // this process: alive
    expect(await recoverKilledRun(storage, state, 'daily', new Map(), silentLogger)).toBe(0);
    expect(await keys(storage)).toHaveLength(2);
  });
});
