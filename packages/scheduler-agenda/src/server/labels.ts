/**
 * Label values for the worker's metrics. Every function maps an open-ended input onto a bounded set,
 * so a Prometheus series count never grows with data (ids, query strings, unknown statuses).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
const LONG_HEX = /^[0-9a-f]{16,}$/i;
/** A plain path word: `workflow-app-logs`, `v1`, `console`. Anything else (tokens, e-mails, encoded text) is an id. */
const WORD = /^[a-z][a-z0-9_-]{0,39}$/i;

/** The path of a request URL with ids replaced by `:id`, no host, no query string: `/v1/apps/:id/workflow-app-logs`. */
export function endpointFamily(url: string): string {
  let pathname: string;
  try {
    pathname = new URL(url, 'http://relative.invalid').pathname;
  } catch {
    return 'unknown';
  }
  const segments = pathname.split('/').filter((segment) => segment !== '');
  const family = segments.map((segment) =>
    UUID.test(segment) ||
    NUMBER.test(segment) ||
    LONG_HEX.test(segment) ||
    !WORD.test(segment) ||
    /\d{4,}/.test(segment)
      ? ':id'
      : segment,
  );
  return `/${family.slice(0, 8).join('/')}`;
}

/**
 * Remembers at most `limit` distinct values and maps every later new one to `other`: a hard bound on
 * a label that is bounded in practice (endpoint families, app ids, deployments) but not by type.
 */
export function boundedLabel(limit: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= limit) return 'other';
    seen.add(value);
    return value;
  };
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function methodLabel(method: string | undefined): string {
  const upper = (method ?? 'GET').toUpperCase();
  return METHODS.has(upper) ? upper : 'OTHER';
}

/** Run statuses as Dify and the analysis name them; others become `other`. */
const RUN_STATUSES = new Set([
  'succeeded',
  'failed',
  'stopped',
  'partial-succeeded',
  'running',
  'lost',
  'scheduled',
  'paused',
  'waiting',
  'unknown',
]);

export function runStatusLabel(status: string): string {
  return RUN_STATUSES.has(status) ? status : 'other';
}

/** ISO-4217-like codes (`USD`, `RMB`); anything else is `other`. */
export function currencyLabel(currency: string): string {
  return /^[A-Z]{3}$/.test(currency) ? currency : 'other';
}

/** An id used as a label (app, deployment): printable, at most 64 characters. */
export function idLabel(value: string): string {
  const clean = value.replace(/[^\w.:-]/g, '_');
  return clean.length > 64 ? clean.slice(0, 64) : clean || 'unknown';
}
