import { createServer } from 'node:net';
import OSS from 'ali-oss';
import { DifyConfigError, DifyStorageError } from '@dify-logs/core';
import type { SaveRequest, StorageAdapter, StoredObject } from '@dify-logs/core/adapter-kit';
import { storageKey } from '@dify-logs/core/adapter-kit';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOssStorage, type OssStorageOptions } from '../src/index.js';
import { startOssServer, type OssTestServer } from './oss-server.js';

const server = await startOssServer();
afterAll(() => server.close());
beforeEach(() => server.reset());

const KIB = 1024;
const opened: StorageAdapter[] = [];
afterAll(async () => {
  for (const adapter of opened) await adapter.close?.();
});

function options(target: OssTestServer = server, overrides: Partial<OssStorageOptions> = {}): OssStorageOptions {
  return {
    endpoint: target.endpoint,
    region: target.region,
    pathStyle: true,
    bucket: target.bucket,
    accessKeyId: target.accessKeyId,
    accessKeySecret: target.accessKeySecret,
    ...overrides,
  };
}

function storage(overrides: Partial<OssStorageOptions> = {}, target: OssTestServer = server): StorageAdapter {
  const adapter = createOssStorage(options(target, overrides));
  opened.push(adapter);
  return adapter;
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

function configError(create: () => unknown): DifyConfigError {
  try {
    create();
  } catch (error) {
    expect(DifyConfigError.isInstance(error)).toBe(true);
    return error as DifyConfigError;
  }
  throw new Error('expected a DifyConfigError');
}

/** Deterministic bytes, `size` in total, in chunks of 16 KiB; throws after `failAfter` bytes when given. */
async function* generated(size: number, failAfter?: number): AsyncGenerator<Uint8Array> {
  const chunk = 16 * KIB;
  for (let offset = 0; offset < size; offset += chunk) {
    if (failAfter !== undefined && offset >= failAfter) throw new Error('source broke midway');
    const length = Math.min(chunk, size - offset);
    yield Buffer.from(Array.from({ length }, (_, index) => (offset + index) % 251));
  }
}

const expected = (size: number) => Buffer.from(Array.from({ length: size }, (_, index) => index % 251));
const operations = (name: string) => server.requests.filter((entry) => entry.operation === name);

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, 'localhost', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('createOssStorage options', () => {
  const credentials = { accessKeyId: 'LTAI5tExample', accessKeySecret: 'example-secret-value-42' };

  it('validates without any I/O and names the offending option', () => {
    const base = { bucket: 'reports', region: 'oss-cn-hangzhou', ...credentials };
    expect(configError(() => createOssStorage({ ...base, bucket: '' })).key).toBe('bucket');
    expect(configError(() => createOssStorage({ ...base, bucket: 'a/b' })).key).toBe('bucket');
    expect(configError(() => createOssStorage({ ...base, bucket: 'Reports' })).key).toBe('bucket');
    for (const prefix of ['/abs', '../up', 'a/../b', 'a//b', 'a\\b', '.'])
      expect(configError(() => createOssStorage({ ...base, prefix })).key, prefix).toBe('prefix');
    expect(configError(() => createOssStorage({ ...base, accessKeyId: '' })).key).toBe('accessKeyId');
    expect(configError(() => createOssStorage({ ...base, accessKeySecret: undefined })).key).toBe('accessKeySecret');
    expect(configError(() => createOssStorage({ ...base, region: undefined })).key).toBe('endpoint');
    expect(configError(() => createOssStorage({ ...base, region: 'hangzhou' })).key).toBe('region');
    expect(configError(() => createOssStorage({ ...base, endpoint: 'ftp://example.com' })).key).toBe('endpoint');
    expect(configError(() => createOssStorage({ ...base, endpoint: 'https://user:pass@example.com' })).key).toBe(
      'endpoint',
    );
    expect(configError(() => createOssStorage({ ...base, endpoint: 'http://127.0.0.1:9000' })).key).toBe('endpoint');
    expect(configError(() => createOssStorage({ ...base, endpoint: 'https://oss.example.com/path' })).key).toBe(
      'endpoint',
    );
    expect(configError(() => createOssStorage({ ...base, endpoint: 'reports.oss-cn-hangzhou.aliyuncs.com' })).key).toBe(
      'endpoint',
    );
    // V4 needs the region: derived from an aliyuncs.com endpoint, required for any other.
    expect(
      configError(() => createOssStorage({ ...base, region: undefined, endpoint: 'https://oss.example.com' })).key,
    ).toBe('region');
    expect(() =>
      createOssStorage({ ...base, region: undefined, endpoint: 'https://oss.example.com', authorizationV4: false }),
    ).not.toThrow();
    expect(() =>
      createOssStorage({ ...base, region: undefined, endpoint: 'oss-cn-shanghai-internal.aliyuncs.com' }),
    ).not.toThrow();
    expect(configError(() => createOssStorage({ ...base, signedUrlExpiresInSeconds: 0 })).key).toBe(
      'signedUrlExpiresInSeconds',
    );
    expect(configError(() => createOssStorage({ ...base, signedUrlExpiresInSeconds: 604_801 })).key).toBe(
      'signedUrlExpiresInSeconds',
    );
    expect(configError(() => createOssStorage({ ...base, partSizeBytes: 1024 })).key).toBe('partSizeBytes');
    const given = new OSS({ region: 'oss-cn-hangzhou', bucket: 'reports', ...credentials });
    expect(configError(() => createOssStorage({ bucket: 'reports', client: given, accessKeyId: 'x' })).key).toBe(
      'client',
    );
    expect(configError(() => createOssStorage({ bucket: 'archive', client: given })).key).toBe('client');
    const adapter = createOssStorage({ ...base, endpoint: 'http://unreachable.invalid:1' }); // no I/O at construction
    expect(adapter).toMatchObject({ name: 'oss', capabilities: { signedUrls: true, versioning: false } });
    expect(createOssStorage({ ...base, name: 'archive' }).name).toBe('archive');
  });

  it('names its bucket and prefix as its location (what cleanup reports), without credentials', () => {
    const adapter = createOssStorage({
      bucket: 'reports',
      region: 'oss-cn-hangzhou',
      prefix: 'dify/prod',
      ...credentials,
    });
    expect(adapter.location).toBe('oss://reports/dify/prod/');
    expect(createOssStorage({ bucket: 'reports', region: 'oss-cn-hangzhou', ...credentials }).location).toBe(
      'oss://reports/',
    );
    expect(adapter.location).not.toContain(credentials.accessKeySecret);
  });

  it('refuses unsafe keys before any request', async () => {
    const adapter = storage();
    for (const key of ['../outside.md', '/etc/passwd', 'reports/../../x', 'a\\b', '']) {
      for (const call of [() => adapter.read(key), () => adapter.delete(key), () => adapter.signedUrl!(key)]) {
        expect((await failure(call())).code, key).toBe('invalid_key');
      }
    }
    expect(server.requests).toEqual([]);
  });

  it(
    'signs URLs locally: V4 for the region derived from ' + 'the endpoint, V1 when asked, never with the secret',
    async () => {
      const key = 'reports/daily/2026/03/02/a-b-20260302T083512345Z-r.md';
      const v4 = createOssStorage({
        bucket: 'reports',
        endpoint: 'oss-cn-shanghai.aliyuncs.com',
        prefix: 'prod',
        ...credentials,
        signedUrlExpiresInSeconds: 900,
      });
      const url = new URL(await v4.signedUrl!(key));
      expect(url.origin + url.pathname).toBe(`https://reports.oss-cn-shanghai.aliyuncs.com/prod/${key}`);
      expect(url.searchParams.get('x-oss-credential')).toMatch(
        /^LTAI5tExample\/\d{8}\/cn-shanghai\/oss\/aliyun_v4_request$/,
      );
      expect(url.searchParams.get('x-oss-expires')).toBe('900');
      expect(new URL(await v4.signedUrl!(key, { expiresInSeconds: 60 })).searchParams.get('x-oss-expires')).toBe('60');
      await expect(v4.signedUrl!(key, { expiresInSeconds: 10 ** 9 })).rejects.toThrow(/expiresInSeconds/);
      const v1 = createOssStorage({ bucket: 'reports', region: 'cn-shanghai', ...credentials, authorizationV4: false });
      const signed = new URL(await v1.signedUrl!(key));
      expect(signed.origin).toBe('https://reports.oss-cn-shanghai.aliyuncs.com');
      expect([...signed.searchParams.keys()].sort()).toEqual(['Expires', 'OSSAccessKeyId', 'Signature']);
      expect(Number(signed.searchParams.get('Expires')) - Date.now() / 1000).toBeGreaterThan(3590);
      for (const text of [url.toString(), signed.toString()]) expect(text).not.toContain(credentials.accessKeySecret);
    },
  );
});

describe('errors', () => {
  it(
    'reports a wrong secret as SignatureDoesNotMatch, not ' +
      'retryable, naming bucket and key but no secret (V4 and V1)',
    async () => {
      for (const authorizationV4 of [true, false]) {
        const wrongSecret = 'wrong-secret-value-123456';
        const adapter = storage({ accessKeySecret: wrongSecret, authorizationV4 });
        const error = await failure(adapter.saveReport(request()));
        expect(error).toMatchObject({ code: 'storage_failed', isRetryable: false, adapter: 'oss' });
        expect(error.message).toMatch(
          new RegExp(
            /^oss: could not save oss:\/\/dify-logs-test\/reports\/daily\/2026\/03\/02\//.source +
              /nightly-ticket-triage-20260302T083512345Z-run-1\.md: the signature was refused /.source +
              /\(SignatureDoesNotMatch, HTTP 403; request id [0-9A-F]{24}\): .*check accessKeySecret$/.source,
          ),
        );
        for (const text of [wrongSecret, server.accessKeySecret, server.accessKeyId])
          expect(error.message).not.toContain(text);
        const listing = await all(adapter.list()).catch((caught: unknown) => caught);
        expect((listing as DifyStorageError).message).toContain('SignatureDoesNotMatch');
        expect(server.objectKeys()).toEqual([]);
      }
    },
  );

  it('names an unknown access key, a missing bucket and a skewed clock, none retryable', async () => {
    const unknown = await failure(
      storage({ accessKeyId: 'LTAIunknown' }).read('reports/daily/2026/03/02/a-b-20260302T083512345Z-r.md'),
    );
    expect(unknown).toMatchObject({ code: 'storage_failed', isRetryable: false });
    expect(unknown.message).toContain('InvalidAccessKeyId');
    expect(unknown.message).not.toContain('LTAIunknown');
    const noBucket = storage({ bucket: 'no-such-bucket' });
    for (const call of [
      () => noBucket.saveReport(request()),
      () => noBucket.delete('reports/x.md'),
      () => all(noBucket.list()),
    ]) {
      const error = await failure(call());
      expect(error).toMatchObject({ code: 'storage_failed', isRetryable: false });
      expect(error.message).toContain('bucket "no-such-bucket" does not exist (NoSuchBucket');
    }
    server.setClockOffset(20 * 60_000);
    const skewed = await failure(storage().saveReport(request()));
    expect(skewed.message).toContain('RequestTimeTooSkewed');
    expect(skewed.isRetryable).toBe(false);
  });

  it('marks throttling, 5xx and dropped or refused connections retryable', async () => {
    const adapter = storage();
    server.failNext({ status: 503, code: 'ServiceUnavailable', operation: 'PutObject' });
    const unavailable = await failure(adapter.saveReport(request()));
    expect(unavailable).toMatchObject({ code: 'storage_failed', isRetryable: true });
    expect(unavailable.message).toContain('ServiceUnavailable, HTTP 503');
    expect(server.objectKeys()).toEqual([]);
    server.failNext({ status: 429, code: 'QpsLimitExceeded', operation: 'ListObjectsV2' });
    expect((await failure(all(adapter.list()))).isRetryable).toBe(true);
    server.failNext({ destroy: true, operation: 'GetObject' });
    const dropped = await failure(adapter.read('reports/daily/2026/03/02/a-b-20260302T083512345Z-r.md'));
    expect(dropped.isRetryable).toBe(true);
    expect(dropped.message).toContain('could not reach the OSS endpoint');
    const refused = createOssStorage(options(server, { endpoint: `http://localhost:${await closedPort()}` }));
    const error = await failure(refused.saveReport(request()));
    expect(error.isRetryable).toBe(true);
    expect(error.message).toMatch(
      /could not save oss:\/\/dify-logs-test\/reports\/.*could not reach the OSS endpoint \(ECONNREFUSED\)/,
    );
    await refused.close?.();
  });
});

describe('saves', () => {
  it('writes with x-oss-forbid-overwrite, Content-MD5, the content type and header-safe metadata', async () => {
    const adapter = storage({ prefix: 'team/dify-logs' });
    const metadata = { period: '2026-03-01', app_name: '工单分类', Format: 'json', empty: '' };
    const saved = await adapter.saveReport(request({ metadata }));
    expect(saved.location).toBe(`oss://dify-logs-test/team/dify-logs/${saved.key}`);
    const [put] = operations('PutObject');
    expect(put?.headers).toMatchObject({
      'x-oss-forbid-overwrite': 'true',
      'content-type': 'text/markdown; charset=utf-8',
      'x-oss-meta-period': '2026-03-01',
    });
    expect(put?.headers['content-md5']).toBeDefined();
    expect(put?.headers['user-agent']).toMatch(/^dify-logs\/\S+ aliyun-sdk-nodejs\//);
    const stored = server.object(`team/dify-logs/${saved.key}`)!;
    expect(Object.keys(stored.metadata).every((name) => /^[a-z0-9-]+$/.test(name))).toBe(true);
    expect((await all(adapter.list()))[0]).toEqual(saved);
  });

  it(
    'streams large bodies as multipart uploads with ' + 'Content-MD5 parts, completed without overwriting (V4 and V1)',
    async () => {
      for (const authorizationV4 of [true, false]) {
        server.reset();
        const adapter = storage({ partSizeBytes: 100 * KIB, authorizationV4 });
        const size = 350 * KIB + 17;
        const saved = await adapter.saveData(
          request({
            extension: 'bin',
            contentType: 'application/octet-stream',
            body: generated(size),
            metadata: { part: 'yes' },
          }),
        );
        expect(saved.size).toBe(size);
        expect(Buffer.from(await adapter.read(saved.key)).equals(expected(size))).toBe(true);
        expect(server.object(saved.key)).toMatchObject({ type: 'Multipart', contentType: 'application/octet-stream' });
        expect(operations('UploadPart')).toHaveLength(4);
        expect(operations('UploadPart').every((entry) => entry.headers['content-md5'] !== undefined)).toBe(true);
        expect(operations('InitiateMultipartUpload')[0]?.headers['x-oss-forbid-overwrite']).toBe('true');
        expect(operations('CompleteMultipartUpload')[0]?.headers['x-oss-forbid-overwrite']).toBe('true');
        expect((await all(adapter.list()))[0]).toEqual(saved);
      }
    },
  );

  it(
    'leaves no object and no unfinished upload when a ' + 'body fails midway, then saves the same key (V4 and V1)',
    async () => {
      for (const authorizationV4 of [true, false]) {
        server.reset();
        const adapter = storage({ partSizeBytes: 100 * KIB, authorizationV4 });
        const error = await adapter
          .saveData(request({ extension: 'bin', body: generated(500 * KIB, 260 * KIB) }))
          .catch((caught: unknown) => caught);
        expect((error as Error).message).toBe('source broke midway');
        expect(DifyStorageError.isInstance(error)).toBe(false);
        expect(operations('UploadPart').length).toBeGreaterThanOrEqual(2);
        expect(operations('AbortMultipartUpload')).toMatchObject([{ status: 204 }]);
        expect(server.objectKeys()).toEqual([]);
        expect(server.uploads()).toEqual([]);
        const small = await adapter
          .saveData(request({ extension: 'bin', body: generated(50 * KIB, 20 * KIB) }))
          .catch((caught: unknown) => caught);
        expect((small as Error).message).toBe('source broke midway');
        expect(operations('PutObject')).toEqual([]); // a body within one part is never sent before it ended
        const retry = await adapter.saveData(request({ extension: 'bin', body: 'complete' }));
        expect(Buffer.from(await adapter.read(retry.key)).toString()).toBe('complete');
      }
    },
  );

  it(
    'has the server refuse a write onto a key that appeared ' + 'after the existence check (single and multipart)',
    async () => {
      const adapter = storage({ partSizeBytes: 100 * KIB });
      for (const size of [10 * KIB, 250 * KIB]) {
        server.reset();
        const key = storageKey('data', request({ extension: 'bin' }), request().createdAt!);
        async function* racing() {
          yield* generated(size / 2);
          server.putObject(key, 'the other writer');
          yield* generated(size / 2);
        }
        const error = await failure(adapter.saveData(request({ extension: 'bin', body: racing() })));
        expect(error).toMatchObject({ code: 'already_exists', key });
        expect(server.object(key)?.body.toString()).toBe('the other writer');
        expect(server.uploads()).toEqual([]);
        expect(server.requests.filter((entry) => entry.code === 'FileAlreadyExists')).toHaveLength(1);
      }
    },
  );

  it('lets exactly one of two racing multipart saves win', async () => {
    const adapter = storage({ partSizeBytes: 100 * KIB });
    const results = await Promise.allSettled([
      adapter.saveData(request({ extension: 'bin', body: generated(300 * KIB) })),
      adapter.saveData(request({ extension: 'bin', body: generated(300 * KIB) })),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(
      ((results.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason as DifyStorageError)
        .code,
    ).toBe('already_exists');
    expect(server.objectKeys()).toHaveLength(1);
    expect(server.uploads()).toEqual([]);
  });
});

describe('listing, cleanup, unicode and signed URLs', () => {
  it(
    'pages through more than 1000 keys, newest first, and ' + 'cleans them up 1000 per DeleteMultipleObjects (V1)',
    async () => {
      const prefix = 'bulk';
      const total = 1100;
      const start = new Date('2026-01-01T00:00:00.000Z').getTime();
      const keys = Array.from({ length: total }, (_, index) =>
        storageKey(
          'data',
          request({ type: 'export', runId: `r${index}`, extension: 'txt' }),
          new Date(start + index * 60_000),
        ),
      );
      for (const key of keys) server.putObject(`${prefix}/${key}`, key, { contentType: 'text/plain' });
      server.putObject(`${prefix}/data/export/notes.txt`, 'not made by dify-logs');

      const listed = await all(storage({ prefix }).list({ kind: 'data', type: 'export' }));
      expect(listed).toHaveLength(total);
      expect(listed.map((object) => object.key)).toEqual([...keys].reverse());
      expect(listed[0]).toMatchObject({
        contentType: 'text/plain',
        size: keys[total - 1]!.length,
        location: `oss://dify-logs-test/${prefix}/${keys[total - 1]}`,
      });
      expect(operations('ListObjectsV2').map((entry) => entry.query['max-keys'])).toEqual(['1000', '1000']);

      const result = await storage({ prefix, authorizationV4: false }).cleanup({
        olderThanDays: 0,
        now: new Date('2027-01-01T00:00:00Z'),
      });
      expect(result.deleted).toHaveLength(total);
      const deletes = operations('DeleteMultipleObjects');
      expect(deletes.map((entry) => [entry.auth, entry.status, entry.headers['content-md5'] !== undefined])).toEqual([
        ['v1', 200, true],
        ['v1', 200, true],
      ]);
      expect(server.objectKeys()).toEqual([`${prefix}/data/export/notes.txt`]);
    },
  );

  it('keeps unicode names and metadata intact, and signs working URLs for them (V4 and V1)', async () => {
    for (const authorizationV4 of [true, false]) {
      server.reset();
      const adapter = storage({ authorizationV4 });
      const saved = await adapter.saveReport(
        request({
          type: '日报',
          job: '夜间任务',
          app: '工单 分类 𠀀 ✅',
          runId: 'lauf-ü',
          metadata: { app_name: '工单分类', Period: '2026-03-01', empty: '', plain: 'Ticket Triage' },
        }),
      );
      expect(saved.key).toBe('reports/日报/2026/03/02/夜间任务-工单-分类-𠀀-20260302T083512345Z-lauf-ü.md');
      expect(server.objectKeys()).toEqual([saved.key]);
      expect(Buffer.from(await adapter.read(saved.key)).toString('utf8')).toBe('# Daily report\n');
      expect(await all(adapter.list({ type: '日报' }))).toEqual([saved]);
      const response = await fetch(await adapter.signedUrl!(saved.key));
      expect([response.status, await response.text()]).toEqual([200, '# Daily report\n']);
      expect(await adapter.delete(saved.key)).toBe(true);
      expect(await adapter.delete(saved.key)).toBe(false);
      expect(server.objectKeys()).toEqual([]);
    }
  });

  it('hands out signed URLs that stop working when tampered with or expired (V4 and V1)', async () => {
    for (const authorizationV4 of [true, false]) {
      server.reset();
      const adapter = storage({ authorizationV4, signedUrlExpiresInSeconds: 120 });
      const saved = await adapter.saveReport(request({ body: 'signed' }));
      const other = await adapter.saveReport(request({ runId: 'run-2', body: 'other' }));
      const url = await adapter.signedUrl!(saved.key, { expiresInSeconds: 60 });
      expect(url).not.toContain(server.accessKeySecret);
      expect(await (await fetch(url)).text()).toBe('signed');
      const forOther = await fetch(url.replace('run-1', 'run-2'));
      expect(forOther.status).toBe(403);
      expect(await forOther.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      const stretched = new URL(url);
      const expiry = authorizationV4 ? 'x-oss-expires' : 'Expires';
      stretched.searchParams.set(expiry, String(Number(stretched.searchParams.get(expiry)) + 3600));
      expect((await fetch(stretched)).status).toBe(403);
      server.setClockOffset(90_000);
      const expired = await fetch(url);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('Request has expired');
      // the default lifetime, 120 s from now
      expect(await (await fetch(await adapter.signedUrl!(other.key))).text()).toBe('other');
      server.setClockOffset(0);
      const unsigned = await fetch(`${server.endpoint}/${server.bucket}/${saved.key}`);
      expect(unsigned.status).toBe(403);
    }
  });
});

describe('credentials and clients', () => {
  it('sends the STS token with every request and signed URL, and never shows it or writes to the console', async () => {
    const token = 'CAIS-sts-security-token-0123456789';
    const sts = await startOssServer({
      credentials: [{ accessKeyId: 'STS.NTestKey', accessKeySecret: 'sts-secret-0123456789', securityToken: token }],
    });
    const warn = vi.spyOn(console, 'warn');
    try {
      for (const authorizationV4 of [true, false]) {
        const adapter = storage({ stsToken: token, authorizationV4 }, sts);
        const saved = await adapter.saveReport(request({ runId: `sts-${authorizationV4}` }));
        expect(Buffer.from(await adapter.read(saved.key)).toString()).toBe('# Daily report\n');
        expect(await (await fetch(await adapter.signedUrl!(saved.key))).text()).toBe('# Daily report\n');
        const withoutToken = await failure(
          storage({ authorizationV4 }, sts).saveReport(request({ runId: 'no-token' })),
        );
        expect(withoutToken.message).toContain('InvalidAccessKeyId');
        const wrongToken = await failure(
          storage({ authorizationV4, stsToken: 'CAIS-wrong-token-value' }, sts).saveReport(
            request({ runId: 'bad-token' }),
          ),
        );
        expect(wrongToken.message).not.toContain('CAIS-wrong-token-value');
      }
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      await sts.close();
    }
  });

  it('uses a given client as it is and leaves it open; closes the sockets of a client it created', async () => {
    const own = await startOssServer();
    try {
      const client = new OSS({
        endpoint: own.endpoint,
        region: own.region,
        bucket: own.bucket,
        accessKeyId: own.accessKeyId,
        accessKeySecret: own.accessKeySecret,
        sldEnable: true,
        authorizationV4: false,
      } as OSS.Options);
      const given = createOssStorage({ bucket: own.bucket, client });
      const saved = await given.saveReport(request());
      expect(own.requests.at(-1)?.auth).toBe('v1');
      // V1, as the client signs
      expect(new URL(await given.signedUrl!(saved.key)).searchParams.has('Signature')).toBe(true);
      await given.close?.();
      await client.head(saved.key); // still usable

      const created = createOssStorage(options(own));
      await created.read(saved.key);
      await created.read(saved.key);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const before = own.connections();
      await created.close?.();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(own.connections()).toBe(before - 1);
      await created.read(saved.key); // a closed adapter opens a new client on its next call
      await created.close?.();
    } finally {
      await own.close();
    }
  });
});
