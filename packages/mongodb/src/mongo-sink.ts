import { randomUUID } from 'node:crypto';
import { DifyConfigError, silentLogger, type Logger } from '@dify-logs/core';
import type { Sink, SinkCommit, SinkContext, SinkForgetRequest, SinkWriter } from '@dify-logs/core/adapter-kit';
import type { Db } from 'mongodb';
import { leaseClient, type ClientLease } from './client.js';
import { PREFIX, collectionsFor, type Collections } from './documents.js';
import { secretsOf, storageError } from './mongo-errors.js';
import { createMongoWriter } from './mongo-writer.js';

export interface MongoSinkOptions {
  /**
   * `mongodb://user:password@host:27017/dify`: the database of the URI (or `databaseName`). The sink uses the process's
   * client of that URI (shared with the workers' stores; connected on first use, `close()` releases it and the last
   * user closes it). Either this or `db`.
   */
  connectionString?: string;
  /** With `connectionString`: the database when the URI names none (default `dify_logs`). */
  databaseName?: string;
  /** A database of a client you own: used as it is, never closed by the sink. Either this or `connectionString`. */
  db?: Db;
  /** Prefix of every collection: letters, digits and `_`, at most 40. Default `dify_logs_`. */
  collectionPrefix?: string;
  /** Runs per staged batch. Default 1000. */
  batchSize?: number;
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

export interface MongoSink extends Sink {
  readonly name: 'mongodb';
  readonly collections: Readonly<Collections>;
  /** Creates the indexes (the first `open` does it too); a no-op when they exist. */
  ensureIndexes(): Promise<void>;
  /** Deletes the runs of end users (by `endUserSessionId`) and their node executions. */
  forget(request: SinkForgetRequest): Promise<SinkCommit>;
  /** Disconnects the client the sink opened from `connectionString`; a `db` passed in is left alone. */
  close(): Promise<void>;
}

/** Staged documents of a write that was never committed nor aborted (a killed process) expire after this. */
const STAGING_TTL_SECONDS = 7 * 24 * 3600;

/**
 * A sink that writes runs and node executions as MongoDB documents, keyed by Dify's ids (`_id` = log id,
 * node execution id): a re-written window replaces the documents in place and a run's nodes are
 * replaced. Each write is staged and merged at commit; the `windows` document marks a window complete.
 * No I/O until the first `open` or `ensureIndexes`.
 */
export function createMongoSink(options: MongoSinkOptions): MongoSink {
  if ((options.connectionString === undefined) === (options.db === undefined))
    throw new DifyConfigError('sinks.mongodb', 'pass exactly one of connectionString or db');
  const prefix = options.collectionPrefix ?? 'dify_logs_';
  if (!PREFIX.test(prefix))
    throw new DifyConfigError(
      'collectionPrefix',
      `must be letters, digits or "_", at most 40 (got ${JSON.stringify(prefix)})`,
    );
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new DifyConfigError('sinks.mongodb.batchSize', `must be a positive integer (got ${batchSize})`);
  const collections = collectionsFor(prefix);
  const logger = (options.logger ?? silentLogger).child({ sink: 'mongodb' });
  const secrets = secretsOf(options.connectionString);
  let lease: ClientLease | undefined;
  let indexed: Promise<void> | undefined;

  async function database(): Promise<Db> {
    if (options.db) return options.db;
    try {
      lease ??= leaseClient(options.connectionString!);
      await lease.client.connect();
      return lease.client.db(
        options.databaseName ??
          (new URL(options.connectionString!.replace(/^mongodb\+srv:/, 'mongodb:')).pathname.slice(1) || 'dify_logs'),
      );
    } catch (error) {
      throw storageError(error, 'connect to write', collections.runs, secrets);
    }
  }

  async function createIndexes(): Promise<void> {
    const db = await database();
    let collection = collections.runs;
    try {
      await db
        .collection(collections.runs)
        .createIndexes([
          { key: { createdAt: 1 } },
          { key: { appId: 1, createdAt: 1 } },
          { key: { status: 1, createdAt: 1 } },
          { key: { runId: 1 } },
        ]);
      collection = collections.nodes;
      await db
        .collection(collections.nodes)
        .createIndexes([
          { key: { logId: 1 } },
          { key: { createdAt: 1 } },
          { key: { nodeType: 1, createdAt: 1 } },
          { key: { modelProvider: 1, modelName: 1, createdAt: 1 } },
          { key: { status: 1, createdAt: 1 } },
        ]);
      collection = collections.windows;
      await db.collection(collections.windows).createIndexes([{ key: { job: 1, to: 1 } }]);
      collection = collections.messages;
      await db
        .collection(collections.messages)
        .createIndexes([
          { key: { appId: 1, createdAt: 1 } },
          { key: { conversationId: 1, createdAt: 1 } },
          { key: { workflowRunId: 1 } },
          { key: { endUserId: 1 } },
          { key: { appId: 1, feedback: 1, createdAt: 1 } },
        ]);
      collection = collections.conversations;
      await db
        .collection(collections.conversations)
        .createIndexes([
          { key: { appId: 1, createdAt: 1 } },
          { key: { endUserId: 1 } },
          { key: { endUserSessionId: 1 } },
        ]);
      for (const staging of [
        collections.runsStaging,
        collections.nodesStaging,
        collections.messagesStaging,
        collections.conversationsStaging,
      ]) {
        collection = staging;
        await db
          .collection(staging)
          .createIndexes([
            { key: { w: 1, logId: 1 } },
            { key: { stagedAt: 1 }, expireAfterSeconds: STAGING_TTL_SECONDS },
          ]);
      }
    } catch (error) {
      throw storageError(error, 'create the indexes of', collection, secrets);
    }
  }

  const indexOnce = (force: boolean) => {
    if (force || !indexed) {
      indexed = createIndexes().catch((error: unknown) => {
        indexed = undefined;
        throw error;
      });
    }
    return indexed;
  };

  return {
    name: 'mongodb',
    collections,
    ensureIndexes: () => indexOnce(true),
    async open(context: SinkContext): Promise<SinkWriter> {
      await indexOnce(false);
      const db = await database();
      return createMongoWriter({
        db,
        collections,
        context,
        writeId: `${context.runId}:${randomUUID()}`,
        batchSize,
        logger,
        secrets,
      });
    },
    async forget(request: SinkForgetRequest): Promise<SinkCommit> {
      await indexOnce(false);
      const db = await database();
      const filter: Record<string, unknown> = { endUserSessionId: { $in: [...request.endUsers] } };
      const from = request.from ? new Date(`${request.from.slice(0, 10)}T00:00:00.000Z`) : undefined;
      const to = request.to ? new Date(Date.parse(`${request.to.slice(0, 10)}T00:00:00.000Z`) + 86_400_000) : undefined;
      if (from || to) filter.loggedAt = { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) };
      try {
        const logIds = (
          await db
            .collection(collections.runs)
            .find(filter, { projection: { logId: 1 } })
            .toArray()
        ).map((run) => run.logId as string);
        // Their messages: their own (a Dify end-user id), those of their chatflow runs, the rest of those
        // conversations.
        const runIds = (
          await db
            .collection(collections.runs)
            .find(filter, { projection: { runId: 1 } })
            .toArray()
        ).flatMap((run) => (typeof run.runId === 'string' ? [run.runId] : []));
        const days = from || to ? { createdAt: { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) } } : {};
        const conversations = new Set<string>();
        for (const condition of [{ endUserId: { $in: [...request.endUsers] } }, { workflowRunId: { $in: runIds } }])
          for (const message of await db
            .collection(collections.messages)
            .find({ ...condition, ...days }, { projection: { conversationId: 1 } })
            .toArray())
            conversations.add(message.conversationId as string);
        const theirMessages = { conversationId: { $in: [...conversations] }, ...days };
        // Their conversations: those of the messages above, and their own (either form of the end user).
        const talks = new Set<string>();
        for (const condition of [
          { _id: { $in: [...conversations] } },
          { endUserId: { $in: [...request.endUsers] } },
          { endUserSessionId: { $in: [...request.endUsers] } },
        ])
          for (const conversation of await db
            .collection<{ _id: string }>(collections.conversations)
            .find({ ...condition, ...days }, { projection: { _id: 1 } })
            .toArray())
            talks.add(conversation._id);
        const theirConversations = { _id: { $in: [...talks] } };
        if (request.dryRun) {
          const nodes = await db.collection(collections.nodes).countDocuments({ logId: { $in: logIds } });
          const messages = await db.collection(collections.messages).countDocuments(theirMessages);
          return rowsOf(logIds.length, nodes, messages, talks.size);
        }
        // Conversations, messages and nodes first: a failure midway leaves runs that a second forget finds again.
        const gone = await db.collection<{ _id: string }>(collections.conversations).deleteMany(theirConversations);
        const messages = await db.collection(collections.messages).deleteMany(theirMessages);
        const nodes = await db.collection(collections.nodes).deleteMany({ logId: { $in: logIds } });
        const runs = await db.collection(collections.runs).deleteMany({ logId: { $in: logIds } });
        return rowsOf(runs.deletedCount, nodes.deletedCount, messages.deletedCount, gone.deletedCount);
      } catch (error) {
        throw storageError(error, 'forget end users in', collections.runs, secrets);
      }
    },
    async close(): Promise<void> {
      const held = lease;
      lease = undefined;
      indexed = undefined;
      await held?.release();
    },
  };
}

/** Rows per collection a forget removed; messages and conversations only when there were any. */
function rowsOf(runs: number, nodes: number, messages: number, conversations: number): SinkCommit {
  const chat = Object.entries({ messages, conversations }).filter(([, count]) => count > 0);
  return { rows: { runs, node_executions: nodes, ...Object.fromEntries(chat) } };
}
