import { CONVERSATIONS, MESSAGES, type ArchiveDataset, type ArchiveManifest } from '@dify-logs/core/archive';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import type { DuckDBAppender } from '@duckdb/node-api';
import type { IndexedDataset, IndexSource } from './load.js';
import { gunzipPart } from './parts.js';
import { isoTime } from './rows.js';

/**
 * The records of one chat partition (gzip NDJSON parts, as the manifest lists them), each once: the first copy of a
 * message, the newest version of a conversation (as core's `readArchivedConversations` keeps them).
 */
export async function partitionRecords<T>(
  storage: StorageAdapter,
  manifest: ArchiveManifest,
  dataset: ArchiveDataset<T>,
): Promise<T[]> {
  const kept = new Map<string, T>();
  for (const part of manifest.parts) {
    const text = gunzipPart(storage, part.key, await storage.read(part.key));
    for await (const record of dataset.read(text, part.key, storage.name)) {
      const id = dataset.id(record);
      const previous = kept.get(id);
      if (previous === undefined || dataset.newer?.(record, previous)) kept.set(id, record);
    }
  }
  return [...kept.values()];
}

const text = (appender: DuckDBAppender, value: string | null | undefined) =>
  value === null || value === undefined ? appender.appendNull() : appender.appendVarchar(value);

/** Lower-case text `q` searches: what was said (question, answer, annotation, error), or the conversation's name. */
const searchText = (...parts: Array<string | null | undefined>) =>
  parts
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join('\n')
    .toLowerCase();

/** Appends a chat partition's records (each through the privacy policy) to `table`, one row each by `row`. */
function appender<T>(
  table: string,
  dataset: ArchiveDataset<T>,
  privacy: (source: IndexSource, record: T) => T,
  row: (appender: DuckDBAppender, record: T) => void,
): IndexedDataset['append'] {
  return async (database, source, partition, manifest) => {
    const records = await partitionRecords(source.storage, manifest, dataset);
    const appender = await database.writer.createAppender(table);
    try {
      for (const record of records) {
        const shown = privacy(source, record);
        appender.appendVarchar(partition);
        row(appender, shown);
        appender.appendVarchar(JSON.stringify(shown));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return records.length;
  };
}

const appendMessages = appender(
  'messages',
  MESSAGES,
  (source, record) => source.privacy.message(record),
  (appender, shown) => {
    appender.appendVarchar(shown.appId);
    appender.appendVarchar(shown.conversationId);
    appender.appendVarchar(shown.messageId);
    appender.appendVarchar(isoTime(shown.createdAt));
    text(appender, shown.feedback);
    text(appender, shown.adminFeedback);
    appender.appendVarchar(searchText(shown.query, shown.answer, shown.annotation, shown.error));
  },
);

const appendConversations = appender(
  'conversations',
  CONVERSATIONS,
  (source, record) => source.privacy.conversation(record),
  (appender, shown) => {
    appender.appendVarchar(shown.appId);
    appender.appendVarchar(shown.conversationId);
    text(appender, shown.endUserSessionId);
    text(appender, shown.endUserId);
    appender.appendVarchar(isoTime(shown.createdAt));
    appender.appendInteger(shown.likes ?? 0);
    appender.appendInteger(shown.dislikes ?? 0);
    appender.appendVarchar(searchText(shown.name));
  },
);

/** Chat messages and conversations, indexed beside the runs with the same partition bookkeeping. */
export const CHAT_DATASETS: IndexedDataset[] = [
  { name: 'messages', type: MESSAGES, tables: ['messages'], key: '(app_id, message_id)', append: appendMessages },
  {
    name: 'conversations',
    type: CONVERSATIONS,
    tables: ['conversations'],
    key: '(app_id, conversation_id)',
    append: appendConversations,
  },
];
