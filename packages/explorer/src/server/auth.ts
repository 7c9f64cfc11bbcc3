import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DifyConfigError } from '@dify-logs/core';

export interface Credentials {
  token?: string;
  basic?: { user: string; password: string };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
/** Equal texts, compared in constant time (over their hashes, so the length does not show either). */
const same = (given: string, expected: Buffer) => timingSafeEqual(digest(given), expected);

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);
export const isLoopback = (host: string) => LOOPBACK.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * The request check of the configured credentials (none: every request passes). Refuses to start on an address other
 * than loopback without credentials: the archive holds inputs and outputs of every run.
 */
export function authenticator(host: string, credentials: Credentials): (request: IncomingMessage) => boolean {
  const { token, basic } = credentials;
  if (!token && !basic) {
    if (!isLoopback(host))
      throw new DifyConfigError(
        'serve.token',
        `the explorer listens on ${host}, beyond this machine: set serve.token (DIFY_LOGS_SERVE_TOKEN) or ` +
          'serve.basic (user and password), or keep serve.host at 127.0.0.1',
      );
    return () => true;
  }
  const expectedToken = token ? digest(token) : undefined;
  const expectedBasic = basic ? digest(`${basic.user}:${basic.password}`) : undefined;
  return (request) => {
    const header = request.headers.authorization ?? '';
    const [scheme = '', value = ''] = header.split(/\s+/, 2);
    if (expectedToken && scheme.toLowerCase() === 'bearer') return same(value, expectedToken);
    if (expectedBasic && scheme.toLowerCase() === 'basic')
      return same(Buffer.from(value, 'base64').toString('utf8'), expectedBasic);
    return false;
  };
}
