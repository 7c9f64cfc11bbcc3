import type { DifyLogsPlugin } from '@dify-logs/core/adapter-kit';
import { plugin as dingtalk } from '@dify-logs/notifier-dingtalk/plugin';
import { plugin as email } from '@dify-logs/notifier-email/plugin';
import { plugin as explorer } from '@dify-logs/explorer/plugin';
import { plugin as feishu } from '@dify-logs/notifier-feishu/plugin';
import { plugin as slack } from '@dify-logs/notifier-slack/plugin';
import { plugin as webhook } from '@dify-logs/notifier-webhook/plugin';
import { plugin as wecom } from '@dify-logs/notifier-wecom/plugin';
import { plugin as parquet } from '@dify-logs/parquet/plugin';
import { plugins as reports } from '@dify-logs/reports/plugin';
import { plugin as agenda } from '@dify-logs/scheduler-agenda/plugin';
import { plugin as cron } from '@dify-logs/scheduler-cron/plugin';
import { plugins as mongodb } from '@dify-logs/mongodb/plugin';
import { plugins as postgres } from '@dify-logs/postgres/plugin';
import { plugins as redis } from '@dify-logs/redis/plugin';
import { plugin as local } from '@dify-logs/storage-local/plugin';
import { plugin as oss } from '@dify-logs/storage-oss/plugin';
import { plugin as s3 } from '@dify-logs/storage-s3/plugin';

/**
 * Every first-party plugin, in the order the configuration documents them. Each `/plugin` entry is light: a package's
 * implementation (the AWS SDK, ali-oss, nodemailer, pg, ioredis, the MongoDB driver, Agenda) loads only when its
 * adapter is created. The database packages give two plugins each: the `database` that `worker.databaseUrl` picks by
 * its scheme (the workers' jobs, state and run history), and the sink of the same database (Redis has no sink).
 */
export const FIRST_PARTY_PLUGINS: readonly DifyLogsPlugin[] = [
  local,
  s3,
  oss,
  email,
  dingtalk,
  wecom,
  feishu,
  slack,
  webhook,
  ...postgres,
  ...mongodb,
  ...redis,
  ...reports,
  parquet,
  agenda,
  cron,
  explorer,
];
