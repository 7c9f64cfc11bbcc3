import { currentWorkspaceOf, type ConsoleUser, type RouteContext } from './context.js';
import { unauthorized } from '../errors.js';
import { headerValue, type SimRequest, type SimResponse } from '../http.js';

const BAD_HEADER = "Invalid Authorization header format. Expected 'Bearer <api-key>' format.";

function bearer(request: SimRequest): { token?: string; problem?: string } {
  const header = headerValue(request.headers, 'authorization');
  if (!header) return { problem: 'Invalid Authorization token.' };
  const separator = header.indexOf(' ');
  if (separator < 0) return { problem: BAD_HEADER };
  if (header.slice(0, separator).toLowerCase() !== 'bearer') return { problem: BAD_HEADER };
  return { token: header.slice(separator + 1).trim() };
}

/**
 * `@login_required` for the console: the admin key (with X-WORKSPACE-ID, no CSRF), else an access token
 * from the cookie or `Authorization: Bearer`, then on cookie releases the CSRF header, which must equal the cookie.
 */
export function authenticateConsole(request: SimRequest, context: RouteContext): ConsoleUser | SimResponse {
  const { personality, world, sessions, cookiePrefix } = context;
  const header = bearer(request);
  if (context.adminApiKey !== undefined && header.token === context.adminApiKey) {
    const workspaceId = headerValue(request.headers, 'x-workspace-id');
    if (workspaceId !== undefined) {
      const tenant = world.workspaces.find((candidate) => candidate.id === workspaceId.toLowerCase());
      if (!tenant) return unauthorized('Unauthorized.');
      // 1.9.2–1.10.x: `login_required` runs `check_csrf_token` for the admin key too (the bypass came in 1.11.0,
      // PR #29139).
      if (personality.adminKey === 'csrf-refused' && !csrfValid(request, context, world.owner.id))
        return unauthorized(CSRF_REFUSED);
      return { account: world.owner, tenantId: tenant.id };
    }
  }
  const cookieToken = personality.session === 'cookie' ? request.cookies.get(`${cookiePrefix}access_token`) : undefined;
  const token = cookieToken ?? header.token;
  if (token === undefined) return unauthorized(header.problem ?? 'Invalid Authorization token.');
  const check = sessions.checkAccess(token);
  if (check.state === 'expired') return unauthorized('Token has expired.');
  if (check.state !== 'valid') return unauthorized('Invalid token.');
  const account = world.accounts.find((candidate) => candidate.id === check.accountId);
  if (!account) return unauthorized('Unauthorized.');
  if (personality.session === 'cookie' && !csrfValid(request, context, account.id)) return unauthorized(CSRF_REFUSED);
  return { account, tenantId: currentWorkspaceOf(context, account.id) };
}

const CSRF_REFUSED = 'CSRF token is missing or invalid.';

/** `libs/token.py::check_csrf_token`: the header equals the cookie and is a live CSRF token of this account. */
function csrfValid(request: SimRequest, context: RouteContext, accountId: string): boolean {
  const csrfHeader = headerValue(request.headers, 'x-csrf-token');
  const csrfCookie = request.cookies.get(`${context.cookiePrefix}csrf_token`);
  return (
    csrfHeader !== undefined &&
    csrfHeader !== '' &&
    csrfHeader === csrfCookie &&
    context.sessions.checkCsrf(csrfHeader, accountId)
  );
}

export function isResponse(value: ConsoleUser | SimResponse): value is SimResponse {
  return 'status' in value && 'body' in value;
}
