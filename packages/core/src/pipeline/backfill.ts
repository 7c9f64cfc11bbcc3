import { DifyConfigError } from '../errors/config-error.js';
import { runPipeline } from './run-pipeline.js';
import type { PipelineDeps, PipelineJob, PipelineResult } from './types.js';
import { assertTimezone, resolveTime, startOfDayIn } from '../time/window.js';

export interface BackfillOptions {
  /** Start of the range: ISO-8601 or a template (`{{last_month}}`), in the job's time zone. */
  from: string;
  /** End of the range (exclusive in practice: the next chunk would start there). */
  to: string;
  /** Called after each chunk, for progress displays. */
  onChunk?: (chunk: BackfillChunk) => void;
  /** Stop before the next chunk (the finished ones stay done; a later call resumes). */
  signal?: AbortSignal;
}

export interface BackfillChunk {
  from: string;
  to: string;
  /** `skipped`: done by an earlier, interrupted backfill of the same range. */
  status: PipelineResult['status'] | 'skipped';
  runId?: string;
  records?: number;
}

export interface BackfillResult {
  job: string;
  from: string;
  to: string;
  /**
   * `failed` when a chunk failed (the backfill stopped there), `partial` when a chunk was partial, `aborted` when
   * stopped by the signal.
   */
  status: 'succeeded' | 'partial' | 'failed' | 'aborted';
  chunks: BackfillChunk[];
  results: PipelineResult[];
}

/** Where a backfill keeps its progress in the state store: its own key, never the job's incremental watermark. */
export function backfillStateKey(job: string, from: Date, to: Date): { job: string; app: string } {
  return { job: `${job}#backfill`, app: `${from.toISOString()}..${to.toISOString()}` };
}

/** The day-sized chunks of a range: local midnight to local midnight in `timezone` (23 or 25 hours across DST). */
export function dayChunks(from: Date, to: Date, timezone: string): Array<{ from: Date; to: Date }> {
  const chunks: Array<{ from: Date; to: Date }> = [];
  for (let start = from; start.getTime() < to.getTime();) {
    const midnight = startOfDayIn(start, timezone, 1);
    const end = midnight.getTime() < to.getTime() ? midnight : to;
    chunks.push({ from: start, to: end });
    start = end;
  }
  return chunks;
}

/**
 * Re-processes a historical range as explicit day-sized pipeline runs, oldest first, each with its
 * own archive and reports. Progress is committed to the state store after every chunk that stored
 * its reports, so an interrupted backfill (crash, kill, `signal`) resumes at the first unfinished day
 * when called again with the same range. Finished runs already enriched come from the run cache.
 * A `failed` chunk (storage down) stops the backfill; a `partial` one (an app failed) is recorded and
 * the backfill goes on: its result names the day, to be redone with an explicit run.
 */
export async function backfill(
  job: PipelineJob,
  deps: PipelineDeps,
  options: BackfillOptions,
): Promise<BackfillResult> {
  const timezone = job.timezone ?? 'UTC';
  assertTimezone(timezone);
  const now = deps.now?.() ?? new Date();
  const from = resolveTime(options.from, { now, timezone, key: 'backfill.from' });
  const to = resolveTime(options.to, { now, timezone, key: 'backfill.to' });
  if (from.getTime() >= to.getTime())
    throw new DifyConfigError('backfill.from', `${from.toISOString()} must be before backfill.to ${to.toISOString()}`);
  if (to.getTime() > now.getTime())
    throw new DifyConfigError(
      'backfill.to',
      `${to.toISOString()} is in the future; a backfill covers finished days (use \`run\` for today)`,
    );

  const key = backfillStateKey(job.name, from, to);
  const progress = await deps.state.read(key.job, key.app);
  const doneUntil = progress.watermark ? new Date(progress.watermark).getTime() : from.getTime();
  const result: BackfillResult = {
    job: job.name,
    from: from.toISOString(),
    to: to.toISOString(),
    status: 'succeeded',
    chunks: [],
    results: [],
  };

  for (const chunk of dayChunks(from, to, timezone)) {
    const window = { from: chunk.from.toISOString(), to: chunk.to.toISOString() };
    if (chunk.to.getTime() <= doneUntil) {
      result.chunks.push({ ...window, status: 'skipped' });
      options.onChunk?.(result.chunks.at(-1)!);
      continue;
    }
    if (options.signal?.aborted) {
      result.status = 'aborted';
      break;
    }
    const run = await runPipeline({ ...job, window: { mode: 'explicit', ...window } }, { ...deps, runId: undefined });
    result.results.push(run);
    const records = Object.values(run.counts).reduce((sum, counts) => sum + counts.records, 0);
    result.chunks.push({ ...window, status: run.status, runId: run.runId, records });
    options.onChunk?.(result.chunks.at(-1)!);
    if (run.status === 'failed') {
      result.status = 'failed';
      break;
    }
    if (run.status === 'partial') result.status = 'partial';
    await deps.state.commit(key.job, key.app, { watermark: window.to, recent: {}, pending: {} });
  }
  return result;
}
