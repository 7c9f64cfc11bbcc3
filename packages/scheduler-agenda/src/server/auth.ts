import { createHash, timingSafeEqual } from 'node:crypto';
import { DifyConfigError } from '@dify-logs/core';
import type { RequestHandler } from 'express';

/** Basic auth with a user name and password, or a bearer token (also accepted as the Basic password, for browsers). */
export type DashboardAuth = { username: string; password: string } | { token: string };

export const AUTH_REALM = 'dify-logs';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time comparison: both sides hashed first, so lengths never differ and never leak. */
function same(received: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(received), expected);
}

/**
 * Throws a `DifyConfigError` naming `key` unless `auth` holds a non-empty user name and password, or a non-empty token.
 */
export function assertDashboardAuth(auth: unknown, key: string): asserts auth is DashboardAuth {
  const value = auth as Partial<{ username: unknown; password: unknown; token: unknown }> | undefined | null;
  if (value && typeof value === 'object') {
    if ('token' in value) {
      if (typeof value.token === 'string' && value.token.length > 0) return;
      throw new DifyConfigError(key, 'token must be a non-empty string');
    }
    if (
      typeof value.username === 'string' &&
      value.username.length > 0 &&
      typeof value.password === 'string' &&
      value.password.length > 0
    )
      return;
    if ('username' in value || 'password' in value)
      throw new DifyConfigError(key, 'username and password must be non-empty strings');
  }
  throw new DifyConfigError(
    key,
    'the dashboard is never served without authentication: give { username, password } or { token }',
  );
}

function parseBasic(encoded: string): { username: string; password: string } | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Express middleware admitting a request only with the right credentials; 401 with a Basic challenge otherwise. */
export function requireAuth(auth: DashboardAuth): RequestHandler {
  const expected: { token: Buffer } | { username: Buffer; password: Buffer } =
    'token' in auth
      ? { token: digest(auth.token) }
      : { username: digest(auth.username), password: digest(auth.password) };

  function admitted(header: string | undefined): boolean {
    if (!header) return false;
    const [scheme = '', ...rest] = header.trim().split(/\s+/);
    const credentials = rest.join(' ');
    if (!credentials) return false;
    if (scheme.toLowerCase() === 'bearer') return 'token' in expected && same(credentials, expected.token);
    if (scheme.toLowerCase() !== 'basic') return false;
    const basic = parseBasic(credentials);
    if (!basic) return false;
    if ('token' in expected) return same(basic.password, expected.token);
    // Both compared every time, so the answer takes as long for a wrong user name as for a wrong password.
    const userMatches = same(basic.username, expected.username);
    const passwordMatches = same(basic.password, expected.password);
    return userMatches && passwordMatches;
  }

  return (request, response, next) => {
    if (admitted(request.headers.authorization)) {
      next();
      return;
    }
    response.setHeader('WWW-Authenticate', `Basic realm="${AUTH_REALM}"`);
    response.status(401).json({ error: 'authentication required' });
  };
}
