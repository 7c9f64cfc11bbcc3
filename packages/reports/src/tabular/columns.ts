import type { NodeRecord, RunRecord } from '@dify-logs/core';
import { neutralise, type Cell } from './neutralise.js';

/** The fixed columns of a run, shared by the runs CSV and the Excel Runs sheet (in this order). */
export const RUN_COLUMNS = [
  'appId',
  'logId',
  'runId',
  'status',
  'workflowVersion',
  'triggeredFrom',
  'createdFrom',
  'createdByRole',
  'endUserSessionId',
  'accountEmail',
  'loggedAt',
  'createdAt',
  'finishedAt',
  'elapsedTime',
  'totalTokens',
  'totalSteps',
  'exceptionsCount',
  'error',
  'enrichmentError',
  'nodeCount',
] as const;

const text = (value: string | null | undefined): Cell =>
  value === null || value === undefined ? null : neutralise(value);
const number = (value: number | null | undefined): Cell => value ?? null;

/** The cells of `RUN_COLUMNS` for one run, strings neutralised. */
export function runCells(run: RunRecord): Cell[] {
  const enrichment = run.enrichmentError;
  return [
    text(run.appId),
    text(run.logId),
    text(run.runId),
    text(run.status),
    text(run.workflowVersion),
    text(run.triggeredFrom),
    text(run.createdFrom),
    text(run.createdByRole),
    text(run.endUserSessionId),
    text(run.accountEmail),
    text(run.loggedAt),
    text(run.createdAt),
    text(run.finishedAt),
    number(run.elapsedTime),
    number(run.totalTokens),
    number(run.totalSteps),
    number(run.exceptionsCount),
    text(run.error),
    enrichment ? neutralise(`${enrichment.code}: ${enrichment.message}`) : null,
    run.nodes ? run.nodes.length : null,
  ];
}

/** The columns of a node execution, shared by the nodes CSV and the Excel Nodes sheet. */
export const NODE_COLUMNS = [
  'appId',
  'runId',
  'nodeExecutionId',
  'nodeId',
  'nodeType',
  'title',
  'index',
  'status',
  'error',
  'elapsedTime',
  'totalTokens',
  'promptTokens',
  'completionTokens',
  'totalPrice',
  'currency',
  'modelProvider',
  'modelName',
  'iterationId',
  'iterationIndex',
  'loopId',
  'loopIndex',
  'createdAt',
  'finishedAt',
] as const;

/** The cells of `NODE_COLUMNS` for one node execution of `run`, strings neutralised. */
export function nodeCells(run: RunRecord, node: NodeRecord): Cell[] {
  return [
    text(run.appId),
    text(run.runId),
    text(node.id),
    text(node.nodeId),
    text(node.nodeType),
    text(node.title),
    number(node.index),
    text(node.status),
    text(node.error),
    number(node.elapsedTime),
    number(node.totalTokens),
    number(node.promptTokens ?? null),
    number(node.completionTokens ?? null),
    number(node.totalPrice),
    text(node.currency),
    text(node.modelProvider),
    text(node.modelName),
    text(node.iterationId),
    number(node.iterationIndex),
    text(node.loopId),
    number(node.loopIndex),
    text(node.createdAt),
    text(node.finishedAt),
  ];
}
