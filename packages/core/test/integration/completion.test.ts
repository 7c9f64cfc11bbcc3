import { describe, expect, it } from 'vitest';
import { createDifyClient, type MessageRecord } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline, type PipelineApp } from '../../src/entries/pipeline.js';
import { quickRetry, sim } from './helpers.js';

type Simulator = Awaited<ReturnType<typeof sim>>;
const ADMIN_KEY = 'completion-test-admin-key';

function completionApp(simulator: Simulator) {
  return simulator.apps.find((app) => app.mode === 'completion')!;
}

/** The completion app's conversations as the console lists them (admin key, not the client under test). */
async function listed(simulator: Simulator, appId: string) {
  const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'x-workspace-id': simulator.workspaceId };
  const found: any[] = [];
  for (let page = 1; ; page += 1) {
    const response = await fetch(
      `${simulator.url}/console/api/apps/${appId}/completion-conversations?limit=100&page=${page}`,
      { headers },
    );
    const body = (await response.json()) as { has_more: boolean; data: any[] };
    found.push(...body.data);
    if (!body.has_more) return found;
  }
}

describe('completion apps in the pipeline', () => {
  it('reads every message of the window, one conversation each, with its feedback and tokens', async () => {
    const simulator = await sim({
      version: '1.13.3',
      runsPerApp: 60,
      runningRuns: 0,
      days: 4,
      chatApps: true,
      adminApiKey: ADMIN_KEY,
    });
    const app = completionApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
    const storage = memoryStorage();
    const window = { mode: 'explicit' as const, from: '2026-03-08T00:00:00Z', to: '2026-03-10T00:00:00Z' };
    const apps: PipelineApp[] = [{ id: app.id, client, mode: 'completion' }];
    const result = await runPipeline(
      { name: 'completion', apps, window },
      { storage, state: memoryStateStore(), now: () => new Date('2026-03-10T12:00:00Z') },
    );
    expect(result.status, JSON.stringify(result.problems)).toBe('succeeded');
    const all = await listed(simulator, app.id);
    const inWindow = all.filter(
      (conversation) =>
        conversation.created_at * 1000 >= Date.parse(window.from) &&
        conversation.created_at * 1000 < Date.parse(window.to),
    );
    expect(inWindow.length).toBeGreaterThan(20);
    expect(inWindow.length).toBeLessThan(all.length);
    const stored = Buffer.from(await storage.read(result.messages!.key))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as MessageRecord);
    expect(stored.map((message) => message.conversationId).sort()).toEqual(
      inWindow.map((conversation) => conversation.id).sort(),
    );
    const byConversation = new Map(inWindow.map((conversation) => [conversation.id, conversation]));
    for (const message of stored) {
      const conversation = byConversation.get(message.conversationId)!;
      expect(message).toMatchObject({
        appId: app.id,
        query: conversation.message.query,
        answer: conversation.message.answer,
        workflowRunId: null,
        feedback:
          conversation.user_feedback_stats.like > 0
            ? 'like'
            : conversation.user_feedback_stats.dislike > 0
              ? 'dislike'
              : null,
      });
      expect(message.messageId).not.toBe(message.conversationId);
    }
    expect(stored.filter((message) => message.totalTokens > 0).length).toBeGreaterThan(stored.length / 2);
    expect(stored.some((message) => message.feedback !== null)).toBe(true);
    expect(result.analysis!.runs).toBe(0);
    expect(result.analysis!.conversations!.messages).toBe(inWindow.length);
    expect(result.analysis!.conversations!.conversations).toBe(inWindow.length);
    // What Dify does when a completion log is opened: the conversations read are marked read.
    const after = await listed(simulator, app.id);
    expect(after.filter((conversation) => conversation.read_at !== null).length).toBeGreaterThanOrEqual(
      inWindow.length,
    );
  });
});
