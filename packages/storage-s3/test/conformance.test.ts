import * as vitest from 'vitest';
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DifyStorageError, silentLogger } from '@dify-logs/core';
import type { SaveRequest, StorageAdapter, StoredObject } from '@dify-logs/core/adapter-kit';
import { storageKey } from '@dify-logs/core/adapter-kit';
import { testStorageAdapter } from '@dify-logs/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withContentMd5 } from '../src/content-md5.js';
import { createS3Storage, type S3StorageOptions } from '../src/index.js';
import { BodySource } from '@dify-logs/core/adapter-kit';
import { writeObject } from '../src/s3-upload.js';
import { startSwift } from './swift.js';

// Installs (first time: minutes) and starts OpenStack Swift, or reuses one answering on SWIFT_S3_PORT.
// Done at collection time so that, when Swift cannot be had, every test below is skipped with the reason.
const swift = await startSwift();
const server = swift.server;
const describeSwift = server ? describe : describe.skip;
const against = server ? 'OpenStack Swift (s3api)' : `OpenStack Swift (skipped: ${swift.skipReason})`;

const bucket = `dify-logs-test-${Date.now().toString(36)}`;
const MB = 1024 * 1024;
let admin: S3Client;
let prefixes = 0;

function connection(): Pick<S3StorageOptions, 'endpoint' | 'region' | 'forcePathStyle' | 'credentials'> {
  if (!server) throw new Error('Swift is not running');
  return {
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  };
}

const nextPrefix = () => `run-${process.pid}-${(prefixes += 1)}`;

/** Object keys under a raw S3 prefix (`''`: the whole bucket). */
async function objectKeys(folder: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await admin.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token }),
    );
    for (const entry of page.Contents ?? []) if (entry.Key) keys.push(entry.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function unfinishedUploads(folder: string): Promise<string[]> {
  const response = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: folder }));
  return (response.Uploads ?? []).map((upload) => `${upload.Key}`);
}

/** Removes every object and unfinished multipart upload under a raw S3 prefix. */
async function emptyFolder(folder: string): Promise<void> {
  const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: folder }));
  for (const upload of uploads.Uploads ?? [])
    await admin.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
  const keys = await objectKeys(folder);
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000).map((Key) => ({ Key }));
    await admin.send(
      withContentMd5(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } })),
    );
  }
}

async function all(iterable: AsyncIterable<StoredObject>): Promise<StoredObject[]> {
  const items: StoredObject[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function failure(promise: Promise<unknown>): Promise<DifyStorageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(DifyStorageError.isInstance(error), `expected a DifyStorageError, got ${String(error)}`).toBe(true);
  return error as DifyStorageError;
}

const request = (overrides: Partial<SaveRequest> = {}): SaveRequest => ({
  type: 'daily',
  job: 'nightly',
  app: 'ticket-triage',
  runId: 'run-1',
  extension: 'md',
  body: '# Daily report\n',
  contentType: 'text/markdown; charset=utf-8',
  createdAt: new Date('2026-03-02T08:35:12.345Z'),
  ...overrides,
});

/** Deterministic bytes, `size` in total, in chunks of 64 KiB; throws after `failAfter` bytes when given. */
async function* generated(size: number, failAfter?: number): AsyncGenerator<Uint8Array> {
  const chunk = 64 * 1024;
  for (let offset = 0; offset < size; offset += chunk) {
    if (failAfter !== undefined && offset >= failAfter) throw new Error('source broke midway');
    const length = Math.min(chunk, size - offset);
    const bytes = Buffer.alloc(length);
    for (let index = 0; index < length; index += 1) bytes[index] = (offset + index) % 251;
    yield bytes;
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  if (!server) return;
  admin = new S3Client({ ...connection(), maxAttempts: 3 });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
}, 60_000);

afterAll(async () => {
  if (!server) return;
  try {
    await emptyFolder('');
    await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch {
    // a reused server keeps what could not be removed; a started one is deleted below
  } finally {
    admin.destroy();
    await server.stop();
  }
}, 120_000);

describeSwift(`storage-s3 against ${against}`, () => {
  let current = '';
  testStorageAdapter(vitest, {
    name: 's3 (Swift)',
    create: () => {
      current = nextPrefix();
      return createS3Storage({ bucket, prefix: current, ...connection() });
    },
    cleanup: () => emptyFolder(`${current}/`),
  });
});

describeSwift(`storage-s3 behaviour against ${against}`, () => {
  let prefix: string;
  let storage: StorageAdapter;
  beforeEach(() => {
    prefix = `extra-${nextPrefix()}`;
    storage = createS3Storage({ bucket, prefix, ...connection() });
    return async () => {
      await storage.close?.();
      await emptyFolder(`${prefix}/`);
    };
  });

  it('refuses a wrong secret with a clear, non-retryable error that never shows the secret', async () => {
    const secret = 'wrong-secret-Zq83nV1x';
    const wrong = createS3Storage({
      bucket,
      prefix,
      ...connection(),
      credentials: { accessKeyId: server!.accessKeyId, secretAccessKey: secret },
    });
    const listing = await failure(all(wrong.list()));
    expect(listing.code).toBe('storage_failed');
    expect(listing.isRetryable).toBe(false);
    expect(listing.message).toContain('SignatureDoesNotMatch');
    expect(listing.message).toContain(bucket);
    const saving = await failure(wrong.saveReport(request()));
    expect(saving).toMatchObject({ code: 'storage_failed', isRetryable: false });
    expect(saving.message).toMatch(/access denied \(HTTP 403\)/);
    expect(saving.message).toContain(`s3://${bucket}/${prefix}/reports/daily/`);
    for (const error of [listing, saving]) {
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(server!.accessKeyId);
    }
    await wrong.close?.();
  });

  it('reports a missing bucket clearly on save, read, list and delete', async () => {
    const missing = createS3Storage({ bucket: 'dify-logs-no-such-bucket', ...connection() });
    const key = storageKey('report', request(), new Date('2026-03-02T08:35:12.345Z'));
    const attempts = [
      () => missing.saveReport(request()),
      () => missing.read(key),
      () => all(missing.list()),
      () => missing.delete(key),
      () => missing.cleanup({ olderThanDays: 1 }),
    ];
    for (const attempt of attempts) {
      const error = await failure(attempt());
      expect(error.code).toBe('storage_failed');
      expect(error.isRetryable).toBe(false);
      expect(error.message).toContain('bucket "dify-logs-no-such-bucket" does not exist');
    }
    await missing.close?.();
  });

  it('streams a large body as a multipart upload and reads back the same bytes', { timeout: 180_000 }, async () => {
    const size = 12 * MB + 12_345;
    const expected = createHash('sha256');
    for await (const chunk of generated(size)) expected.update(chunk);
    const saved = await storage.saveData(
      request({ type: 'archive', extension: 'bin', contentType: 'application/octet-stream', body: generated(size) }),
    );
    expect(saved.size).toBe(size);
    const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/${saved.key}` }));
    expect(head.ETag).toMatch(/-2"$/); // two 8 MiB parts: a multipart upload
    const bytes = await storage.read(saved.key);
    expect(bytes.byteLength).toBe(size);
    expect(sha256(bytes)).toBe(expected.digest('hex'));
    expect(await unfinishedUploads(`${prefix}/`)).toEqual([]);
    const again = await failure(
      storage.saveData(
        request({ type: 'archive', extension: 'bin', contentType: 'application/octet-stream', body: generated(size) }),
      ),
    );
    expect(again.code).toBe('already_exists');
  });

  it(
    'lists past 1000 keys, paging through ListObjectsV2, and cleans them up in batches',
    { timeout: 180_000 },
    async () => {
      const client = new S3Client({ ...connection() });
      const calls: string[] = [];
      client.middlewareStack.add(
        (next, context) => async (args) => {
          calls.push(context.commandName ?? '');
          return next(args);
        },
        { step: 'initialize', name: 'countCommands' },
      );
      const counted = createS3Storage({ bucket, prefix, client });
      const total = 1100;
      const start = new Date('2026-01-01T00:00:00.000Z').getTime();
      const keys = Array.from({ length: total }, (_, index) =>
        storageKey(
          'data',
          request({ type: 'export', runId: `r${index}`, extension: 'txt' }),
          new Date(start + index * 60_000),
        ),
      );
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < keys.length) {
            const key = keys[next++]!;
            await admin.send(
              new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${key}`, Body: key, ContentType: 'text/plain' }),
            );
          }
        }),
      );
      const listed = await all(counted.list({ kind: 'data', type: 'export' }));
      expect(listed).toHaveLength(total);
      expect(listed.map((object) => object.key)).toEqual([...keys].reverse());
      expect(listed[0]).toMatchObject({
        contentType: 'text/plain',
        size: keys[total - 1]!.length,
        location: `s3://${bucket}/${prefix}/${keys[total - 1]}`,
      });
      expect(calls.filter((name) => name === 'ListObjectsV2Command')).toHaveLength(2);

      const result = await counted.cleanup({ olderThanDays: 0, now: new Date('2027-01-01T00:00:00Z') });
      expect(result.deleted).toHaveLength(total);
      expect(calls.filter((name) => name === 'DeleteObjectsCommand')).toHaveLength(2);
      expect(await objectKeys(`${prefix}/`)).toEqual([]);
      client.destroy();
    },
  );

  it('keeps unicode names and metadata intact, and signs URLs for them', async () => {
    const saved = await storage.saveReport(
      request({
        type: '日报',
        job: '夜间任务',
        app: '工单 分类 ✅',
        runId: 'lauf-ü',
        metadata: { app_name: '工单分类', Period: '2026-03-01', empty: '', plain: 'Ticket Triage' },
      }),
    );
    expect(saved.key).toBe('reports/日报/2026/03/02/夜间任务-工单-分类-20260302T083512345Z-lauf-ü.md');
    expect(Buffer.from(await storage.read(saved.key)).toString('utf8')).toBe('# Daily report\n');
    const [listed] = await all(storage.list({ type: '日报' }));
    expect(listed).toEqual(saved);
    const url = await storage.signedUrl!(saved.key);
    expect(url).toContain('X-Amz-Expires=3600');
    expect(await (await fetch(url)).text()).toBe('# Daily report\n');
    expect(await storage.delete(saved.key)).toBe(true);
    expect(await all(storage.list())).toEqual([]);
  });

  it('cleans up only objects older than the cutoff', async () => {
    const now = new Date();
    const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
    const old = await storage.saveReport(request({ runId: 'old', createdAt: daysAgo(40) }));
    const oldData = await storage.saveData(request({ runId: 'old-data', createdAt: daysAgo(45) }));
    const recent = await storage.saveReport(request({ runId: 'recent', createdAt: daysAgo(10) }));
    const fresh = await storage.saveReport(request({ runId: 'fresh', createdAt: now }));
    expect((await storage.cleanup({ olderThanDays: 30, kind: 'report' })).deleted).toEqual([old.key]);
    expect((await all(storage.list())).map((object) => object.key)).toEqual([fresh.key, recent.key, oldData.key]);
    expect((await storage.cleanup({ olderThanDays: 30 })).deleted).toEqual([oldData.key]);
    expect((await all(storage.list())).map((object) => object.key)).toEqual([fresh.key, recent.key]);
  });

  it(
    'leaves no object and no unfinished multipart upload when a large body fails midway',
    { timeout: 120_000 },
    async () => {
      const body = generated(20 * MB, 17 * MB); // fails after two 8 MiB parts went up
      const error = await storage.saveData(request({ extension: 'bin', body })).catch((caught: unknown) => caught);
      expect((error as Error).message).toBe('source broke midway');
      expect(DifyStorageError.isInstance(error)).toBe(false);
      expect(await all(storage.list())).toEqual([]);
      expect(await objectKeys(`${prefix}/`)).toEqual([]);
      expect(await unfinishedUploads(`${prefix}/`)).toEqual([]);
      const retry = await storage.saveData(request({ extension: 'bin', body: 'complete' }));
      expect(Buffer.from(await storage.read(retry.key)).toString()).toBe('complete');
    },
  );

  it(
    'has the server refuse a completed upload onto an ' + 'existing key (the race the existence check cannot see)',
    async () => {
      const saved = await storage.saveReport(request({ body: 'first' }));
      const target = {
        client: admin,
        bucket,
        objectKey: `${prefix}/${saved.key}`,
        contentType: 'text/plain',
        metadata: {},
        partSizeBytes: 5 * MB,
        queueSize: 1,
        conditional: { putObject: 'refused' as const },
        logger: silentLogger,
      };
      const error = await writeObject(target, new BodySource('second')).catch((caught: unknown) => caught);
      expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(412);
      expect(Buffer.from(await storage.read(saved.key)).toString()).toBe('first');
      expect(await unfinishedUploads(`${prefix}/`)).toEqual([]);
    },
  );

  it(
    'stores under the prefix, closes only its own client, ' + 'and answers not_found and false for missing keys',
    async () => {
      const client = new S3Client({ ...connection() });
      const given = createS3Storage({ bucket, prefix, client });
      const saved = await given.saveReport(request());
      expect(saved.location).toBe(`s3://${bucket}/${prefix}/${saved.key}`);
      expect(await objectKeys(`${prefix}/`)).toEqual([`${prefix}/${saved.key}`]);
      await given.close?.();
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/${saved.key}` })); // still usable
      client.destroy();
      expect((await failure(storage.read(saved.key.replace('run-1', 'run-2')))).code).toBe('not_found');
      expect(await storage.delete(saved.key.replace('run-1', 'run-2'))).toBe(false);
      expect(await storage.delete(saved.key)).toBe(true);
    },
  );
});
