import type { RunCache, StateStore } from '@dify-logs/core/adapter-kit';
import type { RunRecord } from '@dify-logs/core';
import { fitToLevel } from '@dify-logs/core/adapter-kit';
import { databases } from '@dify-logs/core/adapter-kit';
import { mongoConnection, upsert, type MongoOptions } from './connection.js';

const { emptyAppState, levelBits, parseDocument, quoted, toAppState } = databases;

export type MongoStateStoreOptions = MongoOptions;

interface AppStateDocument {
  job: string;
  app: string;
  /** JSON text: any key of `recent`/`pending` survives as it is (BSON restricts `.` and `$` in field names). */
  state: string;
  updatedAt: Date;
}
interface JsonDocument {
  key: string;
  value: string;
  updatedAt: Date;
}
interface RunCacheDocument {
  app: string;
  runId: string;
  level: number;
  record: string;
  updatedAt: Date;
}

const ADAPTER = 'mongodb state';

/**
 * App states, documents and the finished-run cache in the collections `<prefix>app_state`,
 * `<prefix>documents` and `<prefix>run_cache` (unique indexes created once), each written with one
 * `replaceOne(..., { upsert: true })`: atomic per document.
 */
export function mongoStateStore(options: MongoStateStoreOptions): StateStore {
  const db = mongoConnection(ADAPTER, options, {
    app_state: [{ key: { job: 1, app: 1 }, unique: true, name: 'job_app' }],
    documents: [{ key: { key: 1 }, unique: true, name: 'key' }],
    run_cache: [{ key: { app: 1, runId: 1 }, unique: true, name: 'app_run' }],
  });
  const states = () => db.collection<AppStateDocument>('app_state');
  const documents = () => db.collection<JsonDocument>('documents');
  const cache = () => db.collection<RunCacheDocument>('run_cache');
  const stateTarget = (job: string, app: string) => `${db.prefix}app_state (job ${quoted(job)}, app ${quoted(app)})`;
  const documentTarget = (key: string) => `${db.prefix}documents ${quoted(key)}`;
  const cacheTarget = (app: string, runId: string) =>
    `${db.prefix}run_cache (app ${quoted(app)}, run ${quoted(runId)})`;

  const runs: RunCache = {
    async get(app, runId, level) {
      const bits = levelBits(level);
      const found = await db.run('read', cacheTarget(app, runId), async () =>
        (await cache()).findOne({ app, runId, level: { $bitsAllSet: bits } }, { projection: { record: 1 } }),
      );
      if (!found) return undefined;
      try {
        return fitToLevel(JSON.parse(found.record) as RunRecord, level);
      } catch {
        return undefined;
      }
    },
    async put(app, record, level) {
      const runId = record.runId;
      if (!runId) return;
      const document: RunCacheDocument = {
        app,
        runId,
        level: levelBits(level),
        record: JSON.stringify(record),
        updatedAt: new Date(),
      };
      await db.run('write', cacheTarget(app, runId), async () => {
        const collection = await cache();
        await upsert(() => collection.replaceOne({ app, runId }, document, { upsert: true }));
      });
    },
  };

  return {
    name: 'mongodb',
    runs,
    async read(job, app) {
      const found = await db.run('read', stateTarget(job, app), async () =>
        (await states()).findOne({ job, app }, { projection: { state: 1 } }),
      );
      return found ? toAppState(ADAPTER, stateTarget(job, app), found.state) : emptyAppState();
    },
    async commit(job, app, state) {
      const document: AppStateDocument = {
        job,
        app,
        state: JSON.stringify({ watermark: state.watermark, recent: state.recent, pending: state.pending }),
        updatedAt: new Date(),
      };
      await db.run('commit', stateTarget(job, app), async () => {
        const collection = await states();
        await upsert(() => collection.replaceOne({ job, app }, document, { upsert: true }));
      });
    },
    async readDocument(key) {
      const found = await db.run('read', documentTarget(key), async () =>
        (await documents()).findOne({ key }, { projection: { value: 1 } }),
      );
      return found ? parseDocument(ADAPTER, documentTarget(key), found.value) : undefined;
    },
    async writeDocument(key, value) {
      await db.run(value === undefined ? 'delete' : 'write', documentTarget(key), async () => {
        const collection = await documents();
        if (value === undefined) await collection.deleteOne({ key });
        else
          await upsert(() =>
            collection.replaceOne(
              { key },
              { key, value: JSON.stringify(value), updatedAt: new Date() },
              { upsert: true },
            ),
          );
      });
    },
    close: () => db.close(),
  };
}
