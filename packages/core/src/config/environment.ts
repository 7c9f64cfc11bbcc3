import { setAt, type ConfigTree } from './merge.js';

/** An environment variable of the original tool and the configuration key it sets. */
export interface EnvironmentVariable {
  name: string;
  key: string;
  description: string;
  /** Turns the raw text into the value set at `key` (default: the trimmed text). */
  convert?: (text: string) => unknown;
}

/** The original tool's name `wechat` is the WeCom notifier. */
function notifierTypes(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '')
    .map((item) => (item === 'wechat' ? 'wecom' : item));
}

export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  { name: 'DIFY_BASE_URL', key: 'dify.baseUrl', description: "Dify's address" },
  { name: 'DIFY_SERVICE_API_URL', key: 'dify.serviceApiUrl', description: 'Service API address when not at DIFY_BASE_URL (Dify\'s SERVICE_API_URL)' },
  { name: 'DIFY_CONSOLE_API_URL', key: 'dify.consoleApiUrl', description: 'Console API address when not at DIFY_BASE_URL (Dify\'s CONSOLE_API_URL)' },
  { name: 'DIFY_API_TOKEN', key: 'dify.apiKey', description: 'Service API key of DIFY_APP_ID' },
  { name: 'DIFY_APP_ID', key: 'dify.appId', description: 'the app of the Service API key; also the default job\'s app' },
  { name: 'DIFY_CONSOLE_EMAIL', key: 'dify.console.email', description: 'console login' },
  { name: 'DIFY_CONSOLE_PASSWORD', key: 'dify.console.password', description: 'console login' },
  { name: 'DIFY_CONSOLE_WORKSPACE_ID', key: 'dify.console.workspaceId', description: 'the workspace the console login reads (switched back to when another is current)' },
  { name: 'DIFY_ADMIN_API_KEY', key: 'dify.admin.apiKey', description: 'self-hosted admin key' },
  { name: 'DIFY_WORKSPACE_ID', key: 'dify.admin.workspaceId', description: 'workspace of the admin key' },
  { name: 'OUTPUT_BASE_DIR', key: 'storage.baseDir', description: 'local storage folder' },
  { name: 'STORAGE_TYPE', key: 'storage.type', description: 'local, s3 or oss', convert: (text) => text.trim().toLowerCase() },
  { name: 'OSS_ENDPOINT', key: 'storage.oss.endpoint', description: 'Aliyun OSS endpoint' },
  { name: 'OSS_ACCESS_KEY_ID', key: 'storage.oss.accessKeyId', description: 'Aliyun OSS access key id' },
  { name: 'OSS_ACCESS_KEY_SECRET', key: 'storage.oss.accessKeySecret', description: 'Aliyun OSS access key secret' },
  { name: 'OSS_BUCKET_NAME', key: 'storage.oss.bucket', description: 'Aliyun OSS bucket' },
  { name: 'OSS_REGION', key: 'storage.oss.region', description: 'Aliyun OSS region, e.g. oss-cn-hangzhou (V4 signing)' },
  { name: 'OSS_PREFIX', key: 'storage.oss.prefix', description: 'key prefix in the OSS bucket' },
  { name: 'S3_BUCKET', key: 'storage.s3.bucket', description: 'S3 bucket' },
  { name: 'S3_PREFIX', key: 'storage.s3.prefix', description: 'key prefix in the S3 bucket' },
  { name: 'S3_REGION', key: 'storage.s3.region', description: 'S3 region' },
  { name: 'S3_ENDPOINT', key: 'storage.s3.endpoint', description: 'S3-compatible endpoint (credentials: the AWS_* variables)' },
  { name: 'S3_FORCE_PATH_STYLE', key: 'storage.s3.forcePathStyle', description: 'true for path-style addressing' },
  { name: 'NOTIFICATION_ENABLED', key: 'notification.enabled', description: 'true/false, 1/0, yes/no' },
  { name: 'NOTIFICATION_TYPE', key: 'notification.type', description: 'comma list; wechat means wecom', convert: notifierTypes },
  { name: 'SMTP_HOST', key: 'notification.email.host', description: 'mail server' },
  { name: 'SMTP_PORT', key: 'notification.email.port', description: 'mail server port' },
  { name: 'SMTP_USER', key: 'notification.email.user', description: 'mail login' },
  { name: 'SMTP_PASSWORD', key: 'notification.email.password', description: 'mail login' },
  { name: 'SMTP_TO', key: 'notification.email.to', description: 'comma list of recipients' },
  { name: 'SMTP_FROM', key: 'notification.email.from', description: 'sender address' },
  { name: 'DINGTALK_WEBHOOK', key: 'notification.dingtalk.webhook', description: 'DingTalk robot webhook' },
  { name: 'DINGTALK_SECRET', key: 'notification.dingtalk.secret', description: 'DingTalk signing secret' },
  { name: 'WECOM_WEBHOOK', key: 'notification.wecom.webhook', description: 'WeCom robot webhook' },
  { name: 'FEISHU_WEBHOOK', key: 'notification.feishu.webhook', description: 'Feishu/Lark custom bot webhook' },
  { name: 'FEISHU_SECRET', key: 'notification.feishu.secret', description: 'Feishu signing secret' },
  { name: 'SLACK_WEBHOOK', key: 'notification.slack.webhook', description: 'Slack incoming webhook' },
  { name: 'NOTIFY_WEBHOOK_URL', key: 'notification.webhook.url', description: 'generic webhook URL' },
  { name: 'NOTIFY_WEBHOOK_SECRET', key: 'notification.webhook.secret', description: 'generic webhook signing secret' },
  { name: 'MONGODB_URL', key: 'worker.databaseUrl', description: 'database of `dify-logs worker` (MongoDB)' },
  { name: 'DIFY_LOGS_DATABASE_URL', key: 'worker.databaseUrl', description: 'database of `dify-logs worker`: mongodb://, postgres:// or redis:// (wins over MONGODB_URL)' },
  { name: 'WORKER_PORT', key: 'worker.port', description: 'port of /healthz, /readyz, /metrics and /dashboard (0: off)' },
  { name: 'DASHBOARD_USERNAME', key: 'worker.dashboard.username', description: 'dashboard basic auth user' },
  { name: 'DASHBOARD_PASSWORD', key: 'worker.dashboard.password', description: 'dashboard basic auth password' },
  { name: 'DASHBOARD_TOKEN', key: 'worker.dashboard.token', description: 'dashboard bearer token' },
  { name: 'SINK_POSTGRES_URL', key: 'sinks.postgres.databaseUrl', description: 'PostgreSQL the runs and node executions are written to' },
  { name: 'SINK_MONGODB_URL', key: 'sinks.mongodb.databaseUrl', description: 'MongoDB the runs and node executions are written to' },
  { name: 'LOG_LEVEL', key: 'logging.level', description: 'fatal … trace, silent (any case)' },
  { name: 'LOG_DIR', key: 'logging.dir', description: 'log file folder' },
  { name: 'LOG_RETENTION_DAYS', key: 'logging.retentionDays', description: 'days of log files kept' },
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

/** The configuration set by the variables of ENVIRONMENT_VARIABLES; empty values count as unset. */
export function environmentToConfig(env: Readonly<Record<string, string | undefined>>): EnvironmentLayer {
  const tree: ConfigTree = {};
  const variables = new Map<string, string>();
  for (const variable of ENVIRONMENT_VARIABLES) {
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
export function variableFor(key: string): string | undefined {
  return ENVIRONMENT_VARIABLES.find((variable) => variable.key === key)?.name;
}
