import type { NodeRecord, RunRecord } from '@dify-logs/core';

/** A run as lists show it: the RunRecord without `inputs`, `outputs` and `nodes`. */
export type RunSummary = Omit<RunRecord, 'inputs' | 'outputs' | 'nodes'>;

export function summary(record: RunRecord): RunSummary {
  const { inputs: _inputs, outputs: _outputs, nodes: _nodes, ...rest } = record;
  return rest;
}

/** What a run row holds: the columns filters, sorting and statistics read, the summary, where the record is. */
export interface RunRow {
  appId: string;
  logId: string;
  runId: string | null;
  status: string | null;
  endUser: string | null;
  createdAt: string;
  day: string;
  elapsed: number | null;
  tokens: number | null;
  cost: number | null;
  error: string | null;
  /** The error with its varying parts (ids, numbers, addresses) replaced: what `/errors` groups by. */
  signature: string | null;
  /** Lower-case text `q` searches: the run's and its nodes' errors, its inputs and outputs. */
  search: string;
  /** The RunRecord without inputs, outputs and nodes, as JSON (what lists show). */
  summary: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** An ISO time as the index compares it (`…T10:00:00.000Z`); unparseable times are kept as given. */
export function isoTime(value: string): string {
  if (ISO_TIME.test(value)) return value;
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

/** The run's cost: the sum of its nodes' prices (null when no node was priced or nodes were not fetched). */
export function runCost(nodes: readonly NodeRecord[] | null): number | null {
  let cost: number | null = null;
  for (const node of nodes ?? []) if (typeof node.totalPrice === 'number') cost = (cost ?? 0) + node.totalPrice;
  return cost;
}

/** What stays the same between occurrences of one failure (at most 200 characters). */
export function errorSignature(message: string): string {
  const text = message
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi, '<id>')
    .replace(/\d+(?:[.,:]\d+)*/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function searchText(record: RunRecord): string {
  const parts: string[] = [];
  if (record.error) parts.push(record.error);
  for (const node of record.nodes ?? []) if (node.error) parts.push(node.error);
  if (record.inputs) parts.push(JSON.stringify(record.inputs));
  if (record.outputs) parts.push(JSON.stringify(record.outputs));
  return parts.join('\n').toLowerCase();
}

/** The row of a record. */
export function runRow(record: RunRecord): RunRow {
  const createdAt = isoTime(record.createdAt ?? record.loggedAt);
  return {
    appId: record.appId,
    logId: record.logId,
    runId: record.runId,
    status: record.status,
    endUser: record.endUserSessionId,
    createdAt,
    day: createdAt.slice(0, 10),
    elapsed: record.elapsedTime,
    tokens: record.totalTokens,
    cost: runCost(record.nodes),
    error: record.error,
    signature: record.error ? errorSignature(record.error) : null,
    search: searchText(record),
    summary: JSON.stringify(summary(record)),
  };
}

/** The model a node used, as statistics group it (its name; null for nodes without a model). */
export function nodeModel(node: NodeRecord): string | null {
  return node.modelName || null;
}
