import { optional, required, type TableDefinition } from './schema.js';

/**
 * A row of the messages table: one MessageRecord; timestamps as epoch milliseconds, `extraContents` as JSON text.
 * The record's optional fields (`annotation`, `modelProvider`, `modelName`, `extraContents`) are null when absent.
 */
export interface MessageRow {
  appId: string;
  conversationId: string;
  messageId: string;
  createdAt: number;
  query: string | null;
  answer: string | null;
  messageTokens: number | null;
  answerTokens: number | null;
  totalTokens: number;
  latency: number | null;
  feedback: string | null;
  adminFeedback: string | null;
  annotated: boolean;
  annotation: string | null;
  status: string | null;
  error: string | null;
  fromSource: string | null;
  endUserId: string | null;
  accountId: string | null;
  workflowRunId: string | null;
  modelProvider: string | null;
  modelName: string | null;
  extraContents: string | null;
}

/** A row of the conversations table: one ConversationRecord; timestamps as epoch milliseconds. */
export interface ConversationRow {
  appId: string;
  conversationId: string;
  name: string | null;
  status: string | null;
  fromSource: string | null;
  endUserId: string | null;
  endUserSessionId: string | null;
  accountName: string | null;
  createdAt: number;
  updatedAt: number | null;
  messageCount: number | null;
  likes: number;
  dislikes: number;
  annotated: boolean;
}

export const MESSAGES_TABLE: TableDefinition<MessageRow> = {
  name: 'messages',
  columns: [
    required('appId', 'string'),
    required('conversationId', 'string'),
    required('messageId', 'string'),
    required('createdAt', 'timestamp'),
    optional('query', 'string'),
    optional('answer', 'string'),
    optional('messageTokens', 'int64'),
    optional('answerTokens', 'int64'),
    required('totalTokens', 'int64'),
    optional('latency', 'double'),
    optional('feedback', 'string'),
    optional('adminFeedback', 'string'),
    required('annotated', 'boolean'),
    optional('annotation', 'string'),
    optional('status', 'string'),
    optional('error', 'string'),
    optional('fromSource', 'string'),
    optional('endUserId', 'string'),
    optional('accountId', 'string'),
    optional('workflowRunId', 'string'),
    optional('modelProvider', 'string'),
    optional('modelName', 'string'),
    optional('extraContents', 'json'),
  ],
};

export const CONVERSATIONS_TABLE: TableDefinition<ConversationRow> = {
  name: 'conversations',
  columns: [
    required('appId', 'string'),
    required('conversationId', 'string'),
    optional('name', 'string'),
    optional('status', 'string'),
    optional('fromSource', 'string'),
    optional('endUserId', 'string'),
    optional('endUserSessionId', 'string'),
    optional('accountName', 'string'),
    required('createdAt', 'timestamp'),
    optional('updatedAt', 'timestamp'),
    optional('messageCount', 'int64'),
    required('likes', 'int64'),
    required('dislikes', 'int64'),
    required('annotated', 'boolean'),
  ],
};
