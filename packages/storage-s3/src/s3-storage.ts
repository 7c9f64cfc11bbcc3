import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
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
import { withContentMd5 } from './content-md5.js';
import {
  errorCode,
  httpStatus,
  isMissing,
  isPreconditionFailure,
  isRetryable,
  storageError,
  type ErrorContext,
} from './s3-errors.js';
import { fromS3Metadata, toS3Metadata } from './s3-metadata.js';
import { checkExpiry, resolveOptions, type S3StorageOptions } from './s3-options.js';
import { oneAtATime, writeObject, type ConditionalPutState } from './s3-upload.js';

/** At most this many keys per DeleteObjects call (the S3 limit). */
const DELETE_BATCH = 1000;
/** HEAD requests `list` keeps in flight to fetch content types and metadata. */
const HEAD_CONCURRENCY = 8;
/** Parts lib-storage uploads at once: memory use is about this times `partSizeBytes`. */
const UPLOAD_QUEUE = 4;

/**
 * Stores reports and data in an S3 bucket (AWS S3 or an S3-compatible store), under
 * `[prefix/]{reports|data}/{type}/{YYYY}/{MM}/{DD}/{job}-{app}-{timestamp}-{runId}.{ext}`, with the
 * content type and metadata on the object. Saves check for the key first, then write conditionally
 * (`If-None-Match: *`), streaming large bodies as multipart uploads that are aborted on failure; see
 * `writeObject` and the README for the guarantees per server.
 */
export function createS3Storage(options: S3StorageOptions): StorageAdapter {
  const { name, bucket, prefix, signedUrlExpiresInSeconds, partSizeBytes, secrets } = resolveOptions(options);
  const logger = (options.logger ?? silentLogger).child({ adapter: name });
  const context: ErrorContext = { adapter: name, bucket, secrets };
  const conditional: ConditionalPutState = { putObject: 'unknown' };
  let owned: S3Client | undefined;

  function client(): S3Client {
    if (options.client) return options.client;
    owned ??= new S3Client({
      region: options.region ?? (options.endpoint === undefined ? undefined : 'us-east-1'),
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials ? { ...options.credentials } : undefined,
      customUserAgent: USER_AGENT,
    });
    return owned;
  }

  const location = (objectKey: string) => `s3://${bucket}/${objectKey}`;
  const alreadyExists = (key: string, objectKey: string, cause?: unknown) =>
    new DifyStorageError(name, 'already_exists', `${location(objectKey)} exists; reports are never overwritten`, {
      key,
      cause,
    });
  const notFound = (key: string, objectKey: string, cause?: unknown) =>
    new DifyStorageError(name, 'not_found', `no object at ${location(objectKey)}`, { key, cause });

  /** Adapter-relative key to object key, after refusing unsafe keys. */
  function objectKeyOf(key: string): string {
    assertSafeKey(name, key);
    return prefix + key;
  }

  async function exists(objectKey: string): Promise<boolean> {
    try {
      await client().send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** HEAD answers 404 both for a missing key and a missing bucket; this tells them apart. */
  async function assertBucket(action: string, key: string, objectKey: string): Promise<void> {
    try {
      await client().send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (httpStatus(error) === 404) {
        throw new DifyStorageError(
          name,
          'storage_failed',
          `could not ${action} ${location(objectKey)}: bucket "${bucket}" does not exist (NoSuchBucket)`,
          { key, cause: error },
        );
      }
      throw error;
    }
  }

  async function save(kind: StorageKind, request: SaveRequest): Promise<StoredObject> {
    const createdAt = request.createdAt ?? new Date();
    const key = storageKey(kind, request, createdAt);
    const objectKey = prefix + key;
    const metadata = { ...request.metadata };
    return oneAtATime(`${bucket}\n${objectKey}`, async () => {
      const source = new BodySource(request.body);
      try {
        // Checked before the body is read, so a duplicate does not upload gigabytes first.
        if (await exists(objectKey)) throw alreadyExists(key, objectKey);
        const target = {
          client: client(),
          bucket,
          objectKey,
          contentType: request.contentType,
          metadata: toS3Metadata(metadata),
          partSizeBytes,
          queueSize: UPLOAD_QUEUE,
          conditional,
          logger,
        };
        const size = await writeObject(target, source);
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
        if (isPreconditionFailure(error)) throw alreadyExists(key, objectKey, error);
        throw storageError(context, error, 'save', objectKey, key);
      } finally {
        await source.close();
      }
    });
  }

  /** Keys matching the query, newest first (ties: key descending), without fetching the objects. */
  function listKeys(query: ListQuery): Promise<ListedKey[]> {
    return listObjectKeys(prefix, query, async function* (folder) {
      let token: string | undefined;
      do {
        let page;
        try {
          page = await client().send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token }),
          );
        } catch (error) {
          throw storageError(context, error, 'list', folder);
        }
        for (const entry of page.Contents ?? []) if (entry.Key) yield entry.Key;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    });
  }

  /** The stored object behind a listed key, or undefined when it was deleted meanwhile. */
  async function describe(listed: ListedKey): Promise<StoredObject | undefined> {
    let head;
    try {
      head = await client().send(new HeadObjectCommand({ Bucket: bucket, Key: listed.objectKey }));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw storageError(context, error, 'read the metadata of', listed.objectKey, listed.key);
    }
    return {
      key: listed.key,
      kind: listed.parsed.kind,
      type: listed.parsed.type,
      contentType: head.ContentType ?? 'application/octet-stream',
      size: head.ContentLength ?? 0,
      createdAt: listed.parsed.createdAt.toISOString(),
      metadata: fromS3Metadata(head.Metadata),
      location: location(listed.objectKey),
    };
  }

  async function deleteBatch(batch: ListedKey[]): Promise<string[]> {
    let response;
    try {
      const command = new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((entry) => ({ Key: entry.objectKey })), Quiet: false },
      });
      response = await client().send(withContentMd5(command));
    } catch (error) {
      throw storageError(context, error, `delete ${batch.length} objects from`);
    }
    const gone = new Set((response.Deleted ?? []).map((entry) => entry.Key));
    const failed = response.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      const where = first.Key === undefined ? `bucket "${bucket}"` : location(first.Key);
      throw new DifyStorageError(
        name,
        'storage_failed',
        `could not delete ${failed.length} of ${batch.length} objects; first: ${where}: ${first.Code ?? 'Error'}${first.Message ? ` (${first.Message})` : ''}`,
        {
          cause: failed,
          isRetryable: failed.some((entry) => isRetryable({ Code: entry.Code })),
        },
      );
    }
    return batch.filter((entry) => gone.has(entry.objectKey)).map((entry) => entry.key);
  }

  return {
    name,
    location: `s3://${bucket}/${prefix}`,
    capabilities: { signedUrls: true, versioning: false },
    saveReport: (request) => save('report', request),
    saveData: (request) => save('data', request),
    async read(key) {
      const objectKey = objectKeyOf(key);
      try {
        const response = await client().send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
        return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (errorCode(error) !== 'NoSuchBucket' && isMissing(error)) throw notFound(key, objectKey, error);
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
        if (!(await exists(objectKey))) {
          await assertBucket('delete', key, objectKey);
          return false;
        }
        await client().send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey }));
        logger.debug({ key }, 'deleted');
        return true;
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
      const expiresIn = signOptions.expiresInSeconds ?? signedUrlExpiresInSeconds;
      checkExpiry('expiresInSeconds', expiresIn);
      try {
        return await getSignedUrl(client(), new GetObjectCommand({ Bucket: bucket, Key: objectKey }), { expiresIn });
      } catch (error) {
        throw storageError(context, error, 'sign a URL for', objectKey, key);
      }
    },
    async close() {
      owned?.destroy();
      owned = undefined;
    },
  };
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
