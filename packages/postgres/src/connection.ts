import { DifyStorageError, silentLogger, type Logger } from '@dify-logs/core';
import { databases } from '@dify-logs/core/adapter-kit';
import type pg from 'pg';
import { applyMigrations, latestVersion } from './migrations.js';
import { leasePool, type PoolLease } from './pool.js';
import { tablesFor, type Tables } from './tables.js';

const { IDENTIFIER_PREFIX, IDENTIFIER_RULE, assertOneSource, assertPrefix, attempt, secretsOf } = databases;

export interface PostgresOptions {
  /**
   * `postgres://user:password@host:5432/database`: the process's pool of that database is used (opened on first use),
   * and released by `close()`.
   */
  connectionString?: string;
  /** A pool this process already has: used as it is, never ended here. */
  pool?: pg.Pool;
  /** Prefix of every table and index (letters, digits, `_`; at most 40; default `dify_logs_`). */
  tablePrefix?: string;
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

export interface PostgresConnection {
  readonly prefix: string;
  readonly tables: Tables;
  readonly logger: Logger;
  /** Runs a query once the workers' tables exist; a failure names `target`. */
  query<Row extends pg.QueryResultRow>(
    action: string,
    target: string,
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<Row>>;
  close(): Promise<void>;
}

/**
 * The shared pool of a database and the workers' tables brought up to date once, on first use, through the one
 * migration path of the prefix (`applyMigrations`: an advisory lock, one transaction, recorded steps). A schema already
 * current is found without taking the lock.
 */
export function postgresConnection(adapter: string, options: PostgresOptions): PostgresConnection {
  assertOneSource(['connectionString', 'pool'], [options.connectionString, options.pool]);
  const prefix = options.tablePrefix ?? 'dify_logs_';
  assertPrefix('tablePrefix', prefix, IDENTIFIER_PREFIX, IDENTIFIER_RULE);
  const logger = (options.logger ?? silentLogger).child({ adapter });
  const secrets = secretsOf(options.connectionString);
  const tables = tablesFor(prefix);
  let lease: PoolLease | undefined;
  let ready: Promise<void> | undefined;
  let closed = false;

  function pool(): pg.Pool {
    if (closed) throw new DifyStorageError(adapter, 'storage_failed', 'used after close()');
    if (options.pool) return options.pool;
    lease ??= leasePool(options.connectionString!, logger);
    return lease.pool;
  }

  async function migrate(): Promise<void> {
    const current = await pool()
      .query<{ current: boolean }>(
        `SELECT to_regclass($1) IS NOT NULL AND EXISTS (SELECT 1 ` +
          `FROM ${tables.migrations} WHERE version = $2) AS current`,
        [tables.migrations, latestVersion('scheduler')],
      )
      .catch(() => undefined);
    if (current?.rows[0]?.current) return;
    const client = await pool().connect();
    try {
      const applied = await applyMigrations(client, tables, { parts: ['scheduler'] });
      if (applied.length > 0) logger.debug({ tablePrefix: prefix, applied }, 'PostgreSQL tables ready');
    } finally {
      client.release();
    }
  }

  function ensureSchema(): Promise<void> {
    if (!ready) {
      ready = attempt(
        adapter,
        'create',
        [tables.appState, tables.documents, tables.runCache, tables.history].join(', '),
        secrets,
        migrate,
      );
      ready.catch(() => (ready = undefined));
    }
    return ready;
  }

  return {
    prefix,
    tables,
    logger,
    async query<Row extends pg.QueryResultRow>(action: string, target: string, text: string, values: unknown[] = []) {
      await ensureSchema();
      return attempt(adapter, action, target, secrets, () => pool().query<Row>(text, values));
    },
    async close() {
      if (closed) return;
      closed = true;
      await ready?.catch(() => undefined);
      await lease?.release();
    },
  };
}
