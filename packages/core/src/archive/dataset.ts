import type { MessageRecord } from '../records/chat.js';
import { readRunRecords } from '../records/ndjson.js';
import type { RunRecord } from '../records/schema.js';
import { DifyStorageError } from '../errors/storage-error.js';

/**
 * What a partitioned archive holds: workflow runs (`RunRecord`, the original archive) or chat messages
 * (`MessageRecord`). Each is partitioned by app and UTC day under its own storage type, with its own manifests.
 */
export interface ArchiveDataset<T> {
  readonly name: 'runs' | 'messages';
  /** The storage type of its parts and manifests: `archive`, `archive-messages`. */
  readonly type: string;
  /** How many parts may be open at once while writing: runs arrive in log order per app, messages per conversation. */
  readonly openParts: number;
  app(record: T): string;
  /** The time that decides the record's day (ISO-8601 UTC). */
  time(record: T): string;
  /** The id a record is de-duplicated by when two parts hold it. */
  id(record: T): string;
  /** The records of NDJSON bytes; an error naming `name` and the line for anything else. */
  read(bytes: Buffer, name: string, adapter: string): AsyncIterable<T>;
}

export const RUNS: ArchiveDataset<RunRecord> = {
  name: 'runs',
  type: 'archive',
  // Workflow runs come in log order per app; chatflow runs in order within a chunk of messages, so a window over
  // two UTC days may go back to the first day at a chunk's start: two open parts keep that to one part per day.
  openParts: 2,
  app: (record) => record.appId,
  time: (record) => record.loggedAt,
  id: (record) => record.logId,
  read: (bytes, name) => readRunRecords([bytes], name),
};

export const MESSAGES: ArchiveDataset<MessageRecord> = {
  name: 'messages',
  type: 'archive-messages',
  openParts: 8,
  app: (record) => record.appId,
  time: (record) => record.createdAt,
  id: (record) => record.messageId,
  read: readMessageLines,
};

async function* readMessageLines(bytes: Buffer, name: string, adapter: string): AsyncGenerator<MessageRecord> {
  let line = 0;
  for (const text of bytes.toString('utf8').split('\n')) {
    line += 1;
    if (text.trim() === '') continue;
    let value: Partial<MessageRecord>;
    try {
      value = JSON.parse(text) as Partial<MessageRecord>;
    } catch {
      throw new DifyStorageError(adapter, 'invalid_object', `${name} line ${line} is not JSON`, { key: name });
    }
    for (const field of ['appId', 'messageId', 'createdAt'] as const)
      if (typeof value?.[field] !== 'string')
        throw new DifyStorageError(
          adapter,
          'invalid_object',
          `${name} line ${line}: field ${field} must be a string (is this a message archive?)`,
          { key: name },
        );
    yield value as MessageRecord;
  }
}

/** The dataset of a storage type, for code that walks every archive (orphan parts). */
export const DATASETS: ReadonlyArray<ArchiveDataset<RunRecord> | ArchiveDataset<MessageRecord>> = [RUNS, MESSAGES];
