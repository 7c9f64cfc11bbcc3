import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSpool, type Spool } from '../fs/spool.js';
import type { MessageRecord } from '../records/chat.js';

/** The chat messages of a run as NDJSON (one MessageRecord per line) in a temporary file, created on the first message. */
export function createMessageSpool() {
  let dir: string | undefined;
  let spool: Spool | undefined;
  let count = 0;
  return {
    get count() {
      return count;
    },
    async add(message: MessageRecord): Promise<void> {
      spool ??= createSpool((dir ??= await mkdtemp(join(tmpdir(), 'dify-logs-messages-'))), 'messages.ndjson');
      count += 1;
      await spool.write(`${JSON.stringify(message)}\n`);
    },
    /** The NDJSON, or undefined when no message came. */
    async body(): Promise<AsyncIterable<Uint8Array> | undefined> {
      if (!spool) return undefined;
      await spool.close();
      return spool.read();
    },
    async dispose(): Promise<void> {
      await spool?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
