import type { DifyArchivedLogItem } from '../client/endpoints/archived-logs.js';
import type { RunRecord } from './schema.js';
import { toIsoTime } from './time.js';

/**
 * A RunRecord from an archived log row: what Dify kept (status, trigger, time, tokens), the rest empty, `archived:
 * true`.
 */
export function toArchivedRunRecord(appId: string, item: DifyArchivedLogItem): RunRecord {
  const createdAt = toIsoTime(item.created_at) ?? new Date(0).toISOString();
  const run = item.workflow_run ?? null;
  return {
    appId,
    logId: item.id,
    runId: run?.id ?? null,
    status: run?.status ?? null,
    workflowVersion: null,
    triggeredFrom: run?.triggered_from ?? null,
    createdFrom: null,
    createdByRole: item.created_by_account ? 'account' : item.created_by_end_user ? 'end_user' : null,
    endUserSessionId: item.created_by_end_user?.session_id ?? null,
    accountEmail: item.created_by_account?.email ?? null,
    loggedAt: createdAt,
    createdAt,
    finishedAt: null,
    elapsedTime: typeof run?.elapsed_time === 'number' ? run.elapsed_time : null,
    totalTokens: typeof run?.total_tokens === 'number' ? Math.round(run.total_tokens) : null,
    totalSteps: null,
    exceptionsCount: null,
    error: null,
    inputs: null,
    outputs: null,
    nodes: null,
    enrichmentError: null,
    archived: true,
  };
}
