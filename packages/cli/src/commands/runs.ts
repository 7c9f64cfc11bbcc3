import type { WorkerSection } from '@dify-logs/scheduler-agenda/plugin';
import { createCronScheduler } from '@dify-logs/scheduler-cron';
import type { DeploymentRun, DeploymentRunDetail, DeploymentRunStatus } from '@dify-logs/core/adapter-kit';
import type { Command } from 'commander';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { openRuntime, type CliRuntime } from '../support/runtime.js';

interface RunsFlags {
  config?: string;
  profile?: string;
  keyFile?: string;
  logLevel?: string;
  deployment?: string;
  status?: string;
  limit?: string;
  logs?: boolean;
  json?: boolean;
  param?: string[];
}

interface History {
  source: string;
  list(query: { deployment?: string; status?: DeploymentRunStatus; limit?: number }): Promise<DeploymentRun[]>;
  get(id: string): Promise<DeploymentRunDetail | undefined>;
  /** Queues a run for the workers (Agenda only). */
  enqueue?(deployment: string, parameters: Record<string, unknown>): Promise<string>;
  /** Queues one run per tick in [from, to) for the workers (Agenda only). */
  backfill?(deployment: string, range: { from: Date; to: Date }): Promise<string[]>;
  close(): Promise<void>;
}

const STATUSES = ['running', 'succeeded', 'partial', 'failed'];

const withConfig = (command: Command) =>
  command
    .option('--config <file>', 'YAML or JSON configuration (the worker database, or the embedded scheduler state)')
    .option('--profile <name>', 'configuration profile [env DIFY_LOGS_PROFILE]')
    .option('--key-file <file>', 'key of enc:v1: values [env DIFY_LOGS_SECRET_KEY]')
    .option('--log-level <level>', 'log level [env LOG_LEVEL]', 'warn');

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerRuns(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const runs = program
    .command('runs')
    .description(
      "the run history of scheduled deployments: the workers' shared " +
        "database (worker.databaseUrl), else the embedded scheduler's state",
    );
  withConfig(runs.command('list').description('runs, newest first'))
    .option('--deployment <name>', 'only this deployment')
    .option('--status <status>', 'running, succeeded, partial or failed')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'one JSON object per line')
    .action(async (flags: RunsFlags) => setExit(await runsList(flags, io)));
  withConfig(runs.command('show <id>').description('one run: parameters, window, counts, reports, error'))
    .option('--logs', "with the run's own log lines")
    .option('--json', 'as JSON')
    .action(async (id: string, flags: RunsFlags) => setExit(await runsShow(id, flags, io)));
  withConfig(
    runs
      .command('trigger <deployment>')
      .description('queue a run now for the workers (returns at once; see `runs show`)'),
  )
    .option('--param <key=value>', "a parameter over the deployment's (repeatable; JSON values accepted)", collect)
    .action(async (deployment: string, flags: RunsFlags) =>
      setExit(await runsTrigger(deployment, undefined, flags, io)),
    );
  withConfig(
    runs
      .command('backfill <deployment>')
      .description('queue one run per tick of the deployment in [--from, --to) for the workers, each at most once'),
  )
    .requiredOption('--from <iso>', 'first tick at or after this time (ISO-8601)')
    .requiredOption('--to <iso>', 'ticks before this time')
    .action(async (deployment: string, flags: RunsFlags & { from: string; to: string }) =>
      setExit(await runsBackfill(deployment, flags, io)),
    );
  withConfig(runs.command('rerun <id>').description('queue a run again with its parameters, edited by --param'))
    .option('--param <key=value>', 'replace one parameter (repeatable; JSON values accepted)', collect)
    .action(async (id: string, flags: RunsFlags) => setExit(await runsTrigger(undefined, id, flags, io)));
}

async function openHistory({ runtime }: CliRuntime): Promise<History> {
  const worker = runtime.config.worker as WorkerSection;
  if (worker.databaseUrl) {
    const agendaPackage = await import('@dify-logs/scheduler-agenda');
    const { database, scheduler } = await agendaPackage.plugin.create(worker, runtime.pluginContext());
    await runtime.useState(database.state);
    await scheduler.define(runtime.deployments(), async () => ({
      status: 'failed',
      error: 'this process only queues runs',
    }));
    return {
      source: database.description,
      list: (query) => database.history.list(query),
      get: (id) => database.history.get(id),
      enqueue: (deployment, parameters) => scheduler.enqueue(deployment, parameters),
      backfill: (deployment, range) => scheduler.backfill(deployment, range),
      close: async () => {
        await scheduler.stop({ drainMs: 0 });
        await database.close();
      },
    };
  }
  const scheduler = createCronScheduler({ state: (await runtime.deps()).state });
  return {
    source: 'the embedded scheduler state',
    list: (query) => scheduler.runs(query),
    get: (id) => scheduler.run(id),
    close: async () => {},
  };
}

async function withHistory(flags: RunsFlags, io: CliIo, task: (history: History) => Promise<number>): Promise<number> {
  const cli = await openRuntime(flags, io);
  let history: History | undefined;
  try {
    history = await openHistory(cli);
    return await task(history);
  } finally {
    await history?.close();
    await cli.close();
  }
}

function line(run: DeploymentRun): string {
  const seconds = run.finishedAt
    ? ` ${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)}s`
    : '';
  return (
    `${run.startedAt}  ${run.deployment.padEnd(12)} ${run.status.padEnd(9)} ` +
    `${run.trigger.padEnd(9)} attempt ${run.attempt}${seconds}  ${run.id}` +
    `${run.worker ? `  on ${run.worker}` : ''}${run.error ? `  ${run.error}` : ''}\n`
  );
}

async function runsList(flags: RunsFlags, io: CliIo): Promise<number> {
  const status = flags.status as DeploymentRunStatus | undefined;
  if (status && !STATUSES.includes(status))
    throw new UsageError('--status must be running, succeeded, partial or failed');
  const limit = Number(flags.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a whole number ≥ 1');
  return withHistory(flags, io, async (history) => {
    const runs = await history.list({
      ...(flags.deployment ? { deployment: flags.deployment } : {}),
      ...(status ? { status } : {}),
      limit,
    });
    for (const run of runs) io.stdout.write(flags.json ? `${JSON.stringify(run)}\n` : line(run));
    if (runs.length === 0 && !flags.json) io.stdout.write(`no runs (in ${history.source})\n`);
    return EXIT.ok;
  });
}

async function runsShow(id: string, flags: RunsFlags, io: CliIo): Promise<number> {
  return withHistory(flags, io, async (history) => {
    const detail = await history.get(id);
    if (!detail) {
      io.stderr.write(`no run ${JSON.stringify(id)} in ${history.source}\n`);
      return EXIT.failed;
    }
    const { run, logs } = detail;
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(flags.logs ? { run, logs } : { run }, null, 2)}\n`);
      return EXIT.ok;
    }
    const rows: Array<[string, unknown]> = [
      ['run', run.id],
      ['deployment', `${run.deployment} (job ${run.job})`],
      ['status', run.status],
      ['trigger', `${run.trigger}, attempt ${run.attempt}`],
      ['scheduled for', run.scheduledFor],
      ['started', run.startedAt],
      ['finished', run.finishedAt ?? '-'],
      ['worker', run.worker ?? '-'],
      ['parameters', JSON.stringify(run.parameters ?? {})],
      ['error', run.error ?? '-'],
    ];
    for (const [key, value] of rows) io.stdout.write(`${key.padEnd(14)} ${String(value)}\n`);
    for (const [key, value] of Object.entries(run.summary ?? {}))
      io.stdout.write(`${key.padEnd(14)} ${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
    if (flags.logs) {
      io.stdout.write(`\nlog (${logs.length} lines)\n`);
      for (const entry of logs) io.stdout.write(`  ${entry}\n`);
    }
    return EXIT.ok;
  });
}

function parseParams(list: string[] = []): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const item of list) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--param ${JSON.stringify(item)}: expected key=value`);
    const text = item.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // plain text
    }
    parameters[item.slice(0, at)] = value;
  }
  return parameters;
}

async function runsTrigger(
  deployment: string | undefined,
  rerunOf: string | undefined,
  flags: RunsFlags,
  io: CliIo,
): Promise<number> {
  const edits = parseParams(flags.param);
  return withHistory(flags, io, async (history) => {
    if (!history.enqueue)
      throw new UsageError(
        "queuing runs needs the workers' database (worker.databaseUrl); with " +
          'the embedded scheduler use `dify-logs schedule trigger <deployment>`',
      );
    let name = deployment!;
    let parameters = edits;
    if (rerunOf) {
      const previous = await history.get(rerunOf);
      if (!previous) throw new UsageError(`no run ${JSON.stringify(rerunOf)} in ${history.source}`);
      name = previous.run.deployment;
      parameters = { ...previous.run.parameters, ...edits };
    }
    const id = await history.enqueue(name, parameters);
    io.stdout.write(
      `queued ${id} (${name}${Object.keys(parameters).length ? ` ${JSON.stringify(parameters)}` : ''}` +
        `); follow it with \`dify-logs runs show ${id}\`\n`,
    );
    return EXIT.ok;
  });
}

async function runsBackfill(
  deployment: string,
  flags: RunsFlags & { from: string; to: string },
  io: CliIo,
): Promise<number> {
  const from = new Date(flags.from);
  const to = new Date(flags.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to)
    throw new UsageError('--from and --to must be ISO-8601 times, --from before --to');
  return withHistory(flags, io, async (history) => {
    if (!history.backfill)
      throw new UsageError(
        "queuing a backfill needs the workers' database (worker.databaseUrl); without workers use `dify-logs backfill`",
      );
    const ids = await history.backfill(deployment, { from, to });
    io.stdout.write(
      `queued ${ids.length} run${ids.length === 1 ? '' : 's'} of ` +
        `${deployment}${ids.length ? ` (${ids[0]} … ${ids.at(-1)})` : ''}\n`,
    );
    return EXIT.ok;
  });
}
