import type { Sink } from '../adapters/sink.js';
import type { StorageAdapter } from '../adapters/storage.js';
import type { Logger } from '../logging/logger.js';
import type { PrivacyPolicy } from '../privacy/policy.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import type { ArchiveReadOptions } from './archive-reader.js';
import { rewriteMessages, type RewriteMessagesResult } from './messages-rewrite.js';
import { rewriteArchive, type RewriteArchiveResult } from './rewrite.js';
import { CONVERSATIONS, MESSAGES } from './dataset.js';

/** Every archived day: the range of a request that names none. */
const ALL_DAYS = { from: '1970-01-01', to: '9999-12-31' } as const;

export interface ArchiveEditRequest {
  /** First and last UTC day (inclusive, `YYYY-MM-DD`); absent: every archived day. */
  from?: string;
  to?: string;
  /** Only this job's partitions; only this app's. */
  job?: string;
  app?: string;
  /** Default true: count what would change and change nothing. */
  dryRun?: boolean;
}

export interface ForgetEndUserRequest extends ArchiveEditRequest {
  /**
   * The end user: the `user` identifier your app sends Dify (Dify's end-user session id, a RunRecord's
   * `endUserSessionId`), or Dify's end-user id (a MessageRecord's `endUserId`).
   */
  endUser: string;
}

export interface ArchiveEditContext extends ArchiveReadOptions {
  storage: StorageAdapter;
  /** Names what is written (object keys, manifests). */
  runId: string;
  /** The policy records were stored under: an end user hashed or masked by it is matched in that form too. */
  privacy?: PrivacyPolicy;
  sinks?: readonly Sink[];
  logger?: Logger;
  now?: () => Date;
}

export interface SinkEditResult {
  sink: string;
  /** Rows removed (or, in a dry run, that would be) per table or collection. */
  rows?: Record<string, number>;
  /** The sink cannot forget (it has no `forget`), or failed: the reason. */
  error?: string;
}

export interface ArchiveEditResult {
  dryRun: boolean;
  /** The forms of the identifier that were matched (as given, and as the privacy policy stores it). */
  matched?: string[];
  /** The runs' archive. */
  archive: RewriteArchiveResult;
  /** The messages' archive (partitioned like the runs'). */
  messageArchive: RewriteArchiveResult;
  /** The conversations' archive (partitioned by the day each conversation was created). */
  conversationArchive: RewriteArchiveResult;
  /** Messages stored one object per pipeline run (without a partitioned archive, or before it held messages). */
  messages: RewriteMessagesResult;
  sinks: SinkEditResult[];
}

/** A stored message or conversation within the request's days and app (they are not kept per job). */
const selected = (record: { appId: string; createdAt: string }, request: ArchiveEditRequest) => {
  const day = record.createdAt.slice(0, 10);
  return (
    (request.from === undefined || day >= request.from.slice(0, 10)) &&
    (request.to === undefined || day <= request.to.slice(0, 10)) &&
    (request.app === undefined || record.appId === request.app)
  );
};

/**
 * Removes an end user's runs from the archive (and its Parquet copies), their messages and conversations, and
 * their rows from the sinks that can forget. A message goes when it is the end user's, when the chatflow run behind
 * it was, or when it belongs to a conversation one of those messages belongs to; a conversation goes when it is one
 * of those or the end user's own (`endUserId`, `endUserSessionId`). Dry run unless `dryRun: false`.
 */
export async function forgetEndUser(
  context: ArchiveEditContext,
  request: ForgetEndUserRequest,
): Promise<ArchiveEditResult> {
  const dryRun = request.dryRun ?? true;
  const stored = context.privacy?.endUser(request.endUser);
  const matched = [...new Set([request.endUser, ...(stored ? [stored] : [])])];
  const forms = new Set(matched);
  const runs = new Set<string>();
  const archive = await rewriteArchive(
    context.storage,
    { ...ALL_DAYS, ...defined(request) },
    (record) => {
      if (record.endUserSessionId === null || !forms.has(record.endUserSessionId)) return record;
      if (record.runId) runs.add(record.runId);
      return null;
    },
    { ...options(context), dryRun },
  );
  const isTheirs = (message: MessageRecord) =>
    selected(message, request) &&
    ((message.endUserId !== null && forms.has(message.endUserId)) ||
      (message.workflowRunId !== null && runs.has(message.workflowRunId)));
  // A first pass finds their conversations, the second removes every message of them.
  const conversations = new Set<string>();
  const find = (message: MessageRecord) => {
    if (isTheirs(message)) conversations.add(message.conversationId);
    return message;
  };
  const query = { ...ALL_DAYS, ...defined(request) };
  await rewriteArchive(context.storage, query, find, { runId: context.runId, dryRun: true, dataset: MESSAGES });
  await rewriteMessages(context.storage, find, { runId: context.runId, dryRun: true });
  const forget = (message: MessageRecord) =>
    isTheirs(message) || (conversations.has(message.conversationId) && selected(message, request)) ? null : message;
  const messageArchive = await rewriteArchive(context.storage, query, forget, {
    ...options(context),
    dryRun,
    dataset: MESSAGES,
  });
  const messages = await rewriteMessages(context.storage, forget, { ...options(context), dryRun });
  const theirConversation = (conversation: ConversationRecord) =>
    selected(conversation, request) &&
    (conversations.has(conversation.conversationId) ||
      [conversation.endUserId, conversation.endUserSessionId].some((id) => id !== null && forms.has(id)))
      ? null
      : conversation;
  const conversationArchive = await rewriteArchive(context.storage, query, theirConversation, {
    ...options(context),
    dryRun,
    dataset: CONVERSATIONS,
  });
  const sinks: SinkEditResult[] = [];
  for (const sink of context.sinks ?? []) {
    if (!sink.forget) {
      sinks.push({ sink: sink.name, error: `the ${sink.name} sink cannot delete rows (it has no forget)` });
      continue;
    }
    try {
      const { rows } = await sink.forget({
        endUsers: matched,
        ...(request.from ? { from: request.from } : {}),
        ...(request.to ? { to: request.to } : {}),
        dryRun,
      });
      sinks.push({ sink: sink.name, rows });
    } catch (error) {
      sinks.push({ sink: sink.name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { dryRun, matched, archive, messageArchive, conversationArchive, messages, sinks };
}

/**
 * Applies a privacy policy to what was archived before it existed (or before it changed): runs in the archive and
 * its copies, stored messages and conversations. Records the policy leaves as they are are not rewritten, so running
 * it twice changes nothing the second time. Dry run unless `dryRun: false`.
 */
export async function redactArchive(
  context: ArchiveEditContext & { privacy: PrivacyPolicy },
  request: ArchiveEditRequest,
): Promise<ArchiveEditResult> {
  const dryRun = request.dryRun ?? true;
  const { privacy } = context;
  const archive = await rewriteArchive(
    context.storage,
    { ...ALL_DAYS, ...defined(request) },
    (record) => privacy.run(record),
    { ...options(context), dryRun },
  );
  const redact = (message: MessageRecord) => (selected(message, request) ? privacy.message(message) : message);
  const messageArchive = await rewriteArchive(context.storage, { ...ALL_DAYS, ...defined(request) }, redact, {
    ...options(context),
    dryRun,
    dataset: MESSAGES,
  });
  const messages = await rewriteMessages(context.storage, redact, { ...options(context), dryRun });
  const conversationArchive = await rewriteArchive(
    context.storage,
    { ...ALL_DAYS, ...defined(request) },
    (conversation: ConversationRecord) =>
      selected(conversation, request) ? privacy.conversation(conversation) : conversation,
    { ...options(context), dryRun, dataset: CONVERSATIONS },
  );
  return { dryRun, archive, messageArchive, conversationArchive, messages, sinks: [] };
}

function options(context: ArchiveEditContext) {
  return {
    runId: context.runId,
    ...(context.formats ? { formats: context.formats } : {}),
    ...(context.logger ? { logger: context.logger } : {}),
    ...(context.now ? { now: context.now } : {}),
  };
}

function defined(request: ArchiveEditRequest) {
  return Object.fromEntries(
    (['from', 'to', 'job', 'app'] as const)
      .filter((key) => request[key] !== undefined)
      .map((key) => [key, request[key]]),
  ) as Partial<Record<'from' | 'to' | 'job' | 'app', string>>;
}
