import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import OSS from 'ali-oss';
import {
  DifyConfigError,
  DifyStorageError,
  USER_AGENT,
  orderedMap,
  silentLogger,
  type CleanupOptions,
  type ListQuery,
  type SaveRequest,
  type StorageAdapter,
  type StorageKind,
  type StoredObject,
} from '@dify-logs/core';
import {
  BodySource,
  assertSafeKey,
  cleanupCutoff,
  listObjectKeys,
  safeSegment,
  storageKey,
  type ListedKey,
} from '@dify-logs/core/adapter-kit';
import { isAlreadyExists, isMissing, storageError, type ErrorContext } from './oss-errors.js';
import { fromOssMetaHeaders, toOssMetaHeaders } from './oss-metadata.js';
import { checkExpiry, resolveOptions, type Connection, type OssStorageOptions } from './oss-options.js';
import { writeObject } from './oss-upload.js';

/** At most this many keys per DeleteMultipleObjects call (the OSS limit). */
const DELETE_BATCH = 1000;
/** Keys per ListObjectsV2 page (the OSS maximum). */
const LIST_PAGE = 1000;
/** HEAD requests `list` keeps in flight to fetch content types and metadata. */
const HEAD_CONCURRENCY = 8;
/** Parts uploaded at once: memory use is about this times `partSizeBytes`. */
const UPLOAD_QUEUE = 4;
/** Idle keep-alive sockets of an owned client are closed after this long (urllib lengthens it while a request runs). */
const IDLE_SOCKET_MS = 4_000;

/** The client the adapter made, with the sockets it owns. */
interface OwnedClient {
  client: OSS;
  agents: Array<HttpAgent | HttpsAgent>;
}

/** ali-oss settings its type definitions leave out. */
interface ClientSettings {
  options?: { accessKeyId?: string; accessKeySecret?: string; stsToken?: string; authorizationV4?: boolean };
  userAgent?: string;
}

/**
 * Stores reports and data in an Aliyun OSS bucket, under
 * `[prefix/]{reports|data}/{type}/{YYYY}/{MM}/{DD}/{job}-{app}-{timestamp}-{runId}.{ext}`, with the
 * content type and metadata on the object. Saves check for the key first, then write with
 * `x-oss-forbid-overwrite: true`, streaming large bodies as multipart uploads that are aborted on
 * failure; signed URLs are V4 (or V1 with `authorizationV4: false`).
 */
export function createOssStorage(options: OssStorageOptions): StorageAdapter {
  const { name, bucket, prefix, signedUrlExpiresInSeconds, partSizeBytes, connection } = resolveOptions(options);
  const logger = (options.logger ?? silentLogger).child({ adapter: name });
  let owned: OwnedClient | undefined;

  function client(): OSS {
    if (options.client) return options.client;
    owned ??= createClient(bucket, connection!);
    return owned.client;
  }

  function secrets(): string[] {
    const settings = ((options.client ?? owned?.client) as ClientSettings | undefined)?.options ?? connection ?? {};
    return [settings.accessKeySecret, settings.stsToken, settings.accessKeyId].filter(
      (value): value is string => typeof value === 'string',
    );
  }

  const context: ErrorContext = { adapter: name, bucket, secrets };
  const location = (objectKey: string) => `oss://${bucket}/${objectKey}`;
  const alreadyExists = (key: string, objectKey: string, cause?: unknown) =>
    new DifyStorageError(name, 'already_exists', `${location(objectKey)} exists; reports are never overwritten`, {
      key,
      cause,
    });

  /** Adapter-relative key to object key, after refusing unsafe keys. */
  function objectKeyOf(key: string): string {
    assertSafeKey(name, key);
    return prefix + key;
  }

  async function head(objectKey: string): Promise<Record<string, unknown> | undefined> {
    try {
      const result = await client().head(objectKey);
      return result.res.headers as Record<string, unknown>;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async function save(kind: StorageKind, request: SaveRequest): Promise<StoredObject> {
    const createdAt = request.createdAt ?? new Date();
    const key = storageKey(kind, request, createdAt);
    const objectKey = prefix + key;
    const metadata = { ...request.metadata };
    const source = new BodySource(request.body);
    try {
      // Checked before the body is read, so a duplicate does not upload gigabytes first.
      if (await head(objectKey)) throw alreadyExists(key, objectKey);
      const headers = { 'Content-Type': request.contentType, ...toOssMetaHeaders(metadata) };
      const size = await writeObject(
        { client: client(), adapter: name, objectKey, headers, partSizeBytes, queueSize: UPLOAD_QUEUE, logger },
        source,
      );
      logger.debug({ key, size }, 'saved');
      return {
        key,
        kind,
        type: safeSegment(request.type),
        contentType: request.contentType,
        size,
        createdAt: createdAt.toISOString(),
        metadata: { ...metadata },
        location: location(objectKey),
      };
    } catch (error) {
      // The body's own failure is the caller's: rethrown as it is.
      if (source.failed) throw source.error;
      if (isAlreadyExists(error)) throw alreadyExists(key, objectKey, error);
      throw storageError(context, error, 'save', objectKey, key);
    } finally {
      await source.close();
    }
  }

  /** Keys matching the query, newest first (ties: key descending), without fetching the objects. */
  function listKeys(query: ListQuery): Promise<ListedKey[]> {
    return listObjectKeys(prefix, query, async function* (folder) {
      let token: string | undefined;
      do {
        let page: OSS.ListV2ObjectResult;
        try {
          page = await client().listV2({
            prefix: folder,
            'max-keys': LIST_PAGE,
            ...(token === undefined ? {} : { 'continuation-token': token }),
          });
        } catch (error) {
          throw storageError(context, error, 'list', folder);
        }
        for (const entry of page.objects ?? []) if (entry.name) yield entry.name;
        token = page.isTruncated ? page.nextContinuationToken || undefined : undefined;
      } while (token);
    });
  }

  /** The stored object behind a listed key, or undefined when it was deleted meanwhile. */
  async function describe(listed: ListedKey): Promise<StoredObject | undefined> {
    let headers: Record<string, unknown> | undefined;
    try {
      headers = await head(listed.objectKey);
    } catch (error) {
      throw storageError(context, error, 'read the metadata of', listed.objectKey, listed.key);
    }
    if (!headers) return undefined;
    const contentType = headers['content-type'];
    return {
      key: listed.key,
      kind: listed.parsed.kind,
      type: listed.parsed.type,
      contentType: typeof contentType === 'string' ? contentType : 'application/octet-stream',
      size: Number(headers['content-length'] ?? 0),
      createdAt: listed.parsed.createdAt.toISOString(),
      metadata: fromOssMetaHeaders(headers),
      location: location(listed.objectKey),
    };
  }

  async function deleteBatch(batch: ListedKey[]): Promise<string[]> {
    let response: OSS.DeleteMultiResult;
    try {
      // ali-oss sends the Content-MD5 that DeleteMultipleObjects requires.
      response = await client().deleteMulti(
        batch.map((entry) => entry.objectKey),
        { quiet: false },
      );
    } catch (error) {
      throw storageError(context, error, `delete ${batch.length} objects from`);
    }
    const gone = new Set(
      (response.deleted ?? []).map((entry: unknown) =>
        typeof entry === 'string' ? entry : (entry as { Key?: string }).Key,
      ),
    );
    return batch.filter((entry) => gone.has(entry.objectKey)).map((entry) => entry.key);
  }

  return {
    name,
    location: `oss://${bucket}/${prefix}`,
    capabilities: { signedUrls: true, versioning: false },
    saveReport: (request) => save('report', request),
    saveData: (request) => save('data', request),
    async read(key) {
      const objectKey = objectKeyOf(key);
      try {
        const result = await client().get(objectKey);
        const content: unknown = result.content;
        return content instanceof Uint8Array
          ? new Uint8Array(content.buffer, content.byteOffset, content.byteLength)
          : new Uint8Array();
      } catch (error) {
        if (isMissing(error))
          throw new DifyStorageError(name, 'not_found', `no object at ${location(objectKey)}`, { key, cause: error });
        throw storageError(context, error, 'read', objectKey, key);
      }
    },
    async *list(query = {}) {
      const keys = await listKeys(query);
      // Content types and metadata come from one HEAD per object, HEAD_CONCURRENCY at a time, in key order.
      for await (const object of orderedMap(fromArray(keys), describe, HEAD_CONCURRENCY)) if (object) yield object;
    },
    async delete(key) {
      const objectKey = objectKeyOf(key);
      try {
        const existed = (await head(objectKey)) !== undefined;
        // DeleteObject answers 204 for a missing key too; sent anyway so a missing bucket is reported
        // (ali-oss calls every 404 of a HEAD NoSuchKey).
        await client().delete(objectKey);
        if (existed) logger.debug({ key }, 'deleted');
        return existed;
      } catch (error) {
        throw storageError(context, error, 'delete', objectKey, key);
      }
    },
    async cleanup(cleanupOptions: CleanupOptions) {
      if (
        typeof cleanupOptions?.olderThanDays !== 'number' ||
        !Number.isFinite(cleanupOptions.olderThanDays) ||
        cleanupOptions.olderThanDays < 0
      ) {
        throw new DifyConfigError('olderThanDays', 'must be a number of days, 0 or more');
      }
      const old = await listKeys({
        kind: cleanupOptions.kind,
        type: cleanupOptions.type,
        olderThan: cleanupCutoff(cleanupOptions),
      });
      const deleted: string[] = [];
      for (let start = 0; start < old.length; start += DELETE_BATCH)
        deleted.push(...(await deleteBatch(old.slice(start, start + DELETE_BATCH))));
      logger.debug({ deleted: deleted.length }, 'cleaned up');
      return { deleted };
    },
    async signedUrl(key, signOptions = {}) {
      const objectKey = objectKeyOf(key);
      const expires = signOptions.expiresInSeconds ?? signedUrlExpiresInSeconds;
      checkExpiry('expiresInSeconds', expires);
      try {
        const oss = client();
        const v4 = (oss as ClientSettings).options?.authorizationV4 === true;
        return v4
          ? await oss.signatureUrlV4('GET', expires, undefined, objectKey)
          : oss.signatureUrl(objectKey, { expires, method: 'GET' });
      } catch (error) {
        throw storageError(context, error, 'sign a URL for', objectKey, key);
      }
    },
    async close() {
      for (const agent of owned?.agents ?? []) agent.destroy();
      owned = undefined;
    },
  };
}

/** An ali-oss client of our own, with its own keep-alive agents (ali-oss shares global ones otherwise), so `close()` can release its sockets. */
function createClient(bucket: string, connection: Connection): OwnedClient {
  // Idle sockets close after 4 s, before servers that keep connections 5 s close them under a request.
  const agent = new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  const httpsAgent = new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  const settings = {
    bucket,
    accessKeyId: connection.accessKeyId,
    accessKeySecret: connection.accessKeySecret,
    ...(connection.stsToken === undefined ? {} : { stsToken: connection.stsToken, refreshSTSTokenInterval: 300_000 }),
    ...(connection.region === undefined ? {} : { region: connection.region }),
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    secure: connection.secure,
    sldEnable: connection.pathStyle,
    authorizationV4: connection.authorizationV4,
    agent,
    httpsAgent,
    // Core does not retry storage calls and classifies errors (`isRetryable`) for callers that do.
    retryMax: 0,
  };
  const client = new OSS(settings as OSS.Options);
  const identity = client as unknown as ClientSettings;
  identity.userAgent = `${USER_AGENT} ${identity.userAgent ?? ''}`.trim();
  return { client, agents: [agent, httpsAgent] };
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
