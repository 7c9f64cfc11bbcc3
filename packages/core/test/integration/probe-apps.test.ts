import { describe, expect, it } from 'vitest';
import { createDifyClient } from '../../src/index.js';
import { chatflowApp, quickRetry, sim } from './helpers.js';

describe('the probe checks each conversation app on its own', () => {
  it("a chat app's failure stays on its own line; the chatflow's says it is an advanced-chat app", async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 20, runningRuns: 0, chatApps: true });
    const chat = simulator.apps.find((app) => app.mode === 'chat')!;
    const chatflow = chatflowApp(simulator);
    const completion = simulator.apps.find((app) => app.mode === 'completion')!;
    // Only the chat app's conversation list fails (every attempt).
    simulator.setFaults({ paths: `/apps/${chat.id}/chat-conversations`, rate5xx: 1 });
    const result = await createDifyClient({
      baseUrl: simulator.url,
      console: { ...simulator.account },
      retry: quickRetry,
    }).probe();
    const line = (id: string) => result.apps.find((app) => app.id === id)!;
    expect(line(chat.id)).toMatchObject({ mode: 'chat', data: 'none' });
    expect(line(chat.id).reason).toMatch(/^a chat app: conversations could not be read/);
    expect(line(chatflow.id)).toMatchObject({ mode: 'advanced-chat', data: 'conversations' });
    expect(line(chatflow.id).reason).toMatch(/^an advanced-chat app: conversations and messages/);
    expect(line(chatflow.id).reason).not.toContain(chat.id);
    expect(line(completion.id)).toMatchObject({ mode: 'completion', data: 'conversations' });
    expect(line(completion.id).reason).toMatch(/^a completion app: completion conversations/);
    expect(result.apps.find((app) => app.mode === 'agent-chat')!.reason).toMatch(/^an agent-chat app/);
    const problems = result.problems.filter((problem) => problem.step === 'conversations (console)');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain(chat.id);
  });
});
