import { difyError } from '../errors.js';
import { jsonResponse, seconds, type SimRequest, type SimResponse } from '../http.js';
import {
  CHAT_MODES,
  conversationAt,
  conversationCount,
  feedbackOf,
  findConversation,
  isAnnotated,
  messageContent,
  messagesOf,
  type SimConversation,
} from '../data/conversations.js';
import type { WorldApp } from '../data/world.js';
import { loggedIn, requireApp, UUID_SEGMENT } from './console.js';
import type { ConsoleUser, Route, RouteContext } from './context.js';
import { conversationKeywordMatcher } from './conversation-keyword.js';
import { parseLocalMinute } from './local-time.js';
import { endUserOf, messageJson } from './message-json.js';
import { createParamReader } from './params.js';

const EDITOR_ROLES = new Set(['owner', 'admin', 'editor']);
const SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at'];

export type ConversationAppHandler = (
  request: SimRequest,
  context: RouteContext,
  app: WorldApp,
  params: string[],
) => SimResponse;

/**
 * `@login_required` + `@edit_permission_required` (`current_user.is_editor` on 1.9.1) + `get_app_model(mode=...)`:
 * chat modes for the chat endpoints, completion for the completion ones.
 */
export function withConversationApp(
  modes: ReadonlyArray<WorldApp['template']['mode']>,
  handle: ConversationAppHandler,
): Route['handle'] {
  return loggedIn((request: SimRequest, context: RouteContext, user: ConsoleUser, params: string[]) => {
    if (!EDITOR_ROLES.has(user.account.role))
      return difyError(403, 'forbidden', "You don't have the permission to access this resource.");
    const app = requireApp(context, user, params[0] ?? '', modes);
    return 'template' in app ? handle(request, context, app, params) : app;
  });
}

/** The conversation's name: the first question, cut (Dify names it from the first message). */
export function conversationName(context: RouteContext, conversation: SimConversation): string {
  const first = messagesOf(context.store, conversation)[0];
  return first ? messageContent(context.store, first).query.slice(0, 40) : '';
}

function conversationJson(context: RouteContext, conversation: SimConversation) {
  const messages = messagesOf(context.store, conversation);
  const first = messages[0]!;
  const user = endUserOf(first);
  const account = first.run.creator.role === 'account' ? first.run.creator.account : undefined;
  let like = 0;
  let dislike = 0;
  let failed = 0;
  for (const message of messages) {
    const rating = feedbackOf(context.store, message);
    if (rating === 'like') like += 1;
    if (rating === 'dislike') dislike += 1;
    if (message.run.status === 'failed') failed += 1;
  }
  const { query } = messageContent(context.store, first);
  const name = conversationName(context, conversation);
  return {
    id: conversation.id,
    status: 'normal',
    from_source: user ? 'api' : 'console',
    from_end_user_id: user?.id ?? null,
    from_end_user_session_id: user?.sessionId ?? null,
    from_account_id: account?.id ?? null,
    from_account_name: account?.name ?? null,
    name,
    summary: query.slice(0, 100),
    read_at: null,
    created_at: seconds(conversation.createdAtMs),
    updated_at: seconds(conversation.updatedAtMs),
    annotated: isAnnotated(context.store, conversation),
    model_config: modelConfigOf(conversation.app),
    message_count: messages.length,
    user_feedback_stats: { like, dislike },
    admin_feedback_stats: { like: 0, dislike: 0 },
    status_count:
      conversation.app.template.mode === 'advanced-chat'
        ? { success: messages.length - failed, failed, partial_success: 0, paused: 0 }
        : null,
  };
}

/**
 * `simple_model_config_fields` of `Conversation.model_config`: for chat and agent apps the app model config's `model`
 * (`AppModelConfig.model_dict`: provider, name, mode, completion parameters) and `pre_prompt`; for a chatflow the
 * config is only `{model_id, provider}` of the conversation (null outside the debugger), so `model` is null.
 */
function modelConfigOf(app: WorldApp) {
  if (app.template.mode === 'advanced-chat') return { model: null, pre_prompt: null };
  const { provider, name } = app.template.model;
  return {
    model: { provider, name, mode: 'chat', completion_params: {} },
    pre_prompt: `You are ${app.template.name}.`,
  };
}

/** Conversations whose `field` time is in [start, end] (pages over the live list, newest first by default). */
function listConversations(request: SimRequest, context: RouteContext, app: WorldApp): SimResponse {
  const params = createParamReader(request.query, context.personality, 'ChatConversationQuery');
  const page = params.int('page', { min: 1, max: 99_999, fallback: 1 });
  const limit = params.int('limit', { min: 1, max: 100, fallback: 20 });
  const sortBy = params.choice('sort_by', SORTS) ?? '-updated_at';
  const annotation = params.choice('annotation_status', ['annotated', 'not_annotated', 'all']) ?? 'all';
  const startText = params.text('start');
  const endText = params.text('end');
  const keyword = params.text('keyword');
  const problem = params.error();
  if (problem) return problem;
  const matches = keyword ? conversationKeywordMatcher(context, keyword, 'chat') : undefined;
  const zone = context.world.timezone;
  const start = startText === undefined ? undefined : parseLocalMinute(startText, zone);
  const end = endText === undefined ? undefined : parseLocalMinute(endText, zone);
  if ((startText !== undefined && start === undefined) || (endText !== undefined && end === undefined))
    return difyError(400, 'bad_request', "time data does not match format '%Y-%m-%d %H:%M'");
  const byUpdate = sortBy.endsWith('updated_at');
  const total = conversationCount(context.store, app);
  const matching: SimConversation[] = [];
  for (let index = 0; index < total; index += 1) {
    const conversation = conversationAt(context.store, app, index);
    if (!conversation) continue;
    const time = byUpdate ? conversation.updatedAtMs : conversation.createdAtMs;
    // Dify compares with whole seconds: `start` at :00, `end` widened to :59.
    if (start !== undefined && Math.floor(time / 1000) * 1000 < start) continue;
    if (end !== undefined && Math.floor(time / 1000) * 1000 > end + 59_000) continue;
    if (annotation !== 'all' && isAnnotated(context.store, conversation) !== (annotation === 'annotated')) continue;
    if (matches && !matches(conversation, conversationName(context, conversation))) continue;
    matching.push(conversation);
  }
  const field = (conversation: SimConversation) => (byUpdate ? conversation.updatedAtMs : conversation.createdAtMs);
  matching.sort(
    (a, b) =>
      (sortBy.startsWith('-') ? field(b) - field(a) : field(a) - field(b)) ||
      (sortBy.startsWith('-') ? b.index - a.index : a.index - b.index),
  );
  const data = matching
    .slice((page - 1) * limit, page * limit)
    .map((conversation) => conversationJson(context, conversation));
  return jsonResponse(200, { page, limit, total: matching.length, has_more: matching.length > page * limit, data });
}

/** A conversation's messages, newest `limit` before `first_id`, in chronological order. */
function listMessages(request: SimRequest, context: RouteContext, app: WorldApp): SimResponse {
  const params = createParamReader(request.query, context.personality, 'ChatMessageListQuery');
  const conversationId = params.uuid('conversation_id');
  const firstId = params.uuid('first_id');
  const limit = params.int('limit', { min: 1, max: 100, fallback: 20 });
  const problem = params.error();
  if (problem) return problem;
  if (conversationId === undefined) return difyError(400, 'bad_request', 'conversation_id is required');
  const conversation = findConversation(context.store, app, conversationId);
  if (!conversation) return difyError(404, 'not_found', 'Conversation Not Exists.');
  const messages = messagesOf(context.store, conversation);
  let before = messages.length;
  if (firstId !== undefined) {
    before = messages.findIndex((message) => message.id === firstId);
    if (before < 0) return difyError(404, 'not_found', 'First message not found');
  }
  const from = Math.max(0, before - limit);
  return jsonResponse(200, {
    limit,
    has_more: from > 0,
    data: messages.slice(from, before).map((message) => messageJson(context, message)),
  });
}

export function consoleChatRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/console/api/apps/${UUID_SEGMENT}/chat-conversations$`),
      key: 'GET /console/api/apps/:appId/chat-conversations',
      handle: withConversationApp(CHAT_MODES, listConversations),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/console/api/apps/${UUID_SEGMENT}/chat-messages$`),
      key: 'GET /console/api/apps/:appId/chat-messages',
      handle: withConversationApp(CHAT_MODES, listMessages),
    },
  ];
}
