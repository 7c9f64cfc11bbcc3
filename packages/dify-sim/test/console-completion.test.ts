import { describe, expect, it } from 'vitest';
import { chatflowApp, consoleGet, login, sim } from './helpers.js';

type Simulator = Awaited<ReturnType<typeof sim>>;
type Session = Awaited<ReturnType<typeof login>>;

function completionApp(simulator: Simulator) {
  return simulator.apps.find((app) => app.mode === 'completion')!;
}

async function listAll(simulator: Simulator, session: Session, appId: string, query = '') {
  const found: any[] = [];
  for (let page = 1; ; page += 1) {
    const reply = await consoleGet(
      simulator,
      session,
      `/apps/${appId}/completion-conversations?limit=100&page=${page}${query}`,
    );
    expect(reply.status, reply.text).toBe(200);
    found.push(...reply.body.data);
    if (!reply.body.has_more) return found;
  }
}

describe('completion apps (console completion-conversations)', () => {
  it("lists one conversation per message, newest first, in Dify's conversation_fields shape", async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 40, runningRuns: 0, chatApps: true });
    const session = await login(simulator);
    const app = completionApp(simulator);
    const conversations = await listAll(simulator, session, app.id);
    expect(conversations).toHaveLength(40);
    const times = conversations.map((conversation) => conversation.created_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(Object.keys(conversations[0]).sort()).toEqual(
      [
        'id',
        'status',
        'from_source',
        'from_end_user_id',
        'from_end_user_session_id',
        'from_account_id',
        'from_account_name',
        'read_at',
        'created_at',
        'updated_at',
        'annotation',
        'model_config',
        'user_feedback_stats',
        'admin_feedback_stats',
        'message',
      ].sort(),
    );
    expect(Object.keys(conversations[0].message).sort()).toEqual(['answer', 'inputs', 'message', 'query']);
    const page = await consoleGet(simulator, session, `/apps/${app.id}/completion-conversations?limit=7&page=2`);
    expect(page.body).toMatchObject({ page: 2, limit: 7, total: 40, has_more: true });
    expect(page.body.data.map((conversation: any) => conversation.id)).toEqual(
      conversations.slice(7, 14).map((conversation) => conversation.id),
    );
  });

  it('serves the conversation detail with its message in full, marks it read, and the message by id', async () => {
    const simulator = await sim({ version: '1.11.2', runsPerApp: 60, runningRuns: 0, chatApps: true });
    const session = await login(simulator);
    const app = completionApp(simulator);
    const conversations = await listAll(simulator, session, app.id);
    const liked = conversations.find((conversation) => conversation.user_feedback_stats.like === 1)!;
    expect(liked.read_at).toBeNull();
    const detail = await consoleGet(simulator, session, `/apps/${app.id}/completion-conversations/${liked.id}`);
    expect(detail.status, detail.text).toBe(200);
    expect(detail.body).toMatchObject({ id: liked.id, created_at: liked.created_at });
    const message = detail.body.message;
    expect(message).toMatchObject({
      conversation_id: liked.id,
      query: liked.message.query,
      answer: liked.message.answer,
      workflow_run_id: null,
      feedbacks: [expect.objectContaining({ rating: 'like', from_source: 'user' })],
    });
    expect(message.message_tokens + message.answer_tokens).toBeGreaterThan(0);
    const again = (await listAll(simulator, session, app.id)).find((conversation) => conversation.id === liked.id);
    expect(again.read_at).toEqual(expect.any(Number));
    const byId = await consoleGet(simulator, session, `/apps/${app.id}/messages/${message.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(message);
    const unknown = await consoleGet(simulator, session, `/apps/${app.id}/messages/${liked.id}`);
    expect([unknown.status, unknown.body.message]).toEqual([404, 'Message Not Exists.']);
  });

  it('filters on created_at in the account time zone; other modes and viewers are refused', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 60, runningRuns: 0, chatApps: true });
    const session = await login(simulator);
    const app = completionApp(simulator);
    const all = await listAll(simulator, session, app.id);
    const pick = all[20];
    const local = new Date(pick.created_at * 1000 + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    const from = await listAll(simulator, session, app.id, `&start=${encodeURIComponent(local)}`);
    expect(from.map((conversation) => conversation.id)).toContain(pick.id);
    expect(from.every((conversation) => conversation.created_at >= Math.floor(pick.created_at / 60) * 60)).toBe(true);
    expect(from.length).toBeLessThan(all.length);
    const wrongMode = await consoleGet(
      simulator,
      session,
      `/apps/${chatflowApp(simulator).id}/completion-conversations`,
    );
    expect([wrongMode.status, wrongMode.body.code]).toEqual([404, 'app_not_found']);
    expect((await consoleGet(simulator, session, `/apps/${app.id}/chat-conversations`)).status).toBe(404);
    const viewerSim = await sim({
      version: '1.13.3',
      chatApps: true,
      account: { email: 'viewer@example.com', password: 'viewer-password', role: 'normal' },
    });
    const viewer = await login(viewerSim);
    expect(
      (await consoleGet(viewerSim, viewer, `/apps/${completionApp(viewerSim).id}/completion-conversations`)).status,
    ).toBe(403);
  });
});
