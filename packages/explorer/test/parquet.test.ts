import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@dify-logs/core';
import { createArchiveWriter, listPartitions } from '@dify-logs/core/archive';
import { parquetArchiveFormat } from '@dify-logs/parquet';
import { createExplorer, type Explorer, type RunPage } from '../src/index.js';
import { localArchive, node, run } from './support.js';

// An archive written Parquet-only (`storage.archiveFormats: [parquet]`, NDJSON off): the index reads its parts
// through the registered format, and a run page reads the run back from its Parquet part by position.
let explorer: Explorer;
let local: Awaited<ReturnType<typeof localArchive>>;
const runs: RunRecord[] = Array.from({ length: 24 }, (_, index) => {
  const time = `2026-03-0${7 + (Math.floor(index / 2) % 2)}T1${index % 10}:00:${String(index).padStart(2, '0')}.000Z`;
  return run({
    appId: `app-${index % 2}`,
    logId: `log-${index}`,
    runId: `run-${index}`,
    createdAt: time,
    loggedAt: time,
    finishedAt: time,
    inputs: { question: `问题 ${index}`, email: index === 5 ? 'li.wei@example-corp.cn' : null },
    outputs: { answer: `answer ${index}` },
    nodes:
      index % 3 === 0
        ? [node({ id: `ne-${index}`, title: `工单分类 ${index}`, modelName: 'gpt-4o-mini', createdAt: time })]
        : null,
  });
});

beforeAll(async () => {
  local = await localArchive();
  const writer = createArchiveWriter(local.storage, {
    job: 'daily',
    runId: 'pipeline-parquet',
    window: { from: '2026-03-07T00:00:00.000Z', to: '2026-03-09T00:00:00.000Z' },
    formats: [parquetArchiveFormat()],
    ndjson: false,
  });
  for (const record of runs) await writer.add(record);
  await writer.finish();
  explorer = await createExplorer({
    storage: local.storage,
    formats: [parquetArchiveFormat()],
    port: 0,
    privacy: { enabled: false },
  });
});
afterAll(async () => {
  await explorer?.close();
  await local?.remove();
});

describe('an archive written as Parquet only', () => {
  it('has parts of format parquet only (what the rest of this file reads)', async () => {
    const partitions = await listPartitions(local.storage, { from: '2026-03-07', to: '2026-03-08' });
    expect(partitions).toHaveLength(4);
    for (const { manifest } of partitions)
      for (const part of manifest.parts)
        expect([part.format, part.key.endsWith('.parquet')]).toEqual(['parquet', true]);
  });

  it('lists every run and reads each back with GET /api/runs/:runId', async () => {
    const page = (await (await fetch(`${explorer.url}/api/runs?limit=100`)).json()) as RunPage;
    expect(page.runs.map((summary) => summary.logId).sort()).toEqual(runs.map((record) => record.logId).sort());
    for (const index of [0, 23, 5, 12, 3, 18, 0]) {
      const response = await fetch(`${explorer.url}/api/runs/run-${index}`);
      expect(response.status, `run-${index}`).toBe(200);
      expect(await response.json(), `run-${index}`).toEqual(runs[index]);
    }
    expect((await fetch(`${explorer.url}/api/runs/run-missing`)).status).toBe(404);
  });

  it("serves the run page from the run's Parquet part", async () => {
    const response = await fetch(`${explorer.url}/runs/run-9`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('工单分类 9');
    expect(body).toContain('问题 9');
  });

  it('applies the privacy policy to what it indexes and reads back', async () => {
    const masked = await createExplorer({ storage: local.storage, formats: [parquetArchiveFormat()], port: 0 });
    try {
      const record = (await (await fetch(`${masked.url}/api/runs/run-5`)).json()) as RunRecord;
      expect(record.inputs).toEqual({ question: '问题 5', email: 'l***@example-corp.cn' });
      const found = (await (await fetch(`${masked.url}/api/runs?q=li.wei`)).json()) as RunPage;
      expect(found.runs).toEqual([]);
    } finally {
      await masked.close();
    }
  });

  it('without the Parquet format registered, fails naming the part and the setting', async () => {
    await expect(createExplorer({ storage: local.storage, port: 0 })).rejects.toThrow(
      /is parquet; register its archive format \(storage\.archiveFormats\)/,
    );
  });
});
