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
import { DifyStorageError, silentLogger } from '@dify-logs/core';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import { USER_AGENT } from '@dify-logs/core/adapter-kit';
import { createObjectStorage } from '@dify-logs/core/adapter-kit';
import { withContentMd5 } from './content-md5.js';
import { errorCode, httpStatus, isMissing, isPreconditionFailure, isRetryable, storageError } from './s3-errors.js';
import { fromS3Metadata, toS3Metadata } from './s3-metadata.js';
import { checkExpiry, resolveOptions, type S3StorageOptions } from './s3-options.js';
import { writeObject, type ConditionalPutState } from './s3-upload.js';

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
  const context = { adapter: name, bucket, secrets };
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

  const locate = (objectKey: string) => `s3://${bucket}/${objectKey}`;

  async function head(objectKey: string) {
    try {
      return await client().send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey }));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** HEAD answers 404 both for a missing key and a missing bucket; this tells them apart. */
  async function assertBucket(action: string, objectKey: string): Promise<void> {
    try {
      await client().send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (httpStatus(error) === 404) {
        throw new DifyStorageError(
          name,
          'storage_failed',
          `could not ${action} ${locate(objectKey)}: bucket "${bucket}" does not exist (NoSuchBucket)`,
          { key: objectKey.slice(prefix.length), cause: error },
        );
      }
      throw error;
    }
  }

  return createObjectStorage({
    name,
    location: `s3://${bucket}/${prefix}`,
    capabilities: { signedUrls: true, versioning: false },
    prefix,
    locate,
    async head(objectKey) {
      const found = await head(objectKey);
      if (!found) return undefined;
      return {
        contentType: found.ContentType,
        size: found.ContentLength ?? 0,
        metadata: fromS3Metadata(found.Metadata),
      };
    },
    async put(objectKey, body, { contentType, metadata }) {
      const target = {
        client: client(),
        bucket,
        objectKey,
        contentType,
        metadata: toS3Metadata(metadata),
        partSizeBytes,
        queueSize: UPLOAD_QUEUE,
        conditional,
        logger,
      };
      const size = await writeObject(target, body);
      logger.debug({ objectKey, size }, 'saved');
      return size;
    },
    async get(objectKey) {
      try {
        const response = await client().send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
        return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (errorCode(error) !== 'NoSuchBucket' && isMissing(error)) return undefined;
        throw error;
      }
    },
    async *listFolder(folder) {
      let token: string | undefined;
      do {
        const page = await client().send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token }),
        );
        for (const entry of page.Contents ?? []) if (entry.Key) yield entry.Key;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async deleteOne(objectKey) {
      if (!(await head(objectKey))) {
        await assertBucket('delete', objectKey);
        return false;
      }
      await client().send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey }));
      logger.debug({ objectKey }, 'deleted');
      return true;
    },
    async deleteMany(objectKeys) {
      const command = new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: objectKeys.map((Key) => ({ Key })), Quiet: false },
      });
      const response = await client().send(withContentMd5(command));
      const failed = response.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0]!;
        const where = first.Key === undefined ? `bucket "${bucket}"` : locate(first.Key);
        throw new DifyStorageError(
          name,
          'storage_failed',
          `could not delete ${failed.length} of ${objectKeys.length} objects; first: ` +
            `${where}: ${first.Code ?? 'Error'}${first.Message ? ` (${first.Message})` : ''}`,
          { cause: failed, isRetryable: failed.some((entry) => isRetryable({ Code: entry.Code })) },
        );
      }
      return (response.Deleted ?? []).flatMap((entry) => (entry.Key === undefined ? [] : [entry.Key]));
    },
    async signedUrl(objectKey, expiresInSeconds) {
      const expiresIn = expiresInSeconds ?? signedUrlExpiresInSeconds;
      checkExpiry('expiresInSeconds', expiresIn);
      return getSignedUrl(client(), new GetObjectCommand({ Bucket: bucket, Key: objectKey }), { expiresIn });
    },
    async close() {
      owned?.destroy();
      owned = undefined;
    },
    isAlreadyExists: isPreconditionFailure,
    failure: (error, action, objectKey, key) => storageError(context, error, action, objectKey, key),
  });
}
