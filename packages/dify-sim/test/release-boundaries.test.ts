import { describe, expect, it } from 'vitest';
import { base64, call, consoleGet, cookiesOf, login, postJson, service, sim, workflowApp } from './helpers.js';

// Each boundary as Dify's source draws it (see docs/dify-compatibility.md for the files and lines).

describe('password encoding: plain on 1.11.0 and 1.11.1, Base64 from 1.11.2 (PR #29659)', () => {
  it.each(['1.10.1', '1.11.0', '1.11.1'] as const)(
    '%s compares the password as sent: a Base64 password is a failed login that counts',
    async (version) => {
      const simulator = await sim({ version });
      const encoded = await postJson(simulator, '/console/api/login', {
        email: simulator.account.email,
        password: base64(simulator.account.password),
      });
      expect(encoded.body).toEqual({
        code: 'authentication_failed',
        message: 'Invalid email or password.',
        status: 401,
      });
      expect(simulator.stats().failedLogins).toBe(1);
      const plain = await postJson(simulator, '/console/api/login', {
        email: simulator.account.email,
        password: simulator.account.password,
      });
      expect(plain.body).toEqual({ result: 'success' });
    },
  );

  it(
    '1.11.2 decodes the way Python does: a plain password that ' +
      'happens to be valid Base64 is a wrong password that counts',
    async () => {
      // "dify1234" is 8 Base64 characters that decode to bytes... which are not UTF-8: refused before the password
      // check.
      const refused = await sim({ version: '1.11.2', account: { email: 'ops@example.com', password: 'dify1234' } });
      expect(
        (await postJson(refused, '/console/api/login', { email: 'ops@example.com', password: 'dify1234' })).body
          .message,
      ).toBe('Invalid encrypted data');
      expect(refused.stats().failedLogins).toBe(0);
      // "Zm9vYmFy" decodes to "foobar": Dify compares "foobar" with the password and counts the failure.
      const simulator = await sim({ version: '1.11.2', account: { email: 'ops@example.com', password: 'Zm9vYmFy' } });
      expect(
        (await postJson(simulator, '/console/api/login', { email: 'ops@example.com', password: 'Zm9vYmFy' })).body
          .message,
      ).toBe('Invalid email or password.');
      expect(simulator.stats().failedLogins).toBe(1);
      expect(
        (await postJson(simulator, '/console/api/login', { email: 'ops@example.com', password: base64('Zm9vYmFy') }))
          .body,
      ).toEqual({ result: 'success' });
    },
  );

  it(
    'decodes the password before validating the payload: ' + 'an invalid e-mail tells the two apart, counting nothing',
    async () => {
      for (const [version, status] of [
        ['1.9.1', 400],
        ['1.10.1', 400],
        ['1.11.1', 400],
        ['1.11.2', 401],
        ['1.13.3', 401],
      ] as const) {
        const simulator = await sim({ version });
        const reply = await postJson(simulator, '/console/api/login', { email: 'not-an-email', password: 'a' });
        expect([version, reply.status]).toEqual([version, status]);
        if (status === 401) expect(reply.body.message).toBe('Invalid encrypted data');
        expect(simulator.stats().failedLogins).toBe(0);
      }
    },
  );
});

describe('admin key and CSRF (check_csrf_token skips the admin key from 1.11.0, PR #29139)', () => {
  it('1.10.1 authenticates the admin key but refuses every console call for CSRF', async () => {
    const simulator = await sim({ version: '1.10.1', adminApiKey: 'admin-key-1' });
    const reply = await call(simulator, '/console/api/apps', {
      headers: { authorization: 'Bearer admin-key-1', 'x-workspace-id': simulator.workspaceId },
    });
    expect(reply.body).toEqual({ code: 'unauthorized', message: 'CSRF token is missing or invalid.', status: 401 });
  });

  it.each(['1.9.1', '1.11.0', '1.11.1'] as const)('%s accepts the admin key without CSRF', async (version) => {
    const simulator = await sim({ version, adminApiKey: 'admin-key-1' });
    const reply = await call(simulator, '/console/api/apps', {
      headers: { authorization: 'Bearer admin-key-1', 'x-workspace-id': simulator.workspaceId },
    });
    expect(reply.status).toBe(200);
  });
});

describe('console status filter: four values up to 1.10.x, every status from 1.11.0', () => {
  it.each([
    ['1.10.1', 400],
    ['1.11.0', 200],
  ] as const)('%s answers status=running with %i', async (version, status) => {
    const simulator = await sim({ version });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    expect((await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=running`)).status).toBe(
      status,
    );
    expect(
      (await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=partial-succeeded`)).status,
    ).toBe(200);
  });
});

describe('keyword plus end-user session: end_users joined twice, PostgreSQL refuses it', () => {
  it.each(['1.9.1', '1.11.1', '1.13.3'] as const)('%s answers 500 on both surfaces, every time', async (version) => {
    const simulator = await sim({ version });
    const query = 'keyword=a&created_by_end_user_session_id=someone';
    const body = { message: 'Internal Server Error', code: 'unknown', status: 500 };
    expect((await service(simulator, `/workflows/logs?${query}`)).body).toEqual(body);
    expect((await service(simulator, `/workflows/logs?${query}`)).body).toEqual(body);
    const session = await login(simulator);
    expect(
      (await consoleGet(simulator, session, `/apps/${workflowApp(simulator).id}/workflow-app-logs?${query}`)).body,
    ).toEqual(body);
    expect((await service(simulator, '/workflows/logs?keyword=a')).status).toBe(200);
    expect((await service(simulator, '/workflows/logs?created_by_end_user_session_id=someone')).status).toBe(200);
  });
});

describe("logout deletes the account's latest refresh token (AccountService.logout)", () => {
  it("revokes a browser session that logged in later, and leaves the caller's own refresh token working", async () => {
    const simulator = await sim({ version: '1.13.3' });
    const ours = await login(simulator);
    const browser = await login(simulator);
    const logout = await postJson(simulator, '/console/api/logout', {}, { cookie: ours.headers().cookie! });
    expect(logout.body).toEqual({ result: 'success' });
    const refreshBrowser = await postJson(
      simulator,
      '/console/api/refresh-token',
      {},
      { cookie: browser.headers().cookie! },
    );
    expect(refreshBrowser.body).toEqual({ result: 'fail', message: 'Invalid refresh token' });
    const refreshOurs = await postJson(simulator, '/console/api/refresh-token', {}, { cookie: ours.headers().cookie! });
    expect(refreshOurs.body).toEqual({ result: 'success' });
    expect(cookiesOf(refreshOurs.headers).has('access_token')).toBe(true);
  });

  it('does the same with body tokens on 1.9.1', async () => {
    const simulator = await sim({ version: '1.9.1' });
    const ours = await login(simulator);
    const browser = await login(simulator);
    await call(simulator, '/console/api/logout', { headers: ours.headers() });
    expect(
      (await postJson(simulator, '/console/api/refresh-token', { refresh_token: browser.tokens!.refresh_token }))
        .status,
    ).toBe(401);
    expect(
      (await postJson(simulator, '/console/api/refresh-token', { refresh_token: ours.tokens!.refresh_token })).status,
    ).toBe(200);
  });
});
