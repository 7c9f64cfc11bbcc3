import { difyError, invalidParam } from '../errors.js';
import { headerValue, jsonResponse, type SimRequest, type SimResponse } from '../http.js';
import type { IssuedTokens } from '../sessions.js';
import type { Route, RouteContext } from './context.js';

const LOCKOUT_AFTER = 5;
const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

/** Python's lenient `base64.b64decode` + UTF-8 decode, as Dify >= 1.11 applies to the login password. */
export function decodePassword(text: string): string | undefined {
  const cleaned = text.replace(/[^A-Za-z0-9+/=]/g, '');
  const data = cleaned.replace(/=+$/, '');
  if (data.includes('=') || data.length % 4 === 1 || cleaned.length % 4 !== 0) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(data, 'base64'));
  } catch {
    return undefined;
  }
}

function cookie(context: RouteContext, name: string, value: string, maxAge: number, httpOnly: boolean): string {
  const expires = maxAge > 0 ? new Date(Date.now() + maxAge * 1000).toUTCString() : EPOCH;
  const secure = context.cookiePrefix === '__Host-' ? '; Secure' : '';
  return `${context.cookiePrefix}${name}=${value}; Expires=${expires}; Max-Age=${maxAge}${httpOnly ? '; HttpOnly' : ''}; Path=/; SameSite=Lax${secure}`;
}

function tokenCookies(context: RouteContext, tokens: IssuedTokens): string[] {
  return [
    cookie(context, 'access_token', tokens.accessToken, tokens.accessMaxAge, true),
    cookie(context, 'refresh_token', tokens.refreshToken, tokens.refreshMaxAge, true),
    cookie(context, 'csrf_token', tokens.csrfToken, tokens.accessMaxAge, false),
  ];
}

function clearedCookies(context: RouteContext): string[] {
  return [cookie(context, 'access_token', '', 0, true), cookie(context, 'refresh_token', '', 0, true), cookie(context, 'csrf_token', '', 0, false)];
}

function tokenPair(tokens: IssuedTokens) {
  return { access_token: tokens.accessToken, refresh_token: tokens.refreshToken };
}

function login(request: SimRequest, context: RouteContext): SimResponse {
  const { personality, world, sessions, stats } = context;
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
  for (const field of ['email', 'password']) {
    if (typeof body[field] !== 'string' || body[field] === '') {
      return invalidParam(personality, 'LoginPayload', {
        field,
        pydantic: `Field required [type=missing, input_value=${JSON.stringify(body)}, input_type=dict]`,
        restx: 'Missing required parameter in the JSON body or the post body or the query string',
      });
    }
  }
  const email = (body.email as string).trim().toLowerCase();
  let password = body.password as string;
  if (personality.base64Password) {
    const decoded = decodePassword(password);
    if (decoded === undefined) return difyError(401, 'authentication_failed', 'Invalid encrypted data');
    password = decoded;
  }
  const failures = sessions.failures.get(email) ?? 0;
  if (failures > LOCKOUT_AFTER) return difyError(429, 'email_code_login_limit', 'Too many incorrect password attempts. Please try again later.');
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

function logout(request: SimRequest, context: RouteContext): SimResponse {
  const { personality, sessions } = context;
  if (personality.session === 'bearer') {
    const header = headerValue(request.headers, 'authorization') ?? '';
    const check = sessions.checkAccess(header.replace(/^bearer\s+/i, ''));
    if (check.state === 'valid') sessions.revokeAccountRefresh(check.accountId);
    return jsonResponse(200, { result: 'success' });
  }
  const token = request.cookies.get(`${context.cookiePrefix}refresh_token`);
  if (token) sessions.revokeRefresh(token);
  return jsonResponse(200, { result: 'success' }, { 'set-cookie': clearedCookies(context) });
}

export function authRoutes(context: RouteContext): Route[] {
  return [
    { method: 'POST', pattern: /^\/console\/api\/login$/, key: 'POST /console/api/login', handle: login },
    { method: 'POST', pattern: /^\/console\/api\/refresh-token$/, key: 'POST /console/api/refresh-token', handle: refresh },
    { method: context.personality.logoutMethod, pattern: /^\/console\/api\/logout$/, key: `${context.personality.logoutMethod} /console/api/logout`, handle: logout },
  ];
}
