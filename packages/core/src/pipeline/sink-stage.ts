import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pRetry from 'p-retry';
import { createSpool } from '../fs/spool.js';
import type { Sink, SinkContext } from '../adapters/sink.js';
import type { Logger } from '../logging/logger.js';
import { readRunRecords } from '../records/ndjson.js';
import type { PipelineProblem, SinkOutcome } from './types.js';

export interface SinkStageOptions {
  /** The window's records, replayed for each attempt (a spool file's bytes). */
  records: () => AsyncIterable<Uint8Array>;
  context: SinkContext;
  attempts: number;
  /** First retry delay (doubling). */
  retryDelayMs?: number;
  logger: Logger;
  problems: PipelineProblem[];
}

/**
 * Writes the window to every sink, one after the other: each attempt opens a writer, replays the
 * records, commits; a failed attempt is aborted (nothing visible) and retried with back-off. A sink that
 * fails every attempt is a problem of the run; the others still write.
 */
export async function sinkStage(sinks: Sink[], options: SinkStageOptions): Promise<SinkOutcome[]> {
  const outcomes: SinkOutcome[] = [];
  for (const sink of sinks) {
    let attempts = 0;
    try {
      const commit = await pRetry(
        async () => {
          attempts += 1;
          const writer = await sink.open(options.context);
          try {
            for await (const record of readRunRecords(options.records(), `the ${sink.name} sink's spool`)) {
              const pending = writer.add(record);
              if (pending) await pending;
            }
            return await writer.commit();
          } catch (error) {
            await writer.abort(error instanceof Error ? error : new Error(String(error))).catch((cause: unknown) => options.logger.warn({ sink: sink.name, err: String(cause) }, 'could not abort the sink write'));
            throw error;
          }
        },
        {
          retries: Math.max(0, options.attempts - 1),
          minTimeout: options.retryDelayMs ?? 1000,
          factor: 2,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => options.logger.warn({ sink: sink.name, attempt: attemptNumber, retriesLeft, err: error.message }, 'a sink write failed'),
        },
      );
      outcomes.push({ sink: sink.name, written: true, attempts, rows: commit.rows });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.problems.push({ stage: 'sink', sink: sink.name, code: 'sink_failed', message: `${sink.name}: ${message}` });
      outcomes.push({ sink: sink.name, written: false, attempts, error: message });
    }
  }
  return outcomes;
}

/** The window's records on local disk while the run goes on, for the sinks to replay after the reports are stored. */
export interface SinkSpool {
  add(record: unknown): void | Promise<void>;
  records(): AsyncIterable<Uint8Array>;
  dispose(): Promise<void>;
}

export async function openSinkSpool(): Promise<SinkSpool> {
  const dir = await mkdtemp(join(tmpdir(), 'dify-logs-sink-'));
  const spool = createSpool(dir, 'records.ndjson');
  let closed: Promise<void> | undefined;
  return {
    add: (record) => spool.write(`${JSON.stringify(record)}\n`),
    records: () => ({
      async *[Symbol.asyncIterator]() {
        await (closed ??= spool.close());
        yield* spool.read();
      },
    }),
    dispose: async () => {
      await spool.dispose().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
