import type { ConversationRecord, MessageRecord, NodeRecord, RunRecord } from '@dify-logs/core';

/** A column of a table the sink writes: its name and PostgreSQL type (used by the migrations and the casts). */
export interface Column {
  name: string;
  type: string;
}

/**
 * Columns of `<prefix>runs` the sink writes, in row order (`effective_tokens` is generated, `updated_at` set by SQL).
 */
export const RUN_COLUMNS: readonly Column[] = [
  { name: 'log_id', type: 'text' },
  { name: 'run_id', type: 'text' },
  { name: 'app_id', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'workflow_version', type: 'text' },
  { name: 'triggered_from', type: 'text' },
  { name: 'created_from', type: 'text' },
  { name: 'created_by_role', type: 'text' },
  { name: 'end_user_session_id', type: 'text' },
  { name: 'account_email', type: 'text' },
  { name: 'logged_at', type: 'timestamptz' },
  { name: 'created_at', type: 'timestamptz' },
  { name: 'finished_at', type: 'timestamptz' },
  { name: 'elapsed_time', type: 'double precision' },
  { name: 'total_tokens', type: 'bigint' },
  { name: 'total_steps', type: 'integer' },
  { name: 'exceptions_count', type: 'integer' },
  { name: 'error', type: 'text' },
  { name: 'node_count', type: 'integer' },
  { name: 'node_tokens', type: 'bigint' },
  { name: 'total_price', type: 'numeric' },
  { name: 'currency', type: 'text' },
  { name: 'inputs', type: 'jsonb' },
  { name: 'outputs', type: 'jsonb' },
  { name: 'enrichment_error', type: 'jsonb' },
  { name: 'window_job', type: 'text' },
  { name: 'window_run_id', type: 'text' },
];

/** Run columns derived from the nodes: a record without nodes (`nodes: null`, not fetched) keeps the stored ones. */
export const NODE_DERIVED_RUN_COLUMNS: ReadonlySet<string> = new Set([
  'node_count',
  'node_tokens',
  'total_price',
  'currency',
]);

/** Columns of `<prefix>node_executions`, in row order. */
export const NODE_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'text' },
  { name: 'log_id', type: 'text' },
  { name: 'run_id', type: 'text' },
  { name: 'app_id', type: 'text' },
  { name: 'node_id', type: 'text' },
  { name: 'node_type', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'execution_index', type: 'integer' },
  { name: 'predecessor_node_id', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'error', type: 'text' },
  { name: 'elapsed_time', type: 'double precision' },
  { name: 'total_tokens', type: 'bigint' },
  { name: 'prompt_tokens', type: 'bigint' },
  { name: 'completion_tokens', type: 'bigint' },
  { name: 'total_price', type: 'numeric' },
  { name: 'currency', type: 'text' },
  { name: 'model_provider', type: 'text' },
  { name: 'model_name', type: 'text' },
  { name: 'iteration_id', type: 'text' },
  { name: 'iteration_index', type: 'integer' },
  { name: 'loop_id', type: 'text' },
  { name: 'loop_index', type: 'integer' },
  { name: 'created_at', type: 'timestamptz' },
  { name: 'finished_at', type: 'timestamptz' },
  { name: 'inputs', type: 'jsonb' },
  { name: 'outputs', type: 'jsonb' },
  { name: 'process_data', type: 'jsonb' },
];

/**
 * Iteration and loop nodes count the tokens of their inner nodes again: left out of `node_tokens` (as core's analysis
 * does).
 */
const CONTAINERS = new Set(['iteration', 'loop']);

/** PostgreSQL `text` and `jsonb` refuse U+0000: it is removed from every string. */
export function text(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

/**
 * A JSON value as `jsonb` input: `\u0000` escapes are removed (jsonb refuses them) and lone UTF-16
 * surrogates, which `JSON.stringify` writes as `\udXXX` escapes and jsonb refuses too, become U+FFFD.
 * An escape is one only after an odd number of backslashes (`\\u0000` is a backslash and the text "u0000").
 */
export function json(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return cleanJson(JSON.stringify(value));
}

/** `JSON.stringify` output made acceptable to jsonb (see `json`). */
export function cleanJson(encoded: string): string {
  if (!encoded.includes('\\u')) return encoded;
  return encoded.replace(/(\\+)u(0000|d[89a-f][0-9a-f]{2})/g, (match, slashes: string, code: string) => {
    if (slashes.length % 2 === 0) return match;
    return code === '0000' ? slashes.slice(1) : `${slashes}ufffd`;
  });
}

/**
 * Rows as one JSON array of arrays, the parameter of a batch statement: `jsonb` columns (already JSON
 * text) are embedded as they are, other values encoded. Text values with lone surrogates are fixed here.
 */
export function batchJson(rows: readonly unknown[][], columns: readonly Column[]): string {
  const embedded = columns.map((column) => column.type === 'jsonb');
  const encoded = new Array<string>(rows.length);
  for (let row = 0; row < rows.length; row += 1) {
    const values = rows[row]!;
    let line = '[';
    for (let column = 0; column < values.length; column += 1) {
      const value = values[column];
      if (column > 0) line += ',';
      line +=
        value === null || value === undefined ? 'null' : embedded[column] ? (value as string) : JSON.stringify(value);
    }
    encoded[row] = `${line}]`;
  }
  return cleanJson(`[${encoded.join(',')}]`);
}

const number = (value: number | null | undefined): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : value;

/**
 * What the nodes say about their run: count, tokens without containers, and the price when the priced nodes agree on a
 * currency.
 */
function nodeTotals(
  nodes: readonly NodeRecord[] | null | undefined,
): [count: number | null, tokens: number | null, price: number | null, currency: string | null] {
  if (!nodes) return [null, null, null, null];
  let tokens = 0;
  let price: number | null = null;
  let currency: string | null = null;
  let mixed = false;
  for (const node of nodes) {
    if (!CONTAINERS.has(node.nodeType)) tokens += number(node.totalTokens) ?? 0;
    const nodePrice = number(node.totalPrice);
    if (nodePrice === null) continue;
    if (price === null) currency = node.currency ?? null;
    else if ((node.currency ?? null) !== currency) mixed = true;
    price = (price ?? 0) + nodePrice;
  }
  return mixed ? [nodes.length, tokens, null, null] : [nodes.length, tokens, price, text(currency)];
}

export interface WindowTag {
  job: string;
  runId: string;
}

/** The `<prefix>runs` row of a record, in `RUN_COLUMNS` order. */
export function runRow(record: RunRecord, window: WindowTag): unknown[] {
  const [nodeCount, nodeTokens, price, currency] = nodeTotals(record.nodes);
  return [
    text(record.logId),
    text(record.runId),
    text(record.appId),
    text(record.status),
    text(record.workflowVersion),
    text(record.triggeredFrom),
    text(record.createdFrom),
    text(record.createdByRole),
    text(record.endUserSessionId),
    text(record.accountEmail),
    record.loggedAt,
    record.createdAt ?? record.loggedAt,
    record.finishedAt ?? null,
    number(record.elapsedTime),
    number(record.totalTokens),
    number(record.totalSteps),
    number(record.exceptionsCount),
    text(record.error),
    nodeCount,
    nodeTokens,
    price,
    currency,
    json(record.inputs),
    json(record.outputs),
    json(record.enrichmentError),
    text(window.job),
    text(window.runId),
  ];
}

/** The `<prefix>node_executions` row of one node of a record, in `NODE_COLUMNS` order. */
export function nodeRow(node: NodeRecord, record: RunRecord): unknown[] {
  return [
    text(node.id),
    text(record.logId),
    text(record.runId),
    text(record.appId),
    text(node.nodeId),
    text(node.nodeType),
    text(node.title),
    number(node.index),
    text(node.predecessorNodeId),
    text(node.status),
    text(node.error),
    number(node.elapsedTime),
    number(node.totalTokens),
    number(node.promptTokens),
    number(node.completionTokens),
    number(node.totalPrice),
    text(node.currency),
    text(node.modelProvider),
    text(node.modelName),
    text(node.iterationId),
    number(node.iterationIndex),
    text(node.loopId),
    number(node.loopIndex),
    node.createdAt,
    node.finishedAt ?? null,
    json(node.inputs),
    json(node.outputs),
    json(node.processData),
  ];
}

/** Columns of `<prefix>messages`, in row order (`updated_at` set by SQL). */
export const MESSAGE_COLUMNS: readonly Column[] = [
  { name: 'message_id', type: 'text' },
  { name: 'app_id', type: 'text' },
  { name: 'conversation_id', type: 'text' },
  { name: 'created_at', type: 'timestamptz' },
  { name: 'query', type: 'text' },
  { name: 'answer', type: 'text' },
  { name: 'message_tokens', type: 'bigint' },
  { name: 'answer_tokens', type: 'bigint' },
  { name: 'total_tokens', type: 'bigint' },
  { name: 'latency', type: 'double precision' },
  { name: 'feedback', type: 'text' },
  { name: 'admin_feedback', type: 'text' },
  { name: 'annotated', type: 'boolean' },
  { name: 'annotation', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'error', type: 'text' },
  { name: 'from_source', type: 'text' },
  { name: 'end_user_id', type: 'text' },
  { name: 'account_id', type: 'text' },
  { name: 'workflow_run_id', type: 'text' },
  { name: 'extra_contents', type: 'jsonb' },
  { name: 'model_provider', type: 'text' },
  { name: 'model_name', type: 'text' },
  { name: 'window_job', type: 'text' },
  { name: 'window_run_id', type: 'text' },
];

/** The `<prefix>messages` row of a chat message, in `MESSAGE_COLUMNS` order. */
export function messageRow(message: MessageRecord, window: WindowTag): unknown[] {
  return [
    text(message.messageId),
    text(message.appId),
    text(message.conversationId),
    message.createdAt,
    text(message.query),
    text(message.answer),
    number(message.messageTokens),
    number(message.answerTokens),
    number(message.totalTokens),
    number(message.latency),
    text(message.feedback),
    text(message.adminFeedback),
    message.annotated === true,
    text(message.annotation),
    text(message.status),
    text(message.error),
    text(message.fromSource),
    text(message.endUserId),
    text(message.accountId),
    text(message.workflowRunId),
    json(message.extraContents),
    text(message.modelProvider),
    text(message.modelName),
    text(window.job),
    text(window.runId),
  ];
}

export const CONVERSATION_COLUMNS: readonly Column[] = [
  { name: 'conversation_id', type: 'text' },
  { name: 'app_id', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'from_source', type: 'text' },
  { name: 'end_user_id', type: 'text' },
  { name: 'end_user_session_id', type: 'text' },
  { name: 'account_name', type: 'text' },
  { name: 'created_at', type: 'timestamptz' },
  { name: 'conversation_updated_at', type: 'timestamptz' },
  { name: 'message_count', type: 'bigint' },
  { name: 'likes', type: 'bigint' },
  { name: 'dislikes', type: 'bigint' },
  { name: 'annotated', type: 'boolean' },
  { name: 'window_job', type: 'text' },
  { name: 'window_run_id', type: 'text' },
];

/** The `<prefix>conversations` row of a conversation, in `CONVERSATION_COLUMNS` order. */
export function conversationRow(conversation: ConversationRecord, window: WindowTag): unknown[] {
  return [
    text(conversation.conversationId),
    text(conversation.appId),
    text(conversation.name),
    text(conversation.status),
    text(conversation.fromSource),
    text(conversation.endUserId),
    text(conversation.endUserSessionId),
    text(conversation.accountName),
    conversation.createdAt,
    conversation.updatedAt,
    number(conversation.messageCount),
    number(conversation.likes) ?? 0,
    number(conversation.dislikes) ?? 0,
    conversation.annotated === true,
    text(window.job),
    text(window.runId),
  ];
}
