import type { z } from 'zod';
import { DifyAuthError } from '../errors/auth-error.js';
import { DifyConfigError } from '../errors/config-error.js';
import type { Logger } from '../logging/logger.js';
import type { Authenticator, SessionLease } from './auth/types.js';
import { parseBody } from './schemas/parse.js';
import { toHttpError } from './transport/error-body.js';
import { assertOk, type QueryValue, type Transport } from './transport/http.js';
import type { ResolvedUrls } from './options.js';

export type Surface = 'service' | 'console';

/** Runs a task when the caller's concurrency allows (a `p-limit` limit function fits). */
export type RequestGate = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * How often one request may be sent again on a renewed console session before it gives up: only a backstop. With
 * many requests in flight and short-lived tokens, one request can lose the race for a fresh session many times in a
 * row while new requests keep coming; it wins once they stop. The session decides when renewing is hopeless.
 */
const MAX_RENEWALS_PER_REQUEST = 1_000;

export const ADMIN_KEY_NEEDS_1_11 = 'the admin key needs Dify >= 1.11; use a console login';

export interface CallSpec {
  surface: Surface;
  method?: 'GET' | 'POST';
  /** Path below the surface root, e.g. `/workflows/logs`. */
  path: string;
  query?: Record<string, QueryValue>;
  json?: unknown;
  /** Statuses answered with `null` instead of an error (e.g. 404 for a lost run). */
  nullOn?: number[];
  /** The caller's concurrency limit, held per attempt, never while a retry waits (a p-limit function fits). */
  gate?: RequestGate;
}

/** What the endpoint modules share: URLs, auth per surface, transport and the one request path with retries. */
export interface ClientContext {
  urls: ResolvedUrls;
  transport: Transport;
  logger: Logger;
  service: Authenticator | undefined;
  console: Authenticator | undefined;
  appId: string | undefined;
  serverVersion(): Promise<string | null>;
  call<S extends z.ZodType>(spec: CallSpec, schema: S): Promise<z.infer<S> | null>;
  require(surface: Surface, what: string): Authenticator;
}

export function createContext(parts: Omit<ClientContext, 'call' | 'require'>): ClientContext {
  const context: ClientContext = {
    ...parts,
    require(surface, what) {
      const auth = surface === 'service' ? context.service : context.console;
      if (auth) return auth;
      throw surface === 'service'
        ? new DifyConfigError('apiKey', `${what} needs a Service API key`)
        : new DifyConfigError(
            'console',
            `${what} needs console access (console email + password, or an admin key): ` +
              `the Service API has no such endpoint`,
          );
    },
    async call(spec, schema) {
      const auth = context.require(spec.surface, spec.path);
      const method = spec.method ?? 'GET';
      const prefix = spec.surface === 'service' ? '/v1' : '/console/api';
      const endpoint = `${method} ${prefix}${spec.path}`;
      const url = `${spec.surface === 'service' ? parts.urls.service : parts.urls.console}${spec.path}`;
      // The caller's gate (its own concurrency) is held for one attempt, renewals included, never while a retry waits.
      const attempt = async () => {
        for (let renewals = 0; ; renewals += 1) {
          let lease: SessionLease | undefined;
          try {
            const response = await parts.transport.send({
              method,
              url,
              endpoint,
              query: spec.query,
              json: spec.json,
              priority: renewals > 0,
              authorize: async () => (lease = await auth.headers()).headers,
            });
            if (response.status === 401 || response.status === 403) {
              const error = toHttpError(endpoint, response.status, response.headers, response.text);
              // Every request refused with a session that has since been (or is being) renewed is sent again; the
              // session itself decides when renewing is hopeless (it throws), so the bound here is only a backstop.
              if (
                response.status === 401 &&
                auth.kind === 'console-login' &&
                lease &&
                renewals < MAX_RENEWALS_PER_REQUEST
              ) {
                if (await auth.recover(error, lease)) continue;
              }
              if (auth.kind === 'admin-key' && response.status === 401 && /csrf/i.test(error.difyMessage ?? '')) {
                // Dify 1.9.2–1.10.x check CSRF after accepting the admin key; `check_csrf_token` skips it from 1.11.0.
                throw new DifyAuthError(endpoint, 'admin_key_unsupported', ADMIN_KEY_NEEDS_1_11, error);
              }
              const code =
                response.status === 403 ? 'forbidden' : renewals > 0 ? 'session_expired' : 'invalid_credentials';
              throw new DifyAuthError(
                endpoint,
                code,
                `HTTP ${response.status}: ${error.difyMessage ?? 'refused'}`,
                error,
              );
            }
            if (lease && response.status < 500) auth.accepted?.(lease);
            if (spec.nullOn?.includes(response.status)) return null;
            assertOk(endpoint, response);
            return parseBody(endpoint, schema, response.body);
          } finally {
            if (lease) auth.settled?.(lease);
          }
        }
      };
      return parts.transport.withRetry(endpoint, () => (spec.gate ? spec.gate(attempt) : attempt()));
    },
  };
  return context;
}
