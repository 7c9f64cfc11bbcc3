import { createHash } from 'node:crypto';
import type OSS from 'ali-oss';
import { DifyStorageError, type Logger } from '@dify-logs/core';
import { type BodySource } from '@dify-logs/core/adapter-kit';

/** OSS allows at most this many parts per multipart upload. */
const MAX_PARTS = 10_000;

export interface WriteTarget {
  client: OSS;
  /** Adapter name, for errors. */
  adapter: string;
  objectKey: string;
  /** `Content-Type` and `x-oss-meta-*` headers. */
  headers: Record<string, string>;
  partSizeBytes: number;
  /** Parts uploaded at once: memory use is about this times `partSizeBytes`. */
  queueSize: number;
  logger: Logger;
}

const NO_OVERWRITE = { 'x-oss-forbid-overwrite': 'true' };

/**
 * Writes one object so that it either appears complete or not at all, and never replaces an existing
 * one. Bodies up to one part are buffered before anything is sent (a body that fails midway sends
 * nothing) and go as one PutObject with `Content-MD5` and `x-oss-forbid-overwrite: true`. Larger bodies
 * stream as a multipart upload: parts of `partSizeBytes` with `Content-MD5`, up to `queueSize` at once,
 * completed with `x-oss-forbid-overwrite: true`, and aborted on any failure, the body's own included.
 * Resolves with the byte count.
 */
export async function writeObject(target: WriteTarget, source: BodySource): Promise<number> {
  const first: Buffer[] = [];
  let firstBytes = 0;
  while (firstBytes <= target.partSizeBytes) {
    const chunk = await source.next();
    if (chunk === undefined) {
      await target.client.put(target.objectKey, Buffer.concat(first, firstBytes), {
        headers: { ...target.headers, ...NO_OVERWRITE },
      });
      return firstBytes;
    }
    first.push(chunk);
    firstBytes += chunk.byteLength;
  }
  await putMultipart(target, first, source);
  return source.bytes;
}

/** Cuts the body into parts of exactly `partSize` bytes (the last one shorter). */
async function* cut(first: Buffer[], source: BodySource, partSize: number): AsyncGenerator<Buffer> {
  let buffered = first;
  let size = first.reduce((total, chunk) => total + chunk.byteLength, 0);
  for (;;) {
    while (size >= partSize) {
      const whole = Buffer.concat(buffered, size);
      yield whole.subarray(0, partSize);
      buffered = [Buffer.from(whole.subarray(partSize))];
      size -= partSize;
    }
    const chunk = await source.next();
    if (chunk === undefined) break;
    buffered.push(chunk);
    size += chunk.byteLength;
  }
  if (size > 0) yield Buffer.concat(buffered, size);
}

async function putMultipart(target: WriteTarget, first: Buffer[], source: BodySource): Promise<void> {
  const { client, objectKey } = target;
  const { uploadId } = await client.initMultipartUpload(objectKey, { headers: { ...target.headers, ...NO_OVERWRITE } });
  target.logger.debug({ key: objectKey, uploadId }, 'multipart upload started');
  const parts: Array<{ number: number; etag: string }> = [];
  const running = new Set<Promise<void>>();
  let partFailed = false;
  let partError: unknown;
  try {
    let number = 0;
    for await (const part of cut(first, source, target.partSizeBytes)) {
      if (partFailed) break;
      number += 1;
      if (number > MAX_PARTS) {
        throw new DifyStorageError(
          target.adapter,
          'storage_failed',
          `the body of ${objectKey} needs more than ${MAX_PARTS} ` +
            `parts of ${target.partSizeBytes} bytes; raise partSizeBytes`,
        );
      }
      const partNumber = number;
      const md5 = createHash('md5').update(part).digest('base64');
      const task: Promise<void> = client
        .uploadPart(objectKey, uploadId, partNumber, part, 0, part.byteLength, {
          headers: { 'Content-MD5': md5 },
        } as OSS.RequestOptions)
        .then(
          (result) => {
            parts.push({ number: partNumber, etag: result.etag });
          },
          (error: unknown) => {
            if (!partFailed) [partFailed, partError] = [true, error];
          },
        )
        .finally(() => running.delete(task));
      running.add(task);
      while (running.size >= target.queueSize) await Promise.race(running);
    }
    await Promise.all(running);
    if (partFailed) throw partError;
    await client.completeMultipartUpload(objectKey, uploadId, parts, {
      headers: NO_OVERWRITE,
    } as OSS.CompleteMultipartUploadOptions);
  } catch (error) {
    await Promise.allSettled(running);
    await abort(target, uploadId, error);
    throw error;
  }
}

async function abort(target: WriteTarget, uploadId: string, cause: unknown): Promise<void> {
  try {
    await target.client.abortMultipartUpload(target.objectKey, uploadId);
    target.logger.debug({ key: target.objectKey, uploadId }, 'multipart upload aborted');
  } catch (abortError) {
    target.logger.warn(
      { key: target.objectKey, uploadId, error: (abortError as Error).name },
      'could not abort a failed multipart upload',
    );
    if (cause instanceof Error && cause.cause === undefined) Object.assign(cause, { cause: abortError });
  }
}
