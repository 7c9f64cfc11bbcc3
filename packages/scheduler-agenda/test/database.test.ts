import { DifyConfigError } from '@dify-logs/core';
import { createPluginRegistry } from '@dify-logs/core/adapter-kit';
import { describe, expect, it } from 'vitest';
import { databaseKind, openAgendaDatabase } from '../src/index.js';
import { DATABASE_PLUGINS } from './databases.js';
import { dropPrefix, PG_URL, reachable } from './servers.js';

const keyOf = async (opening: Promise<unknown>) => {
  const error = await opening.catch((caught: unknown) => caught);
  expect(DifyConfigError.isInstance(error)).toBe(true);
  return { key: (error as DifyConfigError).key, message: (error as Error).message };
};

describe('openAgendaDatabase picks the database plugin by scheme', () => {
  it('names worker.databaseUrl and the package to install when no plugin opens the scheme', async () => {
    const postgres = await keyOf(openAgendaDatabase('postgres://u:secret-pw@db/x'));
    expect(postgres.key).toBe('worker.databaseUrl');
    expect(postgres.message).toContain('@dify-logs/postgres');
    expect(postgres.message).not.toContain('secret-pw');
    const redis = await keyOf(openAgendaDatabase('rediss://db:6380', { plugins: createPluginRegistry([]) }));
    expect(redis.message).toContain('@dify-logs/redis');
    const mongo = await keyOf(openAgendaDatabase('mongodb+srv://cluster/x', { plugins: () => undefined }));
    expect(mongo.message).toContain('@dify-logs/mongodb');
    const other = await keyOf(openAgendaDatabase('mysql://db/x', { plugins: DATABASE_PLUGINS }));
    expect(other.message).toMatch(/no database plugin opens mysql:\/\//);
    const notUrl = await keyOf(openAgendaDatabase('db.example.com'));
    expect(notUrl.key).toBe('worker.databaseUrl');
  });

  it('still says which kind a connection string names', () => {
    expect(databaseKind('postgresql://db/x')).toBe('postgres');
    expect(databaseKind('rediss://db')).toBe('redis');
    expect(databaseKind('mongodb+srv://db')).toBe('mongodb');
  });

  it('opens through the registered plugin', async () => {
    const server = await reachable(PG_URL);
    if (!server.ok) return console.warn(`skipped: ${server.reason}`);
    const prefix = `t${process.pid}_db_`;
    const database = await openAgendaDatabase(PG_URL, {
      prefix,
      plugins: createPluginRegistry(DATABASE_PLUGINS),
    });
    try {
      expect(database.kind).toBe('postgres');
      await database.ping();
    } finally {
      await database.close();
      await dropPrefix(PG_URL, prefix);
    }
  });
});

describe('startWorker', () => {
  it("opens worker.databaseUrl through the runtime's plugins, and names the package when none opens it", async () => {
    const { createDifyLogs } = await import('@dify-logs/core');
    const { plugin: agenda, startWorker } = await import('../src/index.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const runtime = await createDifyLogs({
      plugins: [agenda],
      cwd: mkdtempSync(join(tmpdir(), 'dify-logs-worker-')),
      config: {
        dify: { baseUrl: 'http://127.0.0.1:9', apiKey: 'app-x', appId: 'a' },
        jobs: [{ name: 'live' }],
        deployments: [{ name: 'd', job: 'live', schedule: '0 2 * * *' }],
        worker: { databaseUrl: 'postgres://u:hidden-pw@127.0.0.1:9/x', port: 0 },
      },
    });
    try {
      const error = await keyOf(startWorker(runtime));
      expect(error.key).toBe('worker.databaseUrl');
      expect(error.message).toContain('@dify-logs/postgres');
      expect(error.message).not.toContain('hidden-pw');
    } finally {
      await runtime.close();
    }
  });
});
