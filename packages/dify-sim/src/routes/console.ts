import { difyError, notFound } from '../errors.js';
import { jsonResponse, seconds, type SimRequest, type SimResponse } from '../http.js';
import type { World, WorldApp, WorldWorkspace } from '../data/world.js';
import { authenticateConsole, isResponse } from './console-auth.js';
import { findApp, joinedWorkspaces, type ConsoleUser, type Route, type RouteContext } from './context.js';
import { workflowLogs } from './logs.js';
import { createParamReader } from './params.js';
import { accountJson, creatorFields, triggerMetadata } from './present.js';

export const UUID_SEGMENT = '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';

export type ConsoleHandler = (
  request: SimRequest,
  context: RouteContext,
  user: ConsoleUser,
  params: string[],
) => SimResponse;

/** `@login_required` around a console handler. */
export function loggedIn(handle: ConsoleHandler): Route['handle'] {
  return (request, context, params) => {
    const user = authenticateConsole(request, context);
    return isResponse(user) ? user : handle(request, context, user, params);
  };
}

/** `get_app_model(mode=…)`: 404 app_not_found for an unknown app or one of another mode. */
export function requireApp(
  context: RouteContext,
  user: ConsoleUser,
  appId: string,
  modes: ReadonlyArray<WorldApp['template']['mode']>,
): WorldApp | SimResponse {
  const app = findApp(context.world, appId, user.tenantId);
  if (!app) return difyError(404, 'app_not_found', 'App not found.');
  if (!modes.includes(app.template.mode))
    return difyError(
      404,
      'app_not_found',
      `App mode is not in the supported list: {${modes.map((mode) => `'${mode}'`).join(', ')}}`,
    );
  return app;
}

function workspaceJson(workspace: WorldWorkspace, current: boolean) {
  return {
    id: workspace.id,
    name: workspace.name,
    plan: 'sandbox',
    status: 'normal',
    created_at: seconds(workspace.createdAtMs),
    current,
  };
}

/** `TenantListApi`: the account's workspaces, `current` marking the one its requests act in. */
function listWorkspaces(_request: SimRequest, context: RouteContext, user: ConsoleUser): SimResponse {
  return jsonResponse(200, {
    workspaces: joinedWorkspaces(context.world, user.account.id).map((workspace) =>
      workspaceJson(workspace, workspace.id === user.tenantId),
    ),
  });
}

function appJson(world: World, app: WorldApp) {
  const latest = app.versions.at(-1)!;
  const template = app.template;
  return {
    id: app.id,
    name: template.name,
    max_active_requests: null,
    description: template.description,
    mode: template.mode,
    icon_type: 'emoji',
    icon: template.icon,
    icon_background: template.iconBackground,
    icon_url: null,
    model_config: null,
    workflow: {
      id: latest.id,
      created_by: world.owner.id,
      created_at: seconds(latest.publishedAtMs),
      updated_by: world.owner.id,
      updated_at: seconds(latest.publishedAtMs),
    },
    use_icon_as_answer_icon: false,
    created_by: world.owner.id,
    created_at: seconds(app.createdAtMs),
    updated_by: world.owner.id,
    updated_at: seconds(latest.publishedAtMs),
    tags: template.tags.map((name, position) => ({
      id: `${app.id.slice(0, 24)}${String(position).padStart(12, '0')}`,
      name,
      type: 'app',
    })),
    access_mode: 'public',
    create_user_name: world.owner.name,
    author_name: world.owner.name,
    has_draft_trigger: false,
  };
}

const APP_MODES = ['all', 'workflow', 'advanced-chat', 'chat', 'agent-chat', 'completion', 'channel'];

function listApps(request: SimRequest, context: RouteContext, user: ConsoleUser): SimResponse {
  const params = createParamReader(request.query, context.personality, 'AppListQuery');
  const page = params.int('page', { min: 1, max: 99_999, fallback: 1 });
  const limit = params.int('limit', { min: 1, max: 100, fallback: 20 });
  const mode = params.choice('mode', APP_MODES) ?? 'all';
  const name = params.text('name');
  const problem = params.error();
  if (problem) return problem;
  const matching = context.world.apps
    .filter((app) => app.workspaceId === user.tenantId)
    .filter((app) => mode === 'all' || app.template.mode === mode)
    .filter((app) => name === undefined || app.template.name.toLowerCase().includes(name.toLowerCase()))
    .sort((a, b) => b.createdAtMs - a.createdAtMs);
  if (matching.length === 0) return jsonResponse(200, { data: [], total: 0, page: 1, limit: 20, has_more: false });
  const data = matching.slice((page - 1) * limit, page * limit).map((app) => appJson(context.world, app));
  return jsonResponse(200, { page, limit, total: matching.length, has_more: matching.length > page * limit, data });
}

/**
 * `SwitchWorkspaceApi` (`controllers/console/workspace/workspace.py:184-206` @1.13.0): `TenantService.switch_tenant`
 * moves `TenantAccountJoin.current` for the account (every session of it); a workspace the account did not join is
 * 403 `account_not_link_tenant`; a missing `tenant_id` fails the payload model (400).
 */
/**
 * `WorkflowArchivedLogApi` (`api/controllers/console/app/workflow_app_log.py:108-135`,
 * `services/workflow_app_service.py:176-240` @1.13.0): only `page` and `limit` are read (no time filter), rows
 * ordered by `run_created_at` descending, each with a reduced `workflow_run` summary.
 */
function archivedLogs(request: SimRequest, context: RouteContext, app: WorldApp): SimResponse {
  if (!context.personality.archivedLogs) return notFound();
  const params = createParamReader(request.query, context.personality, 'WorkflowAppLogQuery');
  const page = params.int('page', { min: 1, max: 99_999, fallback: 1 });
  const limit = params.int('limit', { min: 1, max: 100, fallback: 20 });
  const problem = params.error();
  if (problem) return problem;
  const cutoff = context.world.archivedBeforeMs;
  const total = cutoff === null ? 0 : context.store.lowerBound(app.index, cutoff);
  const data = [];
  for (let index = total - 1 - (page - 1) * limit; index >= 0 && index > total - 1 - page * limit; index -= 1) {
    const run = context.store.summary(app.index, index);
    const detail = context.store.detail(run);
    const { created_by_account, created_by_end_user } = creatorFields(run.creator);
    data.push({
      id: run.logId,
      workflow_run: {
        id: run.id,
        status: run.status,
        triggered_from: run.triggeredFrom,
        elapsed_time: detail.elapsedTime,
        total_tokens: detail.totalTokens,
      },
      trigger_metadata: triggerMetadata(context.world, run),
      created_by_account,
      created_by_end_user,
      created_at: seconds(run.timeMs),
    });
  }
  return jsonResponse(200, { page, limit, total, has_more: total > page * limit, data });
}

function switchWorkspace(request: SimRequest, context: RouteContext, user: ConsoleUser): SimResponse {
  const tenantId = (request.body as { tenant_id?: unknown } | undefined)?.tenant_id;
  if (typeof tenantId !== 'string') return difyError(400, 'invalid_param', 'tenant_id: Field required');
  const workspace = joinedWorkspaces(context.world, user.account.id).find((candidate) => candidate.id === tenantId);
  if (!workspace) return difyError(403, 'account_not_link_tenant', 'Account not link tenant.');
  context.currentWorkspaces.set(user.account.id, workspace.id);
  const { current: _current, ...tenant } = workspaceJson(workspace, true);
  return jsonResponse(200, {
    result: 'success',
    new_tenant: { ...tenant, role: user.account.role, in_trial: null, trial_end_reason: null, custom_config: null },
  });
}

function profile(_request: SimRequest, context: RouteContext, user: ConsoleUser): SimResponse {
  return jsonResponse(200, {
    ...accountJson(user.account),
    avatar: null,
    avatar_url: null,
    is_password_set: true,
    interface_language: 'en-US',
    interface_theme: 'light',
    timezone: context.world.timezone,
    last_login_at: seconds(context.world.nowMs),
    last_login_ip: '127.0.0.1',
    created_at: seconds(context.world.workspace.createdAtMs),
  });
}

export function consoleRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/console\/api\/workspaces$/,
      key: 'GET /console/api/workspaces',
      handle: loggedIn(listWorkspaces),
    },
    {
      method: 'POST',
      pattern: /^\/console\/api\/workspaces\/switch$/,
      key: 'POST /console/api/workspaces/switch',
      handle: loggedIn(switchWorkspace),
    },
    {
      method: 'GET',
      pattern: /^\/console\/api\/account\/profile$/,
      key: 'GET /console/api/account/profile',
      handle: loggedIn(profile),
    },
    { method: 'GET', pattern: /^\/console\/api\/apps$/, key: 'GET /console/api/apps', handle: loggedIn(listApps) },
    {
      method: 'GET',
      pattern: new RegExp(`^/console/api/apps/${UUID_SEGMENT}/workflow-app-logs$`),
      key: 'GET /console/api/apps/:appId/workflow-app-logs',
      handle: loggedIn((request, context, user, params) => {
        const app = requireApp(context, user, params[0] ?? '', ['workflow']);
        return 'template' in app ? workflowLogs(request, context, app, 'console') : app;
      }),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/console/api/apps/${UUID_SEGMENT}/workflow-archived-logs$`),
      key: 'GET /console/api/apps/:appId/workflow-archived-logs',
      handle: loggedIn((request, context, user, params) => {
        const app = requireApp(context, user, params[0] ?? '', ['workflow']);
        return 'template' in app ? archivedLogs(request, context, app) : app;
      }),
    },
  ];
}
