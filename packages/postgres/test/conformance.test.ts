import * as vitest from 'vitest';
import { testSink } from '@dify-logs/core/testing';
import { afterAll, describe, it } from 'vitest';
import { createPostgresSink, type PostgresSink } from '../src/index.js';
import { PG_URL, admin, countRows, dropPrefix, randomPrefix, reachable, readRun } from './postgres.js';

const server = await reachable();
const prefix = randomPrefix('conformance');
const pool = admin();
afterAll(async () => {
  if (server.ok) await dropPrefix(pool, prefix);
  await pool.end();
});

if (server.ok) {
  testSink<PostgresSink>(vitest, {
    name: 'postgres',
    // A small batch so that the suite's windows span several batches and statements.
    create: () => createPostgresSink({ connectionString: PG_URL, tablePrefix: prefix, batchSize: 300 }),
    count: (sink) => countRows(pool, sink.tables),
    read: (sink, logId) => readRun(pool, sink.tables, logId),
    countMessages: async (sink) => {
      await sink.migrate();
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${sink.tables.messages}`);
      return Number(rows[0]!.n);
    },
  });
} else {
  describe('Sink conformance: postgres', () => it.skip(`(skipped: ${server.reason})`, () => undefined));
}
