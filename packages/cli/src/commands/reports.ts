import type { StoredObject } from '@dify-logs/core';
import type { Command } from 'commander';
import { addConfigOptions, loadFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { positiveInteger } from '../support/connection.js';
import { EXIT } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { humanSize, openStorage, parseKind } from '../support/storage.js';

interface ListFlags extends ConfigFlags {
  type?: string;
  days: string;
  kind?: string;
  json?: boolean;
}

const DAY = 86_400_000;

export function registerReports(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const reports = program.command('reports').description('what the pipeline stored: reports and data');
  addConfigOptions(reports.command('list').description('list the stored reports and data of the last days, newest first'))
    .option('--type <type>', 'only this report or data type, e.g. daily, archive')
    .option('--days <n>', 'only objects created in the last N days', '7')
    .option('--kind <kind>', 'only report or only data (default: both)')
    .option('--json', 'one JSON object per line')
    .action(async (flags: ListFlags) => setExit(await runReportsList(flags, io)));
}

export async function runReportsList(flags: ListFlags, io: CliIo, now = new Date()): Promise<number> {
  const days = positiveInteger('--days', flags.days);
  const kind = parseKind(flags.kind);
  const { config } = await loadFromFlags(flags, io);
  const { storage, baseDir } = openStorage(config, io.cwd);
  const found: StoredObject[] = [];
  try {
    for await (const object of storage.list({ kind, type: flags.type, newerThan: new Date(now.getTime() - days * DAY) })) found.push(object);
  } finally {
    await storage.close?.();
  }
  // Adapters yield newest first; sorted again so the order never depends on one.
  found.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (found.length === 0) {
    const filters = [kind, flags.type].filter((part) => part !== undefined).join(' ');
    (flags.json ? io.stderr : io.stdout).write(`no reports${filters ? ` (${filters})` : ''} in the last ${days} day${days === 1 ? '' : 's'} under ${baseDir}\n`);
    return EXIT.ok;
  }
  if (flags.json) {
    for (const object of found) io.stdout.write(`${JSON.stringify(object)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(formatTable([['CREATED', 'TYPE', 'SIZE', 'LOCATION'], ...found.map((object) => [object.createdAt, object.type, humanSize(object.size), object.location])]));
  return EXIT.ok;
}

function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n') + '\n';
}
