import { describe, expect, it } from 'vitest';
import { CONVERSATIONS, MESSAGES } from '../src/archive/dataset.js';
import { readArchivedConversations, readArchivedMessages } from '../src/entries/archive.js';
import { memoryStorage } from '../src/entries/pipeline.js';
import { openChatSpool, writeChatPartitions } from '../src/pipeline/chat-partitions.js';
import { chatConversation, chatMessage } from './support/records.js';

const day = (index: number) => `2026-02-${String(1 + index).padStart(2, '0')}T10:00:00.000Z`;
const options = { job: 'daily', runId: 'run-1', window: { from: '2026-02-01T00:00:00.000Z', to: day(27) } };

describe('chat partitions', () => {
  it('gives each partition one part when more partitions interleave than the writer keeps open', async () => {
    const storage = memoryStorage();
    const spool = openChatSpool(CONVERSATIONS, 'dify-logs-test-');
    // 20 creation days (the writer keeps 8 parts open), in the order a conversation list gives them: interleaved.
    for (let round = 0; round < 3; round += 1)
      for (let index = 0; index < 20; index += 1)
        await spool.add(chatConversation({ conversationId: `c-${round}-${index}`, createdAt: day(index) }));
    try {
      expect(spool.partitions.size).toBe(20);
      const result = await writeChatPartitions(storage, CONVERSATIONS, options, spool, () => undefined);
      expect(result.records).toBe(60);
      expect(result.parts).toHaveLength(20);
      const read = [];
      for await (const conversation of readArchivedConversations(storage, { from: day(0), to: day(19) }))
        read.push(conversation.conversationId);
      expect(read.sort()).toEqual(
        Array.from({ length: 60 }, (_, index) => `c-${Math.floor(index / 20)}-${index % 20}`).sort(),
      );
      // Each day's partition holds that day's three conversations, in the order they came.
      for (let index = 0; index < 20; index += 1) {
        const held = [];
        for await (const conversation of readArchivedConversations(storage, { from: day(index), to: day(index) }))
          held.push(conversation.conversationId);
        expect(held).toEqual([0, 1, 2].map((round) => `c-${round}-${index}`));
      }
    } finally {
      await spool.dispose();
    }
  });

  it('writes in one pass, in the order the records came, when the partitions fit the open parts', async () => {
    const storage = memoryStorage();
    const spool = openChatSpool(MESSAGES, 'dify-logs-test-');
    for (let index = 0; index < 12; index += 1)
      await spool.add(chatMessage({ messageId: `m-${index}`, createdAt: day(index % 2) }));
    try {
      const result = await writeChatPartitions(storage, MESSAGES, options, spool, () => undefined);
      expect(result.parts).toHaveLength(2);
      const read = [];
      for await (const message of readArchivedMessages(storage, { from: day(0), to: day(1) }))
        read.push(message.messageId);
      expect(read).toEqual([0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11].map((index) => `m-${index}`));
    } finally {
      await spool.dispose();
    }
  });

  it('notes the partition of every line, past the first kilo-line and with many partitions', async () => {
    const spool = openChatSpool(MESSAGES, 'dify-logs-test-');
    try {
      for (let index = 0; index < 3000; index += 1)
        await spool.add(
          chatMessage({ messageId: `m-${index}`, appId: `app-${index % 7}`, createdAt: day(index % 11) }),
        );
      expect(spool.partitions.size).toBe(77);
      let line = 0;
      for await (const text of spool.lines()) {
        const message = JSON.parse(text) as { appId: string; createdAt: string };
        expect(spool.partitionOfLine(line++)).toBe(`${message.appId}\u0000${message.createdAt.slice(0, 10)}`);
      }
      expect(line).toBe(3000);
    } finally {
      await spool.dispose();
    }
  });
});
