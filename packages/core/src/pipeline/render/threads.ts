import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Analyzer } from '../../analysis/analyzer.js';
import { lineStartFrom } from '../../records/ndjson-range.js';
import {
  runChunk,
  stopChunks,
  takeChunk,
  type Chunk,
  type ChunkJob,
  type ChunkOutcome,
  type ShardWriterFactory,
  type WorkerMessage,
} from './chunks.js';
import type { AnalyzerSnapshot } from '../../analysis/snapshot.js';

/**
 * Below this many bytes of input (about 50 000 records), one thread is about as fast: a worker takes ~0.5 s of CPU to
 * start (it loads core and the reporters' shard modules), and the shards are copied once more.
 */
export const PARALLEL_MIN_BYTES = 64 * 2 ** 20;
/** Default thread count at most: each worker holds its own heap (about 50–70 MB). */
export const MAX_DEFAULT_THREADS = 4;

/**
 * Heap limits of a worker: lower than V8's defaults, so that the heaps stay small (peak RSS) while parsing makes much
 * short-lived garbage. A worker that runs out of memory makes the report fall back to one thread.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 };

/** Threads for `bytes` of files when none are asked for: the cores, at most MAX_DEFAULT_THREADS, for large input. */
export function defaultThreads(bytes: number): number {
  return bytes >= PARALLEL_MIN_BYTES ? Math.max(1, Math.min(MAX_DEFAULT_THREADS, availableParallelism())) : 1;
}

/** An input file with its size in bytes (read once, by `renderReports`). */
export interface SizedFile {
  path: string;
  name: string;
  size: number;
}

/** Chunk size for `threads` threads: about 16 chunks each (so they finish close together), between 2 and 16 MiB. */
export function chunkBytesFor(totalBytes: number, threads: number): number {
  return Math.min(16 * 2 ** 20, Math.max(2 * 2 ** 20, Math.ceil(totalBytes / (threads * 16))));
}

/**
 * Cuts `files` into chunks of about `chunkBytes` that start at line starts: the units threads take (small enough that
 * the threads finish together, large enough that a chunk's own costs do not matter).
 */
export function planChunks(files: readonly SizedFile[], chunkBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (const { path, name, size } of files) {
    for (let start = 0; start < size;) {
      const end = start + chunkBytes >= size ? size : lineStartFrom(path, start + chunkBytes);
      chunks.push({ path, name, start, end });
      start = end;
    }
  }
  return chunks;
}

/** The built worker (`render-worker.js` beside this bundle); undefined when running from source. */
export function workerScript(): URL | undefined {
  const script = new URL('./render-worker.js', import.meta.url);
  return !import.meta.url.endsWith('.ts') && existsSync(fileURLToPath(script)) ? script : undefined;
}

/** Where chunk outcomes go (in any order). */
export interface OutcomeSink {
  add(outcome: ChunkOutcome<Analyzer | AnalyzerSnapshot>): void;
}

/**
 * Runs every chunk of `job`: `workers` worker threads and this thread take chunks until none is left. This thread
 * yields to the event loop between its chunks, so the workers' outcomes are taken as they come. After a failure no
 * more chunks are handed out; the ones in progress finish.
 */
export async function runChunks(
  job: ChunkJob,
  sink: OutcomeSink,
  factories: readonly ShardWriterFactory[],
  script: URL | undefined,
  workers: number,
): Promise<void> {
  const running = script
    ? Array.from({ length: Math.min(workers, job.chunks.length - 1) }, () => startWorker(script, job, sink))
    : [];
  for (let index = takeChunk(job); index !== undefined; index = takeChunk(job)) {
    const outcome = runChunk(job, index, factories);
    if ('failure' in outcome) stopChunks(job);
    sink.add(outcome);
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

/**
 * A worker thread taking chunks; resolves when it is done (a crash counts as a failure of the job). A worker that
 * cannot be made (this process's options include one workers refuse, like `--max-semi-space-size`) takes no chunk:
 * the others and this thread take them all.
 */
function startWorker(script: URL, job: ChunkJob, sink: OutcomeSink): Promise<void> {
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: job, resourceLimits: WORKER_LIMITS, execArgv: workerExecArgv() });
  } catch {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let finished = false;
    const crashed = (message: string, stack?: string) => {
      if (finished) return;
      finished = true;
      // Whatever chunk it held is lost: the job is done again on one thread (unless the input has a bad line before).
      stopChunks(job);
      sink.add({ index: job.chunks.length, failure: { message, ...(stack ? { stack } : {}), workerCrashed: true } });
      resolve();
    };
    worker.on('message', (message: WorkerMessage) => {
      if (!('done' in message)) sink.add(message);
      else if (!finished) {
        finished = true;
        resolve();
      }
    });
    worker.once('error', (error) => crashed(error.message, error.stack));
    worker.once('exit', (code) => crashed(`a report worker thread stopped (exit code ${code})`));
  });
}
