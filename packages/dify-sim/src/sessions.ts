import { createHmac, randomBytes } from 'node:crypto';

/** Console tokens, validated by lookup: JWT-shaped access and CSRF tokens, 128-hex refresh tokens. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  csrfToken: string;
  accessMaxAge: number;
  refreshMaxAge: number;
}

export type TokenCheck = { state: 'valid'; accountId: string } | { state: 'expired' | 'unknown' };

export interface SessionStore {
  issue(accountId: string): IssuedTokens;
  /** Rotates a refresh token: the old one stops working. */
  rotate(refreshToken: string): IssuedTokens | undefined;
  checkAccess(token: string): TokenCheck;
  checkCsrf(token: string, accountId: string): boolean;
  /** Dify keeps one "latest refresh token" per account (`account_refresh_token:<id>`); logout deletes that one. */
  revokeLatestRefresh(accountId: string): void;
  /** Whether a refresh token still works. */
  refreshValid(token: string): boolean;
  expireAll(): void;
  /** Every access, refresh and CSRF token ever issued (for tests that scan outputs for leaked secrets). */
  issued(): string[];
  /** Failed password logins per e-mail (Dify locks after more than 5). */
  failures: Map<string, number>;
}

const REFRESH_MAX_AGE = 30 * 24 * 3600;

function base64Url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

export interface SessionLifetimes {
  /** An access token (and its CSRF token) expires this many seconds after it was issued. */
  accessTtlSeconds: number;
  /** An access token also expires after it authenticated this many requests (default: no limit). */
  accessTtlRequests?: number | undefined;
}

export function createSessionStore(lifetimes: SessionLifetimes): SessionStore {
  const { accessTtlSeconds, accessTtlRequests = Number.POSITIVE_INFINITY } = lifetimes;
  const secret = randomBytes(32);
  const access = new Map<string, { accountId: string; expiresAtMs: number; uses: number }>();
  const csrf = new Map<string, { accountId: string; expiresAtMs: number }>();
  const refresh = new Map<string, { accountId: string; expiresAtMs: number }>();
  const latestRefresh = new Map<string, string>();
  const everIssued: string[] = [];

  const jwt = (payload: Record<string, unknown>) => {
    const head = `${base64Url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64Url(JSON.stringify(payload))}`;
    return `${head}.${base64Url(createHmac('sha256', secret).update(head).digest())}`;
  };

  const issue = (accountId: string): IssuedTokens => {
    const now = Date.now();
    const expiresAtMs = now + accessTtlSeconds * 1000;
    const exp = Math.floor(expiresAtMs / 1000);
    const accessToken = jwt({
      user_id: accountId,
      exp,
      iss: 'SELF_HOSTED',
      sub: 'Console API Passport',
      jti: randomBytes(8).toString('hex'),
    });
    const csrfToken = jwt({ exp, sub: accountId, jti: randomBytes(8).toString('hex') });
    const refreshToken = randomBytes(64).toString('hex');
    access.set(accessToken, { accountId, expiresAtMs, uses: 0 });
    csrf.set(csrfToken, { accountId, expiresAtMs });
    refresh.set(refreshToken, { accountId, expiresAtMs: now + REFRESH_MAX_AGE * 1000 });
    latestRefresh.set(accountId, refreshToken);
    everIssued.push(accessToken, csrfToken, refreshToken);
    return { accessToken, refreshToken, csrfToken, accessMaxAge: accessTtlSeconds, refreshMaxAge: REFRESH_MAX_AGE };
  };

  return {
    issue,
    rotate(token) {
      const record = refresh.get(token);
      if (!record || record.expiresAtMs <= Date.now()) return undefined;
      refresh.delete(token);
      return issue(record.accountId);
    },
    checkAccess(token) {
      const record = access.get(token);
      if (!record) return { state: 'unknown' };
      if (record.expiresAtMs <= Date.now() || record.uses >= accessTtlRequests) return { state: 'expired' };
      record.uses += 1;
      return { state: 'valid', accountId: record.accountId };
    },
    checkCsrf(token, accountId) {
      const record = csrf.get(token);
      return record !== undefined && record.accountId === accountId && record.expiresAtMs > Date.now();
    },
    revokeLatestRefresh(accountId) {
      const token = latestRefresh.get(accountId);
      if (token !== undefined) refresh.delete(token);
      latestRefresh.delete(accountId);
    },
    refreshValid(token) {
      const record = refresh.get(token);
      return record !== undefined && record.expiresAtMs > Date.now();
    },
    expireAll() {
      for (const record of access.values()) record.expiresAtMs = 0;
      for (const record of csrf.values()) record.expiresAtMs = 0;
    },
    issued: () => [...everIssued],
    failures: new Map(),
  };
}
