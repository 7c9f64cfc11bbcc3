import { DifyConfigError } from '../../errors/config-error.js';
import type { ClientContext } from '../context.js';
import { droppedRows } from '../schemas/salvage.js';
import type { RequestGate } from '../context.js';

export interface RunRequestOptions {
  /** The caller's own concurrency limit, held per attempt (never while a retry waits). */
  gate?: RequestGate;
}
import {
  NodeExecutionListSchema,
  RunDetailSchema,
  type DifyNodeExecution,
  type DifyRunDetail,
} from '../schemas/dify.js';

/**
 * Run detail, or null when Dify lost the run: 404 on 1.13+, 200 with every field null before.
 * The Service API is used when the client has an app key (smaller answers: no graph), else the console.
 */
export async function fetchRunDetail(
  context: ClientContext,
  runId: string,
  appId?: string,
  options: RunRequestOptions = {},
): Promise<DifyRunDetail | null> {
  let detail: DifyRunDetail | null;
  if (context.service) {
    detail = await context.call(
      { surface: 'service', path: `/workflows/run/${encodeURIComponent(runId)}`, nullOn: [404], gate: options.gate },
      RunDetailSchema,
    );
  } else {
    const app = requireApp(context, appId);
    detail = await context.call(
      {
        surface: 'console',
        path: `/apps/${encodeURIComponent(app)}/workflow-runs/${encodeURIComponent(runId)}`,
        nullOn: [404],
        gate: options.gate,
      },
      RunDetailSchema,
    );
  }
  return detail === null || detail.id === null ? null : detail;
}

/** Every node execution of a run (the console has no pagination here); `[]` for an unknown run. */
export async function fetchNodeExecutions(
  context: ClientContext,
  runId: string,
  appId?: string,
  options: RunRequestOptions = {},
): Promise<DifyNodeExecution[]> {
  const app = requireApp(context, appId);
  const path = `/apps/${encodeURIComponent(app)}/workflow-runs/${encodeURIComponent(runId)}/node-executions`;
  const list = await context.call(
    { surface: 'console', path, nullOn: [404], gate: options.gate },
    NodeExecutionListSchema,
  );
  for (const row of droppedRows(list))
    context.logger.warn(
      { appId: app, runId, position: row.position, field: row.field, problem: row.problem },
      'dropped a node execution Dify sent without what identifies it',
    );
  return list?.data ?? [];
}

function requireApp(context: ClientContext, appId: string | undefined): string {
  const app = appId ?? context.appId;
  if (!app) throw new DifyConfigError('appId', 'is required for console run endpoints (which app?)');
  return app;
}
