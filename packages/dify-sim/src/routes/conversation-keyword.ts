import { messageContent, messagesOf, type SimConversation } from '../data/conversations.js';
import { createContainsMatcher } from '../data/python-json.js';
import type { RouteContext } from './context.js';
import { endUserOf } from './message-json.js';

/**
 * The console's conversation `keyword` (`api/controllers/console/app/conversation.py`): `ILIKE %keyword%` over the
 * query and answer of any message of the conversation; chat apps (chat, agent-chat, advanced-chat) also over the
 * conversation's name, its introduction and the end user's session id (`from_end_user_session_id`). Up to 1.11.2
 * the keyword goes into the pattern as typed, so `%` and `_` are wildcards; from 1.11.3 `escape_like_pattern`
 * (PR #30450) makes them literal. The simulated conversations have no introduction.
 */
export function conversationKeywordMatcher(
  context: RouteContext,
  keyword: string,
  kind: 'chat' | 'completion',
): (conversation: SimConversation, name: string) => boolean {
  const contains = createContainsMatcher(keyword, context.personality.keyword !== 'literal');
  return (conversation, name) => {
    const messages = messagesOf(context.store, conversation);
    if (kind === 'chat') {
      if (contains(name)) return true;
      const sessionId = messages[0] ? endUserOf(messages[0])?.sessionId : undefined;
      if (sessionId !== undefined && contains(sessionId)) return true;
    }
    return messages.some((message) => {
      const content = messageContent(context.store, message);
      return contains(content.query) || contains(content.answer);
    });
  };
}
