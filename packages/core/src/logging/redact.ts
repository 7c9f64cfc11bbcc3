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

/**
 * Where a connection string's password is: `scheme://user:PASSWORD@host…` (up to the last `@`, so a raw
 * password holding spaces, `/`, `@`, `#` or `?` is found whole) and `password=` query parameters.
 */
function passwordSpans(url: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^:/@]*):/i.exec(url);
  const at = url.lastIndexOf('@');
  if (authority && at > authority[0].length - 1) spans.push([authority[0].length, at]);
  for (const match of url.matchAll(/[?&]password=([^&]*)/gi)) {
    const start = match.index + match[0].length - match[1]!.length;
    if (!spans.some(([from, to]) => start >= from && start < to)) spans.push([start, start + match[1]!.length]);
  }
  return spans.sort((a, b) => a[0] - b[0]);
}

/**
 * A connection string (`postgres://`, `mongodb://`, `redis://`, …) with its password shown as `***`, for
 * messages and logs. A password holding spaces, `/`, `@`, `#` or `?`, raw or percent-encoded, is hidden whole.
 */
export function redactConnectionString(url: string): string {
  let result = '';
  let last = 0;
  for (const [from, to] of passwordSpans(url)) {
    result += `${url.slice(last, from)}***`;
    last = to;
  }
  return result + url.slice(last);
}

/**
 * What to scrub for a connection string: the string itself (as written and as a URL parser rewrites it),
 * and its password as written, decoded and percent-encoded (a driver or a URL parser may show any of them).
 */
export function connectionSecrets(url: string | undefined): string[] {
  if (!url) return [];
  const secrets = new Set([url]);
  try {
    secrets.add(new URL(url).href);
  } catch {
    // not a URL a parser accepts: the forms below still cover the password
  }
  for (const [from, to] of passwordSpans(url)) {
    const written = url.slice(from, to);
    let decoded = written;
    try {
      decoded = decodeURIComponent(written);
    } catch {
      // a stray `%`: the password is used as written
    }
    for (const form of [
      written,
      decoded,
      encodeURIComponent(decoded),
      decoded.replaceAll(' ', '%20'),
      decoded.replaceAll(' ', '+'),
    ])
      if (form) secrets.add(form);
  }
  return [...secrets];
}
