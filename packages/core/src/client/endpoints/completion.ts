import { DifyConfigError } from '../../errors/config-error.js';
import type { ClientContext } from '../context.js';
import { toConsoleMinute } from '../console-time.js';
import {
  CompletionConversationDetailSchema,
  CompletionConversationPageSchema,
  type DifyCompletionConversation,
  type DifyMessage,
} from '../schemas/chat.js';
import { fetchAccountTimezone, reportSalvage } from './chat.js';

/** Clocks change by at most an hour (a few zones by 30 minutes): widening by this covers any DST gap or overlap. */
const DST_MARGIN_MS = 2 * 3_600_000;

export interface CompletionConversationQuery {
  /** Conversations created at or after this instant (a completion app's message is created with its conversation). */
  createdSince: Date;
  /** Time zone the console reads `start` in; default: the account's profile time zone. */
  timezone?: string;
  /** Page size 1–100 (default 100). */
  limit?: number;
}

/**
 * Every conversation of a completion app created since `createdSince`, newest first
 * (`GET /console/api/apps/<id>/completion-conversations`, ordered by `created_at DESC`; editor role). `start` is a
 * minute in the account's time zone, so it is widened by two hours and callers filter exactly. Conversations created
 * while the list is read push the rest down a page (read twice, de-duplicated by id); those created after the walk
 * began are read by a second walk.
 */
export async function* listCompletionConversations(
  context: ClientContext,
  appId: string,
  query: CompletionConversationQuery,
): AsyncGenerator<DifyCompletionConversation> {
  if (!appId) throw new DifyConfigError('appId', 'is required to list conversations (which app?)');
  const timezone = query.timezone ?? (await fetchAccountTimezone(context));
  const limit = query.limit ?? 100;
  const path = `/apps/${encodeURIComponent(appId)}/completion-conversations`;
  const seen = new Set<string>();
  const walkStarted = Date.now();
  const walk = async function* (since: Date): AsyncGenerator<DifyCompletionConversation> {
    const start = toConsoleMinute(new Date(since.getTime() - DST_MARGIN_MS), timezone);
    for (let page = 1; ; page += 1) {
      const result = await context.call(
        { surface: 'console', path, query: { page, limit, start } },
        CompletionConversationPageSchema,
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
  yield* walk(query.createdSince);
  yield* walk(new Date(walkStarted - 60_000));
}

/**
 * A completion conversation's message in full (`GET /console/api/apps/<id>/completion-conversations/<id>`, the only
 * console endpoint that gives a completion message's id, tokens and feedback), or null when Dify has none. Dify
 * marks the conversation read (`read_at`) when this is asked, as when someone opens the log in the console.
 */
export async function fetchCompletionMessage(
  context: ClientContext,
  appId: string,
  conversationId: string,
): Promise<DifyMessage | null> {
  const detail = await context.call(
    {
      surface: 'console',
      path: `/apps/${encodeURIComponent(appId)}/completion-conversations/${encodeURIComponent(conversationId)}`,
    },
    CompletionConversationDetailSchema,
  );
  return detail?.message ?? null;
}
