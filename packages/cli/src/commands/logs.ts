import { environmentToConfig } from '@dify-logs/core/adapter-kit';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { LOG_FILE_PREFIX } from '../support/log-file.js';

interface LogsFlags {
  dir?: string;
  job?: string;
  run?: string;
  level?: string;
  since?: string;
  json?: boolean;
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const NAMES = Object.fromEntries(Object.entries(LEVELS).map(([name, value]) => [value, name]));

export function registerLogs(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('logs')
    .description('read the log files back, filtered: investigate a failed night without grep')
    .option('--dir <dir>', 'log folder [env LOG_DIR]')
    .option('--job <name>', 'only lines of this job')
    .option('--run <id>', 'only lines of this pipeline run id')
    .option('--level <level>', 'this level and above: trace, debug, info, warn, error, fatal')
    .option('--since <when>', 'an ISO time, or a duration back from now: 30m, 12h, 1d')
    .option('--json', 'print the matching JSON lines as they are')
    .action(async (flags: LogsFlags) => setExit(await runLogs(flags, io)));
}

export async function runLogs(flags: LogsFlags, io: CliIo, now = new Date()): Promise<number> {
  const dir = flags.dir ?? (environmentToConfig(io.env).tree as { logging?: { dir?: string } }).logging?.dir;
  if (!dir) throw new UsageError('missing --dir (or LOG_DIR): where the log files are');
  const minimum = flags.level === undefined ? 0 : LEVELS[flags.level.toLowerCase()];
  if (minimum === undefined)
    throw new UsageError(
      `--level must be one of ${Object.keys(LEVELS).join(', ')}, got ${JSON.stringify(flags.level)}`,
    );
  const since = flags.since === undefined ? undefined : parseSince(flags.since, now);
  const folder = resolve(io.cwd, dir);
  let names: string[];
  try {
    names = (await readdir(folder))
      .filter((name) => name.startsWith(`${LOG_FILE_PREFIX}.`) && name.endsWith('.log'))
      .sort(byDateAndNumber);
  } catch (error) {
    throw new UsageError(
      `--dir ${folder}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let matched = 0;
  for (const name of names) {
    for (const line of (await readFile(join(folder, name), 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (typeof entry.level === 'number' && entry.level < minimum) continue;
      if (flags.job !== undefined && entry.job !== flags.job) continue;
      if (flags.run !== undefined && entry.runId !== flags.run) continue;
      if (since && !(typeof entry.time === 'string' && Date.parse(entry.time) >= since.getTime())) continue;
      matched += 1;
      io.stdout.write(flags.json ? `${line}\n` : `${formatEntry(entry)}\n`);
    }
  }
  if (matched === 0) io.stderr.write(`no log lines matched in ${folder}\n`);
  return EXIT.ok;
}

function parseSince(value: string, now: Date): Date {
  const duration = /^(\d+)\s*([smhd])$/i.exec(value.trim());
  if (duration) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
      duration[2]!.toLowerCase() as 's' | 'm' | 'h' | 'd'
    ];
    return new Date(now.getTime() - Number(duration[1]) * unit);
  }
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw new UsageError(`--since must be an ISO time or a duration like 30m, 12h, 1d; got ${JSON.stringify(value)}`);
  return time;
}

/** `dify-logs.2026-03-02.10.log` after `dify-logs.2026-03-02.9.log`. */
function byDateAndNumber(a: string, b: string): number {
  const key = (name: string) => {
    const match = /\.(\d{4}-\d{2}-\d{2})\.(\d+)\.log$/.exec(name);
    return match ? `${match[1]}.${match[2]!.padStart(8, '0')}` : name;
  };
  return key(a).localeCompare(key(b));
}

function formatEntry(entry: Record<string, unknown>): string {
  const { time, level, msg, job, runId, appId, pid: _pid, hostname: _hostname, service: _service, ...rest } = entry;
  const extra = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const where = [job, runId, appId].filter((part) => typeof part === 'string').join(' ');
  return (
    `${String(time ?? '')} ${(NAMES[level as number] ?? String(level)).toUpperCase().padEnd(5)}` +
    ` ${where ? `[${where}] ` : ''}${String(msg ?? '')}${extra ? ` ${extra}` : ''}`
  );
}
