import type { DifyLogsConfig } from './schema.js';

export const STATE_FILE_NAME = '.dify-logs-state.json';

/**
 * Defaults that depend on other keys, filled in after the sources are merged:
 * `state.path` under `storage.baseDir`, and each job's apps (the listed `apps`, else `dify.appId`).
 * A job left without apps means every workflow app, through console access.
 */
export function applyDerivedDefaults(config: DifyLogsConfig): DifyLogsConfig {
  const configuredApps = config.apps?.map((app) => app.id) ?? [];
  const defaultApps =
    configuredApps.length > 0 ? configuredApps : config.dify.appId === undefined ? undefined : [config.dify.appId];
  const statePath = config.state.path ?? `${config.storage.baseDir.replace(/[\\/]+$/, '')}/${STATE_FILE_NAME}`;
  return {
    ...config,
    jobs: config.jobs.map((job) =>
      job.apps === undefined && defaultApps !== undefined ? { ...job, apps: [...defaultApps] } : job,
    ),
    state: { ...config.state, path: statePath },
  };
}
