import type { AppState, RunCache, StateStore } from '@dify-logs/core/adapter-kit';
import type { RunRecord } from '@dify-logs/core';
import { fitToLevel } from '@dify-logs/core/adapter-kit';
import { databases } from '@dify-logs/core/adapter-kit';
import { postgresConnection, type PostgresOptions } from './connection.js';

const { emptyAppState, levelBits, quoted, toAppState } = databases;

export type PostgresStateStoreOptions = PostgresOptions;

const ADAPTER = 'postgres state';

/**
 * App states, documents and the finished-run cache in three PostgreSQL tables:
 * `<prefix>app_state (job, app, state jsonb)`, `<prefix>documents (key, value jsonb)` and
 * `<prefix>run_cache (app, run_id, level, record)`. Every write is one upsert, so a commit is atomic and
 * workers racing on one row leave one whole value. Tables are created on first use, through the package's one
 * migration path.
 */
export function postgresStateStore(options: PostgresStateStoreOptions): StateStore {
  const db = postgresConnection(ADAPTER, options);
  const { appState, documents, runCache } = db.tables;
  const row = (job: string, app: string) => `${appState} row (job ${quoted(job)}, app ${quoted(app)})`;

  const runs: RunCache = {
    async get(app, runId, level) {
      const bits = levelBits(level);
      const { rows } = await db.query<{ record: string }>(
        'read',
        `${runCache} row (app ${quoted(app)}, run ${quoted(runId)})`,
        `SELECT record FROM ${runCache} WHERE app = $1 AND run_id = $2 AND level & $3 = $3`,
        [app, runId, bits],
      );
      if (!rows[0]) return undefined;
      try {
        return fitToLevel(JSON.parse(rows[0].record) as RunRecord, level);
      } catch {
        return undefined;
      }
    },
    async put(app, record, level) {
      if (!record.runId) return;
      await db.query(
        'write',
        `${runCache} row (app ${quoted(app)}, run ${quoted(record.runId)})`,
        `INSERT INTO ${runCache} (app, run_id, level, record) VALUES ($1, $2, $3, $4)
         ON CONFLICT (app, run_id) DO UPDATE SET level = EXCLUDED.level, record = EXCLUDED.record, updated_at = now()`,
        [app, record.runId, levelBits(level), JSON.stringify(record)],
      );
    },
  };

  return {
    name: 'postgres',
    runs,
    async read(job, app) {
      const { rows } = await db.query<{ state: unknown }>(
        'read',
        row(job, app),
        `SELECT state FROM ${appState} WHERE job = $1 AND app = $2`,
        [job, app],
      );
      return rows[0] ? toAppState(ADAPTER, row(job, app), rows[0].state) : emptyAppState();
    },
    async commit(job, app, state: AppState) {
      await db.query(
        'commit',
        row(job, app),
        `INSERT INTO ${appState} (job, app, state) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (job, app) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
        [job, app, JSON.stringify({ watermark: state.watermark, recent: state.recent, pending: state.pending })],
      );
    },
    async readDocument(key) {
      const { rows } = await db.query<{ value: unknown }>(
        'read',
        `${documents} row ${quoted(key)}`,
        `SELECT value FROM ${documents} WHERE key = $1`,
        [key],
      );
      return rows[0]?.value;
    },
    async writeDocument(key, value) {
      const target = `${documents} row ${quoted(key)}`;
      if (value === undefined) {
        await db.query('delete', target, `DELETE FROM ${documents} WHERE key = $1`, [key]);
        return;
      }
      await db.query(
        'write',
        target,
        `INSERT INTO ${documents} (key, value) VALUES ($1, $2::jsonb)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [key, JSON.stringify(value)],
      );
    },
    close: () => db.close(),
  };
}
