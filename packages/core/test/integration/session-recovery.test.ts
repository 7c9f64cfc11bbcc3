import { describe, expect, it } from 'vitest';
import { DifyAuthError, createDifyClient } from '../../src/index.js';
import { quickRetry, sim, workflowApp } from './helpers.js';

/** A fetch that alters requests on their way to the (real) simulator, to provoke one server-side refusal. */
function tamperingFetch(tamper: (url: string, headers: Headers) => Response | undefined) {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    const early = tamper(request.url, headers);
    if (early) return early;
    return fetch(new Request(request, { headers }));
  };
}

describe('console session recovery', () => {
  it('renews the session after a CSRF refusal and repeats the request once', async () => {
    const simulator = await sim({ version: '1.13.3' });
    let corrupted = 0;
    const fetch = tamperingFetch((url, headers) => {
      if (url.includes('/workflow-app-logs') && corrupted === 0) {
        corrupted += 1;
        headers.set('x-csrf-token', 'not-the-cookie-value');
      }
      return undefined;
    });
    const client = createDifyClient({
      baseUrl: simulator.url,
      console: { ...simulator.account },
      appId: workflowApp(simulator).id,
      retry: quickRetry,
      fetch,
    });
    const page = await client.logPage({ limit: 3 });
    expect(page.data).toHaveLength(3);
    expect(corrupted).toBe(1);
    expect(simulator.stats()).toMatchObject({ logins: 1, refreshes: 1 });
  });

  it('logs in again when the refresh is refused (as on Dify 1.9.2 with __Host- cookies)', async () => {
    const simulator = await sim({ version: '1.13.3', hostPrefixCookies: true });
    const fetch = tamperingFetch((url) =>
      url.endsWith('/refresh-token')
        ? Response.json({ result: 'fail', message: 'Invalid refresh token' }, { status: 401 })
        : undefined,
    );
    const client = createDifyClient({
      baseUrl: simulator.url,
      console: { ...simulator.account },
      appId: workflowApp(simulator).id,
      retry: quickRetry,
      fetch,
    });
    await client.logPage({ limit: 1 });
    simulator.expireAccessTokens();
    const page = await client.logPage({ limit: 1 });
    expect(page.data).toHaveLength(1);
    expect(simulator.stats()).toMatchObject({ logins: 2, failedLogins: 0 });
  });

  it('gives up with session_expired instead of looping when every renewed session is refused', async () => {
    const simulator = await sim({ version: '1.11.2' });
    const fetch = tamperingFetch((url, headers) => {
      if (url.includes('/workflow-app-logs')) headers.set('x-csrf-token', 'always-wrong');
      return undefined;
    });
    const client = createDifyClient({
      baseUrl: simulator.url,
      console: { ...simulator.account },
      appId: workflowApp(simulator).id,
      retry: quickRetry,
      fetch,
    });
    const logRequests = () => simulator.stats().byRoute['GET /console/api/apps/:appId/workflow-app-logs'] ?? 0;
    const made: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const before = logRequests();
      const error = await client.logPage({ limit: 1 }).catch((caught: unknown) => caught);
      made.push(logRequests() - before);
      expect(DifyAuthError.isInstance(error)).toBe(true);
      expect((error as DifyAuthError).code).toBe('session_expired');
    }
    // The first call renews once; the renewed session refused on its first request is dead, and later calls fail at
    // once.
    expect(made).toEqual([2, 0, 0, 0]);
    const stats = simulator.stats();
    expect(stats.logins + stats.refreshes).toBe(2);
    expect(stats.failedLogins).toBe(0);
  });
});
