import { MongoClient } from 'mongodb';

/** A use of a client: `release()` once; the client closes with its last user. */
export interface ClientLease {
  readonly client: MongoClient;
  release(): Promise<void>;
}

const shared = new Map<string, { client: MongoClient; users: number }>();

/**
 * The one MongoClient of this process for a connection string: the scheduler backend, the state store, the run
 * history and the sink of one database share it (and its connection pool). Created on the first lease (the driver
 * connects on first use), closed when the last lease is released.
 */
export function leaseClient(connectionString: string): ClientLease {
  let entry = shared.get(connectionString);
  if (!entry) {
    entry = { client: new MongoClient(connectionString, { appName: 'dify-logs' }), users: 0 };
    shared.set(connectionString, entry);
  }
  entry.users += 1;
  const held = entry;
  let released = false;
  return {
    client: held.client,
    async release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users === 0) {
        if (shared.get(connectionString) === held) shared.delete(connectionString);
        await held.client.close();
      }
    },
  };
}

/** How many shared clients are open in this process (for tests and diagnostics). */
export const openClientCount = () => shared.size;
