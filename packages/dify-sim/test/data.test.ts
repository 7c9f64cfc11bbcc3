import { describe, expect, it } from 'vitest';
import { decodeRunId, encodeRunId } from '../src/data/ids.js';
import { pythonJson, unicodeEscape } from '../src/data/python-json.js';
import { decodePassword } from '../src/routes/auth.js';
import { parseIsoTime } from '../src/routes/iso-time.js';
import { base64, call, consoleGet, login, service, sim, workflowApp } from './helpers.js';

async function everything(simulator: Awaited<ReturnType<typeof sim>>) {
  const session = await login(simulator);
  const app = workflowApp(simulator);
  const logs = await service(simulator, '/workflows/logs?limit=100');
  const runs = logs.body.data.filter((item: any) => item.workflow_run).slice(0, 10);
  const details = await Promise.all(
    runs.map((item: any) => service(simulator, `/workflows/run/${item.workflow_run.id}`)),
  );
  const nodes = await Promise.all(
    runs.map((item: any) =>
      consoleGet(simulator, session, `/apps/${app.id}/workflow-runs/${item.workflow_run.id}/node-executions`),
    ),
  );
  return JSON.stringify([
    simulator.apps,
    simulator.workspaceId,
    logs.body,
    details.map((reply) => reply.body),
    nodes.map((reply) => reply.body),
  ]);
}

describe('generated data', () => {
  it('is byte-identical for the same seed and different for another', async () => {
    const one = await everything(await sim({ seed: 42 }));
    const two = await everything(await sim({ seed: 42 }));
    const other = await everything(await sim({ seed: 43 }));
    expect(two).toBe(one);
    expect(other).not.toBe(one);
  });

  it(
    'has realistic content: unicode names and inputs, several ' + 'models, all statuses, account and end-user creators',
    async () => {
      const simulator = await sim({ runsPerApp: 600 });
      expect(simulator.apps.map((app) => [app.name, app.mode])).toEqual([
        ['Ticket Triage', 'workflow'],
        ['Invoice Extractor', 'workflow'],
        ['客服工单分类', 'workflow'],
        ['Support Assistant', 'advanced-chat'],
      ]);
      expect(simulator.apps.every((app) => /^app-[0-9a-f]{24}$/.test(app.apiKey))).toBe(true);
      const zh = simulator.apps[2]!;
      const items = (await service(simulator, '/workflows/logs?limit=100', zh.apiKey)).body.data;
      const detail = (
        await service(
          simulator,
          `/workflows/run/${items.find((item: any) => item.workflow_run?.status === 'succeeded').workflow_run.id}`,
          zh.apiKey,
        )
      ).body;
      expect(detail.inputs).toMatch(/\\u[0-9a-f]{4}/);
      expect(JSON.parse(detail.inputs).工单内容).toMatch(/[\u4e00-\u9fff]/);
      const statuses = new Set<string>();
      const roles = new Set<string>();
      const versions = new Set<string>();
      for (let page = 1; page <= 6; page += 1) {
        for (const item of (await service(simulator, `/workflows/logs?limit=100&page=${page}`)).body.data) {
          statuses.add(item.workflow_run?.status ?? 'lost');
          roles.add(`${item.created_by_role}:${item.created_from}:${item.created_by_end_user?.type ?? ''}`);
          if (item.workflow_run) versions.add(item.workflow_run.version);
        }
      }
      expect([...statuses].sort()).toEqual(['failed', 'lost', 'partial-succeeded', 'running', 'stopped', 'succeeded']);
      expect(roles).toEqual(
        new Set([
          'account:installed-app:',
          'end_user:service-api:service-api',
          'end_user:web-app:browser',
          'account:service-api:',
        ]),
      );
      expect(
        [...versions].every(
          (version) => version === 'draft' || /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/.test(version),
        ),
      ).toBe(true);
      expect(versions.size).toBeGreaterThan(1);
    },
  );

  it('spreads runs over `days` before `now`, oldest first in index, strictly ordered', async () => {
    const simulator = await sim({ runsPerApp: 200, days: 2, runningRuns: 0, lostRunRate: 0 });
    const pages = await Promise.all([1, 2].map((page) => service(simulator, `/workflows/logs?limit=100&page=${page}`)));
    const times = pages.flatMap((reply) => reply.body.data.map((item: any) => item.created_at as number));
    const now = Date.parse('2026-03-10T12:00:00Z') / 1000;
    expect(times[0]).toBeLessThanOrEqual(now);
    expect(times.at(-1)).toBeGreaterThanOrEqual(now - 2 * 86_400);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('starts instantly with a million runs per app and pages deep into them', async () => {
    const started = performance.now();
    const simulator = await sim({ runsPerApp: 1_000_000 });
    expect(performance.now() - started).toBeLessThan(1000);
    const deep = await service(simulator, '/workflows/logs?limit=100&page=9000');
    expect(deep.body).toMatchObject({ total: 1_000_000, page: 9000, has_more: true });
    expect(deep.body.data).toHaveLength(100);
    const window = await service(
      simulator,
      '/workflows/logs?limit=100&created_at__after=2026-03-04T00:00:00Z&created_at__before=2026-03-04T00:10:00Z',
    );
    expect(window.body.total).toBeGreaterThan(900);
    expect(window.body.total).toBeLessThan(1100);
    const detail = await service(
      simulator,
      `/workflows/run/${deep.body.data[50].workflow_run?.id ?? deep.body.data[0].workflow_run.id}`,
    );
    expect(detail.status).toBe(200);
  });

  it('appends newer runs with addRuns without moving older ones', async () => {
    const simulator = await sim({ runningRuns: 0 });
    const app = workflowApp(simulator);
    const before = (await service(simulator, '/workflows/logs?limit=10')).body;
    simulator.addRuns(app.id, 7);
    const after = (await service(simulator, '/workflows/logs?limit=17')).body;
    expect(after.total).toBe(before.total + 7);
    expect(after.data.slice(7).map((item: any) => item.id)).toEqual(before.data.map((item: any) => item.id));
    expect(after.data[6].created_at).toBeGreaterThan(before.data[0].created_at);
    expect(after.data[0].created_at).toBeGreaterThan(Date.parse('2026-03-10T12:00:00Z') / 1000);
    const windowed = (await service(simulator, '/workflows/logs?limit=1&created_at__before=2026-03-10T12:00:00Z')).body;
    expect(windowed.total).toBe(before.total);
    const added = await service(simulator, `/workflows/run/${after.data[0].workflow_run.id}`);
    expect(added.body.status).not.toBe('running');
    expect(() => simulator.addRuns('00000000-0000-4000-8000-000000000000', 1)).toThrow(/unknown app/);
  });

  it('completes running runs into succeeded or failed with node executions', async () => {
    const simulator = await sim({ runningRuns: 4 });
    const running = (await service(simulator, '/workflows/logs?limit=4')).body.data;
    expect(running.every((item: any) => item.workflow_run.status === 'running')).toBe(true);
    simulator.completeRunningRuns();
    for (const item of running) {
      const detail = (await service(simulator, `/workflows/run/${item.workflow_run.id}`)).body;
      expect(['succeeded', 'failed']).toContain(detail.status);
      expect(detail.finished_at).not.toBeNull();
      expect(detail.total_steps).toBeGreaterThan(0);
    }
    const relisted = (await service(simulator, '/workflows/logs?limit=4')).body.data;
    expect(relisted.map((item: any) => item.id)).toEqual(running.map((item: any) => item.id));
  });

  it('makes expired console sessions answer "Token has expired."', async () => {
    const simulator = await sim({ version: '1.13.3' });
    const session = await login(simulator);
    simulator.expireAccessTokens();
    const reply = await consoleGet(simulator, session, '/apps');
    expect(reply.body).toEqual({ code: 'unauthorized', message: 'Token has expired.', status: 401 });
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('counts requests per route pattern and resets stats', async () => {
    const simulator = await sim();
    await call(simulator, '/v1/');
    await service(simulator, '/workflows/logs');
    await service(simulator, '/workflows/run/00000000-0000-4000-8000-000000000000');
    await call(simulator, '/nope');
    expect(simulator.stats()).toMatchObject({
      requests: 4,
      byRoute: { 'GET /v1/': 1, 'GET /v1/workflows/logs': 1, 'GET /v1/workflows/run/:runId': 1, 'GET (unmatched)': 1 },
    });
    simulator.resetStats();
    await service(simulator, '/workflows/logs');
    expect(simulator.stats()).toMatchObject({ requests: 1, byRoute: { 'GET /v1/workflows/logs': 1 } });
  });
});

describe('building blocks', () => {
  it('round-trips run ids and rejects ids it never issued', () => {
    for (const ref of [
      { kind: 1, appIndex: 0, index: 0 },
      { kind: 2, appIndex: 3, index: 2 },
      { kind: 1, appIndex: 2, index: 4_000_000 },
    ]) {
      const id = encodeRunId(99, ref);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(decodeRunId(99, id)).toEqual(ref);
      expect(decodeRunId(98, id)).toBeUndefined();
    }
    expect(decodeRunId(99, '9c0e5f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6')).toBeUndefined();
    expect(decodeRunId(99, 'not-a-uuid')).toBeUndefined();
  });

  it("writes JSON like Python's json.dumps and escapes keywords like unicode_escape", () => {
    expect(pythonJson({ a: '中 🔥 "q"\n', b: [1, 2.5, true, null], c: {} })).toBe(
      '{"a": "\\u4e2d \\ud83d\\udd25 \\"q\\"\\n", "b": [1, 2.5, true, null], "c": {}}',
    );
    expect(unicodeEscape('退款 é 🔥\\')).toBe('\\u9000\\u6b3e \\xe9 \\U0001f525\\\\');
  });

  it('parses ISO-8601 the way dateutil.isoparse does, naive as UTC', () => {
    expect(parseIsoTime('2026-03-01')).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(parseIsoTime('2026-03-01T08:15:44')).toBe(Date.parse('2026-03-01T08:15:44Z'));
    expect(parseIsoTime('2026-03-01T08:15:44.120331Z')).toBe(Date.parse('2026-03-01T08:15:44.120Z'));
    expect(parseIsoTime('2026-03-01T08:00:00+08:00')).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(parseIsoTime('2026-03-01 08:00-0130')).toBe(Date.parse('2026-03-01T09:30:00Z'));
    for (const bad of ['yesterday', '2026-13-01', '2026-02-30', '']) expect(parseIsoTime(bad)).toBeUndefined();
  });

  it('decodes Base64 passwords leniently, like Python', () => {
    expect(decodePassword(base64('s3cr3t-pass'))).toBe('s3cr3t-pass');
    expect(decodePassword(base64('pässwörd 🔑'))).toBe('pässwörd 🔑');
    expect(decodePassword('dify-sim-password')).toBeUndefined();
    expect(decodePassword('wrong')).toBeUndefined();
    expect(decodePassword('/w==')).toBeUndefined();
  });
});
