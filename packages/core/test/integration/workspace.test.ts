import { describe, expect, it } from 'vitest';
import { DifyWorkspaceError, createDifyClient } from '../../src/index.js';
import {
  memoryStateStore,
  memoryStorage,
  recordingNotifier,
  runPipeline,
  type PipelineJob,
} from '../../src/entries/pipeline.js';
import { quickRetry, sim } from './helpers.js';

type Simulator = Awaited<ReturnType<typeof sim>>;

const clock = () => new Date('2026-03-10T12:00:00Z');

async function twoWorkspaces() {
  const simulator = await sim({ version: '1.13.3', runsPerApp: 60, runningRuns: 0, secondWorkspace: true });
  const [home, staging] = simulator.workspaces;
  return { simulator, home: home!, staging: staging! };
}

const client = (simulator: Simulator, workspaceId?: string) =>
  createDifyClient({
    baseUrl: simulator.url,
    console: { ...simulator.account, ...(workspaceId ? { workspaceId } : {}) },
    retry: quickRetry,
  });

async function appNames(dify: ReturnType<typeof client>) {
  const names: string[] = [];
  for await (const app of dify.apps()) names.push(app.name);
  return names.sort();
}

describe('the workspace is account state (Dify TenantAccountJoin.current)', () => {
  it('console.workspaceId switches back to its workspace when a browser made another one current', async () => {
    const { simulator, home, staging } = await twoWorkspaces();
    const dify = client(simulator, home.id);
    expect(await dify.workspace()).toEqual({ id: home.id, name: home.name, pinned: true, switchedFrom: null });
    simulator.switchWorkspace(staging.id); // a person, in the browser, on the same account
    // Without the check the client reads the other workspace's apps, and Dify says nothing.
    expect(await appNames(dify)).toEqual(['Invoice Extractor (Staging)', 'Ticket Triage (Staging)']);
    expect(await dify.workspace()).toEqual({
      id: home.id,
      name: home.name,
      pinned: true,
      switchedFrom: { id: staging.id, name: 'Staging' },
    });
    expect(simulator.currentWorkspaceId()).toBe(home.id);
    expect(await appNames(dify)).toEqual(['Invoice Extractor', 'Support Assistant', 'Ticket Triage', '客服工单分类']);
    expect(simulator.stats().byRoute['POST /console/api/workspaces/switch']).toBe(1);
  });

  it('refuses a workspaceId the account did not join, naming the ones it has', async () => {
    const { simulator, home } = await twoWorkspaces();
    const error = await client(simulator, '11111111-1111-4111-8111-111111111111')
      .workspace()
      .catch((caught: unknown) => caught);
    expect(DifyWorkspaceError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'workspace_not_joined' });
    expect((error as Error).message).toContain(`"${home.name}" (${home.id})`);
  });

  it(
    'without workspaceId: names the current workspace, ' + 'and refuses another one than where apps were listed',
    async () => {
      const { simulator, home, staging } = await twoWorkspaces();
      const dify = client(simulator);
      expect(await dify.workspace()).toEqual({ id: home.id, name: home.name, pinned: false, switchedFrom: null });
      simulator.switchWorkspace(staging.id);
      const error = await dify.workspace({ expected: home.id }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'workspace_changed' });
      expect((error as Error).message).toMatch(
        new RegExp(
          /current workspace is now "Staging" .* not ".*" .* where this run's apps were listed/.source +
            /.*dify\.console\.workspaceId/.source,
        ),
      );
      expect(simulator.stats().byRoute['POST /console/api/workspaces/switch']).toBeUndefined();
    },
  );

  it('a pipeline run switches back before reading and names the workspace in the result and the reports', async () => {
    const { simulator, home, staging } = await twoWorkspaces();
    const app = simulator.apps.find((candidate) => candidate.workspaceId === home.id && candidate.mode === 'workflow')!;
    const job: PipelineJob = {
      name: 'daily',
      apps: [{ id: app.id, client: client(simulator, home.id), workspace: { id: home.id, name: home.name } }],
      window: { mode: 'explicit', from: '2026-03-09T00:00:00Z', to: '2026-03-10T00:00:00Z' },
    };
    simulator.switchWorkspace(staging.id);
    const storage = memoryStorage();
    const result = await runPipeline(job, { storage, state: memoryStateStore(), now: clock });
    expect(result.status).toBe('succeeded');
    expect(result.workspace).toEqual({
      id: home.id,
      name: home.name,
      pinned: true,
      switchedFrom: { id: staging.id, name: 'Staging' },
    });
    expect(result.analysis!.runs).toBeGreaterThan(0);
    const [json, markdown] = await Promise.all(
      result.reports.map(async (report) => Buffer.from(await storage.read(report.key)).toString('utf8')),
    );
    expect(JSON.parse(json!).workspace).toEqual({ id: home.id, name: home.name, pinned: true });
    expect(markdown).toContain(`Dify workspace ${home.name} (${home.id}).`);
  });

  it(
    'a pipeline run without workspaceId fails, reading nothing, ' +
      'when another workspace became current after its apps were listed',
    async () => {
      const { simulator, home, staging } = await twoWorkspaces();
      const app = simulator.apps.find(
        (candidate) => candidate.workspaceId === home.id && candidate.mode === 'workflow',
      )!;
      const notifier = recordingNotifier();
      const job: PipelineJob = {
        name: 'daily',
        apps: [{ id: app.id, client: client(simulator), workspace: { id: home.id, name: home.name } }],
        window: { mode: 'explicit', from: '2026-03-09T00:00:00Z', to: '2026-03-10T00:00:00Z' },
      };
      simulator.switchWorkspace(staging.id);
      simulator.resetStats();
      const result = await runPipeline(job, {
        storage: memoryStorage(),
        state: memoryStateStore(),
        notifiers: [notifier],
        now: clock,
      });
      expect(result.status).toBe('failed');
      expect(result.problems).toEqual([
        expect.objectContaining({
          stage: 'fetch',
          code: 'workspace_changed',
          message: expect.stringContaining('"Staging"'),
        }),
      ]);
      expect(result.reports).toEqual([]);
      expect(Object.keys(simulator.stats().byRoute).filter((route) => route.includes('/apps/'))).toEqual([]);
      expect(notifier.messages[0]).toMatchObject({ kind: 'failure' });
    },
  );

  it('a pipeline run without workspaceId and without a listing names the current workspace as not pinned', async () => {
    const { simulator, home } = await twoWorkspaces();
    const app = simulator.apps.find((candidate) => candidate.workspaceId === home.id && candidate.mode === 'workflow')!;
    const storage = memoryStorage();
    const result = await runPipeline(
      {
        name: 'daily',
        apps: [{ id: app.id, client: client(simulator) }],
        window: { mode: 'explicit', from: '2026-03-09T00:00:00Z', to: '2026-03-10T00:00:00Z' },
      },
      { storage, state: memoryStateStore(), now: clock },
    );
    expect(result.workspace).toMatchObject({ id: home.id, pinned: false });
    const markdown = Buffer.from(await storage.read(result.reports[1]!.key)).toString('utf8');
    expect(markdown).toContain(`(${home.id}, the account's current workspace).`);
  });
});
