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
    readConversation: async (sink, conversationId) => {
      await sink.migrate();
      const { rows } = await pool.query<{ updated: Date | null; message_count: string | null; dislikes: string }>(
        `SELECT conversation_updated_at AS updated, message_count, dislikes FROM ${sink.tables.conversations} ` +
          'WHERE conversation_id = $1',
        [conversationId],
      );
      const row = rows[0];
      if (!row) return undefined;
      return {
        updatedAt: row.updated?.toISOString() ?? null,
        messageCount: row.message_count === null ? null : Number(row.message_count),
        dislikes: Number(row.dislikes),
      };
    },
  });
} else {
  describe('Sink conformance: postgres', () => it.skip(`(skipped: ${server.reason})`, () => undefined));
}
