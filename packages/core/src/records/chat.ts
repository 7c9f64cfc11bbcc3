import { z } from 'zod';
import type { DifyConversation, DifyMessage } from '../client/schemas/chat.js';
import { DifyResponseError } from '../errors/response-error.js';
import { toIsoTime } from './time.js';

const isoTime = z.string().describe('ISO-8601 UTC timestamp');
const rating = z.enum(['like', 'dislike']).nullable();

export const MessageRecordSchema = z
  .object({
    appId: z.string(),
    conversationId: z.string(),
    messageId: z.string().describe('Dify message id: the unit of de-duplication'),
    createdAt: isoTime,
    query: z.string().nullable(),
    answer: z.string().nullable(),
    messageTokens: z.number().int().nullable().describe('Prompt tokens'),
    answerTokens: z.number().int().nullable(),
    totalTokens: z.number().int().describe('messageTokens + answerTokens (0 when Dify sent neither)'),
    latency: z.number().nullable().describe('Seconds from question to answer (provider_response_latency)'),
    feedback: rating.describe("The end user's rating"),
    adminFeedback: rating.describe("A console user's rating"),
    annotated: z.boolean().describe('An annotation (curated answer) is attached'),
    annotation: z
      .string()
      .optional()
      .describe("The annotation's answer, as an editor wrote it (Dify's `annotation.content`); absent without one"),
    status: z.string().nullable().describe('normal | error | paused'),
    error: z.string().nullable(),
    fromSource: z.string().nullable().describe('api (end user) | console'),
    endUserId: z.string().nullable(),
    accountId: z.string().nullable(),
    workflowRunId: z.string().nullable().describe('The chatflow run behind the message; null for chat and agent apps'),
    modelProvider: z
      .string()
      .optional()
      .describe(
        "The model that answered: its provider (e.g. langgenius/openai/openai), from the conversation's model " +
          "settings, or for a chatflow from its run's first model node; absent when Dify did not say",
      ),
    modelName: z.string().optional().describe('The model that answered (e.g. gpt-4o-mini); absent when unknown'),
    extraContents: z
      .array(
        z.object({
          type: z.string().describe('human_input: a form the run waited at'),
          workflowRunId: z.string().nullable(),
          submitted: z.boolean().nullable(),
          formId: z.string().nullable(),
          nodeId: z.string().nullable(),
          nodeTitle: z.string().nullable(),
          actionId: z.string().nullable().describe('The button the person chose'),
          actionText: z.string().nullable(),
          renderedContent: z.string().nullable().describe('The form as submitted'),
        }),
      )
      .optional()
      .describe(
        "Dify >= 1.13's extra_contents (Human Input forms of the " +
          "message's run); the form token, which answers the form, is not kept",
      ),
  })
  .describe('One message (question and answer) of a Dify chat, agent or chatflow app, normalised by dify-logs');

export const ConversationRecordSchema = z
  .object({
    appId: z.string(),
    conversationId: z.string(),
    name: z.string().nullable(),
    status: z.string().nullable(),
    fromSource: z.string().nullable(),
    endUserId: z.string().nullable(),
    endUserSessionId: z.string().nullable(),
    accountName: z.string().nullable(),
    createdAt: isoTime,
    updatedAt: isoTime.nullable(),
    messageCount: z.number().int().nullable(),
    likes: z.number().int(),
    dislikes: z.number().int(),
    annotated: z.boolean(),
  })
  .describe('One conversation of a Dify chat, agent or chatflow app, normalised by dify-logs');

export type MessageRecord = z.infer<typeof MessageRecordSchema>;
export type ConversationRecord = z.infer<typeof ConversationRecordSchema>;

function time(value: unknown, endpoint: string, field: string): string {
  const iso = toIsoTime(value);
  if (iso === null)
    throw new DifyResponseError({
      endpoint,
      field,
      problem: `expected a timestamp, got ${JSON.stringify(value)?.slice(0, 80)}`,
    });
  return iso;
}

const whole = (value: number | null | undefined) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : null;
const ratingOf = (value: string | null | undefined) => (value === 'like' || value === 'dislike' ? value : null);

export function toMessageRecord(
  appId: string,
  message: DifyMessage,
  endpoint = 'GET /console/api/apps/{id}/chat-messages',
): MessageRecord {
  const feedbacks = message.feedbacks ?? [];
  const messageTokens = whole(message.message_tokens);
  const answerTokens = whole(message.answer_tokens);
  return {
    appId,
    conversationId: message.conversation_id,
    messageId: message.id,
    createdAt: time(message.created_at, endpoint, 'created_at'),
    query: message.query ?? null,
    answer: message.answer ?? null,
    messageTokens,
    answerTokens,
    totalTokens: (messageTokens ?? 0) + (answerTokens ?? 0),
    latency:
      typeof message.provider_response_latency === 'number' && Number.isFinite(message.provider_response_latency)
        ? message.provider_response_latency
        : null,
    feedback: ratingOf(feedbacks.find((feedback) => feedback.from_source === 'user')?.rating),
    adminFeedback: ratingOf(feedbacks.find((feedback) => feedback.from_source === 'admin')?.rating),
    annotated: message.annotation !== null && message.annotation !== undefined,
    ...(message.annotation?.content ? { annotation: message.annotation.content } : {}),
    status: message.status ?? null,
    error: message.error || null,
    fromSource: message.from_source ?? null,
    endUserId: message.from_end_user_id ?? null,
    accountId: message.from_account_id ?? null,
    workflowRunId: message.workflow_run_id || null,
    ...(message.extra_contents?.length ? { extraContents: message.extra_contents.map(extraContent) } : {}),
  };
}

/**
 * The model fields of a message answered by `model` (a conversation's `model_config.model`, or a model node's
 * provider and name): only those Dify named.
 */
export function modelFields(
  model: { provider?: string | null; name?: string | null } | null | undefined,
): Pick<MessageRecord, 'modelProvider' | 'modelName'> {
  return {
    ...(model?.provider ? { modelProvider: model.provider } : {}),
    ...(model?.name ? { modelName: model.name } : {}),
  };
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** One of `extra_contents` (`HumanInputContent`, `model_dump(exclude_none=True)`), without `form_token`. */
function extraContent(value: unknown): NonNullable<MessageRecord['extraContents']>[number] {
  const content = record(value);
  const form = record(content.form_definition);
  const submission = record(content.form_submission_data);
  return {
    type: text(content.type) ?? 'unknown',
    workflowRunId: text(content.workflow_run_id),
    submitted: typeof content.submitted === 'boolean' ? content.submitted : null,
    formId: text(form.form_id),
    nodeId: text(submission.node_id) ?? text(form.node_id),
    nodeTitle: text(submission.node_title) ?? text(form.node_title),
    actionId: text(submission.action_id),
    actionText: text(submission.action_text),
    renderedContent: text(submission.rendered_content),
  };
}

export function toConversationRecord(
  appId: string,
  conversation: DifyConversation,
  endpoint = 'GET /console/api/apps/{id}/chat-conversations',
): ConversationRecord {
  return {
    appId,
    conversationId: conversation.id,
    name: conversation.name ?? null,
    status: conversation.status ?? null,
    fromSource: conversation.from_source ?? null,
    endUserId: conversation.from_end_user_id ?? null,
    endUserSessionId: conversation.from_end_user_session_id ?? null,
    accountName: conversation.from_account_name ?? null,
    createdAt: time(conversation.created_at, endpoint, 'created_at'),
    updatedAt:
      conversation.updated_at === null || conversation.updated_at === undefined
        ? null
        : time(conversation.updated_at, endpoint, 'updated_at'),
    messageCount: whole(conversation.message_count),
    likes: whole(conversation.user_feedback_stats?.like) ?? 0,
    dislikes: whole(conversation.user_feedback_stats?.dislike) ?? 0,
    annotated: conversation.annotated === true,
  };
}
