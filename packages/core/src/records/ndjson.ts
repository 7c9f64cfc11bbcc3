import { createReadStream } from 'node:fs';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import type { RunRecord } from './schema.js';

/** An NDJSON file that is not a RunRecord archive: names the file, the line and what is wrong. */
export class RecordFileError extends DifyLogsError {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file} line ${line}: ${message}`, { code: 'invalid_record' });
    this.name = 'RecordFileError';
  }
}

/** NDJSON bytes of records, in chunks of about 64 KiB: the archive format. */
export async function* toNdjson(records: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  let buffer = '';
  for await (const record of records) {
    buffer += `${JSON.stringify(record)}\n`;
    if (buffer.length >= 64 * 1024) {
      yield Buffer.from(buffer, 'utf8');
      buffer = '';
    }
  }
  if (buffer !== '') yield Buffer.from(buffer, 'utf8');
}

/**
 * Streams the RunRecords of an NDJSON archive (a file path, or any byte stream with `name` for errors).
 * Blank lines are skipped; a line that is not JSON, or lacks `appId`, `logId` or `loggedAt`, throws a
 * RecordFileError naming the line. Only the current chunk is held in memory. Lines are cut from the
 * bytes and decoded one by one: JSON.parse of a flat string is much faster than of a slice of a big one.
 */
export async function* readRunRecords(source: string | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, name = typeof source === 'string' ? source : 'input'): AsyncGenerator<RunRecord> {
  const stream = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source;
  let line = 0;
  const parse = (buffer: Buffer, start: number, end: number): RunRecord | undefined => {
    line += 1;
    if (end > start && buffer[end - 1] === 13) end -= 1;
    if (end === start) return undefined;
    const text = buffer.toString('utf8', start, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (text.trim() === '') return undefined;
      throw new RecordFileError(name, line, `not JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RecordFileError(name, line, 'expected a RunRecord object');
    const record = value as Partial<RunRecord>;
    if (typeof record.appId !== 'string' || typeof record.logId !== 'string' || typeof record.loggedAt !== 'string') {
      const field = typeof record.appId !== 'string' ? 'appId' : typeof record.logId !== 'string' ? 'logId' : 'loggedAt';
      throw new RecordFileError(name, line, `field ${field} must be a string (is this a dify-logs archive?)`);
    }
    return record as RunRecord;
  };
  let rest: Buffer | undefined;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buffer = rest && rest.length > 0 ? Buffer.concat([rest, bytes]) : bytes;
    let start = 0;
    for (let end = buffer.indexOf(10, start); end !== -1; end = buffer.indexOf(10, start)) {
      const record = parse(buffer, start, end);
      if (record) yield record;
      start = end + 1;
    }
    rest = buffer.subarray(start);
  }
  if (rest && rest.length > 0) {
    const record = parse(rest, 0, rest.length);
    if (record) yield record;
  }
}
