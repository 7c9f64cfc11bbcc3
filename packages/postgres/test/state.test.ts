import * as vitest from 'vitest';
import { randomBytes } from 'node:crypto';
import { DifyConfigError, DifyStorageError } from '@dify-logs/core';
import type { StateStore } from '@dify-logs/core/adapter-kit';
import { testStateStore } from '@dify-logs/core/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresRunHistory, postgresStateStore } from '../src/index.js';
import { admin, dropPrefix, PG_URL, reachable } from './postgres.js';

const server = await reachable(PG_URL);
const pool = admin();
const prefixes: string[] = [];
/** A prefix of tables nobody else uses, dropped after the file. */
const freshPrefix = () => {
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  prefixes.push(prefix);
  return prefix;
};
afterAll(async () => {
  if (server.ok) for (const prefix of prefixes) await dropPrefix(pool, prefix);
  await pool.end();
});

if (!server.ok) console.warn(`skipped the PostgreSQL state tests: ${server.reason}`);

if (server.ok) {
  const prefix = freshPrefix();
  testStateStore(vitest, {
    name: 'PostgreSQL',
    shared: true,
    create: () => postgresStateStore({ connectionString: PG_URL, tablePrefix: prefix }),
  });
} else {
  describe.skip(`StateStore conformance: PostgreSQL (${server.reason})`, () => it('needs PostgreSQL', () => {}));
}

describe.skipIf(!server.ok)(`postgresStateStore${server.ok ? '' : ` (skipped: ${server.reason})`}`, () => {
  it('creates its tables once when several workers start at the same moment on a fresh prefix', async () => {
    const prefix = freshPrefix();
    const stores = Array.from({ length: 6 }, () =>
      postgresStateStore({ connectionString: PG_URL, tablePrefix: prefix }),
    );
    const histories = Array.from({ length: 3 }, () =>
      postgresRunHistory({ connectionString: PG_URL, tablePrefix: prefix }),
    );
    try {
      await Promise.all([
        ...stores.map((store, index) =>
          store.commit('job', `app-${index}`, {
            watermark: `2026-03-0${index + 1}T00:00:00.000Z`,
            recent: {},
            pending: {},
          }),
        ),
        ...histories.map((history) => history.list()),
      ]);
      for (const index of stores.keys())
        expect((await stores[(index + 1) % stores.length]!.read('job', `app-${index}`)).watermark).toBe(
          `2026-03-0${index + 1}T00:00:00.000Z`,
        );
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      const { rows } = await client.query<{ tablename: string }>(
        'SELECT tablename FROM pg_tables WHERE tablename LIKE $1 ORDER BY 1',
        [`${prefix.replace(/_/g, '\\_')}%`],
      );
      await client.end();
      expect(rows.map((row) => row.tablename)).toEqual(
        ['app_state', 'documents', 'run_cache', 'runs', 'schema_migrations'].map((name) => `${prefix}${name}`),
      );
    } finally {
      await Promise.all([...stores, ...histories].map((owner) => owner.close?.()));
    }
  });

  it('leaves a given pool open on close', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    try {
      const store = postgresStateStore({ pool, tablePrefix: freshPrefix() });
      await store.writeDocument('alerts', { active: {} });
      await store.close!();
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('rejects a bad table prefix or a missing connection with a DifyConfigError naming the option', () => {
    const error = (make: () => StateStore) => {
      try {
        make();
      } catch (caught) {
        return caught;
      }
      return undefined;
    };
    const badPrefix = error(() =>
      postgresStateStore({ connectionString: PG_URL, tablePrefix: 'x"; DROP TABLE y; --' }),
    );
    expect(DifyConfigError.isInstance(badPrefix) && badPrefix.key).toBe('tablePrefix');
    const noSource = error(() => postgresStateStore({}));
    expect(DifyConfigError.isInstance(noSource) && noSource.key).toBe('connectionString');
  });

  it('names the table in errors and never shows the password', async () => {
    const warnings: string[] = [];
    const logger = {
      trace() {},
      debug() {},
      info() {},
      warn: (object: object) => warnings.push(JSON.stringify(object)),
      error() {},
      child: () => logger,
    };
    const store = postgresStateStore({
      connectionString: 'postgres://root:Sup3r-s3cret@127.0.0.1:1/test',
      tablePrefix: 'redacted_',
      logger,
    });
    const error = await store.read('job', 'app').catch((caught: unknown) => caught);
    await store.close!();
    expect(DifyStorageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('"redacted_app_state"');
    expect((error as Error).message).not.toContain('Sup3r-s3cret');
    expect(warnings.join('\n')).not.toContain('Sup3r-s3cret');
  });

  it('reports a row that holds no app state, naming table, job and app', async () => {
    const prefix = freshPrefix();
    const store = postgresStateStore({ connectionString: PG_URL, tablePrefix: prefix });
    try {
      await store.commit('job', 'app', { watermark: null, recent: {}, pending: {} });
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`UPDATE "${prefix}app_state" SET state = '{"watermark": 5}'::jsonb`);
      await client.end();
      await expect(store.read('job', 'app')).rejects.toThrow(
        `"${prefix}app_state" row (job "job", app "app") does not hold a dify-logs app state`,
      );
    } finally {
      await store.close!();
    }
  });
});
