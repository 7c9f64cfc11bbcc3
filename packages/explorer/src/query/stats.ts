import type { DuckDBConnection } from '@duckdb/node-api';
import { Where, type RunFilter } from './filters.js';

export const GROUPS = ['day', 'app', 'model', 'node'] as const;
export type StatsGroup = (typeof GROUPS)[number];

export interface StatsRow {
  /** The group (a day, an app id, a model name, a node id); absent for the totals. */
  key?: string;
  /** With `node`: the node's app, title and type. */
  app?: string;
  title?: string | null;
  nodeType?: string;
  /** Runs (by day or app), or node executions (by model or node). */
  count: number;
  failed: number;
  failureRate: number;
  /** Seconds. */
  latency: { p50: number | null; p95: number | null; p99: number | null };
  tokens: number;
  cost: number;
}

export interface Stats {
  groupBy: StatsGroup | null;
  total: StatsRow;
  groups: StatsRow[];
}

const FAILED_RUN = `status = 'failed'`;
const FAILED_NODE = `n.status IN ('failed', 'exception')`;

function measures(failed: string, elapsed: string, tokens: string, cost: string): string {
  return `count(*) AS count, count(*) FILTER (WHERE ${failed}) AS failed,
    quantile_cont(${elapsed}, [0.5, 0.95, 0.99]) AS latency,
    coalesce(sum(${tokens}), 0) AS tokens, coalesce(sum(${cost}), 0) AS cost`;
}

function toRow(row: Record<string, unknown>): StatsRow {
  const count = Number(row.count);
  const failed = Number(row.failed);
  const latency = (row.latency as Array<number | null> | null) ?? [null, null, null];
  const round = (value: number | null | undefined) => (value === null || value === undefined ? null : value);
  return {
    ...(row.key === undefined ? {} : { key: String(row.key) }),
    ...(row.app === undefined ? {} : { app: String(row.app) }),
    ...(row.title === undefined ? {} : { title: row.title === null ? null : String(row.title) }),
    ...(row.node_type === undefined ? {} : { nodeType: String(row.node_type) }),
    count,
    failed,
    failureRate: count === 0 ? 0 : failed / count,
    latency: { p50: round(latency[0]), p95: round(latency[1]), p99: round(latency[2]) },
    tokens: Number(row.tokens),
    cost: Number(row.cost),
  };
}

/**
 * Counts, failure rate, latency percentiles (p50, p95, p99), tokens and cost of the filtered runs, in total and by
 * day or app (runs) or by model or node (node executions of those runs).
 */
export async function runStats(reader: DuckDBConnection, filter: RunFilter, groupBy?: StatsGroup): Promise<Stats> {
  const where = new Where().filter(filter);
  const runMeasures = measures(FAILED_RUN, 'elapsed', 'tokens', 'cost');
  const read = async (sql: string, values = where.values) =>
    (await reader.runAndReadAll(sql, values)).getRowObjectsJS().map((row) => toRow(row as Record<string, unknown>));
  const [total] = await read(`SELECT ${runMeasures} FROM runs ${where.sql}`);
  let groups: StatsRow[] = [];
  if (groupBy === 'day' || groupBy === 'app') {
    const column = groupBy === 'day' ? 'day' : 'app_id';
    groups = await read(`SELECT ${column} AS key, ${runMeasures} FROM runs ${where.sql} GROUP BY 1 ORDER BY 1`);
  } else if (groupBy === 'model' || groupBy === 'node') {
    const nodeWhere = new Where('r').filter(filter);
    const nodeMeasures = measures(FAILED_NODE, 'n.elapsed', 'n.tokens', 'n.cost');
    const join = `FROM nodes n JOIN runs r ON r.app_id = n.app_id AND r.log_id = n.log_id ${nodeWhere.sql}`;
    groups =
      groupBy === 'model'
        ? await read(
            `SELECT n.model AS key, ${nodeMeasures} ${join}${nodeWhere.sql ? ' AND' : ' WHERE'} n.model IS NOT NULL
             GROUP BY 1 ORDER BY count DESC, key`,
            nodeWhere.values,
          )
        : await read(
            `SELECT n.node_id AS key, n.app_id AS app, any_value(n.title) AS title,
               any_value(n.node_type) AS node_type, ${nodeMeasures}
             ${join} GROUP BY n.app_id, n.node_id ORDER BY count DESC, key`,
            nodeWhere.values,
          );
  }
  return { groupBy: groupBy ?? null, total: total!, groups };
}
