import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  createAnalyzer,
  type Analyzer,
  type AnalyzerOptions,
  type RenderedReports,
  type RenderReportsOptions,
} from '@dify-logs/core/pipeline';
import { DifyConfigError, RecordFileError, createPrivacyPolicy } from '@dify-logs/core';
import type { ReportFile } from '@dify-logs/core/adapter-kit';
import {
  compareAnalyses,
  defaultReporters,
  lineStartFrom,
  linesBefore,
  restoreAnalyzer,
  type AnalyzerSnapshot,
} from '@dify-logs/core/internal';
import type { CsvShard } from '@dify-logs/reports';
import { StagedCsv } from './parallel-report-output.js';
import {
  runChunk,
  stopChunks,
  takeChunk,
  type Chunk,
  type ChunkFailure,
  type ChunkJob,
  type ChunkOutcome,
  type ChunkResult,
  type WorkerMessage,
} from './parallel-report-chunks.js';

/** Formats the chunked path renders (all but xlsx, whose writer needs every record in order). */
export const PARALLEL_FORMATS: readonly string[] = ['json', 'markdown', 'csv', 'html'];
/**
 * Below this many bytes of input (about 50 000 records), one thread is about as fast: a worker takes
 * ~0.5 s of CPU to start (it loads core and reports), and the chunks' CSV rows are copied once more.
 */
export const PARALLEL_MIN_BYTES = 64 * 2 ** 20;
/** Default thread count at most: each worker holds its own heap (about 50–70 MB). */
export const MAX_DEFAULT_THREADS = 4;

/**
 * Heap limits of a worker: lower than V8's defaults, so that the heaps stay small (peak RSS) while
 * parsing makes much short-lived garbage. A worker that runs out of memory makes the report fall
 * back to one thread (see renderReportsInParallel).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 };

/** The default of `--threads`: the CPU cores, at most MAX_DEFAULT_THREADS. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, availableParallelism()));
}

/**
 * Cuts `files` into chunks of about `chunkBytes` that start at line starts: the units threads take
 * (small enough that the threads finish together, large enough that a chunk's own costs do not matter).
 */
export function planChunks(files: ReadonlyArray<{ path: string; name: string }>, chunkBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (const file of files) {
    const size = statSync(file.path).size;
    for (let start = 0; start < size;) {
      const end = start + chunkBytes >= size ? size : lineStartFrom(file.path, start + chunkBytes);
      chunks.push({ ...file, start, end });
      start = end;
    }
  }
  return chunks;
}

/** Chunk size for `threads` threads: about 16 chunks each (so they finish close together), between 2 and 16 MiB. */
export function chunkBytesFor(totalBytes: number, threads: number): number {
  return Math.min(16 * 2 ** 20, Math.max(2 * 2 ** 20, Math.ceil(totalBytes / (threads * 16))));
}

/** The built worker (`dist/parallel-report-worker.js` beside this bundle); undefined when running from source. */
function workerScript(): URL | undefined {
  // import.meta is empty in the CommonJS build, where __filename names this file.
  const here = typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
  const script = new URL('./parallel-report-worker.js', here);
  return !here.endsWith('.ts') && existsSync(fileURLToPath(script)) ? script : undefined;
}

export interface ParallelSettings {
  /** Threads, this one included. */
  threads: number;
  /** Where the report files will go: the CSV files are written there under temporary names as the chunks come in. */
  outDir: string;
  /** Default: chunkBytesFor(the input size, threads). */
  chunkBytes?: number;
  /**
   * Whether to start worker threads (default: when the built worker is there); without, this thread takes every chunk.
   */
  workers?: boolean;
}

export interface ParallelRendered extends RenderedReports {
  /** Moves a file that is already written (the CSV files) to `path`; false for the others, which the caller writes. */
  place(file: ReportFile, path: string): Promise<boolean>;
}

/**
 * `renderReports` over NDJSON files cut into chunks that this thread and `threads - 1` worker threads
 * parse and analyse at once. The chunks' analyses merge in input order (exactly: see ExactSum) and
 * their CSV rows are joined in input order, so the reports are the same as one thread's. Undefined
 * when the CSV's variable columns overflow their cap across chunks, or a worker thread fails (it
 * could not start, ran out of memory): render with `renderReports` then.
 * A bad line throws the RecordFileError one thread would have thrown (the first bad line).
 */
export async function renderReportsInParallel(
  files: ReadonlyArray<{ path: string; name: string }>,
  options: RenderReportsOptions,
  settings: ParallelSettings,
): Promise<ParallelRendered | undefined> {
  const reporters = { ...defaultReporters, ...options.reporters };
  for (const format of options.formats)
    if (!reporters[format])
      throw new DifyConfigError(
        'formats',
        `no reporter for format ${JSON.stringify(format)} (have ${Object.keys(reporters).join(', ')})`,
      );
  const now = options.now?.() ?? new Date();
  const timezone = options.timezone ?? 'UTC';
  const runId = options.runId ?? `report-${now.toISOString().replace(/[-:.]/g, '')}`;
  const provisional = {
    from: options.window?.from ?? now.toISOString(),
    to: options.window?.to ?? now.toISOString(),
    timezone,
  };
  const analyzerOptions = {
    job: options.job,
    runId,
    window: provisional,
    generatedAt: now.toISOString(),
    consoleUrl: options.consoleUrl ?? null,
    ...(options.explorerUrl ? { explorerUrl: options.explorerUrl } : {}),
    ...(options.prices ? { prices: options.prices } : {}),
  };
  const tmpDir = await mkdtemp(join(tmpdir(), 'dify-logs-report-'));
  const staged = options.formats.includes('csv') ? new StagedCsv(settings.outDir) : undefined;
  const close = async () => {
    await staged?.dispose();
    await rm(tmpDir, { recursive: true, force: true });
  };
  try {
    const total = files.reduce((sum, file) => sum + statSync(file.path).size, 0);
    const job: ChunkJob = {
      chunks: planChunks(files, settings.chunkBytes ?? chunkBytesFor(total, settings.threads)),
      next: new SharedArrayBuffer(4),
      analyzer: analyzerOptions,
      window: options.window ? { from: Date.parse(options.window.from), to: Date.parse(options.window.to) } : null,
      csv: options.formats.includes('csv') ? { dir: tmpDir, options: {} } : null,
      privacy: options.privacy ?? {},
    };
    // Each chunk's CSV rows go to the staged files as soon as the chunks before it are in; its own files are then no
    // longer needed.
    const merged = new OrderedMerge(analyzerOptions, (csv) => staged!.add(csv));
    await runChunks(job, merged, settings.workers === false ? undefined : workerScript(), settings.threads - 1);
    const failure = merged.failure;
    if (failure?.workerCrashed) {
      await close();
      return undefined;
    }
    if (failure) {
      const chunk = job.chunks[failure.index]!;
      if (failure.record)
        throw new RecordFileError(
          chunk.name,
          linesBefore(chunk.path, chunk.start) + failure.record.line,
          failure.record.problem,
        );
      throw Object.assign(new Error(failure.message), failure.stack ? { stack: failure.stack } : {});
    }
    const csvFiles = await staged?.finish();
    if (staged && !csvFiles) {
      await close();
      return undefined;
    }
    const analysis = merged.analyzer.result();
    if (!options.window)
      analysis.window = { from: merged.first ?? provisional.from, to: merged.last ?? provisional.to, timezone };
    analysis.privacy = createPrivacyPolicy(options.privacy).statement;
    if (options.previous) analysis.comparison = compareAnalyses(analysis, options.previous, options.anomalies);
    const rendered: ParallelRendered = {
      analysis,
      files: [],
      problems: [],
      close,
      place: async (file, path) => (staged ? staged.place(file, path) : false),
    };
    for (const format of options.formats) {
      try {
        const reported: ReportFile[] =
          format === 'csv'
            ? csvFiles!
            : await reporters[format]!.start({ job: options.job, runId, window: provisional, tmpDir }).finish(analysis);
        for (const file of reported) rendered.files.push({ format, file });
      } catch (error) {
        rendered.problems.push({
          stage: 'report',
          format,
          code: 'render_failed',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return rendered;
  } catch (error) {
    await close();
    throw error;
  }
}

/** Folds chunk outcomes into one analysis in chunk order, whatever order they arrive in. */
class OrderedMerge {
  readonly analyzer: Analyzer;
  first: string | null = null;
  last: string | null = null;
  /** The earliest failed chunk. */
  failure: (ChunkFailure & { index: number }) | undefined;
  #next = 0;
  readonly #waiting = new Map<number, ChunkResult<Analyzer | AnalyzerSnapshot>>();

  constructor(
    private readonly options: AnalyzerOptions,
    private readonly onCsv: (csv: CsvShard) => void,
  ) {
    this.analyzer = createAnalyzer(options);
  }

  add(outcome: ChunkOutcome<Analyzer | AnalyzerSnapshot>): void {
    if ('failure' in outcome) {
      if (!this.failure || outcome.index < this.failure.index)
        this.failure = { ...outcome.failure, index: outcome.index };
      return;
    }
    this.#waiting.set(outcome.index, outcome.result);
    for (let result = this.#waiting.get(this.#next); result; result = this.#waiting.get(this.#next)) {
      const ready = this.#next;
      this.#waiting.delete(ready);
      this.#next += 1;
      this.analyzer.merge(
        isAnalyzer(result.analyzer) ? result.analyzer : restoreAnalyzer(this.options, result.analyzer),
      );
      if (result.first !== null && (this.first === null || result.first < this.first)) this.first = result.first;
      if (result.last !== null && (this.last === null || result.last > this.last)) this.last = result.last;
      if (result.csv) this.#csv(result.csv, ready);
    }
  }

  /** Passes a chunk's CSV rows on; a failure to write them fails the job (as that chunk's failure). */
  #csv(csv: CsvShard, index: number): void {
    if (this.failure) return;
    try {
      this.onCsv(csv);
    } catch (error) {
      this.failure = {
        index,
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
      };
    }
  }
}

const isAnalyzer = (value: Analyzer | AnalyzerSnapshot): value is Analyzer =>
  typeof (value as Partial<Analyzer>).add === 'function';

/**
 * Runs every chunk of `job`: `workers` worker threads and this thread take chunks until none is left.
 * This thread yields to the event loop between its chunks, so the workers' outcomes are merged as they
 * come. After a failure no more chunks are handed out; the ones in progress finish.
 */
async function runChunks(job: ChunkJob, merged: OrderedMerge, script: URL | undefined, workers: number): Promise<void> {
  const running = script
    ? Array.from({ length: Math.min(workers, job.chunks.length - 1) }, () => startWorker(script, job, merged))
    : [];
  for (let index = takeChunk(job); index !== undefined; index = takeChunk(job)) {
    const outcome = runChunk(job, index);
    if ('failure' in outcome) stopChunks(job);
    merged.add(outcome);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await Promise.all(running);
}

/** This process's Node options for a worker, without `--input-type` (only for `-e` code; a worker refuses it). */
function workerExecArgv(): string[] {
  const argv: string[] = [];
  for (let index = 0; index < process.execArgv.length; index += 1) {
    const arg = process.execArgv[index]!;
    if (arg === '--input-type') index += 1;
    else if (!arg.startsWith('--input-type=')) argv.push(arg);
  }
  return argv;
}

/** A worker thread taking chunks; resolves when it is done (a crash counts as a failure of the job). */
function startWorker(script: URL, job: ChunkJob, merged: OrderedMerge): Promise<void> {
  const worker = new Worker(script, { workerData: job, resourceLimits: WORKER_LIMITS, execArgv: workerExecArgv() });
  return new Promise((resolve) => {
    let finished = false;
    const crashed = (message: string, stack?: string) => {
      if (finished) return;
      finished = true;
      // Whatever chunk it held is lost: the job is done again on one thread (unless the input has a bad line before).
      stopChunks(job);
      merged.add({ index: job.chunks.length, failure: { message, ...(stack ? { stack } : {}), workerCrashed: true } });
      resolve();
    };
    worker.on('message', (message: WorkerMessage) => {
      if (!('done' in message)) merged.add(message);
      else if (!finished) {
        finished = true;
        resolve();
      }
    });
    worker.once('error', (error) => crashed(error.message, error.stack));
    worker.once('exit', (code) => crashed(`a report worker thread stopped (exit code ${code})`));
  });
}
