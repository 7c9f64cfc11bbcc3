import type { RunRecord } from '@dify-logs/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createParquetFileWriter,
  decodeParquetPart,
  encodeParquetPart,
  fromRunRow,
  ParquetValueError,
  readParquetRecords,
  RUNS_TABLE,
  toNodeRows,
  toRunRow,
} from '../src/index.js';
import { AWKWARD_TEXT, makeNode, makeRun, randomRecords } from './fixtures.js';

/** What the NDJSON archive gives back: the bar Parquet must meet. */
const viaJson = (records: RunRecord[]): RunRecord[] => JSON.parse(JSON.stringify(records)) as RunRecord[];

async function collect(records: AsyncIterable<RunRecord>): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

const HETEROGENEOUS: RunRecord[] = [
  makeRun({ logId: 'no-nodes', nodes: null }),
  makeRun({ logId: 'empty-nodes', nodes: [] }),
  makeRun({
    logId: 'iterations-and-loops',
    totalSteps: 5,
    nodes: [
      makeNode({
        id: 'e1',
        nodeId: 'start',
        nodeType: 'start',
        index: 1,
        totalTokens: 0,
        promptTokens: null,
        completionTokens: null,
        totalPrice: null,
        currency: null,
        modelProvider: null,
        modelName: null,
      }),
      makeNode({ id: 'e2', nodeId: 'iteration', nodeType: 'iteration', index: 2, predecessorNodeId: 'start' }),
      makeNode({
        id: 'e3',
        index: 3,
        iterationId: 'iteration',
        iterationIndex: 0,
        inputs: { prompt: 'a' },
        outputs: { text: 'b' },
        processData: { usage: { prompt_tokens: 100 } },
      }),
      makeNode({ id: 'e4', index: 4, iterationId: 'iteration', iterationIndex: 1, currency: 'RMB', totalPrice: 0.5 }),
      makeNode({ id: 'e5', index: 5, loopId: 'loop', loopIndex: 7, status: 'exception', error: 'boom' }),
    ],
  }),
  makeRun({
    logId: 'legacy-node',
    nodes: [(({ promptTokens: _p, completionTokens: _c, ...node }) => node)(makeNode())],
  }),
  makeRun({
    logId: 'unicode 用户 🎉',
    appId: '应用',
    error: AWKWARD_TEXT.join('|'),
    inputs: Object.fromEntries(AWKWARD_TEXT.map((text, index) => [`${text}${index}`, text])),
    endUserSessionId: '😀',
  }),
  makeRun({
    logId: 'huge',
    outputs: { text: 'x'.repeat(3 * 2 ** 20), nested: { list: Array.from({ length: 10_000 }, (_, index) => index) } },
  }),
  makeRun({
    logId: 'all-null',
    runId: null,
    status: null,
    workflowVersion: null,
    triggeredFrom: null,
    createdFrom: null,
    createdByRole: null,
    endUserSessionId: null,
    accountEmail: null,
    finishedAt: null,
    elapsedTime: null,
    totalTokens: null,
    totalSteps: null,
    exceptionsCount: null,
    error: null,
    inputs: null,
    outputs: null,
    nodes: null,
    enrichmentError: { stage: 'detail', code: 'not_found', message: 'run detail 404' },
  }),
  makeRun({
    logId: 'wrapped',
    inputs: { value: [1, 'two', null] },
    outputs: {},
    elapsedTime: 0.1 + 0.2,
    totalTokens: 2 ** 40,
  }),
];

describe('record ↔ row', () => {
  it('rebuilds each record from its row, keys in RunRecord order', () => {
    for (const record of HETEROGENEOUS) {
      const rebuilt = fromRunRow(toRunRow(record));
      expect(rebuilt).toEqual(record);
      expect(JSON.stringify(rebuilt)).toBe(JSON.stringify(record));
    }
  });

  it('derives node count and price, and no price across currencies', () => {
    const [noNodes, , mixed] = HETEROGENEOUS.map(toRunRow);
    expect(noNodes).toMatchObject({ nodeCount: null, totalPrice: null, currency: null });
    expect(mixed).toMatchObject({ nodeCount: 5, totalPrice: null, currency: null });
    const single = toRunRow(
      makeRun({
        nodes: [
          makeNode({ totalPrice: 0.25 }),
          makeNode({ totalPrice: null, currency: null }),
          makeNode({ totalPrice: 0.5 }),
        ],
      }),
    );
    expect(single).toMatchObject({ nodeCount: 3, totalPrice: 0.75, currency: 'USD' });
  });

  it('gives one node row per node execution, with the run keys', () => {
    const rows = toNodeRows(HETEROGENEOUS[2]!);
    expect(rows).toHaveLength(5);
    expect(rows[2]).toMatchObject({
      appId: 'app-1',
      logId: 'iterations-and-loops',
      runId: 'run-1',
      nodeExecutionId: 'e3',
      iterationId: 'iteration',
      iterationIndex: 0,
      createdAt: Date.parse('2026-03-02T08:35:12.000Z'),
    });
    expect(toNodeRows(makeRun({ nodes: null }))).toEqual([]);
  });

  it('names the column and the run for a value the column cannot hold', async () => {
    expect(() => toRunRow(makeRun({ logId: 'bad', loggedAt: 'yesterday' }))).toThrow(
      /runs\.loggedAt of run "bad": not an ISO-8601 time/,
    );
    const folder = await mkdtemp(join(tmpdir(), 'dify-logs-parquet-reject-'));
    const path = join(folder, 'runs.parquet');
    const writer = createParquetFileWriter(path, RUNS_TABLE);
    const record = makeRun({ logId: 'typed' });
    const row = toRunRow(record);
    expect(() => writer.add({ ...row, totalTokens: '12' as unknown as number })).toThrow(ParquetValueError);
    expect(() => writer.add({ ...row, totalSteps: 1.5 })).toThrow(
      /runs\.totalSteps of run "typed": expected a 32-bit integer, got 1\.5/,
    );
    expect(() => writer.add({ ...row, appId: null as unknown as string })).toThrow(
      /runs\.appId of run "typed": is required/,
    );
    // A rejected row leaves nothing behind: the table goes on with the next rows.
    writer.add(row);
    await writer.close();
    expect(await collect(readParquetRecords(path))).toEqual([record]);
    await writer.dispose();
    await rm(folder, { recursive: true, force: true });
  });
});

describe('Parquet round trip', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dify-logs-parquet-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads heterogeneous records back from a file exactly', async () => {
    const path = join(dir, 'heterogeneous.parquet');
    const writer = createParquetFileWriter(path, RUNS_TABLE, { rowGroupSize: 3 });
    for (const record of HETEROGENEOUS) await writer.add(toRunRow(record));
    await writer.close();
    const back = await collect(readParquetRecords(path));
    expect(back).toEqual(HETEROGENEOUS);
    expect(back.map((record) => JSON.stringify(record))).toEqual(HETEROGENEOUS.map((record) => JSON.stringify(record)));
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`reads random records back exactly (seed ${seed})`, async () => {
      const records = randomRecords(300, seed);
      const bytes = await encodeParquetPart(records, { rowGroupSize: 64 });
      const back = await collect(decodeParquetPart(bytes));
      expect(back).toEqual(viaJson(records));
      expect(back.map((record) => JSON.stringify(record))).toEqual(records.map((record) => JSON.stringify(record)));
    });
  }

  it('encodes from an async iterable and an empty input', async () => {
    async function* stream() {
      yield* HETEROGENEOUS;
    }
    expect(await collect(decodeParquetPart(await encodeParquetPart(stream())))).toEqual(HETEROGENEOUS);
    expect(await collect(decodeParquetPart(await encodeParquetPart([])))).toEqual([]);
  });
});
