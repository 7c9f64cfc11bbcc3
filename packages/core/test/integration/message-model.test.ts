import { describe, expect, it } from 'vitest';
import { readArchivedMessages } from '../../src/entries/archive.js';
import { createDifyClient, type MessageRecord } from '../../src/index.js';
import { memoryStateStore, memoryStorage, runPipeline, type PipelineApp } from '../../src/entries/pipeline.js';
import { quickRetry, sim } from './helpers.js';

async function archivedMessages(withNodeExecutions: boolean) {
  const simulator = await sim({ version: '1.13.3', runsPerApp: 30, runningRuns: 0, days: 2, chatApps: true });
  const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
  const apps: PipelineApp[] = [];
  for await (const app of client.apps()) if (app.mode !== 'workflow') apps.push({ id: app.id, client, mode: app.mode });
  const storage = memoryStorage();
  const result = await runPipeline(
    {
      name: 'daily',
      apps,
      window: { mode: 'explicit', from: '2026-03-01T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z' },
      archive: { mode: 'partitioned' },
      fetch: { withNodeExecutions },
    },
    { storage, state: memoryStateStore(), now: () => new Date('2026-03-10T12:00:00Z') },
  );
  expect(result.status, JSON.stringify(result.problems)).toBe('succeeded');
  const byMode = new Map<string, MessageRecord[]>();
  for await (const message of readArchivedMessages(storage, { from: '2026-03-01', to: '2026-03-10' })) {
    const mode = apps.find((app) => app.id === message.appId)!.mode!;
    byMode.set(mode, [...(byMode.get(mode) ?? []), message]);
  }
  return { byMode };
}

describe('the model that answered a message', () => {
  it("comes from the conversation's model settings, and for a chatflow from its run's model node", async () => {
    const { byMode } = await archivedMessages(true);
    for (const mode of ['chat', 'agent-chat', 'completion', 'advanced-chat']) {
      const messages = byMode.get(mode) ?? [];
      expect(messages.length, mode).toBeGreaterThan(0);
      for (const message of messages) {
        expect(message.modelProvider, mode).toMatch(/^langgenius\//);
        expect(message.modelName, mode).toEqual(expect.any(String));
      }
    }
  });

  it('is left out for a chatflow whose node executions were not read (its conversation names no model)', async () => {
    const { byMode } = await archivedMessages(false);
    expect(byMode.get('advanced-chat')!.every((message) => !('modelName' in message))).toBe(true);
    expect(byMode.get('chat')!.every((message) => message.modelName !== undefined)).toBe(true);
  });
});
