import { DifyStorageError } from '../errors/storage-error.js';
import { assertSafeKey, bodyBytes, cleanupCutoff, safeSegment, storageKey, withinAge } from './keys.js';
import type { CleanupOptions, SaveRequest, StorageAdapter, StorageKind, StoredObject } from './storage.js';

/** An in-memory StorageAdapter: the reference implementation, and a test double for integrators. */
export function memoryStorage(options: { name?: string } = {}): StorageAdapter & { size(): number } {
  const name = options.name ?? 'memory';
  const objects = new Map<string, { object: StoredObject; bytes: Uint8Array }>();

  async function save(kind: StorageKind, request: SaveRequest): Promise<StoredObject> {
    const createdAt = request.createdAt ?? new Date();
    const key = storageKey(kind, request, createdAt);
    if (objects.has(key))
      throw new DifyStorageError(name, 'already_exists', `${key} exists; reports are never overwritten`, { key });
    const bytes = await bodyBytes(request.body);
    if (objects.has(key))
      throw new DifyStorageError(name, 'already_exists', `${key} exists; reports are never overwritten`, { key });
    const object: StoredObject = {
      key,
      kind,
      type: safeSegment(request.type),
      contentType: request.contentType,
      size: bytes.byteLength,
      createdAt: createdAt.toISOString(),
      metadata: { ...request.metadata },
      location: `memory://${name}/${key}`,
    };
    objects.set(key, { object, bytes });
    return { ...object, metadata: { ...object.metadata } };
  }

  return {
    name,
    location: `memory://${name}/`,
    capabilities: { signedUrls: false, versioning: false },
    saveReport: (request) => save('report', request),
    saveData: (request) => save('data', request),
    async read(key) {
      assertSafeKey(name, key);
      const entry = objects.get(key);
      if (!entry) throw new DifyStorageError(name, 'not_found', `no object at ${key}`, { key });
      return new Uint8Array(entry.bytes);
    },
    async *list(query = {}) {
      const matching = [...objects.values()]
        .map((entry) => entry.object)
        .filter(
          (object) =>
            (!query.kind || object.kind === query.kind) &&
            (!query.type || object.type === safeSegment(query.type)) &&
            withinAge(new Date(object.createdAt), query),
        )
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.key.localeCompare(a.key));
      for (const object of matching) yield { ...object, metadata: { ...object.metadata } };
    },
    async delete(key) {
      assertSafeKey(name, key);
      return objects.delete(key);
    },
    async cleanup(options: CleanupOptions) {
      const cutoff = cleanupCutoff(options);
      const deleted: string[] = [];
      for (const [key, { object }] of objects) {
        if (
          (!options.kind || object.kind === options.kind) &&
          (!options.type || object.type === safeSegment(options.type)) &&
          new Date(object.createdAt) < cutoff
        ) {
          objects.delete(key);
          deleted.push(key);
        }
      }
      return { deleted };
    },
    size: () => objects.size,
  };
}
