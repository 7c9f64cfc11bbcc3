import { describe, expect, it } from 'vitest';
import { chatflowApp, consoleGet, login, sim, workflowApp } from './helpers.js';

async function allConversations(
  simulator: Awaited<ReturnType<typeof sim>>,
  session: Awaited<ReturnType<typeof login>>,
  appId: string,
  query = '',
) {
  const found: any[] = [];
  for (let page = 1; ; page += 1) {
    const reply = await consoleGet(
      simulator,
      session,
      `/apps/${appId}/chat-conversations?limit=100&page=${page}${query}`,
    );
    expect(reply.status, reply.text).toBe(200);
    found.push(...reply.body.data);
    if (!reply.body.has_more) return found;
  }
}

describe('chat conversations and messages (console)', () => {
  it('groups every finished chatflow run into conversations whose messages link their workflow runs', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 60, runningRuns: 2 });
    const session = await login(simulator);
    const app = chatflowApp(simulator);
    const conversations = await allConversations(simulator, session, app.id);
    expect(conversations.length).toBeGreaterThan(15);
    const times = conversations.map((conversation) => conversation.updated_at);
    expect(times).toEqual([...times].sort((a, b) => b - a)); // -updated_at by default
    let messages = 0;
    for (const conversation of conversations) {
      const reply = await consoleGet(
        simulator,
        session,
        `/apps/${app.id}/chat-messages?conversation_id=${conversation.id}&limit=100`,
      );
      expect(reply.status).toBe(200);
      expect(reply.body.data).toHaveLength(conversation.message_count);
      for (const message of reply.body.data) {
        expect(message.conversation_id).toBe(conversation.id);
        const run = await consoleGet(simulator, session, `/apps/${app.id}/workflow-runs/${message.workflow_run_id}`);
        expect([200, 404]).toContain(run.status); // a run Dify lost answers 404
        if (run.status === 200)
          expect(run.body.inputs['sys.conversation_id'] ?? JSON.parse(run.body.inputs)['sys.conversation_id']).toBe(
            conversation.id,
          );
      }
      messages += reply.body.data.length;
    }
    expect(messages).toBe(58); // 60 runs, 2 still running
  });

  it("serves a conversation's model settings as Dify does: a chat app's model, none for a chatflow", async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 30, runningRuns: 0, chatApps: true });
    const session = await login(simulator);
    const chat = simulator.apps.find((app) => app.mode === 'chat')!;
    const [first] = await allConversations(simulator, session, chat.id);
    // `AppModelConfig.model_dict`: the provider, the model's name, its mode and its parameters.
    expect(first.model_config.model).toEqual({
      provider: expect.stringContaining('/'),
      name: expect.any(String),
      mode: 'chat',
      completion_params: {},
    });
    // A chatflow's conversation config is only its `model_id` and `provider` (null): no model.
    const [flow] = await allConversations(simulator, session, chatflowApp(simulator).id);
    expect(flow.model_config).toEqual({ model: null, pre_prompt: null });
    // Messages never name their model (`message_detail_fields` has no model_id or model_provider).
    const messages = await consoleGet(
      simulator,
      session,
      `/apps/${chat.id}/chat-messages?conversation_id=${first.id}&limit=100`,
    );
    expect(Object.keys(messages.body.data[0]).filter((key) => key.startsWith('model'))).toEqual([]);
  });

  it('pages messages backwards with first_id, each page in chronological order', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 60, runningRuns: 0 });
    const session = await login(simulator);
    const app = chatflowApp(simulator);
    const conversation = (await allConversations(simulator, session, app.id)).find(
      (candidate) => candidate.message_count === 4,
    )!;
    const newest = await consoleGet(
      simulator,
      session,
      `/apps/${app.id}/chat-messages?conversation_id=${conversation.id}&limit=3`,
    );
    expect(newest.body).toMatchObject({ limit: 3, has_more: true });
    expect(newest.body.data.map((message: any) => message.created_at)).toEqual(
      [...newest.body.data.map((message: any) => message.created_at)].sort(),
    );
    const older = await consoleGet(
      simulator,
      session,
      `/apps/${app.id}/chat-messages?conversation_id=${conversation.id}&limit=3&first_id=${newest.body.data[0].id}`,
    );
    expect(older.body).toMatchObject({ has_more: false });
    expect(older.body.data).toHaveLength(1);
    expect(older.body.data[0].created_at).toBeLessThanOrEqual(newest.body.data[0].created_at);
  });

  it("reads start and end as minutes in the account's time zone, end widened to :59", async () => {
    const simulator = await sim({
      version: '1.13.3',
      runsPerApp: 80,
      runningRuns: 0,
      accountTimezone: 'Asia/Shanghai',
    });
    const session = await login(simulator);
    expect((await consoleGet(simulator, session, '/account/profile')).body.timezone).toBe('Asia/Shanghai');
    const app = chatflowApp(simulator);
    const all = await allConversations(simulator, session, app.id, '&sort_by=created_at');
    const pick = all[Math.floor(all.length / 2)];
    // The conversation's creation minute in Shanghai (UTC+8) as Dify's filter format.
    const local = new Date(pick.created_at * 1000 + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    const exact = await allConversations(
      simulator,
      session,
      app.id,
      `&sort_by=created_at&start=${encodeURIComponent(local)}&end=${encodeURIComponent(local)}`,
    );
    expect(exact.map((conversation) => conversation.id)).toContain(pick.id);
    expect(
      exact.every((conversation) => Math.floor(conversation.created_at / 60) === Math.floor(pick.created_at / 60)),
    ).toBe(true);
    expect(
      (await consoleGet(simulator, session, `/apps/${app.id}/chat-conversations?start=2026-03-01T00:00:00Z`)).status,
    ).toBe(400);
  });

  it('answers 404 for a workflow app, 403 for an account below editor', async () => {
    const simulator = await sim({
      version: '1.13.3',
      account: { email: 'viewer@example.com', password: 'viewer-password', role: 'normal' },
    });
    const session = await login(simulator);
    expect((await consoleGet(simulator, session, `/apps/${chatflowApp(simulator).id}/chat-conversations`)).status).toBe(
      403,
    );
    const owner = await sim({ version: '1.13.3' });
    const ownerSession = await login(owner);
    const wrongMode = await consoleGet(owner, ownerSession, `/apps/${workflowApp(owner).id}/chat-conversations`);
    expect(wrongMode.status).toBe(404);
    expect(wrongMode.body.code).toBe('app_not_found');
  });
});
