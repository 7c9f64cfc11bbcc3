import { cleanupCutoff } from '@dify-logs/core/adapter-kit';
import type { Command } from 'commander';
import { addConfigOptions, storageFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { positiveInteger } from '../support/connection.js';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { parseKind } from '../support/storage.js';

interface CleanupFlags extends ConfigFlags {
  days?: string;
  type?: string;
  kind?: string;
  dryRun?: boolean;
}

export function registerCleanup(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addConfigOptions(program.command('cleanup').description('delete stored reports and data older than N days (default: storage.retentionDays)'))
    .option('--days <n>', 'delete objects created more than N days ago [config storage.retentionDays]')
    .option('--type <type>', 'only this report or data type, e.g. daily, archive')
    .option('--kind <kind>', 'only report or only data (default: both)')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .action(async (flags: CleanupFlags) => setExit(await runCleanup(flags, io)));
}

export async function runCleanup(flags: CleanupFlags, io: CliIo, now = new Date()): Promise<number> {
  const kind = parseKind(flags.kind);
  const given = flags.days === undefined ? undefined : positiveInteger('--days', flags.days);
  const { runtime, storage, baseDir } = await storageFromFlags(flags, io);
  const days = given ?? runtime.config.storage.retentionDays;
  if (days === undefined) throw new UsageError('missing --days: give --days N, or set storage.retentionDays in the configuration');
  const cutoff = cleanupCutoff({ olderThanDays: days, now });
  const scope = `older than ${days} day${days === 1 ? '' : 's'} (created before ${cutoff.toISOString()}) under ${baseDir}`;
  try {
    if (flags.dryRun) {
      let count = 0;
      for await (const object of storage.list({ kind, type: flags.type, olderThan: cutoff })) {
        count += 1;
        io.stdout.write(`would delete ${object.key}\n`);
      }
      io.stdout.write(`dry run: ${count} object${count === 1 ? '' : 's'} ${scope} would be deleted; nothing was deleted\n`);
      return EXIT.ok;
    }
    const { deleted } = await storage.cleanup({ olderThanDays: days, kind, type: flags.type, now });
    for (const key of deleted) io.stdout.write(`deleted ${key}\n`);
    io.stdout.write(`deleted ${deleted.length} object${deleted.length === 1 ? '' : 's'} ${scope}\n`);
    return EXIT.ok;
  } finally {
    await storage.close?.();
  }
}
