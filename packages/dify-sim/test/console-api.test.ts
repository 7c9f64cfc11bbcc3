import { describe, expect, it } from 'vitest';
import { chatflowApp, consoleGet, login, PERSONALITIES, postJson, service, sim, workflowApp } from './helpers.js';

describe('console workspace and apps', () => {
  it('lists workspaces, switches, and pages apps with mode and name filters', async () => {
    const simulator = await sim({ version: '1.13.3' });
    const session = await login(simulator);
    const workspaces = await consoleGet(simulator, session, '/workspaces');
    expect(workspaces.body.workspaces).toEqual([expect.objectContaining({ id: simulator.workspaceId, current: true })]);
    const switched = await postJson(
      simulator,
      '/console/api/workspaces/switch',
      { tenant_id: simulator.workspaceId },
      session.headers(),
    );
    expect(switched.body.result).toBe('success');
    const page = await consoleGet(simulator, session, '/apps?page=1&limit=3');
    expect(page.body).toMatchObject({ page: 1, limit: 3, total: 4, has_more: true });
    expect(page.body.data[0]).toMatchObject({
      mode: expect.any(String),
      icon_type: 'emoji',
      workflow: { id: expect.any(String) },
    });
    const workflows = await consoleGet(simulator, session, '/apps?mode=workflow&limit=100');
    expect(workflows.body.data.map((app: any) => app.name).sort()).toEqual([
      'Invoice Extractor',
      'Ticket Triage',
      '客服工单分类',
    ]);
    const named = await consoleGet(simulator, session, `/apps?name=${encodeURIComponent('工单')}`);
    expect(named.body.data.map((app: any) => app.name)).toEqual(['客服工单分类']);
    expect((await consoleGet(simulator, session, '/apps?name=zzz')).body).toEqual({
      data: [],
      total: 0,
      page: 1,
      limit: 20,
      has_more: false,
    });
    expect((await consoleGet(simulator, session, '/apps?limit=101')).status).toBe(400);
    expect((await consoleGet(simulator, session, '/apps?mode=robot')).status).toBe(400);
  });

  it(
    'keeps the current workspace as account state: a switch in one ' +
      'session (or the browser) moves every session, apps resolve in it',
    async () => {
      const simulator = await sim({ version: '1.13.3', secondWorkspace: true });
      const [home, staging] = simulator.workspaces;
      const ours = await login(simulator);
      const browser = await login(simulator);
      const homeApp = workflowApp(simulator);
      const stagingApp = simulator.apps.find((app) => app.workspaceId === staging!.id)!;
      expect(stagingApp.name).toBe('Ticket Triage (Staging)');
      const listed = await consoleGet(simulator, ours, '/workspaces');
      expect(listed.body.workspaces).toEqual([
        expect.objectContaining({ id: home!.id, current: true }),
        expect.objectContaining({ id: staging!.id, name: 'Staging', current: false }),
      ]);
      const names = async () =>
        (await consoleGet(simulator, ours, '/apps?limit=100')).body.data.map((app: any) => app.name).sort();
      expect(await names()).toEqual(['Invoice Extractor', 'Support Assistant', 'Ticket Triage', '客服工单分类']);

      // The other session switches: ours now lists the other workspace's apps, without any error.
      const switched = await postJson(
        simulator,
        '/console/api/workspaces/switch',
        { tenant_id: staging!.id },
        browser.headers(),
      );
      expect(switched.body).toMatchObject({
        result: 'success',
        new_tenant: { id: staging!.id, name: 'Staging', role: 'owner' },
      });
      expect(simulator.currentWorkspaceId()).toBe(staging!.id);
      expect(await names()).toEqual(['Invoice Extractor (Staging)', 'Ticket Triage (Staging)']);
      expect((await consoleGet(simulator, ours, `/apps/${homeApp.id}/workflow-app-logs`)).status).toBe(404);
      expect((await consoleGet(simulator, ours, `/apps/${stagingApp.id}/workflow-app-logs`)).status).toBe(200);
      expect(
        (await consoleGet(simulator, ours, '/workspaces')).body.workspaces.find((workspace: any) => workspace.current)
          .id,
      ).toBe(staging!.id);

      // The simulator's control does what a browser would; a workspace the account did not join is 403.
      simulator.switchWorkspace(home!.id);
      expect(await names()).toHaveLength(4);
      const refused = await postJson(
        simulator,
        '/console/api/workspaces/switch',
        { tenant_id: '00000000-0000-4000-8000-000000000000' },
        ours.headers(),
      );
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'account_not_link_tenant' });
      // The Service API key belongs to its app whatever workspace is current.
      simulator.switchWorkspace(staging!.id);
      expect((await service(simulator, '/workflows/logs', homeApp.apiKey)).status).toBe(200);
    },
  );

  it('answers unknown routes and apps with Dify 404s', async () => {
    const simulator = await sim({ version: '1.13.3' });
    const session = await login(simulator);
    expect((await consoleGet(simulator, session, '/nothing')).body.code).toBe('not_found');
    const missing = await consoleGet(
      simulator,
      session,
      '/apps/00000000-0000-4000-8000-000000000000/workflow-app-logs',
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 'app_not_found', message: 'App not found.', status: 404 });
    expect((await consoleGet(simulator, session, '/apps/not-a-uuid/workflow-runs')).body.code).toBe('not_found');
  });
});

describe('GET /console/api/apps/{id}/workflow-app-logs', () => {
  it('lists the same rows as the Service API', async () => {
    const simulator = await sim({ version: '1.11.2' });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    const console = await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?limit=30`);
    const service = await fetch(`${simulator.url}/v1/workflows/logs?limit=30`, {
      headers: { authorization: `Bearer ${app.apiKey}` },
    }).then((response) => response.json());
    expect(console.body).toEqual(service);
  });

  it('accepts every run status on 1.11+ and only four on 1.9.1', async () => {
    for (const version of PERSONALITIES) {
      const simulator = await sim({ version, runsPerApp: 400 });
      const session = await login(simulator);
      const app = workflowApp(simulator);
      const partial = await consoleGet(
        simulator,
        session,
        `/apps/${app.id}/workflow-app-logs?status=partial-succeeded&limit=100`,
      );
      expect(partial.status).toBe(200);
      expect(partial.body.total).toBeGreaterThan(0);
      for (const item of partial.body.data) {
        expect(item.workflow_run).toMatchObject({ status: 'partial-succeeded', exceptions_count: 1 });
      }
      const running = await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=running`);
      if (version === '1.9.1') {
        expect(running.status).toBe(400);
        expect(running.body.errors.status).toMatch(/not a valid choice/);
      } else {
        expect(running.body.total).toBe(2);
      }
    }
  });

  it('fills details with trigger_metadata when detail=true (1.10+)', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 400 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    const plain = await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?limit=100`);
    expect(plain.body.data.every((item: any) => item.details === null)).toBe(true);
    const detailed = await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?limit=100&detail=true`);
    expect(detailed.body.data.every((item: any) => typeof item.details.trigger_metadata === 'object')).toBe(true);
    const triggered = detailed.body.data.filter(
      (item: any) => item.workflow_run && item.workflow_run.triggered_from !== 'app-run',
    );
    expect(triggered.length).toBeGreaterThan(0);
    expect(triggered[0].details.trigger_metadata.type).toMatch(/^trigger-(schedule|webhook)$/);
    expect((await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?detail=maybe`)).status).toBe(400);
  });

  it('answers 404 app_not_found for a chatflow app', async () => {
    const simulator = await sim({ version: '1.13.3' });
    const session = await login(simulator);
    const reply = await consoleGet(simulator, session, `/apps/${chatflowApp(simulator).id}/workflow-app-logs`);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      code: 'app_not_found',
      message: "App mode is not in the supported list: {'workflow'}",
      status: 404,
    });
  });
});

describe('GET /console/api/apps/{id}/workflow-runs', () => {
  it('lists only debugging runs by default, production runs with triggered_from=app-run on 1.10+', async () => {
    const simulator = await sim({ version: '1.13.3', lostRunRate: 0 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    const debug = await consoleGet(simulator, session, `/apps/${app.id}/workflow-runs`);
    expect(debug.body).toMatchObject({ limit: 20, has_more: false });
    expect(debug.body.data).toHaveLength(3);
    expect(
      debug.body.data.every(
        (run: any) => run.version === 'draft' && run.created_by_account.email === simulator.account.email,
      ),
    ).toBe(true);
    const first = await consoleGet(simulator, session, `/apps/${app.id}/workflow-runs?triggered_from=app-run&limit=10`);
    expect(first.body.has_more).toBe(true);
    expect(Object.keys(first.body.data[0])).toEqual([
      'id',
      'version',
      'status',
      'elapsed_time',
      'total_tokens',
      'total_steps',
      'created_by_account',
      'created_at',
      'finished_at',
      'exceptions_count',
      'retry_index',
    ]);
    const last = first.body.data.at(-1).id;
    const second = await consoleGet(
      simulator,
      session,
      `/apps/${app.id}/workflow-runs?triggered_from=app-run&limit=10&last_id=${last}`,
    );
    expect(second.body.data[0].created_at).toBeLessThanOrEqual(first.body.data.at(-1).created_at);
    expect(new Set([...first.body.data, ...second.body.data].map((run: any) => run.id)).size).toBe(20);
    const failed = await consoleGet(
      simulator,
      session,
      `/apps/${app.id}/workflow-runs?triggered_from=app-run&status=failed`,
    );
    expect(failed.body.data.every((run: any) => run.status === 'failed')).toBe(true);
    const unknown = await consoleGet(
      simulator,
      session,
      `/apps/${app.id}/workflow-runs?last_id=00000000-0000-4000-8000-000000000000`,
    );
    expect(unknown.body).toEqual({ code: 'invalid_param', message: 'Last workflow run not exists', status: 400 });
    const legacy = await sim({ version: '1.9.1' });
    const legacySession = await login(legacy);
    const ignored = await consoleGet(
      legacy,
      legacySession,
      `/apps/${workflowApp(legacy).id}/workflow-runs?triggered_from=app-run`,
    );
    expect(ignored.body.data.every((run: any) => run.version === 'draft')).toBe(true);
  });
});

describe('console run detail and node executions', () => {
  it('returns parsed inputs and outputs with the graph; an unknown run is 200 with nulls', async () => {
    const simulator = await sim({ version: '1.13.3', lostRunRate: 0 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    const item = (await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=succeeded&limit=1`))
      .body.data[0];
    const detail = (await consoleGet(simulator, session, `/apps/${app.id}/workflow-runs/${item.workflow_run.id}`)).body;
    expect(detail.inputs).toMatchObject({
      ticket_text: expect.any(String),
      'sys.workflow_run_id': item.workflow_run.id,
    });
    expect(detail.outputs).toMatchObject({ category: expect.any(String), priority: expect.any(String) });
    expect(detail.graph.nodes.length).toBeGreaterThan(6);
    expect(detail.graph.edges.length).toBeGreaterThan(5);
    const unknown = await consoleGet(
      simulator,
      session,
      `/apps/${app.id}/workflow-runs/00000000-0000-4000-8000-000000000000`,
    );
    expect(unknown.status).toBe(200);
    expect(unknown.body.id).toBeNull();
    expect(Object.values(unknown.body).every((value) => value === null)).toBe(true);
    const nodes = await consoleGet(
      simulator,
      session,
      `/apps/${app.id}/workflow-runs/00000000-0000-4000-8000-000000000000/node-executions`,
    );
    expect(nodes.body).toEqual({ data: [] });
  });

  it('lists node executions in created_at order with Dify fields, LLM usage and iteration rounds', async () => {
    const simulator = await sim({ version: '1.11.2', lostRunRate: 0, runsPerApp: 120 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    const items = (await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=succeeded&limit=40`))
      .body.data;
    const prices = new Set<string>();
    for (const item of items) {
      const rows = (
        await consoleGet(simulator, session, `/apps/${app.id}/workflow-runs/${item.workflow_run.id}/node-executions`)
      ).body.data;
      expect(rows.map((row: any) => row.index)).toEqual(rows.map((_: unknown, position: number) => position + 1));
      const created = rows.map((row: any) => row.created_at);
      expect([...created].sort((a, b) => a - b)).toEqual(created);
      expect(rows).toHaveLength(item.workflow_run.total_steps);
      expect(rows[0]).toMatchObject({ node_type: 'start', predecessor_node_id: null, status: 'succeeded' });
      expect(rows.at(-1).node_type).toBe('end');
      const llm = rows.filter((row: any) => row.node_type === 'llm');
      const tokens = llm.reduce((sum: number, row: any) => sum + row.process_data.usage.total_tokens, 0);
      expect(tokens).toBe(item.workflow_run.total_tokens);
      for (const row of llm) {
        expect(row.process_data).toMatchObject({
          model_provider: 'langgenius/openai/openai',
          model_name: 'gpt-4o-mini',
          usage: { currency: 'USD' },
        });
        expect(row.execution_metadata.total_tokens).toBe(row.process_data.usage.total_tokens);
        prices.add(typeof row.execution_metadata.total_price);
      }
      const inner = rows.filter((row: any) => row.execution_metadata.iteration_id !== undefined);
      const iteration = rows.find((row: any) => row.node_type === 'iteration');
      expect(inner.length).toBeGreaterThanOrEqual(2);
      expect(inner.every((row: any) => row.execution_metadata.iteration_id === iteration.node_id)).toBe(true);
      expect(Object.keys(iteration.execution_metadata.iteration_duration_map)).toHaveLength(inner.length / 2);
      expect(
        rows
          .filter(
            (row: any) =>
              ['code', 'if-else', 'start', 'end'].includes(row.node_type) && !row.execution_metadata.iteration_id,
          )
          .every((row: any) => Object.keys(row.execution_metadata).length === 0),
      ).toBe(true);
      for (const row of rows) {
        expect(row).toMatchObject({
          inputs_truncated: false,
          process_data_truncated: false,
          extras: {},
          created_by_role: item.created_by_role,
        });
        expect(typeof row.outputs_truncated).toBe('boolean');
        expect(typeof row.elapsed_time).toBe('number');
        expect(row.finished_at).toBeGreaterThanOrEqual(row.created_at);
      }
      for (let position = 1; position < rows.length; position += 1)
        expect(typeof rows[position].predecessor_node_id).toBe('string');
    }
    expect(prices).toEqual(new Set(['string', 'number']));
  });

  it('shows the failed node of a failed run and the exception node of a partial success', async () => {
    const simulator = await sim({ version: '1.13.3', lostRunRate: 0, runsPerApp: 300 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    const failed = (await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=failed&limit=5`))
      .body.data;
    for (const item of failed) {
      const rows = (
        await consoleGet(simulator, session, `/apps/${app.id}/workflow-runs/${item.workflow_run.id}/node-executions`)
      ).body.data;
      const last = rows.at(-1);
      expect(last.status).toBe('failed');
      expect(item.workflow_run.error).toBe(`Node ${last.title} run failed: ${last.error}`);
    }
    const partial = (
      await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=partial-succeeded&limit=1`)
    ).body.data[0];
    const rows = (
      await consoleGet(simulator, session, `/apps/${app.id}/workflow-runs/${partial.workflow_run.id}/node-executions`)
    ).body.data;
    const exception = rows.find((row: any) => row.status === 'exception');
    expect(exception).toMatchObject({
      node_type: 'http-request',
      execution_metadata: { error_strategy: 'default-value' },
    });
    expect(rows.at(-1)).toMatchObject({ node_type: 'end', status: 'succeeded' });
  });

  it('shows a running run with a running last node and no finish, then completes it', async () => {
    const simulator = await sim({ version: '1.13.3', runningRuns: 1 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    const item = (await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=running`)).body
      .data[0];
    const path = `/apps/${app.id}/workflow-runs/${item.workflow_run.id}`;
    const rows = (await consoleGet(simulator, session, `${path}/node-executions`)).body.data;
    expect(rows.at(-1)).toMatchObject({ status: 'running', finished_at: null, outputs: null });
    expect((await consoleGet(simulator, session, path)).body).toMatchObject({ status: 'running', finished_at: null });
    simulator.completeRunningRuns();
    const done = (await consoleGet(simulator, session, path)).body;
    expect(['succeeded', 'failed']).toContain(done.status);
    expect(done.finished_at).toBeGreaterThanOrEqual(done.created_at);
    const after = (await consoleGet(simulator, session, `${path}/node-executions`)).body.data;
    expect(after.every((row: any) => row.status !== 'running' && row.finished_at !== null)).toBe(true);
    expect(after).toHaveLength(done.total_steps);
  });

  it('serves chatflow runs through workflow-runs with answer nodes', async () => {
    const simulator = await sim({ version: '1.13.3', lostRunRate: 0 });
    const session = await login(simulator);
    const app = chatflowApp(simulator);
    const runs = (
      await consoleGet(
        simulator,
        session,
        `/apps/${app.id}/workflow-runs?triggered_from=app-run&status=succeeded&limit=1`,
      )
    ).body.data;
    const rows = (await consoleGet(simulator, session, `/apps/${app.id}/workflow-runs/${runs[0].id}/node-executions`))
      .body.data;
    expect(rows.map((row: any) => row.node_type)).toEqual(['start', 'llm', 'http-request', 'answer']);
    const detail = (await consoleGet(simulator, session, `/apps/${app.id}/workflow-runs/${runs[0].id}`)).body;
    expect(detail.inputs['sys.query']).toEqual(expect.any(String));
    expect(detail.outputs.answer).toEqual(expect.any(String));
  });
});

describe('paused runs (Human Input, 1.13)', () => {
  it('lists paused runs and says where each waits at /console/api/workflow/<run_id>/pause-details', async () => {
    const simulator = await sim({ version: '1.13.3', runningRuns: 3, pausedRuns: 2 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    const paused = await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=paused&limit=100`);
    expect(paused.body.data).toHaveLength(2);
    const runId = paused.body.data[0].workflow_run.id;
    expect(paused.body.data[0].workflow_run).toMatchObject({ status: 'paused', finished_at: null });
    const details = await consoleGet(simulator, session, `/workflow/${runId}/pause-details`);
    expect(details.status).toBe(200);
    expect(details.body.paused_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(details.body.paused_nodes).toEqual([
      {
        node_id: expect.any(String),
        node_title: expect.any(String),
        pause_type: {
          type: 'human_input',
          form_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          backstage_input_url: expect.stringMatching(/\/form\/[0-9a-f]{32}$/),
        },
      },
    ]);
    const running = await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=running&limit=100`);
    expect(running.body.data).toHaveLength(1);
    expect(
      (await consoleGet(simulator, session, `/workflow/${running.body.data[0].workflow_run.id}/pause-details`)).body,
    ).toEqual({ paused_at: null, paused_nodes: [] });
    expect(
      (await consoleGet(simulator, session, '/workflow/00000000-0000-4000-8000-000000000000/pause-details')).status,
    ).toBe(404);
  });

  it('has no pause-details before 1.13, and no paused runs there', async () => {
    const simulator = await sim({ version: '1.11.2', runningRuns: 3, pausedRuns: 2 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    expect((await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=paused`)).body.data).toEqual(
      [],
    );
    const running = await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?status=running`);
    expect(
      (await consoleGet(simulator, session, `/workflow/${running.body.data[0].workflow_run.id}/pause-details`)).status,
    ).toBe(404);
  });
});

describe('runs archived by retention (1.13)', () => {
  it('leave workflow-app-logs and are listed, newest first, by workflow-archived-logs', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 70, days: 7, archivedAfterDays: 3 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    const live = await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?limit=100`);
    const archived = await consoleGet(simulator, session, `/apps/${app.id}/workflow-archived-logs?limit=100`);
    expect(archived.status).toBe(200);
    expect(live.body.total + archived.body.total).toBe(70);
    expect(archived.body.total).toBeGreaterThan(30);
    const cutoff = Date.parse('2026-03-10T12:00:00Z') / 1000 - 3 * 86_400;
    expect(live.body.data.every((row: any) => row.created_at >= cutoff)).toBe(true);
    expect(archived.body.data.every((row: any) => row.created_at < cutoff)).toBe(true);
    const times = archived.body.data.map((row: any) => row.created_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(Object.keys(archived.body.data[0]).sort()).toEqual([
      'created_at',
      'created_by_account',
      'created_by_end_user',
      'id',
      'trigger_metadata',
      'workflow_run',
    ]);
    expect(archived.body.data[0].workflow_run).toEqual({
      id: expect.any(String),
      status: expect.any(String),
      triggered_from: expect.any(String),
      elapsed_time: expect.any(Number),
      total_tokens: expect.any(Number),
    });
    const second = await consoleGet(simulator, session, `/apps/${app.id}/workflow-archived-logs?limit=10&page=2`);
    expect(second.body.data.map((row: any) => row.id)).toEqual(
      archived.body.data.slice(10, 20).map((row: any) => row.id),
    );
  });

  it('has no archived logs before 1.13', async () => {
    const simulator = await sim({ version: '1.11.2', runsPerApp: 70, archivedAfterDays: 3 });
    const session = await login(simulator);
    const app = workflowApp(simulator);
    expect((await consoleGet(simulator, session, `/apps/${app.id}/workflow-archived-logs`)).status).toBe(404);
    expect((await consoleGet(simulator, session, `/apps/${app.id}/workflow-app-logs?limit=1`)).body.total).toBe(70);
  });
});
