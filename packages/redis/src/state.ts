import { DifyConfigError, type RunRecord } from '@dify-logs/core';
import type { RunCache, StateStore } from '@dify-logs/core/adapter-kit';
import { fitToLevel } from '@dify-logs/core/adapter-kit';
import { databases } from '@dify-logs/core/adapter-kit';
import { execAll, redisConnection, type RedisOptions } from './connection.js';

const { emptyAppState, keySegment, levelBits, parseDocument, toAppState } = databases;

export interface RedisStateStoreOptions extends RedisOptions {
  /** The finished-run cache of an app expires this long after its last put (default 30 days). */
  runCacheTtlSeconds?: number;
}

const ADAPTER = 'redis state';

/**
 * App states and documents as one JSON string key each (`<prefix>state:<job>:<app>`,
 * `<prefix>doc:<key>`, names percent-encoded), written with one SET, so a commit is atomic and
 * racing writers leave one whole value. The finished-run cache is a hash per app
 * (`<prefix>run-cache:<app>`, field run id, value `<level bits>:<record JSON>`).
 */
export function redisStateStore(options: RedisStateStoreOptions): StateStore {
  const db = redisConnection(ADAPTER, options);
  const ttl = options.runCacheTtlSeconds ?? 30 * 24 * 3600;
  if (!Number.isInteger(ttl) || ttl < 1)
    throw new DifyConfigError('runCacheTtlSeconds', `${String(ttl)} is not a whole number of seconds of at least 1`);
  const stateKey = (job: string, app: string) => `${db.prefix}state:${keySegment(job)}:${keySegment(app)}`;
  const documentKey = (key: string) => `${db.prefix}doc:${keySegment(key)}`;
  const cacheKey = (app: string) => `${db.prefix}run-cache:${keySegment(app)}`;

  const runs: RunCache = {
    async get(app, runId, level) {
      const key = cacheKey(app);
      const stored = await db.run('read', `${key} field ${runId}`, (redis) => redis.hget(key, runId));
      const match = stored === null ? null : /^(\d+):/.exec(stored);
      if (!stored || !match) return undefined;
      const bits = levelBits(level);
      if ((Number(match[1]) & bits) !== bits) return undefined;
      try {
        return fitToLevel(JSON.parse(stored.slice(match[0].length)) as RunRecord, level);
      } catch {
        return undefined;
      }
    },
    async put(app, record, level) {
      if (!record.runId) return;
      const key = cacheKey(app);
      await db.run('write', `${key} field ${record.runId}`, (redis) =>
        execAll(
          redis
            .multi()
            .hset(key, record.runId!, `${levelBits(level)}:${JSON.stringify(record)}`)
            .expire(key, ttl),
        ),
      );
    },
  };

  return {
    name: 'redis',
    runs,
    async read(job, app) {
      const key = stateKey(job, app);
      const stored = await db.run('read', key, (redis) => redis.get(key));
      return stored === null ? emptyAppState() : toAppState(ADAPTER, key, stored);
    },
    async commit(job, app, state) {
      const key = stateKey(job, app);
      await db.run('commit', key, (redis) =>
        redis.set(key, JSON.stringify({ watermark: state.watermark, recent: state.recent, pending: state.pending })),
      );
    },
    async readDocument(key) {
      const name = documentKey(key);
      const stored = await db.run('read', name, (redis) => redis.get(name));
      return stored === null ? undefined : parseDocument(ADAPTER, name, stored);
    },
    async writeDocument(key, value) {
      const name = documentKey(key);
      if (value === undefined) await db.run('delete', name, (redis) => redis.del(name));
      else await db.run('write', name, (redis) => redis.set(name, JSON.stringify(value)));
    },
    close: () => db.close(),
  };
}
