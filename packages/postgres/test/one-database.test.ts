import { DifyConfigError } from '@dify-logs/core';
import type { SinkContext } from '@dify-logs/core/adapter-kit';
import { sampleRun } from '@dify-logs/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresSink, openPostgresDatabase, postgresStateStore } from '../src/index.js';
import { openPoolCount } from '../src/pool.js';
import { createOldSinkSchema, createOldWorkerSchema } from './fixtures/old-schema.js';
import { PG_URL, admin, dropPrefix, randomPrefix, reachable } from './postgres.js';

const server = await reachable();
const pool = admin();
const prefixes: string[] = [];
const fresh = (label: string) => {
  const prefix = randomPrefix(label);
  prefixes.push(prefix);
  return prefix;
};
afterAll(async () => {
  if (server.ok) for (const prefix of prefixes) await dropPrefix(pool, prefix);
  await pool.end();
});

const context: SinkContext = {
  job: 'nightly',
  runId: 'pipeline-1',
  window: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z', timezone: 'UTC' },
};
const recorded = async (prefix: string) =>
  (await pool.query<{ version: number }>(`SELECT version FROM "${prefix}schema_migrations" ORDER BY version`)).rows.map(
    (row) => row.version,
  );

describe.skipIf(!server.ok)(`one PostgreSQL package${server.ok ? '' : ` (skipped: ${server.reason})`}`, () => {
  it('recognises the tables scheduler-agenda 0.1 created, and loses nothing', async () => {
    const prefix = fresh('oldworker');
    await createOldWorkerSchema(pool, prefix);
    await pool.query(`INSERT INTO "${prefix}app_state" (job, app, state) VALUES ('job', 'app', $1::jsonb)`, [
      JSON.stringify({ watermark: '2026-03-01T00:00:00.000Z', recent: { a: 1 }, pending: {} }),
    ]);
    await pool.query(`INSERT INTO "${prefix}documents" (key, value) VALUES ('alerts', '{"active": {"x": 1}}'::jsonb)`);
    await pool.query(
      `INSERT INTO "${prefix}runs" (id, deployment, status, started_at, run, logs) VALUES ` +
        `('r1', 'nightly', 'succeeded', '2026-03-01T00:00:00Z', $1, ARRAY['line 1', 'line 2'])`,
      [JSON.stringify({ id: 'r1', deployment: 'nightly', status: 'succeeded', startedAt: '2026-03-01T00:00:00.000Z' })],
    );
    const agendaTable = await pool.query<{ oid: number }>('SELECT to_regclass($1)::oid AS oid', [
      `"${prefix}agenda_jobs"`,
    ]);

    const database = await openPostgresDatabase(PG_URL, { prefix });
    try {
      expect(await database.state.read('job', 'app')).toEqual({
        watermark: '2026-03-01T00:00:00.000Z',
        recent: { a: 1 },
        pending: {},
      });
      expect(await database.state.readDocument('alerts')).toEqual({ active: { x: 1 } });
      expect(await database.history.get('r1')).toMatchObject({ run: { id: 'r1' }, logs: ['line 1', 'line 2'] });
      expect(await recorded(prefix)).toEqual([2, 3]);
      const after = await pool.query<{ oid: number }>('SELECT to_regclass($1)::oid AS oid', [`"${prefix}agenda_jobs"`]);
      expect(after.rows[0]!.oid).toBe(agendaTable.rows[0]!.oid);
    } finally {
      await database.close();
    }
    // A second opening finds everything recorded.
    const again = await openPostgresDatabase(PG_URL, { prefix });
    await again.close();
    expect(await recorded(prefix)).toEqual([2, 3]);
  });

  it('recognises the tables sink-postgres 0.1 created, and loses nothing', async () => {
    const prefix = fresh('oldsink');
    await createOldSinkSchema(pool, prefix);
    await pool.query(
      `INSERT INTO "${prefix}runs" (log_id, app_id, logged_at, created_at, ` +
        `window_job, window_run_id) VALUES ('old-log', 'app', now(), now(), 'job', 'run')`,
    );
    const sink = createPostgresSink({ connectionString: PG_URL, tablePrefix: prefix });
    try {
      const writer = await sink.open(context);
      await writer.add(sampleRun('new-log', 0));
      await writer.commit();
      const { rows } = await pool.query<{ log_id: string }>(`SELECT log_id FROM "${prefix}runs" ORDER BY log_id`);
      expect(rows.map((row) => row.log_id)).toEqual(['new-log', 'old-log']);
      // Its step 1 recognised (the tables were there), the messages' step 4 and the conversations' step 5 applied.
      expect(await recorded(prefix)).toEqual([1, 4, 5]);
    } finally {
      await sink.close();
    }
  });

  it('refuses one prefix for both the sink and the workers (both keep <prefix>runs)', async () => {
    const prefix = fresh('shared');
    const database = await openPostgresDatabase(PG_URL, { prefix });
    await database.close();
    const sink = createPostgresSink({ connectionString: PG_URL, tablePrefix: prefix });
    const error = await sink.migrate().catch((caught: unknown) => caught);
    await sink.close();
    expect(DifyConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/sinks\.postgres\.tablePrefix and worker\.prefix/);

    const sinkPrefix = fresh('sinkonly');
    const other = createPostgresSink({ connectionString: PG_URL, tablePrefix: sinkPrefix });
    await other.migrate();
    await other.close();
    await expect(openPostgresDatabase(PG_URL, { prefix: sinkPrefix })).rejects.toThrow(/cannot share the table prefix/);
  });

  it('shares one pool per connection string between the workers and the sink', async () => {
    const before = openPoolCount();
    const database = await openPostgresDatabase(PG_URL, { prefix: fresh('poolworker') });
    const sink = createPostgresSink({ connectionString: PG_URL, tablePrefix: fresh('poolsink') });
    const store = postgresStateStore({ connectionString: PG_URL, tablePrefix: fresh('poolstate') });
    try {
      await sink.migrate();
      await store.writeDocument('x', { y: 1 });
      expect(openPoolCount()).toBe(before + 1);
      await sink.close();
      await store.close!();
      // The workers' database still answers: the sink released the pool, it did not end it.
      await database.ping();
      expect(openPoolCount()).toBe(before + 1);
    } finally {
      await database.close();
    }
    expect(openPoolCount()).toBe(before);
  });
});
