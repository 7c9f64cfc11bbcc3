import type { Command } from 'commander';
import { configuredDeployments, pipelineHandler } from '../support/deployments.js';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { openRunSession } from '../support/run-session.js';
import { openWorkerDatabase } from '../support/worker-database.js';

interface WorkerFlags {
  config?: string;
  profile?: string;
  keyFile?: string;
  logLevel?: string;
  port?: string;
  forSeconds?: string;
}

export function registerWorker(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('worker')
    .description('a scheduler worker on Agenda (MongoDB, PostgreSQL or Redis): runs the configured deployments with the other workers of the same database; serves /healthz, /readyz, /metrics and the dashboard')
    .option('--config <file>', 'YAML or JSON configuration with `deployments` and `worker.databaseUrl`')
    .option('--profile <name>', 'configuration profile [env DIFY_LOGS_PROFILE]')
    .option('--key-file <file>', 'key of enc:v1: values [env DIFY_LOGS_SECRET_KEY]')
    .option('--log-level <level>', 'log level [env LOG_LEVEL]')
    .option('--port <n>', 'HTTP port (0: off) [worker.port, env WORKER_PORT]')
    .option('--for-seconds <n>', 'stop by itself after this many seconds (demos, smoke tests)')
    .action(async (flags: WorkerFlags) => setExit(await runWorker(flags, io)));
}

async function runWorker(flags: WorkerFlags, io: CliIo): Promise<number> {
  const session = await openRunSession(flags, io);
  const { worker } = session.config;
  const deployments = configuredDeployments(session.config);
  if (deployments.length === 0) {
    await session.close();
    throw new UsageError('no deployments: add `deployments:` to the configuration, or a `schedule` to a job');
  }
  const port = flags.port === undefined ? worker.port : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be a whole number from 0 to 65535');
  const agendaPackage = await import('@dify-logs/scheduler-agenda');
  const database = await openWorkerDatabase(session, agendaPackage);
  const metrics = agendaPackage.createPipelineMetrics({ collectDefault: true });
  session.fetch = metrics.instrumentFetch(globalThis.fetch);
  const scheduler = agendaPackage.createAgendaScheduler({
    backend: database.backend,
    history: database.history,
    ...(worker.name ? { worker: worker.name } : {}),
    lockLifetimeMs: worker.lockLifetimeSeconds * 1000,
    processEveryMs: worker.processEverySeconds * 1000,
    concurrency: worker.concurrency,
    logger: session.logger,
  });
  await scheduler.define(deployments, pipelineHandler(session, (line) => io.stdout.write(line), (deployment, result, seconds) => metrics.observeRun(deployment, result, seconds)));
  await scheduler.start();

  const dashboard = worker.dashboard;
  const auth = dashboard?.token ? { token: dashboard.token } : dashboard?.username && dashboard.password ? { username: dashboard.username, password: dashboard.password } : undefined;
  const server =
    port === 0
      ? undefined
      : await agendaPackage.createWorkerServer({
          port,
          host: worker.host,
          metrics,
          metricsAuth: worker.metricsAuth,
          readiness: [
            { name: 'database', check: () => database.ping() },
            { name: 'dify', check: (signal) => difyAnswers(session.config.dify.baseUrl, signal) },
          ],
          ...(auth ? { dashboard: { agenda: scheduler.agenda!, auth } } : {}),
          logger: session.logger,
        });
  io.stdout.write(`worker on ${database.description}: ${deployments.map((deployment) => `${deployment.name} (${deployment.schedule}${deployment.timezone ? ` ${deployment.timezone}` : ''})`).join(', ')}\n`);
  if (server) io.stdout.write(`serving ${server.url}/healthz, /readyz, /metrics${auth ? ', /dashboard' : ' (dashboard off: set worker.dashboard credentials)'}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (flags.forSeconds) setTimeout(stop, Number(flags.forSeconds) * 1000).unref();
  });
  io.stdout.write(`stopping: waiting up to ${worker.drainSeconds} s for running runs\n`);
  await scheduler.stop({ drainMs: worker.drainSeconds * 1000 });
  await server?.close();
  await session.close();
  await database.close();
  io.stdout.write('stopped\n');
  return EXIT.ok;
}

/** Dify answers at all (any HTTP status below 500): readiness, not a login check. */
async function difyAnswers(baseUrl: string, signal: AbortSignal): Promise<void> {
  const response = await fetch(baseUrl, { signal, redirect: 'manual' });
  await response.body?.cancel();
  if (response.status >= 500) throw new Error(`Dify answered HTTP ${response.status}`);
}
