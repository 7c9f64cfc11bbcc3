import { mkdir, open, rename, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  readArchive,
  readArchivedConversations,
  readArchivedMessages,
  type ArchiveQuery,
} from '@dify-logs/core/archive';
import { type ConversationRecord, type MessageRecord, readRunRecords, type RunRecord } from '@dify-logs/core';
import {
  renderReports,
  type PriceTable,
  type RecordFiles,
  type RenderedReports,
  type RenderReportsOptions,
  type ReportAnalysis,
} from '@dify-logs/core/pipeline';
import type { ReportFile, StorageAdapter } from '@dify-logs/core/adapter-kit';
import { readDataFile, formatReporters, registeredArchiveFormats } from '@dify-logs/core/internal';
import { createAtomicFileWriter } from '@dify-logs/core/adapter-kit';
import type { Command } from 'commander';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { PLUGINS, runtimeFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { REPORT_FORMATS } from '../support/reporters.js';
import { isParquetFile, readParquetInput } from '../support/parquet.js';

export interface ReportFlags extends ConfigFlags {
  input: string[];
  format: string;
  outDir: string;
  job: string;
  from?: string;
  to?: string;
  timezone?: string;
  previous?: string;
  prices?: string;
  consoleUrl?: string;
  threads?: string;
}

export function registerReport(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('render reports from NDJSON archives of RunRecords, without calling Dify')
    .requiredOption(
      '--input <file...>',
      'NDJSON files (dify-logs export, a run archive), Parquet runs tables (….runs.parquet ' +
        'reports, Parquet archive parts), or archive://FROM..TO[?job=J&app=A] for ' +
        'the partitioned archive in the configured storage; several are read in order',
    )
    .option('--format <list>', `formats, comma separated: ${REPORT_FORMATS.join(', ')}`, 'markdown,json')
    .option('--out-dir <dir>', 'where the report files go', 'reports')
    .option('--job <name>', 'job name in the report and the file names', 'report')
    .option('--from <iso>', 'only records logged at or after this time (default: the first record)')
    .option('--to <iso>', 'only records logged at or before this time (default: the last record)')
    .option('--timezone <iana>', "time zone of the per-day figures (default: the configured job's, else UTC)")
    .option('--previous <json>', 'the JSON report of the previous period, to compare with and flag anomalies')
    .option(
      '--prices <file>',
      'YAML or JSON list of model prices per 1,000 tokens: [{ model, provider?, input, output, currency }]',
    )
    .option('--console-url <url>', 'Dify web address, for links to runs in the reports')
    .option(
      '--threads <n>',
      `threads that read and analyse NDJSON files, each a part of the input (default: the CPU ` +
        `cores, at most 4, for inputs of 64 MiB or more; 1: one thread)`,
    )
    .option(
      '--config <file>',
      'configuration: validated, and its prices, privacy policy, ' +
        'job time zone and (for archive:// inputs) storage apply',
    )
    .option('--profile <name>', 'configuration profile [env DIFY_LOGS_PROFILE]')
    .option('--key-file <file>', 'key of enc:v1: values [env DIFY_LOGS_SECRET_KEY]')
    .action(async (flags: ReportFlags) => setExit(await runReport(flags, io)));
}

const ARCHIVE_SCHEME = 'archive://';

/** `archive://2026-03-01..2026-03-07?job=daily&app=…` → the archive query. */
function parseArchiveInput(input: string): ArchiveQuery {
  const [range = '', search = ''] = input.slice(ARCHIVE_SCHEME.length).split('?');
  const [from, to = from] = range.split('..');
  if (!from || !/^\d{4}-\d{2}-\d{2}$/.test(from) || !to || !/^\d{4}-\d{2}-\d{2}$/.test(to))
    throw new UsageError(`--input ${input}: expected archive://YYYY-MM-DD..YYYY-MM-DD[?job=J&app=A]`);
  const params = new URLSearchParams(search);
  return {
    from,
    to,
    ...(params.get('job') ? { job: params.get('job')! } : {}),
    ...(params.get('app') ? { app: params.get('app')! } : {}),
  };
}

/** `--threads`: a whole number of at least 1, or undefined (the renderer's default: cores for large files). */
function threadsFlag(flags: ReportFlags): number | undefined {
  if (flags.threads === undefined) return undefined;
  const threads = Number(flags.threads);
  if (!Number.isInteger(threads) || threads < 1)
    throw new UsageError(`--threads: expected a whole number of at least 1, got ${flags.threads}`);
  return threads;
}

/**
 * Renders from NDJSON files (which the renderer may read on several threads, staging the CSV files in `outDir`) or
 * from a stream: creates `outDir` for the files case, and removes what it created when the input turns out bad, as
 * the stream path writes nothing then.
 */
async function render(
  source: AsyncIterable<RunRecord> | RecordFiles,
  options: RenderReportsOptions,
  outDir: string,
): Promise<RenderedReports> {
  if (Symbol.asyncIterator in source) return renderReports(source, options);
  const created = await mkdir(outDir, { recursive: true });
  try {
    return await renderReports(source, { ...options, stageDir: outDir });
  } catch (error) {
    for (let dir = outDir; created !== undefined; dir = dirname(dir)) {
      await rmdir(dir).catch(() => undefined);
      if (dir === created || dirname(dir) === dir) break;
    }
    throw error;
  }
}

/** Moves a file the renderer staged on disk to `path` (durably); false when it is not staged or not movable. */
async function place(file: ReportFile, path: string): Promise<boolean> {
  if (file.path === undefined) return false;
  try {
    await rename(file.path, path);
  } catch {
    return false; // another file system: the body is copied instead
  }
  const directory = await open(dirname(path), 'r').catch(() => undefined);
  await directory?.sync().catch(() => undefined);
  await directory?.close();
  return true;
}

/** `chunking`: tuning of the chunked path (tests make small chunks, and run them all on this thread). */
export async function runReport(
  flags: ReportFlags,
  io: CliIo,
  chunking: RenderReportsOptions['chunking'] = {},
): Promise<number> {
  const formats = flags.format
    .split(',')
    .map((format) => format.trim().toLowerCase())
    .filter(Boolean);
  const unknown = formats.filter((format) => !(REPORT_FORMATS as readonly string[]).includes(format));
  if (unknown.length > 0 || formats.length === 0)
    throw new UsageError(`--format: unknown ${unknown.join(', ') || '(none)'}; use ${REPORT_FORMATS.join(', ')}`);
  if ((flags.from === undefined) !== (flags.to === undefined)) throw new UsageError('--from and --to go together');
  if (!/^[A-Za-z0-9_-]+$/.test(flags.job)) throw new UsageError('--job may only hold letters, digits, _ and -');
  const inputs = flags.input.map((file) => resolve(io.cwd, file));
  const previous = flags.previous
    ? ((await readDataFile(resolve(io.cwd, flags.previous), 'previous report')) as ReportAnalysis)
    : null;
  if (previous !== null && (typeof previous !== 'object' || previous.schemaVersion !== 1))
    throw new UsageError('--previous: expected a JSON report written by dify-logs (schemaVersion 1)');
  const priceFile = flags.prices ? await readDataFile(resolve(io.cwd, flags.prices), 'price table') : undefined;
  const prices = (
    priceFile !== null && typeof priceFile === 'object' && !Array.isArray(priceFile)
      ? (priceFile as { prices?: unknown }).prices
      : priceFile
  ) as PriceTable | undefined;
  if (flags.prices && !Array.isArray(prices))
    throw new UsageError(
      '--prices: expected a list of { model, provider?, input, output, currency } (or a mapping with `prices:`)',
    );

  const archives = flags.input.filter((input) => input.startsWith(ARCHIVE_SCHEME));
  // A configuration given (or needed for the archive's storage) is loaded and validated as `config check` does, and
  // applies: its prices, its privacy policy, the time zone of the job named by --job (or of its only job).
  const runtime =
    flags.config !== undefined || flags.profile !== undefined || archives.length > 0
      ? await runtimeFromFlags(flags, io)
      : undefined;
  const configured =
    runtime?.config.jobs.find((job) => job.name === flags.job) ??
    (runtime?.config.jobs.length === 1 ? runtime.config.jobs[0] : undefined);
  let opened: StorageAdapter | undefined;
  try {
    opened = archives.length > 0 ? await runtime!.storage() : undefined;
  } catch (error) {
    await runtime?.close();
    throw error;
  }
  async function* records(): AsyncGenerator<RunRecord> {
    for (const [index, input] of flags.input.entries()) {
      if (input.startsWith(ARCHIVE_SCHEME))
        yield* readArchive(opened!, parseArchiveInput(input), { formats: await registeredArchiveFormats(PLUGINS) });
      else if (isParquetFile(inputs[index]!)) yield* readParquetInput(inputs[index]!);
      else yield* readRunRecords(inputs[index]!, basename(inputs[index]!));
    }
  }
  const started = performance.now();
  const options: RenderReportsOptions = {
    job: flags.job,
    formats,
    reporters: formatReporters(PLUGINS),
    timezone: flags.timezone ?? configured?.timezone ?? 'UTC',
    privacy: runtime?.config.privacy,
    window:
      flags.from && flags.to
        ? { from: new Date(flags.from).toISOString(), to: new Date(flags.to).toISOString() }
        : undefined,
    previous,
    prices: prices ?? runtime?.config.prices,
    consoleUrl: flags.consoleUrl ?? null,
    ...(runtime?.explorerUrl ? { explorerUrl: runtime.explorerUrl } : {}),
    // The partitioned archive keeps chat messages beside the runs: they make the conversation section.
    ...(archives.length > 0
      ? {
          messages: archivedMessages(opened!, archives),
          conversations: archivedConversations(opened!, archives),
        }
      : {}),
  };
  const outDir = resolve(io.cwd, flags.outDir);
  const threads = threadsFlag(flags);
  // Undocumented tuning knob (tests use it to give the worker threads chunks of a small input).
  const chunkBytes = Number(io.env.DIFY_LOGS_REPORT_CHUNK_BYTES) || undefined;
  // NDJSON files only: the renderer may read them on several threads.
  const files = archives.length === 0 && !inputs.some(isParquetFile);
  const rendered = await render(
    files ? { files: inputs.map((path) => ({ path, name: basename(path) })) } : records(),
    { ...options, ...(threads ? { threads } : {}), chunking: { ...(chunkBytes ? { chunkBytes } : {}), ...chunking } },
    outDir,
  );
  await mkdir(outDir, { recursive: true });
  const stamp = (iso: string) => iso.slice(0, 19).replace(/[-:]/g, '');
  const base = `${flags.job}-${stamp(rendered.analysis.window.from)}-${stamp(rendered.analysis.window.to)}`;
  try {
    for (const { file } of rendered.files) {
      const path = join(outDir, `${base}${file.part ? `.${file.part}` : ''}.${file.extension}`);
      if (await place(file, path)) {
        io.stdout.write(`${path}\n`);
        continue;
      }
      const writer = await createAtomicFileWriter(path);
      try {
        if (typeof file.body === 'string' || file.body instanceof Uint8Array) await writer.write(file.body);
        else for await (const chunk of file.body) await writer.write(chunk);
        await writer.commit();
      } catch (error) {
        await writer.abort();
        throw error;
      }
      io.stdout.write(`${path}\n`);
    }
  } finally {
    await rendered.close();
    await runtime?.close();
  }
  const seconds = (performance.now() - started) / 1000;
  io.stderr.write(
    `dify-logs: ${rendered.analysis.runs} records in ${seconds.toFixed(1)} s (` +
      `${Math.round(rendered.analysis.runs / Math.max(seconds, 0.001))} records/s)\n`,
  );
  for (const problem of rendered.problems)
    io.stderr.write(`dify-logs: ${problem.format} report failed: ${problem.message}\n`);
  return rendered.problems.length > 0 ? EXIT.partial : EXIT.ok;
}

async function* archivedMessages(storage: StorageAdapter, archives: string[]): AsyncGenerator<MessageRecord> {
  for (const input of archives) yield* readArchivedMessages(storage, parseArchiveInput(input));
}

async function* archivedConversations(storage: StorageAdapter, archives: string[]): AsyncGenerator<ConversationRecord> {
  for (const input of archives) yield* readArchivedConversations(storage, parseArchiveInput(input));
}
