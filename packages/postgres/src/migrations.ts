import { DifyConfigError } from '@dify-logs/core';
import type { PoolClient } from 'pg';
import { advisoryKey, type Tables } from './tables.js';

/**
 * What a migration step belongs to: the sink's tables, or the workers' (pipeline state, run history, Agenda's jobs).
 */
export type SchemaPart = 'sink' | 'scheduler';

/** One step of the schema: applied once, in `version` order, inside the migration transaction. */
export interface Migration {
  version: number;
  name: string;
  part: SchemaPart;
  sql: (tables: Tables) => string;
}

/**
 * The schema of every table this package keeps, step by step, in one list and one `<prefix>schema_migrations` table.
 * Never edit a released step: append one. Every step is written with `IF NOT EXISTS`, so a database whose tables an
 * older package created (`@dify-logs/sink-postgres`, `@dify-logs/scheduler-agenda` 0.1, which kept no record of the
 * workers' tables) is recognised: the step finds its tables and is recorded.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    part: 'sink',
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
      CREATE INDEX IF NOT EXISTS ${index('ne_model')} ON ${nodes} (model_provider, model_name, created_at) WHERE \
model_name IS NOT NULL;
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
  {
    version: 2,
    part: 'scheduler',
    name: 'pipeline state: app states, documents and the run cache',
    sql: ({ appState, documents, runCache }) => `
      CREATE TABLE IF NOT EXISTS ${appState} (job text NOT NULL, app text NOT NULL, state jsonb NOT NULL, updated_at \
timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job, app));
      CREATE TABLE IF NOT EXISTS ${documents} (key text PRIMARY KEY, value jsonb NOT NULL, updated_at timestamptz NOT \
NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS ${runCache} (app text NOT NULL, run_id text NOT NULL, level smallint NOT NULL, record \
text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (app, run_id));
    `,
  },
  {
    version: 3,
    part: 'scheduler',
    name: 'run history',
    sql: ({ history, index }) => `
      CREATE TABLE IF NOT EXISTS ${history} (id text PRIMARY KEY, deployment text NOT NULL, status text NOT NULL, \
started_at timestamptz NOT NULL, run text NOT NULL, logs text[] NOT NULL DEFAULT '{}', updated_at timestamptz NOT NULL \
DEFAULT now());
      CREATE INDEX IF NOT EXISTS ${index('runs_by_deployment')} ON ${history} (deployment, started_at DESC);
      CREATE INDEX IF NOT EXISTS ${index('runs_by_status')} ON ${history} (status);
      CREATE INDEX IF NOT EXISTS ${index('runs_by_start')} ON ${history} (started_at DESC);
    `,
  },
  {
    version: 4,
    part: 'sink',
    name: 'chat messages',
    sql: ({ messages, index }) => `
      CREATE TABLE IF NOT EXISTS ${messages} (
        message_id text PRIMARY KEY,
        app_id text NOT NULL,
        conversation_id text NOT NULL,
        created_at timestamptz NOT NULL,
        query text,
        answer text,
        message_tokens bigint,
        answer_tokens bigint,
        total_tokens bigint,
        latency double precision,
        feedback text,
        admin_feedback text,
        annotated boolean NOT NULL,
        annotation text,
        status text,
        error text,
        from_source text,
        end_user_id text,
        account_id text,
        workflow_run_id text,
        extra_contents jsonb,
        window_job text NOT NULL,
        window_run_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS ${index('messages_app')} ON ${messages} (app_id, created_at);
      CREATE INDEX IF NOT EXISTS ${index('messages_conversation')} ON ${messages} (conversation_id, created_at);
      CREATE INDEX IF NOT EXISTS ${index('messages_run')} ON ${messages} (workflow_run_id) WHERE workflow_run_id IS \
NOT NULL;
      CREATE INDEX IF NOT EXISTS ${index('messages_end_user')} ON ${messages} (end_user_id) WHERE end_user_id IS NOT \
NULL;
    `,
  },
  {
    version: 5,
    part: 'sink',
    name: 'chat conversations, and the model of a message',
    // One row per conversation, its newest version (`conversation_updated_at` is Dify's `updated_at`; `updated_at` is
    // when the row was written, as in the other tables). Joins: messages.conversation_id, and through
    // messages.workflow_run_id the chatflow runs (runs.run_id).
    sql: ({ conversations, messages, index }) => `
      ALTER TABLE ${messages} ADD COLUMN IF NOT EXISTS model_provider text, ADD COLUMN IF NOT EXISTS model_name text;
      CREATE TABLE IF NOT EXISTS ${conversations} (
        conversation_id text PRIMARY KEY,
        app_id text NOT NULL,
        name text,
        status text,
        from_source text,
        end_user_id text,
        end_user_session_id text,
        account_name text,
        created_at timestamptz NOT NULL,
        conversation_updated_at timestamptz,
        message_count bigint,
        likes bigint NOT NULL,
        dislikes bigint NOT NULL,
        annotated boolean NOT NULL,
        window_job text NOT NULL,
        window_run_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS ${index('conversations_app')} ON ${conversations} (app_id, created_at);
      CREATE INDEX IF NOT EXISTS ${index('conversations_end_user')} ON ${conversations} (end_user_id) WHERE \
end_user_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS ${index('conversations_session')} ON ${conversations} (end_user_session_id) WHERE \
end_user_session_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS ${index('messages_feedback')} ON ${messages} (app_id, feedback, created_at) WHERE \
feedback IS NOT NULL;
    `,
  },
];

/** The last version of a part (a prefix whose migrations table records it is current for that part). */
export const latestVersion = (part: SchemaPart, migrations: readonly Migration[] = MIGRATIONS) =>
  Math.max(0, ...migrations.filter((migration) => migration.part === part).map((migration) => migration.version));

/**
 * Which part a `<prefix>runs` table belongs to, by its columns (the sink's has `log_id`, the run history's
 * `deployment`).
 */
async function partOfRuns(client: PoolClient, tables: Tables): Promise<SchemaPart | undefined> {
  const { rows } = await client.query<{ column_name: string }>(
    `SELECT a.attname AS column_name FROM pg_attribute a WHERE ` +
      `a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [tables.runs],
  );
  const columns = new Set(rows.map((row) => row.column_name));
  return columns.has('log_id') ? 'sink' : columns.has('deployment') ? 'scheduler' : undefined;
}

export interface MigrateOptions {
  /**
   * The parts to bring up to date (default `['sink']`, as `@dify-logs/sink-postgres` did); one prefix holds one part.
   */
  parts?: readonly SchemaPart[];
  migrations?: readonly Migration[];
  /**
   * Run while the lock is still held, after the steps are committed (Agenda's own schema: it creates and upgrades it
   * itself).
   */
  alsoLocked?: () => Promise<void>;
}

/**
 * Brings the given parts of one prefix up to their last migration: one transaction under an advisory lock on the
 * prefix (so processes migrating at once take turns; the key is the one `@dify-logs/sink-postgres` took, so an old
 * sink and a new worker do too), each missing step of those parts applied and recorded. A second call finds every
 * version recorded and changes nothing. Returns the versions it applied.
 *
 * The sink and the workers both keep a `<prefix>runs` table, so one prefix can hold only one of them: asking for the
 * other part on a prefix that holds one is a DifyConfigError.
 */
export async function applyMigrations(
  client: PoolClient,
  tables: Tables,
  options: MigrateOptions | readonly Migration[] = {},
): Promise<number[]> {
  const {
    parts = ['sink'],
    migrations = MIGRATIONS,
    alsoLocked,
  } = Array.isArray(options) ? { migrations: options as readonly Migration[] } : (options as MigrateOptions);
  if (parts.includes('sink') && parts.includes('scheduler')) throw sharedPrefix(tables, 'sink');
  const applied: number[] = [];
  const key = advisoryKey(tables.prefix);
  await client.query('SELECT pg_advisory_lock($1)', [key]);
  try {
    await client.query('BEGIN');
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${tables.migrations} ` +
          `(version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${tables.migrations}`);
      const done = new Set(rows.map((row) => row.version));
      const missing = [...migrations]
        .filter((migration) => parts.includes(migration.part) && !done.has(migration.version))
        .sort((a, b) => a.version - b.version);
      if (missing.length > 0) {
        const holder = await partOfRuns(client, tables);
        const wanted = parts[0]!;
        if (holder !== undefined && holder !== wanted) throw sharedPrefix(tables, holder);
      }
      for (const migration of missing) {
        await client.query(migration.sql(tables));
        await client.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
        applied.push(migration.version);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await alsoLocked?.();
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
  }
}

function sharedPrefix(tables: Tables, holder: SchemaPart): DifyConfigError {
  const holds =
    holder === 'sink' ? '' : `, which holds ${holder === 'scheduler' ? "the workers' run history" : 'the sink'}`;
  return new DifyConfigError(
    'tablePrefix',
    `the sink and the workers cannot share the table prefix ${JSON.stringify(tables.prefix)} ` +
      `(both keep ${tables.runs}${holds}): give sinks.postgres.tablePrefix and worker.prefix different values`,
  );
}
