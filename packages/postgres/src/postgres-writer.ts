import type { ConversationRecord, Logger, MessageRecord, RunRecord } from '@dify-logs/core';
import type { SinkCommit, SinkContext, SinkWriter } from '@dify-logs/core/adapter-kit';
import type { PoolClient } from 'pg';
import { storageError } from './postgres-errors.js';
import {
  CONVERSATION_COLUMNS,
  MESSAGE_COLUMNS,
  NODE_COLUMNS,
  RUN_COLUMNS,
  batchJson,
  conversationRow,
  messageRow,
  nodeRow,
  runRow,
} from './rows.js';
import type { Statements } from './sql.js';
import type { Tables } from './tables.js';

export interface WriterOptions {
  /** A client of its own, inside `BEGIN`; released (destroyed after a failure) when the write ends. */
  client: PoolClient;
  tables: Tables;
  statements: Statements;
  context: SinkContext;
  batchSize: number;
  maxBatchBytes: number;
  logger: Logger;
  secrets: readonly string[];
}

/** Records added between two turns of the event loop while a batch is being written. */
const YIELD_EVERY = 64;

/** Records waiting to be written: runs by log id, their node rows by node execution id. */
class Batch {
  readonly runs = new Map<string, unknown[]>();
  readonly nodes = new Map<string, unknown[]>();
  /** Runs whose nodes were fetched: their stored nodes are replaced. */
  readonly replaced: string[] = [];
  /** Chat messages by message id. */
  readonly messages = new Map<string, unknown[]>();
  /** Conversations as they came (one may come twice: the statement keeps its newest version). */
  readonly conversations: unknown[][] = [];
  bytes = 0;
  get size(): number {
    return this.runs.size + this.messages.size + this.conversations.length;
  }
}

/** About the bytes a row sends (its strings): batches stay bounded in memory whatever the records hold. */
function sizeOf(row: unknown[]): number {
  let bytes = 16 * row.length;
  for (const value of row) if (typeof value === 'string') bytes += value.length;
  return bytes;
}

/** Rows in statements of at most `maxRows` rows and about `maxBytes` (a row larger than that goes alone). */
function* chunks(rows: unknown[][], maxRows: number, maxBytes: number): Generator<unknown[][]> {
  let chunk: unknown[][] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > maxBytes)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * One window's write: one transaction on one client. Records are buffered into batches of `batchSize`
 * runs (or `maxBatchBytes`), each batch upserted while the next one fills; `add` returns a promise only
 * when a second batch would queue behind the one being written (backpressure, at most two batches held).
 */
export function createPostgresWriter(options: WriterOptions): SinkWriter {
  const { client, tables, statements, context, logger } = options;
  const window = { job: context.job, runId: context.runId };
  let batch = new Batch();
  let tail: Promise<void> = Promise.resolve();
  let queued = 0;
  let failure: Error | undefined;
  let table = tables.runs;
  let state: 'open' | 'committing' | 'done' = 'open';
  const totals = { runs: 0, nodes: 0, messages: 0, conversations: 0 };
  let sinceYield = 0;

  const onClientError = (error: Error) => {
    failure ??= storageError(error, 'write', table, options.secrets);
  };
  client.on('error', onClientError);
  let released = false;
  const release = (broken: boolean) => {
    if (released) return;
    released = true;
    client.off('error', onClientError);
    client.release(broken ? true : undefined);
  };

  /** Rolls back and gives the client back; a client that cannot roll back is destroyed (which rolls back too). */
  const rollback = async () => {
    try {
      await client.query('ROLLBACK');
      release(false);
    } catch (error) {
      release(true);
      logger.warn(
        {
          job: context.job,
          runId: context.runId,
          err: storageError(error, 'roll back', table, options.secrets).message,
        },
        'could not roll back; the connection is dropped, which rolls back',
      );
    }
  };

  const query = async (name: string, text: string, values: unknown[]): Promise<number> => {
    const result = await client.query({ name: `dify_logs:${tables.prefix}:${name}`, text, values });
    return result.rowCount ?? 0;
  };

  async function write(pending: Batch): Promise<void> {
    const started = performance.now();
    table = tables.runs;
    if (pending.runs.size > 0)
      totals.runs += await query('upsert_runs', statements.upsertRuns, [
        batchJson([...pending.runs.values()], RUN_COLUMNS),
      ]);
    table = tables.nodes;
    if (pending.replaced.length > 0) await query('delete_nodes', statements.deleteNodes, [pending.replaced]);
    for (const chunk of chunks([...pending.nodes.values()], options.batchSize * 10, options.maxBatchBytes)) {
      totals.nodes += await query('upsert_nodes', statements.upsertNodes, [batchJson(chunk, NODE_COLUMNS)]);
    }
    table = tables.messages;
    for (const chunk of chunks([...pending.messages.values()], options.batchSize, options.maxBatchBytes)) {
      totals.messages += await query('upsert_messages', statements.upsertMessages, [batchJson(chunk, MESSAGE_COLUMNS)]);
    }
    table = tables.conversations;
    for (const chunk of chunks(pending.conversations, options.batchSize, options.maxBatchBytes)) {
      const rows = [batchJson(chunk, CONVERSATION_COLUMNS)];
      totals.conversations += await query('upsert_conversations', statements.upsertConversations, rows);
    }
    logger.debug(
      { runs: pending.runs.size, nodes: pending.nodes.size, ms: Math.round(performance.now() - started) },
      'batch written',
    );
  }

  /** Queues the current batch behind the ones being written; resolves when the caller may go on. */
  function flush(): Promise<void> | undefined {
    const pending = batch;
    batch = new Batch();
    if (pending.size === 0) return undefined;
    queued += 1;
    const previous = tail;
    tail = previous.then(async () => {
      try {
        if (!failure) await write(pending);
      } catch (error) {
        failure ??= storageError(error, 'write', table, options.secrets);
      } finally {
        queued -= 1;
      }
    });
    if (queued < 2) return undefined;
    return previous.then(() => {
      if (failure) throw failure;
    });
  }

  /** Throws when a record comes after a failure, or after commit or abort. */
  function acceptingRecords(): void {
    if (failure) throw failure;
    if (state !== 'open')
      throw new Error(
        `the postgres sink's write of ${context.job}/${context.runId}` +
          ` is already ${state === 'done' ? 'finished' : 'committing'}`,
      );
  }

  return {
    add(record: RunRecord) {
      acceptingRecords();
      // The same run twice in one window: the earlier copy is written first, so the later one wins whole.
      const waited = batch.runs.has(record.logId) ? flush() : undefined;
      const row = runRow(record, window);
      batch.runs.set(record.logId, row);
      batch.bytes += sizeOf(row);
      if (record.nodes) {
        batch.replaced.push(record.logId);
        for (const node of record.nodes) {
          const nodeRowValues = nodeRow(node, record);
          batch.nodes.set(node.id, nodeRowValues);
          batch.bytes += sizeOf(nodeRowValues);
        }
      }
      const full = batch.runs.size >= options.batchSize || batch.bytes >= options.maxBatchBytes ? flush() : undefined;
      if (waited && full) return Promise.all([waited, full]).then(() => undefined);
      if (waited ?? full) return waited ?? full;
      // While a batch is being written, let the event loop run now and then: the server's answers are read,
      // and the batch's next statement sent, even when the caller adds records without awaiting anything else.
      if (queued > 0 && (sinceYield += 1) >= YIELD_EVERY) {
        sinceYield = 0;
        return new Promise<void>((resolve) => setImmediate(resolve));
      }
      return undefined;
    },

    addMessage(message: MessageRecord) {
      acceptingRecords();
      const row = messageRow(message, window);
      batch.messages.set(message.messageId, row);
      batch.bytes += sizeOf(row);
      return batch.size >= options.batchSize || batch.bytes >= options.maxBatchBytes ? flush() : undefined;
    },

    addConversation(conversation: ConversationRecord) {
      acceptingRecords();
      const row = conversationRow(conversation, window);
      batch.conversations.push(row);
      batch.bytes += sizeOf(row);
      return batch.size >= options.batchSize || batch.bytes >= options.maxBatchBytes ? flush() : undefined;
    },

    async commit(): Promise<SinkCommit> {
      if (state !== 'open')
        throw new Error(
          `the postgres sink's write of ${context.job}/${context.runId} was already committed or aborted`,
        );
      state = 'committing';
      flush();
      await tail;
      try {
        if (failure) throw failure;
        table = tables.windows;
        const { from, to, timezone } = context.window;
        await client.query(statements.upsertWindow, [
          context.job,
          context.runId,
          from,
          to,
          timezone,
          totals.runs,
          totals.nodes,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        failure = storageError(error, 'commit', table, options.secrets);
        // A failed commit ends the write: nothing of it is visible, and `abort` has nothing left to do.
        state = 'done';
        await rollback();
        throw failure;
      }
      state = 'done';
      release(false);
      logger.debug(
        { job: context.job, runId: context.runId, runs: totals.runs, nodes: totals.nodes },
        'window committed',
      );
      return {
        rows: {
          runs: totals.runs,
          node_executions: totals.nodes,
          ...(totals.messages > 0 ? { messages: totals.messages } : {}),
          ...(totals.conversations > 0 ? { conversations: totals.conversations } : {}),
          windows: 1,
        },
      };
    },

    async abort(reason: Error): Promise<void> {
      if (state === 'done') return;
      state = 'done';
      batch = new Batch();
      failure ??= reason;
      await tail;
      await rollback();
      logger.debug({ job: context.job, runId: context.runId, reason: reason.message }, 'window aborted');
    },
  };
}
