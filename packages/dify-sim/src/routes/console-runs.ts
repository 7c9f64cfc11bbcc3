import { valueError } from '../errors.js';
import { jsonResponse, type SimRequest, type SimResponse } from '../http.js';
import { queryRuns } from '../data/queries.js';
import type { RunSummary } from '../data/runs.js';
import type { WorldApp } from '../data/world.js';
import { loggedIn, requireApp, UUID_SEGMENT } from './console.js';
import type { ConsoleUser, Route, RouteContext } from './context.js';
import { createParamReader } from './params.js';
import { consoleRunDetailJson, nodeExecutionsJson, nullConsoleRunDetail, runListItemJson } from './present.js';

const RUN_MODES = ['workflow', 'advanced-chat'] as const;
const RUN_STATUSES = ['running', 'succeeded', 'failed', 'stopped', 'partial-succeeded'];

type AppHandler = (request: SimRequest, context: RouteContext, app: WorldApp, params: string[]) => SimResponse;

function withRunApp(handle: AppHandler): Route['handle'] {
  return loggedIn((request: SimRequest, context: RouteContext, user: ConsoleUser, params: string[]) => {
    const app = requireApp(context, user, params[0] ?? '', RUN_MODES);
    return 'template' in app ? handle(request, context, app, params) : app;
  });
}

function runOfApp(context: RouteContext, app: WorldApp, runId: string): RunSummary | undefined {
  const run = context.store.findRun(runId);
  return run && run.app.index === app.index ? run : undefined;
}

/** Cursor list; debugging runs unless `triggered_from=app-run` (1.10+). */
function listRuns(request: SimRequest, context: RouteContext, app: WorldApp): SimResponse {
  const { personality, store } = context;
  const params = createParamReader(request.query, personality, 'WorkflowRunListQuery');
  const lastId = params.uuid('last_id');
  const limit = params.int('limit', { min: 1, max: 100, fallback: 20 });
  const status = personality.workflowRunFilters ? params.choice('status', RUN_STATUSES) : undefined;
  const triggeredFrom = personality.workflowRunFilters ? (params.choice('triggered_from', ['debugging', 'app-run']) as 'debugging' | 'app-run' | undefined) : undefined;
  const problem = params.error();
  if (problem) return problem;
  let before: RunSummary | undefined;
  if (lastId !== undefined) {
    before = runOfApp(context, app, lastId);
    if (!before) return valueError('Last workflow run not exists');
  }
  const result = queryRuns(store, app.index, { triggeredFrom: triggeredFrom ?? 'debugging', status, before, limit });
  return jsonResponse(200, { limit, has_more: result.hasMore, data: result.runs.map((run) => runListItemJson(store.detail(run))) });
}

function runDetail(_request: SimRequest, context: RouteContext, app: WorldApp, params: string[]): SimResponse {
  const run = runOfApp(context, app, params[1] ?? '');
  return jsonResponse(200, run ? consoleRunDetailJson(context.store.detail(run)) : nullConsoleRunDetail());
}

function nodeExecutions(_request: SimRequest, context: RouteContext, app: WorldApp, params: string[]): SimResponse {
  const run = runOfApp(context, app, params[1] ?? '');
  return jsonResponse(200, { data: run ? nodeExecutionsJson(context.world, context.store.detail(run)) : [] });
}

export function consoleRunRoutes(): Route[] {
  const base = `^/console/api/apps/${UUID_SEGMENT}/workflow-runs`;
  return [
    { method: 'GET', pattern: new RegExp(`${base}$`), key: 'GET /console/api/apps/:appId/workflow-runs', handle: withRunApp(listRuns) },
    { method: 'GET', pattern: new RegExp(`${base}/${UUID_SEGMENT}$`), key: 'GET /console/api/apps/:appId/workflow-runs/:runId', handle: withRunApp(runDetail) },
    {
      method: 'GET',
      pattern: new RegExp(`${base}/${UUID_SEGMENT}/node-executions$`),
      key: 'GET /console/api/apps/:appId/workflow-runs/:runId/node-executions',
      handle: withRunApp(nodeExecutions),
    },
  ];
}
