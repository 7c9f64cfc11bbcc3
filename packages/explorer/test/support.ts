import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchiveWriter } from '@dify-logs/core/archive';
import type { ConversationRecord, MessageRecord, NodeRecord, RunRecord } from '@dify-logs/core';
import { sampleChatMessage, sampleConversation } from '@dify-logs/core/testing';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import { createLocalStorage } from '@dify-logs/storage-local';

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

/** A temporary local storage; `remove` deletes its folder. */
export async function localArchive(): Promise<{ storage: StorageAdapter; baseDir: string; remove(): Promise<void> }> {
  const baseDir = await mkdtemp(join(tmpdir(), 'dify-logs-explorer-'));
  return {
    storage: createLocalStorage({ baseDir }),
    baseDir,
    remove: () => rm(baseDir, { recursive: true, force: true }),
  };
}

let sequence = 0;
/** Archives the records as one pipeline run of `job` whose window covers `days` (it replaces those partitions). */
export async function archive(
  storage: StorageAdapter,
  records: RunRecord[],
  days: { from: string; to: string },
  job = 'daily',
): Promise<void> {
  await archiveDataset(storage, 'runs', records, days, job);
}

/** Archives chat messages or conversations as `archive` does runs. */
export async function archiveDataset<T extends RunRecord | MessageRecord | ConversationRecord>(
  storage: StorageAdapter,
  dataset: 'runs' | 'messages' | 'conversations',
  records: T[],
  days: { from: string; to: string },
  job = 'daily',
): Promise<void> {
  sequence += 1;
  const writer = createArchiveWriter(storage, {
    dataset: dataset as 'runs',
    job,
    runId: `pipeline-${sequence}`,
    window: { from: `${days.from}T00:00:00.000Z`, to: `${days.to}T00:00:00.000Z` },
    now: () => new Date(Date.now() + sequence),
  });
  for (const record of records) await writer.add(record as RunRecord);
  await writer.finish();
}

/** A hostile string for chat messages: it must stay text. */
export const HOSTILE_MESSAGE = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

/**
 * A chat fixture: 8 conversations over two apps and two days (each with two messages, the second a day later for
 * the first conversation), likes on every third, dislikes on every fourth; conversation c-0 asks a hostile, CJK
 * question, and its answer comes from the chatflow run run-3.
 */
export function fixtureChat(): { conversations: ConversationRecord[]; messages: MessageRecord[] } {
  const conversations: ConversationRecord[] = [];
  const messages: MessageRecord[] = [];
  for (let index = 0; index < 8; index += 1) {
    const appId = index % 2 === 0 ? 'chat-a' : 'chat-b';
    const created = `2026-03-0${7 + (index % 2)}T0${index}:00:00.000Z`;
    const conversationId = `c-${index}`;
    const like = index % 3 === 0;
    const dislike = index % 4 === 1;
    conversations.push(
      sampleConversation(conversationId, {
        appId,
        name: index === 0 ? '退款 问题' : `conversation ${index}`,
        endUserSessionId: `session-${index % 3}`,
        endUserId: `end-user-${index % 3}`,
        createdAt: created,
        updatedAt: created,
        messageCount: 2,
        likes: like ? 1 : 0,
        dislikes: dislike ? 1 : 0,
        annotated: index === 2,
      }),
    );
    for (const turn of [0, 1]) {
      const at = new Date(Date.parse(created) + (index === 0 && turn === 1 ? 86_400_000 : turn * 60_000));
      messages.push(
        sampleChatMessage(`m-${index}-${turn}`, {
          appId,
          conversationId,
          createdAt: at.toISOString(),
          query: index === 0 && turn === 0 ? `${HOSTILE_MESSAGE} 请问退款多久到账？` : `question ${index}.${turn}`,
          answer: index === 5 && turn === 1 ? 'the haystack answer' : `answer ${index}.${turn}`,
          feedback: turn === 1 && like ? 'like' : turn === 1 && dislike ? 'dislike' : null,
          annotated: index === 2 && turn === 0,
          ...(index === 2 && turn === 0 ? { annotation: 'the curated answer' } : {}),
          endUserId: `end-user-${index % 3}`,
          workflowRunId: index === 0 && turn === 0 ? 'run-3' : null,
        }),
      );
    }
  }
  return { conversations, messages };
}

/** A run fixture: 60 runs over two apps and three days, every fifth failed, every third with priced model nodes. */
export function fixtureRuns(): RunRecord[] {
  const runs: RunRecord[] = [];
  for (let index = 0; index < 60; index += 1) {
    const day = `2026-03-0${7 + (index % 3)}`;
    const time = `${day}T${String(8 + (index % 10)).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}:00.000Z`;
    const failed = index % 5 === 0;
    const nodes =
      index % 3 === 0
        ? [
            node({
              id: `ne-${index}-1`,
              nodeId: 'start',
              nodeType: 'start',
              title: 'Start',
              index: 1,
              createdAt: time,
            }),
            node({
              id: `ne-${index}-2`,
              index: 2,
              title: '工单分类',
              modelName: index % 2 === 0 ? 'gpt-4o-mini' : 'qwen-max',
              modelProvider: 'langgenius/openai/openai',
              totalTokens: 100 + index,
              totalPrice: (index + 1) / 1000,
              currency: 'USD',
              elapsedTime: 0.5 + index / 100,
              status: failed ? 'failed' : 'succeeded',
              error: failed ? `model timeout ${index}` : null,
              createdAt: time,
            }),
          ]
        : null;
    runs.push(
      run({
        appId: index % 2 === 0 ? 'app-a' : 'app-b',
        logId: `log-${index}`,
        runId: `run-${index}`,
        status: failed ? 'failed' : 'succeeded',
        error: failed ? `Node 工单分类 failed: timeout after ${index}s` : null,
        endUserSessionId: `user-${index % 4}`,
        loggedAt: time,
        createdAt: time,
        elapsedTime: 1 + index / 10,
        totalTokens: nodes ? 100 + index : 10,
        inputs: { question: index === 7 ? '<script>alert("x")</script> 退款 needle' : `question ${index}` },
        outputs: { answer: index === 11 ? 'the haystack answer' : `answer ${index}` },
        nodes,
      }),
    );
  }
  return runs;
}
