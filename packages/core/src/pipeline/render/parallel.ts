import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { ReportFile, ReportWriter, ShardJoin } from '../../adapters/reporter.js';
import { createAnalyzer, type Analyzer, type AnalyzerOptions } from '../../analysis/analyzer.js';
import { restoreAnalyzer, type AnalyzerSnapshot } from '../../analysis/snapshot.js';
import { linesBefore } from '../../records/ndjson-range.js';
import { RecordFileError } from '../../records/ndjson.js';
import type { PipelineProblem } from '../types.js';
import type { ChunkFailure, ChunkJob, ChunkOutcome, ChunkResult, ShardedFormat, ShardWriterFactory } from './chunks.js';
import type { ChunkSettings, RenderedReports } from './types.js';
import type { ReportSetup } from './setup.js';
import { windowBounds } from './record-window.js';
import { chunkBytesFor, planChunks, runChunks, workerScript, type OutcomeSink, type SizedFile } from './threads.js';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The report of NDJSON `files` cut into chunks that this thread and `threads - 1` worker threads parse and analyse at
 * once. The chunks' analyses merge in input order (exactly: see ExactSum) and the reporters' shards are joined in
 * input order, so the reports are the same as one thread's. Undefined when a format cannot be rendered so (its writer
 * takes records and it has no `shards`), its shards cannot make its report, or a worker thread failed (it could not
 * start, ran out of memory): render on one thread then. A bad line throws the RecordFileError one thread would have
 * thrown (the first bad line).
 */
export async function renderInParallel(
  files: readonly SizedFile[],
  setup: ReportSetup,
  threads: number,
  settings: ChunkSettings = {},
): Promise<RenderedReports | undefined> {
  const { options, reporters, analyzerOptions } = setup;
  const tmpDir = await mkdtemp(joinPath(tmpdir(), 'dify-logs-report-'));
  const context = { job: options.job, runId: setup.runId, window: setup.provisional, tmpDir };
  const joins = new Map<string, ShardJoin>();
  const writers = new Map<string, ReportWriter>();
  const sharded: ShardedFormat[] = [];
  const factories: ShardWriterFactory[] = [];
  const close = async () => {
    for (const join of joins.values()) await join.dispose().catch(() => undefined);
    for (const writer of writers.values()) await writer.dispose?.().catch(() => undefined);
    await rm(tmpDir, { recursive: true, force: true });
  };
  // A format that cannot start is a problem of its own, as on one thread; the others go on.
  const problems: PipelineProblem[] = [];
  try {
    const stageDir = options.stageDir ?? context.tmpDir;
    for (const format of options.formats) {
      let reporter = reporters[format]!;
      try {
        // A format plugin's reporter loads its package first: its writer and shards are those of the loaded one.
        reporter = (await reporter.load?.()) ?? reporter;
      } catch (error) {
        problems.push(renderFailed(format, error));
        continue;
      }
      const shards = reporter.shards;
      try {
        if (shards) joins.set(format, shards.join({ ...context, stageDir }));
        else writers.set(format, reporter.start(context));
      } catch (error) {
        problems.push(renderFailed(format, error));
        continue;
      }
      if (shards) {
        sharded.push({ format, module: shards.module, options: shards.options });
        factories.push((dir) => shards.createWriter(dir));
      } else if (writers.get(format)!.add) return await close().then(() => undefined);
    }
    const total = files.reduce((sum, file) => sum + file.size, 0);
    const job: ChunkJob = {
      chunks: planChunks(files, settings.chunkBytes ?? chunkBytesFor(total, threads)),
      next: new SharedArrayBuffer(4),
      analyzer: analyzerOptions,
      window: windowBounds(options.window),
      sharded,
      dir: context.tmpDir,
      privacy: options.privacy ?? {},
    };
    // A module-less sharded format is written on this thread only.
    const script = sharded.every((format) => format.module) ? workerScript() : undefined;
    const merged = new OrderedMerge(analyzerOptions, sharded, joins);
    await runChunks(job, merged, factories, settings.workers === false ? undefined : script, threads - 1);
    const failure = merged.failure;
    if (failure?.workerCrashed) return await close().then(() => undefined);
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
    const joined = new Map<string, ReportFile[]>();
    for (const [format, join] of joins) {
      const made = await join.finish();
      if (!made) return await close().then(() => undefined);
      joined.set(format, made);
    }
    const analysis = setup.finish(merged.analyzer.result(), merged.first, merged.last);
    const rendered: RenderedReports = { analysis, files: [], problems, close };
    for (const format of options.formats) {
      const writer = writers.get(format);
      if (!joined.has(format) && !writer) continue;
      try {
        const made = joined.get(format) ?? (await writer!.finish(analysis));
        for (const file of made) rendered.files.push({ format, file });
      } catch (error) {
        rendered.problems.push(renderFailed(format, error));
      }
    }
    return rendered;
  } catch (error) {
    await close();
    throw error;
  }
}

const renderFailed = (format: string, error: unknown): PipelineProblem => ({
  stage: 'report',
  format,
  code: 'render_failed',
  message: message(error),
});

/** Folds chunk outcomes into one analysis and the joins in chunk order, whatever order they arrive in. */
class OrderedMerge implements OutcomeSink {
  readonly analyzer: Analyzer;
  first: string | null = null;
  last: string | null = null;
  /** The earliest failed chunk. */
  failure: (ChunkFailure & { index: number }) | undefined;
  #next = 0;
  readonly #waiting = new Map<number, ChunkResult<Analyzer | AnalyzerSnapshot>>();

  constructor(
    private readonly options: AnalyzerOptions,
    private readonly sharded: readonly ShardedFormat[],
    private readonly joins: ReadonlyMap<string, ShardJoin>,
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
      this.#shards(result.shards, ready);
    }
  }

  /** Passes a chunk's shards on; a failure to join them fails the job (as that chunk's failure). */
  #shards(shards: readonly unknown[], index: number): void {
    if (this.failure) return;
    try {
      this.sharded.forEach(({ format }, position) => this.joins.get(format)!.add(shards[position]));
    } catch (error) {
      this.failure = {
        index,
        message: message(error),
        ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
      };
    }
  }
}

const isAnalyzer = (value: Analyzer | AnalyzerSnapshot): value is Analyzer =>
  typeof (value as Partial<Analyzer>).add === 'function';
