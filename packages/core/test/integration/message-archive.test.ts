import { describe, expect, it } from 'vitest';
import { createArchiveWriter, readArchive, readArchivedMessages, verifyArchive } from '../../src/entries/archive.js';
import { createDifyClient, type MessageRecord } from '../../src/index.js';
import {
  memoryStateStore,
  memoryStorage,
  renderReports,
  runPipeline,
  type PipelineApp,
  type PipelineJob,
} from '../../src/entries/pipeline.js';
import type { StorageAdapter } from '../../src/adapter-kit.js';
import { forgetEndUser, listPartitions, MESSAGES } from '../../src/archive/index.js';
import { collect, quickRetry, sim } from './helpers.js';
import { chatMessage } from '../support/records.js';

const window = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z' };
const range = { from: '2026-03-01', to: '2026-03-10' };

async function chatJob(): Promise<{ job: PipelineJob; storage: StorageAdapter }> {
  const simulator = await sim({ version: '1.11.2', runsPerApp: 50, runningRuns: 0, days: 2, chatApps: true });
  const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
  const apps: PipelineApp[] = [];
  for await (const app of client.apps())
    if (app.mode !== 'completion') apps.push({ id: app.id, client, mode: app.mode });
  const job: PipelineJob = {
    name: 'daily',
    apps,
    window: { mode: 'explicit', from: window.from, to: window.to },
    archive: { mode: 'partitioned' },
  };
  return { job, storage: memoryStorage() };
}

describe('chat messages in the partitioned archive', () => {
  it('partitions the messages by app and day beside the runs, verified, read back once each, re-reported', async () => {
    const { job, storage } = await chatJob();
    const deps = { storage, state: memoryStateStore(), now: () => new Date('2026-03-10T12:00:00Z') };
    const result = await runPipeline(job, deps);
    expect(result.status, JSON.stringify(result.problems)).toBe('succeeded');
    expect(result.messages).toBeNull();
    const total = result.analysis!.conversations!.messages;
    expect(total).toBeGreaterThanOrEqual(100);
    expect(result.messagePartitions!.records).toBe(total);

    const messages = await collect(readArchivedMessages(storage, range));
    expect(messages).toHaveLength(total);
    expect(new Set(messages.map((message) => message.messageId)).size).toBe(total);
    // An editor's annotation comes with its text (the simulator annotates the first message of some conversations).
    const annotated = messages.filter((message) => message.annotation !== undefined);
    expect(annotated.length).toBeGreaterThan(0);
    expect(
      annotated.every((message) => message.annotated && message.annotation!.endsWith('(reviewed by an editor)')),
    ).toBe(true);
    const partitions = await listPartitions(storage, range, MESSAGES);
    expect(partitions.length).toBeGreaterThan(1);
    for (const { manifest } of partitions) {
      expect(manifest.dataset).toBe('messages');
      // Every message of a partition is of its app and UTC day.
      const inside = messages.filter(
        (message) => message.appId === manifest.app && message.createdAt.slice(0, 10) === manifest.day,
      );
      expect(inside).toHaveLength(manifest.records);
    }
    expect(await verifyArchive(storage, range, { dataset: 'messages' })).toMatchObject({
      records: total,
      problems: [],
    });
    // The runs' archive does not see them, and reading it again gives the same report's conversation section.
    const again = await renderReports(readArchive(storage, range), {
      job: 'daily',
      formats: ['json'],
      window,
      messages: readArchivedMessages(storage, range),
    });
    // Equal but for the capped lists of example messages and the transcripts (the first conversations that went
    // wrong), which depend on the order messages arrive in.
    const counts = (value: unknown) =>
      JSON.parse(JSON.stringify(value), (key, item: unknown) =>
        key === 'transcripts'
          ? undefined
          : Array.isArray(item) && item.some((entry) => typeof entry === 'object' && entry && 'messageId' in entry)
            ? item.length
            : item,
      ) as unknown;
    expect(counts(again.analysis.conversations)).toEqual(counts(result.analysis!.conversations));
    await again.close();

    // The same window again replaces the messages' parts instead of adding to them.
    const second = await runPipeline(job, deps);
    expect(second.status).toBe('succeeded');
    expect(await collect(readArchivedMessages(storage, range))).toHaveLength(total);
    expect(await verifyArchive(storage, range, { dataset: 'messages' })).toMatchObject({ problems: [] });

    // Forgetting the end user of one message removes their conversations from the messages' archive.
    const person = messages.find((message) => message.endUserId)!;
    const theirs = new Set(
      messages.filter((message) => message.endUserId === person.endUserId).map((message) => message.conversationId),
    );
    const forgotten = await forgetEndUser(
      { storage, runId: 'forget-1' },
      { endUser: person.endUserId!, dryRun: false },
    );
    const left = await collect(readArchivedMessages(storage, range));
    expect(forgotten.messageArchive.removed).toBe(total - left.length);
    expect(left.some((message) => theirs.has(message.conversationId))).toBe(false);
    expect(left.length).toBeGreaterThan(0);
    expect(await verifyArchive(storage, range, { dataset: 'messages' })).toMatchObject({ problems: [] });
  });

  it('keeps a part open per app and day while messages come by conversation, and never more than eight', async () => {
    const storage = memoryStorage();
    const writer = createArchiveWriter(storage, { dataset: 'messages', job: 'daily', runId: 'run-1', window });
    const message = (index: number, day: number) =>
      chatMessage({
        conversationId: `c-${index % 7}`,
        messageId: `m-${index}`,
        createdAt: `2026-03-${String(day).padStart(2, '0')}T10:00:${String(index % 60).padStart(2, '0')}.000Z`,
        query: 'q',
        answer: 'a',
        latency: 1,
      });
    // Three days interleaved: one part each.
    for (let index = 0; index < 300; index += 1) await writer.add(message(index, 1 + (index % 3)));
    expect(await writer.finish()).toMatchObject({ records: 300, parts: { length: 3 }, manifests: { length: 3 } });
    // Ten days interleaved in another job: more than eight open at once, so days get more parts; nothing is lost.
    const busy = createArchiveWriter(storage, { dataset: 'messages', job: 'busy', runId: 'run-1', window });
    for (let index = 300; index < 400; index += 1) await busy.add(message(index, 1 + (index % 10)));
    const result = await busy.finish();
    expect(result.records).toBe(100);
    expect(result.manifests).toHaveLength(10);
    expect(result.parts.length).toBeGreaterThan(10);
    expect(await collect(readArchivedMessages(storage, { ...range, job: 'busy' }))).toHaveLength(100);
    expect(await collect(readArchivedMessages(storage, { ...range, job: 'daily' }))).toHaveLength(300);
    expect(await verifyArchive(storage, range, { dataset: 'messages' })).toMatchObject({ records: 400, problems: [] });
  });
});
