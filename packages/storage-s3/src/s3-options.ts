import type { S3Client } from '@aws-sdk/client-s3';
import { DifyConfigError, type Logger } from '@dify-logs/core';
import { normalizeKeyPrefix } from '@dify-logs/core/adapter-kit';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary credentials (STS). */
  sessionToken?: string;
}

export interface S3StorageOptions {
  /** The bucket reports and data go to. It must exist: the adapter never creates buckets. */
  bucket: string;
  /** A folder inside the bucket, e.g. `dify-logs` or `team-a/dify-logs` (no leading `/`, no `..`). */
  prefix?: string;
  /**
   * AWS region, e.g. `eu-central-1`. Default: the SDK's chain (`AWS_REGION`, profile); `us-east-1` when `endpoint` is
   * set.
   */
  region?: string;
  /** An S3-compatible endpoint (`https://s3.example.com`, `http://127.0.0.1:8089`). Default: AWS. */
  endpoint?: string;
  /**
   * Address buckets as `endpoint/bucket/key` rather than `bucket.endpoint/key`; most S3-compatible stores need this.
   */
  forcePathStyle?: boolean;
  /** Static credentials. Default: the SDK's default chain (environment, profile, SSO, instance or task role). */
  credentials?: S3Credentials;
  /** A ready client, used instead of `region`/`endpoint`/`forcePathStyle`/`credentials`; `close()` leaves it open. */
  client?: S3Client;
  /** Lifetime of `signedUrl()` URLs when the call gives none: 1 to 604800 (7 days). Default 3600. */
  signedUrlExpiresInSeconds?: number;
  /**
   * Size of one part of a multipart upload, at least 5 MiB. Bodies up to this size go in one request. Default 8 MiB.
   */
  partSizeBytes?: number;
  /** Name in errors and logs (default `s3`). */
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
  /** Strings that must never appear in a message. */
  secrets: string[];
}

const MIB = 1024 * 1024;
export const MAX_SIGNED_URL_SECONDS = 604_800;

/** Validates the options without any I/O; throws `DifyConfigError` naming the offending option. */
export function resolveOptions(options: S3StorageOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new DifyConfigError('bucket', 'is required: the bucket reports and data go to');
  const { bucket } = options;
  if (typeof bucket !== 'string' || bucket.trim() === '')
    throw new DifyConfigError('bucket', 'is required: the bucket reports and data go to');
  if (bucket !== bucket.trim() || /[/\\\s\0]/.test(bucket))
    throw new DifyConfigError(
      'bucket',
      `"${bucket}" is not a bucket name (no slashes or spaces; put folders in \`prefix\`)`,
    );

  const connection = (['region', 'endpoint', 'forcePathStyle', 'credentials'] as const).filter(
    (key) => options[key] !== undefined,
  );
  if (options.client !== undefined && connection.length > 0) {
    throw new DifyConfigError(
      'client',
      `give either a ready client or ${connection.join('/')}, not both: a given client is used as it is`,
    );
  }
  if (options.region !== undefined && (typeof options.region !== 'string' || options.region.trim() === ''))
    throw new DifyConfigError('region', 'must be a region name such as eu-central-1');
  if (options.endpoint !== undefined) checkEndpoint(options.endpoint);
  const secrets: string[] = [];
  if (options.credentials !== undefined) {
    const { accessKeyId, secretAccessKey, sessionToken } = options.credentials ?? {};
    if (typeof accessKeyId !== 'string' || accessKeyId === '')
      throw new DifyConfigError('credentials.accessKeyId', 'is required when credentials are given');
    if (typeof secretAccessKey !== 'string' || secretAccessKey === '')
      throw new DifyConfigError('credentials.secretAccessKey', 'is required when credentials are given');
    if (sessionToken !== undefined && typeof sessionToken !== 'string')
      throw new DifyConfigError('credentials.sessionToken', 'must be a string');
    secrets.push(secretAccessKey, accessKeyId, ...(sessionToken ? [sessionToken] : []));
  }

  const signedUrlExpiresInSeconds = options.signedUrlExpiresInSeconds ?? 3600;
  checkExpiry('signedUrlExpiresInSeconds', signedUrlExpiresInSeconds);
  const partSizeBytes = options.partSizeBytes ?? 8 * MIB;
  if (!Number.isInteger(partSizeBytes) || partSizeBytes < 5 * MIB || partSizeBytes > 5 * 1024 * MIB) {
    throw new DifyConfigError('partSizeBytes', 'must be a whole number of bytes from 5 MiB (5242880) to 5 GiB');
  }
  return {
    name: options.name ?? 's3',
    bucket,
    prefix: normalizeKeyPrefix('s3', options.prefix),
    signedUrlExpiresInSeconds,
    partSizeBytes,
    secrets,
  };
}

export function checkExpiry(key: string, seconds: unknown): void {
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SIGNED_URL_SECONDS) {
    throw new DifyConfigError(
      key,
      `must be a whole number of seconds from 1 to ${MAX_SIGNED_URL_SECONDS} (7 days, the longest S3 signatures last)`,
    );
  }
}

function checkEndpoint(endpoint: unknown): void {
  let url: URL;
  try {
    url = new URL(String(endpoint));
  } catch {
    throw new DifyConfigError('endpoint', 'must be a URL such as https://s3.example.com');
  }
  if (typeof endpoint !== 'string' || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new DifyConfigError('endpoint', 'must be an http:// or https:// URL');
  if (url.username !== '' || url.password !== '')
    throw new DifyConfigError('endpoint', 'must not carry credentials: use the `credentials` option');
}

/** `''`, or the prefix with one trailing `/`; refuses prefixes that could escape or confuse the bucket's folders. */
