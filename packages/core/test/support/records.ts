import type { ConversationRecord, MessageRecord, NodeRecord, RunRecord } from '../../src/index.js';

export function node(overrides: Partial<NodeRecord> = {}): NodeRecord {
  return {
    id: 'ne-1',
    nodeId: 'llm',
    nodeType: 'llm',
    title: 'LLM',
    index: 1,
    predecessorNodeId: null,
    status: 'succeeded',
    error: null,
    elapsedTime: 1,
    totalTokens: 0,
    promptTokens: null,
    completionTokens: null,
    totalPrice: null,
    currency: null,
    modelProvider: null,
    modelName: null,
    iterationId: null,
    iterationIndex: null,
    loopId: null,
    loopIndex: null,
    createdAt: '2026-03-09T10:00:00.000Z',
    finishedAt: '2026-03-09T10:00:01.000Z',
    ...overrides,
  };
}

export function run(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    appId: 'app-a',
    logId: 'log-1',
    runId: 'run-1',
    status: 'succeeded',
    workflowVersion: '2026-03-01 10:00:00',
    triggeredFrom: 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    endUserSessionId: 'user-1',
    accountEmail: null,
    loggedAt: '2026-03-09T10:00:00.000Z',
    createdAt: '2026-03-09T10:00:00.000Z',
    finishedAt: '2026-03-09T10:00:02.000Z',
    elapsedTime: 2,
    totalTokens: 0,
    totalSteps: 3,
    exceptionsCount: 0,
    error: null,
    inputs: {},
    outputs: {},
    nodes: null,
    enrichmentError: null,
    ...overrides,
  };
}

/** A chat message with every field present (no end user, not rated, not annotated) unless overridden. */
export function chatMessage(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    appId: 'app-chat',
    conversationId: 'conversation-1',
    messageId: 'message-1',
    createdAt: '2026-03-09T10:00:00.000Z',
    query: 'hello',
    answer: 'hi',
    messageTokens: 1,
    answerTokens: 1,
    totalTokens: 2,
    latency: 0.5,
    feedback: null,
    adminFeedback: null,
    annotated: false,
    status: 'normal',
    error: null,
    fromSource: 'api',
    endUserId: null,
    accountId: null,
    workflowRunId: null,
    ...overrides,
  };
}

/** A chat conversation with every field present (no end user, no feedback) unless overridden. */
export function chatConversation(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    appId: 'app-chat',
    conversationId: 'conversation-1',
    name: 'hello',
    status: 'normal',
    fromSource: 'api',
    endUserId: null,
    endUserSessionId: null,
    accountName: null,
    createdAt: '2026-03-09T10:00:00.000Z',
    updatedAt: '2026-03-09T10:00:00.000Z',
    messageCount: 1,
    likes: 0,
    dislikes: 0,
    annotated: false,
    ...overrides,
  };
}
