import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParquetFileWriter, NODES_TABLE, RUNS_TABLE, toNodeRows, toRunRow } from '../src/index.js';
import { makeNode, makeRun } from './fixtures.js';

const element = (metadata: FileMetaData, name: string) => metadata.schema.find((entry) => entry.name === name);

describe('the Parquet files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dify-logs-parquet-format-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'writes row groups as they fill (bounded memory), ' + 'typed columns, SNAPPY pages and dify-logs metadata',
    async () => {
      const path = join(dir, 'runs.parquet');
      const writer = createParquetFileWriter(path, RUNS_TABLE);
      const sizes: number[] = [];
      const start = Date.parse('2026-03-02T00:00:00.000Z');
      for (let index = 0; index < 25_000; index += 1) {
        const at = new Date(start + index * 1000).toISOString();
        const record = makeRun({
          logId: `log-${index}`,
          loggedAt: at,
          createdAt: at,
          totalTokens: index,
          nodes: index % 10 === 0 ? [makeNode({ id: `e-${index}` })] : null,
        });
        const pending = writer.add(toRunRow(record));
        if (pending) {
          await pending;
          sizes.push((await stat(path)).size);
          expect(writer.rowGroups).toBe(sizes.length);
        }
      }
      // Two full row groups reached the disk before the end: rows are not all held until close.
      expect(sizes).toHaveLength(2);
      expect(sizes[1]!).toBeGreaterThan(sizes[0]!);
      await writer.close();

      const file = await asyncBufferFromFile(path);
      const metadata = await parquetMetadataAsync(file);
      expect(metadata.num_rows).toBe(25_000n);
      expect(metadata.row_groups.map((group) => group.num_rows)).toEqual([10_000n, 10_000n, 5_000n]);
      for (const group of metadata.row_groups)
        for (const column of group.columns) expect(column.meta_data?.codec).toBe('SNAPPY');
      expect(
        Object.fromEntries((metadata.key_value_metadata ?? []).map(({ key, value }) => [key, value])),
      ).toMatchObject({ 'dify-logs.schema': '1', 'dify-logs.table': 'runs' });
      expect(metadata.created_by).toMatch(/^dify-logs version /);

      expect(metadata.schema.slice(1).map((entry) => entry.name)).toEqual(
        RUNS_TABLE.columns.map((column) => column.name),
      );
      expect(element(metadata, 'appId')).toMatchObject({
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        logical_type: { type: 'STRING' },
        repetition_type: 'REQUIRED',
      });
      expect(element(metadata, 'runId')).toMatchObject({ type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' });
      expect(element(metadata, 'loggedAt')).toMatchObject({
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type: 'REQUIRED',
      });
      expect(element(metadata, 'finishedAt')).toMatchObject({ type: 'INT64', repetition_type: 'OPTIONAL' });
      expect(element(metadata, 'elapsedTime')).toMatchObject({ type: 'DOUBLE' });
      expect(element(metadata, 'totalTokens')).toMatchObject({ type: 'INT64' });
      expect(element(metadata, 'totalSteps')).toMatchObject({ type: 'INT32' });
      expect(element(metadata, 'nodes')).toMatchObject({
        type: 'BYTE_ARRAY',
        converted_type: 'JSON',
        logical_type: { type: 'JSON' },
      });

      // Statistics let engines skip row groups by time; JSON columns carry none (their bounds would be whole
      // documents).
      const chunk = (name: string) =>
        metadata.row_groups[1]!.columns[RUNS_TABLE.columns.findIndex((column) => column.name === name)]!.meta_data!;
      expect(chunk('loggedAt').statistics).toMatchObject({
        min_value: new Date(start + 10_000_000),
        max_value: new Date(start + 19_999_000),
      });
      expect(chunk('inputs').statistics).toBeUndefined();

      // A reader sees typed values: timestamps as Dates, INT64 as bigint.
      const [row] = await parquetReadObjects({
        file,
        rowStart: 12_345,
        rowEnd: 12_346,
        columns: ['logId', 'loggedAt', 'totalTokens', 'nodeCount'],
      });
      expect(row).toEqual({
        logId: 'log-12345',
        loggedAt: new Date(start + 12_345_000),
        totalTokens: 12_345n,
        nodeCount: null,
      });
    },
  );

  it('writes the nodes table with one row per node execution', async () => {
    const path = join(dir, 'nodes.parquet');
    const writer = createParquetFileWriter(path, NODES_TABLE, { rowGroupSize: 2 });
    const record = makeRun({
      nodes: [
        makeNode({ id: 'a', index: 1 }),
        makeNode({ id: 'b', index: 2, iterationId: 'it', iterationIndex: 3, promptTokens: null }),
        makeNode({ id: 'c', index: 3, finishedAt: null }),
      ],
    });
    for (const row of toNodeRows(record)) await writer.add(row);
    await writer.close();
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    expect(metadata.row_groups).toHaveLength(2);
    expect(metadata.schema.slice(1).map((entry) => entry.name)).toEqual(
      NODES_TABLE.columns.map((column) => column.name),
    );
    const rows = await parquetReadObjects({ file });
    expect(rows.map((row) => row.nodeExecutionId)).toEqual(['a', 'b', 'c']);
    expect(rows[1]).toMatchObject({
      logId: 'log-1',
      runId: 'run-1',
      index: 2,
      iterationId: 'it',
      iterationIndex: 3,
      promptTokens: null,
      completionTokens: 20n,
      totalPrice: 0.0012,
      createdAt: new Date('2026-03-02T08:35:12.000Z'),
    });
    expect(rows[2]!.finishedAt).toBeNull();
  });

  it('writes a valid empty table', async () => {
    const path = join(dir, 'empty.parquet');
    const writer = createParquetFileWriter(path, RUNS_TABLE);
    await writer.close();
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    expect(metadata.num_rows).toBe(0n);
    expect(metadata.row_groups).toEqual([]);
  });

  it('cuts a row group early when its text grows past the character budget', async () => {
    const path = join(dir, 'huge.parquet');
    const writer = createParquetFileWriter(path, RUNS_TABLE, { rowGroupCharacters: 2 ** 20 });
    for (let index = 0; index < 8; index += 1)
      await writer.add(toRunRow(makeRun({ logId: `big-${index}`, outputs: { text: 'y'.repeat(300_000) } })));
    await writer.close();
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    expect(metadata.row_groups.map((group) => group.num_rows)).toEqual([4n, 4n]);
  });
});
