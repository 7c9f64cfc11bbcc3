import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { MessageRecord } from '@dify-logs/core';

/** One conversation's messages, oldest first. */
export interface Conversation {
  appId: string;
  conversationId: string;
  messages: MessageRecord[];
}

/** Buckets the messages are spread over on disk: memory holds one bucket's conversations at a time. */
const BUCKETS = 32;

/**
 * The conversations of `messages`, whatever order the messages come in (the archive gives them per app and UTC day,
 * so a conversation that spans days arrives in pieces). The messages go to `BUCKETS` temporary files by conversation,
 * then each file is grouped in memory: memory holds about a thirty-second of the messages, not all of them. Each
 * message counts once (by id). The temporary files are removed when the iteration ends, also early.
 */
export async function* conversationsOf(messages: AsyncIterable<MessageRecord>): AsyncGenerator<Conversation> {
  const dir = await mkdtemp(join(tmpdir(), 'dify-logs-dataset-'));
  try {
    const streams: WriteStream[] = [];
    const paths = Array.from({ length: BUCKETS }, (_, index) => join(dir, `bucket-${index}.ndjson`));
    const bucketOf = (id: string) => createHash('sha1').update(id).digest().readUInt32BE(0) % BUCKETS;
    for await (const message of messages) {
      const index = bucketOf(`${message.appId}\u0000${message.conversationId}`);
      const stream = (streams[index] ??= createWriteStream(paths[index]!, { flags: 'wx' }));
      if (!stream.write(`${JSON.stringify(message)}\n`)) await once(stream, 'drain');
    }
    await Promise.all(streams.map((stream) => new Promise<void>((resolve) => stream.end(resolve))));
    for (const [index, stream] of streams.entries()) {
      if (!stream) continue;
      const grouped = new Map<string, Conversation>();
      const seen = new Set<string>();
      for await (const line of createInterface({ input: createReadStream(paths[index]!), crlfDelay: Infinity })) {
        if (line === '') continue;
        const message = JSON.parse(line) as MessageRecord;
        if (seen.has(message.messageId)) continue;
        seen.add(message.messageId);
        const key = `${message.appId}\u0000${message.conversationId}`;
        let conversation = grouped.get(key);
        if (!conversation)
          grouped.set(
            key,
            (conversation = { appId: message.appId, conversationId: message.conversationId, messages: [] }),
          );
        conversation.messages.push(message);
      }
      const ordered = [...grouped.values()].sort(
        (a, b) => a.appId.localeCompare(b.appId) || a.conversationId.localeCompare(b.conversationId),
      );
      for (const conversation of ordered) {
        conversation.messages.sort(
          (a, b) => a.createdAt.localeCompare(b.createdAt) || a.messageId.localeCompare(b.messageId),
        );
        yield conversation;
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
