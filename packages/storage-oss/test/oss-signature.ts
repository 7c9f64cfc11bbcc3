/**
 * Request authentication of the OSS test server, written from the OSS documentation (and
 * /work/shared/docs/test-infra.md, "Aliyun OSS"), not from ali-oss's code:
 *
 * - V1 header: `Authorization: OSS <ak>:<base64(hmac-sha1(secret, stringToSign))>`, stringToSign =
 *   VERB, Content-MD5, Content-Type, Date (`x-oss-date` when sent), the sorted `x-oss-*` headers as
 *   `k:v`, then `/bucket/key` plus the sorted sub-resources, joined with newlines.
 * - V1 URL: `OSSAccessKeyId`, `Expires`, `Signature` query parameters; `Expires` takes the date's place.
 * - V4 header: `OSS4-HMAC-SHA256
 * Credential=<ak>/<yyyymmdd>/<region>/oss/aliyun_v4_request[,AdditionalHeaders=…],Signature=<hex>`.
 * - V4 URL: `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`, `x-oss-expires`, `x-oss-signature`
 *   (and `x-oss-additional-headers`, `x-oss-security-token`) query parameters; payload `UNSIGNED-PAYLOAD`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Credential {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, requests with this key must carry it (`x-oss-security-token`, or `security-token` in a V1 URL). */
  securityToken?: string;
}

/** A request as the server saw it: method, decoded bucket and key, decoded query pairs, headers. */
export interface SignedRequest {
  method: string;
  bucket: string;
  key: string;
  query: Array<[string, string]>;
  headers: IncomingHttpHeaders;
}

export type AuthKind = 'v1' | 'v1-url' | 'v4' | 'v4-url';

export type AuthResult =
  | { ok: true; kind: AuthKind; accessKeyId: string }
  | { ok: false; status: number; code: string; message: string; details?: Record<string, string> };

export interface AuthSettings {
  credentials: Credential[];
  /** The standard region requests must be signed for, e.g. `cn-hangzhou`. */
  region: string;
  /** Server time in ms. */
  now: number;
}

const MAX_SKEW_MS = 15 * 60_000;
const MAX_V4_EXPIRES = 604_800;

/** Query parameters that are part of a V1 canonicalized resource (the rest, like `prefix`, are not signed). */
export const SUB_RESOURCES = new Set([
  'acl',
  'append',
  'bucketInfo',
  'callback',
  'callback-var',
  'comp',
  'continuation-token',
  'cors',
  'delete',
  'encryption',
  'endTime',
  'img',
  'inventory',
  'inventoryId',
  'lifecycle',
  'live',
  'location',
  'logging',
  'objectMeta',
  'partNumber',
  'policy',
  'position',
  'qos',
  'referer',
  'replication',
  'replicationLocation',
  'replicationProgress',
  'requestPayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'security-token',
  'sequential',
  'startTime',
  'stat',
  'status',
  'style',
  'styleName',
  'symlink',
  'tagging',
  'transferAcceleration',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'vod',
  'website',
  'worm',
  'wormExtend',
  'wormId',
  'x-oss-async-process',
  'x-oss-process',
  'x-oss-request-payer',
  'x-oss-traffic-limit',
]);

const denied = (status: number, code: string, message: string, details?: Record<string, string>): AuthResult => ({
  ok: false,
  status,
  code,
  message,
  ...(details && { details }),
});

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function queryValue(query: Array<[string, string]>, name: string): string | undefined {
  return query.find(([key]) => key === name)?.[1];
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~`. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decides whether a request is signed by a known key, and how. */
export function authenticate(request: SignedRequest, settings: AuthSettings): AuthResult {
  const authorization = header(request.headers, 'authorization');
  if (authorization?.startsWith('OSS4-HMAC-SHA256 ')) return verifyV4(request, settings, authorization);
  if (authorization?.startsWith('OSS ')) return verifyV1(request, settings, authorization);
  if (authorization !== undefined) return denied(400, 'InvalidArgument', 'Authorization header is invalid.');
  if (queryValue(request.query, 'x-oss-signature') !== undefined) return verifyV4(request, settings, undefined);
  if (queryValue(request.query, 'Signature') !== undefined) return verifyV1Url(request, settings);
  return denied(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.');
}

function lookup(settings: AuthSettings, accessKeyId: string): Credential | undefined {
  return settings.credentials.find((credential) => credential.accessKeyId === accessKeyId);
}

function checkToken(credential: Credential, token: string | undefined): AuthResult | undefined {
  if (credential.securityToken === undefined)
    return token === undefined
      ? undefined
      : denied(403, 'InvalidAccessKeyId', 'The security token you provided is invalid.');
  if (token === undefined || !sameText(token, credential.securityToken))
    return denied(403, 'InvalidAccessKeyId', 'The security token you provided is invalid.');
  return undefined;
}

// ---- V1 ----

/** `/bucket/key` plus the sorted sub-resources: `?acl`, `?partNumber=1&uploadId=…`. Values are not encoded. */
export function canonicalizedResourceV1(request: SignedRequest): string {
  const resource = `/${request.bucket}/${request.key}`;
  const subResources = request.query
    .filter(([key]) => SUB_RESOURCES.has(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => (value === '' ? key : `${key}=${value}`));
  return subResources.length === 0 ? resource : `${resource}?${subResources.join('&')}`;
}

export function stringToSignV1(request: SignedRequest, date: string): string {
  const ossHeaders = Object.keys(request.headers)
    .filter((name) => name.startsWith('x-oss-'))
    .sort()
    .map((name) => `${name}:${(header(request.headers, name) ?? '').trim()}`);
  return [
    request.method,
    header(request.headers, 'content-md5') ?? '',
    header(request.headers, 'content-type') ?? '',
    date,
    ...ossHeaders,
    canonicalizedResourceV1(request),
  ].join('\n');
}

const hmacSha1 = (secret: string, text: string) =>
  createHmac('sha1', secret).update(Buffer.from(text, 'utf8')).digest('base64');

function verifyV1(request: SignedRequest, settings: AuthSettings, authorization: string): AuthResult {
  const match = /^OSS ([^:\s]+):(\S+)$/.exec(authorization);
  if (!match) return denied(400, 'InvalidArgument', 'Authorization header is invalid.');
  const [, accessKeyId = '', signature = ''] = match;
  const credential = lookup(settings, accessKeyId);
  if (!credential)
    return denied(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', {
      OSSAccessKeyId: accessKeyId,
    });
  const date = header(request.headers, 'x-oss-date') ?? header(request.headers, 'date');
  const time = date === undefined ? Number.NaN : Date.parse(date);
  if (date === undefined || Number.isNaN(time))
    return denied(403, 'AccessDenied', 'OSS authentication requires a valid Date.');
  if (Math.abs(settings.now - time) > MAX_SKEW_MS)
    return denied(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  const tokenProblem = checkToken(credential, header(request.headers, 'x-oss-security-token'));
  if (tokenProblem) return tokenProblem;
  const stringToSign = stringToSignV1(request, date);
  if (!sameText(hmacSha1(credential.accessKeySecret, stringToSign), signature)) {
    return denied(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the ' +
        'signature you provided. Check your key and signing method.',
      {
        OSSAccessKeyId: accessKeyId,
        SignatureProvided: signature,
        StringToSign: stringToSign,
      },
    );
  }
  return { ok: true, kind: 'v1', accessKeyId };
}

function verifyV1Url(request: SignedRequest, settings: AuthSettings): AuthResult {
  const accessKeyId = queryValue(request.query, 'OSSAccessKeyId');
  const expires = queryValue(request.query, 'Expires');
  const signature = queryValue(request.query, 'Signature') ?? '';
  if (accessKeyId === undefined || expires === undefined || !/^\d+$/.test(expires))
    return denied(400, 'InvalidArgument', 'OSSAccessKeyId, Expires and Signature are required.');
  const credential = lookup(settings, accessKeyId);
  if (!credential)
    return denied(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', {
      OSSAccessKeyId: accessKeyId,
    });
  if (Number(expires) * 1000 < settings.now)
    return denied(403, 'AccessDenied', 'Request has expired.', { Expires: expires });
  const tokenProblem = checkToken(credential, queryValue(request.query, 'security-token'));
  if (tokenProblem) return tokenProblem;
  const stringToSign = stringToSignV1(request, expires);
  if (!sameText(hmacSha1(credential.accessKeySecret, stringToSign), signature)) {
    return denied(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the ' +
        'signature you provided. Check your key and signing method.',
      {
        OSSAccessKeyId: accessKeyId,
        SignatureProvided: signature,
        StringToSign: stringToSign,
      },
    );
  }
  return { ok: true, kind: 'v1-url', accessKeyId };
}

// ---- V4 ----

/** Sorted `k=v` pairs, RFC 3986-encoded; a parameter with an empty value appears bare (`delete`). */
export function canonicalQueryV4(query: Array<[string, string]>, leaveOut?: string): string {
  return query
    .filter(([key]) => key !== leaveOut)
    .map(([key, value]) => [uriEncode(key), value === '' ? '' : uriEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => (value === '' ? key : `${key}=${value}`))
    .join('&');
}

export function canonicalRequestV4(
  request: SignedRequest,
  additionalHeaders: string[],
  hashedPayload: string,
  leaveOut?: string,
): string {
  const signed = new Set(additionalHeaders);
  for (const name of Object.keys(request.headers))
    if (name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-')) signed.add(name);
  const canonicalHeaders = [...signed]
    .sort()
    .map((name) => `${name}:${(header(request.headers, name) ?? '').trim()}\n`)
    .join('');
  return [
    request.method,
    uriEncode(`/${request.bucket}/${request.key}`).replace(/%2F/g, '/'),
    canonicalQueryV4(request.query, leaveOut),
    canonicalHeaders,
    additionalHeaders.join(';'),
    hashedPayload,
  ].join('\n');
}

export function signingKeyV4(secret: string, date: string, region: string): Buffer {
  const dateKey = createHmac('sha256', `aliyun_v4${secret}`).update(date).digest();
  const regionKey = createHmac('sha256', dateKey).update(region).digest();
  const serviceKey = createHmac('sha256', regionKey).update('oss').digest();
  return createHmac('sha256', serviceKey).update('aliyun_v4_request').digest();
}

interface V4Parts {
  kind: 'v4' | 'v4-url';
  accessKeyId: string;
  scopeDate: string;
  scopeRegion: string;
  scopeRest: string;
  additionalHeaders: string[];
  signature: string;
  timestamp: string;
  hashedPayload: string;
  token: string | undefined;
  expires: string | undefined;
}

function parseV4(request: SignedRequest, authorization: string | undefined): V4Parts | AuthResult {
  let credential: string | undefined;
  let additional: string | undefined;
  let signature: string | undefined;
  let timestamp: string | undefined;
  let hashedPayload: string;
  let token: string | undefined;
  let expires: string | undefined;
  if (authorization !== undefined) {
    for (const field of authorization.slice('OSS4-HMAC-SHA256 '.length).split(',')) {
      const [name, ...rest] = field.trim().split('=');
      const value = rest.join('=');
      if (name === 'Credential') credential = value;
      else if (name === 'AdditionalHeaders') additional = value;
      else if (name === 'Signature') signature = value;
      else return denied(400, 'InvalidArgument', `Authorization header field ${name ?? ''} is invalid.`);
    }
    timestamp = header(request.headers, 'x-oss-date');
    const payload = header(request.headers, 'x-oss-content-sha256');
    if (payload === undefined)
      return denied(400, 'InvalidArgument', 'x-oss-content-sha256 header is required for V4 signatures.');
    hashedPayload = payload;
    token = header(request.headers, 'x-oss-security-token');
  } else {
    if (queryValue(request.query, 'x-oss-signature-version') !== 'OSS4-HMAC-SHA256')
      return denied(400, 'InvalidArgument', 'x-oss-signature-version must be OSS4-HMAC-SHA256.');
    credential = queryValue(request.query, 'x-oss-credential');
    additional = queryValue(request.query, 'x-oss-additional-headers');
    signature = queryValue(request.query, 'x-oss-signature');
    timestamp = queryValue(request.query, 'x-oss-date');
    expires = queryValue(request.query, 'x-oss-expires');
    hashedPayload = 'UNSIGNED-PAYLOAD';
    token = queryValue(request.query, 'x-oss-security-token');
    if (expires === undefined || !/^\d+$/.test(expires) || Number(expires) > MAX_V4_EXPIRES)
      return denied(400, 'InvalidArgument', `x-oss-expires must be 1 to ${MAX_V4_EXPIRES} seconds.`);
  }
  const scope = credential?.split('/') ?? [];
  if (scope.length !== 5 || signature === undefined || !/^[0-9a-f]{64}$/.test(signature))
    return denied(400, 'InvalidArgument', 'The V4 credential or signature is malformed.');
  if (timestamp === undefined || !/^\d{8}T\d{6}Z$/.test(timestamp))
    return denied(403, 'AccessDenied', 'x-oss-date is missing or not in yyyymmddTHHMMSSZ form.');
  const [accessKeyId = '', scopeDate = '', scopeRegion = '', service = '', terminator = ''] = scope;
  const additionalHeaders = additional ? additional.split(';').map((name) => name.trim().toLowerCase()) : [];
  return {
    kind: authorization === undefined ? 'v4-url' : 'v4',
    accessKeyId,
    scopeDate,
    scopeRegion,
    scopeRest: `${service}/${terminator}`,
    additionalHeaders,
    signature,
    timestamp,
    hashedPayload,
    token,
    expires,
  };
}

function verifyV4(request: SignedRequest, settings: AuthSettings, authorization: string | undefined): AuthResult {
  const parts = parseV4(request, authorization);
  if ('ok' in parts) return parts;
  const credential = lookup(settings, parts.accessKeyId);
  if (!credential)
    return denied(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', {
      OSSAccessKeyId: parts.accessKeyId,
    });
  if (parts.scopeRest !== 'oss/aliyun_v4_request')
    return denied(400, 'InvalidArgument', 'The credential scope must end in oss/aliyun_v4_request.');
  if (parts.scopeDate !== parts.timestamp.slice(0, 8))
    return denied(400, 'InvalidArgument', 'The credential date does not match x-oss-date.');
  if (parts.scopeRegion !== settings.region)
    return denied(
      400,
      'InvalidArgument',
      `Invalid signing region in the credential: ${parts.scopeRegion}; expected ${settings.region}.`,
    );
  const t = parts.timestamp;
  const time = Date.UTC(
    Number(t.slice(0, 4)),
    Number(t.slice(4, 6)) - 1,
    Number(t.slice(6, 8)),
    Number(t.slice(9, 11)),
    Number(t.slice(11, 13)),
    Number(t.slice(13, 15)),
  );
  if (parts.kind === 'v4' && Math.abs(settings.now - time) > MAX_SKEW_MS) {
    return denied(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  }
  if (parts.kind === 'v4-url' && time + Number(parts.expires) * 1000 < settings.now)
    return denied(403, 'AccessDenied', 'Request has expired.', {
      'x-oss-date': t,
      'x-oss-expires': parts.expires ?? '',
    });
  for (const name of parts.additionalHeaders)
    if (header(request.headers, name) === undefined)
      return denied(400, 'InvalidArgument', `Additional header ${name} is not in the request.`);
  const tokenProblem = checkToken(credential, parts.token);
  if (tokenProblem) return tokenProblem;

  const canonicalRequest = canonicalRequestV4(
    request,
    parts.additionalHeaders,
    parts.hashedPayload,
    parts.kind === 'v4-url' ? 'x-oss-signature' : undefined,
  );
  const scope = `${parts.scopeDate}/${parts.scopeRegion}/oss/aliyun_v4_request`;
  const stringToSign = [
    'OSS4-HMAC-SHA256',
    parts.timestamp,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const expected = createHmac('sha256', signingKeyV4(credential.accessKeySecret, parts.scopeDate, parts.scopeRegion))
    .update(stringToSign)
    .digest('hex');
  if (!sameText(expected, parts.signature)) {
    return denied(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the ' +
        'signature you provided. Check your key and signing method.',
      {
        OSSAccessKeyId: parts.accessKeyId,
        SignatureProvided: parts.signature,
        StringToSign: stringToSign,
        CanonicalRequest: canonicalRequest,
      },
    );
  }
  return { ok: true, kind: parts.kind, accessKeyId: parts.accessKeyId };
}
