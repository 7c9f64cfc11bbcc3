import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createDifyClient } from '../../src/index.js';
import { walkLogWindow } from '../../src/export/log-window.js';
import { consoleClient, exportRuns, keyClient, quickRetry, sim, workflowApp } from './helpers.js';

const ACCOUNT = { email: 'ops@example.com', name: 'Ops' };

describe('password encoding: Base64 from Dify 1.11.2, not 1.11.0', () => {
  it.each(['1.10.1', '1.11.0', '1.11.1', '1.11.2'] as const)(
    'logs in to %s (version probed) without a single failed login',
    async (version) => {
      const simulator = await sim({ version });
      const client = consoleClient(simulator, { appId: workflowApp(simulator).id });
      await client.logPage({ limit: 1 });
      expect(simulator.stats()).toMatchObject({ logins: 1, failedLogins: 0 });
    },
  );

  // "Zm9vYmFy" is valid Base64 ("foobar"): sent plain to a Base64 release it is a wrong password that counts.
  it.each(['1.11.1', '1.11.2', '1.13.3'] as const)(
    'an unknown release (%s) with a password Dify could decode: asked first, never a failed login',
    async (version) => {
      const simulator = await sim({ version, account: { ...ACCOUNT, password: 'Zm9vYmFy' } });
      for (let run = 0; run < 3; run += 1) {
        const client = consoleClient(simulator, { serverVersion: 'unknown', appId: workflowApp(simulator).id });
        await client.logPage({ limit: 1 });
      }
      expect(simulator.stats()).toMatchObject({ logins: 3, failedLogins: 0 });
    },
  );

  it.each(['1.11.1', '1.13.3'] as const)(
    'an unknown release (%s) with a password Dify cannot decode: plain first, Base64 only on the encoding refusal',
    async (version) => {
      const simulator = await sim({ version });
      const client = consoleClient(simulator, { serverVersion: 'unknown', appId: workflowApp(simulator).id });
      await client.logPage({ limit: 1 });
      expect(simulator.stats()).toMatchObject({ logins: 1, failedLogins: 0 });
      expect(simulator.stats().byRoute['POST /console/api/login']).toBe(version === '1.13.3' ? 2 : 1);
    },
  );

  it('a wrong password on an unknown release is one failed login, not two', async () => {
    const simulator = await sim({ version: '1.11.1' });
    const client = createDifyClient({
      baseUrl: simulator.url,
      console: { email: simulator.account.email, password: 'Zm9vYmFy' },
      serverVersion: 'unknown',
      appId: workflowApp(simulator).id,
      retry: quickRetry,
    });
    await expect(client.logPage({ limit: 1 })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(simulator.stats().failedLogins).toBe(1);
  });
});

describe('admin key: refused by CSRF on Dify 1.9.2–1.10.x, accepted on 1.9.1 and from 1.11.0', () => {
  const adminClient = (simulator: Awaited<ReturnType<typeof sim>>) =>
    createDifyClient({
      baseUrl: simulator.url,
      admin: { apiKey: 'admin-secret-key', workspaceId: simulator.workspaceId },
      appId: workflowApp(simulator).id,
      retry: quickRetry,
    });

  it(
    '1.10.1: the client and the probe say the admin key ' + 'needs 1.11, once, instead of invalid credentials',
    async () => {
      const simulator = await sim({ version: '1.10.1', adminApiKey: 'admin-secret-key' });
      const client = adminClient(simulator);
      const error = await client
        .nodeExecutions('00000000-0000-4000-8000-000000000000')
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: 'admin_key_unsupported',
        message: expect.stringMatching(/the admin key needs Dify >= 1\.11; use a console login$/),
      });
      const probe = await client.probe();
      expect(probe.problems.filter((problem) => problem.code === 'admin_key_unsupported')).toHaveLength(1);
      expect(probe.problems.some((problem) => problem.code === 'invalid_credentials')).toBe(false);
    },
  );

  it.each(['1.9.1', '1.11.0'] as const)('%s: the admin key reaches node executions', async (version) => {
    const simulator = await sim({ version, adminApiKey: 'admin-secret-key' });
    const probe = await adminClient(simulator).probe();
    expect(probe.problems).toEqual([]);
    expect(probe.tiers.nodeExecutions).toBe(true);
  });
});

describe('console status filter: running, scheduled and paused only from Dify 1.11', () => {
  it('1.10.1: the client filters running itself (Dify answers 400) and pages by what Dify returned', async () => {
    const simulator = await sim({ version: '1.10.1', runsPerApp: 60 });
    const client = consoleClient(simulator, { appId: workflowApp(simulator).id });
    const page = await client.logPage({ status: 'running', limit: 20 });
    expect(page.data.every((item) => item.workflow_run?.status === 'running')).toBe(true);
    expect(page.scanned?.items).toBe(20);
    // A walk reads every page Dify has, although the filtered pages are empty (1.10 lists running runs only once
    // ended).
    simulator.resetStats();
    const running: string[] = [];
    for await (const item of walkLogWindow(client, { status: 'running', limit: 20 })) running.push(item.id);
    expect(running).toEqual([]);
    expect(simulator.stats().byRoute['GET /console/api/apps/:appId/workflow-app-logs']).toBeGreaterThanOrEqual(3);
  });

  it('an unnamed release that refuses the status (400): matched on the client instead', async () => {
    const simulator = await sim({ version: '1.10.1' });
    const client = consoleClient(simulator, { appId: workflowApp(simulator).id, serverVersion: 'unknown' });
    const page = await client.logPage({ status: 'paused', limit: 20 });
    expect(page.scanned?.items).toBe(20);
    expect(page.data).toEqual([]);
  });

  it('1.11.0: running is sent to Dify', async () => {
    const simulator = await sim({ version: '1.11.0' });
    const client = consoleClient(simulator, { appId: workflowApp(simulator).id });
    const page = await client.logPage({ status: 'running', limit: 20 });
    expect(page.scanned).toBeUndefined();
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data.every((item) => item.workflow_run?.status === 'running')).toBe(true);
  });
});

describe('keyword plus end-user session: never both to Dify (end_users joined twice: 500)', () => {
  it.each(['1.9.1', '1.13.3'] as const)(
    '%s: the keyword goes to Dify, the session is matched here, no 500 and no retry',
    async (version) => {
      const simulator = await sim({ version });
      const client = keyClient(simulator);
      const sessions = new Set<string>();
      for await (const item of walkLogWindow(client, { limit: 100 }))
        if (item.created_by_end_user?.session_id) sessions.add(item.created_by_end_user.session_id);
      const session = [...sessions][0]!;
      const ids = async (query: Parameters<typeof walkLogWindow>[1]) => {
        const found: string[] = [];
        for await (const item of walkLogWindow(client, {
          limit: 50,
          now: () => new Date('2026-03-10T12:00:00Z'),
          ...query,
        }))
          found.push(item.id);
        return found.sort();
      };
      const bySession = await ids({ endUserSessionId: session });
      const byKeyword = new Set(await ids({ keyword: 'a' }));
      const both = await ids({ keyword: 'a', endUserSessionId: session });
      expect(both.length).toBeGreaterThan(0);
      expect(both).toEqual(bySession.filter((id) => byKeyword.has(id)));
      expect(client.stats().retries).toBe(0);
    },
  );
});

describe('a server error on the logs endpoint', () => {
  it('names the endpoint and the filters it was asked with', async () => {
    const simulator = await sim({ version: '1.13.3' });
    simulator.setFaults({ rate5xx: 1, paths: 'workflows/logs' });
    const client = keyClient(simulator, { retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });
    const error = await client.logPage({ keyword: 'refund', status: 'failed' }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(
      /^GET \/v1\/workflows\/logs answered HTTP 500 .*\(filters: keyword="refund", status="failed"\)/,
    );
  });
});

describe("logout deletes the account's latest refresh token (AccountService.logout)", () => {
  async function browserLogin(simulator: Awaited<ReturnType<typeof sim>>) {
    const response = await fetch(`${simulator.url}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: simulator.account.email,
        password: Buffer.from(simulator.account.password).toString('base64'),
      }),
    });
    return response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
  }
  const refresh = (simulator: Awaited<ReturnType<typeof sim>>, cookie: string) =>
    fetch(`${simulator.url}/console/api/refresh-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: '{}',
    }).then((response) => response.status);

  it('by default the client does not log out, so a browser session opened meanwhile survives', async () => {
    const simulator = await sim({ version: '1.13.3' });
    const client = consoleClient(simulator, { appId: workflowApp(simulator).id });
    await client.logPage({ limit: 1 });
    const browser = await browserLogin(simulator);
    await client.close();
    expect(simulator.stats().byRoute['POST /console/api/logout']).toBeUndefined();
    expect(await refresh(simulator, browser)).toBe(200);
  });

  it('with logoutOnClose it logs out, and Dify revokes whichever session logged in last', async () => {
    const simulator = await sim({ version: '1.13.3' });
    const client = consoleClient(simulator, {
      appId: workflowApp(simulator).id,
      console: { ...simulator.account, logoutOnClose: true },
    });
    await client.logPage({ limit: 1 });
    const browser = await browserLogin(simulator);
    await client.close();
    expect(simulator.stats().byRoute['POST /console/api/logout']).toBe(1);
    expect(await refresh(simulator, browser)).toBe(401);
  });
});

describe('separate hosts: Dify sets SERVICE_API_URL and CONSOLE_API_URL apart', () => {
  /** A proxy serving the simulator's console under `/prefix`, counting what it forwards. */
  async function consoleProxy(target: string) {
    const seen: string[] = [];
    const server = createServer(async (request, response) => {
      const path = request.url!.replace(/^\/prefix/, '');
      seen.push(`${request.method} ${path.split('?')[0]}`);
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'content-length'),
      ) as Record<string, string>;
      const upstream = await fetch(`${target}${path}`, {
        method: request.method,
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const out: Record<string, string | string[]> = {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      };
      const cookies = upstream.headers.getSetCookie();
      if (cookies.length) out['set-cookie'] = cookies;
      response.writeHead(upstream.status, out);
      response.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`,
      seen,
      close: () => new Promise((resolve) => server.close(resolve)),
    };
  }

  it(
    'reads logs from the Service API host and node executions ' + 'from the console host, and the probe names both',
    async () => {
      const simulator = await sim({ version: '1.13.3' });
      const proxy = await consoleProxy(simulator.url);
      try {
        const app = workflowApp(simulator);
        const client = createDifyClient({
          baseUrl: 'http://127.0.0.1:9', // the web root: nothing listens there, and nothing is asked of it
          serviceApiUrl: `${simulator.url}/v1`,
          consoleApiUrl: proxy.url,
          apiKey: app.apiKey,
          appId: app.id,
          console: { ...simulator.account },
          retry: quickRetry,
        });
        const records: unknown[] = [];
        for await (const record of exportRuns(client, { withNodeExecutions: true, maxPages: 1, limit: 5 }))
          records.push(record);
        expect(records).toHaveLength(5);
        expect(proxy.seen.some((line) => line.startsWith('GET /console/api/apps/'))).toBe(true);
        expect(proxy.seen.every((line) => line.includes('/console/api/'))).toBe(true);
        const probe = await client.probe();
        expect(probe).toMatchObject({
          baseUrl: 'http://127.0.0.1:9',
          serviceApiUrl: `${simulator.url}/v1`,
          consoleApiUrl: `${proxy.url}/console/api`,
          level: 'node',
        });
      } finally {
        await proxy.close();
      }
    },
  );

  it('refuses an override that is not an http(s) URL, naming it', () => {
    expect(() =>
      createDifyClient({ baseUrl: 'https://dify.example.com', serviceApiUrl: 'ftp://x', apiKey: 'app-1' }),
    ).toThrow(/serviceApiUrl/);
  });
});

describe('a page filtered on the client', () => {
  it('still reports a row the parser had to leave out', async () => {
    const simulator = await sim({ version: '1.13.3' });
    const app = workflowApp(simulator);
    let broken = false;
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const response = await globalThis.fetch(input, init);
      if (broken || !String(input instanceof Request ? input.url : input).includes('/workflows/logs') || !response.ok)
        return response;
      const body = (await response.json()) as { data: Array<Record<string, unknown>> };
      broken = true;
      body.data[0]!.id = 12345;
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const client = createDifyClient({
      baseUrl: simulator.url,
      apiKey: app.apiKey,
      appId: app.id,
      retry: quickRetry,
      fetch,
    });
    const dropped: unknown[] = [];
    const records = [];
    for await (const record of exportRuns(client, {
      keyword: 'a',
      endUserSessionId: 'no-such-session',
      onDroppedRow: (row) => dropped.push(row),
      maxPages: 1,
    }))
      records.push(record);
    expect(records).toEqual([]);
    expect(dropped).toHaveLength(1);
  });
});
