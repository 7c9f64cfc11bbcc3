import type { ArchiveEditRequest, ArchiveEditResult } from '@dify-logs/core/archive';
import type { DifyLogs } from '@dify-logs/core';
import type { Command } from 'commander';
import { addConfigOptions, runtimeFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { EXIT, UsageError } from '../support/exit-codes.js';
import { checkUtcDays } from '../support/connection.js';
import type { CliIo } from '../support/io.js';

interface EditFlags extends ConfigFlags {
  from?: string;
  to?: string;
  job?: string;
  app?: string;
  yes?: boolean;
  json?: boolean;
}

interface ForgetFlags extends EditFlags {
  endUser: string;
}

/** `archive forget` and `archive redact`: edits of what was archived, dry runs unless `--yes`. */
export function registerArchiveEdits(archive: Command, io: CliIo, setExit: (code: number) => void): void {
  const range = (command: Command) =>
    addConfigOptions(
      command
        .option('--from <day>', 'first UTC day, YYYY-MM-DD (default: every archived day)')
        .option('--to <day>', 'last UTC day, YYYY-MM-DD')
        .option('--job <name>', "only this job's archive")
        .option('--app <id>', 'only this app')
        .option('--yes', 'change the archive (without it: a dry run that only counts)')
        .option('--json', 'one JSON object'),
    );
  range(
    archive
      .command('forget')
      .description(
        "remove an end user's runs and messages from the archive (and its Parquet copies) and from the sinks",
      )
      .requiredOption(
        '--end-user <id>',
        'the `user` your app sends Dify (the end-user session id), or Dify’s end-user id',
      ),
  ).action(async (flags: ForgetFlags) => {
    if (flags.endUser.trim() === '') throw new UsageError('--end-user is empty');
    const forget: Edit = (runtime, request) => runtime.forgetEndUser({ ...request, endUser: flags.endUser });
    setExit(await runEdit(flags, io, forget));
  });
  range(
    archive
      .command('redact')
      .description('apply the configured privacy policy to runs and messages archived before it'),
  ).action(async (flags: EditFlags) =>
    setExit(await runEdit(flags, io, (runtime, request) => runtime.redactArchive(request))),
  );
}

type Edit = (runtime: DifyLogs, request: ArchiveEditRequest) => Promise<ArchiveEditResult>;

async function runEdit(flags: EditFlags, io: CliIo, edit: Edit): Promise<number> {
  checkUtcDays(flags);
  const runtime = await runtimeFromFlags(flags, io);
  try {
    const result = await edit(runtime, {
      ...(flags.from ? { from: flags.from } : {}),
      ...(flags.to ? { to: flags.to } : {}),
      ...(flags.job ? { job: flags.job } : {}),
      ...(flags.app ? { app: flags.app } : {}),
      dryRun: !flags.yes,
    });
    io.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : describe(result));
    const leftovers = leftoversOf(result);
    // Something that should be gone is not (an object not deleted, a sink that cannot forget): partial.
    return leftovers.length > 0 || result.sinks.some((sink) => sink.error) ? EXIT.partial : EXIT.ok;
  } finally {
    await runtime.close();
  }
}

function describe(result: ArchiveEditResult): string {
  const would = result.dryRun ? 'would be ' : '';
  const lines = [
    result.dryRun ? 'Dry run: nothing was changed (add --yes to make these changes).' : 'Done.',
    ...(result.matched ? [`End user matched as: ${result.matched.join(', ')}`] : []),
    `Archive: ${result.archive.rewritten.length} of ${result.archive.partitions} partition(s) ${would}rewritten, ` +
      `${result.archive.removed} run(s) ${would}removed, ${result.archive.changed} ${would}changed.`,
    ...result.archive.rewritten.map(
      (partition) =>
        `  ${partition.day} job ${partition.job} app ${partition.app}: ${partition.parts} part(s), ` +
        `${partition.removed} removed, ${partition.changed} changed, ${partition.records} left`,
    ),
    ...(
      [
        ['Message archive', 'message(s)', result.messageArchive],
        ['Conversation archive', 'conversation version(s)', result.conversationArchive],
      ] as const
    )
      .filter(([, , archive]) => archive.partitions > 0)
      .map(
        ([name, what, archive]) =>
          `${name}: ${archive.rewritten.length} of ${archive.partitions} partition(s) ${would}rewritten, ` +
          `${archive.removed} ${what} ${would}removed, ${archive.changed} ${would}changed.`,
      ),
    `Messages: ${result.messages.rewritten} of ${result.messages.objects} object(s) ${would}rewritten, ` +
      `${result.messages.removed} message(s) ${would}removed, ${result.messages.changed} ${would}changed.`,
    ...result.sinks.map((sink) =>
      sink.error
        ? `Sink ${sink.sink}: ${sink.error}`
        : `Sink ${sink.sink}: ${Object.entries(sink.rows ?? {})
            .map(([table, rows]) => `${rows} ${table}`)
            .join(', ')} row(s) ${would}deleted.`,
    ),
    ...leftoversOf(result).map((key) => `NOT DELETED (still holds the old records): ${key}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Objects an edit replaced but could not delete: they still hold the old records. */
function leftoversOf(result: ArchiveEditResult): string[] {
  return [
    ...result.archive.leftovers,
    ...result.messageArchive.leftovers,
    ...result.conversationArchive.leftovers,
    ...result.messages.leftovers,
  ];
}
