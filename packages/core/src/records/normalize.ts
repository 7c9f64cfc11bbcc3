import type { DifyLogItem, DifyNodeExecution, DifyRunDetail } from '../client/schemas/dify.js';
import { DifyResponseError } from '../errors/response-error.js';
import { typeName, type SalvagedField } from '../client/schemas/salvage.js';
import type { EnrichmentError, NodeRecord, RunRecord } from './schema.js';
import { toIsoTime } from './time.js';

type JsonObject = Record<string, unknown>;

export interface NormalizeInput {
  appId: string;
  item: DifyLogItem;
  /** undefined: not fetched; null: Dify lost the run. */
  detail?: DifyRunDetail | null;
  /** undefined: not fetched. */
  nodes?: DifyNodeExecution[];
  enrichmentError?: EnrichmentError | null;
  includeNodeData?: boolean;
  /** Names the source in errors, e.g. `GET /v1/workflows/logs`. */
  endpoint?: string;
  /**
   * When given, an optional value that does not normalise (a time that does not parse, a JSON string that is not JSON)
   * becomes null and is listed here instead of failing the record.
   */
  salvaged?: SalvagedField[];
}

/** Turns Dify's log item (+ detail + node executions) into the stable RunRecord. */
export function toRunRecord(input: NormalizeInput): RunRecord {
  const { item, detail } = input;
  const endpoint = input.endpoint ?? 'workflow logs';
  const run = item.workflow_run ?? null;
  const keep = input.salvaged;
  const time = (value: unknown, field: string) => salvage(keep, field, value, () => parseTime(value, endpoint, field));
  const object = (value: unknown, field: string) =>
    salvage(keep, field, value, () => parseObject(value, endpoint, field));
  const loggedAt = parseTime(item.created_at, endpoint, 'created_at')!;
  return {
    appId: input.appId,
    logId: item.id,
    runId: run?.id ?? null,
    status: detail?.status ?? run?.status ?? null,
    workflowVersion: run?.version ?? detail?.version ?? null,
    triggeredFrom: run?.triggered_from ?? null,
    createdFrom: item.created_from ?? null,
    createdByRole: normaliseRole(item.created_by_role),
    endUserSessionId: item.created_by_end_user?.session_id ?? null,
    accountEmail: item.created_by_account?.email ?? null,
    loggedAt,
    createdAt:
      (detail?.created_at != null
        ? time(detail.created_at, 'created_at')
        : time(run?.created_at, 'workflow_run.created_at')) ?? loggedAt,
    finishedAt: detail ? time(detail.finished_at, 'finished_at') : time(run?.finished_at, 'workflow_run.finished_at'),
    elapsedTime: detail?.elapsed_time ?? run?.elapsed_time ?? null,
    totalTokens: integer(detail?.total_tokens ?? run?.total_tokens),
    totalSteps: integer(detail?.total_steps ?? run?.total_steps),
    exceptionsCount: integer(run?.exceptions_count ?? detail?.exceptions_count),
    error: nonEmpty(detail?.error ?? run?.error),
    inputs: detail ? object(detail.inputs, 'inputs') : null,
    outputs: detail ? object(detail.outputs, 'outputs') : null,
    nodes: input.nodes ? toNodeRecords(input.nodes, input.includeNodeData ?? false, endpoint, keep, loggedAt) : null,
    enrichmentError: input.enrichmentError ?? null,
  };
}

export function toNodeRecords(
  executions: DifyNodeExecution[],
  includeData: boolean,
  endpoint = 'node executions',
  salvaged?: SalvagedField[],
  runTime?: string,
): NodeRecord[] {
  const records = executions.map((execution, position) => {
    const fields: SalvagedField[] | undefined = salvaged ? [] : undefined;
    const record = toNodeRecord(execution, includeData, `${endpoint} data.${position}`, fields, { position, runTime });
    for (const field of fields ?? []) salvaged!.push({ field: `nodes.${position}.${field.field}`, type: field.type });
    return record;
  });
  return records.sort((a, b) => a.index - b.index || a.createdAt.localeCompare(b.createdAt));
}

/**
 * What a node execution falls back on for the fields Dify 1.14 may leave out: its place in the list, the run's time.
 */
interface NodeFallbacks {
  position: number;
  runTime: string | undefined;
}

function toNodeRecord(
  execution: DifyNodeExecution,
  includeData: boolean,
  where: string,
  salvaged: SalvagedField[] | undefined,
  fallback: NodeFallbacks,
): NodeRecord {
  const object = (value: unknown, field: string) =>
    salvage(salvaged, field, value, () => parseObject(value, where, field));
  const metadata = object(execution.execution_metadata, 'execution_metadata') ?? {};
  const createdAt = salvage(salvaged, 'created_at', execution.created_at, () =>
    parseTime(execution.created_at, where, 'created_at'),
  );
  const finishedAt = salvage(salvaged, 'finished_at', execution.finished_at, () =>
    parseTime(execution.finished_at, where, 'finished_at'),
  );
  const processData = object(execution.process_data, 'process_data');
  const usage = (
    typeof processData?.usage === 'object' && processData.usage !== null ? processData.usage : {}
  ) as JsonObject;
  const record: NodeRecord = {
    id: execution.id,
    nodeId: execution.node_id ?? '',
    nodeType: execution.node_type ?? 'unknown',
    title: execution.title ?? null,
    index: integer(execution.index) ?? fallback.position + 1,
    predecessorNodeId: execution.predecessor_node_id ?? null,
    status: execution.status ?? 'unknown',
    error: nonEmpty(execution.error),
    elapsedTime: execution.elapsed_time ?? null,
    totalTokens: integer(numeric(metadata.total_tokens) ?? numeric(usage.total_tokens)) ?? 0,
    promptTokens: integer(numeric(usage.prompt_tokens)),
    completionTokens: integer(numeric(usage.completion_tokens)),
    totalPrice: numeric(metadata.total_price) ?? numeric(usage.total_price),
    currency: text(metadata.currency) ?? text(usage.currency),
    modelProvider: text(processData?.model_provider),
    modelName: text(processData?.model_name),
    iterationId: text(metadata.iteration_id),
    iterationIndex: integer(numeric(metadata.iteration_index)),
    loopId: text(metadata.loop_id),
    loopIndex: integer(numeric(metadata.loop_index)),
    createdAt: createdAt ?? finishedAt ?? fallback.runTime ?? new Date(0).toISOString(),
    finishedAt,
  };
  if (execution.inputs_truncated || execution.outputs_truncated || execution.process_data_truncated) {
    record.truncated = {
      inputs: execution.inputs_truncated === true,
      outputs: execution.outputs_truncated === true,
      processData: execution.process_data_truncated === true,
    };
  }
  if (includeData) {
    record.inputs = object(execution.inputs, 'inputs');
    record.outputs = object(execution.outputs, 'outputs');
    record.processData = processData;
  }
  return record;
}

/** Runs `parse`; with a collector, a failure empties the value (null) and is listed instead of thrown. */
function salvage<T>(into: SalvagedField[] | undefined, field: string, value: unknown, parse: () => T | null): T | null {
  if (!into) return parse();
  try {
    return parse();
  } catch (error) {
    if (!DifyResponseError.isInstance(error)) throw error;
    into.push({ field, type: typeName(value) });
    return null;
  }
}

/** Dify sends `inputs`/`outputs` as JSON strings in some releases and objects in others. */
export function parseObject(value: unknown, endpoint: string, field: string): JsonObject | null {
  if (value === null || value === undefined) return null;
  let parsed = value;
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new DifyResponseError({
        endpoint,
        field,
        problem: 'a JSON-encoded string was expected but it does not parse',
      });
    }
  }
  if (parsed === null) return null;
  if (nestedDeeperThan(parsed, MAX_NESTING))
    throw new DifyResponseError({ endpoint, field, problem: `the value is nested deeper than ${MAX_NESTING} levels` });
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return { value: parsed };
  return parsed as JsonObject;
}

/**
 * The deepest nesting kept in a record's JSON fields. Deeper values (no real workflow sends them) would
 * overflow the stack of JSON.stringify when the record is archived, spooled or cached.
 */
export const MAX_NESTING = 512;

/** True when objects and arrays in `value` nest more than `limit` levels deep (walked without recursion). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limit) return true;
    for (const item of Array.isArray(current) ? current : Object.values(current))
      if (typeof item === 'object' && item !== null) stack.push({ value: item, depth: depth + 1 });
  }
  return false;
}

function parseTime(value: unknown, endpoint: string, field: string): string | null {
  try {
    return toIsoTime(value);
  } catch (error) {
    throw new DifyResponseError({ endpoint, field, problem: (error as Error).message });
  }
}

/** Numbers, or decimal strings such as "0.0001626"; anything else is null. */
function numeric(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : null;
  }
  return null;
}

function integer(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function nonEmpty(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}

function normaliseRole(role: string | null | undefined): string | null {
  if (!role) return null;
  return role === 'end-user' ? 'end_user' : role;
}
