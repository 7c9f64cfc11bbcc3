import { renderReports } from '@dify-logs/core/pipeline';
import type { ReportFile } from '@dify-logs/core/adapter-kit';
import type { RunRecord } from '@dify-logs/core';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetReporter, readParquetRecords } from '../src/index.js';
import { randomRecords } from './fixtures.js';

async function bytesOf(body: ReportFile['body']): Promise<Buffer> {
  if (typeof body === 'string' || body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* stream(records: RunRecord[]): AsyncGenerator<RunRecord> {
  yield* records;
}

describe('parquetReporter in renderReports', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dify-logs-parquet-report-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes runs and nodes files that read back as the input records', async () => {
    const records = randomRecords(800, 42, { spanMs: 3 * 86_400_000 });
    const rendered = await renderReports(stream(records), {
      job: 'daily',
      formats: ['json', 'parquet'],
      reporters: { parquet: parquetReporter({ rowGroupSize: 500 }) },
      // Random texts can look like phone or card numbers: the round trip is checked without the privacy policy.
      privacy: { enabled: false },
    });
    expect(rendered.problems).toEqual([]);
    expect(rendered.analysis.runs).toBe(records.length);
    const parquet = rendered.files.filter((entry) => entry.format === 'parquet').map((entry) => entry.file);
    expect(parquet.map(({ part, extension, contentType }) => ({ part, extension, contentType }))).toEqual([
      { part: 'runs', extension: 'parquet', contentType: 'application/vnd.apache.parquet' },
      { part: 'nodes', extension: 'parquet', contentType: 'application/vnd.apache.parquet' },
    ]);
    const runsPath = join(dir, 'report.runs.parquet');
    const nodesPath = join(dir, 'report.nodes.parquet');
    const runsBytes = await bytesOf(parquet[0]!.body);
    // A body can be read again (a storage adapter retrying an upload).
    expect((await bytesOf(parquet[0]!.body)).equals(runsBytes)).toBe(true);
    await writeFile(runsPath, runsBytes);
    await writeFile(nodesPath, await bytesOf(parquet[1]!.body));

    await rendered.close();

    const back: RunRecord[] = [];
    for await (const record of readParquetRecords(runsPath)) back.push(record);
    expect(back).toEqual(JSON.parse(JSON.stringify(records)));

    const nodes = await parquetReadObjects({
      file: await asyncBufferFromFile(nodesPath),
      columns: ['logId', 'nodeExecutionId', 'index'],
    });
    const expected = records.flatMap((record) =>
      (record.nodes ?? []).map((node) => ({ logId: record.logId, nodeExecutionId: node.id, index: node.index })),
    );
    expect(expected.length).toBeGreaterThan(1_000);
    expect(nodes).toEqual(expected);
  });

  it('removes its spool files on dispose', async () => {
    const tmpDir = await mkdtemp(join(dir, 'spool-'));
    const writer = parquetReporter().start({
      job: 'j',
      runId: 'r',
      window: { from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', timezone: 'UTC' },
      tmpDir,
    });
    for (const record of randomRecords(20, 7)) await writer.add?.(record);
    const files = await writer.finish({} as never);
    expect(await readdir(tmpDir)).toHaveLength(2);
    await bytesOf(files[0]!.body);
    await writer.dispose?.();
    expect(await readdir(tmpDir)).toEqual([]);
    expect(existsSync(tmpDir)).toBe(true);
  });

  it('removes a half-written file when the run fails before finish', async () => {
    const tmpDir = await mkdtemp(join(dir, 'failed-'));
    const writer = parquetReporter({ rowGroupSize: 5 }).start({
      job: 'j',
      runId: 'r',
      window: { from: '', to: '', timezone: 'UTC' },
      tmpDir,
    });
    for (const record of randomRecords(12, 8)) await writer.add?.(record);
    expect((await readdir(tmpDir)).length).toBeGreaterThan(0);
    await writer.dispose?.();
    expect(await readdir(tmpDir)).toEqual([]);
  });
});
