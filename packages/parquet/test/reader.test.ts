import { createArchiveWriter, type ArchiveManifest } from '@dify-logs/core/archive';
import { memoryStorage } from '@dify-logs/core/pipeline';
import type { RunRecord } from '@dify-logs/core';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createParquetFileWriter,
  decodeParquetPart,
  encodeParquetPart,
  NODES_TABLE,
  parquetArchiveFormat,
  ParquetFileError,
  parquetSchemaOf,
  readParquetRecords,
  RUNS_TABLE,
  toNodeRows,
  toRunRow,
} from '../src/index.js';
import { makeNode, makeRun, randomRecords } from './fixtures.js';

async function collect(records: AsyncIterable<RunRecord>): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

async function failure(records: AsyncIterable<RunRecord>): Promise<ParquetFileError> {
  try {
    await collect(records);
  } catch (error) {
    expect(ParquetFileError.isInstance(error)).toBe(true);
    return error as ParquetFileError;
  }
  throw new Error('expected the read to fail');
}

describe('reading Parquet back', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dify-logs-parquet-read-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names a file that is not Parquet', async () => {
    const path = join(dir, 'runs.ndjson');
    await writeFile(path, `${JSON.stringify(makeRun())}\n`);
    const error = await failure(readParquetRecords(path));
    expect(error.file).toBe(path);
    expect(error.code).toBe('invalid_parquet');
    expect(error.message).toMatch(new RegExp(`^${path.replaceAll('.', '\\.')}: not a Parquet file`));
  });

  it('points from the nodes table to the runs table', async () => {
    const path = join(dir, 'report.nodes.parquet');
    const writer = createParquetFileWriter(path, NODES_TABLE);
    for (const row of toNodeRows(makeRun({ nodes: [makeNode()] }))) writer.add(row);
    await writer.close();
    expect((await failure(readParquetRecords(path))).message).toMatch(
      /report\.nodes\.parquet: this is the dify-logs nodes table; records are read from the runs table/,
    );
  });

  it('lists the missing columns of a Parquet file from elsewhere', async () => {
    const path = join(dir, 'other.parquet');
    await writeFile(
      path,
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'id', data: [1, 2], type: 'INT32' },
            { name: 'name', data: ['a', 'b'], type: 'STRING' },
          ],
        }),
      ),
    );
    expect((await failure(readParquetRecords(path))).message).toMatch(
      /other\.parquet: not a dify-logs runs table: missing columns appId, logId, .* \(has id, name\)/,
    );
  });

  it('refuses a table written with a newer schema', async () => {
    const row = toRunRow(makeRun());
    const columnData = RUNS_TABLE.columns.map((column) => ({
      name: column.name,
      data: [
        column.kind === 'int64' || column.kind === 'timestamp'
          ? row[column.name] === null
            ? null
            : BigInt(row[column.name] as number)
          : row[column.name],
      ],
    }));
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData,
        schema: parquetSchemaOf(RUNS_TABLE, { jsonAsText: true }),
        kvMetadata: [
          { key: 'dify-logs.schema', value: '2' },
          { key: 'dify-logs.table', value: 'runs' },
        ],
      }),
    );
    expect((await failure(decodeParquetPart(bytes, 'archive/part-1.parquet'))).message).toMatch(
      /archive\/part-1\.parquet: written with dify-logs Parquet schema 2; this version reads schema 1/,
    );
    // The same table without the metadata (as another tool may rewrite it) is read by its columns.
    const bare = new Uint8Array(
      parquetWriteBuffer({ columnData, schema: parquetSchemaOf(RUNS_TABLE, { jsonAsText: true }) }),
    );
    expect(await collect(decodeParquetPart(bare))).toEqual([makeRun()]);
  });

  it('stops at the first broken row group, naming the rows', async () => {
    const bytes = await encodeParquetPart(randomRecords(50, 3), { rowGroupSize: 20 });
    const broken = bytes.slice();
    broken.fill(0, 200, 400);
    const error = await failure(decodeParquetPart(broken, 'part.parquet'));
    expect(error.message).toMatch(/^part\.parquet: (cannot read rows 0–19|row \d+)/);
  });

  it('is an archive format: each part also stored as Parquet that decodes to the part', async () => {
    const storage = memoryStorage();
    const day = (index: number) => `2026-03-0${2 + Math.floor(index / 10)}T0${index % 10}:00:00.000Z`;
    const records = Array.from({ length: 20 }, (_, index) =>
      makeRun({
        logId: `log-${index}`,
        loggedAt: day(index),
        createdAt: day(index),
        nodes: index % 2 ? [makeNode({ id: `e-${index}` })] : null,
      }),
    );
    const archive = createArchiveWriter(storage, {
      job: 'daily',
      runId: 'run-1',
      window: { from: '2026-03-02T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z' },
      formats: [parquetArchiveFormat()],
    });
    for (const record of records) await archive.add(record);
    const result = await archive.finish();
    expect(result.manifests).toHaveLength(2);
    const decoded: RunRecord[] = [];
    for (const stored of result.manifests) {
      const manifest = JSON.parse(Buffer.from(await storage.read(stored.key)).toString('utf8')) as ArchiveManifest;
      for (const part of manifest.parts) {
        const alternate = part.alternates?.find((entry) => entry.format === 'parquet');
        expect(alternate?.key).toMatch(/\.parquet$/);
        decoded.push(...(await collect(decodeParquetPart(await storage.read(alternate!.key), alternate!.key))));
      }
    }
    expect(decoded.sort((a, b) => a.loggedAt.localeCompare(b.loggedAt))).toEqual(records);
  });
});
