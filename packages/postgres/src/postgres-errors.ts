import { DifyStorageError } from '@dify-logs/core';
import { connectionSecrets, scrub } from '@dify-logs/core/adapter-kit';

/** Connection failures, lock conflicts and server shutdowns: repeating the write may succeed. */
const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EHOSTDOWN',
]);
/**
 * SQLSTATE classes (first two characters) worth another attempt: connection exception, insufficient resources, operator
 * intervention.
 */
const RETRYABLE_CLASSES = new Set(['08', '53', '57']);
/** serialization_failure, deadlock_detected, lock_not_available. */
const RETRYABLE_STATES = new Set(['40001', '40P01', '55P03']);

interface PgError {
  code?: string;
  message?: string;
  detail?: string;
}

export function isRetryable(error: unknown): boolean {
  const code = (error as PgError | undefined)?.code;
  if (typeof code !== 'string')
    return /Connection terminated|timeout/i.test((error as PgError | undefined)?.message ?? '');
  return (
    RETRYABLE_NETWORK.has(code) ||
    RETRYABLE_STATES.has(code) ||
    (code.length === 5 && RETRYABLE_CLASSES.has(code.slice(0, 2)))
  );
}

/** The password (as written, decoded and percent-encoded) and the whole connection string, never to be shown. */
export function secretsOf(connectionString: string | undefined): string[] {
  if (!connectionString) return [];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(connectionString)) return connectionSecrets(connectionString);
  // a libpq key=value string: scrub `password=…`
  const secrets = [connectionString];
  const match = /password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/i.exec(connectionString);
  if (match?.[1]) secrets.push(match[1].replace(/^'|'$/g, ''));
  return secrets;
}

/**
 * A failure of the sink as a `DifyStorageError` naming the table (`key`), with the server's message and
 * SQLSTATE, and the credentials scrubbed. A `DifyStorageError` passes through.
 */
export function storageError(
  error: unknown,
  action: string,
  table: string,
  secrets: readonly string[],
): DifyStorageError {
  if (DifyStorageError.isInstance(error)) return error as DifyStorageError;
  const value = (error ?? {}) as PgError;
  const name = table.replaceAll('"', '');
  const reason = `${value.message ?? String(error)}${value.code ? ` (${value.code})` : ''}`;
  return new DifyStorageError('postgres', 'storage_failed', scrub(`could not ${action} ${name}: ${reason}`, secrets), {
    key: name,
    cause: error,
    isRetryable: isRetryable(error),
  });
}
