import type { ConversationRecord, MessageRecord } from '@dify-logs/core';
import { describe, expect, it } from 'vitest';
import {
  decodeParquetConversations,
  decodeParquetMessages,
  decodeParquetPart,
  encodeParquetConversations,
  encodeParquetMessages,
  encodeParquetPart,
  parquetArchiveFormat,
  ParquetValueError,
} from '../src/index.js';
import { AWKWARD_TEXT, makeRun } from './fixtures.js';

async function collect<T>(records: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of records) out.push(record);
  return out;
}

function message(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    appId: 'app-chat',
    conversationId: 'conversation-1',
    messageId: 'message-1',
    createdAt: '2026-03-09T10:00:00.123Z',
    query: 'hello',
    answer: 'hi',
    messageTokens: 12,
    answerTokens: 30,
    totalTokens: 42,
    latency: 1.25,
    feedback: 'like',
    adminFeedback: 'dislike',
    annotated: true,
    annotation: 'the curated answer',
    status: 'normal',
    error: null,
    fromSource: 'api',
    endUserId: 'end-user-1',
    accountId: 'account-1',
    workflowRunId: 'run-1',
    modelProvider: 'langgenius/openai/openai',
    modelName: 'gpt-4o-mini',
    extraContents: [
      {
        type: 'human_input',
        workflowRunId: 'run-1',
        submitted: true,
        formId: 'form-1',
        nodeId: 'node-1',
        nodeTitle: 'Approve',
        actionId: 'approve',
        actionText: '批准',
        renderedContent: '<b>ok</b>',
      },
    ],
    ...overrides,
  };
}

function conversation(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    appId: 'app-chat',
    conversationId: 'conversation-1',
    name: 'hello',
    status: 'normal',
    fromSource: 'api',
    endUserId: 'end-user-1',
    endUserSessionId: 'session-1',
    accountName: 'Ada',
    createdAt: '2026-03-09T10:00:00.000Z',
    updatedAt: '2026-03-10T11:00:00.500Z',
    messageCount: 4,
    likes: 2,
    dislikes: 1,
    annotated: true,
    ...overrides,
  };
}

/** Every field null (or, for the optional ones, absent). */
const BARE_MESSAGE: MessageRecord = {
  appId: 'app-chat',
  conversationId: 'c-bare',
  messageId: 'm-bare',
  createdAt: '2026-03-09T00:00:00.000Z',
  query: null,
  answer: null,
  messageTokens: null,
  answerTokens: null,
  totalTokens: 0,
  latency: null,
  feedback: null,
  adminFeedback: null,
  annotated: false,
  status: null,
  error: null,
  fromSource: null,
  endUserId: null,
  accountId: null,
  workflowRunId: null,
};

describe('Parquet messages and conversations tables', () => {
  it('gives every message back deep-equal: every field set, nulls, absent fields, CJK and hostile text', async () => {
    const messages: MessageRecord[] = [
      message(),
      BARE_MESSAGE,
      message({ messageId: 'm-empty', extraContents: [], annotation: '', modelName: '', query: '' }),
      ...AWKWARD_TEXT.map((text, index) =>
        message({
          messageId: `m-${index}-${text}`,
          conversationId: text,
          query: text,
          answer: `答案 ${text}`,
          annotation: text,
          error: text,
          endUserId: text,
          modelName: text,
          extraContents: [{ ...message().extraContents![0]!, renderedContent: text, actionText: text }],
        }),
      ),
    ];
    const bytes = await encodeParquetMessages(messages);
    const back = await collect(decodeParquetMessages(bytes, 'messages.parquet'));
    expect(back).toEqual(messages);
    // As NDJSON gives them back: absent fields stay absent, key order is the one dify-logs writes.
    expect(back.map((each) => JSON.stringify(each))).toEqual(messages.map((each) => JSON.stringify(each)));
  });

  it('gives every conversation back deep-equal', async () => {
    const conversations: ConversationRecord[] = [
      conversation(),
      conversation({
        conversationId: 'c-null',
        name: null,
        status: null,
        fromSource: null,
        endUserId: null,
        endUserSessionId: null,
        accountName: null,
        updatedAt: null,
        messageCount: null,
        likes: 0,
        dislikes: 0,
        annotated: false,
      }),
      ...AWKWARD_TEXT.map((text, index) =>
        conversation({ conversationId: `c-${index}`, name: text, accountName: `用户 ${text}`, endUserSessionId: text }),
      ),
    ];
    const back = await collect(decodeParquetConversations(await encodeParquetConversations(conversations)));
    expect(back).toEqual(conversations);
    expect(back.map((each) => JSON.stringify(each))).toEqual(conversations.map((each) => JSON.stringify(each)));
  });

  it('writes many row groups and an empty table', async () => {
    const messages = Array.from({ length: 25 }, (_, index) => message({ messageId: `m-${index}` }));
    const bytes = await encodeParquetMessages(messages, { rowGroupSize: 4 });
    expect(await collect(decodeParquetMessages(bytes))).toEqual(messages);
    expect(await collect(decodeParquetConversations(await encodeParquetConversations([])))).toEqual([]);
  });

  it('names the message and the column of a value its column cannot hold', async () => {
    const error = await encodeParquetMessages([message({ messageId: 'm-bad', createdAt: 'yesterday' })]).catch(
      (caught: unknown) => caught,
    );
    expect(ParquetValueError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('messages.createdAt of message "m-bad": not an ISO-8601 time: "yesterday"');
    const bad = await encodeParquetConversations([conversation({ likes: 1.5 })]).catch((caught: unknown) => caught);
    expect((bad as Error).message).toMatch(/^conversations\.likes of conversation "conversation-1": expected/);
  });

  it('refuses to read one table as another', async () => {
    const messages = await encodeParquetMessages([message()]);
    await expect(collect(decodeParquetPart(messages, 'part-1.parquet'))).rejects.toThrow(
      /^part-1\.parquet: this is the dify-logs messages table; records are read from the runs table/,
    );
    await expect(collect(decodeParquetConversations(messages, 'part-1.parquet'))).rejects.toThrow(
      /this is the dify-logs messages table; conversations are read from the conversations table/,
    );
    const runs = await encodeParquetPart([makeRun()]);
    await expect(collect(decodeParquetMessages(runs, 'part-2.parquet'))).rejects.toThrow(
      /^part-2\.parquet: this is the dify-logs runs table; messages are read from the messages table/,
    );
  });

  it('is the archive format of the chat datasets', async () => {
    const format = parquetArchiveFormat();
    const iterate = async function* <T>(items: T[]) {
      yield* items;
    };
    const messages = format.datasets!.messages!;
    expect(await collect(messages.decode!(await messages.encode(iterate([message()])), 'm'))).toEqual([message()]);
    const conversations = format.datasets!.conversations!;
    const bytes = await conversations.encode(iterate([conversation()]));
    expect(await collect(conversations.decode!(bytes, 'c'))).toEqual([conversation()]);
  });
});
