import type { StorageAdapter } from '../adapters/storage.js';
import { parseStorageKey } from '../adapters/keys.js';
import { DifyStorageError } from '../errors/storage-error.js';
import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import type { MessageRecord } from '../records/chat.js';

/** The type of the stored chat messages (one NDJSON object of MessageRecords per pipeline run). */
export const MESSAGES_TYPE = 'messages';

/** What becomes of one stored message: the same object when it stays, a new one, or null to remove it. */
export type MessageRewrite = (message: MessageRecord) => MessageRecord | null;

export interface RewriteMessagesOptions {
  /** Names the objects written (their keys carry it). */
  runId: string;
  dryRun?: boolean;
  logger?: Logger;
}

export interface RewriteMessagesResult {
  /** Message objects read. */
  objects: number;
  /** Objects written again (or, in a dry run, that would be). */
  rewritten: number;
  removed: number;
  changed: number;
  /** Objects that should be gone but could not be deleted. */
  leftovers: string[];
}

/**
 * Applies `rewrite` to every stored chat message. An object in which something changes is stored again under a new key
 * (same type, date and names), then the old one is deleted; an object left with no message is deleted. An old object
 * that could not be deleted is named in `leftovers` (it still holds what was to be removed).
 */
export async function rewriteMessages(
  storage: StorageAdapter,
  rewrite: MessageRewrite,
  options: RewriteMessagesOptions,
): Promise<RewriteMessagesResult> {
  const logger = (options.logger ?? silentLogger).child({ component: 'messages-rewrite' });
  const result: RewriteMessagesResult = { objects: 0, rewritten: 0, removed: 0, changed: 0, leftovers: [] };
  const objects = [];
  for await (const object of storage.list({ kind: 'data', type: MESSAGES_TYPE })) objects.push(object);
  for (const object of objects) {
    result.objects += 1;
    const lines = Buffer.from(await storage.read(object.key))
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    const kept: string[] = [];
    let touched = false;
    lines.forEach((line, index) => {
      let message: MessageRecord;
      try {
        message = JSON.parse(line) as MessageRecord;
      } catch (error) {
        throw new DifyStorageError(
          storage.name,
          'invalid_object',
          `${object.key} line ${index + 1} is not a JSON message (${(error as Error).message})`,
          { key: object.key },
        );
      }
      const next = rewrite(message);
      if (next === null) result.removed += 1;
      else if (next !== message) result.changed += 1;
      if (next !== message) touched = true;
      if (next !== null) kept.push(next === message ? line : JSON.stringify(next));
    });
    if (!touched) continue;
    result.rewritten += 1;
    if (options.dryRun) continue;
    if (kept.length > 0) {
      const parsed = parseStorageKey(object.key);
      await storage.saveData({
        type: MESSAGES_TYPE,
        job: object.metadata.job ?? 'messages',
        app: object.metadata.app ?? 'all',
        runId: options.runId,
        createdAt: parsed?.createdAt ?? new Date(object.createdAt),
        extension: 'ndjson',
        contentType: object.contentType,
        body: `${kept.join('\n')}\n`,
        metadata: { ...object.metadata, 'rewritten-from': object.key },
      });
    }
    await storage.delete(object.key).catch((error: unknown) => {
      logger.warn({ key: object.key, err: String(error) }, 'could not delete a rewritten messages object');
      result.leftovers.push(object.key);
    });
  }
  return result;
}
