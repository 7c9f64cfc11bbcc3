import { createHash } from 'node:crypto';
import { DEFAULT_RETRIES } from '../export/defaults.js';
import { scrub } from '../logging/redact.js';
import { silentLogger } from '../logging/logger.js';
import { createConsoleSession } from './auth/console-session.js';
import { staticAuthenticator, type Authenticator } from './auth/types.js';
import { createContext } from './context.js';
import { fetchAppInfo, fetchServerVersion, listApps, type AppListQuery } from './endpoints/apps.js';
import { fetchAccountTimezone, listConversations, listMessages, type ConversationQuery } from './endpoints/chat.js';
import {
  fetchCompletionMessage,
  listCompletionConversations,
  type CompletionConversationQuery,
} from './endpoints/completion.js';
import { fetchLogPage, logSurface, type LogPage, type LogQuery } from './endpoints/logs.js';
import { probe, type ProbeResult } from './endpoints/probe.js';
import { fetchPauseDetails } from './endpoints/pause.js';
import { fetchArchivedLogPage, type ArchivedLogPage } from './endpoints/archived-logs.js';
import type { RunPause } from '../records/schema.js';
import { checkWorkspace, type WorkspaceCheck } from './endpoints/workspaces.js';
import { fetchNodeExecutions, fetchRunDetail, type RunRequestOptions } from './endpoints/runs.js';
import { resolveUrls, validateOptions, type DifyClientOptions } from './options.js';
import type { DifyCompletionConversation, DifyConversation, DifyMessage } from './schemas/chat.js';
import type { AppInfo, DifyConsoleApp, DifyNodeExecution, DifyRunDetail } from './schemas/dify.js';
import { createAdaptiveLimiter } from './transport/adaptive-limiter.js';
import { createTransport, type TransportStats } from './transport/http.js';

export interface DifyClient {
  /** The app id records are labelled with for the Service API key (given, or derived from the key's hash). */
  readonly appId: string | undefined;
  /** Where logs come from: `service` with an app key, else `console`. */
  readonly logSurface: 'service' | 'console';
  /** True when node executions can be fetched (console login or admin key). */
  readonly hasConsole: boolean;
  /** The Dify web root (no `/v1` or `/console/api`), for links to apps and runs in reports. */
  readonly webUrl: string;
  serverVersion(): Promise<string | null>;
  probe(): Promise<ProbeResult>;
  appInfo(): Promise<AppInfo>;
  apps(query?: AppListQuery): AsyncIterable<DifyConsoleApp>;
  /**
   * The workspace the console reads now; call it right before listing apps. Dify keeps the current workspace per
   * account: with `console.workspaceId` another current one is switched back; else, with `expected` (where apps were
   * listed before), another one throws `DifyWorkspaceError` (`workspace_changed`). null without console access.
   */
  workspace(options?: { expected?: string }): Promise<WorkspaceCheck | null>;
  /** One page of workflow run logs, newest first (`scanned` is set when the client filtered the page itself). */
  logPage(query?: LogQuery): Promise<LogPage>;
  /** Offset pages until `has_more` is false or `maxPages` were read. Use `exportRuns` for drift-proof windows. */
  logPages(query?: LogQuery & { maxPages?: number }): AsyncIterable<LogPage>;
  /** null when Dify no longer has the run. */
  runDetail(runId: string, appId?: string, options?: RunRequestOptions): Promise<DifyRunDetail | null>;
  nodeExecutions(runId: string, appId?: string, options?: RunRequestOptions): Promise<DifyNodeExecution[]>;
  /** One page of the runs Dify's retention archived (console, 1.13+), newest first; null when Dify has no archive. */
  archivedLogPage(appId: string, query?: { page?: number; limit?: number }): Promise<ArchivedLogPage | null>;
  /** Where a paused run waits (node, Human Input form; console, Dify >= 1.13); null when Dify does not say. */
  pauseDetails(runId: string, options?: RunRequestOptions): Promise<RunPause | null>;
  /** The console account's time zone (its profile): conversation filters are read in it. */
  accountTimezone(): Promise<string>;
  /**
   * Conversations of a chat app (chat, agent-chat, advanced-chat) updated since a time, each once (console; editor
   * role).
   */
  conversations(appId: string, query: ConversationQuery): AsyncIterable<DifyConversation>;
  /** A conversation's messages, newest first, back to `since` (console). */
  messages(
    appId: string,
    conversationId: string,
    options?: { since?: Date; limit?: number },
  ): AsyncIterable<DifyMessage>;
  /** Conversations of a completion app created since a time, newest first, each once (console; editor role). */
  completionConversations(appId: string, query: CompletionConversationQuery): AsyncIterable<DifyCompletionConversation>;
  /** A completion conversation's message in full (console; Dify marks the conversation read); null when none. */
  completionMessage(appId: string, conversationId: string): Promise<DifyMessage | null>;
  /** Replaces every credential this client holds (keys, password, tokens, cookies) in `text`. */
  scrub(text: string): string;
  stats(): TransportStats;
  /** Ends the client; logs out of a console session it opened only with `console.logoutOnClose`. */
  close(): Promise<void>;
}

/** Creates a Dify client. Does no I/O: the version probe and any login happen on first use. */
export function createDifyClient(options: DifyClientOptions): DifyClient {
  validateOptions(options);
  const urls = resolveUrls(options.baseUrl, {
    serviceApiUrl: options.serviceApiUrl,
    consoleApiUrl: options.consoleApiUrl,
  });
  const logger = (options.logger ?? silentLogger).child({ component: 'dify-client' });
  const transport = createTransport({
    timeoutMs: options.timeoutMs ?? 30_000,
    limiter: createAdaptiveLimiter(options.requestLimit),
    retry: { retries: DEFAULT_RETRIES, minDelayMs: 250, maxDelayMs: 10_000, maxRetryAfterMs: 60_000, ...options.retry },
    logger,
    fetch: options.fetch,
    signal: options.signal,
  });
  let versionPromise: Promise<string | null> | undefined;
  const serverVersion = () =>
    (versionPromise ??= options.serverVersion
      ? Promise.resolve(options.serverVersion)
      : fetchServerVersion({ transport, urls, logger }));

  const appId =
    options.appId ??
    (options.apiKey ? `app-key-${createHash('sha256').update(options.apiKey).digest('hex').slice(0, 12)}` : undefined);
  const service = options.apiKey
    ? staticAuthenticator('api-key', { authorization: `Bearer ${options.apiKey}` }, [options.apiKey])
    : undefined;
  let consoleAuth: Authenticator | undefined;
  if (options.admin) {
    consoleAuth = staticAuthenticator(
      'admin-key',
      { authorization: `Bearer ${options.admin.apiKey}`, 'x-workspace-id': options.admin.workspaceId },
      [options.admin.apiKey],
    );
  } else if (options.console) {
    const { email, password, passwordEncoding, logoutOnClose } = options.console;
    consoleAuth = createConsoleSession(
      { email, password },
      {
        transport,
        consoleUrl: urls.console,
        serverVersion,
        passwordEncoding: passwordEncoding ?? 'auto',
        logoutOnClose: logoutOnClose ?? false,
        logger,
      },
    );
  }
  let timezonePromise: Promise<string> | undefined;
  const context = createContext({ urls, transport, logger, service, console: consoleAuth, appId, serverVersion });

  return {
    appId,
    logSurface: logSurface(context),
    hasConsole: consoleAuth !== undefined,
    webUrl: urls.root,
    serverVersion,
    probe: () => probe(context),
    appInfo: () => fetchAppInfo(context),
    apps: (query) => listApps(context, query),
    workspace: (check = {}) =>
      checkWorkspace(context, { wanted: options.console?.workspaceId, expected: check.expected }),
    logPage: (query = {}) => fetchLogPage(context, query),
    async *logPages(query = {}) {
      const { maxPages = Number.POSITIVE_INFINITY, ...rest } = query;
      for (let page = rest.page ?? 1, read = 0; read < maxPages; page += 1, read += 1) {
        const result = await fetchLogPage(context, { ...rest, page });
        yield result;
        if (!result.has_more || (result.scanned?.items ?? result.data.length) === 0) return;
      }
    },
    runDetail: (runId, app, request) => fetchRunDetail(context, runId, app, request),
    nodeExecutions: (runId, app, request) => fetchNodeExecutions(context, runId, app, request),
    pauseDetails: (runId, request) => fetchPauseDetails(context, runId, request),
    archivedLogPage: (app, query) => fetchArchivedLogPage(context, app, query),
    accountTimezone: () => (timezonePromise ??= fetchAccountTimezone(context)),
    conversations: (app, query) =>
      listConversations(context, app, { ...query, timezone: query.timezone ?? options.consoleTimezone }),
    messages: (app, conversationId, messageOptions) => listMessages(context, app, conversationId, messageOptions),
    completionConversations: (app, query) =>
      listCompletionConversations(context, app, { ...query, timezone: query.timezone ?? options.consoleTimezone }),
    completionMessage: (app, conversationId) => fetchCompletionMessage(context, app, conversationId),
    scrub: (text) => scrub(text, [...(service?.secrets() ?? []), ...(consoleAuth?.secrets() ?? [])]),
    stats: () => transport.stats(),
    close: async () => {
      await consoleAuth?.close();
    },
  };
}
