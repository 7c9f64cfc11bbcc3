import { DifyConfigError, VERSION } from '@dify-logs/core';
import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { ParquetValueError } from './errors/parquet-value-error.js';
import { PARQUET_SCHEMA_VERSION, parquetSchemaOf, type ColumnDefinition, type TableDefinition } from './schema.js';

export interface ParquetWriterOptions {
  /** Rows per row group (default 10 000): memory holds one row group of values while it fills. */
  rowGroupSize?: number;
  /**
   * A row group is also cut once its text columns hold this many characters (default 64 Mi), so huge outputs stay
   * bounded.
   */
  rowGroupCharacters?: number;
}

export interface ParquetTableWriter<Row> {
  /** Rows added so far. */
  readonly rows: number;
  /** Row groups written so far. */
  readonly rowGroups: number;
  /**
   * Buffers one row; when that completes a row group, encodes it and returns a promise that resolves once it is
   * written.
   */
  add(row: Row): Promise<void> | undefined;
}

export interface ParquetFileWriter<Row> extends ParquetTableWriter<Row> {
  readonly path: string;
  /** Writes the last row group and the footer, and closes the file. */
  close(): Promise<void>;
  /** Closes (if needed) and deletes the file. */
  dispose(): Promise<void>;
}

export interface ParquetBufferWriter<Row> extends ParquetTableWriter<Row> {
  /** Writes the last row group and the footer; the whole file's bytes. */
  close(): Promise<Uint8Array>;
}

/** Key-value metadata that marks a dify-logs table: readers check it before trusting the columns. */
export const SCHEMA_METADATA_KEY = 'dify-logs.schema';
export const TABLE_METADATA_KEY = 'dify-logs.table';

const DEFAULT_ROW_GROUP_SIZE = 10_000;
const DEFAULT_ROW_GROUP_CHARACTERS = 64 * 2 ** 20;

type Converter = (value: unknown) => unknown;

/** Checks a value against its column and converts it to what hyparquet-writer writes (INT64 as bigint). */
function converterOf(kind: ColumnDefinition<unknown>['kind']): {
  check: (value: unknown) => boolean;
  convert?: Converter;
  expected: string;
} {
  switch (kind) {
    case 'string':
    case 'json':
      return { check: (value) => typeof value === 'string', expected: 'text' };
    case 'double':
      return { check: (value) => typeof value === 'number', expected: 'a number' };
    case 'boolean':
      return { check: (value) => typeof value === 'boolean', expected: 'true or false' };
    case 'int32':
      return {
        check: (value) => Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1,
        expected: 'a 32-bit integer',
      };
    case 'int64':
    case 'timestamp':
      return {
        check: (value) => Number.isSafeInteger(value),
        convert: (value) => BigInt(value as number),
        expected: 'an integer',
      };
  }
}

/**
 * Buffers rows as column arrays and hands a row group at a time to hyparquet-writer's incremental ParquetWriter
 * (SNAPPY pages, statistics except on JSON columns). The sink's `flush` runs after each row group; row groups are
 * encoded one after the other, so the sink's buffer is never written to while it is being flushed.
 */
function createTableEncoder<Row>(table: TableDefinition<Row>, sink: ByteWriter, options: ParquetWriterOptions) {
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  const rowGroupCharacters = options.rowGroupCharacters ?? DEFAULT_ROW_GROUP_CHARACTERS;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1)
    throw new DifyConfigError('rowGroupSize', `must be a whole number of at least 1, got ${rowGroupSize}`);
  if (!(rowGroupCharacters > 0))
    throw new DifyConfigError('rowGroupCharacters', `must be a number above 0, got ${rowGroupCharacters}`);
  const columns = table.columns.map((column) => ({ ...column, ...converterOf(column.kind) }));
  // JSON columns hold the JSON text we made. hyparquet-writer would JSON-encode the values of a column annotated as
  // JSON a second time, so rows are encoded as UTF-8 text and the footer, written by `finish`, gets the real schema
  // (JSON converted and logical types, which DuckDB and Arrow read as JSON); the bytes are the same.
  const writer = new ParquetWriter({
    writer: sink,
    schema: parquetSchemaOf(table, { jsonAsText: true }),
    codec: 'SNAPPY',
    kvMetadata: [
      { key: SCHEMA_METADATA_KEY, value: String(PARQUET_SCHEMA_VERSION) },
      { key: TABLE_METADATA_KEY, value: table.name },
    ],
    createdBy: `dify-logs version ${VERSION} (hyparquet-writer)`,
  });
  let data: unknown[][] = columns.map(() => []);
  let buffered = 0;
  let characters = 0;
  let rows = 0;
  let rowGroups = 0;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;

  /** Takes back the columns of a row already buffered (those before `index`), then throws. */
  const reject = (row: Row, index: number, value: unknown): never => {
    for (let before = 0; before < index; before += 1) data[before]!.pop();
    const column = columns[index]!;
    // The record the row is of: a run (runs and nodes tables), a message or a conversation.
    const ids = row as Record<string, unknown>;
    const what = ids.logId !== undefined ? 'run' : ids.messageId !== undefined ? 'message' : 'conversation';
    const id = ids.logId ?? ids.messageId ?? ids.conversationId;
    const problem =
      value === null || value === undefined
        ? 'is required, got null'
        : `expected ${column.expected}, got ${JSON.stringify(value)?.slice(0, 80) ?? typeof value}`;
    throw new ParquetValueError(`${table.name}.${column.name}`, typeof id === 'string' ? id : undefined, problem, what);
  };

  function flush(): Promise<void> {
    const groupData = data;
    const groupRows = buffered;
    data = columns.map(() => []);
    buffered = 0;
    characters = 0;
    const columnData: ColumnSource[] = columns.map((column, index) => ({
      name: column.name,
      data: groupData[index] as ColumnSource['data'],
      statistics: column.kind !== 'json',
    }));
    chain = chain.then(() => {
      rowGroups += 1;
      return writer.write({ columnData, rowGroupSize: groupRows });
    });
    chain.catch((error: unknown) => (failure ??= error));
    return chain;
  }

  return {
    get rows() {
      return rows;
    },
    get rowGroups() {
      return rowGroups;
    },
    add(row: Row): Promise<void> | undefined {
      if (failure) throw failure;
      const values = row as Record<string, unknown>;
      for (let index = 0; index < columns.length; index += 1) {
        const column = columns[index]!;
        let value = values[column.name];
        if (value === null || value === undefined) {
          if (!column.nullable) reject(row, index, value);
          value = null;
        } else {
          if (!column.check(value)) reject(row, index, value);
          if (typeof value === 'string') characters += value.length;
          else if (column.convert) value = column.convert(value);
        }
        data[index]!.push(value);
      }
      buffered += 1;
      rows += 1;
      return buffered >= rowGroupSize || characters >= rowGroupCharacters ? flush() : undefined;
    },
    /** Resolves once no row group is being written (whether or not writing failed). */
    idle(): Promise<void> {
      return chain.catch(() => undefined);
    },
    /** Writes the rest and the footer; the sink's `finish` runs last. */
    async finish(): Promise<void> {
      if (buffered > 0) flush();
      await chain;
      writer.schema = parquetSchemaOf(table);
      await writer.finish();
    },
  };
}

/** A ByteWriter that appends each flushed piece to a file, opened on the first flush (no I/O before). */
class FileSink extends ByteWriter {
  #handle: Promise<FileHandle> | undefined;

  constructor(readonly path: string) {
    super(1 << 20);
  }

  get opened(): Promise<FileHandle> | undefined {
    return this.#handle;
  }

  async flush(): Promise<void> {
    const handle = await (this.#handle ??= open(this.path, 'w'));
    let written = 0;
    while (written < this.index)
      written += (await handle.write(new Uint8Array(this.buffer, written, this.index - written))).bytesWritten;
    this.index = 0;
  }

  override async finish(): Promise<void> {
    await this.flush();
    await (await this.#handle)?.close();
  }
}

/**
 * Writes one table to a Parquet file at `path` (replacing it), row group by row group: memory holds one row group's
 * values and its encoded bytes, whatever the row count. Rows are checked against the columns (a ParquetValueError
 * names the column and the run).
 */
export function createParquetFileWriter<Row>(
  path: string,
  table: TableDefinition<Row>,
  options: ParquetWriterOptions = {},
): ParquetFileWriter<Row> {
  const sink = new FileSink(path);
  const encoder = createTableEncoder(table, sink, options);
  let closing: Promise<void> | undefined;
  return {
    path,
    get rows() {
      return encoder.rows;
    },
    get rowGroups() {
      return encoder.rowGroups;
    },
    add: (row) => encoder.add(row),
    close() {
      closing ??= encoder.finish().catch(async (error: unknown) => {
        await (await sink.opened?.catch(() => undefined))?.close().catch(() => undefined);
        throw error;
      });
      return closing;
    },
    async dispose() {
      await (closing ?? encoder.idle()).catch(() => undefined);
      await (await sink.opened?.catch(() => undefined))?.close().catch(() => undefined);
      await rm(path, { force: true });
    },
  };
}

/** Writes one table to memory: for bounded inputs (an archive partition). */
export function createParquetBufferWriter<Row>(
  table: TableDefinition<Row>,
  options: ParquetWriterOptions = {},
): ParquetBufferWriter<Row> {
  const sink = new ByteWriter(1 << 16);
  const encoder = createTableEncoder(table, sink, options);
  return {
    get rows() {
      return encoder.rows;
    },
    get rowGroups() {
      return encoder.rowGroups;
    },
    add: (row) => encoder.add(row),
    async close() {
      await encoder.finish();
      return sink.getBytes();
    },
  };
}
