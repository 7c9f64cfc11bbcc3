import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDifyClient, DifyStorageError, type RunRecord } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline, type PipelineJob } from '../../src/entries/pipeline.js';
import { readArchive, verifyArchive } from '../../src/entries/archive.js';
import type { StorageAdapter } from '../../src/adapter-kit.js';
import { quickRetry, sim, workflowApp } from './helpers.js';

async function collect(iterable: AsyncIterable<RunRecord>): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for await (const record of iterable) out.push(record);
  return out;
}

describe('partitioned archive', () => {
  it(
    'writes gzip NDJSON per app and UTC day with manifests; a re-run ' +
      'of the window replaces, never duplicates; verify finds tampering',
    async () => {
      const simulator = await sim({ version: '1.13.3', runsPerApp: 120, runningRuns: 0 });
      const app = workflowApp(simulator);
      const client = createDifyClient({
        baseUrl: simulator.url,
        apiKey: app.apiKey,
        appId: app.id,
        console: { ...simulator.account },
        retry: quickRetry,
      });
      const storage = memoryStorage();
      const job: PipelineJob = {
        name: 'daily',
        apps: [{ id: app.id, client }],
        window: { mode: 'explicit', from: '2026-03-07T00:00:00Z', to: '2026-03-10T00:00:00Z' },
        archive: { mode: 'partitioned' },
        fetch: { withNodeExecutions: true },
      };
      const deps = { storage, state: memoryStateStore() };

      const first = await runPipeline(job, { ...deps, now: () => new Date('2026-03-10T12:00:00Z') });
      expect(first.status).toBe('succeeded');
      const days = first.partitions!.manifests.map((manifest) => manifest.metadata.day).sort();
      expect(days).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
      expect(
        first.partitions!.parts.every((part) =>
          /^data\/archive\/2026\/03\/0[789]\/daily-.+\.part-\d+\.ndjson\.gz$/.test(part.key),
        ),
      ).toBe(true);
      const lines = gunzipSync(await storage.read(first.partitions!.parts[0]!.key))
        .toString('utf8')
        .trim()
        .split('\n');
      expect((JSON.parse(lines[0]!) as RunRecord).nodes!.length).toBeGreaterThan(0);

      const archived = await collect(readArchive(storage, { from: '2026-03-07', to: '2026-03-09' }));
      expect(archived).toHaveLength(first.analysis!.runs);
      expect(new Set(archived.map((record) => record.logId)).size).toBe(archived.length);

      const second = await runPipeline(job, { ...deps, now: () => new Date('2026-03-10T13:00:00Z') });
      expect(second.status).toBe('succeeded');
      const again = await collect(readArchive(storage, { from: '2026-03-07', to: '2026-03-09' }));
      expect(again.map((record) => record.logId).sort()).toEqual(archived.map((record) => record.logId).sort());
      const objects: string[] = [];
      for await (const object of storage.list({ kind: 'data', type: 'archive' })) objects.push(object.key);
      expect(objects.filter((key) => key.endsWith('.manifest.json'))).toHaveLength(3);
      expect(objects.filter((key) => key.includes(first.runId))).toEqual([]);

      const clean = await verifyArchive(storage, { from: '2026-03-07', to: '2026-03-09' });
      expect(clean).toMatchObject({ partitions: 3, records: archived.length, problems: [] });
      const victim = second.partitions!.parts[0]!.key;
      await storage.delete(victim);
      await storage.saveData({
        type: 'x',
        job: 'x',
        app: 'x',
        runId: 'x',
        extension: 'bin',
        contentType: 'application/octet-stream',
        body: 'x',
      });
      const broken = await verifyArchive(storage, { from: '2026-03-07', to: '2026-03-09' });
      expect(broken.problems).toEqual([expect.objectContaining({ part: victim, problem: 'missing' })]);
    },
  );

  it('a run that fails to store its reports leaves no archive part and no manifest behind', async () => {
    const simulator = await sim({ runsPerApp: 30, runningRuns: 0 });
    const app = workflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry });
    const inner = memoryStorage();
    const broken: StorageAdapter = {
      ...inner,
      saveReport: async () => {
        throw new DifyStorageError('broken', 'storage_failed', 'disk full');
      },
    };
    const job: PipelineJob = {
      name: 'daily',
      apps: [{ id: app.id, client }],
      window: { mode: 'explicit', from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z' },
      archive: { mode: 'partitioned' },
    };
    const result = await runPipeline(job, {
      storage: broken,
      state: memoryStateStore(),
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    expect(result.status).toBe('failed');
    expect(inner.size()).toBe(0);
  });
});
