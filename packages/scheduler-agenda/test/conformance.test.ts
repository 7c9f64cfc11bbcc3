import * as vitest from 'vitest';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { testScheduler } from '@dify-logs/core/testing';
import type { Scheduler } from '@dify-logs/core/adapter-kit';
import { createAgendaScheduler, openAgendaDatabase, type AgendaDatabase } from '../src/index.js';
import { DATABASE_PLUGINS } from './databases.js';
import { dropPrefix, PG_URL, REDIS_URL, reachable } from './servers.js';

const databases = new Map<Scheduler, { database: AgendaDatabase; url: string; prefix: string }>();

async function create(url: string): Promise<Scheduler> {
  const prefix = url.startsWith('redis')
    ? `dify-logs-test:${randomBytes(4).toString('hex')}:`
    : `t${randomBytes(4).toString('hex')}_`;
  const database = await openAgendaDatabase(url, { prefix, plugins: DATABASE_PLUGINS });
  const scheduler = createAgendaScheduler({
    backend: database.backend,
    history: database.history,
    processEveryMs: 300,
    lockLifetimeMs: 20_000,
    concurrency: 4,
  });
  databases.set(scheduler, { database, url, prefix });
  return scheduler;
}

async function cleanup(scheduler: Scheduler): Promise<void> {
  const entry = databases.get(scheduler);
  if (!entry) return;
  databases.delete(scheduler);
  await entry.database.close();
  await dropPrefix(entry.url, entry.prefix);
}

const postgres = await reachable(PG_URL);
const redis = await reachable(REDIS_URL);

if (postgres.ok)
  testScheduler(vitest, { name: 'agenda on PostgreSQL', create: () => create(PG_URL), cleanup, pickupMs: 2000 });
else
  describe.skip(`Scheduler conformance: agenda on PostgreSQL (${postgres.reason})`, () =>
    it('needs PostgreSQL', () => {}));
if (redis.ok)
  testScheduler(vitest, { name: 'agenda on Redis', create: () => create(REDIS_URL), cleanup, pickupMs: 2000 });
else describe.skip(`Scheduler conformance: agenda on Redis (${redis.reason})`, () => it('needs Redis', () => {}));
