import type { ClientContext } from '../context.js';
import {
  AppInfoSchema,
  ConsoleAppPageSchema,
  VersionInfoSchema,
  type AppInfo,
  type DifyConsoleApp,
} from '../schemas/dify.js';
import { parseBody } from '../schemas/parse.js';

export interface AppListQuery {
  /** `all` (default), `workflow`, `advanced-chat`, `chat`, `agent-chat`, `completion`. */
  mode?: string;
  /** Substring of the app name. */
  name?: string;
}

/** Every app of the console workspace, all pages. */
export async function* listApps(context: ClientContext, query: AppListQuery = {}): AsyncGenerator<DifyConsoleApp> {
  for (let page = 1; ; page += 1) {
    const result = (await context.call(
      { surface: 'console', path: '/apps', query: { page, limit: 100, mode: query.mode, name: query.name } },
      ConsoleAppPageSchema,
    ))!;
    yield* result.data;
    if (!result.has_more || result.data.length === 0) return;
  }
}

/** Name, mode and tags of the app the Service API key belongs to. */
export async function fetchAppInfo(context: ClientContext): Promise<AppInfo> {
  return (await context.call({ surface: 'service', path: '/info' }, AppInfoSchema))!;
}

/** Dify's release from the unauthenticated `GET /v1/`; null when the server does not say (Dify < 1.7, or a proxy). */
export async function fetchServerVersion(
  context: Pick<ClientContext, 'transport' | 'urls' | 'logger'>,
): Promise<string | null> {
  const endpoint = 'GET /v1/';
  try {
    const response = await context.transport.withRetry(endpoint, () =>
      context.transport.send({ method: 'GET', url: `${context.urls.service}/`, endpoint }),
    );
    if (response.status !== 200) return null;
    return parseBody(endpoint, VersionInfoSchema, response.body).server_version;
  } catch (error) {
    context.logger.debug({ endpoint, code: (error as { code?: unknown }).code }, 'server version unknown');
    return null;
  }
}
