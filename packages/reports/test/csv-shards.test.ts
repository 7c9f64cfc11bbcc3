import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@dify-logs/core';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvReporter, type CsvReporterOptions } from '../src/index.js';
import { createCsvShardWriter } from '../src/csv/shards.js';
import { CsvReportStream, type CsvStreamOptions } from '../src/csv/stream.js';
import { csvField } from '../src/csv/encode.js';
import { drive } from './fixtures/drive.js';
import { HOSTILE, makeNode, makeRun, minimalAnalysis } from './fixtures/records.js';

/** The CSV report of `records` cut into shards at `cuts`, through shard writers and a CsvReportStream. */
async function sharded(
  records: RunRecord[],
  cuts: number[],
  options: CsvStreamOptions = {},
): Promise<{ runs: Buffer; nodes: Buffer } | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'dify-logs-csv-shards-'));
  try {
    const stream = new CsvReportStream(
      { runs: join(dir, 'runs.csv'), nodes: join(dir, 'nodes.csv') },
      { syncEveryBytes: 1024, ...options },
    );
    const bounds = [0, ...cuts.filter((cut) => cut > 0 && cut < records.length).sort((a, b) => a - b), records.length];
    for (let index = 0; index + 1 < bounds.length; index += 1) {
      const writer = createCsvShardWriter(dir, options);
      for (const record of records.slice(bounds[index], bounds[index + 1])) writer.add(record);
      stream.add(writer.finish());
    }
    if (!(await stream.finish())) {
      stream.dispose();
      return undefined;
    }
    return { runs: await readFile(join(dir, 'runs.csv')), nodes: await readFile(join(dir, 'nodes.csv')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The CSV report of `records` through csvReporter, as one thread writes it. */
async function sequential(records: RunRecord[], options: CsvReporterOptions = {}) {
  const driven = await drive(csvReporter(options), records, minimalAnalysis());
  await driven.cleanup();
  return { runs: driven.bodies[0]!, nodes: driven.bodies[1]! };
}

/** Runs whose variable columns come and go: new keys appear late, in different orders, outputs missing. */
function heterogeneous(count: number): RunRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const inputs: Record<string, unknown> | null =
      index % 11 === 5
        ? null
        : {
            query: HOSTILE[index % HOSTILE.length],
            ...(index % 3 === 0 ? { lang: 'zh' } : {}),
            ...(index > count / 2 && index % 4 === 1 ? { late: { a: index, b: [index] } } : {}),
            ...(index % 5 === 0 ? { empty: {} } : {}),
          };
    const outputs: Record<string, unknown> | null =
      index % 7 === 3
        ? null
        : index % 9 === 0
          ? { extra: index, answer: `a ${index}` }
          : { answer: HOSTILE[(index * 5) % HOSTILE.length] };
    return makeRun({
      logId: `log-${index}`,
      runId: `run-${index}`,
      inputs,
      outputs,
      elapsedTime: index / 7,
      nodes:
        index % 4 === 0
          ? [
              makeNode({ id: `e-${index}`, error: index % 8 === 0 ? 'a,"b"\nc' : null }),
              makeNode({ id: `f-${index}`, elapsedTime: -index }),
            ]
          : null,
    });
  });
}

describe('CSV shards', () => {
  it('make the same files as one writer, wherever the shards are cut (property)', async () => {
    const records = heterogeneous(60);
    const expected = await sequential(records);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(60), { maxLength: 6 }), async (cuts) => {
        const actual = await sharded(records, cuts);
        expect(actual!.runs.toString('utf8')).toBe(expected.runs.toString('utf8'));
        expect(actual!.nodes.equals(expected.nodes)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it(
    'start the runs file over when a later shard brings ' + 'new columns, and handle empty shards and periods',
    async () => {
      const early = Array.from({ length: 5 }, (_, index) =>
        makeRun({ logId: `e${index}`, inputs: { q: index }, outputs: null }),
      );
      const late = [
        makeRun({ logId: 'l1', inputs: { other: 'x', q: 9 }, outputs: { answer: 'y' } }),
        makeRun({ logId: 'l2', inputs: {}, outputs: {} }),
      ];
      const records = [...early, ...late];
      const expected = await sequential(records);
      expect((await sharded(records, [2, 5, 5]))!.runs.equals(expected.runs)).toBe(true);
      // Past the restart size, the runs file is written at the end instead.
      expect((await sharded(records, [2, 5, 5], { restartBytes: 0 }))!.runs.equals(expected.runs)).toBe(true);
      const empty = await sequential([]);
      const none = (await sharded([], []))!;
      expect(none.runs.equals(empty.runs) && none.nodes.equals(empty.nodes)).toBe(true);
    },
  );

  it(
    'keep the cap of variable columns when one shard ' + 'overflows it, and give up when shards overflow it together',
    async () => {
      const records = [
        makeRun({ logId: 'a', inputs: { a: 1, b: 2, c: 3 } }),
        makeRun({ logId: 'b', inputs: { d: 4 } }),
      ];
      const expected = await sequential(records, { maxInputColumns: 2 });
      expect((await sharded(records, [], { maxInputColumns: 2 }))!.runs.equals(expected.runs)).toBe(true);
      expect(await sharded(records, [1], { maxInputColumns: 2 })).toBeUndefined();
      expect(
        await sharded([makeRun({ logId: 'a', inputs: { a: 1 } }), makeRun({ logId: 'b', inputs: { b: 2 } })], [1], {
          maxInputColumns: 2,
        }),
      ).toBeDefined();
    },
  );
});

describe('csvField', () => {
  it('writes every cell exactly as csv-stringify does (property)', () => {
    const unit = fc.oneof(
      fc.constantFrom(',', '"', '\r', '\n', ' ', '中', '🎉'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit, maxLength: 20 }), fc.double(), fc.integer(), fc.constant(null)),
        (cell) => {
          expect(csvField(cell)).toBe(
            stringify([[cell]], { record_delimiter: '\r\n', quote_record_delimiter: true, eof: false }),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
