import { createServer } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { DifyConfigError, DifyStorageError } from '@dify-logs/core';
import { describe, expect, it } from 'vitest';
import { createS3Storage } from '../src/index.js';
import { isPreconditionFailure, isRetryable, storageError } from '../src/s3-errors.js';
import { fromS3Metadata, toS3Metadata } from '../src/s3-metadata.js';

const credentials = { accessKeyId: 'AKIAEXAMPLE123', secretAccessKey: 'very-secret-value-42' };

function configError(create: () => unknown): DifyConfigError {
  try {
    create();
  } catch (error) {
    expect(DifyConfigError.isInstance(error)).toBe(true);
    return error as DifyConfigError;
  }
  throw new Error('expected a DifyConfigError');
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createS3Storage options', () => {
  it('validates without any I/O and names the offending option', () => {
    expect(configError(() => createS3Storage({ bucket: '' })).key).toBe('bucket');
    expect(configError(() => createS3Storage({ bucket: 'a/b' })).key).toBe('bucket');
    for (const prefix of ['/abs', '../up', 'a/../b', 'a//b', 'a\\b', '.'])
      expect(configError(() => createS3Storage({ bucket: 'b', prefix })).key, prefix).toBe('prefix');
    expect(configError(() => createS3Storage({ bucket: 'b', client: new S3Client({}), credentials })).key).toBe(
      'client',
    );
    expect(configError(() => createS3Storage({ bucket: 'b', endpoint: 'ftp://example.com' })).key).toBe('endpoint');
    expect(configError(() => createS3Storage({ bucket: 'b', endpoint: 'https://user:pass@example.com' })).key).toBe(
      'endpoint',
    );
    expect(
      configError(() => createS3Storage({ bucket: 'b', credentials: { accessKeyId: 'a', secretAccessKey: '' } })).key,
    ).toBe('credentials.secretAccessKey');
    expect(configError(() => createS3Storage({ bucket: 'b', signedUrlExpiresInSeconds: 0 })).key).toBe(
      'signedUrlExpiresInSeconds',
    );
    expect(configError(() => createS3Storage({ bucket: 'b', signedUrlExpiresInSeconds: 604_801 })).key).toBe(
      'signedUrlExpiresInSeconds',
    );
    expect(configError(() => createS3Storage({ bucket: 'b', partSizeBytes: 1024 })).key).toBe('partSizeBytes');
    const storage = createS3Storage({ bucket: 'b', prefix: 'team/dify-logs/', region: 'eu-central-1', credentials });
    expect(storage).toMatchObject({ name: 's3', capabilities: { signedUrls: true, versioning: false } });
    expect(createS3Storage({ bucket: 'b', name: 'archive' }).name).toBe('archive');
  });

  it('refuses unsafe keys before any request', async () => {
    const storage = createS3Storage({ bucket: 'b', endpoint: 'http://127.0.0.1:1', credentials });
    for (const key of ['../outside.md', '/etc/passwd', 'reports/../../x', 'a\\b', '']) {
      for (const call of [() => storage.read(key), () => storage.delete(key), () => storage.signedUrl!(key)]) {
        const error = await call().catch((caught: unknown) => caught);
        expect((error as DifyStorageError).code, key).toBe('invalid_key');
      }
    }
  });

  it('signs URLs locally, with the default or the given lifetime, and never puts them in a location', async () => {
    const storage = createS3Storage({
      bucket: 'reports',
      endpoint: 'https://s3.example.com',
      forcePathStyle: true,
      credentials,
      signedUrlExpiresInSeconds: 900,
    });
    const url = new URL(await storage.signedUrl!('reports/daily/2026/03/02/a-b-20260302T083512345Z-r.md'));
    expect(url.origin + url.pathname).toBe(
      'https://s3.example.com/reports/reports/daily/2026/03/02/a-b-20260302T083512345Z-r.md',
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.toString()).not.toContain(credentials.secretAccessKey);
    const short = new URL(
      await storage.signedUrl!('reports/daily/2026/03/02/a-b-20260302T083512345Z-r.md', { expiresInSeconds: 60 }),
    );
    expect(short.searchParams.get('X-Amz-Expires')).toBe('60');
    await expect(storage.signedUrl!('reports/x.md', { expiresInSeconds: 10 ** 9 })).rejects.toThrow(/expiresInSeconds/);
    await storage.close?.();
  });

  it('closes the client it created, and never one it was given', async () => {
    const given = new S3Client({ region: 'us-east-1' });
    let destroyed = false;
    given.destroy = () => {
      destroyed = true;
    };
    const storage = createS3Storage({ bucket: 'b', client: given });
    await storage.close?.();
    expect(destroyed).toBe(false);
  });
});

describe('error classification', () => {
  const context = { adapter: 's3', bucket: 'reports', secrets: [credentials.secretAccessKey, credentials.accessKeyId] };
  const sdkError = (name: string, status: number | undefined, message = name, extra: object = {}) =>
    Object.assign(new Error(message), { name, Code: name, $metadata: { httpStatusCode: status }, ...extra });

  it('retries throttling, 5xx and network failures; not auth, missing buckets or 501', () => {
    expect(isRetryable(sdkError('SlowDown', 503))).toBe(true);
    expect(isRetryable(sdkError('InternalError', 500))).toBe(true);
    expect(isRetryable(sdkError('TooManyRequests', 429))).toBe(true);
    expect(isRetryable(sdkError('RequestTimeout', 400))).toBe(true);
    expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toBe(true);
    expect(isRetryable(sdkError('SignatureDoesNotMatch', 403))).toBe(false);
    expect(isRetryable(sdkError('InvalidAccessKeyId', 403))).toBe(false);
    expect(isRetryable(sdkError('AccessDenied', 403))).toBe(false);
    expect(isRetryable(sdkError('NoSuchBucket', 404))).toBe(false);
    expect(isRetryable(sdkError('NotImplemented', 501))).toBe(false);
    expect(isRetryable(sdkError('EntityTooLarge', 400))).toBe(false);
  });

  it('reads a failed If-None-Match as already_exists, and a conflicting one in flight as retryable', () => {
    expect(isPreconditionFailure(sdkError('PreconditionFailed', 412))).toBe(true);
    expect(isPreconditionFailure(sdkError('InvalidRequest', 412))).toBe(true); // Swift's answer
    expect(isPreconditionFailure(sdkError('ConditionalRequestConflict', 409))).toBe(false);
    const conflict = storageError(
      context,
      sdkError('ConditionalRequestConflict', 409),
      'save',
      'reports/x.md',
      'reports/x.md',
    );
    expect(conflict).toMatchObject({ code: 'storage_failed', isRetryable: true });
    expect(conflict.message).toContain('another save of this key is in progress');
  });

  it('names the bucket and key and scrubs credentials from server messages', () => {
    const error = storageError(
      context,
      sdkError(
        'SignatureDoesNotMatch',
        403,
        `signature for ${credentials.accessKeyId} with ${credentials.secretAccessKey} is wrong`,
      ),
      'save',
      'p/reports/x.md',
      'reports/x.md',
    );
    expect(error).toMatchObject({ code: 'storage_failed', isRetryable: false, key: 'reports/x.md', adapter: 's3' });
    expect(error.message).toContain('s3://reports/p/reports/x.md');
    expect(error.message).toContain('SignatureDoesNotMatch, HTTP 403');
    expect(error.message).not.toContain(credentials.secretAccessKey);
    expect(error.message).not.toContain(credentials.accessKeyId);
    expect(storageError(context, sdkError('NoSuchBucket', 404), 'list', 'reports/').message).toContain(
      'bucket "reports" does not exist',
    );
    const passed = new DifyStorageError('s3', 'not_found', 'gone');
    expect(storageError(context, passed, 'read')).toBe(passed);
  });

  it('turns an unreachable endpoint into a retryable storage error', { timeout: 20_000 }, async () => {
    const storage = createS3Storage({
      bucket: 'reports',
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      forcePathStyle: true,
      credentials,
    });
    const error = await storage
      .read('reports/daily/2026/03/02/a-b-20260302T083512345Z-r.md')
      .catch((caught: unknown) => caught);
    expect(DifyStorageError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'storage_failed', isRetryable: true });
    expect((error as Error).message).toMatch(/could not read s3:\/\/reports\/reports\/daily\/.*ECONNREFUSED/);
    await storage.close?.();
  });
});

describe('metadata on S3', () => {
  it('keeps header-safe entries as plain metadata and packs the rest so everything reads back exactly', () => {
    const metadata = {
      period: '2026-03-01',
      'app-id': 'abc',
      app_name: '工单分类',
      Period: 'Upper',
      empty: '',
      spaced: ' x ',
      'dify-logs-metadata': 'mine',
    };
    const stored = toS3Metadata(metadata);
    expect(stored).toMatchObject({ period: '2026-03-01', 'app-id': 'abc' });
    expect(Object.keys(stored).every((name) => /^[a-z0-9-]+$/.test(name))).toBe(true);
    expect(Object.values(stored).every((value) => /^[\x20-\x7e]+$/.test(value))).toBe(true);
    expect(fromS3Metadata(stored)).toEqual(metadata);
    expect(toS3Metadata({ plain: 'yes' })).toEqual({ plain: 'yes' });
    expect(fromS3Metadata(undefined)).toEqual({});
  });
});
