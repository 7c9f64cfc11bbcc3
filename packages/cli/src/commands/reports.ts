import type { StoredObject } from '@dify-logs/core/adapter-kit';
import type { Command } from 'commander';
import { addConfigOptions, storageFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { positiveInteger } from '../support/connection.js';
import { EXIT } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { humanSize, parseKind, storagePlace } from '../support/storage.js';

interface ListFlags extends ConfigFlags {
  type?: string;
  days: string;
  kind?: string;
  json?: boolean;
}

const DAY = 86_400_000;

export function registerReports(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const reports = program.command('reports').description('what the pipeline stored: reports and data');
  addConfigOptions(
    reports.command('list').description('list the stored reports and data of the last days, newest first'),
  )
    .option('--type <type>', 'only this report or data type, e.g. daily, archive')
    .option('--days <n>', 'only objects created in the last N days', '7')
    .option('--kind <kind>', 'only report or only data (default: both)')
    .option('--json', 'one JSON object per line')
    .action(async (flags: ListFlags) => setExit(await runReportsList(flags, io)));
  addConfigOptions(
    reports.command('usage').description('storage use per kind and type: objects, bytes, oldest and newest'),
  )
    .option('--json', 'one JSON object per line')
    .action(async (flags: ConfigFlags & { json?: boolean }) => setExit(await runReportsUsage(flags, io)));
}

interface Usage {
  kind: string;
  type: string;
  objects: number;
  bytes: number;
  oldest: string;
  newest: string;
}

/** The original plan's storage monitoring: what is stored, per kind and type. */
export async function runReportsUsage(flags: ConfigFlags & { json?: boolean }, io: CliIo): Promise<number> {
  const { storage } = await storageFromFlags(flags, io);
  const usage = new Map<string, Usage>();
  try {
    for await (const object of storage.list()) {
      const id = `${object.kind}/${object.type}`;
      const entry = usage.get(id) ?? {
        kind: object.kind,
        type: object.type,
        objects: 0,
        bytes: 0,
        oldest: object.createdAt,
        newest: object.createdAt,
      };
      entry.objects += 1;
      entry.bytes += object.size;
      if (object.createdAt < entry.oldest) entry.oldest = object.createdAt;
      if (object.createdAt > entry.newest) entry.newest = object.createdAt;
      usage.set(id, entry);
    }
  } finally {
    await storage.close?.();
  }
  const rows = [...usage.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.type.localeCompare(b.type));
  if (flags.json) {
    for (const row of rows) io.stdout.write(`${JSON.stringify(row)}\n`);
    return EXIT.ok;
  }
  const total = rows.reduce((sum, row) => ({ objects: sum.objects + row.objects, bytes: sum.bytes + row.bytes }), {
    objects: 0,
    bytes: 0,
  });
  io.stdout.write(
    formatTable([
      ['KIND', 'TYPE', 'OBJECTS', 'SIZE', 'OLDEST', 'NEWEST'],
      ...rows.map((row) => [
        row.kind,
        row.type,
        String(row.objects),
        humanSize(row.bytes),
        row.oldest.slice(0, 10),
        row.newest.slice(0, 10),
      ]),
      ['total', '', String(total.objects), humanSize(total.bytes), '', ''],
    ]),
  );
  return EXIT.ok;
}

export async function runReportsList(flags: ListFlags, io: CliIo, now = new Date()): Promise<number> {
  const days = positiveInteger('--days', flags.days);
  const kind = parseKind(flags.kind);
  const { storage } = await storageFromFlags(flags, io);
  const found: StoredObject[] = [];
  try {
    for await (const object of storage.list({
      kind,
      type: flags.type,
      newerThan: new Date(now.getTime() - days * DAY),
    }))
      found.push(object);
  } finally {
    await storage.close?.();
  }
  // Adapters yield newest first; sorted again so the order never depends on one.
  found.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (found.length === 0) {
    const filters = [kind, flags.type].filter((part) => part !== undefined).join(' ');
    (flags.json ? io.stderr : io.stdout).write(
      `no reports${filters ? ` (${filters})` : ''} in the last ` +
        `${days} day${days === 1 ? '' : 's'} ${storagePlace(storage)}\n`,
    );
    return EXIT.ok;
  }
  if (flags.json) {
    for (const object of found) io.stdout.write(`${JSON.stringify(object)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(
    formatTable([
      ['CREATED', 'TYPE', 'SIZE', 'LOCATION'],
      ...found.map((object) => [object.createdAt, object.type, humanSize(object.size), object.location]),
    ]),
  );
  return EXIT.ok;
}

function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return (
    rows
      .map((row) =>
        row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
      )
      .join('\n') + '\n'
  );
}
