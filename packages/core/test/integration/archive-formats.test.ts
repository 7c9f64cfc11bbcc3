import { describe, expect, it } from 'vitest';
import { createDifyClient, type RunRecord } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline, type PipelineJob } from '../../src/entries/pipeline.js';
import { verifyArchive, type ArchivePartFormat } from '../../src/entries/archive.js';
import { readManifests } from '../../src/archive/index.js';
import { quickRetry, sim, workflowApp } from './helpers.js';

/** A stand-in for Parquet: the part's log ids as a JSON array (what matters here is where the bytes go). */
const idsFormat: ArchivePartFormat = {
  format: 'ids',
  extension: 'ids.json',
  contentType: 'application/json',
  async encode(records: AsyncIterable<RunRecord>) {
    const ids: string[] = [];
    for await (const record of records) ids.push(record.logId);
    return new TextEncoder().encode(JSON.stringify(ids));
  },
};

describe('archive parts in other formats', () => {
  it(
    'writes each part again beside the NDJSON, lists it in ' +
      'the manifest, verifies it, and replaces it with the part',
    async () => {
      const simulator = await sim({ version: '1.13.3', runsPerApp: 80, runningRuns: 0 });
      const app = workflowApp(simulator);
      const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry });
      const storage = memoryStorage();
      const job: PipelineJob = {
        name: 'daily',
        apps: [{ id: app.id, client }],
        window: { mode: 'explicit', from: '2026-03-08T00:00:00Z', to: '2026-03-10T00:00:00Z' },
        archive: { mode: 'partitioned', formats: [idsFormat] },
      };
      const deps = { storage, state: memoryStateStore() };

      const first = await runPipeline(job, { ...deps, now: () => new Date('2026-03-10T12:00:00Z') });
      expect(first.status).toBe('succeeded');
      const [manifest] = await readManifests(storage, 'daily', app.id, '2026-03-09');
      const part = manifest!.manifest.parts[0]!;
      expect(part.alternates).toHaveLength(1);
      const alternate = part.alternates![0]!;
      expect(alternate).toMatchObject({ format: 'ids' });
      expect(alternate.key).toMatch(/\.part-\d+\.ids\.json$/);
      const ids = JSON.parse(Buffer.from(await storage.read(alternate.key)).toString('utf8')) as string[];
      expect(ids).toHaveLength(part.records);
      expect((await verifyArchive(storage, { from: '2026-03-08', to: '2026-03-09' })).problems).toEqual([]);

      const second = await runPipeline(job, { ...deps, now: () => new Date('2026-03-10T13:00:00Z') });
      expect(second.status).toBe('succeeded');
      await expect(storage.read(alternate.key)).rejects.toThrow();
      const keys: string[] = [];
      for await (const object of storage.list({ kind: 'data', type: 'archive' })) keys.push(object.key);
      expect(keys.filter((key) => key.endsWith('.ids.json')).every((key) => key.includes(second.runId))).toBe(true);
    },
  );

  it('verify counts the records of a copy whose format can read it: a copy written short is found', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 40, runningRuns: 0 });
    const app = workflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry });
    const storage = memoryStorage();
    const decode = async function* (bytes: Uint8Array): AsyncGenerator<RunRecord> {
      for (const logId of JSON.parse(Buffer.from(bytes).toString('utf8')) as string[]) yield { logId } as RunRecord;
    };
    // Its copies lose their last record, and the manifest records their checksum as written.
    const short: ArchivePartFormat = {
      ...idsFormat,
      async encode(records: AsyncIterable<RunRecord>) {
        const ids: string[] = [];
        for await (const record of records) ids.push(record.logId);
        return new TextEncoder().encode(JSON.stringify(ids.slice(0, -1)));
      },
      decode,
    };
    const job: PipelineJob = {
      name: 'daily',
      apps: [{ id: app.id, client }],
      window: { mode: 'explicit', from: '2026-03-08T00:00:00Z', to: '2026-03-10T00:00:00Z' },
      archive: { mode: 'partitioned', formats: [short] },
    };
    const run = await runPipeline(job, {
      storage,
      state: memoryStateStore(),
      now: () => new Date('2026-03-10T12:00Z'),
    });
    expect(run.status).toBe('succeeded');
    const range = { from: '2026-03-08', to: '2026-03-09' };
    // Without the format the copies' checksums are all that can be checked, and they match.
    expect((await verifyArchive(storage, range)).problems).toEqual([]);
    const found = (await verifyArchive(storage, range, { formats: [short] })).problems;
    expect(found.length).toBeGreaterThan(0);
    for (const problem of found) {
      expect(problem).toMatchObject({ problem: 'records', part: expect.stringMatching(/\.ids\.json$/) });
      expect(problem.detail).toMatch(/^the ids copy has \d+ records, the manifest says \d+$/);
    }
    const broken = { ...short, decode: () => decode(new TextEncoder().encode('not json')) };
    const unreadable = (await verifyArchive(storage, range, { formats: [broken] })).problems;
    expect(unreadable.map((problem) => problem.problem)).toEqual(found.map(() => 'unreadable'));
  });

  it('a failing encoder fails the run and leaves no part, copy or manifest behind', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 30, runningRuns: 0 });
    const app = workflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry });
    const storage = memoryStorage();
    const broken: ArchivePartFormat = {
      ...idsFormat,
      encode: async () => Promise.reject(new Error('encoder ran out of memory')),
    };
    const job: PipelineJob = {
      name: 'daily',
      apps: [{ id: app.id, client }],
      window: { mode: 'explicit', from: '2026-03-08T00:00:00Z', to: '2026-03-10T00:00:00Z' },
      archive: { mode: 'partitioned', formats: [broken] },
    };
    const result = await runPipeline(job, {
      storage,
      state: memoryStateStore(),
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    expect(result.status).toBe('failed');
    expect(result.problems[0]!.message).toMatch(/encoder ran out of memory/);
    const keys: string[] = [];
    for await (const object of storage.list({ kind: 'data' })) keys.push(object.key);
    expect(keys).toEqual([]);
  });
});
