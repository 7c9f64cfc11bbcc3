import { internalServerError, valueError } from '../errors.js';
import { jsonResponse, type SimRequest, type SimResponse } from '../http.js';
import { queryLogs, type LogFilters } from '../data/queries.js';
import { shuffledLogPage } from '../data/tie-order.js';
import type { WorldApp } from '../data/world.js';
import type { RouteContext } from './context.js';
import { createParamReader } from './params.js';
import { logItemJson } from './present.js';

export const SERVICE_LOG_STATUSES = ['succeeded', 'failed', 'stopped'] as const;

/**
 * The shared body of `GET /v1/workflows/logs` and the console's `workflow-app-logs`:
 * validation in the release's error shape, filters, offset pagination, newest first.
 */
export function workflowLogs(
  request: SimRequest,
  context: RouteContext,
  app: WorldApp,
  surface: 'service' | 'console',
): SimResponse {
  const { personality, world, store } = context;
  const params = createParamReader(
    request.query,
    personality,
    surface === 'service' ? 'WorkflowLogQuery' : 'WorkflowAppLogQuery',
  );
  const keyword = params.text('keyword');
  const status =
    surface === 'service'
      ? params.choice('status', SERVICE_LOG_STATUSES)
      : params.choice('status', personality.consoleLogStatuses, 'enum');
  const beforeMs = params.time('created_at__before');
  const afterMs = params.time('created_at__after');
  const sessionId = params.text('created_by_end_user_session_id');
  const accountEmail = params.text('created_by_account');
  const detail = surface === 'console' && personality.hasDetailParam ? params.bool('detail') : false;
  const page = params.int('page', { min: 1, max: 99_999, fallback: 1 });
  const limit = params.int('limit', { min: 1, max: 100, fallback: 20 });
  const problem = params.error();
  if (problem) return problem;
  let accountId: string | undefined;
  if (accountEmail !== undefined) {
    const account = world.accounts.find((candidate) => candidate.email === accountEmail);
    if (!account) return valueError(`Account not found: ${accountEmail}`);
    accountId = account.id;
  }
  // `services/workflow_app_service.py` (1.5.0 to at least 1.13.x) outer-joins `end_users` for the keyword and joins it
  // again for the session filter: PostgreSQL refuses the statement ("table name \"end_users\" specified more than
  // once"), which Dify's catch-all answers with a bare 500, on every attempt.
  if (keyword && sessionId) return internalServerError();
  // Only workflow-mode apps write workflow_app_logs: any other app's key gets an empty page.
  if (app.template.mode !== 'workflow') return jsonResponse(200, { page, limit, total: 0, has_more: false, data: [] });
  // Archived runs are gone from workflow_app_logs (retention moved them to workflow_archive_logs).
  const cutoff = world.archivedBeforeMs;
  const filters: LogFilters = {
    keyword,
    status,
    beforeMs,
    afterMs: cutoff === null ? afterMs : Math.max(afterMs ?? cutoff, cutoff),
    sessionId,
    accountId,
  };
  for (const key of Object.keys(filters) as Array<keyof LogFilters>)
    if (filters[key] === undefined) delete filters[key];
  context.logRequests += 1;
  const result =
    context.tieOrder === 'shuffled'
      ? shuffledLogPage(store, app.index, filters, page, limit, world.seed, context.logRequests)
      : queryLogs(store, app.index, filters, page, limit);
  const data = result.runs.map((run) => logItemJson(world, run, run.lost ? undefined : store.detail(run), detail));
  return jsonResponse(200, { page, limit, total: result.total, has_more: result.total > page * limit, data });
}
