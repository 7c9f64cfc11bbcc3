import { RedisBackend } from '@agendajs/redis-backend';
import { DifyConfigError } from '@dify-logs/core';
import { databases, type SchedulerDatabase, type SchedulerDatabaseOptions } from '@dify-logs/core/adapter-kit';
import type { AgendaBackend } from 'agenda';
import { Redis } from 'ioredis';
import { redisRunHistory } from './run-history.js';
import { redisStateStore } from './state.js';

const { databaseError, redactConnectionString, secretsOf } = databases;

/** The workers' database on Redis: Agenda's backend, the pipeline state and the run history on one client. */
export type RedisDatabase = SchedulerDatabase<AgendaBackend>;

const KEY_PREFIX = /^[A-Za-z0-9_:.-]{0,80}$/;

/**
 * Opens the workers' database: Agenda's backend, a StateStore and the run history on one ioredis client, connected
 * and answering before Agenda uses it; or on a client you pass (never quit here).
 */
export async function openRedisDatabase(
  source: string | { redis: Redis },
  options: SchedulerDatabaseOptions = {},
): Promise<RedisDatabase> {
  const prefix = options.prefix ?? 'dify-logs:';
  if (!KEY_PREFIX.test(prefix))
    throw new DifyConfigError('worker.prefix', 'may only hold letters, digits, _ : . and - (at most 80)');
  if (typeof source !== 'string') return database(source.redis, false, 'redis (given client)', prefix);
  const description = redactConnectionString(source);
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
    // A driver's message never reaches the caller with the password in it, whatever form it takes there.
    throw databaseError('redis', 'open the worker database', description, lastError ?? error, secretsOf(source));
  }
  return database(client, true, description, prefix);
}

function database(client: Redis, owned: boolean, description: string, prefix: string): RedisDatabase {
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
