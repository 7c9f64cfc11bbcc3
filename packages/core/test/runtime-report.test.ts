import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePlugin, z, type StorageAdapter } from '../src/adapter-kit.js';
import { createArchiveWriter } from '../src/entries/archive.js';
import { createDifyLogs } from '../src/index.js';
import { memoryStorage } from '../src/entries/pipeline.js';
import { chatConversation, chatMessage, run } from './support/records.js';

const window = { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' };

/** A runtime whose configured storage (`memory`) is `storage`. */
function runtimeOver(storage: StorageAdapter) {
  const plugin = definePlugin({
    kind: 'storage',
    type: 'memory',
    description: 'the test storage',
    schema: z.strictObject({}),
    create: () => storage,
  });
  return createDifyLogs({
    plugins: [plugin],
    config: {
      dify: { baseUrl: 'http://127.0.0.1:9', apiKey: 'app-unused' },
      jobs: [{ name: 'daily' }],
      storage: { type: 'memory', memory: {} },
      state: { type: 'memory' },
    },
  });
}

describe('runtime.report over the partitioned archive', () => {
  it("reports the archive's runs, and its messages of the same days in the conversation section", async () => {
    const storage = memoryStorage();
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

    const runtime = await runtimeOver(storage);
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

  it('heads transcripts with the names of archived conversations (newest version, privacy applied)', async () => {
    const storage = memoryStorage();
    const messages = createArchiveWriter(storage, { dataset: 'messages', job: 'daily', runId: 'run-1', window });
    await messages.add(chatMessage({ conversationId: 'c-1', messageId: 'm-1', feedback: 'dislike' }));
    await messages.add(chatMessage({ conversationId: 'c-2', messageId: 'm-2', status: 'error', error: 'boom' }));
    await messages.add(chatMessage({ conversationId: 'c-3', messageId: 'm-3' }));
    await messages.finish();
    // A later window (from noon) adds a newer version of c-1 to the same day's partition; the first run's part stays.
    const conversations = (runId: string, from: string) =>
      createArchiveWriter(storage, { dataset: 'conversations', job: 'daily', runId, window: { from, to: window.to } });
    const first = conversations('run-1', window.from);
    await first.add(chatConversation({ conversationId: 'c-1', name: 'Old name' }));
    await first.add(chatConversation({ conversationId: 'c-2', name: '<b>Refund</b> for li.lei@example.com' }));
    await first.finish();
    const later = conversations('run-2', '2026-03-09T12:00:00.000Z');
    await later.add(
      chatConversation({ conversationId: 'c-1', name: 'Order [42]', updatedAt: '2026-03-09T12:00:00.000Z' }),
    );
    await later.finish();

    const runtime = await runtimeOver(storage);
    try {
      const rendered = await runtime.report({
        records: { archive: { from: '2026-03-09', to: '2026-03-09' } },
        formats: ['json', 'markdown'],
      });
      const transcripts = rendered.analysis.conversations!.transcripts;
      const names = Object.fromEntries(transcripts.map((transcript) => [transcript.conversationId, transcript.name]));
      // The newest version's name; the e-mail address masked by the default policy; no transcript for c-3.
      expect(names).toEqual({ 'c-1': 'Order [42]', 'c-2': '<b>Refund</b> for l***@example.com' });
      const markdown = rendered.files.find((file) => file.format === 'markdown')!.file.body as string;
      expect(markdown).toContain('**disliked**: Order \\[42\\], conversation c-1');
      expect(markdown).toContain('&lt;b&gt;Refund&lt;/b&gt; for l\\*\\*\\*@example.com, conversation c-2');
      await rendered.close();
    } finally {
      await runtime.close();
    }
  });

  it('reads NDJSON files on several threads with the configured privacy policy, as one thread does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runtime-report-'));
    const lines = Array.from({ length: 60 }, (_, index) =>
      JSON.stringify(
        run({
          logId: `log-${index}`,
          runId: `run-${index}`,
          loggedAt: `2026-03-09T${String(index % 24).padStart(2, '0')}:00:00.000Z`,
          error: index % 5 === 0 ? `mail li.lei@example.com failed ${index}` : null,
          status: index % 5 === 0 ? 'failed' : 'succeeded',
        }),
      ),
    );
    await writeFile(join(dir, 'runs.ndjson'), `${lines.join('\n')}\n`);
    const runtime = await runtimeOver(memoryStorage());
    try {
      const report = async (threads: number) => {
        const rendered = await runtime.report({
          records: { files: [{ path: join(dir, 'runs.ndjson') }] },
          formats: ['json'],
          threads,
        });
        const text = rendered.files[0]!.file.body as string;
        await rendered.close();
        return JSON.parse(text) as { runs: number; generatedAt: string; runId: string };
      };
      const one = await report(1);
      const three = await report(3);
      expect(one.runs).toBe(60);
      expect(JSON.stringify(one)).not.toContain('li.lei@example.com');
      const strip = ({ generatedAt: _at, runId: _id, ...rest }: { generatedAt: string; runId: string }) => rest;
      expect(strip(three)).toEqual(strip(one));
    } finally {
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
