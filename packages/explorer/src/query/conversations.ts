import type { ConversationRecord, MessageRecord } from '@dify-logs/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Where } from './filters.js';
import type { Parameters } from './params.js';
import { decodeCursor, encodeCursor } from './runs.js';

/** The filters conversations are listed by. */
export interface ConversationFilter {
  app?: string[];
  /** The end user's session id or Dify end-user id. */
  endUser?: string;
  /** Words that must all appear in the conversation's name or its messages (question, answer, annotation, error). */
  q?: string;
  /** Conversations created at or after `from` and before `to` (ISO times). */
  from?: string;
  to?: string;
  /** Conversations with at least one message rated so (by the end user or in the console). */
  feedback?: 'like' | 'dislike';
}

export const CONVERSATION_PARAMETERS = ['app', 'endUser', 'q', 'from', 'to', 'feedback', 'limit', 'cursor'] as const;

export function readConversationFilter(parameters: Parameters): ConversationFilter {
  const filter: ConversationFilter = {};
  const app = parameters.list('app');
  const endUser = parameters.text('endUser');
  const q = parameters.text('q');
  const from = parameters.time('from');
  const to = parameters.time('to', true);
  const feedback = parameters.oneOf('feedback', ['like', 'dislike'] as const);
  if (app) filter.app = app;
  if (endUser) filter.endUser = endUser;
  if (q) filter.q = q;
  if (from) filter.from = from;
  if (to) filter.to = to;
  if (feedback) filter.feedback = feedback;
  return filter;
}

export interface ConversationPage {
  conversations: ConversationRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** A conversation with its messages, oldest first. */
export type Transcript = ConversationRecord & { messages: MessageRecord[] };

const MESSAGE_OF = 'm.app_id = c.app_id AND m.conversation_id = c.conversation_id';

function conditions(filter: ConversationFilter): Where {
  const where = new Where('c');
  if (filter.app) where.add(`c.app_id IN (${filter.app.map((app) => where.value(app)).join(', ')})`);
  if (filter.endUser) {
    const user = where.value(filter.endUser);
    where.add(`(c.end_user = ${user} OR c.end_user_id = ${user})`);
  }
  if (filter.from) where.add(`c.created_at >= ${where.value(filter.from)}`);
  if (filter.to) where.add(`c.created_at < ${where.value(filter.to)}`);
  if (filter.feedback) {
    const rating = where.value(filter.feedback);
    const counted = filter.feedback === 'like' ? 'c.likes' : 'c.dislikes';
    where.add(`(${counted} > 0 OR EXISTS (SELECT 1 FROM messages m WHERE ${MESSAGE_OF}
      AND (m.feedback = ${rating} OR m.admin_feedback = ${rating})))`);
  }
  for (const word of (filter.q ?? '').toLowerCase().split(/\s+/).filter(Boolean)) {
    const value = where.value(word);
    where.add(`(contains(c.search, ${value}) OR EXISTS (SELECT 1 FROM messages m WHERE ${MESSAGE_OF}
      AND contains(m.search, ${value})))`);
  }
  return where;
}

/** A page of conversations, newest first (by creation time, then app and id), after `cursor`. */
export async function listConversations(
  reader: DuckDBConnection,
  filter: ConversationFilter,
  options: { limit: number; cursor?: string },
): Promise<ConversationPage> {
  const where = conditions(filter);
  if (options.cursor) {
    const [createdAt, appId, id] = decodeCursor(options.cursor);
    const [c, a, i] = [where.value(createdAt), where.value(appId), where.value(id)];
    const sameApp = `c.app_id = ${a} AND c.conversation_id < ${i}`;
    where.add(`(c.created_at < ${c} OR (c.created_at = ${c} AND (c.app_id < ${a} OR (${sameApp}))))`);
  }
  const result = await reader.runAndReadAll(
    `SELECT c.created_at, c.app_id, c.conversation_id, c.record FROM conversations c ${where.sql}
     ORDER BY c.created_at DESC, c.app_id DESC, c.conversation_id DESC LIMIT ${options.limit + 1}`,
    where.values,
  );
  const found = result.getRows().map((row) => row.map(String));
  const page = found.slice(0, options.limit);
  const conversations = page.map((row) => JSON.parse(row[3]!) as ConversationRecord);
  const last = page[page.length - 1];
  return {
    conversations,
    nextCursor: last && found.length > options.limit ? encodeCursor([last[0]!, last[1]!, last[2]!]) : null,
  };
}

/** A conversation (by id) with its messages in order, or undefined. */
export async function conversationTranscript(reader: DuckDBConnection, id: string): Promise<Transcript | undefined> {
  const found = await reader.runAndReadAll(
    'SELECT app_id, record FROM conversations WHERE conversation_id = $1 ORDER BY app_id LIMIT 1',
    [id],
  );
  const row = found.getRows()[0];
  if (!row) return undefined;
  const messages = await reader.runAndReadAll(
    `SELECT record FROM messages WHERE app_id = $1 AND conversation_id = $2 ORDER BY created_at, message_id`,
    [String(row[0]), id],
  );
  return {
    ...(JSON.parse(String(row[1])) as ConversationRecord),
    messages: messages.getRows().map(([record]) => JSON.parse(String(record)) as MessageRecord),
  };
}
