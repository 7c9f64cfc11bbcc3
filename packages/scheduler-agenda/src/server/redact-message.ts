import { isSecretKey, REDACTED } from '@dify-logs/core/adapter-kit';

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/@:]*):([^\s/@]*)@/gi;
const QUERY_PARAMETER = /([?&;])([^=&;\s#]+)=([^&;\s#]*)/g;
const MAX_LENGTH = 300;

/**
 * An error message fit for an HTTP answer or a log line: its first line, at most 300 characters, with
 * passwords in URLs (`postgres://user:[redacted]@host`) and secret query parameters (`?token=`,
 * `?signature=`) replaced. Never a stack.
 */
export function publicMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
  const firstLine = raw.split(/\r?\n/, 1)[0] ?? '';
  const redacted = firstLine
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(QUERY_PARAMETER, (match, separator: string, name: string) =>
      isSecretKey(name) || /sig|key|auth/i.test(name) ? `${separator}${name}=${REDACTED}` : match,
    );
  const message = redacted.length > MAX_LENGTH ? `${redacted.slice(0, MAX_LENGTH - 1)}…` : redacted;
  return message || (error instanceof Error ? error.name : 'unknown error');
}
