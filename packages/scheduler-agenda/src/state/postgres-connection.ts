import { DifyStorageError, silentLogger, type Logger } from '@dify-logs/core';
import pg from 'pg';
import {
  IDENTIFIER_PREFIX,
  IDENTIFIER_RULE,
  assertOneSource,
  assertPrefix,
  attempt,
  redactConnectionString,
  secretsOf,
} from './shared.js';

export interface PostgresOptions {
  /** `postgres://user:password@host:5432/database`: a pool is opened on first use and ended by `close()`. */
  connectionString?: string;
  /** A pool this process already has: used as it is, never ended here. */
  pool?: pg.Pool;
  /** Prefix of every table and index (letters, digits, `_`; at most 40; default `dify_logs_`). */
  tablePrefix?: string;
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

/** The tables and indexes a store needs, by their full names, and the DDL creating them (idempotent). */
export interface PostgresSchema {
  objects: string[];
  ddl: string[];
}

export interface PostgresConnection {
  readonly prefix: string;
  readonly logger: Logger;
  /** A quoted table or index name: `"<prefix><name>"`. */
  name(suffix: string): string;
  /** Runs a query once the schema exists; a failure names `target`. */
  query<Row extends pg.QueryResultRow>(
    action: string,
    target: string,
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<Row>>;
  close(): Promise<void>;
}

/**
 * A lazily opened pool and a schema created once, on first use. Several processes starting at once
 * on a fresh database would race on `CREATE TABLE IF NOT EXISTS` (it can fail with a duplicate key in
 * pg_type), so the DDL runs in one transaction under `pg_advisory_xact_lock`; a schema already there
 * is found without taking the lock.
 */
export function postgresConnection(
  adapter: string,
  options: PostgresOptions,
  schemaOf: (name: (suffix: string) => string) => PostgresSchema,
): PostgresConnection {
  assertOneSource(['connectionString', 'pool'], [options.connectionString, options.pool]);
  const prefix = options.tablePrefix ?? 'dify_logs_';
  assertPrefix('tablePrefix', prefix, IDENTIFIER_PREFIX, IDENTIFIER_RULE);
  const logger = (options.logger ?? silentLogger).child({ adapter });
  const secrets = secretsOf(options.connectionString);
  const name = (suffix: string) => `"${prefix}${suffix}"`;
  const schema = schemaOf(name);
  let owned: pg.Pool | undefined;
  let ready: Promise<void> | undefined;
  let closed = false;

  function pool(): pg.Pool {
    if (closed) throw new DifyStorageError(adapter, 'storage_failed', 'used after close()');
    if (options.pool) return options.pool;
    if (!owned) {
      owned = new pg.Pool({ connectionString: options.connectionString, max: 4 });
      const description = redactConnectionString(options.connectionString!);
      owned.on('error', (error) =>
        logger.warn({ database: description, err: error.message }, 'an idle PostgreSQL connection failed'),
      );
    }
    return owned;
  }

  async function createSchema(): Promise<void> {
    const { rows } = await pool().query<{ missing: number }>(
      'SELECT count(*)::int AS missing FROM unnest($1::text[]) AS object WHERE to_regclass(object) IS NULL',
      [schema.objects],
    );
    if (rows[0]?.missing === 0) return;
    const client = await pool().connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`dify-logs schema ${prefix}`]);
      for (const statement of schema.ddl) await client.query(statement);
      await client.query('COMMIT');
      logger.debug({ tablePrefix: prefix, objects: schema.objects }, 'PostgreSQL tables ready');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  function ensureSchema(): Promise<void> {
    if (!ready) {
      ready = attempt(adapter, 'create', schema.objects.join(', '), secrets, createSchema);
      ready.catch(() => (ready = undefined));
    }
    return ready;
  }

  return {
    prefix,
    logger,
    name,
    async query<Row extends pg.QueryResultRow>(action: string, target: string, text: string, values: unknown[] = []) {
      await ensureSchema();
      return attempt(adapter, action, target, secrets, () => pool().query<Row>(text, values));
    },
    async close() {
      if (closed) return;
      closed = true;
      await ready?.catch(() => undefined);
      if (owned) await owned.end();
    },
  };
}
