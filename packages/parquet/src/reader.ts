import type { RunRecord } from '@dify-logs/core';
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
  type ParquetParsers,
} from 'hyparquet';
import { ParquetFileError } from './errors/parquet-file-error.js';
import { fromRunRow, type StoredRunRow } from './rows.js';
import { DERIVED_RUN_COLUMNS, PARQUET_SCHEMA_VERSION, RUNS_TABLE } from './schema.js';
import { SCHEMA_METADATA_KEY, TABLE_METADATA_KEY } from './writer.js';

/** The runs-table columns a RunRecord is rebuilt from (the derived query columns are not read). */
const STORED_COLUMNS = RUNS_TABLE.columns.filter((column) => !DERIVED_RUN_COLUMNS.includes(column.name));
const READ_COLUMN_NAMES = STORED_COLUMNS.map((column) => column.name);
const INTEGER_COLUMNS = STORED_COLUMNS.filter((column) => column.kind === 'int64' || column.kind === 'int32').map(
  (column) => column.name,
);

const text = new TextDecoder();
/** Times as epoch milliseconds (whatever unit a rewriting tool chose), JSON as its text. */
const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint) => Number(millis),
  timestampFromMicroseconds: (micros: bigint) => Number(micros / 1000n),
  timestampFromNanoseconds: (nanos: bigint) => Number(nanos / 1_000_000n),
  jsonFromBytes: (bytes: Uint8Array) => bytes && text.decode(bytes),
};

/** The key-value metadata of a file as an object. */
function keyValues(metadata: FileMetaData): Record<string, string | undefined> {
  return Object.fromEntries((metadata.key_value_metadata ?? []).map((entry) => [entry.key, entry.value]));
}

/**
 * Checks that a file is a runs table this version reads: its `dify-logs.*` metadata when present (a table rewritten
 * by another tool may have lost it), and the columns in every case.
 */
export function checkRunsTable(metadata: FileMetaData, name: string): void {
  const meta = keyValues(metadata);
  const table = meta[TABLE_METADATA_KEY];
  if (table !== undefined && table !== RUNS_TABLE.name) {
    throw new ParquetFileError(
      name,
      `this is the dify-logs ${table} table; records are read from the runs table (the report's ….runs.parquet file)`,
    );
  }
  const version = meta[SCHEMA_METADATA_KEY];
  if (version !== undefined && !(Number(version) <= PARQUET_SCHEMA_VERSION)) {
    throw new ParquetFileError(
      name,
      `written with dify-logs Parquet schema ${version}; this version reads ` +
        `schema ${PARQUET_SCHEMA_VERSION} and older (upgrade @dify-logs/parquet)`,
    );
  }
  const present = new Set(parquetSchema(metadata).children.map((child) => child.element.name));
  const missing = READ_COLUMN_NAMES.filter((column) => !present.has(column));
  if (missing.length > 0) {
    const what = table === undefined ? 'not a dify-logs runs table' : 'a damaged dify-logs runs table';
    throw new ParquetFileError(
      name,
      `${what}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (has ` +
        `${[...present].slice(0, 12).join(', ') || 'none'}${present.size > 12 ? ', …' : ''})`,
    );
  }
}

/** The file's metadata, or a ParquetFileError when it is not Parquet. */
async function metadataOf(file: AsyncBuffer, name: string): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(file);
  } catch (error) {
    throw new ParquetFileError(name, `not a Parquet file (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
}

/** Rebuilds the RunRecords of a runs table, one row group in memory at a time. */
export async function* readRunsTable(file: AsyncBuffer, name: string): AsyncGenerator<RunRecord> {
  const metadata = await metadataOf(file, name);
  checkRunsTable(metadata, name);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Array<Record<string, unknown>>;
    try {
      rows = await parquetReadObjects({
        file,
        metadata,
        rowStart,
        rowEnd,
        columns: READ_COLUMN_NAMES,
        parsers: PARSERS,
      });
    } catch (error) {
      throw new ParquetFileError(
        name,
        `cannot read rows ${rowStart}–${rowEnd - 1} (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
    for (let index = 0; index < rows.length; index += 1) {
      const row = rows[index]!;
      for (const column of INTEGER_COLUMNS) if (typeof row[column] === 'bigint') row[column] = Number(row[column]);
      let record: RunRecord;
      try {
        record = fromRunRow(row as unknown as StoredRunRow);
      } catch (error) {
        throw new ParquetFileError(
          name,
          `row ${rowStart + index}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      yield record;
    }
    rowStart = rowEnd;
  }
}

/**
 * Streams the RunRecords of a Parquet runs table (a `….runs.parquet` report file, or an archive part written as
 * Parquet), reading one row group at a time, so memory stays flat whatever the file's size. A file that is not
 * Parquet, or not a dify-logs runs table, throws a ParquetFileError naming it.
 */
export async function* readParquetRecords(path: string): AsyncGenerator<RunRecord> {
  yield* readRunsTable(await asyncBufferFromFile(path), path);
}

/** An AsyncBuffer over bytes in memory (no copy of the whole). */
export function bufferOf(bytes: Uint8Array): AsyncBuffer {
  return {
    byteLength: bytes.byteLength,
    slice: (start, end) =>
      bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + (end ?? bytes.byteLength)) as ArrayBuffer,
  };
}
