import { createCronScheduler } from '@dify-logs/scheduler-cron';
import type { Command } from 'commander';
import { untilStopped } from '../support/end-process.js';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { openRuntime } from '../support/runtime.js';

interface ScheduleFlags {
  config?: string;
  profile?: string;
  keyFile?: string;
  logLevel?: string;
  drainSeconds: string;
  forSeconds?: string;
  deployment?: string;
  status?: string;
  limit?: string;
}

const withConfig = (command: Command) =>
  command
    .option('--config <file>', 'YAML or JSON configuration with `deployments` (or jobs with `schedule`)')
    .option('--profile <name>', 'configuration profile [env DIFY_LOGS_PROFILE]')
    .option('--key-file <file>', 'key of enc:v1: values [env DIFY_LOGS_SECRET_KEY]')
    .option('--log-level <level>', 'log level [env LOG_LEVEL]');

export function registerSchedule(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const schedule = program
    .command('schedule')
    .description('the embedded scheduler: run the configured deployments on their cron schedules in this process');
  withConfig(schedule.command('start').description('schedule every deployment until SIGINT/SIGTERM, then drain'))
    .option('--drain-seconds <n>', 'on stop, wait this long for running runs before aborting them', '60')
    .option('--for-seconds <n>', 'stop by itself after this many seconds (demos, smoke tests)')
    .action(async (flags: ScheduleFlags) => setExit(await runScheduleStart(flags, io)));
  withConfig(schedule.command('list').description('the deployments and their next three ticks')).action(
    async (flags: ScheduleFlags) => setExit(await runScheduleList(flags, io)),
  );
  withConfig(schedule.command('runs').description('the run history, newest first'))
    .option('--deployment <name>', 'only this deployment')
    .option('--status <status>', 'running, succeeded, partial or failed')
    .option('--limit <n>', 'at most this many', '20')
    .action(async (flags: ScheduleFlags) => setExit(await runScheduleRuns(flags, io)));
  withConfig(
    schedule
      .command('trigger <deployment>')
      .description('run one deployment now, wait for it, record it in the history'),
  ).action(async (name: string, flags: ScheduleFlags) => setExit(await runScheduleTrigger(name, flags, io)));
}

async function open(flags: ScheduleFlags, io: CliIo, options: { catchUp?: boolean } = {}) {
  const session = await openRuntime(flags, io);
  const { runtime } = session;
  const deployments = runtime
    .deployments()
    .map((deployment) => (options.catchUp === false ? { ...deployment, catchUp: 0 } : deployment));
  const scheduler = createCronScheduler({ state: (await runtime.deps()).state, logger: session.logger });
  await scheduler.define(deployments, runtime.deploymentHandler({ write: (line) => io.stdout.write(line) }));
  return { session, deployments, scheduler };
}

async function runScheduleStart(flags: ScheduleFlags, io: CliIo): Promise<number> {
  const drainMs = Number(flags.drainSeconds) * 1000;
  if (!Number.isFinite(drainMs) || drainMs < 0) throw new UsageError('--drain-seconds must be a number ≥ 0');
  const { session, deployments, scheduler } = await open(flags, io);
  if (deployments.length === 0) {
    await session.close();
    throw new UsageError('no deployments: add `deployments:` to the configuration, or a `schedule` to a job');
  }
  await scheduler.start();
  const scheduled = deployments.map(
    (deployment) =>
      `${deployment.name} (${deployment.schedule}${deployment.timezone ? ` ${deployment.timezone}` : ''})`,
  );
  io.stdout.write(`scheduling ${scheduled.join(', ')}\n`);
  await untilStopped(flags.forSeconds ? Number(flags.forSeconds) : undefined);
  io.stdout.write('stopping: waiting for running runs\n');
  await scheduler.stop({ drainMs });
  await session.close();
  return EXIT.ok;
}

async function runScheduleList(flags: ScheduleFlags, io: CliIo): Promise<number> {
  const { session, deployments, scheduler } = await open(flags, io);
  for (const deployment of deployments) {
    const ticks = scheduler.next(deployment.name, 3).map((tick) => tick.toISOString());
    io.stdout.write(
      `${deployment.name}  job ${deployment.job}  ${deployment.schedule} ` +
        `${deployment.timezone ?? 'UTC'}${deployment.paused ? '  PAUSED' : ''}  next ${ticks.join(', ')}\n`,
    );
  }
  await session.close();
  return EXIT.ok;
}

async function runScheduleRuns(flags: ScheduleFlags, io: CliIo): Promise<number> {
  const { session, scheduler } = await open(flags, io);
  const status = flags.status as 'running' | 'succeeded' | 'partial' | 'failed' | undefined;
  if (status && !['running', 'succeeded', 'partial', 'failed'].includes(status))
    throw new UsageError('--status must be running, succeeded, partial or failed');
  const runs = await scheduler.runs({
    ...(flags.deployment ? { deployment: flags.deployment } : {}),
    ...(status ? { status } : {}),
    limit: Number(flags.limit ?? 20),
  });
  for (const run of runs)
    io.stdout.write(
      `${run.startedAt}  ${run.deployment.padEnd(12)} ${run.status.padEnd(9)} ` +
        `${run.trigger.padEnd(8)} attempt ${run.attempt}  ${run.id}${run.error ? `  ${run.error}` : ''}\n`,
    );
  if (runs.length === 0) io.stdout.write('no runs\n');
  await session.close();
  return EXIT.ok;
}

async function runScheduleTrigger(name: string, flags: ScheduleFlags, io: CliIo): Promise<number> {
  const { session, scheduler } = await open(flags, io, { catchUp: false });
  await scheduler.start();
  const started = await scheduler.trigger(name);
  await scheduler.stop({ drainMs: 24 * 3_600_000 });
  const [run] = await scheduler
    .runs({ deployment: name, limit: 5 })
    .then((runs) => runs.filter((candidate) => candidate.id === started.id));
  await session.close();
  return run?.status === 'succeeded' ? EXIT.ok : run?.status === 'partial' ? EXIT.partial : EXIT.failed;
}
