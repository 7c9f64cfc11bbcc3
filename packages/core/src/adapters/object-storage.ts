import { DifyConfigError } from '../errors/config-error.js';
import { DifyStorageError } from '../errors/storage-error.js';
import { orderedMap } from '../export/ordered-map.js';
import { BodySource } from './body-source.js';
import { assertSafeKey, cleanupCutoff, safeSegment, storageKey } from './keys.js';
import { listObjectKeys, type ListedKey } from './object-keys.js';
import type {
  CleanupOptions,
  ListQuery,
  SaveRequest,
  StorageAdapter,
  StorageCapabilities,
  StorageKind,
  StoredObject,
} from './storage.js';

/** What a store knows of one object besides its key. */
export interface ObjectHead {
  contentType?: string;
  size: number;
  metadata: Record<string, string>;
}

/**
 * The narrow part of a storage adapter that differs per store (a folder, S3, OSS, your own): how to write, read,
 * describe, list and delete one object by the store's key. `createObjectStorage` adds everything the
 * `StorageAdapter` contract asks of every adapter, written once: key derivation and checks, the existence check
 * before a body is read, saves of one key one at a time, newest-first listing with metadata fetched a few at a time,
 * cleanup in batches, and errors that name the object.
 */
export interface ObjectStoreDriver {
  /** The adapter's name, in errors and logs. */
  readonly name: string;
  /** Where the store keeps its objects, for people (`s3://bucket/prefix/`, a folder); never credentials. */
  readonly location: string;
  readonly capabilities: StorageCapabilities;
  /** Prefix of every object key: `''` or a folder ending in `/` (see `normalizeKeyPrefix`). Default `''`. */
  readonly prefix?: string;
  /** Objects whose metadata `list` reads at once (default 8). */
  readonly headConcurrency?: number;
  /** Object keys one `deleteMany` call takes at most (default 1000). */
  readonly deleteBatch?: number;
  /** Where one object is, for people: `s3://bucket/<objectKey>`, a path. */
  locate(objectKey: string): string;
  /** The object key of a safe adapter key (default: the prefix and the key); may refuse it with `invalid_key`. */
  objectKeyOf?(key: string): string;
  /** The object's metadata, or undefined when there is none; throws the store's error otherwise. */
  head(objectKey: string): Promise<ObjectHead | undefined>;
  /**
   * Writes a new object from `body` and returns its size. All or nothing: a failure leaves no object that lists or
   * reads as complete. An object of that key written meanwhile (a lost race) is an error `isAlreadyExists` tells.
   */
  put(
    objectKey: string,
    body: BodySource,
    info: { contentType: string; metadata: Record<string, string> },
  ): Promise<number>;
  /** The object's bytes, or undefined when there is no object of that key. */
  get(objectKey: string): Promise<Uint8Array | undefined>;
  /** The object keys under a folder (`reports/daily/`), in any order, page by page. */
  listFolder(folder: string): AsyncIterable<string>;
  /** Deletes one object: true when there was one. */
  deleteOne(objectKey: string): Promise<boolean>;
  /** Deletes objects and returns the keys it deleted (default: `deleteOne` for each). */
  deleteMany?(objectKeys: string[]): Promise<string[]>;
  signedUrl?(objectKey: string, expiresInSeconds: number | undefined): Promise<string>;
  /** After `cleanup` deleted what was old: e.g. temporary files of saves a crash interrupted. */
  afterCleanup?(now: Date): Promise<void>;
  close?(): Promise<void>;
  /** True for the store's error of a write that lost to an existing object (a conditional write refused). */
  isAlreadyExists?(error: unknown): boolean;
  /** A store error as a `DifyStorageError` naming the action and the object (`objectKey`) or the store. */
  failure(error: unknown, action: string, objectKey?: string, key?: string): DifyStorageError;
}

const HEAD_CONCURRENCY = 8;
const DELETE_BATCH = 1000;
const pending = new Map<string, Promise<unknown>>();

/**
 * Runs saves of one object one after the other within this process, so two racing saves cannot both pass the
 * existence check. Across processes the store's conditional write (or an exclusive link) decides.
 */
async function oneAtATime<T>(id: string, task: () => Promise<T>): Promise<T> {
  const previous = pending.get(id) ?? Promise.resolve();
  const current = previous.then(task);
  const settled = current.catch(() => undefined);
  pending.set(id, settled);
  try {
    return await current;
  } finally {
    if (pending.get(id) === settled) pending.delete(id);
  }
}

/** A `StorageAdapter` over an object store's driver: see `ObjectStoreDriver`. */
export function createObjectStorage(driver: ObjectStoreDriver): StorageAdapter {
  const { name } = driver;
  const prefix = driver.prefix ?? '';
  const objectKeyOf = (key: string) => {
    assertSafeKey(name, key);
    return driver.objectKeyOf ? driver.objectKeyOf(key) : prefix + key;
  };
  const alreadyExists = (key: string, objectKey: string, cause?: unknown) =>
    new DifyStorageError(name, 'already_exists', `${driver.locate(objectKey)} exists; reports are never overwritten`, {
      key,
      cause,
    });
  // Errors of ours (an unsafe key, a bad expiry) pass as they are; the store's are explained by the driver.
  const failure = (error: unknown, action: string, objectKey?: string, key?: string) =>
    DifyStorageError.isInstance(error) || DifyConfigError.isInstance(error)
      ? error
      : driver.failure(error, action, objectKey, key);

  async function save(kind: StorageKind, request: SaveRequest): Promise<StoredObject> {
    const createdAt = request.createdAt ?? new Date();
    const key = storageKey(kind, request, createdAt);
    const objectKey = objectKeyOf(key);
    const metadata = { ...request.metadata };
    return oneAtATime(`${driver.location}\n${objectKey}`, async () => {
      const source = new BodySource(request.body);
      try {
        // Checked before the body is read, so a duplicate does not upload gigabytes first.
        if (await driver.head(objectKey)) throw alreadyExists(key, objectKey);
        const size = await driver.put(objectKey, source, { contentType: request.contentType, metadata });
        return {
          key,
          kind,
          type: safeSegment(request.type),
          contentType: request.contentType,
          size,
          createdAt: createdAt.toISOString(),
          metadata: { ...metadata },
          location: driver.locate(objectKey),
        };
      } catch (error) {
        // The body's own failure is the caller's: rethrown as it is.
        if (source.failed) throw source.error;
        if (driver.isAlreadyExists?.(error)) throw alreadyExists(key, objectKey, error);
        throw failure(error, 'save', objectKey, key);
      } finally {
        await source.close();
      }
    });
  }

  /** Keys matching the query, newest first (ties: key descending), without reading the objects. */
  function listKeys(query: ListQuery): Promise<ListedKey[]> {
    return listObjectKeys(prefix, query, async function* (folder) {
      try {
        yield* driver.listFolder(folder);
      } catch (error) {
        throw failure(error, 'list', folder);
      }
    });
  }

  /** The stored object behind a listed key, or undefined when it was deleted meanwhile. */
  async function describe(listed: ListedKey): Promise<StoredObject | undefined> {
    let head: ObjectHead | undefined;
    try {
      head = await driver.head(listed.objectKey);
    } catch (error) {
      throw failure(error, 'read the metadata of', listed.objectKey, listed.key);
    }
    if (!head) return undefined;
    return {
      key: listed.key,
      kind: listed.parsed.kind,
      type: listed.parsed.type,
      contentType: head.contentType ?? 'application/octet-stream',
      size: head.size,
      createdAt: listed.parsed.createdAt.toISOString(),
      metadata: head.metadata,
      location: driver.locate(listed.objectKey),
    };
  }

  async function deleteBatch(batch: ListedKey[]): Promise<string[]> {
    const objectKeys = batch.map((entry) => entry.objectKey);
    let gone: Set<string>;
    try {
      if (driver.deleteMany) gone = new Set(await driver.deleteMany(objectKeys));
      else {
        gone = new Set();
        for (const objectKey of objectKeys) if (await driver.deleteOne(objectKey)) gone.add(objectKey);
      }
    } catch (error) {
      throw failure(error, `delete ${batch.length} objects from`);
    }
    return batch.filter((entry) => gone.has(entry.objectKey)).map((entry) => entry.key);
  }

  return {
    name,
    location: driver.location,
    capabilities: driver.capabilities,
    saveReport: (request) => save('report', request),
    saveData: (request) => save('data', request),
    async read(key) {
      const objectKey = objectKeyOf(key);
      let bytes: Uint8Array | undefined;
      try {
        bytes = await driver.get(objectKey);
      } catch (error) {
        throw failure(error, 'read', objectKey, key);
      }
      if (bytes === undefined)
        throw new DifyStorageError(name, 'not_found', `no object at ${driver.locate(objectKey)}`, { key });
      return bytes;
    },
    async *list(query = {}) {
      const keys = await listKeys(query);
      // Content types and metadata come from one head per object, a few at a time, in key order.
      for await (const object of orderedMap(fromArray(keys), describe, driver.headConcurrency ?? HEAD_CONCURRENCY))
        if (object) yield object;
    },
    async delete(key) {
      const objectKey = objectKeyOf(key);
      try {
        return await driver.deleteOne(objectKey);
      } catch (error) {
        throw failure(error, 'delete', objectKey, key);
      }
    },
    async cleanup(options: CleanupOptions) {
      if (
        typeof options?.olderThanDays !== 'number' ||
        !Number.isFinite(options.olderThanDays) ||
        options.olderThanDays < 0
      ) {
        throw new DifyConfigError('olderThanDays', 'must be a number of days, 0 or more');
      }
      const old = await listKeys({ kind: options.kind, type: options.type, olderThan: cleanupCutoff(options) });
      const batchSize = driver.deleteBatch ?? DELETE_BATCH;
      const deleted: string[] = [];
      for (let start = 0; start < old.length; start += batchSize)
        deleted.push(...(await deleteBatch(old.slice(start, start + batchSize))));
      await driver.afterCleanup?.(options.now ?? new Date());
      return { deleted };
    },
    ...(driver.signedUrl
      ? {
          async signedUrl(key: string, signOptions: { expiresInSeconds?: number } = {}) {
            const objectKey = objectKeyOf(key);
            try {
              return await driver.signedUrl!(objectKey, signOptions.expiresInSeconds);
            } catch (error) {
              throw failure(error, 'sign a URL for', objectKey, key);
            }
          },
        }
      : {}),
    ...(driver.close ? { close: () => driver.close!() } : {}),
  };
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
