import type { DifyClientOptions } from '../client/options.js';
import { createDifyClient, type DifyClient } from '../client/create-client.js';
import { CONVERSATION_APP_MODES } from '../client/endpoints/chat.js';
import type { Workspace } from '../client/endpoints/workspaces.js';
import type { DifyLogsConfig, JobConfig } from '../config/schema.js';
import { DifyConfigError } from '../errors/config-error.js';
import { DifyWorkspaceError } from '../errors/workspace-error.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineApp } from '../pipeline/types.js';

/** A Dify client of the configuration's connection, for one app (or none: discovery). */
export function clientFor(
  config: DifyLogsConfig,
  appId: string | undefined,
  apiKey: string | undefined,
  logger: Logger,
  fetch?: typeof globalThis.fetch,
): DifyClient {
  const { dify } = config;
  const options: DifyClientOptions = {
    baseUrl: dify.baseUrl,
    ...(dify.serviceApiUrl ? { serviceApiUrl: dify.serviceApiUrl } : {}),
    ...(dify.consoleApiUrl ? { consoleApiUrl: dify.consoleApiUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(appId ? { appId } : {}),
    ...(dify.console ? { console: dify.console } : {}),
    ...(dify.admin ? { admin: dify.admin } : {}),
    ...(dify.serverVersion ? { serverVersion: dify.serverVersion } : {}),
    timeoutMs: dify.timeoutMs,
    retry: { retries: dify.retries },
    ...(dify.requestLimit ? { requestLimit: dify.requestLimit } : {}),
    ...(dify.consoleTimezone ? { consoleTimezone: dify.consoleTimezone } : {}),
    logger,
    ...(fetch ? { fetch } : {}),
  };
  return createDifyClient(options);
}

/** App modes a job reads: workflow apps' run logs; chat and completion apps' conversations. */
const REPORTED_MODES = ['workflow', ...CONVERSATION_APP_MODES];

/**
 * The apps of a job, each with a client: listed apps with their keys, or every workflow and chat app through the
 * console.
 */
export async function resolveApps(
  config: DifyLogsConfig,
  job: JobConfig,
  jobIndex: number,
  logger: Logger,
  fetch?: typeof globalThis.fetch,
): Promise<PipelineApp[]> {
  const known = new Map((config.apps ?? []).map((app) => [app.id, app]));
  const keyFor = (id: string) =>
    known.get(id)?.apiKey ??
    (config.dify.appId === id || (!known.size && config.dify.appId === undefined) ? config.dify.apiKey : undefined);
  let ids: string[];
  const modes = new Map<string, string>();
  let workspace: Workspace | undefined;
  if (job.apps === 'all' || (job.apps === undefined && known.size === 0 && !config.dify.appId)) {
    if (!config.dify.console && !config.dify.admin) {
      throw new DifyConfigError(
        `jobs.${jobIndex}.apps`,
        'every app of the workspace needs console access (dify.console or dify.admin); ' +
          'or list the apps with their API keys',
      );
    }
    const discovery = clientFor(config, undefined, undefined, logger, fetch);
    ids = [];
    try {
      // Dify's current workspace is account state (a browser may switch it): checked (switched back to
      // dify.console.workspaceId) before listing, and again after, so the list is of one workspace.
      const before = await discovery.workspace();
      // Workflow apps (run logs), chat and completion apps (conversations; chatflow runs behind their messages).
      for await (const app of discovery.apps()) {
        if (!REPORTED_MODES.includes(app.mode)) continue;
        ids.push(app.id);
        modes.set(app.id, app.mode);
      }
      if (before) {
        const after = await discovery.workspace({ expected: before.id });
        if (after?.switchedFrom)
          throw new DifyWorkspaceError(
            'workspace_changed',
            `the account's current workspace changed to ${after.switchedFrom.name ?? after.switchedFrom.id} ` +
              'while apps were listed; switched back, run again',
          );
        workspace = { id: before.id, name: before.name };
      }
    } finally {
      await discovery.close();
    }
  } else {
    ids = job.apps ?? (known.size > 0 ? [...known.keys()] : [config.dify.appId!]);
  }
  if (ids.length === 0) throw new DifyConfigError(`jobs.${jobIndex}.apps`, 'the job has no apps');
  return ids.map((id) => {
    const apiKey = keyFor(id);
    if (!apiKey && !config.dify.console && !config.dify.admin) {
      throw new DifyConfigError(
        `jobs.${jobIndex}.apps`,
        `app ${id} has no API key (apps[].apiKey or dify.apiKey) and there is no console access`,
      );
    }
    const mode = modes.get(id);
    return {
      id,
      client: clientFor(config, id, apiKey, logger.child({ appId: id }), fetch),
      ...(mode ? { mode } : {}),
      ...(workspace ? { workspace } : {}),
    };
  });
}
