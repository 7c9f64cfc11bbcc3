/** Dotted key paths (`jobs.0.window.from`) and the secret-key rule. */

export function keyPath(segments: readonly PropertyKey[]): string {
  return segments.map((segment) => String(segment)).join('.');
}

/**
 * The last segment of a path names a secret: passwords, secrets, API keys, tokens, webhooks (their URLs carry tokens)
 * and database URLs (they carry passwords).
 */
const SECRET_SEGMENT = /password|secret|apiKey|accessKeySecret|webhook|token|databaseUrl/i;

export function isSecretPath(path: string): boolean {
  const segments = path.split('.');
  const last = segments.at(-1) ?? '';
  if (SECRET_SEGMENT.test(last)) return true;
  // The generic webhook notifier's `url` is a webhook too, and the privacy section's HMAC `key` a secret.
  return (last === 'url' && segments.at(-2) === 'webhook') || (last === 'key' && segments.at(-2) === 'privacy');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Shows a value in a message: quoted, cut at 80 characters; a secret is never shown. */
export function showValue(value: unknown, path: string): string {
  if (isSecretPath(path) && value !== undefined && value !== null) return 'a value (hidden: secret)';
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text =
      typeof value === 'string'
        ? JSON.stringify(value)
        : Array.isArray(value)
          ? 'a list'
          : isPlainObject(value)
            ? 'an object'
            : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
