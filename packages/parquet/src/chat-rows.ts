import type { ConversationRecord, MessageRecord } from '@dify-logs/core';
import type { ConversationRow, MessageRow } from './chat-schema.js';
import { epochMillis, iso, json, optionalMillis, orNull } from './rows.js';

/** The messages-table row of a message: every field (`extraContents` as JSON text; absent fields as null). */
export function toMessageRow(record: MessageRecord): MessageRow {
  const id = record.messageId;
  return {
    appId: record.appId,
    conversationId: record.conversationId,
    messageId: id,
    createdAt: epochMillis(record.createdAt, 'messages.createdAt', id, 'message'),
    query: orNull(record.query),
    answer: orNull(record.answer),
    messageTokens: orNull(record.messageTokens),
    answerTokens: orNull(record.answerTokens),
    totalTokens: record.totalTokens,
    latency: orNull(record.latency),
    feedback: orNull(record.feedback),
    adminFeedback: orNull(record.adminFeedback),
    annotated: record.annotated,
    annotation: orNull(record.annotation),
    status: orNull(record.status),
    error: orNull(record.error),
    fromSource: orNull(record.fromSource),
    endUserId: orNull(record.endUserId),
    accountId: orNull(record.accountId),
    workflowRunId: orNull(record.workflowRunId),
    modelProvider: orNull(record.modelProvider),
    modelName: orNull(record.modelName),
    extraContents: json(record.extraContents),
  };
}

/**
 * The MessageRecord a messages-table row was written from, keys in the order dify-logs writes them; the optional
 * fields that are null are left out, as they were. Times come back in `toISOString` form.
 */
export function fromMessageRow(row: MessageRow): MessageRecord {
  return {
    appId: row.appId,
    conversationId: row.conversationId,
    messageId: row.messageId,
    createdAt: iso(row.createdAt),
    query: row.query,
    answer: row.answer,
    messageTokens: row.messageTokens,
    answerTokens: row.answerTokens,
    totalTokens: row.totalTokens,
    latency: row.latency,
    feedback: row.feedback as MessageRecord['feedback'],
    adminFeedback: row.adminFeedback as MessageRecord['adminFeedback'],
    annotated: row.annotated,
    ...(row.annotation !== null ? { annotation: row.annotation } : {}),
    status: row.status,
    error: row.error,
    fromSource: row.fromSource,
    endUserId: row.endUserId,
    accountId: row.accountId,
    workflowRunId: row.workflowRunId,
    ...(row.modelProvider !== null ? { modelProvider: row.modelProvider } : {}),
    ...(row.modelName !== null ? { modelName: row.modelName } : {}),
    ...(row.extraContents !== null
      ? { extraContents: JSON.parse(row.extraContents) as MessageRecord['extraContents'] }
      : {}),
  };
}

/** The conversations-table row of a conversation: every field. */
export function toConversationRow(record: ConversationRecord): ConversationRow {
  const id = record.conversationId;
  return {
    appId: record.appId,
    conversationId: id,
    name: orNull(record.name),
    status: orNull(record.status),
    fromSource: orNull(record.fromSource),
    endUserId: orNull(record.endUserId),
    endUserSessionId: orNull(record.endUserSessionId),
    accountName: orNull(record.accountName),
    createdAt: epochMillis(record.createdAt, 'conversations.createdAt', id, 'conversation'),
    updatedAt: optionalMillis(record.updatedAt, 'conversations.updatedAt', id, 'conversation'),
    messageCount: orNull(record.messageCount),
    likes: record.likes,
    dislikes: record.dislikes,
    annotated: record.annotated,
  };
}

/** The ConversationRecord a conversations-table row was written from (times in `toISOString` form). */
export function fromConversationRow(row: ConversationRow): ConversationRecord {
  return {
    ...row,
    createdAt: iso(row.createdAt),
    updatedAt: row.updatedAt === null ? null : iso(row.updatedAt),
  };
}
