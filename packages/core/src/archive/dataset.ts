import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import { readRunRecords } from '../records/ndjson.js';
import type { RunRecord } from '../records/schema.js';
import { DifyStorageError } from '../errors/storage-error.js';

/** The datasets a partitioned archive holds, by name (a manifest's `dataset`; absent for runs). */
export type ArchiveDatasetName = 'runs' | 'messages' | 'conversations';

/**
 * What a partitioned archive holds: workflow runs (`RunRecord`, the original archive), chat messages
 * (`MessageRecord`) or conversations (`ConversationRecord`). Each is partitioned by app and UTC day under its own
 * storage type, with its own manifests.
 */
export interface ArchiveDataset<T> {
  /** Its name (a manifest's `dataset`). */
  readonly name: ArchiveDatasetName;
  /** The storage type of its parts and manifests: `archive`, `archive-messages`, `archive-conversations`. */
  readonly type: string;
  /** How many parts may be open at once while writing: runs arrive in log order per app, messages per conversation. */
  readonly openParts: number;
  /** The app whose partitions hold the record. */
  app(record: T): string;
  /** The time that decides the record's day (ISO-8601 UTC). */
  time(record: T): string;
  /** The id a record is de-duplicated by when two parts hold it. */
  id(record: T): string;
  /**
   * For records that change after they are archived (conversations): whether `candidate` is a newer version than
   * `kept`, read earlier from the same partition. Without it the first copy read is kept (runs and messages do not
   * change once archived).
   */
  newer?(candidate: T, kept: T): boolean;
  /** The records of NDJSON bytes; an error naming `name` and the line for anything else. */
  read(bytes: Buffer, name: string, adapter: string): AsyncIterable<T>;
}

/** Workflow runs (`RunRecord`): the original archive, storage type `archive`. */
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

/** Chat messages (`MessageRecord`) in the partition of the UTC day they were sent. */
export const MESSAGES: ArchiveDataset<MessageRecord> = {
  name: 'messages',
  type: 'archive-messages',
  openParts: 8,
  app: (record) => record.appId,
  time: (record) => record.createdAt,
  id: (record) => record.messageId,
  read: readJsonLines<MessageRecord>(['appId', 'conversationId', 'messageId', 'createdAt'], 'a message archive'),
};

/**
 * Conversations live in the partition of the UTC day they were created: one home however many windows see them.
 * A conversation goes on being updated (messages, feedback) after that day, so later windows archive newer versions
 * of it into the same partition, as parts of their own; reading keeps the newest (`updatedAt`, else `createdAt`; on
 * a tie the part written later).
 */
export const CONVERSATIONS: ArchiveDataset<ConversationRecord> = {
  name: 'conversations',
  type: 'archive-conversations',
  openParts: 8,
  app: (record) => record.appId,
  time: (record) => record.createdAt,
  id: (record) => record.conversationId,
  newer: (candidate, kept) => (candidate.updatedAt ?? candidate.createdAt) >= (kept.updatedAt ?? kept.createdAt),
  read: readJsonLines<ConversationRecord>(['appId', 'conversationId', 'createdAt'], 'a conversation archive'),
};

/** Reads NDJSON records that must have the string fields `required` (what an archive of that dataset writes). */
function readJsonLines<T>(required: ReadonlyArray<keyof T & string>, what: string) {
  return async function* (bytes: Buffer, name: string, adapter: string): AsyncGenerator<T> {
    let line = 0;
    for (const text of bytes.toString('utf8').split('\n')) {
      line += 1;
      if (text.trim() === '') continue;
      let value: Partial<T>;
      try {
        value = JSON.parse(text) as Partial<T>;
      } catch {
        throw new DifyStorageError(adapter, 'invalid_object', `${name} line ${line} is not JSON`, { key: name });
      }
      for (const field of required)
        if (typeof value?.[field] !== 'string')
          throw new DifyStorageError(
            adapter,
            'invalid_object',
            `${name} line ${line}: field ${field} must be a string (is this ${what}?)`,
            { key: name },
          );
      yield value as T;
    }
  };
}

type AnyDataset = ArchiveDataset<RunRecord> | ArchiveDataset<MessageRecord> | ArchiveDataset<ConversationRecord>;

/** Every dataset, for code that walks every archive (orphan parts). */
export const DATASETS: ReadonlyArray<AnyDataset> = [RUNS, MESSAGES, CONVERSATIONS];

/** The dataset of a name (runs when none is given). */
export function datasetNamed(name: ArchiveDatasetName = 'runs'): AnyDataset {
  return DATASETS.find((dataset) => dataset.name === name)!;
}
