import type { ConversationRecord, Logger, MessageRecord, RunRecord } from '@dify-logs/core';
import type { SinkCommit, SinkContext, SinkWriter } from '@dify-logs/core/adapter-kit';
import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import {
  NEWEST_CONVERSATION,
  conversationDocument,
  messageDocument,
  nodeDocument,
  runDocument,
  type Collections,
} from './documents.js';
import { storageError } from './mongo-errors.js';

export interface WriterOptions {
  db: Db;
  collections: Collections;
  context: SinkContext;
  /** Unique to this write (one attempt of one window). */
  writeId: string;
  batchSize: number;
  logger: Logger;
  secrets: readonly string[];
}

/** Every document of the sink has a string `_id` (a Dify id, or the staging key `<write id>|<Dify id>`). */
type Keyed = Document & { _id: string };

interface Batch {
  runs: AnyBulkWriteOperation<Keyed>[];
  nodes: AnyBulkWriteOperation<Keyed>[];
  /** Runs of this batch whose nodes were fetched: nodes staged for them by an earlier batch are dropped. */
  fetched: string[];
  logIds: Set<string>;
  messages: AnyBulkWriteOperation<Keyed>[];
  /** Staged per version: two versions of a conversation in one window both wait, and the merge keeps the newer. */
  conversations: AnyBulkWriteOperation<Keyed>[];
}

const newBatch = (): Batch => ({
  runs: [],
  nodes: [],
  fetched: [],
  logIds: new Set(),
  messages: [],
  conversations: [],
});
const sizeOf = (batch: Batch) => batch.runs.length + batch.messages.length + batch.conversations.length;
const staged = (writeId: string, key: string) => `${writeId}|${key}`;

/**
 * One window's write. Documents are staged in `<prefix>*_staging` under this write's id (batches of
 * `batchSize`, one written while the next fills); nothing reaches `runs` or `node_executions` before
 * `commit`, which merges the staged documents server-side (`$merge`), replaces the nodes of re-written runs,
 * writes the `windows` document and drops the staging. `abort` drops the staging only.
 */
export function createMongoWriter(options: WriterOptions): SinkWriter {
  const { db, collections, context, writeId, logger } = options;
  const window = { job: context.job, runId: context.runId };
  let batch = newBatch();
  let tail: Promise<void> = Promise.resolve();
  let queued = 0;
  let failure: Error | undefined;
  let collection = collections.runsStaging;
  let state: 'open' | 'committing' | 'done' = 'open';
  const totals = { runs: 0, nodes: 0, messages: 0, conversations: 0 };

  async function write(pending: Batch): Promise<void> {
    collection = collections.runsStaging;
    if (pending.runs.length > 0)
      totals.runs += (
        await db.collection<Keyed>(collections.runsStaging).bulkWrite(pending.runs, { ordered: true })
      ).upsertedCount;
    collection = collections.messagesStaging;
    if (pending.messages.length > 0)
      totals.messages += (
        await db.collection<Keyed>(collections.messagesStaging).bulkWrite(pending.messages, { ordered: true })
      ).upsertedCount;
    collection = collections.conversationsStaging;
    if (pending.conversations.length > 0)
      totals.conversations += (
        await db.collection<Keyed>(collections.conversationsStaging).bulkWrite(pending.conversations, { ordered: true })
      ).upsertedCount;
    collection = collections.nodesStaging;
    if (pending.fetched.length > 0)
      await db.collection<Keyed>(collections.nodesStaging).deleteMany({ w: writeId, logId: { $in: pending.fetched } });
    if (pending.nodes.length > 0)
      totals.nodes += (
        await db.collection<Keyed>(collections.nodesStaging).bulkWrite(pending.nodes, { ordered: true })
      ).upsertedCount;
  }

  function flush(): Promise<void> | undefined {
    const pending = batch;
    batch = newBatch();
    if (sizeOf(pending) === 0) return undefined;
    queued += 1;
    const previous = tail;
    tail = previous.then(async () => {
      try {
        if (!failure) await write(pending);
      } catch (error) {
        failure ??= storageError(error, 'write', collection, options.secrets);
      } finally {
        queued -= 1;
      }
    });
    if (queued < 2) return undefined;
    return previous.then(() => {
      if (failure) throw failure;
    });
  }

  async function dropStaging(): Promise<void> {
    await db.collection<Keyed>(collections.runsStaging).deleteMany({ w: writeId });
    await db.collection<Keyed>(collections.nodesStaging).deleteMany({ w: writeId });
    await db.collection<Keyed>(collections.messagesStaging).deleteMany({ w: writeId });
    await db.collection<Keyed>(collections.conversationsStaging).deleteMany({ w: writeId });
  }

  /** Moves the staged documents into place: runs, then the new nodes, then the old nodes of re-written runs go. */
  async function merge(): Promise<void> {
    collection = collections.runs;
    await db
      .collection(collections.runsStaging)
      .aggregate([
        { $match: { w: writeId } },
        { $replaceWith: '$doc' },
        {
          $merge: {
            into: collections.runs,
            on: '_id',
            // A run written without its nodes (not fetched) keeps what the stored nodes said.
            whenMatched: [
              {
                $replaceWith: {
                  $cond: [
                    { $eq: ['$$new.nodeCount', null] },
                    {
                      $mergeObjects: [
                        '$$new',
                        {
                          nodeCount: '$nodeCount',
                          nodeTokens: '$nodeTokens',
                          totalPrice: '$totalPrice',
                          currency: '$currency',
                          effectiveTokens: { $max: ['$$new.totalTokens', '$nodeTokens'] },
                        },
                      ],
                    },
                    '$$new',
                  ],
                },
              },
            ],
            whenNotMatched: 'insert',
          },
        },
      ])
      .toArray();
    collection = collections.nodes;
    await db
      .collection(collections.nodesStaging)
      .aggregate([
        { $match: { w: writeId } },
        { $replaceWith: '$doc' },
        { $merge: { into: collections.nodes, on: '_id', whenMatched: 'replace', whenNotMatched: 'insert' } },
      ])
      .toArray();
    collection = collections.messages;
    await db
      .collection(collections.messagesStaging)
      .aggregate([
        { $match: { w: writeId } },
        { $replaceWith: '$doc' },
        { $merge: { into: collections.messages, on: '_id', whenMatched: 'replace', whenNotMatched: 'insert' } },
      ])
      .toArray();
    collection = collections.conversations;
    await db
      .collection(collections.conversationsStaging)
      .aggregate([
        { $match: { w: writeId } },
        { $replaceWith: '$doc' },
        {
          $merge: {
            into: collections.conversations,
            on: '_id',
            whenMatched: NEWEST_CONVERSATION,
            whenNotMatched: 'insert',
          },
        },
      ])
      .toArray();
    const fetched = db
      .collection<Keyed>(collections.runsStaging)
      .find({ w: writeId, fetched: true }, { projection: { logId: 1 } });
    let logIds: string[] = [];
    const dropOld = async () => {
      if (logIds.length > 0)
        await db.collection<Keyed>(collections.nodes).deleteMany({ logId: { $in: logIds }, writeId: { $ne: writeId } });
      logIds = [];
    };
    for await (const run of fetched) {
      logIds.push(run.logId as string);
      if (logIds.length >= options.batchSize) await dropOld();
    }
    await dropOld();
  }

  /** Throws when a record comes after a failure, or after commit or abort. */
  function acceptingRecords(): void {
    if (failure) throw failure;
    if (state !== 'open')
      throw new Error(
        `the mongodb sink's write of ${context.job}/${context.runId}` +
          ` is already ${state === 'done' ? 'finished' : 'committing'}`,
      );
  }

  return {
    add(record: RunRecord) {
      acceptingRecords();
      // The same run twice in one window: the earlier copy is staged first, so the later one wins whole.
      const waited = batch.logIds.has(record.logId) ? flush() : undefined;
      batch.logIds.add(record.logId);
      const now = new Date();
      batch.runs.push({
        replaceOne: {
          filter: { _id: staged(writeId, record.logId) },
          replacement: {
            w: writeId,
            logId: record.logId,
            fetched: record.nodes !== null,
            stagedAt: now,
            doc: runDocument(record, window, now),
          },
          upsert: true,
        },
      });
      if (record.nodes) {
        batch.fetched.push(record.logId);
        for (const node of record.nodes) {
          batch.nodes.push({
            replaceOne: {
              filter: { _id: staged(writeId, node.id) },
              replacement: { w: writeId, logId: record.logId, stagedAt: now, doc: nodeDocument(node, record, writeId) },
              upsert: true,
            },
          });
        }
      }
      const full = batch.runs.length >= options.batchSize ? flush() : undefined;
      if (waited && full) return Promise.all([waited, full]).then(() => undefined);
      return waited ?? full;
    },

    addMessage(message: MessageRecord) {
      acceptingRecords();
      const now = new Date();
      batch.messages.push({
        replaceOne: {
          filter: { _id: staged(writeId, message.messageId) },
          replacement: { w: writeId, stagedAt: now, doc: messageDocument(message, window, now) },
          upsert: true,
        },
      });
      return sizeOf(batch) >= options.batchSize ? flush() : undefined;
    },

    addConversation(conversation: ConversationRecord) {
      acceptingRecords();
      const now = new Date();
      const version = conversation.updatedAt ?? conversation.createdAt;
      batch.conversations.push({
        replaceOne: {
          filter: { _id: staged(writeId, `${conversation.conversationId}|${version}`) },
          replacement: { w: writeId, stagedAt: now, doc: conversationDocument(conversation, window, now) },
          upsert: true,
        },
      });
      return sizeOf(batch) >= options.batchSize ? flush() : undefined;
    },

    async commit(): Promise<SinkCommit> {
      if (state !== 'open')
        throw new Error(`the mongodb sink's write of ${context.job}/${context.runId} was already committed or aborted`);
      state = 'committing';
      flush();
      await tail;
      try {
        if (failure) throw failure;
        await merge();
        collection = collections.windows;
        const { from, to, timezone } = context.window;
        await db.collection<Keyed>(collections.windows).replaceOne(
          { _id: `${context.job}/${context.runId}` },
          {
            job: context.job,
            runId: context.runId,
            from: new Date(from),
            to: new Date(to),
            timezone,
            runs: totals.runs,
            nodeExecutions: totals.nodes,
            completedAt: new Date(),
          },
          { upsert: true },
        );
        collection = collections.runsStaging;
        await dropStaging();
      } catch (error) {
        failure = storageError(error, 'commit', collection, options.secrets);
        // A failed commit ends the write (its staging goes); the retry writes the window whole.
        state = 'done';
        await dropStaging().catch(() => undefined);
        throw failure;
      }
      state = 'done';
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
      batch = newBatch();
      failure ??= reason;
      await tail;
      try {
        await dropStaging();
      } catch (error) {
        logger.warn(
          {
            job: context.job,
            runId: context.runId,
            err: storageError(error, 'drop the staging of', collections.runsStaging, options.secrets).message,
          },
          'could not drop an aborted write; its staged documents expire after 7 days',
        );
      }
      logger.debug({ job: context.job, runId: context.runId, reason: reason.message }, 'window aborted');
    },
  };
}
