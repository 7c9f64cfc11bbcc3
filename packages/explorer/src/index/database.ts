import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * The index's tables: one row per run and per node execution, per chat conversation (its newest version) and message,
 * and the partition manifests they came from (`dataset`: runs, messages or conversations).
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS partitions (
    id VARCHAR PRIMARY KEY, job VARCHAR, app VARCHAR, day VARCHAR, manifest VARCHAR, runs INTEGER,
    dataset VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS runs (
    seq BIGINT, partition VARCHAR, app_id VARCHAR, log_id VARCHAR, run_id VARCHAR, status VARCHAR,
    end_user VARCHAR, created_at VARCHAR, day VARCHAR, elapsed DOUBLE, tokens BIGINT, cost DOUBLE,
    error VARCHAR, signature VARCHAR, search VARCHAR, summary VARCHAR, part VARCHAR, format VARCHAR, line INTEGER)`,
  `CREATE TABLE IF NOT EXISTS nodes (
    partition VARCHAR, app_id VARCHAR, log_id VARCHAR, created_at VARCHAR, node_id VARCHAR, node_type VARCHAR,
    title VARCHAR, status VARCHAR, elapsed DOUBLE, tokens BIGINT, cost DOUBLE, model VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS conversations (
    partition VARCHAR, app_id VARCHAR, conversation_id VARCHAR, end_user VARCHAR, end_user_id VARCHAR,
    created_at VARCHAR, likes INTEGER, dislikes INTEGER, search VARCHAR, record VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS messages (
    partition VARCHAR, app_id VARCHAR, conversation_id VARCHAR, message_id VARCHAR, created_at VARCHAR,
    feedback VARCHAR, admin_feedback VARCHAR, search VARCHAR, record VARCHAR)`,
];

/** The version of the tables' layout. */
const LAYOUT = 4;

/** The columns of `runs` and `nodes`, in table order (the appenders fill them in this order). */
export const RUN_COLUMNS = 19;
export const NODE_COLUMNS = 12;

export interface ExplorerDatabase {
  instance: DuckDBInstance;
  /** Writes (the loader), one partition per transaction. */
  writer: DuckDBConnection;
  /** Reads (the API); sees whole partitions only. */
  reader: DuckDBConnection;
  /** The last row number given to a run (rows are read back by it: a number the scan can skip row groups by). */
  seq: number;
  /** The writer's appenders open in the current transaction (flushed before a statement reads their rows). */
  appenders: Map<string, import('@duckdb/node-api').DuckDBAppender>;
  close(): void;
}

/**
 * Opens (or creates) the index: a DuckDB file, or `:memory:`. Its memory is capped (`memoryLimit`, default 96 MB).
 * A run's row holds its summary (what lists show) and where the whole record is in the archive (part and line): a run
 * page reads it from there.
 */
export async function openDatabase(file: string, options: { memoryLimit?: string; threads?: number } = {}) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  if (file !== ':memory:') await mkdir(dirname(file), { recursive: true });
  const instance = await DuckDBInstance.create(file, {
    memory_limit: options.memoryLimit ?? '96MB',
    threads: String(options.threads ?? 2),
    preserve_insertion_order: 'false',
  });
  const writer = await instance.connect();
  // An index of another layout is rebuilt from the archive (it is only a cache).
  await writer.run('CREATE TABLE IF NOT EXISTS layout (version INTEGER)');
  const version = (await writer.runAndReadAll('SELECT max(version) FROM layout')).getRows()[0]?.[0];
  if (version !== LAYOUT) {
    for (const table of ['partitions', 'runs', 'nodes', 'conversations', 'messages'])
      await writer.run(`DROP TABLE IF EXISTS ${table}`);
    await writer.run('DELETE FROM layout');
    await writer.run(`INSERT INTO layout VALUES (${LAYOUT})`);
  }
  for (const statement of SCHEMA) await writer.run(statement);
  const reader = await instance.connect();
  const last = (await writer.runAndReadAll('SELECT coalesce(max(seq), 0) FROM runs')).getRows()[0]?.[0];
  const database: ExplorerDatabase = {
    instance,
    writer,
    reader,
    seq: Number(last ?? 0),
    appenders: new Map(),
    close() {
      reader.closeSync();
      writer.closeSync();
      instance.closeSync();
    },
  };
  return database;
}
