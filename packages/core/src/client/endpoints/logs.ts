import { DifyConfigError } from '../../errors/config-error.js';
import { DifyHttpError } from '../../errors/http-error.js';
import { toDifyFilterTime } from '../../records/time.js';
import type { ClientContext } from '../context.js';
import { LogPageSchema, type DifyLogItem, type DifyLogPage } from '../schemas/dify.js';
import { parseVersion, versionAtLeast } from '../server-version.js';

/**
 * Statuses the Service API accepts as a filter; the console accepts every run status (below 1.11 the client applies
 * running, scheduled and paused itself).
 */
export const SERVICE_STATUS_FILTERS = ['succeeded', 'failed', 'stopped'] as const;
export const CONSOLE_STATUS_FILTERS = [
  'succeeded',
  'failed',
  'stopped',
  'partial-succeeded',
  'running',
  'scheduled',
  'paused',
] as const;

export interface LogQuery {
  /** Needed with console access; with an app key it defaults to the client's `appId`. */
  appId?: string;
  /** Dify matches only its first 30 characters, over the raw inputs/outputs JSON and the session id. */
  keyword?: string;
  status?: string;
  /** Inclusive lower bound on the log time (sent as UTC with `Z`). */
  createdAfter?: Date | string;
  /** Inclusive upper bound on the log time. */
  createdBefore?: Date | string;
  /** The `user` string the runs were started with through the API. */
  endUserSessionId?: string;
  /** An account e-mail of the workspace; Dify answers 400 for an unknown one. */
  accountEmail?: string;
  /** 1–100 (default 100). */
  limit?: number;
  page?: number;
}

export function validateLogQuery(query: LogQuery, surface: 'service' | 'console'): void {
  const limit = query.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new DifyConfigError('limit', `must be a whole number from 1 to 100 (Dify's maximum page size), got ${limit}`);
  const page = query.page ?? 1;
  if (!Number.isInteger(page) || page < 1 || page > 99_999)
    throw new DifyConfigError('page', `must be from 1 to 99999, got ${page}`);
  const allowed: readonly string[] = surface === 'service' ? SERVICE_STATUS_FILTERS : CONSOLE_STATUS_FILTERS;
  if (query.status !== undefined && !allowed.includes(query.status)) {
    const hint =
      surface === 'service' ? ' (the Service API cannot filter other statuses; use console access for those)' : '';
    throw new DifyConfigError(
      'status',
      `must be one of ${allowed.join(', ')}${hint}; got ${JSON.stringify(query.status)}`,
    );
  }
  for (const key of ['createdAfter', 'createdBefore'] as const) {
    const value = query[key];
    if (value !== undefined && Number.isNaN(new Date(value).getTime()))
      throw new DifyConfigError(key, `is not a date: ${JSON.stringify(value)}`);
  }
}

/** Which surface serves logs for this client: the app key when there is one, else the console. */
export function logSurface(context: ClientContext): 'service' | 'console' {
  return context.service ? 'service' : 'console';
}

/**
 * A page of logs. When the client applied a filter itself (one Dify cannot apply, see `fetchLogPage`), `data` holds
 * the matching items and `scanned` describes the page Dify returned: paging and cursors must follow `scanned`.
 */
export type LogPage = DifyLogPage & { scanned?: { items: number; last: DifyLogItem | undefined; rows: DifyLogItem[] } };

/** Console statuses Dify <= 1.10.x refuses (reqparse `choices`); accepted from 1.11.0 (pydantic, every status). */
const STATUSES_FROM_1_11: readonly string[] = ['running', 'scheduled', 'paused'];

/**
 * One page of logs, newest first. Filters Dify cannot apply are applied here, on the page it returns:
 * - a console status filter of running, scheduled or paused below Dify 1.11 (400 there);
 * - the end-user session id when a keyword is also given: Dify joins `end_users` twice for the two
 *   (`services/workflow_app_service.py`) and PostgreSQL refuses the statement (500), so the keyword goes to Dify.
 */
export async function fetchLogPage(context: ClientContext, query: LogQuery): Promise<LogPage> {
  const surface = logSurface(context);
  validateLogQuery(query, surface);
  const local: Array<(item: DifyLogItem) => boolean> = [];
  let status = query.status;
  if (
    surface === 'console' &&
    status !== undefined &&
    STATUSES_FROM_1_11.includes(status) &&
    isBefore111(await context.serverVersion())
  ) {
    const wanted = status;
    local.push((item) => item.workflow_run?.status === wanted);
    status = undefined;
  }
  let endUserSessionId = query.endUserSessionId;
  if (query.keyword && endUserSessionId) {
    const wanted = endUserSessionId;
    local.push((item) => item.created_by_end_user?.session_id === wanted);
    endUserSessionId = undefined;
  }
  let page: DifyLogPage;
  try {
    page = await fetchRawLogPage(context, surface, { ...query, status, endUserSessionId });
  } catch (error) {
    // A release the server does not name that refuses the status (reqparse `choices`, <= 1.10.x): match it here.
    if (!(surface === 'console' && status !== undefined && STATUSES_FROM_1_11.includes(status) && refusesStatus(error)))
      throw error;
    const wanted = status;
    local.push((item) => item.workflow_run?.status === wanted);
    page = await fetchRawLogPage(context, surface, { ...query, status: undefined, endUserSessionId });
  }
  if (local.length === 0) return page;
  // The same object, so what the parser noted on the page (salvaged fields, dropped rows) stays with it.
  const scanned = { items: page.data.length, last: page.data.at(-1), rows: page.data };
  return Object.assign(page, { data: page.data.filter((item) => local.every((keep) => keep(item))), scanned });
}

function refusesStatus(error: unknown): boolean {
  return (
    DifyHttpError.isInstance(error) &&
    error.status === 400 &&
    (error.fields?.status !== undefined || /status/i.test(error.difyMessage ?? ''))
  );
}

function isBefore111(version: string | null): boolean {
  return version !== null && parseVersion(version) !== null && !versionAtLeast(version, '1.11.0');
}

async function fetchRawLogPage(
  context: ClientContext,
  surface: 'service' | 'console',
  query: LogQuery,
): Promise<DifyLogPage> {
  const params = {
    keyword: query.keyword,
    status: query.status,
    created_at__after: query.createdAfter === undefined ? undefined : toDifyFilterTime(query.createdAfter),
    created_at__before: query.createdBefore === undefined ? undefined : toDifyFilterTime(query.createdBefore),
    created_by_end_user_session_id: query.endUserSessionId,
    created_by_account: query.accountEmail,
    page: query.page ?? 1,
    limit: query.limit ?? 100,
  };
  let path = '/workflows/logs';
  if (surface === 'console') {
    const appId = query.appId ?? context.appId;
    if (!appId) throw new DifyConfigError('appId', 'is required to read logs through the console (which app?)');
    path = `/apps/${encodeURIComponent(appId)}/workflow-app-logs`;
  }
  try {
    return (await context.call({ surface, path, query: params }, LogPageSchema))!;
  } catch (error) {
    throw withFilters(error, params);
  }
}

const FILTERS = ['keyword', 'status', 'created_by_end_user_session_id', 'created_by_account'] as const;

/**
 * A server error that outlasted the retries names the filters it was asked with: some combinations fail in Dify every
 * time.
 */
function withFilters(error: unknown, params: Partial<Record<(typeof FILTERS)[number], string | undefined>>): unknown {
  if (!DifyHttpError.isInstance(error) || error.status < 500) return error;
  const given = FILTERS.filter((name) => params[name] !== undefined).map(
    (name) => `${name}=${JSON.stringify(params[name])}`,
  );
  if (given.length === 0) return error;
  return new DifyHttpError({
    endpoint: error.endpoint,
    status: error.status,
    difyCode: error.difyCode,
    difyMessage: `${error.difyMessage ?? 'server error'} (filters: ${given.join(', ')})`,
    fields: error.fields,
    retryAfterMs: error.retryAfterMs,
    isRetryable: error.isRetryable,
  });
}
