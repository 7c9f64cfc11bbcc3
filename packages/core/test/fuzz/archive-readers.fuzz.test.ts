import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createArchiveWriter } from '../../src/archive/archive-writer.js';
import { readArchive, verifyArchive } from '../../src/archive/archive-reader.js';
import { memoryStorage } from '../../src/adapters/memory-storage.js';
import type { StorageAdapter } from '../../src/adapters/storage.js';
import { DifyLogsError } from '../../src/errors/dify-logs-error.js';
import { readRunRecords, RecordFileError } from '../../src/records/ndjson.js';
import type { RunRecord } from '../../src/records/schema.js';
import { run } from '../support/records.js';
import { hostileValue, nestedText, RUNS, setPath } from './arbitraries.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Awaits `action`; anything thrown that is not a DifyLogsError fails the test. */
async function onlyDifyLogsErrors(action: () => Promise<unknown>): Promise<DifyLogsError | undefined> {
  try {
    await action();
    return undefined;
  } catch (error) {
    if (!DifyLogsError.isInstance(error))
      throw new Error(`expected only DifyLogsError, got ${String(error)}`, { cause: error });
    return error;
  }
}

/** Bytes cut into random chunks, as a stream delivers them. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

const hostileLine = fc.oneof(
  fc.constantFrom(
    '\uFEFF{"appId":"a","logId":"l","loggedAt":"t"}',
    '{"__proto__":{"appId":"a","logId":"l","loggedAt":"t"}}',
    '{"appId":"a","logId":"l"}',
    'null',
    '[]',
    '"text"',
    '{"appId":1,"logId":"l","loggedAt":"t"}',
    nestedText(50_000),
    '\r',
    ' \t ',
  ),
  fc.json().map((text) => text.replace(/\n/g, ' ')),
  fc.string({ unit: 'binary', maxLength: 60 }).map((text) => text.replace(/\n/g, ' ')),
  hostileValue.map((value) => {
    try {
      return (JSON.stringify(setPath(run(), ['inputs'], value)) ?? 'undefined').replace(/\n/g, ' ');
    } catch {
      return '{}';
    }
  }),
);

describe('NDJSON reader under hostile bytes (fast-check)', () => {
  it('any lines, any chunking, invalid UTF-8: records or a RecordFileError naming the line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileLine, { maxLength: 8 }),
        fc.uint8Array({ maxLength: 16 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (lines, garbage, cuts) => {
          const bytes = Buffer.concat([Buffer.from(lines.join('\n'), 'utf8'), Buffer.from(garbage)]);
          const error = await onlyDifyLogsErrors(() => collect(readRunRecords(chunked(bytes, cuts), 'fuzz.ndjson')));
          if (error) {
            expect(RecordFileError.prototype.isPrototypeOf(error) || error.name === 'RecordFileError').toBe(true);
            expect(error.message).toMatch(/^fuzz\.ndjson line \d+: /);
          }
          expect(({} as Record<string, unknown>).appId).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a line that is not JSON is named, not quoted (records carry user data)', async () => {
    const error = await onlyDifyLogsErrors(() =>
      collect(readRunRecords([Buffer.from('{"appId":"a","inputs":{"password":"hunter2-secret"} oops\n')], 'x.ndjson')),
    );
    expect(error?.message).toMatch(/^x\.ndjson line 1: not JSON \(/);
    expect(error?.message).not.toContain('hunter2-secret');
  });

  it('a byte-order mark before the first record is read past (files saved by Windows editors)', async () => {
    const bytes = Buffer.from(`\uFEFF${JSON.stringify(run())}\n${JSON.stringify(run({ logId: 'log-2' }))}\n`, 'utf8');
    const records = await collect(readRunRecords([bytes.subarray(0, 2), bytes.subarray(2)], 'bom.ndjson'));
    expect(records.map((record) => record.logId)).toEqual(['log-1', 'log-2']);
  });
});

/** An archive of two partitions in memory; `tamper` replaces what `read` returns for chosen keys. */
async function archive(): Promise<{
  storage: StorageAdapter;
  manifests: string[];
  parts: string[];
  tamper: Map<string, Uint8Array>;
}> {
  const base = memoryStorage();
  const writer = createArchiveWriter(base, {
    job: 'daily',
    runId: 'run-a',
    window: { from: '2026-03-08T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' },
  });
  for (const [index, day] of ['2026-03-08', '2026-03-09'].entries()) {
    await writer.add(run({ logId: `log-${index}`, loggedAt: `${day}T10:00:00.000Z` }) as RunRecord);
  }
  const result = await writer.finish();
  const tamper = new Map<string, Uint8Array>();
  const storage: StorageAdapter = { ...base, read: async (key) => tamper.get(key) ?? base.read(key) };
  return {
    storage,
    manifests: result.manifests.map((object) => object.key),
    parts: result.parts.map((object) => object.key),
    tamper,
  };
}

const QUERY = { from: '2026-03-08', to: '2026-03-09' };

describe('archive reader under hostile objects (fast-check)', () => {
  it('the untouched archive reads and verifies', async () => {
    const { storage } = await archive();
    expect((await collect(readArchive(storage, QUERY))).map((record) => record.logId)).toEqual(['log-0', 'log-1']);
    expect((await verifyArchive(storage, QUERY)).problems).toEqual([]);
  });

  it(
    'a manifest replaced by anything: read and verify fail ' + 'with a DifyLogsError naming the manifest, or skip it',
    async () => {
      const manifestBody = fc.oneof(
        hostileValue.map((value) => {
          try {
            return JSON.stringify(value) ?? '';
          } catch {
            return '';
          }
        }),
        fc.constantFrom(
          '',
          '{',
          '\uFEFF{"schemaVersion":1}',
          '{"schemaVersion":1}',
          '{"schemaVersion":1,"parts":"x"}',
          '{"schemaVersion":1,"parts":[null]}',
          '{"schemaVersion":1,"parts":[{"key":"../../etc/passwd"}]}',
          '{"schemaVersion":1,"parts":[],"generatedAt":5}',
          nestedText(100_000),
        ),
        fc.string({ unit: 'binary', maxLength: 40 }),
      );
      const { storage, manifests, tamper } = await archive();
      await fc.assert(
        fc.asyncProperty(manifestBody, async (body) => {
          tamper.set(manifests[0]!, Buffer.from(body, 'utf8'));
          for (const action of [() => collect(readArchive(storage, QUERY)), () => verifyArchive(storage, QUERY)]) {
            const error = await onlyDifyLogsErrors(action);
            if (error) expect(error.message).toContain(manifests[0]);
          }
        }),
        { numRuns: RUNS },
      );
    },
  );

  it(
    'a part replaced by random bytes, truncated gzip or gzipped junk: read fails ' +
      'with a DifyLogsError naming the part or skips nothing silently, verify reports it',
    async () => {
      const partBody = fc.oneof(
        fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
        fc.array(hostileLine, { maxLength: 4 }).map((lines) => gzipSync(lines.join('\n'))),
        fc.constant(gzipSync(Buffer.alloc(0))),
        fc.constant(gzipSync(`${JSON.stringify(run())}\n`).subarray(0, 20)),
      );
      const { storage, parts, tamper } = await archive();
      await fc.assert(
        fc.asyncProperty(partBody, async (body) => {
          tamper.set(parts[0]!, body);
          const error = await onlyDifyLogsErrors(() => collect(readArchive(storage, QUERY)));
          if (error) expect(error.message).toContain(parts[0]);
          const verified = await verifyArchive(storage, QUERY);
          expect(verified.problems.map((problem) => problem.part)).toContain(parts[0]);
        }),
        { numRuns: Math.min(RUNS, 200) },
      );
    },
  );
});
