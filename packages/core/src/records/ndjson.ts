import { isAscii } from 'node:buffer';
import { open } from 'node:fs/promises';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import type { RunRecord } from './schema.js';

/** An NDJSON file that is not a RunRecord archive: names the file, the line and what is wrong. */
export class RecordFileError extends DifyLogsError {
  /** What is wrong, without the file and line. */
  readonly problem: string;

  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file} line ${line}: ${message}`, { code: 'invalid_record' });
    this.name = 'RecordFileError';
    this.problem = message;
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

/** Bytes read from a file at a time; the buffer is reused, so memory stays flat and no page is faulted in twice. */
export const READ_CHUNK_BYTES = 1 << 20;

/**
 * Cuts NDJSON bytes, chunk by chunk, into RunRecords. Blank lines are skipped; a line that is not
 * JSON, or lacks `appId`, `logId` or `loggedAt`, throws a RecordFileError naming the line. Lines are
 * decoded one by one from the bytes (JSON.parse of a flat string is much faster than of a slice of a
 * big one), as Latin-1 when the chunk is ASCII (the same text, decoded faster). A chunk may be reused
 * by the caller once `push` returns: the partial line at its end is copied.
 */
export class RunRecordLines {
  /** Lines seen so far (the number of the last line parsed). */
  line: number;
  #rest: Buffer | undefined;

  constructor(
    readonly name: string,
    firstLine = 0,
  ) {
    this.line = firstLine;
  }

  push(chunk: Buffer, onRecord: (record: RunRecord) => void): void {
    let start = 0;
    if (this.#rest) {
      const newline = chunk.indexOf(10);
      if (newline === -1) {
        this.#rest = Buffer.concat([this.#rest, chunk]);
        return;
      }
      const joined = Buffer.concat([this.#rest, chunk.subarray(0, newline)]);
      this.#rest = undefined;
      this.#parse(joined, 0, joined.length, false, onRecord);
      start = newline + 1;
    }
    const ascii = isAscii(chunk);
    for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
      this.#parse(chunk, start, end, ascii, onRecord);
      start = end + 1;
    }
    if (start < chunk.length) this.#rest = Buffer.from(chunk.subarray(start));
  }

  /** The last line, when the bytes did not end with a line feed. */
  end(onRecord: (record: RunRecord) => void): void {
    const rest = this.#rest;
    this.#rest = undefined;
    if (rest) this.#parse(rest, 0, rest.length, false, onRecord);
  }

  #parse(buffer: Buffer, start: number, end: number, ascii: boolean, onRecord: (record: RunRecord) => void): void {
    this.line += 1;
    if (end > start && buffer[end - 1] === 13) end -= 1;
    if (end === start) return;
    let text = buffer.toString(ascii ? 'latin1' : 'utf8', start, end);
    // A byte-order mark (files saved by some editors) before the first line.
    if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (text.trim() === '') return;
      throw new RecordFileError(this.name, this.line, `not JSON (${jsonReason((error as Error).message)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new RecordFileError(this.name, this.line, 'expected a RunRecord object');
    const record = value as Partial<RunRecord>;
    if (typeof record.appId !== 'string' || typeof record.logId !== 'string' || typeof record.loggedAt !== 'string') {
      const field =
        typeof record.appId !== 'string' ? 'appId' : typeof record.logId !== 'string' ? 'logId' : 'loggedAt';
      throw new RecordFileError(this.name, this.line, `field ${field} must be a string (is this a dify-logs archive?)`);
    }
    onRecord(record as RunRecord);
  }
}

/** V8's reason for a JSON.parse failure without the quoted line (records carry user data). */
function jsonReason(message: string): string {
  return message
    .replace(/,? ".*" is not valid JSON$/s, '')
    .replace(/^Unexpected token '(.)'$/su, (_, token: string) => `unexpected ${JSON.stringify(token)}`);
}

/**
 * Streams the RunRecords of an NDJSON archive (a file path, or any byte stream with `name` for errors).
 * Blank lines are skipped; a line that is not JSON, or lacks `appId`, `logId` or `loggedAt`, throws a
 * RecordFileError naming the line. Only the current chunk is held in memory.
 */
export async function* readRunRecords(
  source: string | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  name = typeof source === 'string' ? source : 'input',
): AsyncGenerator<RunRecord> {
  const lines = new RunRecordLines(name);
  let batch: RunRecord[] = [];
  const collect = (record: RunRecord) => {
    batch.push(record);
  };
  for await (const chunk of typeof source === 'string' ? readChunks(source) : source) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    yield* parsed(() => lines.push(bytes, collect));
  }
  yield* parsed(() => lines.end(collect));

  /** The records `parse` found, then its error if it threw: records before a bad line still arrive first. */
  function* parsed(parse: () => void): Generator<RunRecord> {
    let failure: { error: unknown } | undefined;
    try {
      parse();
    } catch (error) {
      failure = { error };
    }
    const records = batch;
    batch = [];
    yield* records;
    if (failure) throw failure.error;
  }
}

/** The bytes of a file in chunks of one reused buffer: each chunk is valid until the next is asked for. */
async function* readChunks(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
