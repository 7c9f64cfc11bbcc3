import { createHmac } from 'node:crypto';

/**
 * Feishu signed mode (签名校验): string to sign `${timestamp}\n${secret}` (timestamp in seconds), used as
 * the HmacSHA256 *key* over an empty message, Base64. Both go into the request body as strings.
 */
export function feishuSignature(secret: string, timestampSeconds: number): { timestamp: string; sign: string } {
  const timestamp = String(timestampSeconds);
  return { timestamp, sign: createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64') };
}
