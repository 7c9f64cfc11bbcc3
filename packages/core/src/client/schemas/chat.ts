import { z } from 'zod';

/**
 * Response schemas of the console's chat endpoints (chat, agent-chat and advanced-chat apps; completion apps
 * through their own conversation endpoint). Unknown keys are dropped; fields that differ between releases are
 * optional and nullable.
 */
const timestamp = z.union([z.number(), z.string()]);
const nullableString = z.string().nullable().optional();
const nullableNumber = z.number().nullable().optional();
const stats = z.object({ like: z.number().optional(), dislike: z.number().optional() }).partial().nullable().optional();

/**
 * The conversation's model settings as the lists serialise them (`simple_model_config_fields`): `model` is the app
 * model config's `{provider, name, mode, completion_params}`; null for chatflows (their models are in the workflow's
 * nodes), and in releases whose field map reads it from `model_dict`, which a conversation's config has not.
 */
const ModelConfigSchema = z
  .object({ model: z.object({ provider: nullableString, name: nullableString }).partial().nullable().optional() })
  .partial()
  .nullable()
  .optional();

export const ConversationSchema = z.object({
  id: z.string(),
  status: nullableString,
  from_source: nullableString,
  from_end_user_id: nullableString,
  from_end_user_session_id: nullableString,
  from_account_id: nullableString,
  from_account_name: nullableString,
  name: nullableString,
  summary: nullableString,
  read_at: timestamp.nullable().optional(),
  created_at: timestamp,
  updated_at: timestamp.nullable().optional(),
  annotated: z.boolean().nullable().optional(),
  model_config: ModelConfigSchema,
  message_count: nullableNumber,
  user_feedback_stats: stats,
  admin_feedback_stats: stats,
  status_count: z
    .object({
      success: z.number().optional(),
      failed: z.number().optional(),
      partial_success: z.number().optional(),
      paused: z.number().optional(),
    })
    .partial()
    .nullable()
    .optional(),
});

export const ConversationPageSchema = z.object({
  page: z.number().optional(),
  limit: z.number().optional(),
  total: z.number().optional(),
  has_more: z.boolean(),
  data: z.array(ConversationSchema),
});

const FeedbackSchema = z.object({
  rating: nullableString,
  content: nullableString,
  from_source: nullableString,
  from_end_user_id: nullableString,
  from_account: z
    .object({ id: z.string().optional(), name: nullableString, email: nullableString })
    .partial()
    .nullable()
    .optional(),
});

const AnnotationSchema = z
  .object({ id: nullableString, content: nullableString, question: nullableString })
  .partial()
  .nullable()
  .optional();

export const MessageSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  inputs: z.unknown().optional(),
  query: nullableString,
  answer: nullableString,
  message_tokens: nullableNumber,
  answer_tokens: nullableNumber,
  provider_response_latency: nullableNumber,
  from_source: nullableString,
  from_end_user_id: nullableString,
  from_account_id: nullableString,
  feedbacks: z.array(FeedbackSchema).nullable().optional(),
  workflow_run_id: nullableString,
  annotation: AnnotationSchema,
  annotation_hit_history: z.unknown().optional(),
  created_at: timestamp,
  status: nullableString,
  error: nullableString,
  parent_message_id: nullableString,
  /** 1.13+: Human Input forms of the message's run (`HumanInputContent`); read field by field, never kept whole. */
  extra_contents: z.array(z.unknown()).nullable().optional(),
});

export const MessagePageSchema = z.object({
  limit: z.number().optional(),
  has_more: z.boolean(),
  data: z.array(MessageSchema),
});

/**
 * A completion app's conversation as `GET /apps/<id>/completion-conversations` lists it (`conversation_fields`):
 * no name, summary or message count, but its first message's inputs, query and answer (no message id).
 */
export const CompletionConversationSchema = ConversationSchema.omit({
  name: true,
  summary: true,
  annotated: true,
  message_count: true,
  status_count: true,
}).extend({
  annotation: AnnotationSchema,
  message: z
    .object({ inputs: z.unknown().optional(), query: nullableString, answer: nullableString })
    .partial()
    .nullable()
    .optional(),
});

export const CompletionConversationPageSchema = ConversationPageSchema.extend({
  data: z.array(CompletionConversationSchema),
});

/** `GET /apps/<id>/completion-conversations/<id>` (`conversation_message_detail_fields`): the first message in full. */
export const CompletionConversationDetailSchema = z.object({
  id: z.string().nullable().optional(),
  message: MessageSchema.nullable().optional(),
});

export const AccountProfileSchema = z.object({
  id: z.string().optional(),
  email: nullableString,
  timezone: nullableString,
});

export type DifyConversation = z.infer<typeof ConversationSchema>;
export type DifyMessage = z.infer<typeof MessageSchema>;
export type DifyCompletionConversation = z.infer<typeof CompletionConversationSchema>;
