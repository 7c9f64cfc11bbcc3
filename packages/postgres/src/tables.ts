import { createHash } from 'node:crypto';
import { DifyConfigError } from '@dify-logs/core';

/**
 * Every table of one prefix, as quoted SQL identifiers (`"dify_logs_runs"`), and the prefix itself: the sink's
 * (`runs`, `nodes`, `windows`, `messages`,
 * `conversations`), the workers' (`appState`, `documents`, `runCache`, `history`, `agendaJobs`)
 * and the one migrations table they share. The sink's `runs` and the run history are both `<prefix>runs` (as the
 * separate packages named them), so the sink and the workers need different prefixes in one database.
 */
export interface Tables {
  prefix: string;
  runs: string;
  nodes: string;
  windows: string;
  /** The sink's chat messages. */
  messages: string;
  /** The sink's conversations (the newest version of each). */
  conversations: string;
  migrations: string;
  appState: string;
  documents: string;
  runCache: string;
  history: string;
  /** Agenda's jobs table, unquoted (Agenda's backend quotes it itself). */
  agendaJobs: string;
  /** An index name of this prefix, quoted: `index('runs_created')` → `"dify_logs_runs_created"`. */
  index(suffix: string): string;
}

/**
 * As the configuration accepts it: letters, digits and `_`, at most 40 (every name then stays within PostgreSQL's 63).
 */
const PREFIX = /^[A-Za-z0-9_]{0,40}$/;

export function tablesFor(prefix: string): Tables {
  if (!PREFIX.test(prefix))
    throw new DifyConfigError(
      'tablePrefix',
      `must be letters, digits or "_", at most 40 (got ${JSON.stringify(prefix)})`,
    );
  const name = (suffix: string) => `"${prefix}${suffix}"`;
  return {
    prefix,
    runs: name('runs'),
    nodes: name('node_executions'),
    windows: name('windows'),
    messages: name('messages'),
    conversations: name('conversations'),
    migrations: name('schema_migrations'),
    appState: name('app_state'),
    documents: name('documents'),
    runCache: name('run_cache'),
    history: name('runs'),
    agendaJobs: `${prefix}agenda_jobs`,
    index: name,
  };
}

/**
 * The advisory lock key that serialises migrations of one prefix (a signed 64-bit integer, as text; the same key as
 * `@dify-logs/sink-postgres` 0.1 took, so old and new processes take turns).
 */
export function advisoryKey(prefix: string): string {
  return createHash('sha256').update(`dify-logs-sink-postgres:${prefix}`).digest().readBigInt64BE(0).toString();
}
