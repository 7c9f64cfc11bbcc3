import { createHash } from 'node:crypto';
import { DifyConfigError, type MessageRecord } from '@dify-logs/core';
import { conversationsOf, type Conversation } from './conversations.js';
import { DATASET_FORMATS, type DatasetFormat, type DatasetItem } from './formats.js';

export interface DatasetOptions {
  format: DatasetFormat;
  /**
   * One line per message (each question with its answer) or per conversation (every turn). Default: `message` for
   * `jsonl` and `csv`, `conversation` for `openai-chat` and `sharegpt`.
   */
  unit?: 'message' | 'conversation';
  /** Only messages rated so by the end user or an admin (`any`: rated at all); a conversation needs one of them. */
  feedback?: 'like' | 'dislike' | 'any';
  /** Only messages with an admin annotation (a conversation needs one). */
  annotated?: boolean;
  /** Only conversations of at least this many messages. */
  minTurns?: number;
  /** The share of items for training (0 < split < 1); the rest is for evaluation. Absent: one set. */
  split?: number;
  /** Seed of the split (default 0): the same seed puts the same item in the same set, in any order, on any run. */
  seed?: number;
  /** A system message to start every `openai-chat` and `sharegpt` item with. */
  system?: string;
  /** Applied to each message before anything else (the privacy policy: `policy.message`). */
  redact?: (message: MessageRecord) => MessageRecord;
}

export interface DatasetResult {
  /** Items written, per set (`all` without a split). */
  items: { train: number; eval: number; all: number };
  messages: number;
  conversations: number;
  /** Items left out as the same normalised question(s) as an earlier item. */
  duplicates: number;
  /** Items left out by the filters, or with no question or no answer. */
  filtered: number;
}

/** Where a dataset's text goes: a chunk for the training set, the evaluation set, or the only set. */
export type DatasetWrite = (set: 'train' | 'eval' | 'all', text: string) => void | Promise<void>;

/**
 * A fine-tuning or evaluation dataset from chat messages (the archive's, never Dify's): filtered by feedback,
 * annotation and length, de-duplicated by normalised question, split into training and evaluation sets by a seeded
 * hash of each item's id, written in one of the published shapes (`DATASET_FORMATS`).
 */
export async function exportDataset(
  messages: AsyncIterable<MessageRecord>,
  options: DatasetOptions,
  write: DatasetWrite,
): Promise<DatasetResult> {
  const format = DATASET_FORMATS[options.format];
  if (!format)
    throw new DifyConfigError(
      'format',
      `unknown dataset format ${JSON.stringify(options.format)} (have ${Object.keys(DATASET_FORMATS).join(', ')})`,
    );
  const split = options.split;
  if (split !== undefined && !(split > 0 && split < 1))
    throw new DifyConfigError('split', `must be between 0 and 1, exclusive (got ${split})`);
  const unit = options.unit ?? format.unit;
  const result: DatasetResult = {
    items: { train: 0, eval: 0, all: 0 },
    messages: 0,
    conversations: 0,
    duplicates: 0,
    filtered: 0,
  };
  const seen = new Set<string>();
  const sets = split === undefined ? (['all'] as const) : (['train', 'eval'] as const);
  for (const set of sets) if (format.header) await write(set, format.header);
  const redacted = redactAll(messages, options.redact);
  for await (const conversation of conversationsOf(redacted)) {
    result.conversations += 1;
    result.messages += conversation.messages.length;
    const usable = conversation.messages.filter((message) => message.query && message.answer);
    const chosen = usable.filter((message) => kept(message, options));
    if ((options.minTurns !== undefined && conversation.messages.length < options.minTurns) || chosen.length === 0) {
      result.filtered += unit === 'message' ? conversation.messages.length : 1;
      continue;
    }
    const items: DatasetItem[] =
      unit === 'message'
        ? chosen.map((message) => ({ conversation, messages: [message], id: message.messageId }))
        : [{ conversation, messages: usable, id: conversation.conversationId }];
    if (unit === 'message') result.filtered += conversation.messages.length - chosen.length;
    for (const item of items) {
      const key = item.messages.map((message) => normaliseQuestion(message.query!)).join('\u0001');
      if (seen.has(key)) {
        result.duplicates += 1;
        continue;
      }
      seen.add(key);
      const set = split === undefined ? 'all' : share(item.id, options.seed ?? 0) < split ? 'train' : 'eval';
      await write(set, format.line(item, { system: options.system }));
      result.items[set] += 1;
    }
  }
  return result;
}

async function* redactAll(
  messages: AsyncIterable<MessageRecord>,
  redact: DatasetOptions['redact'],
): AsyncGenerator<MessageRecord> {
  for await (const message of messages) yield redact ? redact(message) : message;
}

function kept(message: MessageRecord, options: DatasetOptions): boolean {
  if (options.annotated && !message.annotated) return false;
  if (options.feedback === undefined) return true;
  const ratings = [message.feedback, message.adminFeedback];
  return options.feedback === 'any' ? ratings.some((rating) => rating !== null) : ratings.includes(options.feedback);
}

/** A question as compared for duplicates: Unicode-normalised (NFKC), lower case, whitespace collapsed, trimmed. */
export function normaliseQuestion(question: string): string {
  return question.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** A number in [0, 1) from the item's id and the seed: the same for the same pair, on any machine. */
function share(id: string, seed: number): number {
  return createHash('sha256').update(`${seed}\u0000${id}`).digest().readUInt32BE(0) / 2 ** 32;
}

export type { Conversation };
