import { MongoBackend } from '@agendajs/mongo-backend';
import { DifyConfigError } from '@dify-logs/core';
import { databases, type SchedulerDatabase, type SchedulerDatabaseOptions } from '@dify-logs/core/adapter-kit';
import type { AgendaBackend } from 'agenda';
import type { Db } from 'mongodb';
import { leaseClient, type ClientLease } from './client.js';
import { mongoRunHistory } from './run-history.js';
import { mongoStateStore } from './state.js';

const { IDENTIFIER_PREFIX, databaseError, redactConnectionString, secretsOf } = databases;

/** The workers' database on MongoDB: Agenda's backend, the pipeline state and the run history on one client. */
export type MongoDatabase = SchedulerDatabase<AgendaBackend>;

/**
 * Opens the workers' database: Agenda's backend, a StateStore and the run history on the process's one client of the
 * connection string (the sink of the same database shares it), connected before use; or on a `Db` you pass (never
 * closed here).
 */
export async function openMongoDatabase(
  source: string | { mongo: Db },
  options: SchedulerDatabaseOptions = {},
): Promise<MongoDatabase> {
  const prefix = options.prefix ?? 'dify_logs_';
  if (!IDENTIFIER_PREFIX.test(prefix))
    throw new DifyConfigError('worker.prefix', 'may only hold letters, digits and _ (at most 40)');
  if (typeof source !== 'string') return database(source.mongo, undefined, 'mongodb (given Db)', prefix);
  const description = redactConnectionString(source);
  const lease = leaseClient(source);
  try {
    await lease.client.connect();
  } catch (error) {
    await lease.release().catch(() => undefined);
    // A driver's message never reaches the caller with the password in it, whatever form it takes there.
    throw databaseError('mongodb', 'open the worker database', description, error, secretsOf(source));
  }
  return database(lease.client.db(), lease, description, prefix);
}

function database(db: Db, lease: ClientLease | undefined, description: string, prefix: string): MongoDatabase {
  const state = mongoStateStore({ db, collectionPrefix: prefix });
  const history = mongoRunHistory({ db, collectionPrefix: prefix });
  return {
    kind: 'mongodb',
    description,
    backend: new MongoBackend({ mongo: db, collection: `${prefix}agenda_jobs` }),
    state,
    history,
    ping: async () => void (await db.command({ ping: 1 })),
    close: async () => {
      await state.close?.();
      await history.close?.();
      await lease?.release();
    },
  };
}
