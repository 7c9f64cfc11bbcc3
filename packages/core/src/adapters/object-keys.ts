import { DifyConfigError } from '../errors/config-error.js';
import { assertSafeKey, kindFolder, parseStorageKey, safeSegment, withinAge, type ParsedKey } from './keys.js';
import type { ListQuery, StorageKind } from './storage.js';

/**
 * Helpers of the object-store adapters (S3, OSS), where keys live under an optional prefix and a
 * listing returns every key of a folder page by page.
 */

/** A configured key prefix as a folder: `''`, or a safe path ending in `/`. */
export function normalizeKeyPrefix(adapter: string, prefix: unknown): string {
  if (prefix === undefined || prefix === '') return '';
  if (typeof prefix !== 'string') throw new DifyConfigError('prefix', 'must be a string such as dify-logs');
  const folder = prefix.replace(/\/+$/, '');
  try {
    assertSafeKey(adapter, folder);
  } catch {
    throw new DifyConfigError(
      'prefix',
      `${JSON.stringify(prefix)} is not a safe folder: no leading ` +
        `"/", no "." or ".." or empty segments, no backslash or NUL`,
    );
  }
  return `${folder}/`;
}

/** A key found by `listObjectKeys`: the adapter-relative key, the store's object key, what the key says. */
export interface ListedKey {
  key: string;
  objectKey: string;
  parsed: ParsedKey;
}

/**
 * The keys matching a list query, newest first (ties by key, descending): lists the folder of each
 * asked kind (and type) under `prefix` through `listFolder`, which yields the store's object keys of a
 * folder page by page, and keeps those `parseStorageKey` reads as matching.
 */
export async function listObjectKeys(
  prefix: string,
  query: ListQuery,
  listFolder: (folder: string) => AsyncIterable<string>,
): Promise<ListedKey[]> {
  const kinds: StorageKind[] = query.kind ? [query.kind] : ['report', 'data'];
  const type = query.type ? safeSegment(query.type) : undefined;
  const found: ListedKey[] = [];
  for (const kind of kinds) {
    for await (const objectKey of listFolder(`${prefix}${kindFolder(kind)}/${type === undefined ? '' : `${type}/`}`)) {
      if (!objectKey.startsWith(prefix)) continue;
      const key = objectKey.slice(prefix.length);
      const parsed = parseStorageKey(key);
      if (
        !parsed ||
        parsed.kind !== kind ||
        (type !== undefined && parsed.type !== type) ||
        !withinAge(parsed.createdAt, query)
      )
        continue;
      found.push({ key, objectKey, parsed });
    }
  }
  return found.sort(
    (a, b) =>
      b.parsed.createdAt.getTime() - a.parsed.createdAt.getTime() || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0),
  );
}
