import { DifyAuthError } from '../../errors/auth-error.js';
import { DifyHttpError } from '../../errors/http-error.js';
import type { Logger } from '../../logging/logger.js';
import { parseVersion, versionAtLeast } from '../server-version.js';
import { toHttpError } from '../transport/error-body.js';
import type { RawResponse, Transport } from '../transport/http.js';
import { createCookieJar } from './cookie-jar.js';
import { difyDecodesBase64, ENCODING_PROBE_BODY } from './password-encoding.js';
import type { Authenticator, SessionLease } from './types.js';

export interface ConsoleCredentials {
  email: string;
  password: string;
}

/** `auto` sends Base64 to Dify >= 1.11.2 (which requires it) and the plain password to older releases. */
export type PasswordEncoding = 'auto' | 'base64' | 'plain';

export interface ConsoleSessionDeps {
  transport: Transport;
  consoleUrl: string;
  serverVersion: () => Promise<string | null>;
  passwordEncoding: PasswordEncoding;
  /** Log out on `close()`. Dify's logout deletes the account's most recent refresh token, whoever holds it. */
  logoutOnClose?: boolean;
  logger: Logger;
}

const LOGIN = 'POST /console/api/login';
const REFRESH = 'POST /console/api/refresh-token';
/** A renewed session refused on its very first request within this time is broken, not expired. */
const JUST_RENEWED_MS = 10_000;
/** Renewals in a row while no newer session was accepted: a backstop against renewing for ever. */
const MAX_FRUITLESS_RENEWALS = 6;

/**
 * A console session for every Dify login generation:
 * token in the body (< 0.9.2), access + refresh pair in the body (0.9.2–1.9.1),
 * cookies + X-CSRF-Token (>= 1.9.2, names mirrored, `__Host-` included), Base64 password (>= 1.11.2).
 * A refused login is remembered and never repeated: Dify locks an account after 5 failures.
 */
export function createConsoleSession(credentials: ConsoleCredentials, deps: ConsoleSessionDeps): Authenticator {
  const jar = createCookieJar();
  let mode: 'none' | 'bearer' | 'cookie' = 'none';
  let accessToken: string | undefined;
  let refreshToken: string | undefined;
  let epoch = 0;
  let fatal: DifyAuthError | undefined;
  /** The login or renewal under way: one at a time, every caller waits for it. */
  let inFlight: Promise<void> | undefined;
  /** When the current session came from a renewal (0: from a first login). */
  let renewedAtMs = 0;
  /** The newest session a request was handed, and the newest one Dify accepted. */
  let handedOut = 0;
  let acceptedEpoch = 0;
  let fruitlessRenewals = 0;
  /** Requests handed out per session and not over yet, and who waits for that number to fall. */
  const pending = new Map<number, number>();
  const settleWaiters = new Set<() => void>();
  const log = deps.logger.child({ auth: 'console-login' });

  function once(task: () => Promise<void>): Promise<void> {
    inFlight ??= task()
      .catch(remember)
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  /** Resolves when every other request of session `of` is over (or after the just-renewed grace time). */
  function othersSettled(of: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, JUST_RENEWED_MS);
      timer.unref();
      function done() {
        clearTimeout(timer);
        settleWaiters.delete(check);
        resolve();
      }
      function check() {
        if ((pending.get(of) ?? 0) <= 1) done();
      }
      settleWaiters.add(check);
      check();
    });
  }

  function die(endpoint: string, reason: string): never {
    fatal = new DifyAuthError(endpoint, 'session_expired', reason);
    throw fatal;
  }

  async function post(
    endpoint: string,
    path: string,
    json: unknown,
    headers?: Record<string, string>,
  ): Promise<RawResponse> {
    return deps.transport.withRetry(endpoint, async () => {
      const response = await deps.transport.send({
        method: 'POST',
        url: `${deps.consoleUrl}${path}`,
        endpoint,
        json,
        headers,
        unlimited: true,
      });
      if (response.status >= 500) throw toHttpError(endpoint, response.status, response.headers, response.text);
      return response;
    });
  }

  /**
   * Base64 from Dify 1.11.2 (`@decrypt_password_field`); 1.11.0 and 1.11.1 compare the password as sent, so Base64
   * there is a wrong password that counts towards the lockout. For an unknown release, a password Dify could not
   * decode goes plain first (a Base64 release refuses it before checking it); any other is settled by a login no
   * release can count (see ENCODING_PROBE_BODY).
   */
  async function wantsBase64(version: string | null): Promise<boolean> {
    if (deps.passwordEncoding !== 'auto') return deps.passwordEncoding === 'base64';
    if (parseVersion(version ?? '')) return versionAtLeast(version, '1.11.2');
    if (!difyDecodesBase64(credentials.password)) return false;
    const answer = await post(LOGIN, '/login', ENCODING_PROBE_BODY);
    log.info(
      { encodingRejection: isEncodingRejection(answer) },
      'unknown Dify release: asked which password encoding it wants',
    );
    return isEncodingRejection(answer);
  }

  async function login(): Promise<void> {
    const version = await deps.serverVersion();
    const base64 = await wantsBase64(version);
    let response = await post(LOGIN, '/login', loginBody(credentials, base64));
    if (!base64 && deps.passwordEncoding === 'auto' && isEncodingRejection(response)) {
      // Refused before the password was checked, so this does not count towards the lockout.
      log.info({ serverVersion: version }, 'server wants a Base64 password; logging in again with it');
      response = await post(LOGIN, '/login', loginBody(credentials, true));
    }
    if (response.status !== 200) throw loginError(response);
    const body = (response.body ?? {}) as { result?: unknown; data?: unknown; message?: unknown };
    if (body.result !== 'success') {
      const reason =
        typeof body.data === 'string'
          ? body.data
          : typeof body.message === 'string'
            ? body.message
            : 'login was not accepted';
      throw new DifyAuthError(LOGIN, 'login_failed', reason);
    }
    jar.clear();
    if (typeof body.data === 'string') {
      mode = 'bearer';
      accessToken = body.data;
      refreshToken = undefined;
    } else if (isTokenPair(body.data)) {
      mode = 'bearer';
      accessToken = body.data.access_token;
      refreshToken = body.data.refresh_token;
    } else {
      jar.store(response.headers.getSetCookie());
      if (!jar.get('access_token') || !jar.get('csrf_token')) {
        throw new DifyAuthError(
          LOGIN,
          'login_failed',
          'login succeeded but the response set no access_token/csrf_token cookies',
        );
      }
      mode = 'cookie';
    }
    epoch += 1;
    log.debug({ session: mode, serverVersion: version, epoch }, 'logged in to the Dify console');
  }

  async function refresh(): Promise<boolean> {
    try {
      if (mode === 'bearer' && refreshToken) {
        const response = await post(REFRESH, '/refresh-token', { refresh_token: refreshToken });
        const body = response.body as { result?: unknown; data?: unknown } | undefined;
        if (response.status !== 200 || body?.result !== 'success' || !isTokenPair(body.data)) return false;
        accessToken = body.data.access_token;
        refreshToken = body.data.refresh_token;
      } else if (mode === 'cookie' && jar.get('refresh_token')) {
        const response = await post(REFRESH, '/refresh-token', {}, { cookie: jar.header() });
        const body = response.body as { result?: unknown } | undefined;
        if (response.status !== 200 || body?.result !== 'success') return false;
        jar.store(response.headers.getSetCookie());
      } else {
        return false;
      }
    } catch (error) {
      log.warn({ code: (error as { code?: unknown }).code }, 'token refresh failed; logging in again');
      return false;
    }
    epoch += 1;
    log.debug({ epoch }, 'refreshed the console session');
    return true;
  }

  function sessionHeaders(): Record<string, string> {
    if (mode === 'bearer') return { authorization: `Bearer ${accessToken}` };
    return { cookie: jar.header(), 'x-csrf-token': jar.get('csrf_token') ?? '' };
  }

  function remember(error: unknown): never {
    if (DifyAuthError.isInstance(error)) fatal = error;
    throw error;
  }

  return {
    kind: 'console-login',
    async headers(): Promise<SessionLease> {
      if (fatal) throw fatal;
      if (inFlight) await inFlight;
      if (mode === 'none') await once(() => login().then(() => void (renewedAtMs = 0)));
      const first = handedOut !== epoch;
      handedOut = epoch;
      pending.set(epoch, (pending.get(epoch) ?? 0) + 1);
      return { headers: sessionHeaders(), epoch, first };
    },
    async recover(error: DifyHttpError, lease: SessionLease) {
      if (fatal) throw fatal;
      // Refused with a session that has been renewed since, or is being renewed now: send it again on the new one.
      if (lease.epoch !== epoch) return true;
      if (inFlight) {
        await inFlight;
        return true;
      }
      const reason = error.difyMessage ?? `HTTP ${error.status}`;
      if (lease.first && renewedAtMs > 0 && acceptedEpoch < lease.epoch && Date.now() - renewedAtMs < JUST_RENEWED_MS) {
        // Requests sent just after this one on other connections may have reached Dify first and used the session
        // up: only when none of them was accepted either is the renewed session itself refused.
        await othersSettled(lease.epoch);
        if (lease.epoch !== epoch) return true;
        if (inFlight) {
          await inFlight;
          return true;
        }
        if (acceptedEpoch < lease.epoch)
          die(
            error.endpoint,
            `the console session was refused on its first request right after renewing it (${reason})`,
          );
      }
      if (fruitlessRenewals >= MAX_FRUITLESS_RENEWALS) {
        die(
          error.endpoint,
          `the console session keeps being refused after renewing it ${fruitlessRenewals} times (${reason})`,
        );
      }
      fruitlessRenewals += 1;
      log.info({ endpoint: error.endpoint, reason: error.difyMessage, epoch }, 'console session refused; renewing');
      await once(async () => {
        if (!(await refresh())) await login();
        renewedAtMs = Date.now();
      });
      return true;
    },
    settled(lease: SessionLease) {
      const left = (pending.get(lease.epoch) ?? 1) - 1;
      if (left > 0) pending.set(lease.epoch, left);
      else pending.delete(lease.epoch);
      for (const wake of settleWaiters) wake();
    },
    accepted(lease: SessionLease) {
      if (lease.epoch <= acceptedEpoch) return;
      acceptedEpoch = lease.epoch;
      fruitlessRenewals = 0;
    },
    secrets() {
      return [credentials.password, base64(credentials.password), accessToken, refreshToken, ...jar.values()].filter(
        (value): value is string => typeof value === 'string' && value !== '',
      );
    },
    async close() {
      // Off by default: `AccountService.logout` deletes the account's latest refresh token, which can be a person's
      // browser session on the same account; this client's own session simply expires.
      if (mode === 'none' || fatal || !deps.logoutOnClose) return;
      const headers = sessionHeaders();
      const url = `${deps.consoleUrl}/logout`;
      const old = mode === 'bearer' && !versionAtLeast(await deps.serverVersion(), '1.9.2');
      await deps.transport
        .send({
          method: old ? 'GET' : 'POST',
          url,
          endpoint: `${old ? 'GET' : 'POST'} /console/api/logout`,
          headers,
          ...(old ? {} : { json: {} }),
        })
        .catch(() => undefined);
      mode = 'none';
      jar.clear();
    },
  };
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function loginBody(credentials: ConsoleCredentials, encode: boolean) {
  return {
    email: credentials.email,
    password: encode ? base64(credentials.password) : credentials.password,
    remember_me: true,
  };
}

function isEncodingRejection(response: RawResponse): boolean {
  return response.status === 401 && /invalid encrypted data/i.test(response.text);
}

function isTokenPair(value: unknown): value is { access_token: string; refresh_token: string } {
  const pair = value as { access_token?: unknown; refresh_token?: unknown } | null;
  return (
    typeof pair === 'object' &&
    pair !== null &&
    typeof pair.access_token === 'string' &&
    typeof pair.refresh_token === 'string'
  );
}

function loginError(response: RawResponse): DifyAuthError {
  const http = toHttpError(LOGIN, response.status, response.headers, response.text);
  const reason = http.difyMessage ?? `HTTP ${response.status}`;
  if (response.status === 429) {
    return new DifyAuthError(
      LOGIN,
      'account_locked',
      `Dify locked this account after repeated failed logins (${reason}); wait for the lockout to expire`,
      http,
    );
  }
  if (response.status === 403)
    return new DifyAuthError(LOGIN, 'forbidden', `password login is not allowed here (${reason})`, http);
  return new DifyAuthError(
    LOGIN,
    'invalid_credentials',
    `login refused (${reason}); not retried, because Dify locks the account after 5 failures`,
    http,
  );
}
