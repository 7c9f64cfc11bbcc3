import { describe, expect, it } from 'vitest';
import { chatflowApp, consoleGet, login, sim } from './helpers.js';

type Simulator = Awaited<ReturnType<typeof sim>>;
type Session = Awaited<ReturnType<typeof login>>;

async function listAll(simulator: Simulator, session: Session, path: string) {
  const found: any[] = [];
  for (let page = 1; ; page += 1) {
    const reply = await consoleGet(
      simulator,
      session,
      `${path}${path.includes('?') ? '&' : '?'}limit=100&page=${page}`,
    );
    expect(reply.status, reply.text).toBe(200);
    found.push(...reply.body.data);
    if (!reply.body.has_more) return found;
  }
}

async function messagesOf(simulator: Simulator, session: Session, appId: string, conversationId: string) {
  const reply = await consoleGet(simulator, session, `/apps/${appId}/chat-messages?conversation_id=${conversationId}`);
  return reply.body.data as Array<{ query: string; answer: string }>;
}

describe('conversation keyword search (console)', () => {
  it('chat conversations: any message, the name or the session id, case-insensitive', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 60, runningRuns: 0 });
    const session = await login(simulator);
    const app = chatflowApp(simulator);
    const all = await listAll(simulator, session, `/apps/${app.id}/chat-conversations`);
    const longest = all.find((conversation) => conversation.message_count >= 3)!;
    const last = (await messagesOf(simulator, session, app.id, longest.id)).at(-1)!;
    // A word of a later message's answer finds the conversation, whatever its case.
    const word = last.answer
      .split(/\s+/)
      .find((part) => part.length >= 6)!
      .toUpperCase();
    const found = await listAll(
      simulator,
      session,
      `/apps/${app.id}/chat-conversations?keyword=${encodeURIComponent(word)}`,
    );
    expect(found.map((conversation) => conversation.id)).toContain(longest.id);
    expect(found.length).toBeLessThan(all.length);
    for (const conversation of found) {
      const texts = (await messagesOf(simulator, session, app.id, conversation.id)).flatMap((message) => [
        message.query,
        message.answer,
      ]);
      const haystack = [...texts, conversation.name, conversation.from_end_user_session_id ?? ''].join('\n');
      expect(haystack.toLowerCase()).toContain(word.toLowerCase());
    }
    const user = all.find((conversation) => conversation.from_end_user_session_id?.startsWith('crm-user-'))!;
    const bySession = await listAll(
      simulator,
      session,
      `/apps/${app.id}/chat-conversations?keyword=${encodeURIComponent(user.from_end_user_session_id)}`,
    );
    expect(bySession.map((conversation) => conversation.id)).toContain(user.id);
    const none = await listAll(simulator, session, `/apps/${app.id}/chat-conversations?keyword=zz-no-such-text-zz`);
    expect(none).toEqual([]);
  });

  it("'%' and '_' are wildcards up to 1.11.2 and literal from 1.11.3 (escape_like_pattern)", async () => {
    for (const [version, wildcard] of [
      ['1.11.2', true],
      ['1.13.3', false],
    ] as const) {
      const simulator = await sim({ version, runsPerApp: 30, runningRuns: 0, chatApps: true });
      const session = await login(simulator);
      const chat = chatflowApp(simulator);
      const completion = simulator.apps.find((app) => app.mode === 'completion')!;
      const chats = await listAll(simulator, session, `/apps/${chat.id}/chat-conversations`);
      const completions = await listAll(simulator, session, `/apps/${completion.id}/completion-conversations`);
      const chatHits = await listAll(simulator, session, `/apps/${chat.id}/chat-conversations?keyword=%25`);
      const completionHits = await listAll(
        simulator,
        session,
        `/apps/${completion.id}/completion-conversations?keyword=_`,
      );
      expect([version, chatHits.length]).toEqual([version, wildcard ? chats.length : 0]);
      expect([version, completionHits.length]).toEqual([version, wildcard ? completions.length : 0]);
    }
  });

  it('completion conversations: the query or the answer of the message', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 40, runningRuns: 0, chatApps: true });
    const session = await login(simulator);
    const app = simulator.apps.find((candidate) => candidate.mode === 'completion')!;
    const all = await listAll(simulator, session, `/apps/${app.id}/completion-conversations`);
    const pick = all[5];
    const word = pick.message.query.split(/\s+/).find((part: string) => part.length >= 5);
    const found = await listAll(
      simulator,
      session,
      `/apps/${app.id}/completion-conversations?keyword=${encodeURIComponent(word)}`,
    );
    expect(found.map((conversation) => conversation.id)).toContain(pick.id);
    for (const conversation of found)
      expect(`${conversation.message.query}\n${conversation.message.answer}`.toLowerCase()).toContain(
        word.toLowerCase(),
      );
  });
});
