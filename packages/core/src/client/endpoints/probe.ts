import { DifyLogsError } from '../../errors/dify-logs-error.js';
import type { ClientContext } from '../context.js';
import { fetchAppInfo, listApps } from './apps.js';
import { CONVERSATION_APP_MODES, withArticle } from './chat.js';
import { probeAppAccess, type AppAccess, type ProbeProblem } from './probe-apps.js';

export type { AppAccess, ProbeProblem } from './probe-apps.js';
import { fetchLogPage } from './logs.js';
import { fetchNodeExecutions, fetchRunDetail } from './runs.js';

export interface ProbeResult {
  baseUrl: string;
  /** The Service API root used (`…/v1`). */
  serviceApiUrl: string;
  /** The Console API root used (`…/console/api`). */
  consoleApiUrl: string;
  serverVersion: string | null;
  credentials: Array<'api-key' | 'console-login' | 'admin-key'>;
  /** The app of the Service API key. */
  app: { name: string; mode: string } | null;
  /** Apps visible through the console. */
  consoleApps: number | null;
  /** The app checked for logs and nodes through the console. */
  appId: string | null;
  tiers: { runLogs: boolean; runDetail: boolean; nodeExecutions: boolean };
  /** `node`: node executions are reachable; `run`: run logs only; `none`: nothing. */
  level: 'none' | 'run' | 'node';
  /**
   * Per app: which data these credentials reach (`runs`: workflow run logs; `conversations`: chat and completion
   * messages) and why.
   */
  apps: AppAccess[];
  problems: ProbeProblem[];
}

const NO_RUN = '00000000-0000-4000-8000-000000000000';

/** Says what these credentials can reach, without failing: every refusal is listed in `problems`. */
export async function probe(context: ClientContext): Promise<ProbeResult> {
  const result: ProbeResult = {
    baseUrl: context.urls.root,
    serviceApiUrl: context.urls.service,
    consoleApiUrl: context.urls.console,
    serverVersion: await context.serverVersion(),
    credentials: [context.service?.kind, context.console?.kind].filter(
      (kind): kind is ProbeResult['credentials'][number] => kind !== undefined,
    ),
    app: null,
    consoleApps: null,
    appId: context.appId ?? null,
    tiers: { runLogs: false, runDetail: false, nodeExecutions: false },
    level: 'none',
    apps: [],
    problems: [],
  };
  const attempt = async <T>(step: string, task: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await task();
    } catch (error) {
      const code = DifyLogsError.isInstance(error) ? error.code : 'error';
      // Said once: every console step fails the same way.
      if (code === 'admin_key_unsupported' && result.problems.some((problem) => problem.code === code))
        return undefined;
      result.problems.push({ step, code, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };

  if (context.service) {
    const info = await attempt('app info', () => fetchAppInfo(context));
    if (info) {
      result.app = { name: info.name, mode: info.mode };
      if (CONVERSATION_APP_MODES.includes(info.mode) && !context.console) {
        result.apps.push({
          id: context.appId ?? '(app key)',
          name: info.name,
          mode: info.mode,
          data: 'none',
          reason:
            `${withArticle(info.mode)} app: Dify keeps no workflow logs for it, so its Service API key lists ` +
            'nothing; its conversations need console access (console login or admin key) with the editor role',
        });
      } else if (info.mode === 'workflow') {
        result.apps.push({
          id: context.appId ?? '(app key)',
          name: info.name,
          mode: info.mode,
          data: 'runs',
          reason: 'workflow run logs through the Service API key',
        });
      }
    }
    const page = await attempt('run logs (Service API)', () => fetchLogPage(context, { limit: 1 }));
    if (page) result.tiers.runLogs = true;
    const runId = page?.data[0]?.workflow_run?.id;
    if (runId && (await attempt('run detail (Service API)', () => fetchRunDetail(context, runId))) !== undefined)
      result.tiers.runDetail = true;
  }
  if (context.console) {
    const apps = await attempt('app list (console)', async () => {
      const found: Array<{ id: string; name: string; mode: string }> = [];
      for await (const app of listApps(context)) found.push({ id: app.id, name: app.name, mode: app.mode });
      return found;
    });
    if (apps) {
      result.consoleApps = apps.length;
      result.appId ??= apps.find((app) => app.mode === 'workflow')?.id ?? null;
      for (const app of apps) {
        const known = result.apps.find((entry) => entry.id === app.id);
        const access = await probeAppAccess(context, app, result.problems);
        if (known) Object.assign(known, access);
        else result.apps.push(access);
      }
    }
    const appId = result.appId;
    if (appId) {
      const page = context.service
        ? undefined
        : await attempt('run logs (console)', () => fetchLogPage(context, { appId, limit: 1 }));
      if (page) result.tiers.runLogs = true;
      const runId = page?.data[0]?.workflow_run?.id ?? NO_RUN;
      if (
        !context.service &&
        runId !== NO_RUN &&
        (await attempt('run detail (console)', () => fetchRunDetail(context, runId, appId))) !== undefined
      ) {
        result.tiers.runDetail = true;
      }
      if ((await attempt('node executions (console)', () => fetchNodeExecutions(context, runId, appId))) !== undefined)
        result.tiers.nodeExecutions = true;
    }
  }
  result.level = result.tiers.nodeExecutions && result.tiers.runLogs ? 'node' : result.tiers.runLogs ? 'run' : 'none';
  return result;
}
