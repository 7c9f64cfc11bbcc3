import type { DeploymentRun } from '@dify-logs/core/adapter-kit';
import { databases, type RunHistory, type RunHistoryOptions } from '@dify-logs/core/adapter-kit';
import { postgresConnection, type PostgresOptions } from './connection.js';

const { limitOf, maxLogLinesOf, startedAtMs, parseDocument, quoted } = databases;

export type PostgresRunHistoryOptions = PostgresOptions & RunHistoryOptions;

const ADAPTER = 'postgres run history';

/** PostgreSQL has no NUL in text: a NUL in a log line becomes U+FFFD. */
const cleanLine = (line: string) => line.replace(/\u0000/g, '\uFFFD');

/**
 * Runs in the table `<prefix>runs` (the run as JSON, its log lines as `text[]`), indexed by
 * (deployment, started_at desc), status and started_at. Appending logs trims to the last
 * `maxLogLines` in the same statement.
 */
export function postgresRunHistory(options: PostgresRunHistoryOptions): RunHistory {
  const maxLogLines = maxLogLinesOf(options);
  const db = postgresConnection(ADAPTER, options);
  const runs = db.tables.history;
  const row = (id: string) => `${runs} row ${quoted(id)}`;
  const toRun = (id: string, text: string) => parseDocument(ADAPTER, row(id), text) as DeploymentRun;

  return {
    async save(run) {
      const started = new Date(startedAtMs(run));
      await db.query(
        'save',
        row(run.id),
        `INSERT INTO ${runs} (id, deployment, status, started_at, run) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET deployment = EXCLUDED.deployment, status = EXCLUDED.status, started_at = \
EXCLUDED.started_at, run = EXCLUDED.run, updated_at = now()`,
        [run.id, run.deployment, run.status, started, JSON.stringify(run)],
      );
    },
    async appendLogs(id, lines) {
      if (lines.length === 0) return;
      await db.query(
        'append logs to',
        row(id),
        `UPDATE ${runs} SET logs = (logs || $2::text[])[greatest(cardinality(logs) ` +
          `+ cardinality($2::text[]) - $3 + 1, 1):], updated_at = now() WHERE id = $1`,
        [id, lines.slice(-maxLogLines).map(cleanLine), maxLogLines],
      );
    },
    async list(query = {}) {
      const values: unknown[] = [];
      const where: string[] = [];
      if (query.deployment !== undefined) where.push(`deployment = $${values.push(query.deployment)}`);
      if (query.status !== undefined) where.push(`status = $${values.push(query.status)}`);
      const limit = `$${values.push(limitOf(query))}`;
      const { rows } = await db.query<{ id: string; run: string }>(
        'list',
        runs,
        `SELECT id, run FROM ${runs} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}` +
          ` ORDER BY started_at DESC, id DESC LIMIT ${limit}`,
        values,
      );
      return rows.map((found) => toRun(found.id, found.run));
    },
    async get(id) {
      const { rows } = await db.query<{ run: string; logs: string[] }>(
        'read',
        row(id),
        `SELECT run, logs FROM ${runs} WHERE id = $1`,
        [id],
      );
      return rows[0] ? { run: toRun(id, rows[0].run), logs: rows[0].logs } : undefined;
    },
    async prune(before) {
      const { rowCount } = await db.query('prune', runs, `DELETE FROM ${runs} WHERE started_at < $1`, [before]);
      return rowCount ?? 0;
    },
    close: () => db.close(),
  };
}
