import { setAt, type ConfigTree } from './merge.js';

/** An environment variable of the original tool and the configuration key it sets. */
export interface EnvironmentVariable {
  name: string;
  key: string;
  description: string;
  /** Turns the raw text into the value set at `key` (default: the trimmed text). */
  convert?: (text: string) => unknown;
  /** Among the variables that make a plugin's section on their own (named when the section is missing). */
  required?: boolean;
}

/** The original tool's name `wechat` is the WeCom notifier. */
function notifierTypes(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '')
    .map((item) => (item === 'wechat' ? 'wecom' : item));
}

/**
 * Core's own variables; plugins declare theirs (`plugin.env`), and `loadConfig` reads both through
 * `environmentToConfig`.
 */
export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  { name: 'DIFY_BASE_URL', key: 'dify.baseUrl', description: "Dify's address" },
  {
    name: 'DIFY_SERVICE_API_URL',
    key: 'dify.serviceApiUrl',
    description: "Service API address when not at DIFY_BASE_URL (Dify's SERVICE_API_URL)",
  },
  {
    name: 'DIFY_CONSOLE_API_URL',
    key: 'dify.consoleApiUrl',
    description: "Console API address when not at DIFY_BASE_URL (Dify's CONSOLE_API_URL)",
  },
  {
    name: 'DIFY_LOG_RETENTION_DAYS',
    key: 'dify.retentionDays',
    description: "Dify's WORKFLOW_LOG_RETENTION_DAYS (when its log cleanup is on)",
  },
  { name: 'DIFY_API_TOKEN', key: 'dify.apiKey', description: 'Service API key of DIFY_APP_ID' },
  { name: 'DIFY_APP_ID', key: 'dify.appId', description: "the app of the Service API key; also the default job's app" },
  { name: 'DIFY_CONSOLE_EMAIL', key: 'dify.console.email', description: 'console login' },
  { name: 'DIFY_CONSOLE_PASSWORD', key: 'dify.console.password', description: 'console login' },
  {
    name: 'DIFY_CONSOLE_WORKSPACE_ID',
    key: 'dify.console.workspaceId',
    description: 'the workspace the console login reads (switched back to when another is current)',
  },
  { name: 'DIFY_ADMIN_API_KEY', key: 'dify.admin.apiKey', description: 'self-hosted admin key' },
  { name: 'DIFY_WORKSPACE_ID', key: 'dify.admin.workspaceId', description: 'workspace of the admin key' },
  { name: 'OUTPUT_BASE_DIR', key: 'storage.baseDir', description: 'local storage folder' },
  {
    name: 'STORAGE_TYPE',
    key: 'storage.type',
    description: 'local, s3 or oss',
    convert: (text) => text.trim().toLowerCase(),
  },
  { name: 'NOTIFICATION_ENABLED', key: 'notification.enabled', description: 'true/false, 1/0, yes/no' },
  {
    name: 'NOTIFICATION_TYPE',
    key: 'notification.type',
    description: 'comma list; wechat means wecom',
    convert: notifierTypes,
  },
  { name: 'LOG_LEVEL', key: 'logging.level', description: 'fatal … trace, silent (any case)' },
  { name: 'LOG_DIR', key: 'logging.dir', description: 'log file folder' },
  { name: 'LOG_RETENTION_DAYS', key: 'logging.retentionDays', description: 'days of log files kept' },
  { name: 'PRIVACY_ACTION', key: 'privacy.action', description: 'mask, hash or drop personal data found in runs' },
  { name: 'PRIVACY_KEY', key: 'privacy.key', description: 'HMAC key of privacy.action hash' },
  { name: 'PRIVACY_DETECT', key: 'privacy.detect', description: 'detectors, comma-separated (default all)' },
  {
    name: 'PRIVACY_END_USER',
    key: 'privacy.endUser',
    description: 'scan, keep, hash or drop end-user ids and account e-mails',
  },
];

/** Names the profile to use (below `--profile`). */
export const PROFILE_VARIABLE = 'DIFY_LOGS_PROFILE';
/** The key that decrypts `enc:v1:` values: base64 or 64 hex characters. */
export const SECRET_KEY_VARIABLE = 'DIFY_LOGS_SECRET_KEY';

export interface EnvironmentLayer {
  tree: ConfigTree;
  /** Configuration key → the variable that set it. */
  variables: Map<string, string>;
}

/**
 * The configuration set by the declared variables (core's and the plugins'); empty values count as unset.
 * The one place environment variables become configuration.
 */
export function environmentToConfig(
  env: Readonly<Record<string, string | undefined>>,
  declared: readonly EnvironmentVariable[] = ENVIRONMENT_VARIABLES,
): EnvironmentLayer {
  const tree: ConfigTree = {};
  const variables = new Map<string, string>();
  for (const variable of declared) {
    const text = env[variable.name];
    if (text === undefined || text.trim() === '') continue;
    // Passwords may end in spaces; every other value is trimmed.
    const value = variable.convert ? variable.convert(text) : variable.key.endsWith('password') ? text : text.trim();
    setAt(tree, variable.key, value);
    variables.set(variable.key, variable.name);
  }
  return { tree, variables };
}

/** The variable that sets a configuration key, if any. */
export function variableFor(
  key: string,
  declared: readonly EnvironmentVariable[] = ENVIRONMENT_VARIABLES,
): string | undefined {
  return declared.find((variable) => variable.key === key)?.name;
}
