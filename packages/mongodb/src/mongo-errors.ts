import { DifyStorageError } from '@dify-logs/core';
import { connectionSecrets, scrub } from '@dify-logs/core/adapter-kit';

/** Server error codes worth another attempt: shutdowns, elections, lost primaries, timeouts. */
const RETRYABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 50]);
const RETRYABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoWriteConcernError',
  'MongoTopologyClosedError',
  'PoolClearedError',
]);

interface DriverError {
  name?: string;
  code?: number | string;
  message?: string;
  hasErrorLabel?: (label: string) => boolean;
}

export function isRetryable(error: unknown): boolean {
  const value = (error ?? {}) as DriverError;
  if (
    value.hasErrorLabel?.('RetryableWriteError') ||
    value.hasErrorLabel?.('TransientTransactionError') ||
    value.hasErrorLabel?.('ResetPool')
  )
    return true;
  return RETRYABLE_NAMES.has(value.name ?? '') || (typeof value.code === 'number' && RETRYABLE_CODES.has(value.code));
}

/** The password (as written, decoded and percent-encoded) and the whole connection string, never to be shown. */
export function secretsOf(connectionString: string | undefined): string[] {
  return connectionSecrets(connectionString);
}

/**
 * A failure as a `DifyStorageError` naming the collection (`key`), credentials scrubbed. A `DifyStorageError` passes
 * through.
 */
export function storageError(
  error: unknown,
  action: string,
  collection: string,
  secrets: readonly string[],
): DifyStorageError {
  if (DifyStorageError.isInstance(error)) return error as DifyStorageError;
  const value = (error ?? {}) as DriverError;
  const reason = `${value.message ?? String(error)}${value.code !== undefined ? ` (${value.code})` : ''}`;
  return new DifyStorageError(
    'mongodb',
    'storage_failed',
    scrub(`could not ${action} ${collection}: ${reason}`, secrets),
    { key: collection, cause: error, isRetryable: isRetryable(error) },
  );
}
