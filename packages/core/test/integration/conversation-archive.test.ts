import { describe, expect, it } from 'vitest';
import {
  createArchiveWriter,
  readArchivedConversations,
  readArchivedMessages,
  verifyArchive,
} from '../../src/entries/archive.js';
import { createDifyClient, createPrivacyPolicy, type ConversationRecord } from '../../src/index.js';
import {
  memoryStateStore,
  memoryStorage,
  runPipeline,
  type PipelineApp,
  type PipelineJob,
} from '../../src/entries/pipeline.js';
import type { Sink } from '../../src/adapter-kit.js';
import { CONVERSATIONS, forgetEndUser, listPartitions, redactArchive } from '../../src/archive/index.js';
import { collect, quickRetry, sim } from './helpers.js';
import { chatConversation } from '../support/records.js';

const window = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z' };
const range = { from: '2026-03-01', to: '2026-03-10' };

describe('conversations in the partitioned archive', () => {
  it('archives the conversation of every archived message once, by the day it was created, verified', async () => {
    const simulator = await sim({ version: '1.11.2', runsPerApp: 50, runningRuns: 0, days: 2, chatApps: true });
    const client = createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry });
    const apps: PipelineApp[] = [];
    for await (const app of client.apps())
      if (app.mode !== 'workflow') apps.push({ id: app.id, client, mode: app.mode });
    expect(apps.some((app) => app.mode === 'completion')).toBe(true);
    const job: PipelineJob = {
      name: 'daily',
      apps,
      window: { mode: 'explicit', from: window.from, to: window.to },
      archive: { mode: 'partitioned' },
    };
    const storage = memoryStorage();
    // A sink that takes conversations gets the same ones, after the window's runs and messages.
    const sunk: ConversationRecord[] = [];
    const sink: Sink = {
      name: 'recording',
      open: async () => ({
        add: () => undefined,
        addConversation: (conversation) => void sunk.push(conversation),
        commit: async () => ({ rows: { conversations: sunk.length } }),
        abort: async () => undefined,
      }),
    };
    const deps = {
      storage,
      state: memoryStateStore(),
      now: () => new Date('2026-03-10T12:00:00Z'),
      sinks: [sink],
    };
    const result = await runPipeline(job, deps);
    expect(result.status, JSON.stringify(result.problems)).toBe('succeeded');

    const messages = await collect(readArchivedMessages(storage, range));
    const conversations = await collect(readArchivedConversations(storage, range));
    const ids = new Set(messages.map((message) => `${message.appId}/${message.conversationId}`));
    expect(conversations.map((conversation) => `${conversation.appId}/${conversation.conversationId}`).sort()).toEqual(
      [...ids].sort(),
    );
    expect(result.conversationPartitions!.records).toBe(ids.size);
    expect(sunk.map((conversation) => conversation.conversationId).sort()).toEqual(
      conversations.map((conversation) => conversation.conversationId).sort(),
    );
    // A completion conversation is its one message.
    const completionApp = apps.find((app) => app.mode === 'completion')!.id;
    const completions = conversations.filter((conversation) => conversation.appId === completionApp);
    expect(completions.length).toBeGreaterThan(0);
    expect(completions.every((conversation) => conversation.messageCount === 1)).toBe(true);
    for (const { manifest } of await listPartitions(storage, range, CONVERSATIONS)) {
      expect(manifest.dataset).toBe('conversations');
      const inside = conversations.filter(
        (conversation) => conversation.appId === manifest.app && conversation.createdAt.slice(0, 10) === manifest.day,
      );
      expect(inside).toHaveLength(manifest.records);
    }
    expect(await verifyArchive(storage, range, { dataset: 'conversations' })).toMatchObject({
      records: ids.size,
      problems: [],
    });
    // The same window again replaces its parts: still one version of each.
    expect((await runPipeline(job, { ...deps, sinks: [] })).status).toBe('succeeded');
    expect(await verifyArchive(storage, range, { dataset: 'conversations' })).toMatchObject({ records: ids.size });
    expect(await collect(readArchivedConversations(storage, range))).toHaveLength(ids.size);
  });

  it('keeps the newest version of a conversation that later windows archive again', async () => {
    const storage = memoryStorage();
    const write = async (
      runId: string,
      from: string,
      to: string,
      ...records: ReturnType<typeof chatConversation>[]
    ) => {
      const writer = createArchiveWriter(storage, {
        dataset: 'conversations',
        job: 'daily',
        runId,
        window: { from, to },
      });
      for (const record of records) await writer.add(record);
      return writer.finish();
    };
    const created = '2026-03-02T10:00:00.000Z';
    const first = chatConversation({ conversationId: 'c-1', createdAt: created, updatedAt: created, messageCount: 1 });
    const other = chatConversation({ conversationId: 'c-2', createdAt: '2026-03-02T11:00:00.000Z', updatedAt: null });
    await write('run-1', '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z', first, other);
    // Four days later the conversation goes on: that window archives it again, in the partition of the day it began.
    const later = { ...first, updatedAt: '2026-03-06T09:00:00.000Z', messageCount: 4, dislikes: 1 };
    const result = await write('run-2', '2026-03-06T00:00:00.000Z', '2026-03-07T00:00:00.000Z', later);
    expect(result.manifests).toHaveLength(1);
    expect(await readArchivedConversations(storage, { from: '2026-03-06', to: '2026-03-06' }).next()).toMatchObject({
      done: true,
    });
    const read = await collect(readArchivedConversations(storage, range));
    expect(read).toEqual([later, other]);
    // Both versions are stored (two parts of one partition), and checked.
    expect(await verifyArchive(storage, range, { dataset: 'conversations' })).toMatchObject({
      partitions: 1,
      parts: 2,
      records: 3,
      problems: [],
    });
    // A re-run of the first window replaces its own part, with what Dify says now or what it said then: never older.
    await write('run-3', '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z', first, other);
    expect(await collect(readArchivedConversations(storage, range))).toEqual([later, other]);
  });

  it('forgets an end user’s conversations and applies the privacy policy to them', async () => {
    const storage = memoryStorage();
    const writer = createArchiveWriter(storage, {
      dataset: 'conversations',
      job: 'daily',
      runId: 'run-1',
      window,
    });
    const theirs = chatConversation({ conversationId: 'c-1', endUserId: 'eu-1', endUserSessionId: 'alice' });
    const bySession = chatConversation({ conversationId: 'c-2', endUserSessionId: 'alice@example.com' });
    const someoneElse = chatConversation({
      conversationId: 'c-3',
      endUserSessionId: 'bob@example.com',
      name: 'write to bob@example.com',
    });
    for (const record of [theirs, bySession, someoneElse]) await writer.add(record);
    await writer.finish();

    const dry = await forgetEndUser({ storage, runId: 'forget-0' }, { endUser: 'eu-1' });
    expect(dry.conversationArchive).toMatchObject({ dryRun: true, removed: 1 });
    expect(await collect(readArchivedConversations(storage, range))).toHaveLength(3);
    const forgotten = await forgetEndUser(
      { storage, runId: 'forget-1' },
      { endUser: 'alice@example.com', dryRun: false },
    );
    expect(forgotten.conversationArchive.removed).toBe(1);
    expect((await collect(readArchivedConversations(storage, range))).map((each) => each.conversationId)).toEqual([
      'c-1',
      'c-3',
    ]);

    const privacy = createPrivacyPolicy({ endUser: 'hash', key: 'k' });
    const redacted = await redactArchive({ storage, runId: 'redact-1', privacy }, { dryRun: false });
    expect(redacted.conversationArchive.changed).toBe(2);
    const after = await collect(readArchivedConversations(storage, range));
    const bob = after.find((each) => each.conversationId === 'c-3')!;
    expect(bob.endUserSessionId).toBe(privacy.endUser('bob@example.com'));
    expect(bob.name).not.toContain('bob@example.com');
    expect(await verifyArchive(storage, range, { dataset: 'conversations' })).toMatchObject({ problems: [] });
  });
});
