/**
 * The OSS test server's own tests. Requests are signed by hand here, with the strings to sign written
 * out as the OSS documentation spells them (not with the server's `oss-signature.ts`), then tampered
 * with: a server that let a tampered request through would make every adapter test worthless.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import OSS from 'ali-oss';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startOssServer } from './oss-server.js';

const server = await startOssServer();
afterAll(() => server.close());
beforeEach(() => server.reset());

const ak = server.accessKeyId;
const secret = server.accessKeySecret;
const bucket = server.bucket;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function send(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: 'localhost', port: server.port, method, path, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const code = (answer: Answer) => /<Code>([^<]*)<\/Code>/.exec(answer.text)?.[1];
const md5 = (body: string) => createHash('md5').update(body).digest('base64');
const sha1Signature = (key: string, stringToSign: string) =>
  createHmac('sha1', key).update(stringToSign, 'utf8').digest('base64');

/** `aliyun_v4` + secret → date → region → `oss` → `aliyun_v4_request`, then HMAC-SHA256 of the string to sign, hex. */
function v4Signature(key: string, day: string, region: string, stringToSign: string): string {
  let signing: Buffer = createHmac('sha256', `aliyun_v4${key}`).update(day).digest();
  for (const part of [region, 'oss', 'aliyun_v4_request'])
    signing = createHmac('sha256', signing).update(part).digest();
  return createHmac('sha256', signing).update(stringToSign).digest('hex');
}

/** `20260302T083512Z`. */
const v4Date = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

describe('V1 signatures (OSS ak:base64(hmac-sha1))', () => {
  const body = 'hello, oss\n';
  const putHeaders = (date: string, author = 'ada') => ({
    'content-md5': md5(body),
    'content-type': 'text/plain',
    'x-oss-date': date,
    'x-oss-forbid-overwrite': 'true',
    'x-oss-meta-author': author,
  });
  const putStringToSign = (date: string) =>
    `PUT\n${md5(body)}\ntext/plain\n${date}\nx-oss-date:${date}\n` +
    `x-oss-forbid-overwrite:true\nx-oss-meta-author:ada\n/${bucket}/notes/hello.txt`;

  it('accepts a request signed by hand and stores the object with its metadata', async () => {
    const date = new Date().toUTCString();
    const answer = await send(
      'PUT',
      `/${bucket}/notes/hello.txt`,
      { ...putHeaders(date), authorization: `OSS ${ak}:${sha1Signature(secret, putStringToSign(date))}` },
      body,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.etag).toBe(`"${createHash('md5').update(body).digest('hex').toUpperCase()}"`);
    expect(answer.headers['x-oss-request-id']).toMatch(/^[0-9A-F]{24}$/);
    expect(server.object('notes/hello.txt')).toMatchObject({ contentType: 'text/plain', metadata: { author: 'ada' } });
    expect(server.requests.at(-1)).toMatchObject({ operation: 'PutObject', auth: 'v1', status: 200 });

    const getDate = new Date().toUTCString();
    const get = await send('GET', `/${bucket}/notes/hello.txt`, {
      date: getDate,
      authorization: `OSS ${ak}:${sha1Signature(secret, `GET\n\n\n${getDate}\n/${bucket}/notes/hello.txt`)}`,
    });
    expect(get).toMatchObject({ status: 200, text: body });
    expect(get.headers['x-oss-meta-author']).toBe('ada');
  });

  it('refuses a tampered header, a wrong secret, an unknown key, a stale date and no signature', async () => {
    const date = new Date().toUTCString();
    const signature = sha1Signature(secret, putStringToSign(date));
    const tampered = await send(
      'PUT',
      `/${bucket}/notes/hello.txt`,
      { ...putHeaders(date, 'eve'), authorization: `OSS ${ak}:${signature}` },
      body,
    );
    expect([tampered.status, code(tampered)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(tampered.text).toContain('<RequestId>');
    expect(tampered.text).toContain('x-oss-meta-author:eve'); // the StringToSign the server computed, as OSS returns it
    const wrongSecret = await send(
      'PUT',
      `/${bucket}/notes/hello.txt`,
      { ...putHeaders(date), authorization: `OSS ${ak}:${sha1Signature('not-the-secret', putStringToSign(date))}` },
      body,
    );
    expect([wrongSecret.status, code(wrongSecret)]).toEqual([403, 'SignatureDoesNotMatch']);
    const unknown = await send(
      'PUT',
      `/${bucket}/notes/hello.txt`,
      { ...putHeaders(date), authorization: `OSS LTAIunknown:${signature}` },
      body,
    );
    expect([unknown.status, code(unknown)]).toEqual([403, 'InvalidAccessKeyId']);
    const old = new Date(Date.now() - 20 * 60_000).toUTCString();
    const stale = await send(
      'PUT',
      `/${bucket}/notes/hello.txt`,
      { ...putHeaders(old), authorization: `OSS ${ak}:${sha1Signature(secret, putStringToSign(old))}` },
      body,
    );
    expect([stale.status, code(stale)]).toEqual([403, 'RequestTimeTooSkewed']);
    const anonymous = await send('GET', `/${bucket}/notes/hello.txt`, {});
    expect([anonymous.status, code(anonymous)]).toEqual([403, 'AccessDenied']);
    expect(server.objectKeys()).toEqual([]);
  });

  it('checks Content-MD5 against the body', async () => {
    const date = new Date().toUTCString();
    const answer = await send(
      'PUT',
      `/${bucket}/notes/hello.txt`,
      { ...putHeaders(date), authorization: `OSS ${ak}:${sha1Signature(secret, putStringToSign(date))}` },
      'hello, 0ss\n',
    );
    expect([answer.status, code(answer)]).toEqual([400, 'InvalidDigest']);
    expect(server.objectKeys()).toEqual([]);
  });

  it('signs sub-resources (?uploads) but not plain parameters (prefix)', async () => {
    const date = new Date().toUTCString();
    const uploads = await send('GET', `/${bucket}/?uploads`, {
      date,
      authorization: `OSS ${ak}:${sha1Signature(secret, `GET\n\n\n${date}\n/${bucket}/?uploads`)}`,
    });
    expect(uploads.status).toBe(200);
    expect(uploads.text).toContain('<ListMultipartUploadsResult>');
    const listed = await send('GET', `/${bucket}/?prefix=notes%2F`, {
      date,
      authorization: `OSS ${ak}:${sha1Signature(secret, `GET\n\n\n${date}\n/${bucket}/`)}`,
    });
    expect(listed.status).toBe(200);
    const unsigned = await send('GET', `/${bucket}/?uploads`, {
      date,
      authorization: `OSS ${ak}:${sha1Signature(secret, `GET\n\n\n${date}\n/${bucket}/`)}`,
    });
    expect(code(unsigned)).toBe('SignatureDoesNotMatch');
  });

  it('serves V1 signed URLs (OSSAccessKeyId, Expires, Signature) until they expire', async () => {
    server.putObject('notes/hello.txt', body, { contentType: 'text/plain' });
    const url = (expires: number, signedExpires = expires) =>
      `/${bucket}/notes/hello.txt?OSSAccessKeyId=${ak}&Expires=${expires}&Signature=` +
      `${encodeURIComponent(sha1Signature(secret, `GET\n\n\n${signedExpires}\n/${bucket}/notes/hello.txt`))}`;
    const later = Math.floor(Date.now() / 1000) + 60;
    expect(await (await fetch(server.endpoint + url(later))).text()).toBe(body);
    const tampered = await send('GET', url(later + 1, later), {});
    expect([tampered.status, code(tampered)]).toEqual([403, 'SignatureDoesNotMatch']);
    const expired = await send('GET', url(Math.floor(Date.now() / 1000) - 1), {});
    expect([expired.status, code(expired)]).toEqual([403, 'AccessDenied']);
    expect(expired.text).toContain('Request has expired');
  });

  it('stores nothing when the client goes away in the middle of a chunked body', async () => {
    const date = new Date().toUTCString();
    const stringToSign = `PUT\n\ntext/plain\n${date}\n/${bucket}/notes/partial.txt`;
    await new Promise<void>((resolve) => {
      const request = httpRequest({
        host: 'localhost',
        port: server.port,
        method: 'PUT',
        path: `/${bucket}/notes/partial.txt`,
        headers: {
          date,
          'content-type': 'text/plain',
          'transfer-encoding': 'chunked',
          authorization: `OSS ${ak}:${sha1Signature(secret, stringToSign)}`,
        },
        agent: false,
      });
      request.on('error', () => resolve());
      request.write('the first half of a report\n', () => setTimeout(() => request.destroy(), 50));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.objectKeys()).toEqual([]);
    expect(server.requests.at(-1)).toMatchObject({ operation: 'PutObject', status: -1 });
  });
});

describe('V4 signatures (OSS4-HMAC-SHA256)', () => {
  const region = 'cn-hangzhou';
  const body = '日报\n';

  function signedPut(now: Date, overrides: { contentType?: string; region?: string; key?: string } = {}) {
    const timestamp = v4Date(now);
    const day = timestamp.slice(0, 8);
    const scopeRegion = overrides.region ?? region;
    // Key `日报/a b.txt`: the canonical URI is percent-encoded UTF-8 with the slashes kept.
    const canonicalRequest = [
      'PUT',
      `/${bucket}/%E6%97%A5%E6%8A%A5/a%20b.txt`,
      '',
      `content-md5:${md5(body)}\ncontent-type:text/plain\nhost:localhost:${server.port}\n` +
        `x-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:${timestamp}\n`,
      'host',
      'UNSIGNED-PAYLOAD',
    ].join('\n');
    const stringToSign = [
      'OSS4-HMAC-SHA256',
      timestamp,
      `${day}/${scopeRegion}/oss/aliyun_v4_request`,
      sha256Hex(canonicalRequest),
    ].join('\n');
    const headers = {
      'content-md5': md5(body),
      'content-type': overrides.contentType ?? 'text/plain',
      'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-oss-date': timestamp,
      authorization:
        `OSS4-HMAC-SHA256 Credential=${ak}/${day}/${scopeRegion}` +
        `/oss/aliyun_v4_request,AdditionalHeaders=host,Signature=` +
        `${v4Signature(secret, day, scopeRegion, stringToSign)}`,
    };
    return send('PUT', `/${bucket}/${overrides.key ?? '%E6%97%A5%E6%8A%A5/a%20b.txt'}`, headers, body);
  }

  it('accepts a request signed by hand (unicode key, additional header host)', async () => {
    const answer = await signedPut(new Date());
    expect(answer.status).toBe(200);
    expect(server.object('日报/a b.txt')?.body.toString('utf8')).toBe(body);
    expect(server.requests.at(-1)).toMatchObject({ auth: 'v4', key: '日报/a b.txt' });
  });

  it('refuses a tampered header, another key, another region and a stale date', async () => {
    const tampered = await signedPut(new Date(), { contentType: 'text/html' });
    expect([tampered.status, code(tampered)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(tampered.text).toContain('<CanonicalRequest>');
    const otherKey = await signedPut(new Date(), { key: '%E6%97%A5%E6%8A%A5/a%20c.txt' });
    expect(code(otherKey)).toBe('SignatureDoesNotMatch');
    const otherRegion = await signedPut(new Date(), { region: 'cn-beijing' });
    expect([otherRegion.status, code(otherRegion)]).toEqual([400, 'InvalidArgument']);
    const stale = await signedPut(new Date(Date.now() - 20 * 60_000));
    expect(code(stale)).toBe('RequestTimeTooSkewed');
    expect(server.objectKeys()).toEqual([]);
  });

  it('signs a bare sub-resource (?delete) and requires Content-MD5 on DeleteMultipleObjects', async () => {
    server.putObject('a.txt', 'a');
    server.putObject('b.txt', 'b');
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<Delete><Quiet>false</Quiet><Object><Key>a.txt</Key></Object><Object><Key>b.txt</Key></Object></Delete>';
    const deleteRequest = (withMd5: boolean) => {
      const timestamp = v4Date(new Date());
      const day = timestamp.slice(0, 8);
      const md5Line = withMd5 ? `content-md5:${md5(xml)}\n` : '';
      const canonicalRequest = [
        'POST',
        `/${bucket}/`,
        'delete',
        `${md5Line}content-type:application/xml\nx-oss-content-sha256:${sha256Hex(xml)}\nx-oss-date:${timestamp}\n`,
        '',
        sha256Hex(xml),
      ].join('\n');
      const stringToSign = [
        'OSS4-HMAC-SHA256',
        timestamp,
        `${day}/${region}/oss/aliyun_v4_request`,
        sha256Hex(canonicalRequest),
      ].join('\n');
      return send(
        'POST',
        `/${bucket}/?delete`,
        {
          ...(withMd5 ? { 'content-md5': md5(xml) } : {}),
          'content-type': 'application/xml',
          'x-oss-content-sha256': sha256Hex(xml),
          'x-oss-date': timestamp,
          authorization:
            `OSS4-HMAC-SHA256 Credential=${ak}/${day}/${region}` +
            `/oss/aliyun_v4_request,Signature=${v4Signature(secret, day, region, stringToSign)}`,
        },
        xml,
      );
    };
    const missing = await deleteRequest(false);
    expect([missing.status, code(missing)]).toEqual([400, 'InvalidDigest']);
    const answer = await deleteRequest(true);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(
      '<DeleteResult><Deleted><Key>a.txt</Key></Deleted><Deleted><Key>b.txt</Key></Deleted></DeleteResult>',
    );
    expect(server.objectKeys()).toEqual([]);
  });

  it(
    'serves V4 signed URLs (x-oss-credential, x-oss-date, ' + 'x-oss-expires, x-oss-signature) until they expire',
    async () => {
      server.putObject('notes/hello.txt', 'signed v4', { contentType: 'text/plain' });
      const signedUrl = (signedAt: Date, expires: number, key = 'notes/hello.txt') => {
        const timestamp = v4Date(signedAt);
        const day = timestamp.slice(0, 8);
        const query =
          `x-oss-credential=${ak}%2F${day}%2F${region}%2Foss%2Faliyun_v4_request&x-oss-date=` +
          `${timestamp}&x-oss-expires=${expires}&x-oss-signature-version=OSS4-HMAC-SHA256`;
        const canonicalRequest = ['GET', `/${bucket}/${key}`, query, '', '', 'UNSIGNED-PAYLOAD'].join('\n');
        const stringToSign = [
          'OSS4-HMAC-SHA256',
          timestamp,
          `${day}/${region}/oss/aliyun_v4_request`,
          sha256Hex(canonicalRequest),
        ].join('\n');
        return (
          `${server.endpoint}/${bucket}/notes/hello.txt?${query}` +
          `&x-oss-signature=${v4Signature(secret, day, region, stringToSign)}`
        );
      };
      const url = signedUrl(new Date(), 60);
      expect(await (await fetch(url)).text()).toBe('signed v4');
      const tampered = await fetch(url.replace('x-oss-expires=60', 'x-oss-expires=600'));
      expect(tampered.status).toBe(403);
      expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      const otherObject = await fetch(signedUrl(new Date(), 60, 'notes/other.txt'));
      expect(otherObject.status).toBe(403);
      const expired = await fetch(signedUrl(new Date(Date.now() - 120_000), 60));
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('Request has expired');
    },
  );
});

describe('what ali-oss parses', () => {
  const client = (authorizationV4: boolean) =>
    new OSS({
      endpoint: server.endpoint,
      region: server.region,
      bucket,
      accessKeyId: ak,
      accessKeySecret: secret,
      sldEnable: true,
      authorizationV4,
    } as OSS.Options);

  it('pages ListObjectsV2 with KeyCount and NextContinuationToken, and lists V1 with owners', async () => {
    for (const name of ['a/1', 'a/2', 'a/3', 'b/1', 'c']) server.putObject(name, name);
    const oss = client(true);
    const first = await oss.listV2({ 'max-keys': 2, 'fetch-owner': true });
    expect(first).toMatchObject({ isTruncated: true, keyCount: 2 });
    expect(first.objects.map((object) => object.name)).toEqual(['a/1', 'a/2']);
    expect(first.objects[0]).toMatchObject({ size: 3, type: 'Normal', owner: { id: expect.any(String) } });
    const second = await oss.listV2({ 'max-keys': 2, 'continuation-token': first.nextContinuationToken });
    expect(second.objects.map((object) => object.name)).toEqual(['a/3', 'b/1']);
    const last = await oss.listV2({ 'max-keys': 2, 'continuation-token': second.nextContinuationToken });
    expect(last).toMatchObject({ isTruncated: false, keyCount: 1, nextContinuationToken: null });
    const grouped = await oss.listV2({ delimiter: '/' });
    expect([grouped.objects.map((object) => object.name), grouped.prefixes]).toEqual([['c'], ['a/', 'b/']]);
    const v1 = await client(false).list({ prefix: 'a/', 'max-keys': 2 }, {});
    expect(v1).toMatchObject({ isTruncated: true, nextMarker: 'a/2' });
    expect(v1.objects[0]?.owner).toEqual({ id: expect.any(String), displayName: expect.any(String) });
  });

  it('answers errors ali-oss turns into coded errors, HEAD ones included (x-oss-err)', async () => {
    const oss = client(true);
    const missing = await oss.get('nope.txt').catch((error: unknown) => error);
    expect(missing).toMatchObject({
      status: 404,
      code: 'NoSuchKey',
      requestId: expect.stringMatching(/^[0-9A-F]{24}$/),
    });
    const wrong = new OSS({
      endpoint: server.endpoint,
      region: server.region,
      bucket,
      accessKeyId: ak,
      accessKeySecret: 'wrong',
      sldEnable: true,
      authorizationV4: true,
    } as OSS.Options);
    expect(await wrong.head('nope.txt').catch((error: unknown) => error)).toMatchObject({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    const noBucket = new OSS({
      endpoint: server.endpoint,
      region: server.region,
      bucket: 'no-such-bucket',
      accessKeyId: ak,
      accessKeySecret: secret,
      sldEnable: true,
    } as OSS.Options);
    expect(await noBucket.listV2({}).catch((error: unknown) => error)).toMatchObject({
      status: 404,
      code: 'NoSuchBucket',
    });
    await oss.put('once.txt', Buffer.from('1'));
    const again = await oss
      .put('once.txt', Buffer.from('2'), { headers: { 'x-oss-forbid-overwrite': 'true' } })
      .catch((error: unknown) => error);
    expect(again).toMatchObject({ status: 409, code: 'FileAlreadyExists' });
    await oss.put('once.txt', Buffer.from('3')); // without the header OSS overwrites
    expect(server.object('once.txt')?.body.toString()).toBe('3');
  });

  it(
    'runs multipart uploads: initiate, parts, list, ' + 'complete (and refuses small or unordered parts), abort',
    async () => {
      for (const authorizationV4 of [true, false]) {
        server.reset();
        const oss = client(authorizationV4);
        const big = Buffer.alloc(100 * 1024, 'x');
        const { uploadId } = await oss.initMultipartUpload('big.bin', { headers: { 'x-oss-meta-kind': 'archive' } });
        const one = await oss.uploadPart('big.bin', uploadId, 1, big, 0, big.length);
        const two = await oss.uploadPart('big.bin', uploadId, 2, Buffer.from('tail'), 0, 4);
        const listed = await oss.listUploads({});
        expect(listed.uploads).toEqual([{ name: 'big.bin', uploadId, initiated: expect.any(String) }]);
        expect((await oss.listParts('big.bin', uploadId)).parts).toHaveLength(2);
        const wrongEtag = await oss
          .completeMultipartUpload('big.bin', uploadId, [
            { number: 1, etag: one.etag },
            { number: 2, etag: one.etag },
          ])
          .catch((error: unknown) => error);
        expect(wrongEtag).toMatchObject({ status: 400, code: 'InvalidPart' });
        // ali-oss sorts the parts it completes, so an out-of-order list is sent by hand (V1).
        const unordered =
          `<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>${two.etag}` +
          `</ETag></Part><Part><PartNumber>1</PartNumber><ETag>` +
          `${one.etag}</ETag></Part></CompleteMultipartUpload>`;
        const date = new Date().toUTCString();
        const stringToSign =
          `POST\n${md5(unordered)}\napplication/xml\n` + `${date}\n/${bucket}/big.bin?uploadId=${uploadId}`;
        const headers = {
          date,
          'content-md5': md5(unordered),
          'content-type': 'application/xml',
          authorization: `OSS ${ak}:${sha1Signature(secret, stringToSign)}`,
        };
        const outOfOrder = await send('POST', `/${bucket}/big.bin?uploadId=${uploadId}`, headers, unordered);
        expect([outOfOrder.status, code(outOfOrder)]).toEqual([400, 'InvalidPartOrder']);
        const done = await oss.completeMultipartUpload('big.bin', uploadId, [
          { number: 1, etag: one.etag },
          { number: 2, etag: two.etag },
        ]);
        expect(done.etag).toMatch(/^"[0-9A-F]{32}-2"$/);
        expect(server.object('big.bin')).toMatchObject({ type: 'Multipart', metadata: { kind: 'archive' } });
        expect(server.object('big.bin')?.body.byteLength).toBe(100 * 1024 + 4);
        expect(server.uploads()).toEqual([]);

        const small = await oss.initMultipartUpload('small.bin');
        const a = await oss.uploadPart('small.bin', small.uploadId, 1, Buffer.from('a'), 0, 1);
        const b = await oss.uploadPart('small.bin', small.uploadId, 2, Buffer.from('b'), 0, 1);
        const tooSmall = await oss
          .completeMultipartUpload('small.bin', small.uploadId, [
            { number: 1, etag: a.etag },
            { number: 2, etag: b.etag },
          ])
          .catch((error: unknown) => error);
        expect(tooSmall).toMatchObject({ status: 400, code: 'EntityTooSmall' });
        await oss.abortMultipartUpload('small.bin', small.uploadId);
        expect(server.uploads()).toEqual([]);
        expect(server.objectKeys()).toEqual(['big.bin']);
        const gone = await oss.abortMultipartUpload('small.bin', small.uploadId).catch((error: unknown) => error);
        expect(gone).toMatchObject({ status: 404, code: 'NoSuchUpload' });
      }
    },
  );

  it('deletes many objects at once, with the Content-MD5 ali-oss sends (V1 and V4)', async () => {
    for (const authorizationV4 of [true, false]) {
      server.putObject('x/工单 & co.txt', '1');
      server.putObject('x/2.txt', '2');
      const result = await client(authorizationV4).deleteMulti(['x/工单 & co.txt', 'x/2.txt', 'x/missing.txt']);
      expect(result.deleted).toEqual([{ Key: 'x/工单 & co.txt' }, { Key: 'x/2.txt' }, { Key: 'x/missing.txt' }]);
      expect(server.requests.at(-1)?.headers['content-md5']).toBeDefined();
      expect(server.objectKeys()).toEqual([]);
    }
  });
});
