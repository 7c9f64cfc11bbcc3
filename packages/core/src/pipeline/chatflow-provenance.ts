import type { DifyMessage } from '../client/schemas/chat.js';
import type { DifyLogItem, DifyRunDetail } from '../client/schemas/dify.js';

/**
 * Where a chatflow message came from, as a workflow app's log row says it (`created_from`), read from what the
 * console shows of the message and of its run:
 * - `from_source` is `api` for both the web app and the Service API (end users) and `console` for accounts
 *   (`api/core/app/apps/message_based_app_generator.py`, `_init_generate_records`, 1.9.1 – 1.13.x). The console's
 *   chat-conversations list leaves out debugger conversations of advanced-chat apps (`invoke_from != DEBUGGER`,
 *   `api/controllers/console/app/conversation.py`), so an account's chatflow message was sent from Explore: an
 *   installed app.
 * - An end user's `type` (on the console run detail's `created_by_end_user`) is `browser` for the web app
 *   (`api/controllers/web/passport.py`) and `service-api` for API callers (`service_api` up to 1.9.x,
 *   `api/controllers/service_api/wraps.py` @1.9.1; `InvokeFrom.SERVICE_API` after,
 *   `api/services/end_user_service.py`).
 * Null when neither says (the Service API's run detail has no creator; a run Dify lost).
 */
export function chatflowCreatedFrom(message: DifyMessage, detail: DifyRunDetail | null | undefined): string | null {
  if (message.from_source === 'console' || (!message.from_end_user_id && message.from_account_id))
    return 'installed-app';
  const type = detail?.created_by_end_user?.type;
  if (type === 'browser') return 'web-app';
  if (type === 'service-api' || type === 'service_api') return 'service-api';
  return null;
}

/**
 * The log item a chatflow message stands for: its id, time and provenance, and the end user's session id
 * (`from_end_user_session_id` of the conversation, or the run's `created_by_end_user.session_id`).
 */
export function chatflowLogItem(
  message: DifyMessage,
  detail: DifyRunDetail | null | undefined,
  conversationSessionId: string | null,
): DifyLogItem {
  const endUser = message.from_end_user_id
    ? {
        id: message.from_end_user_id,
        type: detail?.created_by_end_user?.type ?? null,
        session_id: conversationSessionId ?? detail?.created_by_end_user?.session_id ?? null,
      }
    : null;
  return {
    id: message.id,
    workflow_run: null,
    created_from: chatflowCreatedFrom(message, detail),
    created_by_role: message.from_end_user_id ? 'end_user' : 'account',
    created_by_end_user: endUser,
    created_by_account: null,
    created_at: message.created_at,
  } as DifyLogItem;
}
