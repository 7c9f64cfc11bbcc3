import { DifyStorageError, silentLogger, type Logger } from '@dify-logs/core';
import type { Collection, Db, Document, IndexDescription } from 'mongodb';
import { leaseClient, type ClientLease } from './client.js';
import { databases } from '@dify-logs/core/adapter-kit';

const {
  IDENTIFIER_PREFIX,
  IDENTIFIER_RULE,
  assertOneSource,
  assertPrefix,
  attempt,
  redactConnectionString,
  secretsOf,
} = databases;

export interface MongoOptions {
  /**
   * `mongodb://user:password@host:27017/database`: the process's client of that URI is used (shared with the sink and
   * the workers; released by `close()`).
   */
  connectionString?: string;
  /** A database of a client this process already has: used as it is, never closed here. */
  db?: Db;
  /** Prefix of every collection (letters, digits, `_`; at most 40; default `dify_logs_`). */
  collectionPrefix?: string;
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

export interface MongoConnection {
  readonly prefix: string;
  /** The collection `<prefix><suffix>`, its indexes created once (on first use). */
  collection<T extends Document>(suffix: string): Promise<Collection<T>>;
  /** Runs an operation; a failure names `target`. */
  run<T>(action: string, target: string, operation: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The process's shared MongoClient of the URI (or the Db given), released on `close()` only when leased here. */
export function mongoConnection(
  adapter: string,
  options: MongoOptions,
  indexes: Record<string, IndexDescription[]>,
): MongoConnection {
  assertOneSource(['connectionString', 'db'], [options.connectionString, options.db]);
  const prefix = options.collectionPrefix ?? 'dify_logs_';
  assertPrefix('collectionPrefix', prefix, IDENTIFIER_PREFIX, IDENTIFIER_RULE);
  const logger = (options.logger ?? silentLogger).child({ adapter });
  const secrets = secretsOf(options.connectionString);
  const ready = new Map<string, Promise<Collection<Document>>>();
  let lease: ClientLease | undefined;
  let closed = false;

  function database(): Db {
    if (closed) throw new DifyStorageError(adapter, 'storage_failed', 'used after close()');
    if (options.db) return options.db;
    if (!lease) {
      lease = leaseClient(options.connectionString!);
      logger.debug({ database: redactConnectionString(options.connectionString!) }, 'MongoDB client leased');
    }
    return lease.client.db();
  }

  async function prepare(name: string, wanted: IndexDescription[]): Promise<Collection<Document>> {
    const collection = database().collection(name);
    if (wanted.length > 0) await collection.createIndexes(wanted);
    return collection;
  }

  return {
    prefix,
    collection<T extends Document>(suffix: string): Promise<Collection<T>> {
      const name = `${prefix}${suffix}`;
      let found = ready.get(name);
      if (!found) {
        found = attempt(adapter, 'create indexes of', `collection ${name}`, secrets, () =>
          prepare(name, indexes[suffix] ?? []),
        );
        ready.set(name, found);
        found.catch(() => ready.delete(name));
      }
      return found as unknown as Promise<Collection<T>>;
    },
    run: (action, target, operation) => attempt(adapter, action, target, secrets, operation),
    async close() {
      if (closed) return;
      closed = true;
      await lease?.release();
    },
  };
}

/** Whether an error is a duplicate key (two upserts inserting the same new document at once). */
export const isDuplicateKey = (error: unknown) => (error as { code?: unknown } | null)?.code === 11000;

/** Runs an upsert, once more when a racing upsert inserted the same document first. */
export async function upsert<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return operation();
  }
}
