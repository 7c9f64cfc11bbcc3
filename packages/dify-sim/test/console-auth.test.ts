import { describe, expect, it } from 'vitest';
import { base64, call, consoleGet, cookiesOf, login, postJson, sim } from './helpers.js';

describe('console login on 1.9.1 (tokens in the body, Bearer, body refresh)', () => {
  it('logs in with the plain password and authenticates with Bearer, no CSRF', async () => {
    const simulator = await sim({ version: '1.9.1' });
    const reply = await postJson(simulator, '/console/api/login', {
      email: simulator.account.email,
      password: simulator.account.password,
      remember_me: true,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.result).toBe('success');
    expect(reply.body.data.access_token.split('.')).toHaveLength(3);
    expect(reply.body.data.refresh_token).toMatch(/^[0-9a-f]{128}$/);
    expect(reply.headers.getSetCookie()).toEqual([]);
    const apps = await call(simulator, '/console/api/apps', {
      headers: { authorization: `Bearer ${reply.body.data.access_token}` },
    });
    expect(apps.status).toBe(200);
    expect(simulator.stats().logins).toBe(1);
    const base64Password = await postJson(simulator, '/console/api/login', {
      email: simulator.account.email,
      password: base64(simulator.account.password),
    });
    expect(base64Password.body).toEqual({
      code: 'authentication_failed',
      message: 'Invalid email or password.',
      status: 401,
    });
  });

  it('refreshes with the body refresh token and rotates it', async () => {
    const simulator = await sim({ version: '1.9.1' });
    const session = await login(simulator);
    simulator.expireAccessTokens();
    const expired = await consoleGet(simulator, session, '/apps');
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ code: 'unauthorized', message: 'Token has expired.', status: 401 });
    const refreshed = await postJson(simulator, '/console/api/refresh-token', {
      refresh_token: session.tokens!.refresh_token,
    });
    expect(refreshed.body.result).toBe('success');
    const again = await postJson(simulator, '/console/api/refresh-token', {
      refresh_token: session.tokens!.refresh_token,
    });
    expect(again.status).toBe(401);
    expect(again.body).toEqual({ result: 'fail', data: 'Invalid refresh token' });
    session.tokens = refreshed.body.data;
    expect((await consoleGet(simulator, session, '/apps')).status).toBe(200);
    expect(simulator.stats().refreshes).toBe(1);
  });

  it('logs out with GET and accepts the admin key (no CSRF before 1.9.2)', async () => {
    const simulator = await sim({ version: '1.9.1', adminApiKey: 'admin-key-1' });
    const session = await login(simulator);
    expect((await call(simulator, '/console/api/logout', { headers: session.headers() })).body).toEqual({
      result: 'success',
    });
    expect((await postJson(simulator, '/console/api/logout', {})).status).toBe(405);
    expect(
      (await postJson(simulator, '/console/api/refresh-token', { refresh_token: session.tokens!.refresh_token }))
        .status,
    ).toBe(401);
    const admin = await call(simulator, '/console/api/apps', {
      headers: { authorization: 'Bearer admin-key-1', 'x-workspace-id': simulator.workspaceId },
    });
    expect(admin.status).toBe(200);
  });

  it('answers a missing or malformed Authorization header', async () => {
    const simulator = await sim({ version: '1.9.1' });
    expect((await call(simulator, '/console/api/apps')).body.message).toBe('Invalid Authorization token.');
    expect(
      (await call(simulator, '/console/api/apps', { headers: { authorization: 'Token abc' } })).body.message,
    ).toMatch(/Invalid Authorization header format/);
    expect(
      (await call(simulator, '/console/api/apps', { headers: { authorization: 'Bearer nope' } })).body.message,
    ).toBe('Invalid token.');
  });
});

describe.each(['1.11.2', '1.13.3'] as const)('console login on %s (cookies, CSRF, Base64 password)', (version) => {
  it('sets HttpOnly access and refresh cookies and a readable CSRF cookie', async () => {
    const simulator = await sim({ version, accessTokenTtlSeconds: 1200 });
    const reply = await postJson(simulator, '/console/api/login', {
      email: simulator.account.email,
      password: base64(simulator.account.password),
      remember_me: true,
    });
    expect(reply.body).toEqual({ result: 'success' });
    const lines = reply.headers.getSetCookie();
    expect(lines).toHaveLength(3);
    const byName = Object.fromEntries(lines.map((line) => [line.split('=')[0], line]));
    expect(byName.access_token).toMatch(/; Max-Age=1200; HttpOnly; Path=\/; SameSite=Lax$/);
    expect(byName.refresh_token).toMatch(/^refresh_token=[0-9a-f]{128};.*Max-Age=2592000; HttpOnly/);
    expect(byName.csrf_token).toMatch(/Max-Age=1200; Path=\/; SameSite=Lax$/);
    expect(byName.csrf_token).not.toMatch(/HttpOnly/);
  });

  it('uses __Host- names (Secure) when asked, and reads them back by that name', async () => {
    const simulator = await sim({ version, hostPrefixCookies: true });
    const session = await login(simulator);
    expect([...session.jar.keys()].sort()).toEqual([
      '__Host-access_token',
      '__Host-csrf_token',
      '__Host-refresh_token',
    ]);
    expect(
      (
        await postJson(simulator, '/console/api/login', {
          email: simulator.account.email,
          password: base64(simulator.account.password),
        })
      ).headers.getSetCookie()[0],
    ).toMatch(/; Secure$/);
    expect((await consoleGet(simulator, session, '/apps')).status).toBe(200);
    const plainNames = {
      cookie: [...session.jar].map(([name, value]) => `${name.replace('__Host-', '')}=${value}`).join('; '),
      'x-csrf-token': session.headers()['x-csrf-token']!,
    };
    expect((await call(simulator, '/console/api/apps', { headers: plainNames })).status).toBe(401);
  });

  it('rejects a plain password as invalid encrypted data without counting a failure', async () => {
    const simulator = await sim({ version });
    const reply = await postJson(simulator, '/console/api/login', {
      email: simulator.account.email,
      password: simulator.account.password,
    });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ code: 'authentication_failed', message: 'Invalid encrypted data', status: 401 });
    expect(simulator.stats().failedLogins).toBe(0);
  });

  it('requires X-CSRF-Token equal to the CSRF cookie on every call, GET included', async () => {
    const simulator = await sim({ version });
    const session = await login(simulator);
    const headers = session.headers();
    const csrfError = { code: 'unauthorized', message: 'CSRF token is missing or invalid.', status: 401 };
    expect((await call(simulator, '/console/api/apps', { headers: { cookie: headers.cookie! } })).body).toEqual(
      csrfError,
    );
    expect(
      (await call(simulator, '/console/api/apps', { headers: { ...headers, 'x-csrf-token': 'x.y.z' } })).body,
    ).toEqual(csrfError);
    expect((await call(simulator, '/console/api/apps', { headers })).status).toBe(200);
    // Bearer fallback for the access token, CSRF still needed.
    const access = session.jar.get('access_token')!;
    const csrf = session.jar.get('csrf_token')!;
    expect(
      (await call(simulator, '/console/api/apps', { headers: { authorization: `Bearer ${access}` } })).body,
    ).toEqual(csrfError);
    const bearer = await call(simulator, '/console/api/apps', {
      headers: { authorization: `Bearer ${access}`, cookie: `csrf_token=${csrf}`, 'x-csrf-token': csrf },
    });
    expect(bearer.status).toBe(200);
  });

  it('refreshes from the refresh cookie, rotating it and reissuing access and CSRF cookies', async () => {
    const simulator = await sim({ version });
    const session = await login(simulator);
    simulator.expireAccessTokens();
    expect((await consoleGet(simulator, session, '/apps')).body.message).toBe('Token has expired.');
    const refreshed = await postJson(
      simulator,
      '/console/api/refresh-token',
      {},
      { cookie: session.headers().cookie! },
    );
    expect(refreshed.body).toEqual({ result: 'success' });
    const fresh = cookiesOf(refreshed.headers);
    expect([...fresh.keys()].sort()).toEqual(['access_token', 'csrf_token', 'refresh_token']);
    expect(fresh.get('csrf_token')).not.toBe(session.jar.get('csrf_token'));
    const replay = await postJson(simulator, '/console/api/refresh-token', {}, { cookie: session.headers().cookie! });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ result: 'fail', message: 'Invalid refresh token' });
    expect((await postJson(simulator, '/console/api/refresh-token', {})).body).toEqual({
      result: 'fail',
      message: 'No refresh token provided',
    });
    for (const [name, value] of fresh) session.jar.set(name, value);
    expect((await consoleGet(simulator, session, '/apps')).status).toBe(200);
    expect(simulator.stats()).toMatchObject({ logins: 1, refreshes: 1 });
  });

  it('logs out with POST, clearing the cookies and the refresh token', async () => {
    const simulator = await sim({ version });
    const session = await login(simulator);
    const reply = await postJson(simulator, '/console/api/logout', {}, { cookie: session.headers().cookie! });
    expect(reply.body).toEqual({ result: 'success' });
    expect(reply.headers.getSetCookie().every((line) => /Max-Age=0/.test(line))).toBe(true);
    expect(
      (await postJson(simulator, '/console/api/refresh-token', {}, { cookie: session.headers().cookie! })).status,
    ).toBe(401);
    expect((await call(simulator, '/console/api/logout')).status).toBe(405);
  });

  it('accepts the admin key with X-WORKSPACE-ID as the owner, without CSRF', async () => {
    const simulator = await sim({ version, adminApiKey: 'admin-key-1' });
    const ok = await call(simulator, '/console/api/apps', {
      headers: { authorization: 'Bearer admin-key-1', 'x-workspace-id': simulator.workspaceId },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.total).toBe(4);
    const wrongWorkspace = await call(simulator, '/console/api/apps', {
      headers: { authorization: 'Bearer admin-key-1', 'x-workspace-id': '00000000-0000-4000-8000-000000000000' },
    });
    expect(wrongWorkspace.status).toBe(401);
    expect(
      (await call(simulator, '/console/api/apps', { headers: { authorization: 'Bearer admin-key-1' } })).status,
    ).toBe(401);
    expect(simulator.stats().logins).toBe(0);
    const disabled = await sim({ version });
    expect(
      (
        await call(disabled, '/console/api/apps', {
          headers: { authorization: 'Bearer admin-key-1', 'x-workspace-id': disabled.workspaceId },
        })
      ).status,
    ).toBe(401);
  });
});

describe('login failures and lockout', () => {
  it.each(['1.9.1', '1.13.3'] as const)(
    'answers 401 for a wrong password and locks the account after more than 5 failures (%s)',
    async (version) => {
      const simulator = await sim({ version });
      const encode = (password: string) => (version === '1.9.1' ? password : base64(password));
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const reply = await postJson(simulator, '/console/api/login', {
          email: simulator.account.email,
          password: encode(`wrong-${attempt}`),
        });
        expect(reply.status).toBe(401);
        expect(reply.body).toEqual({
          code: 'authentication_failed',
          message: 'Invalid email or password.',
          status: 401,
        });
      }
      const locked = await postJson(simulator, '/console/api/login', {
        email: simulator.account.email,
        password: encode(simulator.account.password),
      });
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('email_code_login_limit');
      expect(simulator.stats()).toMatchObject({ failedLogins: 6, logins: 0 });
    },
  );

  it('resets the failure count on success, and refuses unknown e-mails and missing fields', async () => {
    const simulator = await sim({ version: '1.13.3' });
    for (let attempt = 0; attempt < 5; attempt += 1)
      await postJson(simulator, '/console/api/login', { email: simulator.account.email, password: base64('nope') });
    await login(simulator);
    for (let attempt = 0; attempt < 5; attempt += 1)
      await postJson(simulator, '/console/api/login', { email: simulator.account.email, password: base64('nope') });
    expect((await login(simulator)).jar.size).toBe(3);
    expect(
      (await postJson(simulator, '/console/api/login', { email: 'li.wei@example.com', password: base64('x') })).status,
    ).toBe(401);
    const missing = await postJson(simulator, '/console/api/login', { email: simulator.account.email });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('invalid_param');
  });

  it('uses the account given in the options', async () => {
    const simulator = await sim({
      version: '1.11.2',
      account: { email: 'me@corp.example', password: 'pässwörd 🔑', name: 'Me' },
    });
    expect(simulator.account).toEqual({ email: 'me@corp.example', password: 'pässwörd 🔑' });
    const session = await login(simulator);
    const profile = await consoleGet(simulator, session, '/account/profile');
    expect(profile.body).toMatchObject({ email: 'me@corp.example', name: 'Me' });
  });
});
