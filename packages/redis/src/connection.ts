import { DifyStorageError, silentLogger, type Logger } from '@dify-logs/core';
import { Redis, type ChainableCommander } from 'ioredis';
import { databases } from '@dify-logs/core/adapter-kit';

const { assertOneSource, assertPrefix, attempt, redactConnectionString, secretsOf } = databases;

export interface RedisOptions {
  /** `redis://[:password@]host:6379[/db]`: a client is opened on first use and quit by `close()`. */
  connectionString?: string;
  /** A client this process already has: used as it is, never quit here. */
  redis?: Redis;
  /** Prefix of every key (letters, digits, `_ : . -`; at most 80; default `dify-logs:`). */
  keyPrefix?: string;
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

export interface RedisConnection {
  readonly prefix: string;
  /** Runs commands on the client; a failure names `target`. */
  run<T>(action: string, target: string, operation: (redis: Redis) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const KEY_PREFIX = /^[A-Za-z0-9_:.-]{0,80}$/;

/** A lazily opened ioredis client (or the one given), quit on `close()` only when opened here. */
export function redisConnection(adapter: string, options: RedisOptions): RedisConnection {
  assertOneSource(['connectionString', 'redis'], [options.connectionString, options.redis]);
  const prefix = options.keyPrefix ?? 'dify-logs:';
  assertPrefix('keyPrefix', prefix, KEY_PREFIX, 'may only hold letters, digits, _ : . and - (at most 80)');
  const logger = (options.logger ?? silentLogger).child({ adapter });
  const secrets = secretsOf(options.connectionString);
  let owned: Redis | undefined;
  let closed = false;

  function client(): Redis {
    if (closed) throw new DifyStorageError(adapter, 'storage_failed', 'used after close()');
    if (options.redis) return options.redis;
    if (!owned) {
      owned = new Redis(options.connectionString!, { lazyConnect: true, maxRetriesPerRequest: 3 });
      const description = redactConnectionString(options.connectionString!);
      owned.on('error', (error: Error) =>
        logger.warn({ database: description, err: error.message }, 'the Redis connection failed'),
      );
    }
    return owned;
  }

  return {
    prefix,
    run: (action, target, operation) => attempt(adapter, action, target, secrets, () => operation(client())),
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await owned.quit().catch(() => owned!.disconnect());
    },
  };
}

/** Runs a MULTI (or pipeline) and returns its replies; the first failed command throws (ioredis only reports them). */
export async function execAll(commands: ChainableCommander): Promise<unknown[]> {
  const replies = await commands.exec();
  if (!replies) throw new Error('the transaction was aborted');
  for (const [error] of replies) if (error) throw error;
  return replies.map(([, reply]) => reply);
}
