import type { DifyHttpError } from '../../errors/http-error.js';

/** Which HTTP surface of Dify a request goes to. */
export type ApiSurface = 'service' | 'console';

/** How one surface authenticates. */
export interface Authenticator {
  readonly kind: 'api-key' | 'console-login' | 'admin-key';
  /** Headers for the next request; may log in first. `epoch` identifies the session they belong to. */
  headers(): Promise<{ headers: Record<string, string>; epoch: number }>;
  /** Called once on a 401 from a request made with session `epoch`; true when a retry may now succeed. */
  recover(error: DifyHttpError, epoch: number): Promise<boolean>;
  /** Secret strings to scrub from anything this SDK writes. */
  secrets(): string[];
  close(): Promise<void>;
}

export function staticAuthenticator(kind: 'api-key' | 'admin-key', headers: Record<string, string>, secrets: string[]): Authenticator {
  return {
    kind,
    headers: async () => ({ headers, epoch: 0 }),
    recover: async () => false,
    secrets: () => secrets,
    close: async () => {},
  };
}
