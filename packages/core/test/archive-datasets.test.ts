import { describe, expect, it } from 'vitest';
import { CONVERSATIONS, MESSAGES } from '../src/entries/archive.js';
import { chatConversation, chatMessage } from './support/records.js';

async function read<T>(
  dataset: { read(bytes: Buffer, name: string, adapter: string): AsyncIterable<T> },
  lines: unknown[],
) {
  const records: T[] = [];
  const bytes = Buffer.from(lines.map((line) => JSON.stringify(line)).join('\n'));
  for await (const record of dataset.read(bytes, 'part-1.ndjson', 'memory')) records.push(record);
  return records;
}

describe('the archive datasets’ readers', () => {
  it('read what the archive writes', async () => {
    expect(await read(MESSAGES, [chatMessage()])).toEqual([chatMessage()]);
    expect(await read(CONVERSATIONS, [chatConversation()])).toEqual([chatConversation()]);
  });

  it('refuse a message line without the conversation it belongs to, naming the part, line and field', async () => {
    const { conversationId: _dropped, ...orphan } = chatMessage();
    await expect(read(MESSAGES, [chatMessage(), orphan])).rejects.toThrow(
      /part-1\.ndjson line 2: field conversationId must be a string/,
    );
  });
});
