import { droppedRows, salvagedFields } from '../schemas/salvage.js';
import { DifyConfigError } from '../../errors/config-error.js';
import { toIsoTime } from '../../records/time.js';
import type { ClientContext } from '../context.js';
import { toConsoleMinute } from '../console-time.js';
import {
  AccountProfileSchema,
  ConversationPageSchema,
  MessagePageSchema,
  type DifyConversation,
  type DifyMessage,
} from '../schemas/chat.js';

/** App modes whose logs are conversations and messages, not workflow app logs (Dify keeps none for them). */
export const CHAT_APP_MODES: readonly string[] = ['advanced-chat', 'chat', 'agent-chat'];

/** App modes read through conversations: the chat modes and completion (`/completion-conversations`). */
export const CONVERSATION_APP_MODES: readonly string[] = [...CHAT_APP_MODES, 'completion'];

/** The mode with its article: "an advanced-chat", "an agent-chat", "a chat", "a completion". */
export function withArticle(mode: string): string {
  return `${/^[aeiou]/i.test(mode) ? 'an' : 'a'} ${mode}`;
}

/** Clocks change by at most an hour (a few zones by 30 minutes): widening by this covers any DST gap or overlap. */
const DST_MARGIN_MS = 2 * 3_600_000;

export interface ConversationQuery {
  /** Conversations updated at or after this instant (they may hold messages of the window). */
  updatedSince: Date;
  /** Time zone the console reads `start` in; default: the account's profile time zone. */
  timezone?: string;
  /** Page size 1–100 (default 100). */
  limit?: number;
}

/** The logged-in account's time zone (its profile), in which the console reads conversation filters. */
export async function fetchAccountTimezone(context: ClientContext): Promise<string> {
  const profile = await context.call({ surface: 'console', path: '/account/profile' }, AccountProfileSchema);
  return profile?.timezone || 'UTC';
}

/**
 * Every conversation of a chat app (chat, agent-chat, advanced-chat) updated since `updatedSince`, newest first.
 * The console filters by minutes in the account's time zone, so the filter is widened by two hours (any DST gap
 * or overlap) and callers filter messages exactly. Pages over a live list shift when a conversation is updated
 * during the walk, so conversations updated after the walk began are read again at the end; ids are
 * de-duplicated, so each conversation comes out once.
 */
export async function* listConversations(
  context: ClientContext,
  appId: string,
  query: ConversationQuery,
): AsyncGenerator<DifyConversation> {
  if (!appId) throw new DifyConfigError('appId', 'is required to list conversations (which app?)');
  const timezone = query.timezone ?? (await fetchAccountTimezone(context));
  const limit = query.limit ?? 100;
  const path = `/apps/${encodeURIComponent(appId)}/chat-conversations`;
  const seen = new Set<string>();
  const walkStarted = Date.now();
  const walk = async function* (since: Date): AsyncGenerator<DifyConversation> {
    const start = toConsoleMinute(new Date(since.getTime() - DST_MARGIN_MS), timezone);
    for (let page = 1; ; page += 1) {
      const result = await context.call(
        { surface: 'console', path, query: { page, limit, sort_by: '-updated_at', start } },
        ConversationPageSchema,
      );
      reportSalvage(context, appId, 'conversation', result);
      const data = result?.data ?? [];
      for (const conversation of data) {
        if (seen.has(conversation.id)) continue;
        seen.add(conversation.id);
        yield conversation;
      }
      if (!result?.has_more || data.length === 0) return;
    }
  };
  yield* walk(query.updatedSince);
  // Conversations that moved up the list while it was read (updated since the walk began).
  yield* walk(new Date(walkStarted - 60_000));
}

/**
 * A conversation's messages, newest first, paging backwards with `first_id` until a message older than `since`
 * (when given) or the first message.
 */
export async function* listMessages(
  context: ClientContext,
  appId: string,
  conversationId: string,
  options: { since?: Date; limit?: number } = {},
): AsyncGenerator<DifyMessage> {
  const path = `/apps/${encodeURIComponent(appId)}/chat-messages`;
  let firstId: string | undefined;
  for (;;) {
    const result = await context.call(
      {
        surface: 'console',
        path,
        query: {
          conversation_id: conversationId,
          limit: options.limit ?? 100,
          ...(firstId ? { first_id: firstId } : {}),
        },
      },
      MessagePageSchema,
    );
    reportSalvage(context, appId, 'message', result);
    const data = result?.data ?? [];
    let older = false;
    for (let index = data.length - 1; index >= 0; index -= 1) {
      const message = data[index]!;
      yield message;
      if (options.since && Date.parse(toIsoTime(message.created_at) ?? '') < options.since.getTime() - 1000)
        older = true;
    }
    if (older || !result?.has_more || data.length === 0) return;
    firstId = data[0]!.id;
  }
}

/** Warns of rows kept with emptied fields and rows left out (never the values), as the run export does. */
export function reportSalvage(
  context: ClientContext,
  appId: string,
  what: 'conversation' | 'message',
  page: { data: Array<{ id: string }> } | null,
): void {
  if (!page) return;
  for (const row of droppedRows(page))
    context.logger.warn(
      { appId, position: row.position, field: row.field, problem: row.problem },
      `dropped a ${what} Dify sent without what identifies it`,
    );
  for (const row of page.data) {
    for (const { field, type } of salvagedFields(row))
      context.logger.warn(
        { appId, [`${what}Id`]: row.id, field, type },
        `kept a ${what} whose field had a value of an unexpected type; the field is empty`,
      );
  }
}
