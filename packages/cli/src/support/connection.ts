import { DEFAULT_RETRIES } from '@dify-logs/core/client';
import type { DifyClientOptions, Logger } from '@dify-logs/core';
import { environmentToConfig } from '@dify-logs/core/cli-kit';
import type { Command } from 'commander';
import { UsageError } from './exit-codes.js';

export interface ConnectionFlags {
  baseUrl?: string;
  serviceApiUrl?: string;
  consoleApiUrl?: string;
  apiKey?: string;
  appId?: string;
  consoleEmail?: string;
  consolePassword?: string;
  adminKey?: string;
  workspaceId?: string;
  serverVersion?: string;
  timeoutMs?: string;
  retries?: string;
}

/** The flags every command that talks to Dify takes. Each has the environment variable of the original tool. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--base-url <url>', 'Dify address, e.g. https://dify.example.com [env DIFY_BASE_URL]')
    .option(
      '--service-api-url <url>',
      "Service API address when not at --base-url (Dify's SERVICE_API_URL) [env DIFY_SERVICE_API_URL]",
    )
    .option(
      '--console-api-url <url>',
      "Console API address when not at --base-url (Dify's CONSOLE_API_URL) [env DIFY_CONSOLE_API_URL]",
    )
    .option('--api-key <key>', 'Service API key of one app (app-…) [env DIFY_API_TOKEN]')
    .option('--app-id <id>', 'app to read [env DIFY_APP_ID]')
    .option('--console-email <email>', 'console login e-mail [env DIFY_CONSOLE_EMAIL]')
    .option('--console-password <password>', 'console password; prefer the env variable [env DIFY_CONSOLE_PASSWORD]')
    .option('--admin-key <key>', 'self-hosted ADMIN_API_KEY [env DIFY_ADMIN_API_KEY]')
    .option('--workspace-id <id>', 'workspace for the admin key [env DIFY_WORKSPACE_ID]')
    .option('--server-version <version>', 'assume this Dify release instead of asking GET /v1/')
    .option('--timeout-ms <ms>', 'per-request timeout', '30000')
    .option('--retries <n>', 'retries per request on network errors, timeouts, 429 and 5xx', String(DEFAULT_RETRIES));
}

interface DifyFromEnv {
  baseUrl?: string;
  serviceApiUrl?: string;
  consoleApiUrl?: string;
  apiKey?: string;
  appId?: string;
  console?: { email?: string; password?: string };
  admin?: { apiKey?: string; workspaceId?: string };
}

/** Flags win over the environment. Missing or contradictory credentials are usage errors. */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, logger: Logger): DifyClientOptions {
  // The DIFY_* variables, read through core's declarations (the one place variables become configuration).
  const dify = ((environmentToConfig(env).tree as { dify?: DifyFromEnv }).dify ?? {}) as DifyFromEnv;
  const baseUrl = flags.baseUrl ?? dify.baseUrl;
  if (!baseUrl) throw new UsageError('missing --base-url (or DIFY_BASE_URL): the address of your Dify');
  const serviceApiUrl = flags.serviceApiUrl ?? dify.serviceApiUrl;
  const consoleApiUrl = flags.consoleApiUrl ?? dify.consoleApiUrl;
  const apiKey = flags.apiKey ?? dify.apiKey;
  const appId = flags.appId ?? dify.appId;
  const email = flags.consoleEmail ?? dify.console?.email;
  const password = flags.consolePassword ?? dify.console?.password;
  const adminKey = flags.adminKey ?? dify.admin?.apiKey;
  const workspaceId = flags.workspaceId ?? dify.admin?.workspaceId;
  if ((email === undefined) !== (password === undefined)) {
    throw new UsageError(
      email
        ? 'missing --console-password (or DIFY_CONSOLE_PASSWORD) for --console-email'
        : 'missing --console-email (or DIFY_CONSOLE_EMAIL) for the console password',
    );
  }
  if (adminKey && !workspaceId)
    throw new UsageError('missing --workspace-id (or DIFY_WORKSPACE_ID): the admin key acts on one workspace');
  if (adminKey && email)
    throw new UsageError('give either console login (--console-email/--console-password) or --admin-key, not both');
  if (!apiKey && !email && !adminKey) {
    throw new UsageError(
      'no credentials: give --api-key (DIFY_API_TOKEN), or ' +
        '--console-email + --console-password, or --admin-key + --workspace-id',
    );
  }
  return {
    baseUrl,
    ...(serviceApiUrl ? { serviceApiUrl } : {}),
    ...(consoleApiUrl ? { consoleApiUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(appId ? { appId } : {}),
    ...(email && password ? { console: { email, password } } : {}),
    ...(adminKey && workspaceId ? { admin: { apiKey: adminKey, workspaceId } } : {}),
    ...(flags.serverVersion ? { serverVersion: flags.serverVersion } : {}),
    timeoutMs: positiveInteger('--timeout-ms', flags.timeoutMs ?? '30000'),
    retry: { retries: positiveInteger('--retries', flags.retries ?? String(DEFAULT_RETRIES), 0) },
    logger,
  };
}

export function positiveInteger(flag: string, value: string, minimum = 1, maximum = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum || number > maximum) {
    throw new UsageError(
      `${flag} must be a whole number from ${minimum}` +
        `${maximum === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${maximum}`}, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

/** `--from`/`--to` given as UTC days (`YYYY-MM-DD`); an absent one passes. */
export function checkUtcDays(flags: { from?: string; to?: string }): void {
  for (const [flag, value] of [
    ['--from', flags.from],
    ['--to', flags.to],
  ] as const)
    if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value))
      throw new UsageError(`${flag} is not a UTC day (YYYY-MM-DD): ${JSON.stringify(value)}`);
}
