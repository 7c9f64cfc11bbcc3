import type { PrivacyPolicy } from '@dify-logs/core';
import type { DuckDBAppender } from '@duckdb/node-api';
import type { PartRecord } from './parts.js';
import { isoTime, nodeModel, runRow } from './rows.js';

/**
 * How a value is appended: `varchar` as it is (the column's value is always there), `text`, `double` and `int` as
 * null when absent (or a number that is not finite), `integer` a 32-bit integer.
 */
type Kind = 'varchar' | 'text' | 'double' | 'int' | 'integer';

/** The `runs` columns after `seq` and `partition`, in table order. */
const RUN_KINDS: readonly Kind[] = [
  'varchar', // app_id
  'varchar', // log_id
  'text', // run_id
  'text', // status
  'text', // end_user
  'varchar', // created_at
  'varchar', // day
  'double', // elapsed
  'int', // tokens
  'double', // cost
  'text', // error
  'text', // signature
  'varchar', // search
  'varchar', // summary
  'varchar', // part
  'text', // format
  'integer', // line
];

/** The `nodes` columns after `partition`, in table order. */
const NODE_KINDS: readonly Kind[] = [
  'varchar', // app_id
  'varchar', // log_id
  'varchar', // created_at
  'varchar', // node_id
  'varchar', // node_type
  'text', // title
  'varchar', // status
  'double', // elapsed
  'int', // tokens
  'double', // cost
  'text', // model
];

/**
 * A partition's rows as built (privacy applied), before they are appended: the values of each row one after the
 * other, as plain arrays (what a worker thread sends back costs one structured clone, no object per row).
 */
export interface PartitionRows {
  count: number;
  /** `RUN_KINDS.length` values per run. */
  runs: unknown[];
  /** `NODE_KINDS.length` values per node execution. */
  nodes: unknown[];
}

/** Builds the rows of a partition's runs, each through the privacy policy. */
export function buildRows(records: Iterable<PartRecord>, privacy: PrivacyPolicy): PartitionRows {
  const rows: PartitionRows = { count: 0, runs: [], nodes: [] };
  for (const { record, part, format, number } of records) addRun(rows, privacy.run(record), { part, format, number });
  return rows;
}

/** Adds a run's row and its nodes' rows (of the record as the policy let it through). */
export function addRun(
  rows: PartitionRows,
  record: PartRecord['record'],
  pointer: { part: string; format?: string | undefined; number: number },
): void {
  const row = runRow(record);
  rows.count += 1;
  rows.runs.push(
    row.appId,
    row.logId,
    row.runId,
    row.status,
    row.endUser,
    row.createdAt,
    row.day,
    row.elapsed,
    row.tokens,
    row.cost,
    row.error,
    row.signature,
    row.search,
    row.summary,
    pointer.part,
    pointer.format,
    pointer.number,
  );
  for (const node of record.nodes ?? [])
    rows.nodes.push(
      row.appId,
      row.logId,
      isoTime(node.createdAt),
      node.nodeId,
      node.nodeType,
      node.title,
      node.status,
      node.elapsedTime,
      node.totalTokens,
      node.totalPrice,
      nodeModel(node),
    );
}

function append(appender: DuckDBAppender, kind: Kind, value: unknown): void {
  if (kind === 'varchar') appender.appendVarchar(value as string);
  else if (kind === 'integer') appender.appendInteger(value as number);
  else if (value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value)))
    appender.appendNull();
  else if (kind === 'text') appender.appendVarchar(String(value));
  else if (kind === 'double') appender.appendDouble(Number(value));
  else appender.appendBigInt(BigInt(Math.trunc(Number(value))));
}

/** Appends a partition's rows; its runs get the row numbers after `seq` (the last one given). */
export function appendRows(
  runs: DuckDBAppender,
  nodes: DuckDBAppender,
  partition: string,
  rows: PartitionRows,
  seq: number,
): void {
  const runWidth = RUN_KINDS.length;
  for (let at = 0, row = 1; at < rows.runs.length; at += runWidth, row += 1) {
    runs.appendBigInt(BigInt(seq + row));
    runs.appendVarchar(partition);
    for (let column = 0; column < runWidth; column += 1) append(runs, RUN_KINDS[column]!, rows.runs[at + column]);
    runs.endRow();
  }
  const nodeWidth = NODE_KINDS.length;
  for (let at = 0; at < rows.nodes.length; at += nodeWidth) {
    nodes.appendVarchar(partition);
    for (let column = 0; column < nodeWidth; column += 1) append(nodes, NODE_KINDS[column]!, rows.nodes[at + column]);
    nodes.endRow();
  }
}
