import type { SinkCounts, SinkRunView } from '@dify-logs/core/testing';
import pg from 'pg';
import type { Tables } from '../src/index.js';

export const PG_URL = process.env.PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Whether PostgreSQL answers; the reason when not (the tests skip visibly with it). */
export async function reachable(url = PG_URL): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `${url.replace(/:[^:@/]*@/, ':***@')} does not answer (${(error as Error).message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A table prefix of this test file alone. */
export const randomPrefix = (label: string) => `t_${label}_${process.pid}_${Math.random().toString(36).slice(2, 7)}_`;

/** A pool for checks from the outside (another connection than the sink's). */
export const admin = () => new pg.Pool({ connectionString: PG_URL, max: 3 });

/** Drops every table whose name starts with `prefix`. */
export async function dropPrefix(pool: pg.Pool, prefix: string): Promise<void> {
  const { rows } = await pool.query<{ tablename: string }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1',
    [`${prefix.replace(/_/g, '\\_')}%`],
  );
  for (const row of rows) await pool.query(`DROP TABLE IF EXISTS "${row.tablename}" CASCADE`);
}

export async function countRows(pool: pg.Pool, tables: Tables): Promise<SinkCounts & { windows: number }> {
  const exists = await pool.query<{ name: string | null }>('SELECT to_regclass($1) AS name', [tables.runs]);
  if (!exists.rows[0]?.name) return { runs: 0, nodes: 0, windows: 0 };
  const { rows } = await pool.query<{ runs: string; nodes: string; windows: string }>(
    `SELECT (SELECT count(*) FROM ${tables.runs}) AS runs, (SELECT count(*) FROM ` +
      `${tables.nodes}) AS nodes, (SELECT count(*) FROM ${tables.windows}) AS windows`,
  );
  return { runs: Number(rows[0]!.runs), nodes: Number(rows[0]!.nodes), windows: Number(rows[0]!.windows) };
}

export async function readRun(pool: pg.Pool, tables: Tables, logId: string): Promise<SinkRunView | undefined> {
  const run = await pool.query<{
    status: string | null;
    error: string | null;
    inputs: Record<string, unknown> | null;
    outputs: Record<string, unknown> | null;
  }>(`SELECT status, error, inputs, outputs FROM ${tables.runs} WHERE log_id = $1`, [logId]);
  if (!run.rows[0]) return undefined;
  const nodes = await pool.query<{ id: string; status: string; title: string | null }>(
    `SELECT id, status, title FROM ${tables.nodes} WHERE log_id = $1 ORDER BY execution_index`,
    [logId],
  );
  return { ...run.rows[0], nodes: nodes.rows };
}
