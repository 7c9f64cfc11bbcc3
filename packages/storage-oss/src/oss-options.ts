import { isIP } from 'node:net';
import type OSS from 'ali-oss';
import { DifyConfigError, type Logger } from '@dify-logs/core';
import { normalizeKeyPrefix } from '@dify-logs/core/adapter-kit';

export interface OssStorageOptions {
  /** The bucket reports and data go to. It must exist: the adapter never creates buckets. */
  bucket: string;
  /** A folder inside the bucket, e.g. `dify-logs` or `team-a/dify-logs` (no leading `/`, no `..`). */
  prefix?: string;
  /**
   * The bucket's region, `oss-cn-hangzhou` or `cn-hangzhou`. Needed for V4 signing; derived from an
   * `oss-<region>[-internal].aliyuncs.com` endpoint when left out.
   */
  region?: string;
  /**
   * `oss-cn-hangzhou.aliyuncs.com`, `https://oss-cn-hangzhou.aliyuncs.com`, or an OSS-compatible host. Default: the
   * region's public endpoint.
   */
  endpoint?: string;
  /** HTTPS (default `true`) for an endpoint given without `http://` or `https://`, and for the region's endpoint. */
  secure?: boolean;
  /**
   * Address buckets as `endpoint/bucket/key` rather than `bucket.endpoint/key` (ali-oss `sldEnable`); for local and
   * OSS-compatible servers.
   */
  pathStyle?: boolean;
  accessKeyId?: string;
  accessKeySecret?: string;
  /** For temporary credentials (STS). */
  stsToken?: string;
  /**
   * Sign requests with OSS V4 (`OSS4-HMAC-SHA256`, needs the region). Default `true`; `false` signs with V1
   * (HMAC-SHA1).
   */
  authorizationV4?: boolean;
  /**
   * A ready ali-oss client configured for `bucket`, used instead of the connection and credential options; `close()`
   * leaves it alone.
   */
  client?: OSS;
  /** Lifetime of `signedUrl()` URLs when the call gives none: 1 to 604800 (7 days). Default 3600. */
  signedUrlExpiresInSeconds?: number;
  /**
   * Size of one part of a multipart upload, 100 KiB to 5 GiB. Bodies up to this size go in one request. Default 8 MiB.
   */
  partSizeBytes?: number;
  /** Name in errors and logs (default `oss`). */
  name?: string;
  logger?: Logger;
}

export interface ResolvedOptions {
  name: string;
  bucket: string;
  /** `''` or a folder ending in `/`. */
  prefix: string;
  signedUrlExpiresInSeconds: number;
  partSizeBytes: number;
  /** The settings of the client the adapter creates; undefined when a client was given. */
  connection: Connection | undefined;
}

export interface Connection {
  /** `oss-<region>`, as ali-oss wants it. */
  region: string | undefined;
  /** With the protocol. */
  endpoint: string | undefined;
  secure: boolean;
  pathStyle: boolean;
  accessKeyId: string;
  accessKeySecret: string;
  stsToken: string | undefined;
  authorizationV4: boolean;
}

const KIB = 1024;
const MIB = 1024 * KIB;
export const MAX_SIGNED_URL_SECONDS = 604_800;
/** What ali-oss accepts as a bucket name (it throws on anything else). */
const BUCKET = /^[a-z0-9_][a-z0-9-_]{1,61}[a-z0-9_]$/;
const REGION = /^(?:oss-)?[a-z0-9]+(?:-[a-z0-9]+)+$/;
/** `oss-cn-hangzhou.aliyuncs.com`, `oss-cn-hangzhou-internal.aliyuncs.com`. */
const ALIYUN_ENDPOINT = /^(oss-[a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com$/;
const CONNECTION_KEYS = [
  'region',
  'endpoint',
  'secure',
  'pathStyle',
  'accessKeyId',
  'accessKeySecret',
  'stsToken',
  'authorizationV4',
] as const;

/** Validates the options without any I/O; throws `DifyConfigError` naming the offending option. */
export function resolveOptions(options: OssStorageOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new DifyConfigError('bucket', 'is required: the bucket reports and data go to');
  const { bucket } = options;
  if (typeof bucket !== 'string' || bucket.trim() === '')
    throw new DifyConfigError('bucket', 'is required: the bucket reports and data go to');
  if (!BUCKET.test(bucket)) {
    throw new DifyConfigError(
      'bucket',
      `"${bucket}" is not an OSS bucket name (3 to 63 lower-case letters, digits and "-"; put folders in \`prefix\`)`,
    );
  }
  const signedUrlExpiresInSeconds = options.signedUrlExpiresInSeconds ?? 3600;
  checkExpiry('signedUrlExpiresInSeconds', signedUrlExpiresInSeconds);
  const partSizeBytes = options.partSizeBytes ?? 8 * MIB;
  if (!Number.isInteger(partSizeBytes) || partSizeBytes < 100 * KIB || partSizeBytes > 5 * 1024 * MIB) {
    throw new DifyConfigError(
      'partSizeBytes',
      'must be a whole number of bytes from 100 KiB (102400, the OSS minimum part size) to 5 GiB',
    );
  }
  const resolved = {
    name: options.name ?? 'oss',
    bucket,
    prefix: normalizeKeyPrefix('oss', options.prefix),
    signedUrlExpiresInSeconds,
    partSizeBytes,
  };

  if (options.client !== undefined) {
    const given = CONNECTION_KEYS.filter((key) => options[key] !== undefined);
    if (given.length > 0)
      throw new DifyConfigError(
        'client',
        `give either a ready client or ${given.join('/')}, not both: a given client is used as it is`,
      );
    const configured = (options.client as unknown as { options?: { bucket?: unknown } }).options?.bucket;
    if (configured !== bucket) {
      throw new DifyConfigError(
        'client',
        `is configured for bucket ${JSON.stringify(configured ?? null)}` +
          `, not "${bucket}": create it with \`bucket: "${bucket}"\``,
      );
    }
    return { ...resolved, connection: undefined };
  }
  return { ...resolved, connection: resolveConnection(options) };
}

function resolveConnection(options: OssStorageOptions): Connection {
  const { accessKeyId, accessKeySecret, stsToken } = options;
  if (typeof accessKeyId !== 'string' || accessKeyId.trim() === '')
    throw new DifyConfigError('accessKeyId', 'is required (or give a ready `client`)');
  if (typeof accessKeySecret !== 'string' || accessKeySecret.trim() === '')
    throw new DifyConfigError('accessKeySecret', 'is required (or give a ready `client`)');
  if (stsToken !== undefined && (typeof stsToken !== 'string' || stsToken === ''))
    throw new DifyConfigError('stsToken', 'must be the STS security token string');
  const secure = options.secure ?? true;
  if (typeof secure !== 'boolean') throw new DifyConfigError('secure', 'must be true or false');
  const endpoint = options.endpoint === undefined ? undefined : checkEndpoint(options.endpoint, options.bucket, secure);

  let region: string | undefined;
  if (options.region !== undefined) {
    if (typeof options.region !== 'string' || !REGION.test(options.region))
      throw new DifyConfigError('region', 'must be a region such as oss-cn-hangzhou or cn-hangzhou');
    region = options.region.startsWith('oss-') ? options.region : `oss-${options.region}`;
  } else if (endpoint !== undefined) {
    const derived = ALIYUN_ENDPOINT.exec(new URL(endpoint).hostname)?.[1];
    if (derived && derived !== 'oss-accelerate' && derived !== 'oss-accelerate-overseas') region = derived;
  }
  if (endpoint === undefined && region === undefined)
    throw new DifyConfigError('endpoint', 'or `region` is required, e.g. region: "oss-cn-hangzhou"');

  const authorizationV4 = options.authorizationV4 ?? true;
  if (typeof authorizationV4 !== 'boolean') throw new DifyConfigError('authorizationV4', 'must be true or false');
  if (authorizationV4 && region === undefined) {
    throw new DifyConfigError(
      'region',
      'is required for V4 signing with this endpoint (e.g. region: ' +
        '"oss-cn-hangzhou"), or sign with V1: authorizationV4: false',
    );
  }
  return {
    region,
    endpoint,
    secure,
    pathStyle: options.pathStyle ?? false,
    accessKeyId: accessKeyId.trim(),
    accessKeySecret: accessKeySecret.trim(),
    stsToken,
    authorizationV4,
  };
}

export function checkExpiry(key: string, seconds: unknown): void {
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SIGNED_URL_SECONDS) {
    throw new DifyConfigError(
      key,
      `must be a whole number of seconds from 1 to ` +
        `${MAX_SIGNED_URL_SECONDS} (7 days, the longest OSS V4 signatures last)`,
    );
  }
}

/** The endpoint with its protocol; refuses what ali-oss would mishandle. */
function checkEndpoint(endpoint: unknown, bucket: string, secure: boolean): string {
  if (typeof endpoint !== 'string' || endpoint.trim() === '')
    throw new DifyConfigError('endpoint', 'must be a host name such as oss-cn-hangzhou.aliyuncs.com');
  const withProtocol = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)
    ? endpoint
    : `${secure ? 'https' : 'http'}://${endpoint}`;
  let url: URL;
  try {
    url = new URL(withProtocol);
  } catch {
    throw new DifyConfigError(
      'endpoint',
      'must be a host name such as oss-cn-hangzhou.aliyuncs.com, or an http(s):// URL',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new DifyConfigError('endpoint', 'must be an http:// or https:// URL');
  if (url.username !== '' || url.password !== '')
    throw new DifyConfigError('endpoint', 'must not carry credentials: use accessKeyId and accessKeySecret');
  if (url.pathname !== '/' || url.search !== '')
    throw new DifyConfigError('endpoint', 'must be a host (and port) only, without a path or query');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    throw new DifyConfigError(
      'endpoint',
      'must be a host name, not an IP address: ali-oss rewrites the Host header ' +
        'and refuses to sign URLs for IP endpoints (use localhost for a local server)',
    );
  }
  if (host.startsWith(`${bucket}.`) && host.endsWith('.aliyuncs.com')) {
    throw new DifyConfigError(
      'endpoint',
      `is the bucket's own host; give the region endpoint (${host.slice(bucket.length + 1)}) and the bucket separately`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

/** `''`, or the prefix with one trailing `/`; refuses prefixes that could escape or confuse the bucket's folders. */
