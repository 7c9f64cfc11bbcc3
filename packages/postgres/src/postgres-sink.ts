import { DifyConfigError, silentLogger, type Logger } from '@dify-logs/core';
import type { Sink, SinkCommit, SinkContext, SinkForgetRequest, SinkWriter } from '@dify-logs/core/adapter-kit';
import pg from 'pg';
import { applyMigrations } from './migrations.js';
import { leasePool, type PoolLease } from './pool.js';
import { secretsOf, storageError } from './postgres-errors.js';
import { createPostgresWriter } from './postgres-writer.js';
import { statementsFor } from './sql.js';
import { tablesFor, type Tables } from './tables.js';

export interface PostgresSinkOptions {
  /**
   * `postgres://user:password@host:5432/db`: the sink uses the process's pool of that database (shared with the
   * workers' stores; `close()` releases it, the last user ends it). Either this or `pool`.
   */
  connectionString?: string;
  /** A pool you own: used as it is and never ended by the sink. Either this or `connectionString`. */
  pool?: pg.Pool;
  /** Prefix of every table and index name: letters, digits and `_`, at most 40. Default `dify_logs_`. */
  tablePrefix?: string;
  /** Runs per batch (one `INSERT … ON CONFLICT` for the runs, one or more for their nodes). Default 1000. */
  batchSize?: number;
  /** A batch is also written once its rows hold about this many bytes of text and JSON. Default 16 MiB. */
  maxBatchBytes?: number;
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

export interface PostgresSink extends Sink {
  readonly name: 'postgres';
  /** The tables in use, as quoted identifiers (`"dify_logs_runs"`). */
  readonly tables: Readonly<Tables>;
  /** Creates or upgrades the tables (the first `open` does it too); a no-op when the schema is current. */
  migrate(): Promise<void>;
  /** Deletes the runs of end users (by `end_user_session_id`) and their node executions, in one transaction. */
  forget(request: SinkForgetRequest): Promise<SinkCommit>;
  /** Releases the shared pool of `connectionString` (ended with its last user); a pool passed in is left open. */
  close(): Promise<void>;
}

/**
 * A sink that upserts runs and their node executions into PostgreSQL: `<prefix>runs` keyed by Dify's log
 * id, `<prefix>node_executions` keyed by node execution id (a run's nodes are replaced when it is written
 * again), and `<prefix>windows`, whose row marks a window complete. One transaction per window. No I/O
 * until the first `open` or `migrate`.
 */
export function createPostgresSink(options: PostgresSinkOptions): PostgresSink {
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw new DifyConfigError('sinks.postgres', 'pass exactly one of connectionString or pool');
  }
  const tables = tablesFor(options.tablePrefix ?? 'dify_logs_');
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new DifyConfigError('sinks.postgres.batchSize', `must be a positive integer (got ${batchSize})`);
  const maxBatchBytes = options.maxBatchBytes ?? 16 * 1024 * 1024;
  if (!(maxBatchBytes > 0))
    throw new DifyConfigError('sinks.postgres.maxBatchBytes', `must be positive (got ${maxBatchBytes})`);
  const logger = (options.logger ?? silentLogger).child({ sink: 'postgres' });
  const secrets = secretsOf(options.connectionString);
  const statements = statementsFor(tables);
  let lease: PoolLease | undefined;
  let migrated: Promise<void> | undefined;

  function poolOf(): pg.Pool {
    if (options.pool) return options.pool;
    lease ??= leasePool(options.connectionString!, logger);
    return lease.pool;
  }

  async function connect(action: string, table: string): Promise<pg.PoolClient> {
    try {
      return await poolOf().connect();
    } catch (error) {
      throw storageError(error, action, table, secrets);
    }
  }

  async function migrate(): Promise<void> {
    const client = await connect('connect to migrate', tables.migrations);
    try {
      const applied = await applyMigrations(client, tables, { parts: ['sink'] });
      if (applied.length > 0) logger.info({ applied, prefix: tables.prefix }, 'schema migrated');
    } catch (error) {
      if (DifyConfigError.isInstance(error)) throw error;
      throw storageError(error, 'migrate', tables.migrations, secrets);
    } finally {
      client.release();
    }
  }

  /** Migrates once per sink (again after a failure). */
  const migrateOnce = (force: boolean) => {
    if (force || !migrated) {
      migrated = migrate().catch((error: unknown) => {
        migrated = undefined;
        throw error;
      });
    }
    return migrated;
  };

  return {
    name: 'postgres',
    tables,
    migrate: () => migrateOnce(true),
    async open(context: SinkContext): Promise<SinkWriter> {
      await migrateOnce(false);
      const client = await connect('open a transaction on', tables.runs);
      try {
        // The window's rows are not analysed yet: without statistics the planner takes `log_id = ANY($1)`
        // for most of the table and scans all of it for every batch. The indexes are always the better path here.
        await client.query('BEGIN; SET LOCAL enable_seqscan = off');
      } catch (error) {
        client.release(true);
        throw storageError(error, 'open a transaction on', tables.runs, secrets);
      }
      return createPostgresWriter({ client, tables, statements, context, batchSize, maxBatchBytes, logger, secrets });
    },
    async forget(request: SinkForgetRequest): Promise<SinkCommit> {
      await migrateOnce(false);
      const client = await connect('forget end users in', tables.runs);
      // The runs of these end users in the days asked for, and their node executions.
      const runs = `SELECT log_id FROM ${tables.runs} WHERE end_user_session_id = ANY($1::text[])
        AND ($2::date IS NULL OR logged_at >= $2::date) AND ($3::date IS NULL OR logged_at < $3::date + 1)`;
      const parameters = [request.endUsers, request.from?.slice(0, 10) ?? null, request.to?.slice(0, 10) ?? null];
      // Their messages: their own (a Dify end-user id), those of their chatflow runs, and the rest of those
      // conversations, in the days asked for.
      const days = `($2::date IS NULL OR created_at >= $2::date) AND ($3::date IS NULL OR created_at < $3::date + 1)`;
      const conversations = `SELECT conversation_id FROM ${tables.messages} WHERE (end_user_id = ANY($1::text[])
        OR workflow_run_id IN (SELECT run_id FROM ${tables.runs} WHERE log_id IN (${runs}))) AND ${days}`;
      const messages =
        `SELECT message_id FROM ${tables.messages} WHERE ` + `conversation_id IN (${conversations}) AND ${days}`;
      // Their conversations: their own (either form of the end user) and those of the messages above.
      const theirConversations = `SELECT conversation_id FROM ${tables.conversations} WHERE (end_user_session_id = \
ANY($1::text[]) OR end_user_id = ANY($1::text[]) OR conversation_id IN (${conversations})) AND ${days}`;
      try {
        if (request.dryRun) {
          const counted = await client.query<{ runs: string; nodes: string; messages: string; conversations: string }>(
            `SELECT (SELECT count(*) FROM (${runs}) r) AS runs,
              (SELECT count(*) FROM ${tables.nodes} WHERE log_id IN (${runs})) AS nodes,
              (SELECT count(*) FROM (${messages}) m) AS messages,
              (SELECT count(*) FROM (${theirConversations}) c) AS conversations`,
            parameters,
          );
          const row = counted.rows[0]!;
          return rowsOf(Number(row.runs), Number(row.nodes), Number(row.messages), Number(row.conversations));
        }
        await client.query('BEGIN');
        // Conversations first, then messages: which they are depends on the messages and the runs still being there.
        const talks = await client.query(
          `DELETE FROM ${tables.conversations} WHERE conversation_id IN (${theirConversations})`,
          parameters,
        );
        const gone = await client.query(`DELETE FROM ${tables.messages} WHERE message_id IN (${messages})`, parameters);
        const nodes = await client.query(`DELETE FROM ${tables.nodes} WHERE log_id IN (${runs})`, parameters);
        const deleted = await client.query(`DELETE FROM ${tables.runs} WHERE log_id IN (${runs})`, parameters);
        await client.query('COMMIT');
        return rowsOf(deleted.rowCount ?? 0, nodes.rowCount ?? 0, gone.rowCount ?? 0, talks.rowCount ?? 0);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw storageError(error, 'forget end users in', tables.runs, secrets);
      } finally {
        client.release();
      }
    },
    async close(): Promise<void> {
      const held = lease;
      lease = undefined;
      migrated = undefined;
      await held?.release();
    },
  };
}

/** Rows per table a forget removed; messages and conversations only when there were any. */
function rowsOf(runs: number, nodes: number, messages: number, conversations: number): SinkCommit {
  const chat = Object.entries({ messages, conversations }).filter(([, count]) => count > 0);
  return { rows: { runs, node_executions: nodes, ...Object.fromEntries(chat) } };
}
