import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { RedisBackend } from '@agendajs/redis-backend';
import { DifyConfigError, type StateStore } from '@dify-logs/core';
import type { AgendaBackend } from 'agenda';
import { Redis } from 'ioredis';
import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import { databaseError, redactConnectionString, secretsOf } from './state/shared.js';
import {
  mongoRunHistory,
  mongoStateStore,
  postgresRunHistory,
  postgresStateStore,
  redisRunHistory,
  redisStateStore,
  type RunHistory,
} from './state/index.js';

export type DatabaseKind = 'mongodb' | 'postgres' | 'redis';

/** Where the workers meet: a connection string, or a client this process already has (then it is not closed here). */
export type DatabaseSource = string | { mongo: Db } | { pool: pg.Pool } | { redis: Redis };

export interface DatabaseOptions {
  /** Prefix of every table, collection or key (default `dify_logs_`; `dify-logs:` for Redis). Separates tenants sharing one database. */
  prefix?: string;
}

/** One database shared by Agenda (jobs and locks), the pipeline state and the run history. */
export interface AgendaDatabase {
  readonly kind: DatabaseKind;
  /** The connection string with its password hidden, for logs. */
  readonly description: string;
  readonly backend: AgendaBackend;
  readonly state: StateStore;
  readonly history: RunHistory;
  /** Throws when the database does not answer (readiness). */
  ping(): Promise<void>;
  /** Closes what this module opened. */
  close(): Promise<void>;
}

const PREFIX = /^[A-Za-z0-9_]{0,40}$/;
const REDIS_PREFIX = /^[A-Za-z0-9_:.-]{0,80}$/;

/** Which database a connection string names (`mongodb://`, `mongodb+srv://`, `postgres://`, `postgresql://`, `redis://`, `rediss://`). */
export function databaseKind(url: string): DatabaseKind {
  const scheme = /^([a-z+]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'mongodb' || scheme === 'mongodb+srv') return 'mongodb';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'redis' || scheme === 'rediss') return 'redis';
  throw new DifyConfigError(
    'worker.database',
    `${JSON.stringify(redactConnectionString(url))} is not a mongodb://, postgres:// or redis:// connection string`,
  );
}

/**
 * Opens the shared database: Agenda's backend, a StateStore and the run history on one connection
 * (pool) per process. PostgreSQL schemas are created under an advisory lock, so several workers
 * starting at the same moment on a fresh database do not race.
 */
export async function openAgendaDatabase(
  source: DatabaseSource,
  options: DatabaseOptions = {},
): Promise<AgendaDatabase> {
  const kind =
    typeof source === 'string'
      ? databaseKind(source)
      : 'pool' in source
        ? 'postgres'
        : 'redis' in source
          ? 'redis'
          : 'mongodb';
  if (options.prefix !== undefined && !(kind === 'redis' ? REDIS_PREFIX : PREFIX).test(options.prefix)) {
    throw new DifyConfigError(
      'worker.prefix',
      kind === 'redis'
        ? 'may only hold letters, digits, _ : . and - (at most 80)'
        : 'may only hold letters, digits and _ (at most 40)',
    );
  }
  if (typeof source === 'string') {
    const description = redactConnectionString(source);
    // A driver's message never reaches the caller with the password in it, whatever form it takes there.
    const opening = async (open: () => Promise<AgendaDatabase>): Promise<AgendaDatabase> => {
      try {
        return await open();
      } catch (error) {
        throw databaseError(kind, 'open the worker database', description, error, secretsOf(source));
      }
    };
    if (kind === 'postgres') {
      const pool = new pg.Pool({ connectionString: source, max: 8 });
      return opening(() =>
        postgres(pool, true, description, options).catch(async (error: unknown) => {
          await pool.end().catch(() => undefined);
          throw error;
        }),
      );
    }
    if (kind === 'redis') {
      return opening(async () => {
        // Connected and answering before Agenda uses it: Agenda 6.2.6 connects its backend in its constructor
        // without handling a failure, which crashed the process with an unhandled MaxRetriesPerRequestError.
        const client = new Redis(source, { maxRetriesPerRequest: 3, lazyConnect: true });
        let lastError: unknown;
        // Without a listener ioredis prints every failed reconnection to the console; a failed command says enough.
        client.on('error', (error: unknown) => void (lastError = error));
        try {
          await client.connect();
          await client.ping();
        } catch (error) {
          client.disconnect();
          throw lastError ?? error;
        }
        return redis(client, true, description, options);
      });
    }
    return opening(async () => {
      const client = await MongoClient.connect(source);
      return mongo(client.db(), client, description, options);
    });
  }
  if ('pool' in source) return postgres(source.pool, false, 'postgres (given pool)', options);
  if ('redis' in source) return redis(source.redis, false, 'redis (given client)', options);
  return mongo(source.mongo, undefined, 'mongodb (given Db)', options);
}

async function postgres(
  pool: pg.Pool,
  owned: boolean,
  description: string,
  options: DatabaseOptions,
): Promise<AgendaDatabase> {
  const prefix = options.prefix ?? 'dify_logs_';
  const tableName = `${prefix}agenda_jobs`;
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [tableName]);
    const schema = new PostgresBackend({ pool, tableName, disableNotifications: true });
    await schema.connect();
    await schema.disconnect();
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [tableName]).catch(() => undefined);
    client.release();
  }
  const state = postgresStateStore({ pool, tablePrefix: prefix });
  const history = postgresRunHistory({ pool, tablePrefix: prefix });
  return {
    kind: 'postgres',
    description,
    backend: new PostgresBackend({ pool, tableName, channelName: `${prefix}agenda`, ensureSchema: false }),
    state,
    history,
    ping: async () => void (await pool.query('SELECT 1')),
    close: async () => {
      await state.close?.();
      await history.close?.();
      if (owned) await pool.end();
    },
  };
}

async function redis(
  client: Redis,
  owned: boolean,
  description: string,
  options: DatabaseOptions,
): Promise<AgendaDatabase> {
  const prefix = options.prefix ?? 'dify-logs:';
  const state = redisStateStore({ redis: client, keyPrefix: prefix });
  const history = redisRunHistory({ redis: client, keyPrefix: prefix });
  return {
    kind: 'redis',
    description,
    backend: new RedisBackend({ redis: client, keyPrefix: `${prefix}agenda:`, channelName: `${prefix}agenda` }),
    state,
    history,
    ping: async () => void (await client.ping()),
    close: async () => {
      await state.close?.();
      await history.close?.();
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}

async function mongo(
  db: Db,
  client: MongoClient | undefined,
  description: string,
  options: DatabaseOptions,
): Promise<AgendaDatabase> {
  const prefix = options.prefix ?? 'dify_logs_';
  const state = mongoStateStore({ db, collectionPrefix: prefix });
  const history = mongoRunHistory({ db, collectionPrefix: prefix });
  return {
    kind: 'mongodb',
    description,
    backend: new MongoBackend({ mongo: db, collection: `${prefix}agenda_jobs` }),
    state,
    history,
    ping: async () => void (await db.command({ ping: 1 })),
    close: async () => {
      await state.close?.();
      await history.close?.();
      await client?.close();
    },
  };
}
