import {
  DifyConfigError,
  DifyWorkspaceError,
  createDifyClient,
  fileStateStore,
  memoryStateStore,
  type DifyClient,
  type DifyClientOptions,
  type DifyLogsConfig,
  type Logger,
  type Notifier,
  type PipelineApp,
  type PipelineJob,
  type Workspace,
  type ArchivePartFormat,
  type Reporter,
  type Sink,
  type StateStore,
  type StorageAdapter,
  CHAT_APP_MODES,
} from '@dify-logs/core';
import { join, resolve } from 'node:path';
import { createNotifiers } from './notifiers.js';
import { cliReporters } from './reporters.js';
import { parquetArchiveFormat } from './parquet.js';
import { openSinks } from './sinks.js';
import { openStorage } from './storage.js';

type JobConfig = DifyLogsConfig['jobs'][number];

/** Storage, state and notifiers of a configuration: what every job of one `dify-logs run` shares. */
export interface RunDeps {
  storage: StorageAdapter;
  state: StateStore;
  notifiers: Notifier[];
  reporters: Record<string, Reporter>;
  /** Databases the records go to (`sinks` in the configuration). */
  sinks: Sink[];
  /** Formats archive parts are also written in (`storage.archiveFormats`). */
  archiveFormats: ArchivePartFormat[];
  /** `storage.archiveNdjson`. */
  archiveNdjson: boolean;
}

export async function buildDeps(config: DifyLogsConfig, cwd: string, write: (text: string) => void): Promise<RunDeps> {
  const { storage, baseDir } = await openStorage(config, cwd);
  const state = config.state.type === 'memory' ? memoryStateStore() : fileStateStore({ path: resolve(cwd, config.state.path ?? join(baseDir, '.dify-logs-state.json')) });
  const notifiers = await createNotifiers(config, write);
  const archiveFormats = config.storage.archiveFormats?.includes('parquet') ? [await parquetArchiveFormat()] : [];
  return { storage, state, notifiers, reporters: cliReporters(), sinks: await openSinks(config), archiveFormats, archiveNdjson: config.storage.archiveNdjson };
}

function clientFor(config: DifyLogsConfig, appId: string | undefined, apiKey: string | undefined, logger: Logger, fetch?: typeof globalThis.fetch): DifyClient {
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

/** App modes a job reads: workflow apps' run logs, chat apps' conversations (completion apps are not read yet). */
const REPORTED_MODES = ['workflow', ...CHAT_APP_MODES];

/** The apps of a job, each with a client: listed apps with their keys, or every workflow and chat app through the console. */
export async function resolveApps(config: DifyLogsConfig, job: JobConfig, jobIndex: number, logger: Logger, fetch?: typeof globalThis.fetch): Promise<PipelineApp[]> {
  const known = new Map((config.apps ?? []).map((app) => [app.id, app]));
  const keyFor = (id: string) => known.get(id)?.apiKey ?? (config.dify.appId === id || (!known.size && config.dify.appId === undefined) ? config.dify.apiKey : undefined);
  let ids: string[];
  const modes = new Map<string, string>();
  let workspace: Workspace | undefined;
  if (job.apps === 'all' || (job.apps === undefined && known.size === 0 && !config.dify.appId)) {
    if (!config.dify.console && !config.dify.admin) {
      throw new DifyConfigError(`jobs.${jobIndex}.apps`, 'every app of the workspace needs console access (dify.console or dify.admin); or list the apps with their API keys');
    }
    const discovery = clientFor(config, undefined, undefined, logger, fetch);
    ids = [];
    try {
      // Dify's current workspace is account state (a browser may switch it): checked (switched back to
      // dify.console.workspaceId) before listing, and again after, so the list is of one workspace.
      const before = await discovery.workspace();
      // Workflow apps (run logs) and chat apps (conversations; chatflow runs behind their messages).
      for await (const app of discovery.apps()) {
        if (!REPORTED_MODES.includes(app.mode)) continue;
        ids.push(app.id);
        modes.set(app.id, app.mode);
      }
      if (before) {
        const after = await discovery.workspace({ expected: before.id });
        if (after?.switchedFrom) throw new DifyWorkspaceError('workspace_changed', `the account's current workspace changed to ${after.switchedFrom.name ?? after.switchedFrom.id} while apps were listed; switched back, run again`);
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
      throw new DifyConfigError(`jobs.${jobIndex}.apps`, `app ${id} has no API key (apps[].apiKey or dify.apiKey) and there is no console access`);
    }
    const mode = modes.get(id);
    return { id, client: clientFor(config, id, apiKey, logger.child({ appId: id }), fetch), ...(mode ? { mode } : {}), ...(workspace ? { workspace } : {}) };
  });
}

/** The pipeline job of a configured job (`ndjson` is the archive every run stores anyway, not a report). */
export function toPipelineJob(job: JobConfig, apps: PipelineApp[], window?: PipelineJob['window'], shared: { prices?: DifyLogsConfig['prices']; templates?: DifyLogsConfig['notification']['templates'] } = {}): PipelineJob {
  const formats = job.outputFormat.filter((format) => format !== 'ndjson');
  const pipelineJob: PipelineJob = {
    name: job.name,
    apps,
    window: window ?? job.window,
    timezone: job.timezone,
    keyword: job.keyword,
    status: job.status,
    withDetails: job.withDetails,
    withNodeExecutions: job.withNodeExecutions,
    concurrency: job.concurrency,
    reportType: job.reportType,
    formats: formats.length > 0 ? formats : ['json'],
    notifyOn: job.notifyOn,
    compare: job.compare,
    archive: job.archive === 'off' ? false : job.archive,
    ...(job.alerts ? { alerts: job.alerts } : {}),
    ...(job.anomalies ? { anomalies: job.anomalies } : {}),
    ...(shared.prices ? { prices: shared.prices } : {}),
    ...(shared.templates ? { templates: shared.templates } : {}),
  };
  return pipelineJob;
}
