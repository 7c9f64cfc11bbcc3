/**
 * Dify sends unix seconds (ints) almost everywhere, RFC-822 strings on the service run detail before 1.2,
 * and ISO strings in a few places. Returns an ISO-8601 UTC string, or null for null/undefined.
 * Throws a plain Error (the caller names the endpoint and field) on anything else.
 */
export function toIsoTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Seconds; a value this large can only be milliseconds.
    const ms = value > 1e12 ? value : value * 1000;
    return new Date(ms).toISOString();
  }
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value)) return toIsoTime(Number(value));
    const parsed = Date.parse(value.replace(/-0000$/, '+0000'));
    if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
  }
  throw new Error(`not a timestamp: ${JSON.stringify(value)}`);
}

/** Formats a Date or ISO string as the `Z` form Dify's log filters read unambiguously. */
export function toDifyFilterTime(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${String(value)}`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
