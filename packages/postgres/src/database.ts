import { PostgresBackend } from '@agendajs/postgres-backend';
import { DifyConfigError, silentLogger, type Logger } from '@dify-logs/core';
import { databases, type SchedulerDatabase, type SchedulerDatabaseOptions } from '@dify-logs/core/adapter-kit';
import type { AgendaBackend } from 'agenda';
import type pg from 'pg';
import { applyMigrations } from './migrations.js';
import { leasePool, type PoolLease } from './pool.js';
import { postgresRunHistory } from './run-history.js';
import { postgresStateStore } from './state.js';
import { tablesFor } from './tables.js';

const { IDENTIFIER_PREFIX, databaseError, redactConnectionString, secretsOf } = databases;

/** The workers' database on PostgreSQL: Agenda's backend, the pipeline state and the run history on one pool. */
export type PostgresDatabase = SchedulerDatabase<AgendaBackend>;

export interface PostgresDatabaseOptions extends SchedulerDatabaseOptions {
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

/**
 * Opens the workers' database: Agenda's backend, a StateStore and the run history on the process's one pool of the
 * connection string (the sink of the same database draws from it too), or on a pool you pass (never ended here). Every
 * table of the prefix, Agenda's jobs included, is brought up to date at once under the prefix's advisory lock, so
 * several workers starting at the same moment on a fresh database do not race.
 */
export async function openPostgresDatabase(
  source: string | { pool: pg.Pool },
  options: PostgresDatabaseOptions = {},
): Promise<PostgresDatabase> {
  const prefix = options.prefix ?? 'dify_logs_';
  if (!IDENTIFIER_PREFIX.test(prefix))
    throw new DifyConfigError('worker.prefix', 'may only hold letters, digits and _ (at most 40)');
  const logger = options.logger ?? silentLogger;
  const lease: PoolLease | undefined = typeof source === 'string' ? leasePool(source, logger) : undefined;
  const pool = lease?.pool ?? (source as { pool: pg.Pool }).pool;
  const description = typeof source === 'string' ? redactConnectionString(source) : 'postgres (given pool)';
  const tables = tablesFor(prefix);
  try {
    const client = await pool.connect();
    try {
      await applyMigrations(client, tables, {
        parts: ['scheduler'],
        // Agenda creates and upgrades its own table (columns added by later versions too): under the same lock.
        alsoLocked: async () => {
          const schema = new PostgresBackend({ pool, tableName: tables.agendaJobs, disableNotifications: true });
          await schema.connect();
          await schema.disconnect();
          await uniqueOnceKeys(pool, tables.agendaJobs, logger);
        },
      });
    } finally {
      client.release();
    }
  } catch (error) {
    await lease?.release().catch(() => undefined);
    // A driver's message never reaches the caller with the password in it, whatever form it takes there.
    throw databaseError(
      'postgres',
      'open the worker database',
      description,
      error,
      typeof source === 'string' ? secretsOf(source) : [],
    );
  }
  const state = postgresStateStore({ pool, tablePrefix: prefix, logger });
  const history = postgresRunHistory({ pool, tablePrefix: prefix, logger });
  return {
    kind: 'postgres',
    description,
    backend: new PostgresBackend({
      pool,
      tableName: tables.agendaJobs,
      channelName: `${prefix}agenda`,
      ensureSchema: false,
    }),
    state,
    history,
    ping: async () => void (await pool.query('SELECT 1')),
    close: async () => {
      await state.close?.();
      await history.close?.();
      await lease?.release();
    },
  };
}

/**
 * One queued one-time job per key (`data.key`: a missed tick, a retry, a manual run). Agenda's backend checks a
 * unique job by reading before it inserts, so two workers starting together could both queue the same missed tick;
 * this index makes the second insert fail instead, and the scheduler takes that as "already queued". A table that
 * already holds duplicate keys (left by that race) keeps working without it, with a warning.
 */
async function uniqueOnceKeys(pool: pg.Pool, agendaJobs: string, logger: Logger): Promise<void> {
  try {
    await pool.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS "${agendaJobs}_once_key" ON "${agendaJobs}" (name, (data->>'key')) ` +
        `WHERE data->>'key' IS NOT NULL`,
    );
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    logger.warn(
      { table: agendaJobs },
      'the Agenda jobs table holds one-time jobs queued twice; without a unique index a missed tick may run twice',
    );
  }
}
