import type { BackfillResult } from '@dify-logs/core/pipeline';
import type { Command } from 'commander';
import { EXIT } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { createProgress } from '../support/progress.js';
import { openRuntime } from '../support/runtime.js';

interface BackfillFlags {
  config?: string;
  profile?: string;
  keyFile?: string;
  job?: string;
  from: string;
  to: string;
  logLevel?: string;
}

export function registerBackfill(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('backfill')
    .description(
      're-process a past range day by day (one archive and one report ' +
        'per day); resumable: run it again to finish an interrupted range',
    )
    .requiredOption('--from <time>', 'range start: ISO-8601 or a template such as {{last_month}} (job time zone)')
    .requiredOption('--to <time>', 'range end: ISO-8601 or a template such as {{today}}')
    .option(
      '--config <file>',
      'YAML or JSON configuration (optional: the DIFY_* environment variables alone are enough)',
    )
    .option('--profile <name>', 'configuration profile [env DIFY_LOGS_PROFILE]')
    .option('--key-file <file>', 'key of enc:v1: values in the configuration [env DIFY_LOGS_SECRET_KEY]')
    .option('--job <name>', 'backfill only this job')
    .option('--log-level <level>', 'log level [env LOG_LEVEL]')
    .action(async (flags: BackfillFlags) => setExit(await runBackfill(flags, io)));
}

export async function runBackfill(flags: BackfillFlags, io: CliIo): Promise<number> {
  const cli = await openRuntime(flags, io);
  const progress = createProgress(io);
  const results: BackfillResult[] = [];
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const job of cli.jobs) {
      const [result] = await cli.runtime.backfill(
        {
          from: flags.from,
          to: flags.to,
          job: job.name,
          onChunk: (chunk) => {
            progress.done();
            io.stdout.write(
              `${job.name} ${chunk.from} → ${chunk.to}: ${chunk.status}` +
                `${chunk.records === undefined ? ' (done earlier)' : `, ${chunk.records} records`}\n`,
            );
          },
        },
        {
          signal: stop.signal,
          onEvent: (event) => {
            if (event.type === 'progress') progress.update(event.progress, `${job.name}/${event.appId.slice(0, 8)}`);
          },
        },
      );
      if (!result) continue;
      results.push(result);
      io.stdout.write(formatBackfill(result));
      if (result.status === 'failed' || result.status === 'aborted') break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cli.close();
  }
  if (results.some((result) => result.status === 'failed' || result.status === 'aborted')) return EXIT.failed;
  return results.some((result) => result.status === 'partial') ? EXIT.partial : EXIT.ok;
}

function formatBackfill(result: BackfillResult): string {
  const done = result.chunks.filter((chunk) => chunk.status === 'succeeded' || chunk.status === 'partial').length;
  const skipped = result.chunks.filter((chunk) => chunk.status === 'skipped').length;
  const records = result.chunks.reduce((sum, chunk) => sum + (chunk.records ?? 0), 0);
  const lines = [
    `${result.job} backfill ${result.from} → ${result.to}: ${result.status.toUpperCase()}`,
    `  days     ${done} processed, ${skipped} done earlier; ${records} records`,
  ];
  for (const chunk of result.chunks.filter(
    (candidate) => candidate.status === 'partial' || candidate.status === 'failed',
  )) {
    const run = result.results.find((candidate) => candidate.runId === chunk.runId);
    lines.push(
      `  ${chunk.status.padEnd(8)} ${chunk.from} → ${chunk.to}: ` +
        `${run?.problems.map((problem) => problem.message).join('; ') ?? ''}`,
    );
  }
  if (result.status === 'failed' || result.status === 'aborted')
    lines.push('  run the same command again to resume at the first unfinished day');
  return `${lines.join('\n')}\n`;
}
