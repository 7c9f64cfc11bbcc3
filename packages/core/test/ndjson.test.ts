import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRunRecords, RecordFileError, type RunRecord } from '../src/index.js';
import { lineStartFrom, linesBefore, readRunRecordRange } from '../src/records/ndjson-range.js';
import { splitNdjsonFile } from '../src/records/ndjson-range.js';
import { run } from './support/records.js';

async function file(text: string | Buffer): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'dify-logs-ndjson-')), 'runs.ndjson');
  await writeFile(path, text);
  return path;
}

async function collect(source: AsyncIterable<RunRecord>): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of source) ids.push(record.logId);
  return ids;
}

const line = (logId: string, extra: Partial<RunRecord> = {}) => JSON.stringify(run({ logId, ...extra }));

describe('readRunRecords', () => {
  it(
    'reads lines split anywhere across chunks, CRLF and ' + 'blank lines, UTF-8 and Latin-1-looking text alike',
    async () => {
      const text = `${line('a', { error: '中文 🎉 é' })}\r\n\n${line('b')}\n   \n${line('c', { error: 'plain' })}`;
      const bytes = Buffer.from(text, 'utf8');
      for (const size of [1, 2, 3, 7, 64, bytes.length]) {
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
        const records: RunRecord[] = [];
        for await (const record of readRunRecords(chunks, 'chunks')) records.push(record);
        expect(records.map((record) => [record.logId, record.error])).toEqual([
          ['a', '中文 🎉 é'],
          ['b', null],
          ['c', 'plain'],
        ]);
      }
      expect(await collect(readRunRecords(await file(text)))).toEqual(['a', 'b', 'c']);
    },
  );

  it('hands out the records before a bad line, then names the file and line', async () => {
    const path = await file(`${line('a')}\n${line('b')}\n\n{"appId": broken\n${line('d')}\n`);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const record of readRunRecords(path, 'runs.ndjson')) seen.push(record.logId);
    })().catch((caught: unknown) => caught);
    expect(seen).toEqual(['a', 'b']);
    expect(error).toBeInstanceOf(RecordFileError);
    expect((error as RecordFileError).message).toMatch(/^runs\.ndjson line 4: not JSON/);
    expect((error as RecordFileError).problem).toMatch(/^not JSON/);
    await expect(
      collect(readRunRecords(await file(`${line('a')}\n{"appId":"x","logId":"y"}\n`), 'x.ndjson')),
    ).rejects.toThrow('x.ndjson line 2: field loggedAt must be a string');
  });
});

describe('byte ranges of an NDJSON file', () => {
  it('cuts at line starts and reads the same records, whatever the cuts (property)', async () => {
    const lines = Array.from({ length: 40 }, (_, index) =>
      line(`log-${index}`, { error: index % 7 === 0 ? `é ${'x'.repeat(index * 13)}` : null }),
    );
    const path = await file(`${lines.join('\n')}\n`);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), async (parts) => {
        const ranges = splitNdjsonFile(path, parts);
        expect(ranges.length).toBeLessThanOrEqual(parts);
        const ids: string[] = [];
        for (const range of ranges) {
          expect(range.start === 0 || linesBefore(path, range.start) > 0).toBe(true);
          readRunRecordRange(path, range, 'runs.ndjson', (record) => ids.push(record.logId));
        }
        expect(ids).toEqual(lines.map((_, index) => `log-${index}`));
      }),
      { numRuns: 30 },
    );
  });

  it('finds line starts, counts lines before an offset, and numbers bad lines from the range start', async () => {
    const text = `${line('a')}\n${line('b')}\nnot json\n${line('d')}`;
    const path = await file(text);
    const second = text.indexOf('\n') + 1;
    expect(lineStartFrom(path, 0)).toBe(0);
    expect(lineStartFrom(path, 1)).toBe(second);
    expect(lineStartFrom(path, second)).toBe(second);
    expect(lineStartFrom(path, text.length - 2)).toBe(text.length);
    expect(linesBefore(path, second)).toBe(1);
    expect(linesBefore(path, text.length)).toBe(3);
    expect(splitNdjsonFile(await file(''), 4)).toEqual([]);
    const error = (() => {
      try {
        readRunRecordRange(path, { start: second, end: text.length }, 'runs.ndjson', () => undefined);
      } catch (caught) {
        return caught as RecordFileError;
      }
      return undefined;
    })();
    expect(error?.line).toBe(2);
    expect(linesBefore(path, second) + error!.line).toBe(3);
  });
});
