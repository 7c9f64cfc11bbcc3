import type { Command } from 'commander';
import { untilStopped } from '../support/end-process.js';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { openRuntime } from '../support/runtime.js';

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
    .description(
      'a scheduler worker on Agenda (MongoDB, PostgreSQL or Redis): runs the configured deployments ' +
        'with the other workers of the same database; serves /healthz, /readyz, /metrics and the dashboard',
    )
    .option('--config <file>', 'YAML or JSON configuration with `deployments` and `worker.databaseUrl`')
    .option('--profile <name>', 'configuration profile [env DIFY_LOGS_PROFILE]')
    .option('--key-file <file>', 'key of enc:v1: values [env DIFY_LOGS_SECRET_KEY]')
    .option('--log-level <level>', 'log level [env LOG_LEVEL]')
    .option('--port <n>', 'HTTP port (0: off) [worker.port, env WORKER_PORT]')
    .option('--for-seconds <n>', 'stop by itself after this many seconds (demos, smoke tests)')
    .action(async (flags: WorkerFlags) => setExit(await runWorker(flags, io)));
}

async function runWorker(flags: WorkerFlags, io: CliIo): Promise<number> {
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535))
    throw new UsageError('--port must be a whole number from 0 to 65535');
  const agendaPackage = await import('@dify-logs/scheduler-agenda');
  const metrics = agendaPackage.createPipelineMetrics({ collectDefault: true });
  // The Dify clients' requests are counted through the metrics' fetch.
  const cli = await openRuntime(flags, io, { fetch: metrics.instrumentFetch(globalThis.fetch) });
  const { runtime } = cli;
  if (runtime.deployments().length === 0) {
    await cli.close();
    throw new UsageError('no deployments: add `deployments:` to the configuration, or a `schedule` to a job');
  }
  if (!(runtime.config.worker as { databaseUrl?: string } | undefined)?.databaseUrl) {
    await cli.close();
    throw new UsageError(`worker.databaseUrl ${agendaPackage.NO_DATABASE}`);
  }
  let worker: Awaited<ReturnType<typeof agendaPackage.startWorker>>;
  try {
    worker = await agendaPackage.startWorker(runtime, {
      metrics,
      write: (line) => io.stdout.write(line),
      ...(port !== undefined ? { port } : {}),
    });
  } catch (error) {
    await cli.close();
    throw error;
  }
  const drainSeconds = (runtime.config.worker as { drainSeconds: number }).drainSeconds;
  io.stdout.write(
    `worker on ${worker.database.description}: ${runtime
      .deployments()
      .map(
        (deployment) =>
          `${deployment.name} (${deployment.schedule}${deployment.timezone ? ` ${deployment.timezone}` : ''})`,
      )
      .join(', ')}\n`,
  );
  if (worker.server)
    io.stdout.write(
      `serving ${worker.server.url}/healthz, /readyz, /metrics` +
        `${worker.dashboard ? ', /dashboard' : ' (dashboard off: set worker.dashboard credentials)'}\n`,
    );

  await untilStopped(flags.forSeconds ? Number(flags.forSeconds) : undefined);
  io.stdout.write(`stopping: waiting up to ${drainSeconds} s for running runs\n`);
  await worker.stop();
  await cli.close();
  io.stdout.write('stopped\n');
  return EXIT.ok;
}
