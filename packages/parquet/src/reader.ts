import type { ConversationRecord, MessageRecord, RunRecord } from '@dify-logs/core';
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
import { fromConversationRow, fromMessageRow } from './chat-rows.js';
import { CONVERSATIONS_TABLE, MESSAGES_TABLE } from './chat-schema.js';
import { fromRunRow } from './rows.js';
import { DERIVED_RUN_COLUMNS, PARQUET_SCHEMA_VERSION, RUNS_TABLE, type TableDefinition } from './schema.js';
import { SCHEMA_METADATA_KEY, TABLE_METADATA_KEY } from './writer.js';

/** A table records are read back from: the columns read and how a row (integers as numbers) becomes a record. */
interface RecordTable<R> {
  table: TableDefinition<unknown>;
  columns: string[];
  integers: string[];
  fromRow(row: unknown): R;
  /** What a file holding another dify-logs table is told. */
  elsewhere: string;
}

function recordTable<Row, R>(
  table: TableDefinition<Row>,
  fromRow: (row: Row) => R,
  elsewhere: string,
  skip: ReadonlyArray<keyof Row> = [],
): RecordTable<R> {
  const stored = table.columns.filter((column) => !skip.includes(column.name));
  return {
    table: table as TableDefinition<unknown>,
    columns: stored.map((column) => column.name),
    integers: stored
      .filter((column) => column.kind === 'int64' || column.kind === 'int32')
      .map((column) => column.name),
    fromRow: fromRow as (row: unknown) => R,
    elsewhere,
  };
}

/** The runs table: a RunRecord is rebuilt without the derived query columns. */
const RUNS = recordTable(
  RUNS_TABLE,
  fromRunRow,
  "records are read from the runs table (the report's ….runs.parquet file)",
  DERIVED_RUN_COLUMNS,
);
const MESSAGES = recordTable(MESSAGES_TABLE, fromMessageRow, 'messages are read from the messages table');
const CONVERSATIONS = recordTable(
  CONVERSATIONS_TABLE,
  fromConversationRow,
  'conversations are read from the conversations table',
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
  checkTable(metadata, name, RUNS);
}

function checkTable(metadata: FileMetaData, name: string, expected: RecordTable<unknown>): void {
  const meta = keyValues(metadata);
  const table = meta[TABLE_METADATA_KEY];
  if (table !== undefined && table !== expected.table.name) {
    throw new ParquetFileError(name, `this is the dify-logs ${table} table; ${expected.elsewhere}`);
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
  const missing = expected.columns.filter((column) => !present.has(column));
  if (missing.length > 0) {
    const kind = expected.table.name;
    const what = table === undefined ? `not a dify-logs ${kind} table` : `a damaged dify-logs ${kind} table`;
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
export function readRunsTable(file: AsyncBuffer, name: string): AsyncGenerator<RunRecord> {
  return readTable(file, name, RUNS);
}

/** Rebuilds the MessageRecords of a messages table (an archive part's Parquet copy). */
export function readMessagesTable(file: AsyncBuffer, name: string): AsyncGenerator<MessageRecord> {
  return readTable(file, name, MESSAGES);
}

/** Rebuilds the ConversationRecords of a conversations table (an archive part's Parquet copy). */
export function readConversationsTable(file: AsyncBuffer, name: string): AsyncGenerator<ConversationRecord> {
  return readTable(file, name, CONVERSATIONS);
}

async function* readTable<R>(file: AsyncBuffer, name: string, source: RecordTable<R>): AsyncGenerator<R> {
  const metadata = await metadataOf(file, name);
  checkTable(metadata, name, source);
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
        columns: source.columns,
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
      for (const column of source.integers) if (typeof row[column] === 'bigint') row[column] = Number(row[column]);
      let record: R;
      try {
        record = source.fromRow(row);
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
