import type { EnrichmentError, NodeRecord, RunRecord } from '@dify-logs/core';
import { ParquetValueError } from './errors/parquet-value-error.js';
import type { NodeRow, RunRow } from './schema.js';

type RecordKind = 'run' | 'message' | 'conversation';

/** Epoch milliseconds of an ISO-8601 time; throws a ParquetValueError naming the column and record otherwise. */
export function epochMillis(value: unknown, column: string, id: string, record: RecordKind = 'run'): number {
  const millis = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis))
    throw new ParquetValueError(column, id, `not an ISO-8601 time: ${JSON.stringify(value)}`, record);
  return millis;
}

export function optionalMillis(value: unknown, column: string, id: string, record: RecordKind = 'run'): number | null {
  return value === null || value === undefined ? null : epochMillis(value, column, id, record);
}

export const json = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);
export const orNull = <T>(value: T | null | undefined): T | null => value ?? null;

/** The node executions' prices summed, when they share one currency. */
function nodesPrice(nodes: readonly NodeRecord[] | null): { totalPrice: number | null; currency: string | null } {
  if (!nodes) return { totalPrice: null, currency: null };
  let totalPrice: number | null = null;
  let currency: string | null = null;
  for (const node of nodes) {
    if (typeof node.totalPrice !== 'number') continue;
    if (totalPrice === null) {
      totalPrice = 0;
      currency = node.currency ?? null;
    } else if ((node.currency ?? null) !== currency) {
      return { totalPrice: null, currency: null };
    }
    totalPrice += node.totalPrice;
  }
  return { totalPrice, currency };
}

/** The runs-table row of a record: every field (nodes, inputs and outputs as JSON text), plus derived query columns. */
export function toRunRow(record: RunRecord): RunRow {
  const { logId } = record;
  const nodes = record.nodes ?? null;
  const enrichment = record.enrichmentError ?? null;
  const price = nodesPrice(nodes);
  return {
    appId: record.appId,
    logId,
    runId: orNull(record.runId),
    status: orNull(record.status),
    workflowVersion: orNull(record.workflowVersion),
    triggeredFrom: orNull(record.triggeredFrom),
    createdFrom: orNull(record.createdFrom),
    createdByRole: orNull(record.createdByRole),
    endUserSessionId: orNull(record.endUserSessionId),
    accountEmail: orNull(record.accountEmail),
    loggedAt: epochMillis(record.loggedAt, 'runs.loggedAt', logId),
    createdAt: epochMillis(record.createdAt, 'runs.createdAt', logId),
    finishedAt: optionalMillis(record.finishedAt, 'runs.finishedAt', logId),
    elapsedTime: orNull(record.elapsedTime),
    totalTokens: orNull(record.totalTokens),
    totalSteps: orNull(record.totalSteps),
    exceptionsCount: orNull(record.exceptionsCount),
    error: orNull(record.error),
    enrichmentErrorStage: enrichment ? orNull(enrichment.stage) : null,
    enrichmentErrorCode: enrichment ? orNull(enrichment.code) : null,
    enrichmentErrorMessage: enrichment ? orNull(enrichment.message) : null,
    nodeCount: nodes ? nodes.length : null,
    totalPrice: price.totalPrice,
    currency: price.currency,
    inputs: json(record.inputs),
    outputs: json(record.outputs),
    nodes: json(nodes),
  };
}

/** The nodes-table rows of a record: one per node execution (none when nodes were not fetched). */
export function toNodeRows(record: RunRecord): NodeRow[] {
  const nodes = record.nodes;
  if (!nodes || nodes.length === 0) return [];
  const { appId, logId } = record;
  const runId = orNull(record.runId);
  return nodes.map((node) => ({
    appId,
    logId,
    runId,
    nodeExecutionId: node.id,
    nodeId: node.nodeId,
    nodeType: node.nodeType,
    title: orNull(node.title),
    index: node.index,
    predecessorNodeId: orNull(node.predecessorNodeId),
    status: node.status,
    error: orNull(node.error),
    elapsedTime: orNull(node.elapsedTime),
    totalTokens: node.totalTokens,
    promptTokens: orNull(node.promptTokens),
    completionTokens: orNull(node.completionTokens),
    totalPrice: orNull(node.totalPrice),
    currency: orNull(node.currency),
    modelProvider: orNull(node.modelProvider),
    modelName: orNull(node.modelName),
    iterationId: orNull(node.iterationId),
    iterationIndex: orNull(node.iterationIndex),
    loopId: orNull(node.loopId),
    loopIndex: orNull(node.loopIndex),
    createdAt: epochMillis(node.createdAt, 'nodes.createdAt', logId),
    finishedAt: optionalMillis(node.finishedAt, 'nodes.finishedAt', logId),
  }));
}

export const iso = (millis: number): string => new Date(millis).toISOString();
export const parse = (text: string | null): never | null => (text === null ? null : (JSON.parse(text) as never));

/** What `fromRunRow` needs: a runs-table row without the derived columns. */
export type StoredRunRow = Omit<RunRow, 'nodeCount' | 'totalPrice' | 'currency'>;

/**
 * The RunRecord a runs-table row was written from, keys in the order dify-logs writes them (so `JSON.stringify` gives
 * the NDJSON line back). Times come back in `toISOString` form, which is how dify-logs writes them.
 */
export function fromRunRow(row: StoredRunRow): RunRecord {
  const stage = row.enrichmentErrorStage;
  const code = row.enrichmentErrorCode;
  const message = row.enrichmentErrorMessage;
  const enrichmentError =
    stage === null && code === null && message === null ? null : ({ stage, code, message } as EnrichmentError);
  return {
    appId: row.appId,
    logId: row.logId,
    runId: row.runId,
    status: row.status,
    workflowVersion: row.workflowVersion,
    triggeredFrom: row.triggeredFrom,
    createdFrom: row.createdFrom,
    createdByRole: row.createdByRole,
    endUserSessionId: row.endUserSessionId,
    accountEmail: row.accountEmail,
    loggedAt: iso(row.loggedAt),
    createdAt: iso(row.createdAt),
    finishedAt: row.finishedAt === null ? null : iso(row.finishedAt),
    elapsedTime: row.elapsedTime,
    totalTokens: row.totalTokens,
    totalSteps: row.totalSteps,
    exceptionsCount: row.exceptionsCount,
    error: row.error,
    inputs: parse(row.inputs),
    outputs: parse(row.outputs),
    nodes: parse(row.nodes),
    enrichmentError,
  };
}
