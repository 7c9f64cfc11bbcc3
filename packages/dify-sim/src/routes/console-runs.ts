import { difyError, notFound, valueError } from '../errors.js';
import { deriveUuid } from '../data/ids.js';
import { SALT } from '../data/world.js';
import { headerValue } from '../http.js';
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
  const triggeredFrom = personality.workflowRunFilters
    ? (params.choice('triggered_from', ['debugging', 'app-run']) as 'debugging' | 'app-run' | undefined)
    : undefined;
  const problem = params.error();
  if (problem) return problem;
  let before: RunSummary | undefined;
  if (lastId !== undefined) {
    before = runOfApp(context, app, lastId);
    if (!before) return valueError('Last workflow run not exists');
  }
  const result = queryRuns(store, app.index, { triggeredFrom: triggeredFrom ?? 'debugging', status, before, limit });
  return jsonResponse(200, {
    limit,
    has_more: result.hasMore,
    data: result.runs.map((run) => runListItemJson(store.detail(run))),
  });
}

function runDetail(_request: SimRequest, context: RouteContext, app: WorldApp, params: string[]): SimResponse {
  const run = runOfApp(context, app, params[1] ?? '');
  return jsonResponse(200, run ? consoleRunDetailJson(context.store.detail(run)) : nullConsoleRunDetail());
}

function nodeExecutions(_request: SimRequest, context: RouteContext, app: WorldApp, params: string[]): SimResponse {
  const run = runOfApp(context, app, params[1] ?? '');
  return jsonResponse(200, { data: run ? nodeExecutionsJson(context.world, context.store.detail(run)) : [] });
}

/**
 * `ConsoleWorkflowPauseDetailsApi` (`api/controllers/console/app/workflow_run.py:462-524` @1.13.0, PR #32060): any
 * run of the current workspace (no app in the path; another workspace's is 404 "Workflow run not found"). A run
 * that is not paused: `{paused_at: null, paused_nodes: []}`. A paused one: when it paused (naive UTC isoformat + "Z")
 * and, per Human Input node, `{node_id, node_title, pause_type: {type: "human_input", form_id, backstage_input_url}}`;
 * the URL (`<APP_WEB_URL>/form/<form token>`, null without APP_WEB_URL) lets whoever holds it answer the form.
 */
function pauseDetails(request: SimRequest, context: RouteContext, user: ConsoleUser, params: string[]): SimResponse {
  if (!context.personality.pauseDetails) return notFound();
  const run = context.store.findRun(params[0] ?? '');
  if (!run || run.app.workspaceId !== user.tenantId) return difyError(404, 'not_found', 'Workflow run not found');
  if (run.status !== 'paused') return jsonResponse(200, { paused_at: null, paused_nodes: [] });
  const detail = context.store.detail(run);
  const node = detail.plan.nodes.at(-1)!;
  const pausedAtMs = detail.createdAtMs + node.startOffsetMs;
  const formId = deriveUuid(context.world.seed, SALT.form, run.app.index, run.ref.kind, run.ref.index);
  const token = deriveUuid(context.world.seed, SALT.form, run.app.index, run.ref.kind, run.ref.index, 1).replace(
    /-/g,
    '',
  );
  return jsonResponse(200, {
    paused_at: `${new Date(pausedAtMs).toISOString().slice(0, 23)}000Z`,
    paused_nodes: [
      {
        node_id: node.nodeId,
        node_title: node.step.title,
        pause_type: {
          type: 'human_input',
          form_id: formId,
          backstage_input_url: `http://${headerValue(request.headers, 'host') ?? '127.0.0.1'}/form/${token}`,
        },
      },
    ],
  });
}

export function consoleRunRoutes(): Route[] {
  const base = `^/console/api/apps/${UUID_SEGMENT}/workflow-runs`;
  return [
    {
      method: 'GET',
      pattern: new RegExp(`${base}$`),
      key: 'GET /console/api/apps/:appId/workflow-runs',
      handle: withRunApp(listRuns),
    },
    {
      method: 'GET',
      pattern: new RegExp(`${base}/${UUID_SEGMENT}$`),
      key: 'GET /console/api/apps/:appId/workflow-runs/:runId',
      handle: withRunApp(runDetail),
    },
    {
      method: 'GET',
      pattern: new RegExp(`${base}/${UUID_SEGMENT}/node-executions$`),
      key: 'GET /console/api/apps/:appId/workflow-runs/:runId/node-executions',
      handle: withRunApp(nodeExecutions),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/console/api/workflow/${UUID_SEGMENT}/pause-details$`),
      key: 'GET /console/api/workflow/:runId/pause-details',
      handle: loggedIn(pauseDetails),
    },
  ];
}
