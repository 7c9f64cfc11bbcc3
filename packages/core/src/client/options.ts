import { DifyConfigError } from '../errors/config-error.js';
import type { Logger } from '../logging/logger.js';
import type { PasswordEncoding } from './auth/console-session.js';
import type { RetryOptions } from './transport/http.js';

export interface DifyClientOptions {
  /** Dify's address, e.g. `https://dify.example.com` (a trailing `/v1` or `/console/api` is accepted). */
  baseUrl: string;
  /**
   * Where the Service API is, when not at `baseUrl` (Dify's `SERVICE_API_URL`; Dify Cloud: `https://api.dify.ai`).
   * With or without the trailing `/v1`.
   */
  serviceApiUrl?: string;
  /** Where the Console API is, when not at `baseUrl` (Dify's `CONSOLE_API_URL`). With or without `/console/api`. */
  consoleApiUrl?: string;
  /** Service API key of one app (`app-…`): run logs and run detail of that app. */
  apiKey?: string;
  /** The app the `apiKey` belongs to, recorded on every RunRecord (Dify does not tell it). */
  appId?: string;
  /**
   * Console login: every app of the workspace, node executions too. `logoutOnClose` (default false) logs out on
   * `close()`; Dify's logout deletes the account's most recent refresh token, which may be someone's browser session.
   */
  console?: {
    email: string;
    password: string;
    passwordEncoding?: PasswordEncoding;
    logoutOnClose?: boolean;
    /**
     * The workspace to read. Dify keeps the current workspace per account (a person switching it in the browser
     * moves this client too): with it, `workspace()` switches back to it before apps are listed.
     */
    workspaceId?: string;
  };
  /** Self-hosted admin key (`ADMIN_API_KEY`) acting as the owner of one workspace: no login at all. */
  admin?: { apiKey: string; workspaceId: string };
  /** Skip the version probe and assume this Dify release (e.g. `1.13.3`). */
  serverVersion?: string;
  /** The time zone the console reads conversation filters in (default: the account's profile time zone). */
  consoleTimezone?: string;
  /**
   * How many requests go to Dify at once: adapted to what Dify answers (429/503/timeouts and rising latency
   * shrink it; quiet round trips grow it) up to `max` (default 64), and optionally capped per second.
   * `adaptive: false` keeps `max` fixed.
   */
  requestLimit?: { max?: number; adaptive?: boolean; maxRequestsPerSecond?: number };
  /** Per request, headers and body included (default 30 000 ms). */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** A pino (or pino-compatible) logger; silent by default. */
  logger?: Logger;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** Aborts every request and retry wait of this client. */
  signal?: AbortSignal;
}

export interface ResolvedUrls {
  root: string;
  service: string;
  console: string;
}

/** The web root and the two API roots: derived from `baseUrl`, unless given apart (Dify sets them independently). */
export function resolveUrls(
  baseUrl: unknown,
  overrides: { serviceApiUrl?: unknown; consoleApiUrl?: unknown } = {},
): ResolvedUrls {
  const root = rootOf('baseUrl', baseUrl);
  const service = overrides.serviceApiUrl === undefined ? root : rootOf('serviceApiUrl', overrides.serviceApiUrl);
  const console = overrides.consoleApiUrl === undefined ? root : rootOf('consoleApiUrl', overrides.consoleApiUrl);
  return { root, service: `${service}/v1`, console: `${console}/console/api` };
}

/** An http(s) URL without credentials, trailing slashes and a trailing `/v1` or `/console/api`. */
function rootOf(key: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new DifyConfigError(key, 'is required (e.g. https://dify.example.com)');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new DifyConfigError(key, `is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DifyConfigError(key, `must be http(s), got ${url.protocol}`);
  if (url.username || url.password) throw new DifyConfigError(key, 'must not contain credentials');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '').replace(/\/(v1|console\/api)$/, '');
}

export function validateOptions(options: DifyClientOptions): void {
  if (typeof options !== 'object' || options === null) throw new DifyConfigError('options', 'must be an object');
  const nonEmpty = (key: string, value: unknown) => {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === ''))
      throw new DifyConfigError(key, 'must be a non-empty string');
  };
  nonEmpty('apiKey', options.apiKey);
  nonEmpty('appId', options.appId);
  nonEmpty('serverVersion', options.serverVersion);
  const limits = options.requestLimit;
  if (limits?.max !== undefined && (!Number.isInteger(limits.max) || limits.max < 1 || limits.max > 1024))
    throw new DifyConfigError('requestLimit.max', `must be a whole number from 1 to 1024, got ${limits.max}`);
  if (limits?.maxRequestsPerSecond !== undefined && !(limits.maxRequestsPerSecond > 0))
    throw new DifyConfigError(
      'requestLimit.maxRequestsPerSecond',
      `must be above 0, got ${limits.maxRequestsPerSecond}`,
    );
  if (options.console) {
    nonEmpty('console.email', options.console.email);
    nonEmpty('console.password', options.console.password);
    if (!options.console.email) throw new DifyConfigError('console.email', 'is required for console login');
    if (!options.console.password) throw new DifyConfigError('console.password', 'is required for console login');
    const encoding = options.console.passwordEncoding;
    if (encoding !== undefined && !['auto', 'base64', 'plain'].includes(encoding)) {
      throw new DifyConfigError('console.passwordEncoding', 'must be auto, base64 or plain');
    }
    nonEmpty('console.workspaceId', options.console.workspaceId);
    const logout = options.console.logoutOnClose;
    if (logout !== undefined && typeof logout !== 'boolean')
      throw new DifyConfigError('console.logoutOnClose', 'must be true or false');
  }
  if (options.admin) {
    if (!options.admin.apiKey) throw new DifyConfigError('admin.apiKey', 'is required for admin-key access');
    if (!options.admin.workspaceId)
      throw new DifyConfigError('admin.workspaceId', 'is required with an admin key (X-WORKSPACE-ID)');
  }
  if (options.console && options.admin)
    throw new DifyConfigError('console', 'give either console login or admin key, not both');
  if (!options.apiKey && !options.console && !options.admin) {
    throw new DifyConfigError(
      'apiKey',
      'no credentials: give apiKey (Service API), console (email + password) or admin (apiKey + workspaceId)',
    );
  }
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new DifyConfigError('timeoutMs', 'must be a positive number of milliseconds');
  }
  const retries = options.retry?.retries;
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0))
    throw new DifyConfigError('retry.retries', 'must be a whole number >= 0');
}
