import type { ConversationRecord, MessageRecord, NodeRecord, RunRecord } from '@dify-logs/core';

/** The collections of one prefix. */
export interface Collections {
  runs: string;
  nodes: string;
  windows: string;
  /** Where a write's documents wait until its commit merges them into `runs` and `nodes`. */
  runsStaging: string;
  nodesStaging: string;
  /** Chat messages, and where a write's messages wait. */
  messages: string;
  messagesStaging: string;
  /** Conversations (the newest version of each), and where a write's conversations wait. */
  conversations: string;
  conversationsStaging: string;
}

/** As the configuration accepts it: letters, digits and `_`, at most 40. */
export const PREFIX = /^[A-Za-z0-9_]{0,40}$/;

export function collectionsFor(prefix: string): Collections {
  return {
    runs: `${prefix}runs`,
    nodes: `${prefix}node_executions`,
    windows: `${prefix}windows`,
    runsStaging: `${prefix}runs_staging`,
    nodesStaging: `${prefix}node_executions_staging`,
    messages: `${prefix}messages`,
    messagesStaging: `${prefix}messages_staging`,
    conversations: `${prefix}conversations`,
    conversationsStaging: `${prefix}conversations_staging`,
  };
}

/**
 * Iteration and loop nodes count the tokens of their inner nodes again: left out of `nodeTokens` (as core's analysis
 * does).
 */
const CONTAINERS = new Set(['iteration', 'loop']);

/**
 * BSON field names cannot hold U+0000: it is removed from keys (values keep it). Objects without such keys are returned
 * as they are.
 */
export function cleanKeys<T>(value: T): T {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index += 1) {
      const cleaned = cleanKeys(value[index]);
      if (cleaned !== value[index]) (copy ??= [...value])[index] = cleaned;
    }
    return (copy ?? value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  let copy: Record<string, unknown> | undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, inner] of entries) {
    const cleaned = cleanKeys(inner);
    if (cleaned !== inner || key.includes('\u0000')) {
      copy ??= {};
      break;
    }
  }
  if (!copy) return value;
  for (const [key, inner] of entries) copy[key.replaceAll('\u0000', '')] = cleanKeys(inner);
  return copy as T;
}

const date = (value: string | null | undefined): Date | null => (value ? new Date(value) : null);
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** Which pipeline run wrote a document. */
export interface WindowTag {
  job: string;
  runId: string;
}

export interface RunDocument extends Record<string, unknown> {
  _id: string;
}

/** A record as its `runs` document: the record's fields (times as dates, no `nodes`) and what the nodes say. */
export function runDocument(record: RunRecord, window: WindowTag, now: Date): RunDocument {
  let nodeCount: number | null = null;
  let nodeTokens: number | null = null;
  let totalPrice: number | null = null;
  let currency: string | null = null;
  if (record.nodes) {
    nodeCount = record.nodes.length;
    nodeTokens = 0;
    let mixed = false;
    for (const node of record.nodes) {
      if (!CONTAINERS.has(node.nodeType)) nodeTokens += node.totalTokens ?? 0;
      if (node.totalPrice === null || node.totalPrice === undefined) continue;
      if (totalPrice === null) currency = node.currency ?? null;
      else if ((node.currency ?? null) !== currency) mixed = true;
      totalPrice = (totalPrice ?? 0) + node.totalPrice;
    }
    if (mixed) [totalPrice, currency] = [null, null];
  }
  const totalTokens = orNull(record.totalTokens);
  const effective = [totalTokens, nodeTokens].filter((value): value is number => value !== null);
  return {
    _id: record.logId,
    logId: record.logId,
    runId: orNull(record.runId),
    appId: record.appId,
    status: orNull(record.status),
    workflowVersion: orNull(record.workflowVersion),
    triggeredFrom: orNull(record.triggeredFrom),
    createdFrom: orNull(record.createdFrom),
    createdByRole: orNull(record.createdByRole),
    endUserSessionId: orNull(record.endUserSessionId),
    accountEmail: orNull(record.accountEmail),
    loggedAt: date(record.loggedAt),
    createdAt: date(record.createdAt ?? record.loggedAt),
    finishedAt: date(record.finishedAt),
    elapsedTime: orNull(record.elapsedTime),
    totalTokens,
    totalSteps: orNull(record.totalSteps),
    exceptionsCount: orNull(record.exceptionsCount),
    error: orNull(record.error),
    nodeCount,
    nodeTokens,
    effectiveTokens: effective.length > 0 ? Math.max(...effective) : null,
    totalPrice,
    currency,
    inputs: cleanKeys(orNull(record.inputs)),
    outputs: cleanKeys(orNull(record.outputs)),
    enrichmentError: orNull(record.enrichmentError),
    window: { job: window.job, runId: window.runId },
    updatedAt: now,
  };
}

/**
 * A node execution as its `node_executions` document; `writeId` tells the commit which nodes of a run are the new ones.
 */
export function nodeDocument(node: NodeRecord, record: RunRecord, writeId: string): RunDocument {
  return {
    _id: node.id,
    logId: record.logId,
    runId: orNull(record.runId),
    appId: record.appId,
    nodeId: node.nodeId,
    nodeType: node.nodeType,
    title: orNull(node.title),
    index: node.index,
    predecessorNodeId: orNull(node.predecessorNodeId),
    status: node.status,
    error: orNull(node.error),
    elapsedTime: orNull(node.elapsedTime),
    totalTokens: orNull(node.totalTokens),
    promptTokens: orNull(node.promptTokens),
    completionTokens: orNull(node.completionTokens),
    totalPrice: orNull(node.totalPrice),
    currency: orNull(node.currency),
    modelProvider: orNull(node.modelProvider),
    modelName: orNull(node.modelName),
    iterationId: orNull(node.iterationId),
    iterationIndex: orNull(node.iterationIndex),
    loopId: orNull(node.loopId),
    loopIndex: orNull(node.loopIndex),
    createdAt: date(node.createdAt),
    finishedAt: date(node.finishedAt),
    inputs: cleanKeys(orNull(node.inputs)),
    outputs: cleanKeys(orNull(node.outputs)),
    processData: cleanKeys(orNull(node.processData)),
    writeId,
  };
}

/** A chat message as its `messages` document: keyed by Dify's message id, times as dates, the window that wrote it. */
export function messageDocument(
  message: MessageRecord,
  window: WindowTag,
  now: Date,
): Record<string, unknown> & { _id: string } {
  return cleanKeys({
    _id: message.messageId,
    ...message,
    createdAt: new Date(message.createdAt),
    windowJob: window.job,
    windowRunId: window.runId,
    updatedAt: now,
  });
}

/**
 * A conversation as its `conversations` document: keyed by Dify's conversation id, times as dates. Dify's `updatedAt`
 * is `conversationUpdatedAt` here (`updatedAt` is when the document was written, as in the other collections).
 */
export function conversationDocument(
  conversation: ConversationRecord,
  window: WindowTag,
  now: Date,
): Record<string, unknown> & { _id: string } {
  const { updatedAt, ...rest } = conversation;
  return cleanKeys({
    _id: conversation.conversationId,
    ...rest,
    createdAt: new Date(conversation.createdAt),
    conversationUpdatedAt: updatedAt === null ? null : new Date(updatedAt),
    windowJob: window.job,
    windowRunId: window.runId,
    updatedAt: now,
  });
}

/**
 * The `$merge` `whenMatched` pipeline of conversations: the staged version replaces the stored one unless the stored
 * one is newer (Dify's `updatedAt`, else its creation), so a re-run of an older window never goes back.
 */
export const NEWEST_CONVERSATION = [
  {
    $replaceWith: {
      $cond: [
        {
          $gte: [
            { $ifNull: ['$$new.conversationUpdatedAt', '$$new.createdAt'] },
            { $ifNull: ['$conversationUpdatedAt', '$createdAt'] },
          ],
        },
        '$$new',
        '$$ROOT',
      ],
    },
  },
];
