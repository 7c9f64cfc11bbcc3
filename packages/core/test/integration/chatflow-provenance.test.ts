import { describe, expect, it } from 'vitest';
import { createDifyClient, type RunRecord } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline } from '../../src/entries/pipeline.js';
import { chatflowApp, quickRetry, sim } from './helpers.js';

const ADMIN_KEY = 'provenance-test-admin-key';

describe('chatflow run provenance', () => {
  it("says web-app, service-api or installed-app as Dify's end user and source say, with the session id", async () => {
    const simulator = await sim({
      version: '1.13.3',
      runsPerApp: 120,
      runningRuns: 0,
      days: 2,
      adminApiKey: ADMIN_KEY,
    });
    const app = chatflowApp(simulator);
    const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
    const storage = memoryStorage();
    const result = await runPipeline(
      {
        name: 'provenance',
        apps: [{ id: app.id, client, mode: 'advanced-chat' }],
        window: { mode: 'explicit', from: '2026-03-08T00:00:00Z', to: '2026-03-11T00:00:00Z' },
        privacy: { endUser: 'keep' }, // session ids compared as Dify sends them
      },
      { storage, state: memoryStateStore(), now: () => new Date('2026-03-10T12:00:00Z') },
    );
    expect(result.status, JSON.stringify(result.problems)).toBe('succeeded');
    const runs = Buffer.from(await storage.read(result.archive!.key))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RunRecord);
    expect(runs.length).toBeGreaterThan(50);
    // What Dify says, read here with the admin key: the run's creator and the conversation's session id.
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'x-workspace-id': simulator.workspaceId };
    const sessions = new Map<string, string | null>();
    for (let page = 1; ; page += 1) {
      const response = await fetch(
        `${simulator.url}/console/api/apps/${app.id}/chat-conversations?limit=100&page=${page}`,
        { headers },
      );
      const body = (await response.json()) as { has_more: boolean; data: any[] };
      for (const conversation of body.data) sessions.set(conversation.id, conversation.from_end_user_session_id);
      if (!body.has_more) break;
    }
    const seen = new Set<string | null>();
    for (const run of runs) {
      const response = await fetch(`${simulator.url}/console/api/apps/${app.id}/workflow-runs/${run.runId}`, {
        headers,
      });
      if (response.status === 404) continue; // a run Dify lost: nothing to say where it came from
      const detail = (await response.json()) as any;
      const endUser = detail.created_by_end_user;
      const expected = endUser ? (endUser.type === 'browser' ? 'web-app' : 'service-api') : 'installed-app';
      expect([run.runId, run.createdFrom]).toEqual([run.runId, expected]);
      expect(run.createdByRole).toBe(endUser ? 'end_user' : 'account');
      expect(run.endUserSessionId).toBe(endUser ? sessions.get(run.conversationId!) : null);
      if (endUser) expect(run.endUserSessionId).toBe(endUser.session_id);
      seen.add(run.createdFrom);
    }
    expect([...seen].sort()).toEqual(['installed-app', 'service-api', 'web-app']);
  });
});
