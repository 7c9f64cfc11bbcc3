import type { ShardWriter } from '../../adapters/reporter.js';
import { createAnalyzer, type Analyzer, type AnalyzerOptions } from '../../analysis/analyzer.js';
import type { AnalyzerSnapshot } from '../../analysis/snapshot.js';
import { RecordFileError } from '../../records/ndjson.js';
import { createPrivacyPolicy, type PrivacyOptions } from '../../privacy/policy.js';
import { readRunRecordRange } from '../../records/ndjson-range.js';
import { createRecordWindow, type WindowBounds } from './record-window.js';

/** Bytes `[start, end)` of an NDJSON file, starting at a line; `name` names the file in errors. */
export interface Chunk {
  path: string;
  name: string;
  start: number;
  end: number;
}

/** A reporter whose records are written in shards: its format, and the module worker threads load its writer from. */
export interface ShardedFormat {
  format: string;
  module: string | undefined;
  options: unknown;
}

/** What every thread of one rendering shares. Plain data: it crosses threads. */
export interface ChunkJob {
  chunks: Chunk[];
  /** One Int32: the index of the next chunk to take (Atomics.add); at or past the end: none left. */
  next: SharedArrayBuffer;
  analyzer: AnalyzerOptions;
  /** Only records logged in `[from, to]` (epoch ms), as one pass filters them; null: all. */
  window: WindowBounds;
  /** The formats written in shards, and the folder their shards go to. */
  sharded: ShardedFormat[];
  dir: string;
  /** The privacy policy applied to each record before it is analysed or written. */
  privacy: PrivacyOptions;
}

/** Makes a format's shard writer on this thread. */
export type ShardWriterFactory = (dir: string) => ShardWriter;

/** The analysis and shards (one per sharded format, in `job.sharded` order) of one chunk. */
export interface ChunkResult<A = Analyzer> {
  records: number;
  first: string | null;
  last: string | null;
  analyzer: A;
  shards: unknown[];
}

/** Why a chunk failed; `record`: a bad line, `line` counted from the chunk's start. */
export interface ChunkFailure {
  message: string;
  stack?: string;
  record?: { line: number; problem: string };
  /**
   * A worker thread failed, not the input (it could not start, ran out of memory): the job can still be done on one
   * thread.
   */
  workerCrashed?: boolean;
}

export type ChunkOutcome<A = Analyzer> =
  { index: number; result: ChunkResult<A> } | { index: number; failure: ChunkFailure };

/** A message from a worker thread: a chunk's outcome (its analysis as a snapshot), or `done`. */
export type WorkerMessage = ChunkOutcome<AnalyzerSnapshot> | { done: true };

/** The next chunk for this thread, or undefined when all are taken. */
export function takeChunk(job: ChunkJob): number | undefined {
  const index = Atomics.add(new Int32Array(job.next), 0, 1);
  return index < job.chunks.length ? index : undefined;
}

/** Hands out no more chunks (after a failure: the ones after it do not matter). */
export function stopChunks(job: ChunkJob): void {
  Atomics.store(new Int32Array(job.next), 0, job.chunks.length);
}

/**
 * Parses, filters and analyses the records of chunk `index` and writes its shards, synchronously.
 * Never throws: a failure comes back as `{ failure }` (and its shards are deleted).
 */
export function runChunk(job: ChunkJob, index: number, factories: readonly ShardWriterFactory[]): ChunkOutcome {
  const chunk = job.chunks[index]!;
  const analyzer = createAnalyzer(job.analyzer);
  const privacy = createPrivacyPolicy(job.privacy);
  const writers: ShardWriter[] = [];
  try {
    for (const factory of factories) writers.push(factory(job.dir));
    const window = createRecordWindow(job.window);
    let records = 0;
    readRunRecordRange(chunk.path, chunk, chunk.name, (read) => {
      const record = privacy.run(read);
      if (!window.take(record)) return;
      records += 1;
      analyzer.add(record);
      for (const writer of writers) writer.add(record);
    });
    const { first, last } = window;
    return { index, result: { records, first, last, analyzer, shards: writers.map((writer) => writer.finish()) } };
  } catch (error) {
    for (const writer of writers)
      try {
        writer.dispose();
      } catch {
        // The error that stopped the chunk matters more.
      }
    if (error instanceof RecordFileError)
      return { index, failure: { message: error.message, record: { line: error.line, problem: error.problem } } };
    const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
    return { index, failure: { message, ...(stack ? { stack } : {}) } };
  }
}
