import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the unix time (seconds) the request was signed at. */
export const TIMESTAMP_HEADER = 'X-Dify-Logs-Timestamp';
/** The header carrying `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
export const SIGNATURE_HEADER = 'X-Dify-Logs-Signature';

export interface SignWebhookOptions {
  secret: string;
  /** Unix seconds. */
  timestamp: number | string;
  /** The exact request body. */
  body: string | Uint8Array;
}

/** `sha256=` and the hex HMAC-SHA256 of `${timestamp}.${body}` with the secret. */
export function signWebhookBody(options: SignWebhookOptions): string {
  const hmac = createHmac('sha256', options.secret);
  hmac.update(`${options.timestamp}.`);
  hmac.update(options.body);
  return `sha256=${hmac.digest('hex')}`;
}

export interface VerifyWebhookOptions {
  secret: string;
  /** The `X-Dify-Logs-Timestamp` header. */
  timestamp: string | number | null | undefined;
  /** The `X-Dify-Logs-Signature` header. */
  signature: string | null | undefined;
  /** The raw request body, exactly as received (not re-serialized JSON). */
  body: string | Uint8Array;
  /** How far the timestamp may be from `now`, either way (default 300). */
  toleranceSeconds?: number;
  /** The current time (a Date or epoch milliseconds); default: now. */
  now?: Date | number;
}

/**
 * True when `signature` is the HMAC of this body and timestamp under `secret`, and the timestamp is
 * within `toleranceSeconds` of `now`. The comparison is constant-time. Rejecting old timestamps keeps a
 * captured request from being replayed later; reject a signature seen before, too, to stop replays
 * inside the window.
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): boolean {
  const { secret, signature, body } = options;
  if (typeof secret !== 'string' || secret === '' || typeof signature !== 'string') return false;
  const timestampText = String(options.timestamp ?? '').trim();
  if (!/^\d{1,12}$/.test(timestampText)) return false;
  const nowMs =
    options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(nowMs / 1000 - Number(timestampText)) > tolerance) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!match?.[1]) return false;
  const expected = Buffer.from(
    signWebhookBody({ secret, timestamp: timestampText, body }).slice('sha256='.length),
    'hex',
  );
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
