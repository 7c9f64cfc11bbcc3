import { DifyStorageError } from '@dify-logs/core';
import { scrub } from '@dify-logs/core/adapter-kit';

/** What an error message may name: the adapter, the bucket, and the credentials it must never show. */
export interface ErrorContext {
  adapter: string;
  bucket: string;
  /** Strings scrubbed from any message taken from the SDK or the server. */
  secrets: string[];
}

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const AUTH_CODES = new Set([
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'AccountProblem',
  'InvalidSecurity',
  'CredentialsProviderError',
]);
const THROTTLING_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'ConditionalRequestConflict',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The S3 error code (`NoSuchKey`, `SignatureDoesNotMatch`, …) or the SDK's error name. */
export function errorCode(error: unknown): string {
  const value = (error ?? {}) as SdkError;
  return value.Code ?? value.name ?? 'Error';
}

export function httpStatus(error: unknown): number | undefined {
  return ((error ?? {}) as SdkError).$metadata?.httpStatusCode;
}

/** A missing object: `NoSuchKey` from GET, a bare 404 from HEAD (which has no body to name the cause). */
export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return (
    code === 'NoSuchKey' ||
    code === 'NotFound' ||
    (httpStatus(error) === 404 && code !== 'NoSuchBucket' && code !== 'NoSuchUpload')
  );
}

/** The key was taken when a conditional write (`If-None-Match: *`) reached the server. */
export function isPreconditionFailure(error: unknown): boolean {
  const code = errorCode(error);
  const status = httpStatus(error);
  // 412: the object exists (AWS names it PreconditionFailed; Swift answers `InvalidRequest` with 412).
  // Not 409 ConditionalRequestConflict: AWS saw another conditional write of the key still in flight,
  // which may yet fail; that one is a retryable storage_failed.
  return status === 412 || code === 'PreconditionFailed';
}

/** The server refuses `If-None-Match` on PutObject (OpenStack Swift's s3api: 501 NotImplemented). */
export function isConditionalPutRefused(error: unknown): boolean {
  return httpStatus(error) === 501 || errorCode(error) === 'NotImplemented';
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as SdkError).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as SdkError).cause;
  }
  return undefined;
}

/** Throttling, timeouts, connection failures and 5xx (but not 501 Not Implemented) may succeed when repeated. */
export function isRetryable(error: unknown): boolean {
  const status = httpStatus(error);
  const code = errorCode(error);
  if (AUTH_CODES.has(code) || code === 'NoSuchBucket' || code === 'AbortError') return false;
  if (status === 429 || (status !== undefined && status >= 500 && status !== 501)) return true;
  if (THROTTLING_CODES.has(code) || networkCode(error) !== undefined) return true;
  return (error as SdkError)?.$retryable !== undefined && (error as SdkError).$retryable !== false;
}

function explain(context: ErrorContext, error: unknown): string {
  const code = errorCode(error);
  const status = httpStatus(error);
  // A HEAD response has no body, so the SDK can only name it `Unknown` (403) or `NotFound` (404).
  const named = code === 'Unknown' || code === 'UnknownError' ? '' : code;
  const where = status === undefined ? code : named ? `${named}, HTTP ${status}` : `HTTP ${status}`;
  const raw = (error as SdkError)?.message;
  const detail = raw && raw !== code && raw !== 'UnknownError' ? `: ${raw}` : '';
  if (code === 'NoSuchBucket') return `bucket "${context.bucket}" does not exist (NoSuchBucket)`;
  if (code === 'CredentialsProviderError') return `no credentials found (${code})${detail}`;
  if (AUTH_CODES.has(code) || status === 403) {
    return (
      `access denied (${where}): the credentials were refused or lack permission on ` +
      `bucket "${context.bucket}"; check the access key, the secret and the bucket policy`
    );
  }
  if (code === 'ConditionalRequestConflict')
    return `another save of this key is in progress (${where}); retrying tells whether it completed`;
  const network = networkCode(error);
  if (network) return `could not reach the S3 endpoint (${network})${detail}`;
  return `${where}${detail}`;
}

/**
 * Turns whatever the SDK threw into a `DifyStorageError` naming the bucket and the key, classified
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
  const target = objectKey === undefined ? `bucket "${context.bucket}"` : `s3://${context.bucket}/${objectKey}`;
  const message = scrub(`could not ${action} ${target}: ${explain(context, error)}`, context.secrets);
  return new DifyStorageError(context.adapter, 'storage_failed', message, {
    key,
    cause: error,
    isRetryable: isRetryable(error),
  });
}
