import type { PoolClient } from 'pg';
import { advisoryKey, type Tables } from './tables.js';

/** One step of the schema: applied once, in `version` order, inside the migration transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: (tables: Tables) => string;
}

/** The schema, step by step. Never edit a released step: append one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, node executions and windows',
    sql: ({ runs, nodes, windows, index }) => `
      CREATE TABLE IF NOT EXISTS ${runs} (
        log_id text PRIMARY KEY,
        run_id text,
        app_id text NOT NULL,
        status text,
        workflow_version text,
        triggered_from text,
        created_from text,
        created_by_role text,
        end_user_session_id text,
        account_email text,
        logged_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        finished_at timestamptz,
        elapsed_time double precision,
        total_tokens bigint,
        total_steps integer,
        exceptions_count integer,
        error text,
        node_count integer,
        node_tokens bigint,
        effective_tokens bigint GENERATED ALWAYS AS (GREATEST(total_tokens, node_tokens)) STORED,
        total_price numeric,
        currency text,
        inputs jsonb,
        outputs jsonb,
        enrichment_error jsonb,
        window_job text NOT NULL,
        window_run_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS ${index('runs_created')} ON ${runs} (created_at);
      CREATE INDEX IF NOT EXISTS ${index('runs_app')} ON ${runs} (app_id, created_at);
      CREATE INDEX IF NOT EXISTS ${index('runs_status')} ON ${runs} (status, created_at);
      CREATE INDEX IF NOT EXISTS ${index('runs_run_id')} ON ${runs} (run_id);

      CREATE TABLE IF NOT EXISTS ${nodes} (
        id text PRIMARY KEY,
        log_id text NOT NULL,
        run_id text,
        app_id text NOT NULL,
        node_id text NOT NULL,
        node_type text NOT NULL,
        title text,
        execution_index integer,
        predecessor_node_id text,
        status text NOT NULL,
        error text,
        elapsed_time double precision,
        total_tokens bigint,
        prompt_tokens bigint,
        completion_tokens bigint,
        total_price numeric,
        currency text,
        model_provider text,
        model_name text,
        iteration_id text,
        iteration_index integer,
        loop_id text,
        loop_index integer,
        created_at timestamptz NOT NULL,
        finished_at timestamptz,
        inputs jsonb,
        outputs jsonb,
        process_data jsonb
      );
      CREATE INDEX IF NOT EXISTS ${index('ne_log')} ON ${nodes} (log_id);
      CREATE INDEX IF NOT EXISTS ${index('ne_created')} ON ${nodes} (created_at);
      CREATE INDEX IF NOT EXISTS ${index('ne_type')} ON ${nodes} (node_type, created_at);
      CREATE INDEX IF NOT EXISTS ${index('ne_model')} ON ${nodes} (model_provider, model_name, created_at) WHERE model_name IS NOT NULL;
      CREATE INDEX IF NOT EXISTS ${index('ne_failed')} ON ${nodes} (status, created_at) WHERE status <> 'succeeded';

      CREATE TABLE IF NOT EXISTS ${windows} (
        job text NOT NULL,
        run_id text NOT NULL,
        window_from timestamptz NOT NULL,
        window_to timestamptz NOT NULL,
        timezone text NOT NULL,
        runs integer NOT NULL,
        node_executions integer NOT NULL,
        completed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job, run_id)
      );
      CREATE INDEX IF NOT EXISTS ${index('windows_job_to')} ON ${windows} (job, window_to);
    `,
  },
];

/**
 * Brings the schema up to the last migration: one transaction under a transaction-level advisory lock
 * (so two processes migrating at once take turns), each missing step applied and recorded. A second
 * call finds every version recorded and changes nothing. Returns the versions it applied.
 */
export async function applyMigrations(
  client: PoolClient,
  tables: Tables,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryKey(tables.prefix)]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${tables.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${tables.migrations}`);
    const done = new Set(rows.map((row) => row.version));
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql(tables));
      await client.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
