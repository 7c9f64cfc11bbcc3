import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresSink } from '../src/index.js';
import { PG_URL, admin, countRows, dropPrefix, randomPrefix, reachable } from './postgres.js';
import { syntheticRuns } from './records.js';

const server = await reachable();
const describePg = server.ok ? describe : describe.skip;
const against = server.ok ? 'PostgreSQL' : `PostgreSQL (skipped: ${server.reason})`;
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const pool = admin();
const prefix = randomPrefix('crash');
const window = { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', timezone: 'UTC' };

afterAll(async () => {
  if (server.ok) await dropPrefix(pool, prefix);
  await pool.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether another transaction holds the row lock of a run (the crashed writer's upsert, until its rollback). */
async function locked(table: string, logId: string): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT 1 FROM ${table} WHERE log_id = $1 FOR UPDATE NOWAIT`, [logId]);
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') return true;
    throw error;
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

describePg(`a writer killed mid-window, against ${against}`, () => {
  it(
    'leaves none of its rows and no windows row visible; the window is written whole afterwards',
    { timeout: 300_000 },
    async () => {
      const sink = createPostgresSink({ connectionString: PG_URL, tablePrefix: prefix });
      try {
        // An earlier window holds the first 1,000 runs (the killed write updates them in its transaction).
        const earlier = await sink.open({ job: 'crash', runId: 'pipeline-earlier', window });
        for (const record of syntheticRuns(1000)) await earlier.add(record);
        await earlier.commit();
        const before = await countRows(pool, sink.tables);

        const child = spawn(tsx, ['--conditions=dev-source', script], {
          env: { ...process.env, PG_URL, PREFIX: prefix, RUN_ID: 'pipeline-killed', COUNT: '50000' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        const deadline = Date.now() + 120_000;
        while (!/added 20000/.test(output)) {
          if (child.exitCode !== null || Date.now() > deadline)
            throw new Error(`the writer did not get to 20,000 runs:\n${output}`);
          await sleep(20);
        }
        const pid = Number(/ready (\d+)/.exec(output)![1]);
        // Its transaction holds the runs it upserted: written, not committed.
        expect(await locked(sink.tables.runs, 'log-0')).toBe(true);
        process.kill(pid, 'SIGKILL');
        await exited;
        expect(output).not.toContain('committed');

        // Nothing of the killed window is visible, at once and after the server noticed the dead connection.
        const visible = async () => {
          const runs = await pool.query(
            `SELECT count(*)::int AS n FROM ${sink.tables.runs} WHERE window_run_id = 'pipeline-killed'`,
          );
          const windows = await pool.query(
            `SELECT count(*)::int AS n FROM ${sink.tables.windows} WHERE run_id = 'pipeline-killed'`,
          );
          return { runs: runs.rows[0].n as number, windows: windows.rows[0].n as number };
        };
        expect(await visible()).toEqual({ runs: 0, windows: 0 });
        expect(await countRows(pool, sink.tables)).toEqual(before);
        const released = Date.now() + 30_000;
        while (await locked(sink.tables.runs, 'log-0')) {
          if (Date.now() > released) throw new Error('the killed writer still holds its locks after 30 s');
          await sleep(100);
        }
        expect(await visible()).toEqual({ runs: 0, windows: 0 });
        expect(await countRows(pool, sink.tables)).toEqual(before);

        // The pipeline's retry writes the window whole.
        const retry = await sink.open({ job: 'crash', runId: 'pipeline-killed', window });
        let nodes = 0;
        for (const record of syntheticRuns(50_000)) {
          nodes += record.nodes?.length ?? 0;
          await retry.add(record);
        }
        await retry.commit();
        expect(await visible()).toEqual({ runs: 50_000, windows: 1 });
        expect(await countRows(pool, sink.tables)).toEqual({ runs: 50_000, nodes, windows: 2 });
      } finally {
        await sink.close();
      }
    },
  );
});
