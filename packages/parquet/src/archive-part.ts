import type { ArchivePartFormat, DatasetCodec } from '@dify-logs/core/archive';
import type { ConversationRecord, MessageRecord, RunRecord } from '@dify-logs/core';
import { toConversationRow, toMessageRow } from './chat-rows.js';
import { CONVERSATIONS_TABLE, MESSAGES_TABLE } from './chat-schema.js';
import { bufferOf, readConversationsTable, readMessagesTable, readRunsTable } from './reader.js';
import { PARQUET_CONTENT_TYPE } from './reporter.js';
import { toRunRow } from './rows.js';
import { RUNS_TABLE, type TableDefinition } from './schema.js';
import { createParquetBufferWriter, type ParquetWriterOptions } from './writer.js';

/** Encodes records as one table in memory, a row at a time. */
async function encodeTable<T, Row>(
  table: TableDefinition<Row>,
  toRow: (record: T) => Row,
  records: Iterable<T> | AsyncIterable<T>,
  options: ParquetWriterOptions,
): Promise<Uint8Array> {
  const writer = createParquetBufferWriter(table, options);
  for await (const record of records) {
    const pending = writer.add(toRow(record));
    if (pending) await pending;
  }
  return writer.close();
}

/**
 * One archive part as a Parquet runs table in memory (a partition is one app and one UTC day, so its size is
 * bounded). Node executions are in the `nodes` JSON column, so `decodeParquetPart` gives the records back whole.
 */
export function encodeParquetPart(
  records: Iterable<RunRecord> | AsyncIterable<RunRecord>,
  options: ParquetWriterOptions = {},
): Promise<Uint8Array> {
  return encodeTable(RUNS_TABLE, toRunRow, records, options);
}

/** The RunRecords of a Parquet archive part; `name` (the object key) goes into errors. */
export function decodeParquetPart(bytes: Uint8Array, name = 'Parquet archive part'): AsyncGenerator<RunRecord> {
  return readRunsTable(bufferOf(bytes), name);
}

/** A message archive part as a Parquet messages table in memory (one row per MessageRecord). */
export function encodeParquetMessages(
  records: Iterable<MessageRecord> | AsyncIterable<MessageRecord>,
  options: ParquetWriterOptions = {},
): Promise<Uint8Array> {
  return encodeTable(MESSAGES_TABLE, toMessageRow, records, options);
}

/** The MessageRecords of a Parquet messages table; `name` (the object key) goes into errors. */
export function decodeParquetMessages(
  bytes: Uint8Array,
  name = 'Parquet messages part',
): AsyncGenerator<MessageRecord> {
  return readMessagesTable(bufferOf(bytes), name);
}

/** A conversation archive part as a Parquet conversations table in memory (one row per ConversationRecord). */
export function encodeParquetConversations(
  records: Iterable<ConversationRecord> | AsyncIterable<ConversationRecord>,
  options: ParquetWriterOptions = {},
): Promise<Uint8Array> {
  return encodeTable(CONVERSATIONS_TABLE, toConversationRow, records, options);
}

/** The ConversationRecords of a Parquet conversations table; `name` (the object key) goes into errors. */
export function decodeParquetConversations(
  bytes: Uint8Array,
  name = 'Parquet conversations part',
): AsyncGenerator<ConversationRecord> {
  return readConversationsTable(bufferOf(bytes), name);
}

/**
 * The archive format for `createArchiveWriter({ formats })`: each NDJSON part also written as `….part-N.parquet`
 * (or, for runs with `ndjson: false`, only as Parquet); `readArchive`/`verifyArchive` take it to read such parts.
 * Message and conversation parts get Parquet copies too (messages and conversations tables).
 */
export function parquetArchiveFormat(options: ParquetWriterOptions = {}): ArchivePartFormat {
  const messages: DatasetCodec<MessageRecord> = {
    encode: (records) => encodeParquetMessages(records, options),
    decode: decodeParquetMessages,
  };
  const conversations: DatasetCodec<ConversationRecord> = {
    encode: (records) => encodeParquetConversations(records, options),
    decode: decodeParquetConversations,
  };
  return {
    format: 'parquet',
    extension: 'parquet',
    contentType: PARQUET_CONTENT_TYPE,
    encode: (records) => encodeParquetPart(records, options),
    decode: decodeParquetPart,
    datasets: { messages, conversations },
  };
}
