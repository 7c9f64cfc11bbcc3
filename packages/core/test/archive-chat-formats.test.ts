import { describe, expect, it } from 'vitest';
import {
  createArchiveWriter,
  readArchivedMessages,
  verifyArchive,
  type ArchivePartFormat,
  type DatasetCodec,
} from '../src/entries/archive.js';
import type { ConversationRecord, MessageRecord } from '../src/index.js';
import { memoryStorage } from '../src/entries/pipeline.js';
import type { StorageAdapter } from '../src/adapter-kit.js';
import { forgetEndUser, listPartitions, MESSAGES, CONVERSATIONS } from '../src/archive/index.js';
import { findOrphanParts } from '../src/internal.js';
import { chatConversation, chatMessage, run } from './support/records.js';

const window = { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' };
const range = { from: '2026-03-09', to: '2026-03-09' };

/** A stand-in for Parquet: the records as one JSON array (what matters here is where the bytes go). */
function jsonCodec<T>(): Required<DatasetCodec<T>> {
  return {
    async encode(records) {
      const all: T[] = [];
      for await (const record of records) all.push(record);
      return Buffer.from(JSON.stringify(all), 'utf8');
    },
    async *decode(bytes) {
      yield* JSON.parse(Buffer.from(bytes).toString('utf8')) as T[];
    },
  };
}

const chatFormat: ArchivePartFormat = {
  format: 'json',
  extension: 'json',
  contentType: 'application/json',
  ...jsonCodec(),
  datasets: { messages: jsonCodec<MessageRecord>(), conversations: jsonCodec<ConversationRecord>() },
};
/** A format from before the chat datasets: runs only. */
const runsOnly: ArchivePartFormat = {
  format: 'runs-json',
  extension: 'runs.json',
  contentType: 'application/json',
  ...jsonCodec(),
};

const messages = [
  chatMessage({ messageId: 'm-1', conversationId: 'c-1', endUserId: 'ada' }),
  chatMessage({ messageId: 'm-2', conversationId: 'c-1', endUserId: 'ada', createdAt: '2026-03-09T11:00:00.000Z' }),
  chatMessage({ messageId: 'm-3', conversationId: 'c-2', endUserId: 'bob', query: '你好' }),
];
const conversations = [
  chatConversation({ conversationId: 'c-1', endUserId: 'ada' }),
  chatConversation({ conversationId: 'c-2', endUserId: 'bob' }),
];

async function archive(storage: StorageAdapter, formats: ArchivePartFormat[], ndjson = true) {
  const options = { job: 'daily', runId: 'run-1', window, formats, ndjson };
  const writer = createArchiveWriter(storage, { ...options, dataset: 'messages' });
  for (const message of messages) await writer.add(message);
  await writer.finish();
  const conversationWriter = createArchiveWriter(storage, { ...options, dataset: 'conversations' });
  for (const conversation of conversations) await conversationWriter.add(conversation);
  await conversationWriter.finish();
  const runWriter = createArchiveWriter(storage, options);
  await runWriter.add(run({ loggedAt: '2026-03-09T10:00:00.000Z' }));
  await runWriter.finish();
}

async function decoded<T>(storage: StorageAdapter, dataset: typeof MESSAGES | typeof CONVERSATIONS): Promise<T[]> {
  const codec = (dataset === MESSAGES ? chatFormat.datasets!.messages! : chatFormat.datasets!.conversations!) as
    DatasetCodec<T> | undefined;
  const out: T[] = [];
  for (const { manifest } of await listPartitions(storage, range, dataset))
    for (const part of manifest.parts)
      for (const alternate of part.alternates ?? [])
        for await (const record of codec!.decode!(await storage.read(alternate.key), alternate.key)) out.push(record);
  return out;
}

describe('chat archive parts in other formats', () => {
  it('copies message and conversation parts in the formats that hold them; their NDJSON stays the part', async () => {
    const storage = memoryStorage();
    // `ndjson: false` is for runs: the chat parts keep their NDJSON (what readArchivedMessages reads).
    await archive(storage, [chatFormat, runsOnly], false);
    for (const dataset of [MESSAGES, CONVERSATIONS]) {
      const { manifest } = (await listPartitions(storage, range, dataset))[0]!;
      const { parts } = manifest;
      expect(parts).toHaveLength(1);
      expect(parts[0]!.format).toBeUndefined();
      expect(parts[0]!.key).toMatch(/\.part-1\.ndjson\.gz$/);
      // Only the format that holds the dataset: the runs-only one is left out.
      expect(parts[0]!.alternates!.map((alternate) => alternate.format)).toEqual(['json']);
    }
    expect(await decoded(storage, MESSAGES)).toEqual(messages);
    expect(await decoded(storage, CONVERSATIONS)).toEqual(conversations);
    const read: MessageRecord[] = [];
    for await (const message of readArchivedMessages(storage, range)) read.push(message);
    expect(read).toEqual(messages);
    // The runs' part is in the first format (no NDJSON), with the other as its copy.
    const { manifest } = (await listPartitions(storage, range))[0]!;
    expect(manifest.parts[0]!.format).toBe('json');
    expect(manifest.parts[0]!.alternates!.map((alternate) => alternate.format)).toEqual(['runs-json']);
  });

  it('verifies the chat copies and finds a damaged one', async () => {
    const storage = memoryStorage();
    await archive(storage, [chatFormat]);
    for (const dataset of ['messages', 'conversations'] as const)
      expect(await verifyArchive(storage, range, { dataset, formats: [chatFormat] })).toMatchObject({ problems: [] });
    const { manifest } = (await listPartitions(storage, range, MESSAGES))[0]!;
    const copy = manifest.parts[0]!.alternates![0]!;
    await storage.delete(copy.key);
    await storage.saveData({
      type: MESSAGES.type,
      job: 'daily',
      app: manifest.app,
      runId: 'run-1',
      createdAt: new Date(`${manifest.day}T00:00:00.000Z`),
      extension: 'part-1.json',
      contentType: 'application/json',
      body: '[]',
    });
    const { problems } = await verifyArchive(storage, range, { dataset: 'messages' });
    expect(problems).toEqual([
      expect.objectContaining({
        part: copy.key,
        problem: 'checksum',
        detail: expect.stringContaining('the json copy'),
      }),
    ]);
  });

  it('forget re-encodes the chat copies without the end user, and leaves no copy unlisted', async () => {
    const storage = memoryStorage();
    await archive(storage, [chatFormat]);
    const result = await forgetEndUser(
      { storage, runId: 'forget-1', formats: [chatFormat] },
      { endUser: 'ada', dryRun: false },
    );
    expect([result.messageArchive.removed, result.conversationArchive.removed]).toEqual([2, 1]);
    expect(await decoded(storage, MESSAGES)).toEqual([messages[2]]);
    expect(await decoded(storage, CONVERSATIONS)).toEqual([conversations[1]]);
    for (const dataset of ['messages', 'conversations'] as const)
      expect(await verifyArchive(storage, range, { dataset })).toMatchObject({ problems: [] });
    // The replaced copies are gone; an unlisted copy left by a failed run would be an orphan.
    const found: string[] = [];
    for await (const object of storage.list({ kind: 'data' })) found.push(object.key);
    expect(found.filter((key) => key.endsWith('.json') && !key.endsWith('.manifest.json'))).toHaveLength(3);
    expect(await findOrphanParts(storage, { now: new Date(Date.now() + 100 * 3_600_000) })).toEqual([]);
  });

  it('refuses to rewrite a chat copy in a format it is not given', async () => {
    const storage = memoryStorage();
    await archive(storage, [chatFormat]);
    await expect(forgetEndUser({ storage, runId: 'forget-1' }, { endUser: 'ada', dryRun: false })).rejects.toThrow(
      /has a json copy; rewriting it needs the json archive format/,
    );
  });
});
