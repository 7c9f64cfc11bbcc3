/**
 * A standalone dify-logs worker on Agenda: the daily (02:00 Asia/Shanghai, yesterday) and weekly
 * (Monday 03:00, last week) reports, S3/OSS/local storage, DingTalk and email, health and metrics,
 * graceful shutdown. Start as many as you like on one database. See README.md.
 */
import { runPipeline, type Deployment } from '@dify-logs/core';
import { createAgendaScheduler, createPipelineMetrics, createWorkerServer, openAgendaDatabase } from '@dify-logs/scheduler-agenda';
import { connectDify, openNotifiers, openStorage } from './wiring.js';

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
const deployments: Deployment[] = [
  { name: 'daily-report', job: 'daily', schedule: demo ? '*/5 * * * * *' : '0 2 * * *', timezone: 'Asia/Shanghai', parameters: { from: '{{yesterday}}', to: '{{today}}' } },
  { name: 'weekly-report', job: 'weekly', schedule: demo ? '2-59/10 * * * * *' : '0 3 * * 1', timezone: 'Asia/Shanghai', parameters: { from: '{{last_week}}', to: '{{this_week}}' } },
];

const database = await openAgendaDatabase(databaseUrl, env.DATABASE_PREFIX ? { prefix: env.DATABASE_PREFIX } : {});
const dify = await connectDify(env);
const storage = openStorage(env);
const notifiers = openNotifiers(env);
const metrics = createPipelineMetrics({ collectDefault: true });
const scheduler = createAgendaScheduler({ backend: database.backend, history: database.history, ...(demo ? { processEveryMs: 500 } : {}) });

await scheduler.define(deployments, async (deployment, context) => {
  const started = performance.now();
  const result = await runPipeline(
    {
      name: deployment.job,
      apps: dify.apps,
      window: { mode: 'explicit', from: String(context.parameters.from), to: String(context.parameters.to) },
      timezone: deployment.timezone ?? 'UTC',
      withNodeExecutions: true,
      formats: ['json', 'markdown'],
      reportType: deployment.job,
    },
    { storage, state: database.state, notifiers, runId: context.run.id, now: () => context.scheduledFor },
  );
  metrics.observeRun(deployment.name, result, (performance.now() - started) / 1000);
  context.log(`${result.status}: ${result.analysis?.runs ?? 0} runs, reports ${result.reports.map((report) => report.location).join(', ')}`);
  return {
    status: result.status,
    summary: { runs: result.analysis?.runs ?? 0, window: result.window, reports: result.reports.map((report) => report.location) },
    ...(result.status === 'succeeded' ? {} : { error: result.problems.map((problem) => problem.message).join('; ') }),
  };
});
await scheduler.start();

const username = env.DASHBOARD_USERNAME;
const password = env.DASHBOARD_PASSWORD;
const server = await createWorkerServer({
  port: Number(env.WORKER_PORT ?? 9464),
  host: env.WORKER_HOST ?? '127.0.0.1',
  metrics,
  readiness: [{ name: 'database', check: () => database.ping() }],
  ...(username && password ? { dashboard: { agenda: scheduler.agenda!, auth: { username, password } } } : {}),
});
process.stdout.write(`worker on ${database.description}; ${server.url}/healthz /readyz /metrics${username && password ? ' /dashboard' : ''}\n`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: finishing running runs (up to 60 s)\n`);
  await scheduler.stop({ drainMs: Number(env.DRAIN_SECONDS ?? 60) * 1000 });
  await server.close();
  await dify.close();
  await database.close();
  process.stdout.write('stopped\n');
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
