import { createHmac } from 'node:crypto';

/**
 * DingTalk signed mode ("加签"): string to sign `${timestamp}\n${secret}` (timestamp in ms), HmacSHA256
 * keyed with the secret, Base64, then URL-encoded; `timestamp` and `sign` are appended to the webhook URL.
 */
export function signedWebhook(webhook: URL, secret: string, timestamp: number): string {
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  const url = new URL(webhook);
  url.searchParams.set('timestamp', String(timestamp));
  url.searchParams.set('sign', sign); // URLSearchParams form-encodes: + / = become %2B %2F %3D
  return url.href;
}
