import { difyError, invalidParam } from '../errors.js';
import { headerValue, jsonResponse, type SimRequest, type SimResponse } from '../http.js';
import type { IssuedTokens } from '../sessions.js';
import type { Route, RouteContext } from './context.js';

const LOCKOUT_AFTER = 5;
const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

/**
 * Dify's `FieldEncryption.decrypt_field` (>= 1.11.2): Python's `base64.b64decode` (non-strict: characters outside the
 * alphabet are skipped, decoding stops at the padding that completes a quantum, a leftover of 1 or of 2–3 characters
 * without padding is an error; a non-ASCII string is an error) and a strict UTF-8 decode.
 */
export function decodePassword(text: string): string | undefined {
  if (!/^[\x00-\x7f]*$/.test(text)) return undefined;
  const bytes: number[] = [];
  let quadPos = 0;
  let left = 0;
  let pads = 0;
  let done = false;
  for (const char of text) {
    if (char === '=') {
      pads += 1;
      if (quadPos >= 2 && quadPos + pads >= 4) {
        done = true;
        break;
      }
      continue;
    }
    const value = ALPHABET.indexOf(char);
    if (value < 0) continue;
    pads = 0;
    if (quadPos === 0) left = value;
    else if (quadPos === 1) (bytes.push(((left << 2) | (value >> 4)) & 0xff), (left = value & 0x0f));
    else if (quadPos === 2) (bytes.push(((left << 4) | (value >> 2)) & 0xff), (left = value & 0x03));
    else bytes.push(((left << 6) | value) & 0xff);
    quadPos = (quadPos + 1) % 4;
  }
  if (!done && quadPos !== 0) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** `libs/helper.py::email`. */
const EMAIL = /^[\w.!#$%&'*+\-/=?^_`{|}~]+@([\w-]+\.)+[\w-]{2,}$/;

function cookie(context: RouteContext, name: string, value: string, maxAge: number, httpOnly: boolean): string {
  const expires = maxAge > 0 ? new Date(Date.now() + maxAge * 1000).toUTCString() : EPOCH;
  const secure = context.cookiePrefix === '__Host-' ? '; Secure' : '';
  return (
    `${context.cookiePrefix}${name}=${value}; Expires=${expires}; Max-Age=${maxAge}` +
    `${httpOnly ? '; HttpOnly' : ''}; Path=/; SameSite=Lax${secure}`
  );
}

function tokenCookies(context: RouteContext, tokens: IssuedTokens): string[] {
  return [
    cookie(context, 'access_token', tokens.accessToken, tokens.accessMaxAge, true),
    cookie(context, 'refresh_token', tokens.refreshToken, tokens.refreshMaxAge, true),
    cookie(context, 'csrf_token', tokens.csrfToken, tokens.accessMaxAge, false),
  ];
}

function clearedCookies(context: RouteContext): string[] {
  return [
    cookie(context, 'access_token', '', 0, true),
    cookie(context, 'refresh_token', '', 0, true),
    cookie(context, 'csrf_token', '', 0, false),
  ];
}

function tokenPair(tokens: IssuedTokens) {
  return { access_token: tokens.accessToken, refresh_token: tokens.refreshToken };
}

function login(request: SimRequest, context: RouteContext): SimResponse {
  const { personality, world, sessions, stats } = context;
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
    string,
    unknown
  >;
  // `@decrypt_password_field` runs before the payload is validated, and before anything counts a failure.
  if (personality.base64Password && body.password !== undefined) {
    const decoded = typeof body.password === 'string' ? decodePassword(body.password) : undefined;
    if (decoded === undefined) return difyError(401, 'authentication_failed', 'Invalid encrypted data');
    body.password = decoded;
  }
  for (const field of ['email', 'password']) {
    if (typeof body[field] !== 'string' || body[field] === '') {
      return invalidParam(personality, 'LoginPayload', {
        field,
        pydantic: `Field required [type=missing, input_value=${JSON.stringify(body)}, input_type=dict]`,
        restx: 'Missing required parameter in the JSON body or the post body or the query string',
      });
    }
  }
  if (!EMAIL.test(body.email as string)) {
    return invalidParam(personality, 'LoginPayload', {
      field: 'email',
      pydantic:
        `Value error, ${body.email as string} is not a valid email. ` +
        `[type=value_error, input_value=${JSON.stringify(body.email)}, input_type=str]`,
      restx: `${body.email as string} is not a valid email.`,
    });
  }
  const email = (body.email as string).trim().toLowerCase();
  const password = body.password as string;
  const failures = sessions.failures.get(email) ?? 0;
  if (failures > LOCKOUT_AFTER)
    return difyError(429, 'email_code_login_limit', 'Too many incorrect password attempts. Please try again later.');
  if (email !== world.owner.email.toLowerCase() || password !== world.password) {
    sessions.failures.set(email, failures + 1);
    stats.failedLogins += 1;
    return difyError(401, 'authentication_failed', 'Invalid email or password.');
  }
  sessions.failures.delete(email);
  stats.logins += 1;
  const tokens = sessions.issue(world.owner.id);
  if (personality.session === 'bearer') return jsonResponse(200, { result: 'success', data: tokenPair(tokens) });
  return jsonResponse(200, { result: 'success' }, { 'set-cookie': tokenCookies(context, tokens) });
}

function refresh(request: SimRequest, context: RouteContext): SimResponse {
  const { personality, sessions, stats } = context;
  if (personality.session === 'bearer') {
    const token = (request.body as { refresh_token?: unknown } | undefined)?.refresh_token;
    if (typeof token !== 'string' || token === '') {
      return invalidParam(personality, 'RefreshTokenPayload', {
        field: 'refresh_token',
        pydantic: 'Field required [type=missing, input_value={}, input_type=dict]',
        restx: 'Missing required parameter in the JSON body or the post body or the query string',
      });
    }
    const tokens = sessions.rotate(token);
    if (!tokens) return jsonResponse(401, { result: 'fail', data: 'Invalid refresh token' });
    stats.refreshes += 1;
    return jsonResponse(200, { result: 'success', data: tokenPair(tokens) });
  }
  const token = request.cookies.get(`${context.cookiePrefix}refresh_token`);
  if (!token) return jsonResponse(401, { result: 'fail', message: 'No refresh token provided' });
  const tokens = sessions.rotate(token);
  if (!tokens) return jsonResponse(401, { result: 'fail', message: 'Invalid refresh token' });
  stats.refreshes += 1;
  return jsonResponse(200, { result: 'success' }, { 'set-cookie': tokenCookies(context, tokens) });
}

/**
 * `AccountService.logout`: deletes the account's most recently issued refresh token, whichever session holds it
 * (a browser's, if someone logged in after this client); the caller's own refresh token is left alone.
 */
function logout(request: SimRequest, context: RouteContext): SimResponse {
  const { personality, sessions } = context;
  const cookieToken =
    personality.session === 'cookie' ? request.cookies.get(`${context.cookiePrefix}access_token`) : undefined;
  const header = headerValue(request.headers, 'authorization') ?? '';
  const check = sessions.checkAccess(cookieToken ?? header.replace(/^bearer\s+/i, ''));
  if (check.state === 'valid') sessions.revokeLatestRefresh(check.accountId);
  if (personality.session === 'bearer') return jsonResponse(200, { result: 'success' });
  return jsonResponse(200, { result: 'success' }, { 'set-cookie': clearedCookies(context) });
}

export function authRoutes(context: RouteContext): Route[] {
  return [
    { method: 'POST', pattern: /^\/console\/api\/login$/, key: 'POST /console/api/login', handle: login },
    {
      method: 'POST',
      pattern: /^\/console\/api\/refresh-token$/,
      key: 'POST /console/api/refresh-token',
      handle: refresh,
    },
    {
      method: context.personality.logoutMethod,
      pattern: /^\/console\/api\/logout$/,
      key: `${context.personality.logoutMethod} /console/api/logout`,
      handle: logout,
    },
  ];
}
