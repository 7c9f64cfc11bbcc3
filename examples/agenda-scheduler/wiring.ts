import { createDifyClient, type DifyClient, type Notifier, type StorageAdapter } from '@dify-logs/core';
import { startSimulator } from '@dify-logs/dify-sim';
import { createDingtalkNotifier } from '@dify-logs/notifier-dingtalk';
import { emailNotifierFromEnv } from '@dify-logs/notifier-email';
import { createLocalStorage } from '@dify-logs/storage-local';
import { createOssStorage } from '@dify-logs/storage-oss';
import { createS3Storage } from '@dify-logs/storage-s3';

type Env = NodeJS.ProcessEnv;

/** Dify: console login (every app) or one app's key; with DEMO=1 the bundled simulator. */
export async function connectDify(env: Env): Promise<{ apps: Array<{ id: string; client: DifyClient }>; close: () => Promise<void> }> {
  if (env.DEMO === '1') {
    const simulator = await startSimulator({ runsPerApp: 200, now: new Date().toISOString(), days: 2 });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const client = createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, console: simulator.account });
    return { apps: [{ id: app.id, client }], close: async () => { await client.close(); await simulator.close(); } };
  }
  if (!env.DIFY_BASE_URL || !env.DIFY_APP_ID || !(env.DIFY_API_TOKEN || env.DIFY_CONSOLE_EMAIL)) {
    throw new Error('set DIFY_BASE_URL, DIFY_APP_ID and DIFY_API_TOKEN (or DIFY_CONSOLE_EMAIL and DIFY_CONSOLE_PASSWORD), or DEMO=1');
  }
  const client = createDifyClient({
    baseUrl: env.DIFY_BASE_URL,
    appId: env.DIFY_APP_ID,
    ...(env.DIFY_API_TOKEN ? { apiKey: env.DIFY_API_TOKEN } : {}),
    ...(env.DIFY_CONSOLE_EMAIL ? { console: { email: env.DIFY_CONSOLE_EMAIL, password: env.DIFY_CONSOLE_PASSWORD ?? '' } } : {}),
  });
  return { apps: [{ id: env.DIFY_APP_ID, client }], close: () => client.close() };
}

/** STORAGE_TYPE=s3 (S3_*, AWS credentials chain), oss (OSS_*) or local (OUTPUT_BASE_DIR, default ./reports). */
export function openStorage(env: Env): StorageAdapter {
  switch ((env.STORAGE_TYPE ?? 'local').toLowerCase()) {
    case 's3':
      return createS3Storage({ bucket: required(env, 'S3_BUCKET'), ...(env.S3_PREFIX ? { prefix: env.S3_PREFIX } : {}), ...(env.S3_REGION ? { region: env.S3_REGION } : {}), ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT, forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' } : {}) });
    case 'oss':
      return createOssStorage({ bucket: required(env, 'OSS_BUCKET_NAME'), accessKeyId: required(env, 'OSS_ACCESS_KEY_ID'), accessKeySecret: required(env, 'OSS_ACCESS_KEY_SECRET'), ...(env.OSS_REGION ? { region: env.OSS_REGION } : { endpoint: required(env, 'OSS_ENDPOINT') }), ...(env.OSS_PREFIX ? { prefix: env.OSS_PREFIX } : {}) });
    default:
      return createLocalStorage({ baseDir: env.OUTPUT_BASE_DIR ?? './reports' });
  }
}

/** DingTalk (DINGTALK_WEBHOOK, DINGTALK_SECRET) and email (SMTP_HOST, SMTP_TO, …) when configured. */
export function openNotifiers(env: Env): Notifier[] {
  const notifiers: Notifier[] = [];
  if (env.DINGTALK_WEBHOOK) notifiers.push(createDingtalkNotifier({ webhook: env.DINGTALK_WEBHOOK, ...(env.DINGTALK_SECRET ? { secret: env.DINGTALK_SECRET } : {}) }));
  if (env.SMTP_HOST && env.SMTP_TO) notifiers.push(emailNotifierFromEnv(env));
  return notifiers;
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
