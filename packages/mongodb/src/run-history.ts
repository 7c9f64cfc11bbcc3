import type { DeploymentRun } from '@dify-logs/core/adapter-kit';
import type { Filter } from 'mongodb';
import { databases, type RunHistory, type RunHistoryOptions } from '@dify-logs/core/adapter-kit';
import { mongoConnection, upsert, type MongoOptions } from './connection.js';

const { limitOf, maxLogLinesOf, startedAtMs, parseDocument, quoted } = databases;

export type MongoRunHistoryOptions = MongoOptions & RunHistoryOptions;

interface RunDocument {
  id: string;
  deployment: string;
  status: string;
  startedAt: Date;
  /** The run as JSON text (kept whole, extra fields included). */
  run: string;
  logs: string[];
  updatedAt: Date;
}

const ADAPTER = 'mongodb run history';

/**
 * Runs in the collection `<prefix>runs` (unique id; indexes on deployment + startedAt, status, startedAt); logs capped
 * with `$push` + `$slice`.
 */
export function mongoRunHistory(options: MongoRunHistoryOptions): RunHistory {
  const maxLogLines = maxLogLinesOf(options);
  const db = mongoConnection(ADAPTER, options, {
    runs: [
      { key: { id: 1 }, unique: true, name: 'id' },
      { key: { deployment: 1, startedAt: -1 }, name: 'deployment_startedAt' },
      { key: { status: 1 }, name: 'status' },
      { key: { startedAt: -1 }, name: 'startedAt' },
    ],
  });
  const runs = () => db.collection<RunDocument>('runs');
  const collectionName = `${db.prefix}runs`;
  const target = (id: string) => `${collectionName} ${quoted(id)}`;
  const toRun = (id: string, text: string) => parseDocument(ADAPTER, target(id), text) as DeploymentRun;

  return {
    async save(run) {
      const startedAt = new Date(startedAtMs(run));
      await db.run('save', target(run.id), async () => {
        const collection = await runs();
        await upsert(() =>
          collection.updateOne(
            { id: run.id },
            {
              $set: {
                deployment: run.deployment,
                status: run.status,
                startedAt,
                run: JSON.stringify(run),
                updatedAt: new Date(),
              },
              $setOnInsert: { logs: [] },
            },
            { upsert: true },
          ),
        );
      });
    },
    async appendLogs(id, lines) {
      if (lines.length === 0) return;
      await db.run('append logs to', target(id), async () => {
        await (
          await runs()
        ).updateOne(
          { id },
          {
            $push: { logs: { $each: lines.slice(-maxLogLines), $slice: -maxLogLines } },
            $set: { updatedAt: new Date() },
          },
        );
      });
    },
    async list(query = {}) {
      const filter: Filter<RunDocument> = {};
      if (query.deployment !== undefined) filter.deployment = query.deployment;
      if (query.status !== undefined) filter.status = query.status;
      const limit = limitOf(query);
      if (limit === 0) return [];
      const found = await db.run('list', collectionName, async () =>
        (await runs())
          .find(filter, { projection: { id: 1, run: 1 } })
          .sort({ startedAt: -1, id: -1 })
          .limit(limit)
          .toArray(),
      );
      return found.map((document) => toRun(document.id, document.run));
    },
    async get(id) {
      const found = await db.run('read', target(id), async () =>
        (await runs()).findOne({ id }, { projection: { run: 1, logs: 1 } }),
      );
      return found ? { run: toRun(id, found.run), logs: found.logs ?? [] } : undefined;
    },
    async prune(before) {
      const result = await db.run('prune', collectionName, async () =>
        (await runs()).deleteMany({ startedAt: { $lt: before } }),
      );
      return result.deletedCount;
    },
    close: () => db.close(),
  };
}
