import type { ArchivePartFormat } from '@dify-logs/core/archive';
import type { RunRecord } from '@dify-logs/core';
import { readRunsTable, bufferOf } from './reader.js';
import { PARQUET_CONTENT_TYPE } from './reporter.js';
import { toRunRow } from './rows.js';
import { RUNS_TABLE } from './schema.js';
import { createParquetBufferWriter, type ParquetWriterOptions } from './writer.js';

/**
 * One archive part as a Parquet runs table in memory (a partition is one app and one UTC day, so its size is
 * bounded). Node executions are in the `nodes` JSON column, so `decodeParquetPart` gives the records back whole.
 */
export async function encodeParquetPart(
  records: Iterable<RunRecord> | AsyncIterable<RunRecord>,
  options: ParquetWriterOptions = {},
): Promise<Uint8Array> {
  const writer = createParquetBufferWriter(RUNS_TABLE, options);
  for await (const record of records) {
    const pending = writer.add(toRunRow(record));
    if (pending) await pending;
  }
  return writer.close();
}

/** The RunRecords of a Parquet archive part; `name` (the object key) goes into errors. */
export function decodeParquetPart(bytes: Uint8Array, name = 'Parquet archive part'): AsyncGenerator<RunRecord> {
  return readRunsTable(bufferOf(bytes), name);
}

/**
 * The archive format for `createArchiveWriter({ formats })`: each NDJSON part also written as `….part-N.parquet`
 * (or, with `ndjson: false`, only as Parquet); `readArchive`/`verifyArchive` take it to read such parts.
 */
export function parquetArchiveFormat(options: ParquetWriterOptions = {}): ArchivePartFormat {
  return {
    format: 'parquet',
    extension: 'parquet',
    contentType: PARQUET_CONTENT_TYPE,
    encode: (records) => encodeParquetPart(records, options),
    decode: decodeParquetPart,
  };
}
