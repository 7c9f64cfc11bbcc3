import { silentLogger, type Logger } from '@dify-logs/core';
import pg from 'pg';
import { redactConnectionString } from '@dify-logs/core/adapter-kit';

/** A use of a pool: `release()` once; the pool ends with its last user. */
export interface PoolLease {
  readonly pool: pg.Pool;
  release(): Promise<void>;
}

const shared = new Map<string, { pool: pg.Pool; users: number }>();

/**
 * The one pool of this process for a connection string: the scheduler backend, the state store, the run history and
 * the sink of one database all draw from it. Opened on the first lease, ended when the last lease is released.
 */
export function leasePool(connectionString: string, logger: Logger = silentLogger): PoolLease {
  let entry = shared.get(connectionString);
  if (!entry) {
    const pool = new pg.Pool({ connectionString, max: 10, application_name: 'dify-logs' });
    const description = redactConnectionString(connectionString);
    // An idle client losing its connection must not crash the process: the next checkout reconnects.
    pool.on('error', (error) =>
      logger.warn({ database: description, err: error.message }, 'an idle PostgreSQL connection failed'),
    );
    entry = { pool, users: 0 };
    shared.set(connectionString, entry);
  }
  entry.users += 1;
  const held = entry;
  let released = false;
  return {
    pool: held.pool,
    async release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users === 0) {
        if (shared.get(connectionString) === held) shared.delete(connectionString);
        await held.pool.end();
      }
    },
  };
}

/** How many shared pools are open in this process (for tests and diagnostics). */
export const openPoolCount = () => shared.size;
