import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Logger } from '@dify-logs/core';
import type { BodySource } from '@dify-logs/core/adapter-kit';
import { isConditionalPutRefused } from './s3-errors.js';

/** Whether the server honours `If-None-Match: *` on PutObject; learnt on the first small save. */
export interface ConditionalPutState {
  putObject: 'unknown' | 'honoured' | 'refused';
}

export interface WriteTarget {
  client: S3Client;
  bucket: string;
  objectKey: string;
  contentType: string;
  metadata: Record<string, string>;
  partSizeBytes: number;
  queueSize: number;
  conditional: ConditionalPutState;
  logger: Logger;
}

/**
 * Writes one object so that it either appears complete or not at all, and never replaces an existing
 * one. Bodies up to one part are buffered and sent as one PutObject with `If-None-Match: *`; when the
 * server refuses that header (OpenStack Swift answers 501), as a single-part multipart upload whose
 * CompleteMultipartUpload carries `If-None-Match: *` (which Swift does honour). Larger bodies stream
 * through lib-storage's `Upload`: parts of `partSizeBytes`, `If-None-Match: *` on the completion, and
 * the multipart upload aborted on any failure, the body's own included. Resolves with the byte count.
 */
export async function writeObject(target: WriteTarget, source: BodySource): Promise<number> {
  const first: Buffer[] = [];
  let firstBytes = 0;
  let ended = false;
  while (firstBytes <= target.partSizeBytes) {
    const chunk = await source.next();
    if (chunk === undefined) {
      ended = true;
      break;
    }
    first.push(chunk);
    firstBytes += chunk.byteLength;
  }
  if (ended) {
    await putSmall(target, Buffer.concat(first, firstBytes));
    return firstBytes;
  }
  await putLarge(target, first, source);
  return source.bytes;
}

async function putSmall(target: WriteTarget, bytes: Buffer): Promise<void> {
  const { client, bucket, objectKey, conditional } = target;
  if (conditional.putObject !== 'refused') {
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: objectKey,
          Body: bytes,
          ContentType: target.contentType,
          Metadata: target.metadata,
          IfNoneMatch: '*',
        }),
      );
      conditional.putObject = 'honoured';
      return;
    } catch (error) {
      if (conditional.putObject === 'honoured' || !isConditionalPutRefused(error)) throw error;
      conditional.putObject = 'refused';
      target.logger.debug(
        { bucket },
        'the server refuses If-None-Match on PutObject; small objects go as single-part multipart uploads',
      );
    }
  }
  await putSinglePart(target, bytes);
}

async function putSinglePart(target: WriteTarget, bytes: Buffer): Promise<void> {
  const { client, bucket, objectKey } = target;
  const checksum = await checksumAlgorithm(client);
  const created = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: objectKey,
      ContentType: target.contentType,
      Metadata: target.metadata,
      ChecksumAlgorithm: checksum,
    }),
  );
  const uploadId = created.UploadId;
  try {
    const part = await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: objectKey,
        UploadId: uploadId,
        PartNumber: 1,
        Body: bytes,
        ChecksumAlgorithm: checksum,
      }),
    );
    const completed: CompletedPart = {
      PartNumber: 1,
      ETag: part.ETag,
      ...(part.ChecksumCRC32 && { ChecksumCRC32: part.ChecksumCRC32 }),
    };
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: objectKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: [completed] },
        IfNoneMatch: '*',
      }),
    );
  } catch (error) {
    await abort(target, uploadId, error);
    throw error;
  }
}

async function putLarge(target: WriteTarget, first: Buffer[], source: BodySource): Promise<void> {
  async function* chunks() {
    yield* first;
    for (let chunk = await source.next(); chunk !== undefined; chunk = await source.next()) yield chunk;
  }
  const stream = Readable.from(chunks(), { objectMode: false });
  const upload = new Upload({
    client: target.client,
    params: {
      Bucket: target.bucket,
      Key: target.objectKey,
      Body: stream,
      ContentType: target.contentType,
      Metadata: target.metadata,
      IfNoneMatch: '*',
    },
    partSize: target.partSizeBytes,
    queueSize: target.queueSize,
    leavePartsOnError: false,
  });
  try {
    await upload.done();
  } finally {
    stream.destroy();
    await source.close();
  }
}

async function abort(target: WriteTarget, uploadId: string | undefined, cause: unknown): Promise<void> {
  try {
    await target.client.send(
      new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.objectKey, UploadId: uploadId }),
    );
  } catch (abortError) {
    target.logger.warn(
      { bucket: target.bucket, key: target.objectKey, uploadId, error: (abortError as Error).name },
      'could not abort a failed multipart upload',
    );
    if (cause instanceof Error && cause.cause === undefined) Object.assign(cause, { cause: abortError });
  }
}

/** CRC32 when the client computes checksums whenever supported (the SDK default), as lib-storage does. */
async function checksumAlgorithm(client: S3Client): Promise<'CRC32' | undefined> {
  const setting = (client.config as { requestChecksumCalculation?: () => Promise<string> }).requestChecksumCalculation;
  return typeof setting === 'function' && (await setting()) === 'WHEN_SUPPORTED' ? 'CRC32' : undefined;
}
