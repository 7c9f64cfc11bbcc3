import { seconds } from '../http.js';
import { feedbackOf, isAnnotated, messageContent, type SimMessage } from '../data/conversations.js';
import { accountJson } from './present.js';
import { deriveUuid } from '../data/ids.js';
import { unit5 } from '../data/prng.js';
import { SALT } from '../data/world.js';
import type { RouteContext } from './context.js';

/** The end user who sent a message, or undefined for a console account (`from_source: console`). */
export function endUserOf(message: SimMessage) {
  return message.run.creator.role === 'end_user' ? message.run.creator.endUser : undefined;
}

/**
 * `extra_contents` (1.13+, `attach_message_extra_contents`:
 * `HumanInputContent.model_dump(mode="json", exclude_none=True)`,
 * `api/core/entities/execution_extra_content.py` @1.13.0): a chatflow message whose run waited at a Human Input form
 * (one in ten here, all answered) carries the form and what the person submitted; `form_token` answers the form.
 */
function extraContents(context: RouteContext, message: SimMessage): unknown[] {
  const run = message.run;
  const app = message.conversation.app;
  if (
    app.template.mode !== 'advanced-chat' ||
    unit5(context.world.seed, SALT.form, app.index, run.ref.kind, run.ref.index) >= 0.1
  )
    return [];
  const formId = deriveUuid(context.world.seed, SALT.form, app.index, run.ref.kind, run.ref.index);
  const nodeId = `${app.id.slice(0, 8)}-review`;
  return [
    {
      workflow_run_id: run.id,
      submitted: true,
      form_definition: {
        form_id: formId,
        node_id: nodeId,
        node_title: 'Review answer',
        form_content: 'Approve this answer?',
        inputs: [],
        actions: [{ id: 'approve', title: 'Approve' }],
        display_in_ui: true,
        form_token: formId.replace(/-/g, ''),
        resolved_default_values: {},
        expiration_time: Math.floor(run.timeMs / 1000) + 86_400,
      },
      form_submission_data: {
        node_id: nodeId,
        node_title: 'Review answer',
        rendered_content: 'Approve this answer?',
        action_id: 'approve',
        action_text: 'Approve',
      },
      type: 'human_input',
    },
  ];
}

export function messageJson(context: RouteContext, message: SimMessage) {
  const content = messageContent(context.store, message);
  const rating = feedbackOf(context.store, message);
  const user = endUserOf(message);
  const chatflow = message.conversation.app.template.mode === 'advanced-chat';
  return {
    id: message.id,
    conversation_id: message.conversation.id,
    inputs: {},
    query: content.query,
    message: [{ role: 'user', text: content.query }],
    message_tokens: content.messageTokens,
    answer_tokens: content.answerTokens,
    answer: content.answer,
    provider_response_latency: content.latency,
    from_source: user ? 'api' : 'console',
    from_end_user_id: user?.id ?? null,
    from_account_id: message.run.creator.role === 'account' ? message.run.creator.account.id : null,
    feedbacks: rating
      ? [{ rating, content: null, from_source: 'user', from_end_user_id: user?.id ?? null, from_account: null }]
      : [],
    workflow_run_id: chatflow ? message.run.id : null,
    annotation: annotationOf(context, message, content),
    annotation_hit_history: null,
    created_at: seconds(message.run.timeMs),
    agent_thoughts: [],
    message_files: [],
    metadata: {
      usage: {
        prompt_tokens: content.messageTokens,
        completion_tokens: content.answerTokens,
        total_tokens: content.messageTokens + content.answerTokens,
      },
    },
    status: content.error ? 'error' : 'normal',
    error: content.error,
    parent_message_id: null,
    ...(context.personality.pauseDetails ? { extra_contents: extraContents(context, message) } : {}),
  };
}

/**
 * The annotation an editor attached to a message (Dify's `annotation_model`: the message's `MessageAnnotation`, the
 * curated answer): the first message of an annotated conversation has one in the simulator, null otherwise.
 */
function annotationOf(context: RouteContext, message: SimMessage, content: { query: string; answer: string }) {
  const { conversation } = message;
  if (message.index !== conversation.first || !isAnnotated(context.store, conversation)) return null;
  return {
    id: deriveUuid(context.world.seed, SALT.annotation, conversation.app.index, message.index),
    question: content.query,
    content: `${content.answer} (reviewed by an editor)`,
    account: accountJson(context.world.owner),
    created_at: seconds(conversation.updatedAtMs),
  };
}
