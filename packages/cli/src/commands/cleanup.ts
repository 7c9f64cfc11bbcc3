import { removeOrphanParts } from '@dify-logs/core/archive';
import { ARCHIVE_TYPE, findOrphanParts, ORPHAN_MIN_AGE_HOURS } from '@dify-logs/core/internal';
import { cleanupCutoff, safeSegment } from '@dify-logs/core/adapter-kit';
import type { Command } from 'commander';
import { addConfigOptions, storageFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { positiveInteger } from '../support/connection.js';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { parseKind, storagePlace } from '../support/storage.js';

interface CleanupFlags extends ConfigFlags {
  days?: string;
  type?: string;
  kind?: string;
  dryRun?: boolean;
}

export function registerCleanup(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addConfigOptions(
    program
      .command('cleanup')
      .description('delete stored reports and data older than N days (default: storage.retentionDays)'),
  )
    .option('--days <n>', 'delete objects created more than N days ago [config storage.retentionDays]')
    .option('--type <type>', 'only this report or data type, e.g. daily, archive')
    .option('--kind <kind>', 'only report or only data (default: both)')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .action(async (flags: CleanupFlags) => setExit(await runCleanup(flags, io)));
}

export async function runCleanup(flags: CleanupFlags, io: CliIo, now = new Date()): Promise<number> {
  const kind = parseKind(flags.kind);
  const given = flags.days === undefined ? undefined : positiveInteger('--days', flags.days);
  const { runtime, storage } = await storageFromFlags(flags, io);
  const days = given ?? runtime.config.storage.retentionDays;
  if (days === undefined)
    throw new UsageError('missing --days: give --days N, or set storage.retentionDays in the configuration');
  const cutoff = cleanupCutoff({ olderThanDays: days, now });
  const scope =
    `older than ${days} day${days === 1 ? '' : 's'} (created ` +
    `before ${cutoff.toISOString()}) ${storagePlace(storage)}`;
  // Archive parts no manifest lists (left by a run that failed or was killed) go too, once old enough not to be a run's
  // in progress.
  const orphans =
    kind !== 'report' &&
    (flags.type === undefined ||
      [ARCHIVE_TYPE, `${ARCHIVE_TYPE}-messages`, `${ARCHIVE_TYPE}-conversations`].includes(safeSegment(flags.type)));
  try {
    if (flags.dryRun) {
      const old = new Set<string>();
      for await (const object of storage.list({ kind, type: flags.type, olderThan: cutoff })) {
        old.add(object.key);
        io.stdout.write(`would delete ${object.key}\n`);
      }
      io.stdout.write(`dry run: ${plural(old.size, 'object')} ${scope} would be deleted; nothing was deleted\n`);
      if (orphans) {
        const unlisted = (await findOrphanParts(storage, { now })).filter((object) => !old.has(object.key));
        for (const object of unlisted) io.stdout.write(`would delete ${object.key}\n`);
        if (unlisted.length > 0)
          io.stdout.write(
            `dry run: ${plural(unlisted.length, 'archive part')} ${ORPHANS} would be deleted; nothing was deleted\n`,
          );
      }
      return EXIT.ok;
    }
    const { deleted } = await storage.cleanup({ olderThanDays: days, kind, type: flags.type, now });
    for (const key of deleted) io.stdout.write(`deleted ${key}\n`);
    io.stdout.write(`deleted ${plural(deleted.length, 'object')} ${scope}\n`);
    if (orphans) {
      const removed = await removeOrphanParts(storage, { now });
      for (const key of removed) io.stdout.write(`deleted ${key}\n`);
      if (removed.length > 0) io.stdout.write(`deleted ${plural(removed.length, 'archive part')} ${ORPHANS}\n`);
    }
    return EXIT.ok;
  } finally {
    await storage.close?.();
  }
}

/** Which archive parts `cleanup` removes besides the old objects. */
const ORPHANS =
  `that no manifest lists (left behind by a failed or killed ` +
  `run), written more than ${ORPHAN_MIN_AGE_HOURS} hours ago`;

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
