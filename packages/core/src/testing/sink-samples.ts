import type { SinkCommit, Sink, SinkContext } from '../adapters/sink.js';
import type { NodeRecord, RunRecord } from '../records/schema.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';

let counter = 0;
/** An id no other test (or earlier run on a shared backing) uses. */
export const unique = (label: string) =>
  `${label}-${Date.now().toString(36)}-${(counter += 1)}-${Math.random().toString(36).slice(2, 8)}`;

/** A node execution shaped like Dify's, with every optional field present unless overridden. */
export function sampleNode(id: string, overrides: Partial<NodeRecord> = {}): NodeRecord {
  return {
    id,
    nodeId: 'llm',
    nodeType: 'llm',
    title: 'Answer',
    index: 1,
    predecessorNodeId: 'start',
    status: 'succeeded',
    error: null,
    elapsedTime: 0.8,
    totalTokens: 120,
    promptTokens: 100,
    completionTokens: 20,
    totalPrice: 0.00012,
    currency: 'USD',
    modelProvider: 'langgenius/openai/openai',
    modelName: 'gpt-4o-mini',
    iterationId: null,
    iterationIndex: null,
    loopId: null,
    loopIndex: null,
    createdAt: '2026-03-02T08:35:10.000Z',
    finishedAt: '2026-03-02T08:35:11.000Z',
    ...overrides,
  };
}

/** A run with `nodeCount` node executions (ids `<logId>-n<i>`); `nodeCount: null` for nodes not fetched. */
export function sampleRun(logId: string, nodeCount: number | null = 2, overrides: Partial<RunRecord> = {}): RunRecord {
  const nodes =
    nodeCount === null
      ? null
      : Array.from({ length: nodeCount }, (_, index) =>
          sampleNode(
            `${logId}-n${index + 1}`,
            index === 0
              ? {
                  nodeId: 'start',
                  nodeType: 'start',
                  title: 'Start',
                  index: 1,
                  predecessorNodeId: null,
                  totalTokens: 0,
                  promptTokens: null,
                  completionTokens: null,
                  totalPrice: null,
                  currency: null,
                  modelProvider: null,
                  modelName: null,
                }
              : { index: index + 1 },
          ),
        );
  return {
    appId: 'app-suite',
    logId,
    runId: `run-${logId}`,
    status: 'succeeded',
    workflowVersion: '2026-03-01 08:00:00.000000',
    triggeredFrom: 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    endUserSessionId: 'user-1',
    accountEmail: null,
    loggedAt: '2026-03-02T08:35:12.000Z',
    createdAt: '2026-03-02T08:35:10.000Z',
    finishedAt: '2026-03-02T08:35:12.000Z',
    elapsedTime: 2,
    totalTokens: 120,
    totalSteps: nodeCount ?? 2,
    exceptionsCount: 0,
    error: null,
    inputs: { question: 'Where is my order?' },
    outputs: { answer: 'On its way.' },
    nodes,
    enrichmentError: null,
    ...overrides,
  };
}

/** A chat message shaped like the pipeline's, with every field present unless overridden. */
export function sampleChatMessage(messageId: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    appId: 'sink-suite-chat',
    conversationId: `${messageId}-conversation`,
    messageId,
    createdAt: '2026-03-02T08:35:10.000Z',
    query: 'Where is my order?',
    answer: 'On its way.',
    messageTokens: 12,
    answerTokens: 30,
    totalTokens: 42,
    latency: 1.25,
    feedback: 'like',
    adminFeedback: null,
    annotated: false,
    status: 'normal',
    error: null,
    fromSource: 'api',
    endUserId: 'end-user-1',
    accountId: null,
    workflowRunId: null,
    ...overrides,
  };
}

/** A chat conversation shaped like the pipeline's, with every field present unless overridden. */
export function sampleConversation(
  conversationId: string,
  overrides: Partial<ConversationRecord> = {},
): ConversationRecord {
  return {
    appId: 'sink-suite-chat',
    conversationId,
    name: 'Where is my order?',
    status: 'normal',
    fromSource: 'api',
    endUserId: 'end-user-1',
    endUserSessionId: 'session-1',
    accountName: null,
    createdAt: '2026-03-02T08:35:10.000Z',
    updatedAt: '2026-03-02T08:40:00.000Z',
    messageCount: 2,
    likes: 1,
    dislikes: 0,
    annotated: false,
    ...overrides,
  };
}

export const sampleContext = (): SinkContext => ({
  job: 'sink-suite',
  runId: unique('pipeline'),
  window: { from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', timezone: 'UTC' },
});

export async function write(
  sink: Sink,
  records: RunRecord[],
  context: SinkContext = sampleContext(),
  messages: MessageRecord[] = [],
  conversations: ConversationRecord[] = [],
): Promise<SinkCommit> {
  const writer = await sink.open(context);
  try {
    for (const record of records) await writer.add(record);
    for (const message of messages) await writer.addMessage!(message);
    for (const conversation of conversations) await writer.addConversation!(conversation);
    return await writer.commit();
  } catch (error) {
    await writer.abort(error as Error).catch(() => undefined);
    throw error;
  }
}
