import * as vitest from 'vitest';
import { randomBytes } from 'node:crypto';
import { DifyConfigError, DifyStorageError } from '@dify-logs/core';
import { testStateStore } from '@dify-logs/core/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisStateStore } from '../src/index.js';
import { dropPrefix, REDIS_URL, reachable } from './servers.js';

const server = await reachable(REDIS_URL);
const prefix = `dify-logs-test:${randomBytes(4).toString('hex')}:`;
afterAll(async () => {
  if (server.ok) await dropPrefix(REDIS_URL, prefix);
});

if (!server.ok) console.warn(`skipped the Redis state tests: ${server.reason}`);

if (server.ok) {
  testStateStore(vitest, {
    name: 'Redis',
    shared: true,
    create: () => redisStateStore({ connectionString: REDIS_URL, keyPrefix: prefix }),
  });
} else {
  describe.skip(`StateStore conformance: Redis (${server.reason})`, () => it('needs Redis', () => {}));
}

describe.skipIf(!server.ok)(`redisStateStore${server.ok ? '' : ` (skipped: ${server.reason})`}`, () => {
  it('leaves a given client connected on close, and keeps its keys under the prefix', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const store = redisStateStore({ redis, keyPrefix: `${prefix}given:` });
      await store.commit('job:a', 'app/1', { watermark: null, recent: {}, pending: {} });
      await store.writeDocument('alerts', { active: {} });
      await store.runs!.put('app/1', { runId: 'r1', nodes: null } as never, {
        details: true,
        nodes: false,
        nodeData: false,
      });
      await store.close!();
      expect(await redis.ping()).toBe('PONG');
      expect((await redis.keys(`${prefix}given:*`)).sort()).toEqual([
        `${prefix}given:doc:alerts`,
        `${prefix}given:run-cache:app%2F1`,
        `${prefix}given:state:job%3Aa:app%2F1`,
      ]);
      expect(await redis.ttl(`${prefix}given:run-cache:app%2F1`)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('rejects a bad key prefix or a missing connection with a DifyConfigError naming the option', () => {
    expect(() => redisStateStore({ connectionString: REDIS_URL, keyPrefix: 'with space' })).toThrow(
      expect.objectContaining({ key: 'keyPrefix' }),
    );
    expect(() => redisStateStore({})).toThrow(DifyConfigError);
  });

  it('reports a key that holds no app state, naming the key', async () => {
    const store = redisStateStore({ connectionString: REDIS_URL, keyPrefix: prefix });
    const redis = new Redis(REDIS_URL);
    try {
      await redis.set(`${prefix}state:broken:app`, '{"watermark":');
      await expect(store.read('broken', 'app')).rejects.toThrow(
        `${prefix}state:broken:app does not hold a dify-logs app state`,
      );
      await redis.set(`${prefix}doc:broken`, 'not json');
      await expect(store.readDocument('broken')).rejects.toThrow(`${prefix}doc:broken does not hold JSON`);
      await redis.hset(`${prefix}run-cache:app`, 'torn', '7:{"runId":');
      expect(await store.runs!.get('app', 'torn', { details: true, nodes: false, nodeData: false })).toBeUndefined();
    } finally {
      redis.disconnect();
      await store.close!();
    }
  });

  it('names the key in errors and never shows the password', async () => {
    const store = redisStateStore({ connectionString: 'redis://:Sup3r-s3cret@127.0.0.1:1', keyPrefix: 'redacted:' });
    const error = await store
      .commit('job', 'app', { watermark: null, recent: {}, pending: {} })
      .catch((caught: unknown) => caught);
    await store.close!();
    expect(DifyStorageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('redacted:state:job:app');
    expect((error as Error).message).not.toContain('Sup3r-s3cret');
  });
});

describe.skipIf(!server.ok)(`openRedisDatabase${server.ok ? '' : ` (skipped: ${server.reason})`}`, () => {
  it('puts the backend, the state and the run history on one client, and hides the password of a failure', async () => {
    const { openRedisDatabase } = await import('../src/index.js');
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const database = await openRedisDatabase(REDIS_URL, { prefix });
    try {
      expect(database.kind).toBe('redis');
      await database.ping();
      await database.state.writeDocument('alerts', { active: {} });
      expect(await database.state.readDocument('alerts')).toEqual({ active: {} });
    } finally {
      await database.close();
      await dropPrefix(REDIS_URL, prefix);
    }
    const error = await openRedisDatabase('redis://:Sup3r-s3cret@127.0.0.1:1').catch((caught: unknown) => caught);
    expect(DifyStorageError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toContain('Sup3r-s3cret');
    await expect(openRedisDatabase(REDIS_URL, { prefix: 'bad prefix' })).rejects.toThrow(DifyConfigError);
  });
});
