import { DifyStorageError } from '@dify-logs/core';
import { scrub } from '@dify-logs/core/adapter-kit';

/** What an error message may name: the adapter, the bucket, and the credentials it must never show. */
export interface ErrorContext {
  adapter: string;
  bucket: string;
  /** Strings scrubbed from any message taken from the SDK or the server (read when an error is made). */
  secrets: () => string[];
}

/**
 * What ali-oss throws: an `Error` named `<Code>Error` with the OSS `code`, HTTP `status` (-1 network, -2 timeout) and
 * `requestId`.
 */
interface AliOssError {
  name?: string;
  message?: string;
  code?: string;
  status?: number;
  requestId?: string;
}

const AUTH_CODES = new Set([
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'AccessDenied',
  'SecurityTokenExpired',
  'InvalidSecurityToken',
  'RequestTimeTooSkewed',
  'AccessForbidden',
  'UserDisable',
]);
const TRANSIENT_CODES = new Set([
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'TooManyRequests',
  'QpsLimitExceeded',
  'RequestTimeout',
  'ServerBusy',
  'DownloadTrafficRateLimitExceeded',
  'UploadTrafficRateLimitExceeded',
]);
/** Names urllib (ali-oss's HTTP client) gives failures that never produced a response. */
const NETWORK_NAMES = new Set([
  'RequestError',
  'ConnectionTimeoutError',
  'ResponseTimeoutError',
  'ResponseError',
  'SocketAssignTimeoutError',
  'ConnectionResetError',
  'SocketError',
]);
const NETWORK_CODES = new RegExp(
  `\\b(${[
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'ETIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'ENOTFOUND',
    'ENETUNREACH',
    'EHOSTUNREACH',
    'EHOSTDOWN',
    'ESOCKETTIMEDOUT',
  ].join('|')})\\b`,
);

/** The OSS error code (`NoSuchKey`, `SignatureDoesNotMatch`, …) or the error's name. */
export function errorCode(error: unknown): string {
  const value = (error ?? {}) as AliOssError;
  return value.code ?? value.name ?? 'Error';
}

export function httpStatus(error: unknown): number | undefined {
  const status = ((error ?? {}) as AliOssError).status;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

/** A missing object: `NoSuchKey` from GET, a bare 404 from HEAD (ali-oss names every HEAD 404 `NoSuchKey`). */
export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'NoSuchKey' || (httpStatus(error) === 404 && code !== 'NoSuchBucket' && code !== 'NoSuchUpload');
}

/** `x-oss-forbid-overwrite: true` found the key taken. */
export function isAlreadyExists(error: unknown): boolean {
  return errorCode(error) === 'FileAlreadyExists';
}

/** A failure that never got a response: refused or reset connections, DNS failures, timeouts. */
function networkFailure(error: unknown): string | undefined {
  const value = (error ?? {}) as AliOssError;
  const status = value.status;
  const named = NETWORK_NAMES.has(value.name ?? '') || status === -1 || status === -2;
  const errno =
    NETWORK_CODES.exec(value.message ?? '')?.[1] ??
    (typeof value.code === 'string' && NETWORK_CODES.test(value.code) ? value.code : undefined);
  if (errno) return errno;
  return named ? (value.name ?? 'network error') : undefined;
}

/** Throttling, timeouts, connection failures and 5xx (but not 501 Not Implemented) may succeed when repeated. */
export function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  const status = httpStatus(error);
  if (AUTH_CODES.has(code) || code === 'NoSuchBucket') return false;
  if (status === 429 || (status !== undefined && status >= 500 && status !== 501)) return true;
  return TRANSIENT_CODES.has(code) || networkFailure(error) !== undefined;
}

function explain(context: ErrorContext, error: unknown): string {
  const code = errorCode(error);
  const status = httpStatus(error);
  const where = status === undefined ? code : `${code}, HTTP ${status}`;
  const requestId = (error as AliOssError)?.requestId;
  const request = requestId ? `; request id ${requestId}` : '';
  switch (code) {
    case 'NoSuchBucket':
      return `bucket "${context.bucket}" does not exist (NoSuchBucket${request})`;
    case 'SignatureDoesNotMatch':
      return (
        `the signature was refused (${where}${request}): the access key ` +
        `secret does not belong to the access key id; check accessKeySecret`
      );
    case 'InvalidAccessKeyId':
      return (
        `the access key was refused (${where}${request}): the access key id is unknown ` +
        `or disabled, or the STS token is invalid; check accessKeyId and stsToken`
      );
    case 'SecurityTokenExpired':
      return `the STS token has expired (${where}${request}); request new temporary credentials`;
    case 'RequestTimeTooSkewed':
      return (
        `the local clock differs from the server's by more than ` +
        `15 minutes (${where}${request}); fix the system time`
      );
    default:
      break;
  }
  if (AUTH_CODES.has(code) || status === 403) {
    return (
      `access denied (${where}${request}): the credentials lack permission on ` +
      `bucket "${context.bucket}"; check the RAM policy and the bucket policy`
    );
  }
  const network = networkFailure(error);
  if (network) return `could not reach the OSS endpoint (${network})${firstClause((error as AliOssError)?.message)}`;
  const raw = (error as AliOssError)?.message;
  const detail = raw && raw !== code ? `: ${raw}` : '';
  return `${where}${detail}${request}`;
}

/** urllib's messages go on with the method, the URL and socket statistics after the first comma. */
function firstClause(message: string | undefined): string {
  if (!message) return '';
  const clause = message.split(/, (?:GET|PUT|POST|DELETE|HEAD) |\n/)[0] ?? '';
  return clause ? `: ${clause}` : '';
}

/**
 * Turns whatever ali-oss threw into a `DifyStorageError` naming the bucket and the key, classified
 * (`isRetryable`), with credentials scrubbed from the message. A `DifyStorageError` passes through.
 */
export function storageError(
  context: ErrorContext,
  error: unknown,
  action: string,
  objectKey?: string,
  key?: string,
): DifyStorageError {
  if (DifyStorageError.isInstance(error)) return error;
  const target = objectKey === undefined ? `bucket "${context.bucket}"` : `oss://${context.bucket}/${objectKey}`;
  const message = scrub(`could not ${action} ${target}: ${explain(context, error)}`, context.secrets());
  return new DifyStorageError(context.adapter, 'storage_failed', message, {
    key,
    cause: error,
    isRetryable: isRetryable(error),
  });
}
