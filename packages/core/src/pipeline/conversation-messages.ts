import type { LimitFunction } from 'p-limit';
import type { DifyMessage } from '../client/schemas/chat.js';
import {
  modelFields,
  toConversationRecord,
  toMessageRecord,
  type ConversationRecord,
  type MessageRecord,
} from '../records/chat.js';
import { toIsoTime } from '../records/time.js';
import type { PipelineApp } from './types.js';

export interface WindowMessage {
  message: DifyMessage;
  record: MessageRecord;
  /** The end user's session id as the conversation list shows it (`from_end_user_session_id`), or null. */
  sessionId: string | null;
  /** On the first message of each conversation found with messages in the window: that conversation. */
  conversation?: ConversationRecord;
}

const MINUTE_MS = 60_000;
/** Completion details requested ahead of the one being read. */
const AHEAD = 256;

/**
 * The messages of an app created in [from, to), unordered: chat modes from every conversation updated since `from`
 * (`chat-conversations`, then `chat-messages`); completion apps from the conversations created about then
 * (`completion-conversations`, then each one's detail, a request per message, `limit` at a time).
 */
export async function* windowMessages(
  app: PipelineApp,
  mode: string,
  window: { from: Date; to: Date; limit: LimitFunction },
): AsyncGenerator<WindowMessage> {
  const inWindow = (record: MessageRecord) => {
    const at = Date.parse(record.createdAt);
    return at >= window.from.getTime() && at < window.to.getTime();
  };
  if (mode !== 'completion') {
    for await (const conversation of app.client.conversations(app.id, { updatedSince: window.from })) {
      const sessionId = conversation.from_end_user_session_id ?? null;
      let first = true;
      // Dify's message does not name its model; the conversation's model settings do (chat and agent apps).
      const model = modelFields(conversation.model_config?.model);
      for await (const message of app.client.messages(app.id, conversation.id, { since: window.from })) {
        const record = { ...toMessageRecord(app.id, message), ...model };
        if (!inWindow(record)) continue;
        yield {
          message,
          record,
          sessionId,
          ...(first ? { conversation: toConversationRecord(app.id, conversation) } : {}),
        };
        first = false;
      }
    }
    return;
  }
  const endpoint = 'GET /console/api/apps/{id}/completion-conversations/{id}';
  // Details in flight, in list order: at most `AHEAD` wait at once, so memory stays bounded however many there are.
  const pending: Array<Promise<WindowMessage | undefined>> = [];
  for await (const conversation of app.client.completionConversations(app.id, { createdSince: window.from })) {
    while (pending.length >= AHEAD) {
      const found = await pending.shift()!;
      if (found) yield found;
    }
    // The message is created with its conversation: a minute either side covers the two inserts.
    const created = Date.parse(toIsoTime(conversation.created_at) ?? '');
    if (created < window.from.getTime() - MINUTE_MS || created >= window.to.getTime() + MINUTE_MS) continue;
    const sessionId = conversation.from_end_user_session_id ?? null;
    const model = modelFields(conversation.model_config?.model);
    pending.push(
      window.limit(async () => {
        const message = await app.client.completionMessage(app.id, conversation.id);
        if (!message) return undefined;
        const record = { ...toMessageRecord(app.id, message, endpoint), ...model };
        if (!inWindow(record)) return undefined;
        // A completion conversation is its one message (the list gives no count and no `annotated`).
        const found = toConversationRecord(
          app.id,
          { ...conversation, message_count: 1, annotated: record.annotated },
          'GET /console/api/apps/{id}/completion-conversations',
        );
        return { message, record, sessionId, conversation: found };
      }),
    );
  }
  for (const found of await Promise.all(pending)) if (found) yield found;
}
