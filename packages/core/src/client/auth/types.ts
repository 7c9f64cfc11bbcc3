import type { DifyHttpError } from '../../errors/http-error.js';

/** Which HTTP surface of Dify a request goes to. */
export type ApiSurface = 'service' | 'console';

/** The credentials one request is sent with: `epoch` names the session they belong to. */
export interface SessionLease {
  headers: Record<string, string>;
  epoch: number;
  /** True for the first request sent with this session. */
  first: boolean;
}

/** How one surface authenticates. */
export interface Authenticator {
  readonly kind: 'api-key' | 'console-login' | 'admin-key';
  /** Headers for the next request; may log in (or wait for a renewal under way) first. */
  headers(): Promise<SessionLease>;
  /**
   * Called on a 401 from a request sent with `lease`; true when a retry may now succeed, throws when the session is
   * dead.
   */
  recover(error: DifyHttpError, lease: SessionLease): Promise<boolean>;
  /** A request sent with `lease` was accepted. */
  accepted?(lease: SessionLease): void;
  /** A request sent with `lease` is over, whatever its outcome (after `accepted` or `recover`). */
  settled?(lease: SessionLease): void;
  /** Secret strings to scrub from anything this SDK writes. */
  secrets(): string[];
  close(): Promise<void>;
}

export function staticAuthenticator(
  kind: 'api-key' | 'admin-key',
  headers: Record<string, string>,
  secrets: string[],
): Authenticator {
  return {
    kind,
    headers: async () => ({ headers, epoch: 0, first: false }),
    recover: async () => false,
    secrets: () => secrets,
    close: async () => {},
  };
}
