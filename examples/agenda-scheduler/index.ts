/**
 * A standalone dify-logs worker on Agenda: the daily (02:00 Asia/Shanghai, yesterday) and weekly (Monday 03:00,
 * last week) reports, S3/OSS/local storage, DingTalk and email, health and metrics, graceful shutdown. Start as many
 * as you like on one database. The runtime reads DIFY_*, STORAGE_TYPE, S3_*, OSS_*, SMTP_*, DINGTALK_*, WORKER_PORT
 * and DASHBOARD_* through the plugins' declarations; this file maps the few variables of its own. See README.md.
 */
import { createDifyLogs } from '@dify-logs/core';
import { startSimulator } from '@dify-logs/dify-sim';
import { plugin as dingtalk } from '@dify-logs/notifier-dingtalk';
import { plugin as email } from '@dify-logs/notifier-email';
// One package per database: keep the one your workers use (each brings its driver and its Agenda backend).
import { plugin as mongodb } from '@dify-logs/mongodb/plugin';
import { plugin as postgres } from '@dify-logs/postgres/plugin';
import { plugin as redis } from '@dify-logs/redis/plugin';
import { plugin as agenda, startWorker } from '@dify-logs/scheduler-agenda';
import { plugin as local } from '@dify-logs/storage-local';
import { plugin as oss } from '@dify-logs/storage-oss';
import { plugin as s3 } from '@dify-logs/storage-s3';

const env = process.env;
const databaseUrl = env.MONGODB_URL ?? env.DATABASE_URL;
if (!databaseUrl) {
  process.stderr.write(
    [
      'No database: the workers share their jobs, locks, state and run history in one.',
      '  MONGODB_URL=mongodb://user:password@mongo.internal:27017/dify_logs      (the default backend)',
      '  DATABASE_URL=postgres://user:password@pg.internal:5432/dify_logs        (or PostgreSQL)',
      '  DATABASE_URL=redis://redis.internal:6379                                (or Redis)',
      'On one machine without a database, `dify-logs schedule start` runs the same deployments.',
      '',
    ].join('\n'),
  );
  process.exit(2);
}

const demo = env.DEMO === '1';
const simulator = demo ? await startSimulator({ runsPerApp: 200, now: new Date().toISOString(), days: 2 }) : undefined;
const app = simulator?.apps.find((candidate) => candidate.mode === 'workflow');
const channels = [...(env.DINGTALK_WEBHOOK ? ['dingtalk'] : []), ...(env.SMTP_HOST && env.SMTP_TO ? ['email'] : [])];
const job = (name: string) => ({
  name,
  reportType: name,
  outputFormat: ['json', 'markdown'],
  withNodeExecutions: true,
});
const runtime = await createDifyLogs({
  plugins: [local, s3, oss, dingtalk, email, agenda, ...mongodb, ...postgres, ...redis],
  env,
  config: {
    ...(simulator && app
      ? { dify: { baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, console: simulator.account } }
      : {}),
    jobs: [job('daily'), job('weekly')],
    deployments: [
      {
        name: 'daily-report',
        job: 'daily',
        schedule: demo ? '*/5 * * * * *' : '0 2 * * *',
        timezone: 'Asia/Shanghai',
        parameters: { from: '{{yesterday}}', to: '{{today}}' },
      },
      {
        name: 'weekly-report',
        job: 'weekly',
        schedule: demo ? '2-59/10 * * * * *' : '0 3 * * 1',
        timezone: 'Asia/Shanghai',
        parameters: { from: '{{last_week}}', to: '{{this_week}}' },
      },
    ],
    storage: { baseDir: './reports' },
    notification: { enabled: channels.length > 0, type: channels.length > 0 ? channels : ['console'] },
    worker: {
      databaseUrl,
      ...(env.DATABASE_PREFIX ? { prefix: env.DATABASE_PREFIX } : {}),
      host: env.WORKER_HOST ?? '127.0.0.1',
      drainSeconds: env.DRAIN_SECONDS ?? 60,
      ...(demo ? { processEverySeconds: 0.5 } : {}),
    },
  },
});
const worker = await startWorker(runtime);
process.stdout.write(
  `worker on ${worker.database.description}; ${worker.server?.url}` +
    `/healthz /readyz /metrics${worker.dashboard ? ' /dashboard' : ''}\n`,
);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: finishing running runs (up to ${env.DRAIN_SECONDS ?? 60} s)\n`);
  await worker.stop();
  await simulator?.close();
  process.stdout.write('stopped\n');
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
