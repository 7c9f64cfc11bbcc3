import type { DifyNodeExecution, DifyRunDetail } from '../client/schemas/dify.js';
import { parseObject, toNodeRecords } from '../records/normalize.js';
import type { RunRecord } from '../records/schema.js';
import { toIsoTime } from '../records/time.js';

/** A record as it was, updated with a fresh run detail (and node executions) from a re-poll. */
export function applyDetail(
  record: RunRecord,
  detail: DifyRunDetail,
  nodes: DifyNodeExecution[] | undefined,
  includeNodeData: boolean,
): RunRecord {
  const endpoint = `run detail ${record.runId}`;
  return {
    ...record,
    status: detail.status ?? record.status,
    finishedAt: toIsoTime(detail.finished_at) ?? record.finishedAt,
    elapsedTime: detail.elapsed_time ?? record.elapsedTime,
    totalTokens: detail.total_tokens ?? record.totalTokens,
    totalSteps: detail.total_steps ?? record.totalSteps,
    exceptionsCount: detail.exceptions_count ?? record.exceptionsCount,
    error: detail.error ?? record.error,
    inputs: parseObject(detail.inputs, endpoint, 'inputs') ?? record.inputs,
    outputs: parseObject(detail.outputs, endpoint, 'outputs') ?? record.outputs,
    nodes: nodes ? toNodeRecords(nodes, includeNodeData, endpoint) : record.nodes,
  };
}
