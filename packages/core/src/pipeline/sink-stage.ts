import pRetry from 'p-retry';
import type { Sink, SinkContext } from '../adapters/sink.js';
import type { Logger } from '../logging/logger.js';
import { readRunRecords } from '../records/ndjson.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import type { PipelineProblem, SinkOutcome } from './types.js';

export interface SinkStageOptions {
  /** The window's records, replayed for each attempt (a spool file's bytes). */
  records: () => AsyncIterable<Uint8Array>;
  /** The window's chat messages, replayed for each attempt to the sinks that take them. */
  messages?: () => AsyncIterable<MessageRecord>;
  /** Their conversations, replayed likewise to the sinks that take them. */
  conversations?: () => AsyncIterable<ConversationRecord>;
  context: SinkContext;
  attempts: number;
  /** First retry delay (doubling). */
  retryDelayMs?: number;
  logger: Logger;
}

/**
 * Writes the window to every sink, one after the other: each attempt opens a writer, replays the
 * records, commits; a failed attempt is aborted (nothing visible) and retried with back-off. A sink that
 * fails every attempt is a problem of the run; the others still write.
 */
export async function sinkStage(
  sinks: Sink[],
  options: SinkStageOptions,
): Promise<{ outcomes: SinkOutcome[]; problems: PipelineProblem[] }> {
  const outcomes: SinkOutcome[] = [];
  const problems: PipelineProblem[] = [];
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
            if (writer.addMessage && options.messages)
              for await (const message of options.messages()) {
                const pending = writer.addMessage(message);
                if (pending) await pending;
              }
            if (writer.addConversation && options.conversations)
              for await (const conversation of options.conversations()) {
                const pending = writer.addConversation(conversation);
                if (pending) await pending;
              }
            return await writer.commit();
          } catch (error) {
            await writer
              .abort(error instanceof Error ? error : new Error(String(error)))
              .catch((cause: unknown) =>
                options.logger.warn({ sink: sink.name, err: String(cause) }, 'could not abort the sink write'),
              );
            throw error;
          }
        },
        {
          retries: Math.max(0, options.attempts - 1),
          minTimeout: options.retryDelayMs ?? 1000,
          factor: 2,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) =>
            options.logger.warn(
              { sink: sink.name, attempt: attemptNumber, retriesLeft, err: error.message },
              'a sink write failed',
            ),
        },
      );
      outcomes.push({ sink: sink.name, written: true, attempts, rows: commit.rows });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push({
        stage: 'sink',
        sink: sink.name,
        code: 'sink_failed',
        message: `${sink.name}: ${message}`,
      });
      outcomes.push({ sink: sink.name, written: false, attempts, error: message });
    }
  }
  return { outcomes, problems };
}
