export { parquetReporter, PARQUET_CONTENT_TYPE, type ParquetReporterOptions } from './reporter.js';
export { readParquetRecords, checkRunsTable } from './reader.js';
export {
  encodeParquetPart,
  decodeParquetPart,
  encodeParquetMessages,
  decodeParquetMessages,
  encodeParquetConversations,
  decodeParquetConversations,
  parquetArchiveFormat,
} from './archive-part.js';
export {
  createParquetFileWriter,
  createParquetBufferWriter,
  SCHEMA_METADATA_KEY,
  TABLE_METADATA_KEY,
  type ParquetWriterOptions,
  type ParquetTableWriter,
  type ParquetFileWriter,
  type ParquetBufferWriter,
} from './writer.js';
export { toRunRow, toNodeRows, fromRunRow, type StoredRunRow } from './rows.js';
export { toMessageRow, fromMessageRow, toConversationRow, fromConversationRow } from './chat-rows.js';
export { MESSAGES_TABLE, CONVERSATIONS_TABLE, type MessageRow, type ConversationRow } from './chat-schema.js';
export {
  RUNS_TABLE,
  NODES_TABLE,
  DERIVED_RUN_COLUMNS,
  PARQUET_SCHEMA_VERSION,
  parquetSchemaOf,
  type RunRow,
  type NodeRow,
  type TableDefinition,
  type ColumnDefinition,
  type ColumnKind,
} from './schema.js';
export { ParquetFileError } from './errors/parquet-file-error.js';
export { ParquetValueError } from './errors/parquet-value-error.js';
export { plugin } from './plugin.js';
