import { verifyArchive } from '@dify-logs/core/archive';
import { registeredArchiveFormats } from '@dify-logs/core/internal';
import type { Command } from 'commander';
import { addConfigOptions, PLUGINS, storageFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { EXIT } from '../support/exit-codes.js';
import { registerArchiveEdits } from './archive-edit.js';
import type { CliIo } from '../support/io.js';

interface VerifyFlags extends ConfigFlags {
  from: string;
  to: string;
  job?: string;
  app?: string;
  json?: boolean;
}

export function registerArchive(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const archive = program
    .command('archive')
    .description('the partitioned archive of every run (gzip NDJSON per app and UTC day, with manifests)');
  addConfigOptions(
    archive
      .command('verify')
      .description(
        'check every part listed by the manifests of a range: present, same size, same SHA-256, same record count',
      )
      .requiredOption('--from <day>', 'first UTC day, YYYY-MM-DD')
      .requiredOption('--to <day>', 'last UTC day, YYYY-MM-DD')
      .option('--job <name>', 'only this job')
      .option('--app <id>', 'only this app')
      .option('--json', 'one JSON object'),
  ).action(async (flags: VerifyFlags) => setExit(await runVerify(flags, io)));
  registerArchiveEdits(archive, io, setExit);
}

async function runVerify(flags: VerifyFlags, io: CliIo): Promise<number> {
  const { storage } = await storageFromFlags(flags, io);
  try {
    const query = {
      from: flags.from,
      to: flags.to,
      ...(flags.job ? { job: flags.job } : {}),
      ...(flags.app ? { app: flags.app } : {}),
    };
    const formats = await registeredArchiveFormats(PLUGINS);
    const result = await verifyArchive(storage, query, { formats });
    // Chat messages and conversations are partitioned beside the runs (their own manifests): checked the same way.
    const messages = await verifyArchive(storage, query, { formats, dataset: 'messages' });
    const conversations = await verifyArchive(storage, query, { formats, dataset: 'conversations' });
    if (flags.json) io.stdout.write(`${JSON.stringify({ ...result, messages, conversations })}\n`);
    else {
      const status = (problems: unknown[]) => (problems.length === 0 ? 'OK' : `${problems.length} PROBLEM(S)`);
      io.stdout.write(
        `${result.partitions} partition(s), ${result.parts} part(s), ${result.records} records: ` +
          `${status(result.problems)}\n`,
      );
      if (messages.partitions > 0)
        io.stdout.write(
          `messages: ${messages.partitions} partition(s), ${messages.parts} part(s), ${messages.records} messages: ` +
            `${status(messages.problems)}\n`,
        );
      if (conversations.partitions > 0)
        io.stdout.write(
          `conversations: ${conversations.partitions} partition(s), ${conversations.parts} part(s), ` +
            `${conversations.records} versions: ${status(conversations.problems)}\n`,
        );
      for (const problem of [...result.problems, ...messages.problems, ...conversations.problems])
        io.stdout.write(`  ${problem.problem.padEnd(10)} ${problem.part ?? problem.manifest}: ${problem.detail}\n`);
    }
    const problems = result.problems.length + messages.problems.length + conversations.problems.length;
    return problems === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await storage.close?.();
  }
}
