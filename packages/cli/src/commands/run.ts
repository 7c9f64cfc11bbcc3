import type { ConfigOverrides } from '@dify-logs/core';
import type { PipelineJob, PipelineResult } from '@dify-logs/core/pipeline';
import type { Command } from 'commander';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { createProgress } from '../support/progress.js';
import { openRuntime } from '../support/runtime.js';

interface RunFlags {
  config?: string;
  profile?: string;
  keyFile?: string;
  job?: string;
  from?: string;
  to?: string;
  incremental?: boolean;
  logLevel?: string;
}

export function registerRun(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('run the whole pipeline once: fetch, enrich, report, store, notify (cron-friendly)')
    .option(
      '--config <file>',
      'YAML or JSON configuration (optional: the DIFY_* environment variables alone are enough)',
    )
    .option('--profile <name>', 'configuration profile [env DIFY_LOGS_PROFILE]')
    .option('--key-file <file>', 'key of enc:v1: values in the configuration [env DIFY_LOGS_SECRET_KEY]')
    .option('--job <name>', 'run only this job')
    .option('--from <iso>', 'explicit window start (ISO-8601 or a template such as {{yesterday}})')
    .option('--to <iso>', 'explicit window end')
    .option('--incremental', 'everything since the last successful run')
    .option('--log-level <level>', 'log level [env LOG_LEVEL]')
    .action(async (flags: RunFlags) => setExit(await runRun(flags, io)));
}

export async function runRun(flags: RunFlags, io: CliIo, overrides?: ConfigOverrides): Promise<number> {
  if ((flags.from === undefined) !== (flags.to === undefined)) throw new UsageError('--from and --to go together');
  if (flags.from && flags.incremental) throw new UsageError('give either --from/--to or --incremental, not both');
  const cli = await openRuntime(flags, io, overrides ? { overrides } : {});
  const window: PipelineJob['window'] | undefined =
    flags.from && flags.to
      ? { mode: 'explicit', from: flags.from, to: flags.to }
      : flags.incremental
        ? { mode: 'incremental' }
        : undefined;
  const progress = createProgress(io);
  const results: PipelineResult[] = [];
  try {
    for (const job of cli.jobs) {
      const [result] = await cli.runtime.run(job.name, {
        ...(window ? { window } : {}),
        onEvent: (event) => {
          if (event.type === 'progress') progress.update(event.progress, `${job.name}/${event.appId.slice(0, 8)}`);
        },
      });
      progress.done();
      if (!result) continue;
      results.push(result);
      io.stdout.write(formatResult(result));
    }
  } finally {
    await cli.close();
  }
  return results.some((result) => result.status === 'failed')
    ? EXIT.failed
    : results.some((result) => result.status === 'partial')
      ? EXIT.partial
      : EXIT.ok;
}

/** The one-screen summary of a run. */
export function formatResult(result: PipelineResult): string {
  const summary = result.analysis;
  const lines = [
    `${result.job} (${result.runId}): ${result.status.toUpperCase()}`,
    `  window   ${result.window.from} → ${result.window.to} (${result.window.timezone})`,
  ];
  if (summary) {
    const failed = summary.byStatus.failed ?? 0;
    lines.push(
      `  runs     ${summary.runs} (${failed} failed` +
        `${summary.successRate === null ? '' : `, success ${(summary.successRate * 100).toFixed(1)} %`}` +
        `), p95 ${summary.latency.p95 === null ? 'n/a' : `${summary.latency.p95.toFixed(2)} s`}` +
        `, tokens ${summary.tokens.effective}`,
    );
    for (const flag of summary.comparison?.flags ?? [])
      lines.push(`  ${flag.severity === 'critical' ? 'CRITICAL' : 'warning '} ${flag.message}`);
  }
  for (const [appId, counts] of Object.entries(result.counts)) {
    lines.push(
      `  app      ${appId}: ${counts.records} records` +
        `${counts.cached ? ` (${counts.cached} from the run cache)` : ''}` +
        `${counts.unfinished ? `, ${counts.unfinished} unfinished (held back)` : ''}` +
        `${counts.repolled ? `, ${counts.repolled} re-polled` : ''}`,
    );
  }
  if (result.archive) lines.push(`  archive  ${result.archive.location}`);
  if (result.partitions) {
    const { records, parts, manifests } = result.partitions;
    lines.push(
      `  archive  ${records} records in ${parts.length} part(s), ${manifests.length} partition(s) (app × UTC day)`,
    );
    for (const manifest of manifests.slice(0, 3)) lines.push(`  manifest ${manifest.location}`);
    if (manifests.length > 3) lines.push(`  manifest … and ${manifests.length - 3} more`);
  }
  if (result.messagePartitions) {
    const { records, parts, manifests } = result.messagePartitions;
    lines.push(`  messages ${records} messages in ${parts.length} part(s), ${manifests.length} partition(s)`);
  }
  if (result.conversationPartitions) {
    const { records, parts, manifests } = result.conversationPartitions;
    lines.push(`  convers. ${records} conversations in ${parts.length} part(s), ${manifests.length} partition(s)`);
  }
  if (result.messages) lines.push(`  messages ${result.messages.location}`);
  for (const report of result.reports) lines.push(`  report   ${report.location}`);
  for (const notification of result.notifications)
    lines.push(
      `  notify   ${notification.notifier}: ${notification.delivered ? 'delivered' : `FAILED (${notification.error})`}`,
    );
  for (const problem of result.problems)
    lines.push(
      `  problem  ${problem.stage}${problem.appId ? ` ${problem.appId}` : ''}` +
        `${problem.format ? ` ${problem.format}` : ''}` +
        `${problem.notifier ? ` ${problem.notifier}` : ''}: ${problem.message}`,
    );
  lines.push(
    `  timings  ${Object.entries(result.timings)
      .map(([stage, ms]) => `${stage} ${ms} ms`)
      .join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}
