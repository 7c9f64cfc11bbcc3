/**
 * Keys whose values are secrets wherever they appear (options, headers, log bindings).
 * Matching is case-insensitive on the key name.
 */
const SECRET_KEY = /(pass(word)?|secret|token|api[-_]?key|authorization|cookie|csrf|credential|session[-_]?key)/i;

export const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A deep copy of `value` with every secret-named key's value replaced. Cycles are cut. */
export function redact<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]' as T;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, seen)) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretKey(key) && item !== null && item !== undefined ? REDACTED : redact(item, seen);
  }
  return copy as T;
}

/** Replaces every occurrence of the given secret strings inside `text`. */
export function scrub(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  return result;
}
