import { describe, expect, it } from 'vitest';
import { createDifyClient, type MessageRecord, type RunRecord } from '../../src/index.js';
import {
  memoryStateStore,
  memoryStorage,
  runPipeline,
  type PipelineApp,
  type PipelineJob,
} from '../../src/entries/pipeline.js';
import type { StorageAdapter } from '../../src/adapter-kit.js';
import { chatflowApp, quickRetry, sim, workflowApp } from './helpers.js';

type Simulator = Awaited<ReturnType<typeof sim>>;
const ADMIN_KEY = 'chat-test-admin-key';

/**
 * The chatflow's production runs in [from, to), read from the console's workflow-runs list (not the conversation
 * endpoints).
 */
async function chatflowRunsBetween(
  simulator: Simulator,
  appId: string,
  from: string,
  to: string,
): Promise<Set<string>> {
  const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'x-workspace-id': simulator.workspaceId };
  const ids = new Set<string>();
  let lastId: string | undefined;
  for (;;) {
    const response = await fetch(
      `${simulator.url}/console/api/apps/${appId}` +
        `/workflow-runs?triggered_from=app-run&limit=100${lastId ? `&last_id=${lastId}` : ''}`,
      { headers },
    );
    const body = (await response.json()) as {
      has_more: boolean;
      data: Array<{ id: string; created_at: number; status: string }>;
    };
    for (const run of body.data) {
      const at = run.created_at * 1000;
      if (at >= Date.parse(from) && at < Date.parse(to) && run.status !== 'running') ids.add(run.id);
    }
    if (!body.has_more || body.data.length === 0) return ids;
    lastId = body.data.at(-1)!.id;
  }
}

function consoleApps(simulator: Simulator): PipelineApp[] {
  return [workflowApp(simulator), chatflowApp(simulator)].map((app) => ({
    id: app.id,
    client: createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry }),
  }));
}

async function archived(storage: StorageAdapter, key: string): Promise<RunRecord[]> {
  return Buffer.from(await storage.read(key))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunRecord);
}

describe('chat apps in the pipeline', () => {
  it(
    'reports a workflow app and a chatflow app together: chatflow ' +
      'runs behind their messages, and a conversation section',
    async () => {
      const simulator = await sim({
        version: '1.13.3',
        runsPerApp: 150,
        runningRuns: 0,
        days: 3,
        adminApiKey: ADMIN_KEY,
        accountTimezone: 'Asia/Shanghai',
      });
      const storage = memoryStorage();
      const window = { mode: 'explicit' as const, from: '2026-03-08T00:00:00Z', to: '2026-03-10T00:00:00Z' };
      const job: PipelineJob = {
        name: 'mixed',
        apps: consoleApps(simulator),
        window,
        fetch: { withNodeExecutions: true },
      };
      const result = await runPipeline(job, {
        storage,
        state: memoryStateStore(),
        now: () => new Date('2026-03-10T12:00:00Z'),
      });
      expect(result.status, JSON.stringify(result.problems)).toBe('succeeded');
      const chatflow = chatflowApp(simulator).id;
      const expected = await chatflowRunsBetween(simulator, chatflow, window.from, window.to);
      expect(expected.size).toBeGreaterThan(40);
      const records = await archived(storage, result.archive!.key);
      const chatRuns = records.filter((record) => record.appId === chatflow);
      expect(new Set(chatRuns.map((record) => record.runId))).toEqual(expected);
      expect(chatRuns).toHaveLength(expected.size);
      expect(
        chatRuns.every(
          (record) => record.messageId === record.logId && record.conversationId && (record.nodes?.length ?? 0) > 0,
        ),
      ).toBe(true);
      expect(records.some((record) => record.appId === workflowApp(simulator).id)).toBe(true);
      const analysis = result.analysis!;
      expect(analysis.apps.map((app) => app.appId).sort()).toEqual([chatflow, workflowApp(simulator).id].sort());
      expect(analysis.conversations).toBeDefined();
      expect(analysis.conversations!.messages).toBe(expected.size);
      expect(analysis.conversations!.apps).toEqual([
        expect.objectContaining({ appId: chatflow, messages: expected.size }),
      ]);
      expect(analysis.conversations!.conversations).toBe(new Set(chatRuns.map((record) => record.conversationId)).size);
      expect(analysis.conversations!.failed).toBe(chatRuns.filter((record) => record.status === 'failed').length);
      const markdown = Buffer.from(
        await storage.read(result.reports.find((report) => report.key.endsWith('.md'))!.key),
      ).toString('utf8');
      expect(markdown).toContain('## Conversations');
      // The messages: NDJSON beside the archive.
      const stored = Buffer.from(await storage.read(result.messages!.key))
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as MessageRecord);
      expect(stored.map((message) => message.workflowRunId).sort()).toEqual([...expected].sort());
    },
  );

  // Clocks went forward at 2026-03-08 07:00 UTC (02:00 EST → 03:00 EDT) and back at 2026-11-01 06:00 UTC (02:00 EDT →
  // 01:00 EST).
  it.each([
    {
      change: 'spring forward',
      now: '2026-03-09T18:00:00Z',
      edges: ['2026-03-07T06:30:00Z', '2026-03-08T06:59:30Z', '2026-03-08T07:00:30Z', '2026-03-09T05:00:00Z'],
    },
    {
      change: 'fall back',
      now: '2026-11-02T18:00:00Z',
      edges: [
        '2026-10-31T04:30:00Z',
        '2026-11-01T05:30:00Z',
        '2026-11-01T06:00:30Z',
        '2026-11-01T06:40:00Z',
        '2026-11-02T05:00:00Z',
      ],
    },
  ])(
    'across a DST change ($change, America/New_York), split windows lose and duplicate no message',
    async ({ now, edges }) => {
      const simulator = await sim({
        version: '1.13.3',
        runsPerApp: 240,
        runningRuns: 0,
        days: 4,
        now,
        adminApiKey: ADMIN_KEY,
        accountTimezone: 'America/New_York',
      });
      const chatflow = chatflowApp(simulator).id;
      const app = consoleApps(simulator)[1]!;
      const seen: string[] = [];
      for (let index = 0; index + 1 < edges.length; index += 1) {
        const storage = memoryStorage();
        const job: PipelineJob = {
          name: `dst${index}`,
          apps: [{ ...app, mode: 'advanced-chat' }],
          window: { mode: 'explicit', from: edges[index]!, to: edges[index + 1]! },
        };
        const result = await runPipeline(job, { storage, state: memoryStateStore(), now: () => new Date(now) });
        expect(result.status, JSON.stringify(result.problems)).toBe('succeeded');
        seen.push(...(await archived(storage, result.archive!.key)).map((record) => record.runId!));
      }
      const expected = await chatflowRunsBetween(simulator, chatflow, edges[0]!, edges.at(-1)!);
      expect(expected.size).toBeGreaterThan(100);
      expect(seen).toHaveLength(new Set(seen).size);
      expect(new Set(seen)).toEqual(expected);
    },
  );

  it("says clearly when the credentials cannot reach a chat app's conversations", async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 40, runningRuns: 0 });
    const chat = chatflowApp(simulator);
    const work = workflowApp(simulator);
    const apps: PipelineApp[] = [
      {
        id: work.id,
        client: createDifyClient({ baseUrl: simulator.url, apiKey: work.apiKey, appId: work.id, retry: quickRetry }),
      },
      {
        id: chat.id,
        client: createDifyClient({ baseUrl: simulator.url, apiKey: chat.apiKey, appId: chat.id, retry: quickRetry }),
      },
    ];
    const result = await runPipeline(
      { name: 'keys', apps, window: { mode: 'explicit', from: '2026-03-03T00:00:00Z', to: '2026-03-11T00:00:00Z' } },
      { storage: memoryStorage(), state: memoryStateStore(), now: () => new Date('2026-03-10T12:00:00Z') },
    );
    expect(result.status).toBe('partial');
    const problem = result.problems.find((candidate) => candidate.appId === chat.id)!;
    expect(problem.message).toMatch(/advanced-chat app: Dify keeps no workflow logs for it/);
    expect(problem.message).toMatch(/console access/);
    expect(result.analysis!.failedApps).toEqual([{ appId: chat.id, error: expect.stringMatching(/console access/) }]);
    expect(result.analysis!.runs).toBeGreaterThan(0); // the workflow app is still reported
  });

  it('the probe says per app which data the credentials reach, and why', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 20, runningRuns: 0 });
    const chat = chatflowApp(simulator);
    const owner = await createDifyClient({
      baseUrl: simulator.url,
      console: { ...simulator.account },
      retry: quickRetry,
    }).probe();
    expect(owner.apps.find((app) => app.id === chat.id)).toMatchObject({
      mode: 'advanced-chat',
      data: 'conversations',
    });
    expect(owner.apps.find((app) => app.id === workflowApp(simulator).id)).toMatchObject({
      mode: 'workflow',
      data: 'runs',
    });

    const keyOnly = await createDifyClient({
      baseUrl: simulator.url,
      apiKey: chat.apiKey,
      appId: chat.id,
      retry: quickRetry,
    }).probe();
    expect(keyOnly.apps).toEqual([
      expect.objectContaining({
        id: chat.id,
        mode: 'advanced-chat',
        data: 'none',
        reason: expect.stringMatching(/no workflow logs.*console access/),
      }),
    ]);

    const viewerSim = await sim({
      version: '1.13.3',
      runsPerApp: 20,
      account: { email: 'viewer@example.com', password: 'viewer-password', role: 'normal' },
    });
    const viewer = await createDifyClient({
      baseUrl: viewerSim.url,
      console: { ...viewerSim.account },
      retry: quickRetry,
    }).probe();
    expect(viewer.apps.find((app) => app.mode === 'advanced-chat')).toMatchObject({
      data: 'none',
      reason: expect.stringMatching(/editor role/),
    });
    expect(viewer.problems.map((problem) => problem.step)).toContain('conversations (console)');
  });

  it('reads chat and agent apps (messages, no workflow runs) discovered through the console', async () => {
    const simulator = await sim({ version: '1.11.2', runsPerApp: 50, runningRuns: 0, days: 2, chatApps: true });
    const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
    const apps: PipelineApp[] = [];
    for await (const app of client.apps())
      if (app.mode === 'chat' || app.mode === 'agent-chat') apps.push({ id: app.id, client, mode: app.mode });
    expect(apps.map((app) => app.mode).sort()).toEqual(['agent-chat', 'chat']);
    const storage = memoryStorage();
    const result = await runPipeline(
      { name: 'chats', apps, window: { mode: 'explicit', from: '2026-03-01T00:00:00Z', to: '2026-03-11T00:00:00Z' } },
      { storage, state: memoryStateStore(), now: () => new Date('2026-03-10T12:00:00Z') },
    );
    expect(result.status, JSON.stringify(result.problems)).toBe('succeeded');
    expect(result.analysis!.runs).toBe(0);
    expect(result.analysis!.conversations!.messages).toBe(100);
    expect(result.analysis!.conversations!.apps.map((app) => app.messages)).toEqual([50, 50]);
    const stored = Buffer.from(await storage.read(result.messages!.key))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as MessageRecord);
    expect(stored).toHaveLength(100);
    expect(stored.every((message) => message.workflowRunId === null && message.query)).toBe(true);
    expect(stored.some((message) => message.feedback === 'like')).toBe(true);
  });
});

describe("chat messages' extra_contents (Dify 1.13 Human Input)", () => {
  it('keeps the forms a chatflow run waited at on the message, never the form token', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 150, runningRuns: 0, days: 3 });
    const storage = memoryStorage();
    const app = chatflowApp(simulator);
    const job: PipelineJob = {
      name: 'chat',
      apps: [
        {
          id: app.id,
          client: createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry }),
        },
      ],
      window: { mode: 'explicit', from: '2026-03-07T00:00:00Z', to: '2026-03-11T00:00:00Z' },
    };
    const result = await runPipeline(job, {
      storage,
      state: memoryStateStore(),
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    const text = Buffer.from(await storage.read(result.messages!.key)).toString('utf8');
    const messages = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as MessageRecord);
    const withForms = messages.filter((message) => message.extraContents);
    expect(withForms.length).toBeGreaterThan(3);
    expect(withForms.length).toBeLessThan(messages.length / 4);
    for (const message of withForms) {
      expect(message.extraContents).toEqual([
        {
          type: 'human_input',
          workflowRunId: message.workflowRunId,
          submitted: true,
          formId: expect.any(String),
          nodeId: expect.any(String),
          nodeTitle: 'Review answer',
          actionId: 'approve',
          actionText: 'Approve',
          renderedContent: 'Approve this answer?',
        },
      ]);
      expect(text).not.toContain(message.extraContents![0]!.formId!.replace(/-/g, ''));
    }
  });
});
