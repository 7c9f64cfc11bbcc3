import {
  CONVERSATION_COLUMNS,
  MESSAGE_COLUMNS,
  NODE_COLUMNS,
  NODE_DERIVED_RUN_COLUMNS,
  RUN_COLUMNS,
  type Column,
} from './rows.js';
import type { Tables } from './tables.js';

/** The statements of one prefix, built once. */
export interface Statements {
  upsertRuns: string;
  deleteNodes: string;
  upsertNodes: string;
  upsertWindow: string;
  upsertMessages: string;
  upsertConversations: string;
}

const list = (columns: readonly Column[]) => columns.map((column) => column.name).join(', ');
/** The columns of one element `r` of the batch array: `(r->>0)::text`, …, `NULLIF(r->22, 'null')` for jsonb. */
const fields = (columns: readonly Column[]) =>
  columns
    .map((column, index) =>
      column.type === 'jsonb'
        ? `NULLIF(r->${index}, 'null'::jsonb)`
        : column.type === 'text'
          ? `r->>${index}`
          : `(r->>${index})::${column.type}`,
    )
    .join(', ');
const rowsOf = (columns: readonly Column[]) => `SELECT ${fields(columns)} FROM jsonb_array_elements($1::jsonb) AS r`;

/**
 * A batch goes in as one `jsonb` parameter, an array of rows (`batchJson`), unpacked by
 * `jsonb_array_elements`: one parameter whatever the batch size (no 65535-parameter limit), one prepared
 * statement, and measured the fastest of multi-row VALUES, unnest of one array per column, COPY into a
 * staging table and this (bench/insert-strategies.ts, docs/performance.md).
 */
export function statementsFor(tables: Tables): Statements {
  const runUpdates = RUN_COLUMNS.filter((column) => column.name !== 'log_id').map(({ name }) =>
    // A record whose nodes were not fetched (node_count null) keeps what the stored nodes said.
    NODE_DERIVED_RUN_COLUMNS.has(name)
      ? `${name} = CASE WHEN EXCLUDED.node_count IS NULL THEN ${tables.runs}.${name} ELSE EXCLUDED.${name} END`
      : `${name} = EXCLUDED.${name}`,
  );
  const nodeUpdates = NODE_COLUMNS.filter((column) => column.name !== 'id').map(
    ({ name }) => `${name} = EXCLUDED.${name}`,
  );
  const messageUpdates = MESSAGE_COLUMNS.filter((column) => column.name !== 'message_id').map(
    ({ name }) => `${name} = EXCLUDED.${name}`,
  );
  const conversationUpdates = CONVERSATION_COLUMNS.filter((column) => column.name !== 'conversation_id').map(
    ({ name }) => `${name} = EXCLUDED.${name}`,
  );
  // Dify's time of the version: its `updated_at`, else its creation.
  const version = (table: string) => `COALESCE(${table}.conversation_updated_at, ${table}.created_at)`;
  return {
    // A conversation is written again by every window that sees it: the newest version stays (an older window's
    // re-run, or the older of two copies in one batch, changes nothing).
    upsertConversations:
      `INSERT INTO ${tables.conversations} (${list(CONVERSATION_COLUMNS)}) ` +
      `SELECT DISTINCT ON (conversation_id) * FROM (${rowsOf(CONVERSATION_COLUMNS)}) ` +
      `AS v (${list(CONVERSATION_COLUMNS)}) ` +
      `ORDER BY conversation_id, COALESCE(conversation_updated_at, created_at) DESC ` +
      `ON CONFLICT (conversation_id) DO UPDATE SET ${conversationUpdates.join(', ')}, updated_at = now() ` +
      `WHERE ${version('EXCLUDED')} >= ${version(tables.conversations)}`,
    upsertMessages:
      `INSERT INTO ${tables.messages} (${list(MESSAGE_COLUMNS)}) ${rowsOf(MESSAGE_COLUMNS)} ` +
      `ON CONFLICT (message_id) DO UPDATE SET ${messageUpdates.join(', ')}, updated_at = now()`,
    upsertRuns:
      `INSERT INTO ${tables.runs} (${list(RUN_COLUMNS)}) ${rowsOf(RUN_COLUMNS)}` +
      ` ON CONFLICT (log_id) DO UPDATE SET ${runUpdates.join(', ')}, updated_at = now()`,
    deleteNodes: `DELETE FROM ${tables.nodes} WHERE log_id = ANY($1::text[])`,
    upsertNodes:
      `INSERT INTO ${tables.nodes} (${list(NODE_COLUMNS)}) ${rowsOf(NODE_COLUMNS)}` +
      ` ON CONFLICT (id) DO UPDATE SET ${nodeUpdates.join(', ')}`,
    upsertWindow: `INSERT INTO ${tables.windows} (job, run_id, window_from, window_to, timezone, runs, \
node_executions) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (job, run_id) DO UPDATE SET window_from = EXCLUDED.window_from, window_to = EXCLUDED.window_to, \
timezone = EXCLUDED.timezone,
      runs = EXCLUDED.runs, node_executions = EXCLUDED.node_executions, completed_at = now()`,
  };
}
