import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, filesUnder, sim, tempDir, writeWorkspaceConfig } from './helpers.js';

describe('completion apps and per-app probing (CLI)', () => {
  it('dify-logs run with apps: all reads the completion app beside the chat apps', async () => {
    const simulator = await sim({
      runsPerApp: 30,
      runningRuns: 0,
      now: new Date(Date.now() - 60_000).toISOString(),
      days: 1,
      chatApps: true,
    });
    const dir = await tempDir();
    await writeWorkspaceConfig(dir, simulator, { job: ['    outputFormat: [markdown]'] });
    const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const files = filesUnder(join(dir, 'outputs'));
    // The messages are partitioned beside the runs' archive (gzip NDJSON per app and UTC day).
    const parts = files.filter((file) => file.includes('archive-messages') && file.endsWith('.ndjson.gz'));
    const messages = parts
      .flatMap((part) => gunzipSync(readFileSync(part)).toString('utf8').split('\n'))
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { appId: string; conversationId: string; messageId: string });
    const completion = simulator.apps.find((app) => app.mode === 'completion')!;
    const completionMessages = messages.filter((message) => message.appId === completion.id);
    expect(completionMessages).toHaveLength(30);
    expect(new Set(completionMessages.map((message) => message.conversationId)).size).toBe(30);
    const modes = new Set(messages.map((message) => simulator.apps.find((app) => app.id === message.appId)!.mode));
    expect([...modes].sort()).toEqual(['advanced-chat', 'agent-chat', 'chat', 'completion']);
  });

  it("dify-logs probe: a failing chat app stays on its line; the chatflow's says 'an advanced-chat app'", async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 20, runningRuns: 0, chatApps: true });
    const chat = simulator.apps.find((app) => app.mode === 'chat')!;
    const chatflow = simulator.apps.find((app) => app.mode === 'advanced-chat')!;
    const completion = simulator.apps.find((app) => app.mode === 'completion')!;
    simulator.setFaults({ paths: `/apps/${chat.id}/chat-conversations`, rate5xx: 1 });
    const result = await cli(['probe', '--base-url', simulator.url, '--console-email', simulator.account.email], {
      env: { DIFY_CONSOLE_PASSWORD: simulator.account.password },
    });
    const lineOf = (id: string) => result.stdout.split('\n').find((line) => line.startsWith(`app ${id}`))!;
    expect(lineOf(chat.id)).toMatch(/: nothing \(a chat app: conversations could not be read/);
    expect(lineOf(chatflow.id)).toMatch(/: conversations \(an advanced-chat app: conversations and messages/);
    expect(lineOf(chatflow.id)).not.toContain(chat.id);
    expect(lineOf(chatflow.id)).not.toMatch(/could not be read/);
    expect(lineOf(completion.id)).toMatch(/: conversations \(a completion app: completion conversations/);
    expect(result.stdout).toMatch(new RegExp(`problem: conversations \\(console\\): app ${chat.id}`));
  });
});
