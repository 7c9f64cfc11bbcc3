import type { AccountSpec } from '../data/catalog.js';
import { workflowGraph } from '../data/graph.js';
import { deriveUuid } from '../data/ids.js';
import { nodePayload } from '../data/node-payloads.js';
import type { Creator, RunDetail, RunSummary } from '../data/runs.js';
import { SALT, type EndUser, type World } from '../data/world.js';
import { seconds } from '../http.js';

/** Turns generated runs into the JSON bodies Dify sends, field for field and in Dify's key order. */

export function accountJson(account: AccountSpec) {
  return { id: account.id, name: account.name, email: account.email };
}

export function endUserJson(user: EndUser) {
  return { id: user.id, type: user.type, is_anonymous: user.isAnonymous, session_id: user.sessionId };
}

export function creatorFields(creator: Creator) {
  return {
    created_by_role: creator.role,
    created_by_account: creator.role === 'account' ? accountJson(creator.account) : null,
    created_by_end_user: creator.role === 'end_user' ? endUserJson(creator.endUser) : null,
  };
}

export function triggerMetadata(world: World, run: RunSummary): Record<string, unknown> {
  if (run.triggeredFrom === 'schedule')
    return { type: 'trigger-schedule', schedule_id: deriveUuid(world.seed, run.app.index, 0x5c) };
  if (run.triggeredFrom === 'webhook')
    return { type: 'trigger-webhook', webhook_id: deriveUuid(world.seed, run.app.index, 0x3b) };
  return {};
}

/** One `workflow-app-logs` / `/v1/workflows/logs` item. `detail` is the console's `detail=true`. */
export function logItemJson(world: World, summary: RunSummary, detail: RunDetail | undefined, showDetails: boolean) {
  const trigger = world.personality.hasTriggerFields;
  const run =
    detail && !summary.lost
      ? {
          id: detail.id,
          version: detail.version,
          status: detail.status,
          ...(trigger ? { triggered_from: detail.triggeredFrom } : {}),
          error: detail.error,
          elapsed_time: detail.elapsedTime,
          total_tokens: detail.totalTokens,
          total_steps: detail.totalSteps,
          created_at: seconds(detail.createdAtMs),
          finished_at: detail.finishedAtMs === null ? null : seconds(detail.finishedAtMs),
          exceptions_count: detail.exceptionsCount,
        }
      : null;
  const { created_by_role, created_by_account, created_by_end_user } = creatorFields(summary.creator);
  return {
    id: summary.logId,
    workflow_run: run,
    ...(trigger ? { details: showDetails ? { trigger_metadata: triggerMetadata(world, summary) } : null } : {}),
    created_from: summary.createdFrom,
    created_by_role,
    created_by_account,
    created_by_end_user,
    created_at: seconds(summary.timeMs),
  };
}

const SERVICE_DETAIL_FIELDS = [
  'id',
  'workflow_id',
  'status',
  'inputs',
  'outputs',
  'error',
  'total_steps',
  'total_tokens',
  'created_at',
  'finished_at',
  'elapsed_time',
];

export function nullServiceRunDetail() {
  return Object.fromEntries(SERVICE_DETAIL_FIELDS.map((field) => [field, null]));
}

/** `GET /v1/workflows/run/{id}`: inputs always a JSON string; outputs a string before 1.13, an object on 1.13. */
export function serviceRunDetailJson(world: World, run: RunDetail) {
  return {
    id: run.id,
    workflow_id: run.workflowId,
    status: run.status,
    inputs: run.inputsText,
    outputs: world.personality.serviceOutputsAsObject ? (run.outputs ?? {}) : run.outputsText,
    error: run.error,
    total_steps: run.totalSteps,
    total_tokens: run.totalTokens,
    created_at: seconds(run.createdAtMs),
    finished_at: run.finishedAtMs === null ? null : seconds(run.finishedAtMs),
    elapsed_time: run.elapsedTime,
  };
}

const CONSOLE_DETAIL_FIELDS = [
  'id',
  'version',
  'graph',
  'inputs',
  'status',
  'outputs',
  'error',
  'elapsed_time',
  'total_tokens',
  'total_steps',
  'created_by_role',
  'created_by_account',
  'created_by_end_user',
  'created_at',
  'finished_at',
  'exceptions_count',
];

export function nullConsoleRunDetail() {
  return Object.fromEntries(CONSOLE_DETAIL_FIELDS.map((field) => [field, null]));
}

/** Console run detail: parsed inputs and outputs, plus the workflow graph. */
export function consoleRunDetailJson(run: RunDetail) {
  return {
    id: run.id,
    version: run.version,
    graph: workflowGraph(run.app.index, run.app.template),
    inputs: run.inputs,
    status: run.status,
    outputs: run.outputs ?? {},
    error: run.error,
    elapsed_time: run.elapsedTime,
    total_tokens: run.totalTokens,
    total_steps: run.totalSteps,
    ...creatorFields(run.creator),
    created_at: seconds(run.createdAtMs),
    finished_at: run.finishedAtMs === null ? null : seconds(run.finishedAtMs),
    exceptions_count: run.exceptionsCount,
  };
}

export function runListItemJson(run: RunDetail) {
  return {
    id: run.id,
    version: run.version,
    status: run.status,
    elapsed_time: run.elapsedTime,
    total_tokens: run.totalTokens,
    total_steps: run.totalSteps,
    created_by_account: run.creator.role === 'account' ? accountJson(run.creator.account) : null,
    created_at: seconds(run.createdAtMs),
    finished_at: run.finishedAtMs === null ? null : seconds(run.finishedAtMs),
    exceptions_count: run.exceptionsCount,
    retry_index: 0,
  };
}

/** Node executions in created_at order (which is index order here), one row per inner node per round. */
export function nodeExecutionsJson(world: World, run: RunDetail) {
  const creator = creatorFields(run.creator);
  return run.plan.nodes.map((node, position) => {
    const payload = nodePayload(run, node);
    const createdAtMs = run.createdAtMs + node.startOffsetMs;
    return {
      id: deriveUuid(world.seed, SALT.nodeId, run.app.index, run.ref.kind, run.ref.index, position),
      index: position + 1,
      predecessor_node_id: node.predecessorNodeId,
      node_id: node.nodeId,
      node_type: node.step.type,
      title: node.step.title,
      inputs: payload.inputs,
      process_data: payload.processData,
      outputs: payload.outputs,
      status: node.status,
      error: node.error,
      elapsed_time: node.elapsed,
      execution_metadata: payload.executionMetadata,
      extras: {},
      created_at: seconds(createdAtMs),
      created_by_role: creator.created_by_role,
      created_by_account: creator.created_by_account,
      created_by_end_user: creator.created_by_end_user,
      finished_at: node.endOffsetMs === null ? null : seconds(run.createdAtMs + node.endOffsetMs),
      inputs_truncated: false,
      outputs_truncated: node.truncated,
      process_data_truncated: false,
    };
  });
}
