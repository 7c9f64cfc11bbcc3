import { listPartitions, RUNS, type ArchiveManifest, type ArchivePartFormat } from '@dify-logs/core/archive';
import type { Logger, PrivacyOptions, PrivacyPolicy } from '@dify-logs/core';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import type { DuckDBAppender, DuckDBValue } from '@duckdb/node-api';
import { appendRows, type PartitionRows } from './columns.js';
import type { ExplorerDatabase } from './database.js';
import { CHAT_DATASETS } from './chat.js';
import { partitionRows, prepareRows, type PreparedRows } from './run-rows.js';

export interface IndexSource {
  storage: StorageAdapter;
  /** Formats that decode parts written without NDJSON (Parquet). */
  formats?: ArchivePartFormat[];
  /** Applied to every record before it is indexed: what the explorer serves is what the policy lets through. */
  privacy: PrivacyPolicy;
  /** The options `privacy` was made from: worker threads make the same policy from them (none without). */
  privacyOptions?: PrivacyOptions;
  /** Worker threads building runs' rows in a large refresh (default 0: all on the main thread). */
  workers?: number;
  /** Runs a refresh loads from which it uses the workers (default `WORKER_MIN_RUNS`). */
  workerMinRuns?: number;
  logger: Logger;
}

export interface RefreshResult {
  /** Partitions (re)loaded, and removed because their manifest is gone. */
  loaded: number;
  removed: number;
  /** Records (re)loaded: runs, chat messages, conversations. */
  runs: number;
  messages: number;
  conversations: number;
  seconds: number;
}

/** The archive's first day the explorer looks at, and how far ahead (clock skew): every partition in between. */
const FIRST_DAY = '2000-01-01';
/** Records per transaction while loading (DuckDB holds a transaction's new rows within its memory limit). */
const BATCH_ROWS = 16_384;
const partitionId = (dataset: string, manifest: { job: string; app: string; day: string }) =>
  `${dataset === 'runs' ? '' : `${dataset}\u0000`}${manifest.job}\u0000${manifest.app}\u0000${manifest.day}`;

/** A dataset the index holds: its partitions' storage type, its tables, and how one partition's rows are appended. */
export interface IndexedDataset {
  name: 'runs' | 'messages' | 'conversations';
  /** What `listPartitions` lists (the dataset's storage type). */
  type: { type: string };
  /** Its tables, and the columns a record is identified by in them (a record archived by two jobs is kept once). */
  tables: string[];
  key: string;
  /** Appends the partition's records (privacy applied); the number appended. */
  append(
    database: ExplorerDatabase,
    source: IndexSource,
    partition: string,
    manifest: ArchiveManifest,
    prepared?: Promise<unknown>,
  ): Promise<number>;
  /** Starts building the rows of the partitions a refresh loads (given to `append` as `prepared`, in order). */
  prepare?(source: IndexSource, manifests: readonly ArchiveManifest[]): PreparedRows;
}

const RUN_DATASET: IndexedDataset = {
  name: 'runs',
  type: RUNS,
  tables: ['runs', 'nodes'],
  key: '(app_id, log_id)',
  append: appendRuns,
  prepare: prepareRows,
};

/**
 * Brings the index up to date with the archive: partitions whose newest manifest is new or replaced are (re)loaded
 * (their old rows deleted first, in one transaction with the new ones), partitions whose manifest is gone are removed.
 * A run archived by two jobs is kept once (the partition loaded last wins); so are chat messages and conversations.
 */
export async function refreshIndex(database: ExplorerDatabase, source: IndexSource): Promise<RefreshResult> {
  const started = performance.now();
  const result = { loaded: 0, removed: 0, runs: 0, messages: 0, conversations: 0 };
  for (const dataset of [RUN_DATASET, ...CHAT_DATASETS]) {
    const { loaded, removed, records } = await refreshDataset(database, source, dataset);
    result.loaded += loaded;
    result.removed += removed;
    result[dataset.name] += records;
  }
  const seconds = (performance.now() - started) / 1000;
  if (result.loaded > 0 || result.removed > 0) source.logger.info({ ...result, seconds }, 'explorer index refreshed');
  return { ...result, seconds };
}

async function refreshDataset(database: ExplorerDatabase, source: IndexSource, dataset: IndexedDataset) {
  const { writer } = database;
  const today = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const listed = await listPartitions(source.storage, { from: FIRST_DAY, to: today }, dataset.type);
  const rows = (
    await writer.runAndReadAll('SELECT id, manifest FROM partitions WHERE coalesce(dataset, $1) = $1', [dataset.name])
  ).getRowObjectsJS();
  const indexed = new Map(rows.map((row) => [String(row.id), String(row.manifest)]));
  const jobs = new Set(listed.map(({ manifest }) => manifest.job));
  let loaded = 0;
  let records = 0;
  // Partitions are loaded in transactions of about BATCH_ROWS records (one COMMIT per partition cost more than the
  // rows themselves); readers see whole partitions only, all those of a batch at once.
  let pending = -1;
  const bookkept: DuckDBValue[][] = [];
  const loading: Array<{ id: string; key: string; manifest: ArchiveManifest; replaced: boolean }> = [];
  for (const { key, manifest } of listed) {
    const id = partitionId(dataset.name, manifest);
    if (indexed.get(id) === key) indexed.delete(id);
    else loading.push({ id, key, manifest, replaced: indexed.delete(id) });
  }
  const prepared =
    loading.length > 0
      ? dataset.prepare?.(
          source,
          loading.map(({ manifest }) => manifest),
        )
      : undefined;
  try {
    for (const [index, partition] of loading.entries()) {
      if (pending < 0) {
        await writer.run('BEGIN TRANSACTION');
        pending = 0;
      }
      const rows = prepared?.take(index);
      const count = await loadPartition(database, source, dataset, partition, jobs.size > 1, bookkept, rows);
      records += count;
      pending += count;
      loaded += 1;
      if (pending >= BATCH_ROWS) {
        await commit(database, bookkept);
        pending = -1;
      }
    }
    if (pending >= 0) await commit(database, bookkept);
  } catch (error) {
    try {
      flushAppenders(database);
    } catch {
      // the transaction is rolled back
    }
    if (pending >= 0) await writer.run('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await prepared?.close();
  }
  // What is left was indexed but no longer listed (a removed partition).
  for (const id of indexed.keys()) await removePartition(database, dataset, id);
  return { loaded, removed: indexed.size, records };
}

async function appendRuns(
  database: ExplorerDatabase,
  source: IndexSource,
  partition: string,
  manifest: ArchiveManifest,
  prepared?: Promise<unknown>,
): Promise<number> {
  // The whole record stays in the archive: a run page reads it from its part and line (and applies the policy).
  const rows = await ((prepared as Promise<PartitionRows> | undefined) ?? partitionRows(source, manifest));
  appendRows(await appender(database, 'runs'), await appender(database, 'nodes'), partition, rows, database.seq);
  database.seq += rows.count;
  return rows.count;
}

async function loadPartition(
  database: ExplorerDatabase,
  source: IndexSource,
  dataset: IndexedDataset,
  partition: { id: string; key: string; manifest: ArchiveManifest; replaced: boolean },
  severalJobs: boolean,
  bookkept: DuckDBValue[][],
  prepared?: Promise<unknown>,
): Promise<number> {
  const { writer } = database;
  // Only a replaced partition has rows to delete (a scan of the whole table: new partitions skip it).
  if (partition.replaced)
    for (const table of dataset.tables) await writer.run(`DELETE FROM ${table} WHERE partition = $1`, [partition.id]);
  const count = await dataset.append(database, source, partition.id, partition.manifest, prepared);
  if (severalJobs) {
    flushAppenders(database);
    // Another job's partition holding the same records gives them up.
    const [main] = dataset.tables;
    const columns = dataset.key.slice(1, -1);
    const duplicates = `partition <> $1 AND ${dataset.key} IN (SELECT ${columns} FROM ${main} WHERE partition = $1)`;
    for (const table of [...dataset.tables].reverse())
      await writer.run(`DELETE FROM ${table} WHERE ${duplicates}`, [partition.id]);
  }
  bookkept.push([
    partition.id,
    partition.manifest.job,
    partition.manifest.app,
    partition.manifest.day,
    partition.key,
    count,
    dataset.name,
  ]);
  return count;
}

/** Writes the loaded partitions' manifests in one statement (one per partition took about 4 ms each), and commits. */
async function commit(database: ExplorerDatabase, bookkept: DuckDBValue[][]): Promise<void> {
  if (bookkept.length > 0) {
    const rows = bookkept.map((_, row) => `(${[1, 2, 3, 4, 5, 6, 7].map((column) => `$${row * 7 + column}`)})`);
    await database.writer.run(`INSERT OR REPLACE INTO partitions VALUES ${rows.join(', ')}`, bookkept.flat());
    bookkept.length = 0;
  }
  flushAppenders(database);
  await database.writer.run('COMMIT');
}

/**
 * The table's appender in the current transaction: one per transaction, not per partition (its flush, a columnar
 * append into the table, costs less per row for more rows).
 */
export async function appender(database: ExplorerDatabase, table: string): Promise<DuckDBAppender> {
  let open = database.appenders.get(table);
  if (!open) {
    open = await database.writer.createAppender(table);
    database.appenders.set(table, open);
  }
  return open;
}

/** Writes the open appenders' rows into their tables and closes them (before a statement reads those rows). */
export function flushAppenders(database: ExplorerDatabase): void {
  try {
    for (const open of database.appenders.values()) open.flushSync();
  } finally {
    for (const open of database.appenders.values()) open.closeSync();
    database.appenders.clear();
  }
}

async function removePartition(database: ExplorerDatabase, dataset: IndexedDataset, id: string): Promise<void> {
  const { writer } = database;
  await writer.run('BEGIN TRANSACTION');
  try {
    for (const table of dataset.tables) await writer.run(`DELETE FROM ${table} WHERE partition = $1`, [id]);
    await writer.run('DELETE FROM partitions WHERE id = $1', [id]);
    await writer.run('COMMIT');
  } catch (error) {
    await writer.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
