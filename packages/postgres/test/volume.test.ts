import type { SinkContext } from '@dify-logs/core/adapter-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresSink } from '../src/index.js';
import { PG_URL, admin, countRows, dropPrefix, randomPrefix, reachable } from './postgres.js';
import { syntheticRuns } from './records.js';

const server = await reachable();
const describePg = server.ok ? describe : describe.skip;
const against = server.ok ? 'PostgreSQL' : `PostgreSQL (skipped: ${server.reason})`;
const RUNS = 100_000;
const pool = admin();
const prefix = randomPrefix('volume');

afterAll(async () => {
  if (server.ok) await dropPrefix(pool, prefix);
  await pool.end();
});

describePg(`100k runs against ${against}`, () => {
  it(
    'writes 100k runs with nodes on 20 %, then the same window again: row counts unchanged',
    { timeout: 600_000 },
    async () => {
      const sink = createPostgresSink({ connectionString: PG_URL, tablePrefix: prefix });
      const context: SinkContext = {
        job: 'volume',
        runId: 'pipeline-volume',
        window: { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', timezone: 'UTC' },
      };
      let expectedNodes = 0;
      for (const record of syntheticRuns(RUNS)) expectedNodes += record.nodes?.length ?? 0;
      const pass = async () => {
        const started = performance.now();
        const writer = await sink.open(context);
        for (const record of syntheticRuns(RUNS)) {
          const pending = writer.add(record);
          if (pending) await pending;
        }
        const { rows } = await writer.commit();
        return { rows, seconds: (performance.now() - started) / 1000 };
      };
      try {
        const first = await pass();
        const afterFirst = await countRows(pool, sink.tables);
        expect(afterFirst).toEqual({ runs: RUNS, nodes: expectedNodes, windows: 1 });
        expect(first.rows).toEqual({ runs: RUNS, node_executions: expectedNodes, windows: 1 });
        const again = await pass();
        expect(await countRows(pool, sink.tables)).toEqual(afterFirst);
        expect(again.rows).toEqual(first.rows);
        console.log(
          `postgres sink, ${RUNS} runs + ${expectedNodes} node executions: write ${first.seconds.toFixed(1)}` +
            ` s (${Math.round(RUNS / first.seconds)} runs/s), same window again ${again.seconds.toFixed(1)} s`,
        );
      } finally {
        await sink.close();
      }
    },
  );
});
