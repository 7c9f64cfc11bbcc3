import { describe, expect, it } from 'vitest';
import { call, chatflowApp, keyHeaders, PERSONALITIES, service, sim, workflowApp } from './helpers.js';

describe('Service API authentication', () => {
  it('answers GET /v1/ without auth and with the release', async () => {
    for (const version of PERSONALITIES) {
      const simulator = await sim({ version });
      const reply = await call(simulator, '/v1/');
      expect(reply.body).toEqual({ welcome: 'Dify OpenAPI', api_version: 'v1', server_version: version });
    }
  });

  it('refuses missing, malformed, wrong-scheme and unknown keys with Dify messages and WWW-Authenticate', async () => {
    const simulator = await sim();
    const cases: Array<[Record<string, string>, string]> = [
      [{}, "Authorization header must be provided and start with 'Bearer'"],
      [{ authorization: 'Bearer' }, "Authorization header must be provided and start with 'Bearer'"],
      [{ authorization: 'Basic abc' }, "Authorization scheme must be 'Bearer'"],
      [{ authorization: 'Bearer app-nope' }, 'Access token is invalid'],
    ];
    for (const [headers, message] of cases) {
      const reply = await call(simulator, '/v1/workflows/logs', { headers });
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ code: 'unauthorized', message, status: 401 });
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    }
    const lower = await call(simulator, '/v1/info', {
      headers: { authorization: `bearer ${workflowApp(simulator).apiKey}` },
    });
    expect(lower.status).toBe(200);
  });

  it('revokes one app key without touching the others', async () => {
    const simulator = await sim();
    const [first, second] = simulator.apps;
    simulator.revokeApiKey(first!.id);
    expect((await service(simulator, '/workflows/logs', first!.apiKey)).body.message).toBe('Access token is invalid');
    expect((await service(simulator, '/workflows/logs', second!.apiKey)).status).toBe(200);
  });

  it('describes the app (info, parameters)', async () => {
    const simulator = await sim();
    const info = await service(simulator, '/info');
    expect(info.body).toMatchObject({ name: 'Ticket Triage', mode: 'workflow', tags: ['support', 'prod'] });
    const parameters = await service(simulator, '/parameters');
    expect(parameters.body.user_input_form[0].paragraph.variable).toBe('ticket_text');
    expect(parameters.body.system_parameters.file_size_limit).toBe(15);
  });

  it('answers unknown routes with not_found', async () => {
    const simulator = await sim();
    const reply = await call(simulator, '/v1/nothing-here');
    expect(reply.status).toBe(404);
    expect(reply.body.code).toBe('not_found');
  });
});

describe('GET /v1/workflows/logs', () => {
  it('pages newest first with total and has_more = total > page*limit', async () => {
    const simulator = await sim({ runsPerApp: 45, runningRuns: 0 });
    const first = await service(simulator, '/workflows/logs?limit=20');
    expect(first.body).toMatchObject({ page: 1, limit: 20, total: 45, has_more: true });
    const last = await service(simulator, '/workflows/logs?limit=20&page=3');
    expect(last.body.data).toHaveLength(5);
    expect(last.body.has_more).toBe(false);
    const beyond = await service(simulator, '/workflows/logs?limit=20&page=4');
    expect(beyond.body.data).toEqual([]);
    const all = [first, await service(simulator, '/workflows/logs?limit=20&page=2'), last].flatMap(
      (reply) => reply.body.data,
    );
    const times = all.map((item: { created_at: number }) => item.created_at);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(new Set(all.map((item: { id: string }) => item.id)).size).toBe(45);
    const defaults = await service(simulator, '/workflows/logs');
    expect(defaults.body.limit).toBe(20);
  });

  it('has Dify item fields, with triggered_from and details only from 1.10', async () => {
    for (const version of PERSONALITIES) {
      const simulator = await sim({ version, lostRunRate: 0 });
      const item = (await service(simulator, '/workflows/logs?limit=1&status=succeeded')).body.data[0];
      expect(Object.keys(item)).toEqual(
        version === '1.9.1'
          ? [
              'id',
              'workflow_run',
              'created_from',
              'created_by_role',
              'created_by_account',
              'created_by_end_user',
              'created_at',
            ]
          : [
              'id',
              'workflow_run',
              'details',
              'created_from',
              'created_by_role',
              'created_by_account',
              'created_by_end_user',
              'created_at',
            ],
      );
      expect('triggered_from' in item.workflow_run).toBe(version !== '1.9.1');
      expect(item.workflow_run).toMatchObject({ status: 'succeeded', exceptions_count: 0 });
      expect(typeof item.workflow_run.elapsed_time).toBe('number');
      expect(Number.isInteger(item.created_at)).toBe(true);
    }
  });

  it('shows running runs on releases that log at run start, hides them on 1.9.1', async () => {
    const late = await sim({ version: '1.13.3', runningRuns: 3 });
    const top = (await service(late, '/workflows/logs?limit=3')).body.data;
    expect(top.map((item: any) => item.workflow_run.status)).toEqual(['running', 'running', 'running']);
    expect(top.every((item: any) => item.workflow_run.finished_at === null)).toBe(true);
    const early = await sim({ version: '1.9.1', runningRuns: 3 });
    const page = (await service(early, '/workflows/logs?limit=100')).body;
    expect(page.total).toBe(147);
    expect(page.data.some((item: any) => item.workflow_run?.status === 'running')).toBe(false);
    // On 1.9.1 the log row is written at run end: its time is the run's finish time.
    const done = page.data.find((item: any) => item.workflow_run);
    expect(done.created_at).toBe(done.workflow_run.finished_at);
    early.completeRunningRuns();
    expect((await service(early, '/workflows/logs?limit=1')).body.total).toBe(150);
  });

  it('gives log rows whose run is gone workflow_run: null', async () => {
    const simulator = await sim({ lostRunRate: 0.2 });
    const page = (await service(simulator, '/workflows/logs?limit=100')).body;
    const lost = page.data.filter((item: any) => item.workflow_run === null);
    expect(lost.length).toBeGreaterThan(5);
    expect(lost.every((item: any) => typeof item.id === 'string' && typeof item.created_at === 'number')).toBe(true);
  });

  it('filters by status, by the session of the end user and by account e-mail', async () => {
    const simulator = await sim({ runsPerApp: 400 });
    const failed = (await service(simulator, '/workflows/logs?status=failed&limit=100')).body;
    expect(failed.total).toBeGreaterThan(10);
    expect(failed.data.every((item: any) => item.workflow_run.status === 'failed' && item.workflow_run.error)).toBe(
      true,
    );
    const all = (await service(simulator, '/workflows/logs?limit=100')).body.data;
    const user = all.find(
      (item: any) => item.created_by_end_user && !item.created_by_end_user.is_anonymous,
    ).created_by_end_user;
    const mine = (
      await service(
        simulator,
        `/workflows/logs?created_by_end_user_session_id=${encodeURIComponent(user.session_id)}&limit=100`,
      )
    ).body;
    expect(mine.total).toBeGreaterThan(0);
    expect(mine.data.every((item: any) => item.created_by_end_user.session_id === user.session_id)).toBe(true);
    const anonymous = (
      await service(simulator, '/workflows/logs?created_by_end_user_session_id=DEFAULT-USER&limit=100')
    ).body;
    expect(anonymous.data[0].created_by_end_user).toMatchObject({
      type: 'service-api',
      is_anonymous: true,
      session_id: 'DEFAULT-USER',
    });
    const owner = (await service(simulator, `/workflows/logs?created_by_account=${simulator.account.email}&limit=100`))
      .body;
    expect(owner.total).toBeGreaterThan(0);
    expect(
      owner.data.every(
        (item: any) => item.created_by_role === 'account' && item.created_by_account.email === simulator.account.email,
      ),
    ).toBe(true);
    const unknown = await service(simulator, '/workflows/logs?created_by_account=nobody@example.com');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      code: 'invalid_param',
      message: 'Account not found: nobody@example.com',
      status: 400,
    });
  });

  it('filters an inclusive time window given as date, Z or offset', async () => {
    const simulator = await sim({ runsPerApp: 300, runningRuns: 0 });
    const pages = await Promise.all(
      [1, 2, 3].map((page) => service(simulator, `/workflows/logs?limit=100&page=${page}`)),
    );
    const all = pages.flatMap((reply) => reply.body.data as Array<{ created_at: number }>);
    const pivot = all[110]!.created_at;
    const iso = new Date(pivot * 1000).toISOString().replace('.000Z', 'Z');
    const after = (await service(simulator, `/workflows/logs?limit=100&created_at__after=${iso}`)).body;
    expect(after.data.every((item: any) => item.created_at >= pivot)).toBe(true);
    expect(after.total).toBe(all.filter((item) => item.created_at >= pivot).length);
    const before = (await service(simulator, `/workflows/logs?limit=100&created_at__before=${iso}`)).body;
    expect(before.total).toBe(
      all.filter((item) => item.created_at < pivot).length + (before.data[0].created_at === pivot ? 1 : 0),
    );
    const shifted = new Date(pivot * 1000 + 8 * 3600_000).toISOString().slice(0, 19);
    const offset = (
      await service(simulator, `/workflows/logs?limit=100&created_at__after=${encodeURIComponent(`${shifted}+08:00`)}`)
    ).body;
    expect(offset.total).toBe(after.total);
    const naive = (await service(simulator, `/workflows/logs?limit=100&created_at__after=${iso.slice(0, 19)}`)).body;
    expect(naive.total).toBe(after.total);
    const day = (
      await service(
        simulator,
        '/workflows/logs?limit=100&created_at__after=2026-03-09&created_at__before=2026-03-09T23:59:59Z',
      )
    ).body;
    expect(day.total).toBeGreaterThan(30);
    expect(day.data.every((item: any) => new Date(item.created_at * 1000).toISOString().startsWith('2026-03-09'))).toBe(
      true,
    );
    const bad = await service(simulator, '/workflows/logs?created_at__before=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_param');
  });

  it('answers validation errors in the shape of the era', async () => {
    const modern = await sim({ version: '1.13.3' });
    const limit = await service(modern, '/workflows/logs?limit=101');
    expect(limit.status).toBe(400);
    expect(limit.body.code).toBe('invalid_param');
    expect(limit.body.message).toMatch(/limit\n {2}Input should be less than or equal to 100/);
    const status = await service(modern, '/workflows/logs?status=partial-succeeded');
    expect(status.body.message).toMatch(/Input should be 'succeeded', 'failed' or 'stopped'/);
    expect((await service(modern, '/workflows/logs?page=0')).status).toBe(400);
    expect((await service(modern, '/workflows/logs?page=abc')).body.message).toMatch(/valid integer/);
    const legacy = await sim({ version: '1.9.1' });
    const restx = await service(legacy, '/workflows/logs?limit=0');
    expect(restx.status).toBe(400);
    expect(restx.body).toEqual({
      errors: { limit: 'Invalid argument: 0. argument must be within the range 1 - 100' },
      message: 'Input payload validation failed',
    });
    const choice = await service(legacy, '/workflows/logs?status=running');
    expect(choice.body).toEqual({
      errors: { status: "The value 'running' is not a valid choice for 'status'." },
      message: 'Input payload validation failed',
    });
  });

  it('searches keywords over the ASCII-escaped JSON text as each release does', async () => {
    for (const version of ['1.9.1', '1.11.2', '1.13.3'] as const) {
      const simulator = await sim({ version, runsPerApp: 200 });
      const zh = simulator.apps.find((app) => app.name === '客服工单分类')!;
      const ascii = (await service(simulator, '/workflows/logs?keyword=PRINTER&limit=100')).body;
      expect(ascii.total).toBeGreaterThan(0);
      const chinese = (
        await service(simulator, `/workflows/logs?keyword=${encodeURIComponent('退款')}&limit=100`, zh.apiKey)
      ).body;
      // Dify stores 中文 as \uXXXX: <= 1.11.2 escaped the keyword to match, >= 1.11.3 does not (PR #30450, issue #37367).
      if (version !== '1.13.3') expect(chinese.total).toBeGreaterThan(0);
      else expect(chinese.total).toBe(0);
    }
    const simulator = await sim();
    const item = (await service(simulator, '/workflows/logs?limit=1&status=succeeded')).body.data[0];
    const byId = (await service(simulator, `/workflows/logs?keyword=${item.workflow_run.id}`)).body;
    expect(byId.data.map((found: any) => found.id)).toContain(item.id);
  });

  it('gives a chatflow key an empty page, not an error', async () => {
    for (const version of PERSONALITIES) {
      const simulator = await sim({ version });
      const reply = await service(simulator, '/workflows/logs', chatflowApp(simulator).apiKey);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ page: 1, limit: 20, total: 0, has_more: false, data: [] });
    }
  });
});

describe('GET /v1/workflows/run/{id}', () => {
  it('returns inputs as a JSON string always, outputs as a string before 1.13 and an object on 1.13', async () => {
    for (const version of PERSONALITIES) {
      const simulator = await sim({ version, lostRunRate: 0 });
      const item = (await service(simulator, '/workflows/logs?limit=1&status=succeeded')).body.data[0];
      const detail = (await service(simulator, `/workflows/run/${item.workflow_run.id}`)).body;
      expect(Object.keys(detail)).toEqual([
        'id',
        'workflow_id',
        'status',
        'inputs',
        'outputs',
        'error',
        'total_steps',
        'total_tokens',
        'created_at',
        'finished_at',
        'elapsed_time',
      ]);
      expect(typeof detail.inputs).toBe('string');
      expect(detail.inputs).toMatch(
        /^\{"ticket_text": ".*", "customer_tier": "\w+", "sys\.files": \[\], "sys\.user_id": /,
      );
      expect(JSON.parse(detail.inputs)['sys.workflow_run_id']).toBe(detail.id);
      if (version === '1.13.3') expect(detail.outputs).toMatchObject({ category: expect.any(String) });
      else expect(JSON.parse(detail.outputs)).toMatchObject({ category: expect.any(String) });
      expect(detail).toMatchObject({
        status: 'succeeded',
        total_tokens: item.workflow_run.total_tokens,
        total_steps: item.workflow_run.total_steps,
      });
    }
  });

  it('answers an unknown run with 404 on 1.13 and 200-with-nulls before', async () => {
    for (const version of PERSONALITIES) {
      const simulator = await sim({ version });
      const reply = await service(simulator, '/workflows/run/00000000-0000-4000-8000-000000000000');
      if (version === '1.13.3') {
        expect(reply.status).toBe(404);
        expect(reply.body).toEqual({ code: 'not_found', message: 'Workflow run not found.', status: 404 });
      } else {
        expect(reply.status).toBe(200);
        expect(Object.values(reply.body).every((value) => value === null)).toBe(true);
        expect(reply.body.id).toBeNull();
      }
    }
  });

  it('does not show one app the runs of another, and serves chatflow runs', async () => {
    const simulator = await sim({ version: '1.13.3', lostRunRate: 0 });
    const [first, second] = simulator.apps;
    const item = (await service(simulator, '/workflows/logs?limit=1', first!.apiKey)).body.data[0];
    expect((await service(simulator, `/workflows/run/${item.workflow_run.id}`, second!.apiKey)).status).toBe(404);
    const chat = chatflowApp(simulator);
    const debugRuns = await call(simulator, `/v1/workflows/run/${item.workflow_run.id}`, {
      headers: keyHeaders(chat.apiKey),
    });
    expect(debugRuns.status).toBe(404);
  });

  it('keeps elapsed_time and finished_at consistent with created_at', async () => {
    const simulator = await sim({ version: '1.11.2', lostRunRate: 0, runningRuns: 0 });
    const items = (await service(simulator, '/workflows/logs?limit=30')).body.data;
    for (const item of items) {
      const detail = (await service(simulator, `/workflows/run/${item.workflow_run.id}`)).body;
      expect(detail.created_at).toBe(item.created_at);
      expect(detail.finished_at - detail.created_at).toBeGreaterThanOrEqual(Math.floor(detail.elapsed_time) - 1);
      expect(detail.finished_at - detail.created_at).toBeLessThanOrEqual(Math.ceil(detail.elapsed_time) + 1);
    }
  });
});
