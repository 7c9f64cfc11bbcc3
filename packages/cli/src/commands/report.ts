import { statSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
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
  type RenderedReports,
  type RenderReportsOptions,
  type ReportAnalysis,
} from '@dify-logs/core/pipeline';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import { readDataFile, formatReporters, registeredArchiveFormats } from '@dify-logs/core/internal';
import { createAtomicFileWriter } from '@dify-logs/core/adapter-kit';
import type { Command } from 'commander';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { PLUGINS, runtimeFromFlags, type ConfigFlags } from '../support/config-flags.js';
import { REPORT_FORMATS } from '../support/reporters.js';
import { isParquetFile, readParquetInput } from '../support/parquet.js';
import {
  defaultThreads,
  PARALLEL_FORMATS,
  PARALLEL_MIN_BYTES,
  renderReportsInParallel,
  type ParallelRendered,
  type ParallelSettings,
} from '../support/parallel-report.js';

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
        `cores, at most 4, for inputs over ${PARALLEL_MIN_BYTES / 2 ** 20} MiB; 1: one thread)`,
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

/**
 * How many threads read the input (cut into chunks): `--threads`, its default for large files, or 1 (one pass on this
 * thread) when the chunked path does not apply.
 */
function readerThreads(flags: ReportFlags, formats: string[], inputs: string[]): number {
  const threads = flags.threads === undefined ? defaultThreads() : Number(flags.threads);
  if (!Number.isInteger(threads) || threads < 1)
    throw new UsageError(`--threads: expected a whole number of at least 1, got ${flags.threads}`);
  if (
    threads === 1 ||
    !formats.every((format) => PARALLEL_FORMATS.includes(format)) ||
    flags.input.some((input) => input.startsWith(ARCHIVE_SCHEME))
  )
    return 1;
  if (inputs.some(isParquetFile)) return 1;
  if (flags.threads !== undefined) return threads;
  let bytes = 0;
  try {
    for (const input of inputs) bytes += statSync(input).size;
  } catch {
    return 1; // the one-thread path reports a missing file as usual
  }
  return bytes >= PARALLEL_MIN_BYTES ? threads : 1;
}

/**
 * The chunked path (see renderReportsInParallel), which writes the CSV files into `outDir` as it goes:
 * creates `outDir`, and removes what it created when the input turns out bad, as the one-thread path
 * writes nothing then.
 */
async function renderInParallel(
  files: Array<{ path: string; name: string }>,
  options: RenderReportsOptions,
  settings: ParallelSettings,
): Promise<ParallelRendered | undefined> {
  const created = await mkdir(settings.outDir, { recursive: true });
  try {
    return await renderReportsInParallel(files, options, settings);
  } catch (error) {
    for (let dir = settings.outDir; created !== undefined; dir = dirname(dir)) {
      await rmdir(dir).catch(() => undefined);
      if (dir === created || dirname(dir) === dir) break;
    }
    throw error;
  }
}

/** `parallel`: settings of the chunked path (tests make small chunks, and run them all on this thread). */
export async function runReport(
  flags: ReportFlags,
  io: CliIo,
  parallel: Omit<ParallelSettings, 'threads' | 'outDir'> = {},
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
  const threads = readerThreads(flags, formats, inputs);
  const files = inputs.map((path) => ({ path, name: basename(path) }));
  // Undocumented tuning knob (tests use it to give the worker threads chunks of a small input).
  const chunkBytes = Number(io.env.DIFY_LOGS_REPORT_CHUNK_BYTES) || undefined;
  const rendered: RenderedReports & Partial<Pick<ParallelRendered, 'place'>> =
    (threads > 1
      ? await renderInParallel(files, options, { ...(chunkBytes ? { chunkBytes } : {}), ...parallel, threads, outDir })
      : undefined) ?? (await renderReports(records(), options));
  await mkdir(outDir, { recursive: true });
  const stamp = (iso: string) => iso.slice(0, 19).replace(/[-:]/g, '');
  const base = `${flags.job}-${stamp(rendered.analysis.window.from)}-${stamp(rendered.analysis.window.to)}`;
  try {
    for (const { file } of rendered.files) {
      const path = join(outDir, `${base}${file.part ? `.${file.part}` : ''}.${file.extension}`);
      if (await rendered.place?.(file, path)) {
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
