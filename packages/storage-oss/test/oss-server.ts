/**
 * An Aliyun OSS protocol test server: a plain node:http server keeping objects in memory, started per
 * test file on a free port. It is not a mock of ali-oss: it verifies every request's V1 or V4 signature
 * (header or URL, see `oss-signature.ts`), `Content-MD5` and `x-oss-content-sha256`, honours
 * `x-oss-forbid-overwrite`, and answers with the status codes, headers and XML documents OSS uses
 * (ListBucketResult V1/V2, Error, DeleteResult, InitiateMultipartUploadResult,
 * CompleteMultipartUploadResult, ListMultipartUploadsResult, ListPartsResult). A wrong secret gets
 * 403 SignatureDoesNotMatch; a request aborted mid-body stores nothing.
 *
 * Address it path-style on `localhost` (ali-oss: `sldEnable: true`); `bucket.localhost` hosts work too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { authenticate, type AuthKind, type Credential, type SignedRequest } from './oss-signature.js';
import {
  handleBucket,
  handleObject,
  type Reply,
  type ServerObject,
  type ServerState,
  type ServerUpload,
} from './oss-handlers.js';
import { element, xmlDocument } from './oss-xml.js';

export type { Credential } from './oss-signature.js';
export type { ServerObject, ServerUpload } from './oss-handlers.js';

export interface OssTestServerOptions {
  /** Default: one key pair, `LTAI5tTestAccessKeyId` / `test-access-key-secret-0123456789`. */
  credentials?: Credential[];
  /** Buckets that exist. Default `['dify-logs-test']`. */
  buckets?: string[];
  /** The region requests are signed for, `oss-cn-hangzhou` (signed as `cn-hangzhou`). */
  region?: string;
}

export interface RecordedRequest {
  method: string;
  operation: string;
  bucket: string;
  key: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  auth: AuthKind | 'none';
  status: number;
  code?: string;
}

export interface Fault {
  /** Answer with this status and error code (default 503 ServiceUnavailable) … */
  status?: number;
  code?: string;
  message?: string;
  /** … or drop the connection without an answer. */
  destroy?: boolean;
  /** Only requests of this operation (`PutObject`, `ListObjectsV2`, …); default: any. */
  operation?: string;
}

export interface OssTestServer {
  /** `http://localhost:<port>`. */
  endpoint: string;
  port: number;
  /** `oss-cn-hangzhou`. */
  region: string;
  /** The first bucket. */
  bucket: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Every request, in order (cleared by `reset`). */
  requests: RecordedRequest[];
  objectKeys(bucket?: string): string[];
  object(key: string, bucket?: string): ServerObject | undefined;
  uploads(bucket?: string): ServerUpload[];
  /** Stores an object directly, without a request (to seed large listings quickly). */
  putObject(
    key: string,
    body: string | Uint8Array,
    options?: { contentType?: string; metadata?: Record<string, string>; bucket?: string },
  ): void;
  /** The next `count` requests (of `fault.operation`) that pass authentication fail this way. */
  failNext(fault: Fault, count?: number): void;
  /** Connections currently open to the server. */
  connections(): number;
  /** Moves the server's clock (ms); signatures and expiry are judged against it. */
  setClockOffset(offsetMs: number): void;
  /** Empties every bucket, forgets uploads, requests, faults and the clock offset. */
  reset(): void;
  close(): Promise<void>;
}

export const TEST_CREDENTIAL: Credential = {
  accessKeyId: 'LTAI5tTestAccessKeyId',
  accessKeySecret: 'test-access-key-secret-0123456789',
};

function newRequestId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

/** Splits a raw query string into decoded pairs; `?delete` gives `['delete', '']`. Throws on bad escapes. */
function parseQuery(raw: string): Array<[string, string]> {
  if (raw === '') return [];
  return raw
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      return equals === -1
        ? [decodeURIComponent(part), '']
        : [decodeURIComponent(part.slice(0, equals)), decodeURIComponent(part.slice(equals + 1))];
    });
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) reject(new Error('request aborted before its body ended'));
    });
  });
}

/** Which OSS operation a request is, from its method, key and sub-resources. */
function operationOf(method: string, key: string, query: Map<string, string>): string {
  if (key === '') {
    if (method === 'GET' && query.has('uploads')) return 'ListMultipartUploads';
    if (method === 'GET') return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    if (method === 'POST' && query.has('delete')) return 'DeleteMultipleObjects';
    return `Unsupported${method}Bucket`;
  }
  if (method === 'PUT') return query.has('uploadId') ? 'UploadPart' : 'PutObject';
  if (method === 'POST' && query.has('uploads')) return 'InitiateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'DELETE') return query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  if (method === 'GET') return query.has('uploadId') ? 'ListParts' : 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  return `Unsupported${method}Object`;
}

export async function startOssServer(options: OssTestServerOptions = {}): Promise<OssTestServer> {
  const credentials = options.credentials ?? [TEST_CREDENTIAL];
  const buckets = options.buckets ?? ['dify-logs-test'];
  const region = options.region ?? 'oss-cn-hangzhou';
  const state: ServerState = {
    buckets: new Map(buckets.map((name) => [name, new Map()])),
    uploads: new Map(),
    now: () => Date.now() + clockOffset,
  };
  const requests: RecordedRequest[] = [];
  let faults: Array<{ fault: Fault; remaining: number }> = [];
  let clockOffset = 0;

  function send(response: ServerResponse, method: string, reply: Reply, requestId: string): void {
    const headers: Record<string, string | number> = {
      'x-oss-request-id': requestId,
      server: 'AliyunOSS',
      date: new Date(state.now()).toUTCString(),
      ...reply.headers,
    };
    let body = reply.body;
    if (reply.error) {
      const { code, message, details, bucket, key } = reply.error;
      const extra = Object.entries(details ?? {}).map(([name, value]) => element(name, value));
      const xml = xmlDocument('Error', [
        element('Code', code),
        element('Message', message),
        element('RequestId', requestId),
        element('HostId', `${bucket || 'oss'}.localhost`),
        ...(key ? [element('Key', key)] : []),
        ...extra,
        element('EC', '0000-00000000'),
      ]);
      headers['content-type'] = 'application/xml';
      if (method === 'HEAD') headers['x-oss-err'] = Buffer.from(xml).toString('base64');
      else body = Buffer.from(xml);
    }
    if (method === 'HEAD') {
      headers['content-length'] ??= 0;
      response.writeHead(reply.status, headers);
      response.end();
      return;
    }
    headers['content-length'] = body?.byteLength ?? 0;
    response.writeHead(reply.status, headers);
    response.end(body);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const method = request.method ?? 'GET';
    const raw = request.url ?? '/';
    const questionMark = raw.indexOf('?');
    const rawPath = questionMark === -1 ? raw : raw.slice(0, questionMark);
    const record: RecordedRequest = {
      method,
      operation: 'Unknown',
      bucket: '',
      key: '',
      query: {},
      headers: request.headers,
      auth: 'none',
      status: 0,
    };
    requests.push(record);
    const finish = async (reply: Reply) => {
      record.status = reply.status;
      if (reply.error) record.code = reply.error.code;
      // Read what is left of the body first, so the connection stays usable.
      if (!request.complete) await readBody(request).catch(() => undefined);
      if (!response.destroyed) send(response, method, reply, requestId);
    };
    const fail = (status: number, code: string, message: string, details?: Record<string, string>) =>
      finish({ status, error: { code, message, bucket: record.bucket, key: record.key, details } });

    let query: Array<[string, string]>;
    let bucket: string;
    let key: string;
    try {
      query = parseQuery(questionMark === -1 ? '' : raw.slice(questionMark + 1));
      const host = (request.headers.host ?? '').replace(/:\d+$/, '');
      const label = host.split('.')[0] ?? '';
      const pathParts = rawPath.replace(/^\//, '');
      if (host.includes('.') && state.buckets.has(label)) {
        bucket = label;
        key = decodeURIComponent(pathParts);
      } else {
        const slash = pathParts.indexOf('/');
        bucket = decodeURIComponent(slash === -1 ? pathParts : pathParts.slice(0, slash));
        key = slash === -1 ? '' : decodeURIComponent(pathParts.slice(slash + 1));
      }
    } catch {
      return fail(400, 'InvalidURI', 'The URI is not valid percent-encoded UTF-8.');
    }
    const queryMap = new Map(query);
    Object.assign(record, {
      bucket,
      key,
      query: Object.fromEntries(query),
      operation: operationOf(method, key, queryMap),
    });
    if (bucket === '') return fail(400, 'InvalidRequest', 'This test server serves buckets only (no ListBuckets).');
    const objects = state.buckets.get(bucket);
    if (!objects) return fail(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: bucket });

    const signed: SignedRequest = { method, bucket, key, query, headers: request.headers };
    const auth = authenticate(signed, { credentials, region: region.replace(/^oss-/, ''), now: state.now() });
    if (!auth.ok) return fail(auth.status, auth.code, auth.message, auth.details);
    record.auth = auth.kind;

    const faulty = faults.find(
      (entry) =>
        entry.remaining > 0 && (entry.fault.operation === undefined || entry.fault.operation === record.operation),
    );
    if (faulty) {
      faulty.remaining -= 1;
      faults = faults.filter((entry) => entry.remaining > 0);
      if (faulty.fault.destroy) {
        record.status = -1;
        request.socket.destroy();
        return;
      }
      return fail(
        faulty.fault.status ?? 503,
        faulty.fault.code ?? 'ServiceUnavailable',
        faulty.fault.message ?? 'Please reduce your request rate.',
      );
    }

    let body: Buffer;
    try {
      body = await readBody(request);
    } catch {
      record.status = -1; // the client went away mid-body: nothing is stored
      return;
    }
    const md5 = request.headers['content-md5'];
    if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5) {
      return fail(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.', { 'Content-MD5': String(md5) });
    }
    const sha256 = request.headers['x-oss-content-sha256'];
    if (
      typeof sha256 === 'string' &&
      sha256 !== 'UNSIGNED-PAYLOAD' &&
      createHash('sha256').update(body).digest('hex') !== sha256
    ) {
      return fail(400, 'InvalidDigest', 'The x-oss-content-sha256 you specified does not match the body.');
    }
    const context = {
      state,
      bucket,
      objects,
      key,
      query: queryMap,
      headers: request.headers,
      body,
      operation: record.operation,
    };
    return finish(key === '' ? handleBucket(context) : handleObject(context));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`test server error: ${String(error)}`);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, 'localhost', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const bucketOf = (name?: string) => {
    const objects = state.buckets.get(name ?? buckets[0]!);
    if (!objects) throw new Error(`no bucket ${name}`);
    return objects;
  };

  return {
    endpoint: `http://localhost:${port}`,
    port,
    region,
    bucket: buckets[0]!,
    accessKeyId: credentials[0]!.accessKeyId,
    accessKeySecret: credentials[0]!.accessKeySecret,
    requests,
    objectKeys: (name) => [...bucketOf(name).keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    object: (key, name) => bucketOf(name).get(key),
    uploads: (name) => [...state.uploads.values()].filter((upload) => upload.bucket === (name ?? buckets[0])),
    putObject(key, body, put = {}) {
      const bytes = Buffer.from(body);
      bucketOf(put.bucket).set(key, {
        body: bytes,
        contentType: put.contentType ?? 'application/octet-stream',
        metadata: { ...put.metadata },
        etag: `"${createHash('md5').update(bytes).digest('hex').toUpperCase()}"`,
        lastModified: new Date(state.now()),
        type: 'Normal',
      });
    },
    failNext(fault, count = 1) {
      faults.push({ fault, remaining: count });
    },
    connections: () => sockets.size,
    setClockOffset(offsetMs) {
      clockOffset = offsetMs;
    },
    reset() {
      for (const objects of state.buckets.values()) objects.clear();
      state.uploads.clear();
      requests.length = 0;
      faults = [];
      clockOffset = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
