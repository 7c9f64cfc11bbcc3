import { describe, expect, it } from 'vitest';
import { definePlugin, z } from '../src/adapter-kit.js';
import { createArchiveWriter } from '../src/entries/archive.js';
import { createDifyLogs } from '../src/index.js';
import { memoryStorage } from '../src/entries/pipeline.js';
import { chatMessage, run } from './support/records.js';

const window = { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' };

describe('runtime.report over the partitioned archive', () => {
  it("reports the archive's runs, and its messages of the same days in the conversation section", async () => {
    const storage = memoryStorage();
    const plugin = definePlugin({
      kind: 'storage',
      type: 'memory',
      description: 'the test storage',
      schema: z.strictObject({}),
      create: () => storage,
    });
    const runs = createArchiveWriter(storage, { job: 'daily', runId: 'run-1', window });
    for (const index of [1, 2, 3])
      await runs.add(
        run({ logId: `log-${index}`, runId: `run-${index}`, loggedAt: `2026-03-09T1${index}:00:00.000Z` }),
      );
    await runs.finish();
    const messages = createArchiveWriter(storage, { dataset: 'messages', job: 'daily', runId: 'run-1', window });
    const message = (id: string, conversationId: string) =>
      chatMessage({ appId: 'chat', conversationId, messageId: id, endUserId: 'eu-1' });
    await messages.add(message('m-1', 'c-1'));
    await messages.add(message('m-2', 'c-1'));
    await messages.add(message('m-3', 'c-2'));
    await messages.finish();

    const runtime = await createDifyLogs({
      plugins: [plugin],
      config: {
        dify: { baseUrl: 'http://127.0.0.1:9', apiKey: 'app-unused' },
        jobs: [{ name: 'daily' }],
        storage: { type: 'memory', memory: {} },
        state: { type: 'memory' },
      },
    });
    try {
      const rendered = await runtime.report({
        records: { archive: { from: '2026-03-09', to: '2026-03-09' } },
        formats: ['json'],
      });
      expect(rendered.analysis.runs).toBe(3);
      expect(rendered.analysis.conversations).toMatchObject({ conversations: 2, messages: 3 });
      await rendered.close();
    } finally {
      await runtime.close();
    }
  });
});
