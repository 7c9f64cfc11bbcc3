import { difyError } from '../errors.js';
import { jsonResponse, seconds, type SimRequest, type SimResponse } from '../http.js';
import {
  COMPLETION_MODES,
  conversationAt,
  conversationCount,
  feedbackOf,
  findConversation,
  isAnnotated,
  messageContent,
  messageId,
  messagesOf,
  type SimConversation,
  type SimMessage,
} from '../data/conversations.js';
import type { WorldApp } from '../data/world.js';
import { withConversationApp } from './console-chat.js';
import { loggedIn, requireApp, UUID_SEGMENT } from './console.js';
import type { ConsoleUser, Route, RouteContext } from './context.js';
import { conversationKeywordMatcher } from './conversation-keyword.js';
import { parseLocalMinute } from './local-time.js';
import { endUserOf, messageJson } from './message-json.js';
import { createParamReader } from './params.js';
import { accountJson } from './present.js';

/**
 * Completion apps' logs (`api/controllers/console/app/conversation.py`, `CompletionConversationApi` and
 * `CompletionConversationDetailApi`, 1.9.1 – 1.13.x): a paged list of conversations (`conversation_fields`, each
 * with its first message's inputs, query and answer, no message id) and one conversation with its first message in
 * full (`conversation_message_detail_fields`). Opening one marks it read (`_get_conversation` sets `read_at`).
 * `GET /apps/<id>/messages/<message_id>` (`message.py`, `MessageApi`: any app mode, no editor check) serves a message.
 */

function modelConfig(app: WorldApp) {
  return { provider: app.template.model.provider, name: app.template.model.name, mode: 'completion' };
}

function readAt(context: RouteContext, conversation: SimConversation): number | null {
  const at = context.readConversations.get(conversation.id);
  return at === undefined ? null : seconds(at);
}

function feedbackStats(context: RouteContext, messages: SimMessage[]) {
  const ratings = messages.map((message) => feedbackOf(context.store, message));
  return {
    like: ratings.filter((rating) => rating === 'like').length,
    dislike: ratings.filter((rating) => rating === 'dislike').length,
  };
}

/** `conversation_fields`: the list item. */
function conversationJson(context: RouteContext, conversation: SimConversation) {
  const messages = messagesOf(context.store, conversation);
  const first = messages[0]!;
  const user = endUserOf(first);
  const account = first.run.creator.role === 'account' ? first.run.creator.account : undefined;
  const content = messageContent(context.store, first);
  return {
    id: conversation.id,
    status: 'normal',
    from_source: user ? 'api' : 'console',
    from_end_user_id: user?.id ?? null,
    from_end_user_session_id: user?.sessionId ?? null,
    from_account_id: account?.id ?? null,
    from_account_name: account?.name ?? null,
    read_at: readAt(context, conversation),
    created_at: seconds(conversation.createdAtMs),
    updated_at: seconds(conversation.updatedAtMs),
    annotation: isAnnotated(context.store, conversation)
      ? {
          id: messageId(context.store, conversation.app, conversation.first),
          question: content.query,
          content: content.answer,
          account: accountJson(context.world.owner),
          created_at: seconds(conversation.updatedAtMs),
        }
      : null,
    model_config: { model: modelConfig(conversation.app), pre_prompt: 'Write product copy for: {{query}}' },
    user_feedback_stats: feedbackStats(context, messages),
    admin_feedback_stats: { like: 0, dislike: 0 },
    // `simple_message_detail_fields`: `message` is the first prompt message's text (`MessageTextField`).
    message: { inputs: {}, query: content.query, message: content.query, answer: content.answer },
  };
}

/** Conversations created in [start, end:59) in the account's time zone, newest first (`created_at DESC`). */
function listCompletionConversations(request: SimRequest, context: RouteContext, app: WorldApp): SimResponse {
  const params = createParamReader(request.query, context.personality, 'CompletionConversationQuery');
  const page = params.int('page', { min: 1, max: 99_999, fallback: 1 });
  const limit = params.int('limit', { min: 1, max: 100, fallback: 20 });
  const annotation = params.choice('annotation_status', ['annotated', 'not_annotated', 'all']) ?? 'all';
  const startText = params.text('start');
  const endText = params.text('end');
  const keyword = params.text('keyword');
  const problem = params.error();
  if (problem) return problem;
  const zone = context.world.timezone;
  const start = startText ? parseLocalMinute(startText, zone) : undefined;
  const end = endText ? parseLocalMinute(endText, zone) : undefined;
  if ((startText && start === undefined) || (endText && end === undefined))
    return difyError(400, 'bad_request', "time data does not match format '%Y-%m-%d %H:%M'");
  const matches = keyword ? conversationKeywordMatcher(context, keyword, 'completion') : undefined;
  const matching: SimConversation[] = [];
  const total = conversationCount(context.store, app);
  for (let index = total - 1; index >= 0; index -= 1) {
    const conversation = conversationAt(context.store, app, index);
    if (!conversation) continue;
    const second = Math.floor(conversation.createdAtMs / 1000) * 1000;
    if (start !== undefined && second < start) continue;
    // Strictly before `end` at :59 (the chat list's bound is inclusive).
    if (end !== undefined && second >= end + 59_000) continue;
    if (annotation !== 'all' && isAnnotated(context.store, conversation) !== (annotation === 'annotated')) continue;
    if (matches && !matches(conversation, '')) continue;
    matching.push(conversation);
  }
  matching.sort((a, b) => b.createdAtMs - a.createdAtMs || b.index - a.index);
  const data = matching
    .slice((page - 1) * limit, page * limit)
    .map((conversation) => conversationJson(context, conversation));
  return jsonResponse(200, { page, limit, total: matching.length, has_more: matching.length > page * limit, data });
}

/** `conversation_message_detail_fields`; marks the conversation read, as the console does when a log is opened. */
function completionConversationDetail(
  _request: SimRequest,
  context: RouteContext,
  app: WorldApp,
  params: string[],
): SimResponse {
  const conversation = findConversation(context.store, app, params[1] ?? '');
  if (!conversation) return difyError(404, 'not_found', 'Conversation Not Exists.');
  if (!context.readConversations.has(conversation.id)) context.readConversations.set(conversation.id, Date.now());
  const first = messagesOf(context.store, conversation)[0]!;
  const user = endUserOf(first);
  // `conversation.py`'s message model has no `extra_contents` (only `message.py`'s has).
  const { extra_contents: _extra, ...message } = messageJson(context, first) as Record<string, unknown>;
  return jsonResponse(200, {
    id: conversation.id,
    status: 'normal',
    from_source: user ? 'api' : 'console',
    from_end_user_id: user?.id ?? null,
    from_account_id: first.run.creator.role === 'account' ? first.run.creator.account.id : null,
    created_at: seconds(conversation.createdAtMs),
    model_config: {
      opening_statement: null,
      suggested_questions: [],
      model: modelConfig(app),
      user_input_form: [],
      pre_prompt: 'Write product copy for: {{query}}',
      agent_mode: null,
    },
    message,
  });
}

/** `MessageApi.get`: `@get_app_model` with no mode and no editor check; 404 "Message Not Exists.". */
function messageDetail(_request: SimRequest, context: RouteContext, user: ConsoleUser, params: string[]): SimResponse {
  const app = requireApp(context, user, params[0] ?? '', [
    'workflow',
    'advanced-chat',
    'chat',
    'agent-chat',
    'completion',
  ]);
  if (!('template' in app)) return app;
  const wanted = (params[1] ?? '').toLowerCase();
  const total = conversationCount(context.store, app);
  for (let index = 0; index < total; index += 1) {
    const conversation = conversationAt(context.store, app, index);
    if (!conversation) continue;
    const message = messagesOf(context.store, conversation).find((candidate) => candidate.id === wanted);
    if (message) return jsonResponse(200, messageJson(context, message));
  }
  return difyError(404, 'not_found', 'Message Not Exists.');
}

export function consoleCompletionRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/console/api/apps/${UUID_SEGMENT}/completion-conversations$`),
      key: 'GET /console/api/apps/:appId/completion-conversations',
      handle: withConversationApp(COMPLETION_MODES, listCompletionConversations),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/console/api/apps/${UUID_SEGMENT}/completion-conversations/${UUID_SEGMENT}$`),
      key: 'GET /console/api/apps/:appId/completion-conversations/:conversationId',
      handle: withConversationApp(COMPLETION_MODES, completionConversationDetail),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/console/api/apps/${UUID_SEGMENT}/messages/${UUID_SEGMENT}$`),
      key: 'GET /console/api/apps/:appId/messages/:messageId',
      handle: loggedIn(messageDetail),
    },
  ];
}
