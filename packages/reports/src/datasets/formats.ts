import type { MessageRecord } from '@dify-logs/core';
import { encodeRow } from '../csv/encode.js';
import { neutraliseCell, type Cell } from '../tabular/neutralise.js';
import type { Conversation } from './conversations.js';

export type DatasetFormat = 'jsonl' | 'openai-chat' | 'sharegpt' | 'csv';

/** One line of a dataset: one message with its answer, or a whole conversation. */
export interface DatasetItem {
  conversation: Conversation;
  /** The message, or the conversation's messages with a question and an answer, oldest first. */
  messages: MessageRecord[];
  /** What the split is decided by: the message id, or the conversation id. */
  id: string;
}

interface Format {
  /** The unit when none is asked for. */
  unit: 'message' | 'conversation';
  /** Text before the first line (the CSV header). */
  header?: string;
  line(item: DatasetItem, options: { system?: string }): string;
}

/** The fields every `jsonl` message carries. */
function messageFields(message: MessageRecord) {
  return {
    messageId: message.messageId,
    createdAt: message.createdAt,
    question: message.query,
    answer: message.answer,
    feedback: message.feedback,
    adminFeedback: message.adminFeedback,
    annotated: message.annotated,
    annotation: message.annotation ?? null,
    messageTokens: message.messageTokens,
    answerTokens: message.answerTokens,
    totalTokens: message.totalTokens,
    modelProvider: message.modelProvider ?? null,
    modelName: message.modelName ?? null,
    workflowRunId: message.workflowRunId,
  };
}

const CSV_COLUMNS = [
  'appId',
  'conversationId',
  'messageId',
  'createdAt',
  'turn',
  'question',
  'answer',
  'feedback',
  'adminFeedback',
  'annotated',
  'annotation',
  'messageTokens',
  'answerTokens',
  'totalTokens',
  'modelProvider',
  'modelName',
] as const;

/**
 * The published shapes: `openai-chat` is OpenAI's chat fine-tuning line (`{"messages": [{"role", "content"}, …]}`,
 * an assistant turn rated `dislike` gets `"weight": 0` so it is context but not trained on; an annotated message's
 * answer is its annotation); `sharegpt` is a ShareGPT
 * conversation (`{"id", "conversations": [{"from": "human" | "gpt" | "system", "value"}, …]}`); neither carries
 * anything else (the app, the model, the tokens), so a line is what those tools accept. `jsonl` keeps every field,
 * the model and the tokens included; `csv` is one row per message (RFC 4180, UTF-8 with a BOM for spreadsheets,
 * formula-like text neutralised).
 */
export const DATASET_FORMATS: Record<DatasetFormat, Format> = {
  jsonl: {
    unit: 'message',
    line: ({ conversation, messages }) =>
      `${JSON.stringify({
        appId: conversation.appId,
        conversationId: conversation.conversationId,
        ...(messages.length === 1 ? messageFields(messages[0]!) : { messages: messages.map(messageFields) }),
      })}\n`,
  },
  'openai-chat': {
    unit: 'conversation',
    line: ({ messages }, { system }) =>
      `${JSON.stringify({
        messages: [
          ...(system ? [{ role: 'system', content: system }] : []),
          ...messages.flatMap((message) => [
            { role: 'user', content: message.query },
            {
              role: 'assistant',
              content: trainedAnswer(message),
              ...(messages.length > 1 && isDisliked(message) ? { weight: 0 } : {}),
            },
          ]),
        ],
      })}\n`,
  },
  sharegpt: {
    unit: 'conversation',
    line: ({ conversation, messages }, { system }) =>
      `${JSON.stringify({
        id: messages.length === 1 ? messages[0]!.messageId : conversation.conversationId,
        conversations: [
          ...(system ? [{ from: 'system', value: system }] : []),
          ...messages.flatMap((message) => [
            { from: 'human', value: message.query },
            { from: 'gpt', value: trainedAnswer(message) },
          ]),
        ],
      })}\n`,
  },
  csv: {
    unit: 'message',
    header: `\uFEFF${CSV_COLUMNS.join(',')}\r\n`,
    line: ({ conversation, messages }) =>
      messages
        .map((message) => {
          const turn = conversation.messages.indexOf(message) + 1;
          const cells: Cell[] = [
            conversation.appId,
            conversation.conversationId,
            message.messageId,
            message.createdAt,
            turn,
            message.query,
            message.answer,
            message.feedback,
            message.adminFeedback,
            message.annotated ? 'true' : 'false',
            message.annotation ?? null,
            message.messageTokens,
            message.answerTokens,
            message.totalTokens,
            message.modelProvider ?? null,
            message.modelName ?? null,
          ];
          return `${encodeRow(cells.map(neutraliseCell))}\r\n`;
        })
        .join(''),
  },
};

/** The answer a model should learn: an editor's annotation where there is one (the curated answer), else Dify's. */
const trainedAnswer = (message: MessageRecord) => message.annotation ?? message.answer;

const isDisliked = (message: MessageRecord) => message.feedback === 'dislike' || message.adminFeedback === 'dislike';
