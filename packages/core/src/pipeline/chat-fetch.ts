import { withArticle } from '../client/endpoints/chat.js';
import { FETCH_DEFAULTS } from '../export/defaults.js';
import pLimit from 'p-limit';
import type { AppState } from '../adapters/state.js';
import { DifyAuthError } from '../errors/auth-error.js';
import { DifyConfigError } from '../errors/config-error.js';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import { toRunRecord } from '../records/normalize.js';
import { modelFields } from '../records/chat.js';
import type { RunRecord } from '../records/schema.js';
import { chatflowLogItem } from './chatflow-provenance.js';
import { windowMessages, type WindowMessage } from './conversation-messages.js';
import type { FetchContext } from './fetch-context.js';
import type { PipelineApp, PipelineResult } from './types.js';

/** A message of the window waiting to be enriched: Dify's message only for a chatflow (its run is read). */
type Pending = Omit<WindowMessage, 'message'> & { message?: WindowMessage['message'] };

/** Messages sorted and enriched at a time: memory holds this many, however many messages a window has. */
export const MESSAGE_CHUNK = 1000;

/**
 * Why an app's conversations cannot be read with these credentials, or undefined when they can: Dify keeps no
 * workflow logs for chat apps (the Service API answers an empty page), and its conversations are console-only.
 */
export function chatAccessProblem(app: PipelineApp, mode: string): string | undefined {
  if (app.client.hasConsole) return undefined;
  return (
    `app ${app.id} is ${withArticle(mode)} app: Dify keeps no workflow logs for it ` +
    '(its Service API key lists nothing), ' +
    'and its conversations are only on the console API; add console access (dify.console email + password, ' +
    'or dify.admin) with the editor role to report it'
  );
}

/**
 * The records of a chat app's window: every message created in the window (from the conversations updated since
 * the window began), and for chatflows (advanced-chat) the workflow run behind each message as an ordinary
 * RunRecord (`logId` = message id, with `conversationId` and `messageId`), enriched like a workflow run.
 */
export async function* fetchChatApp(
  context: FetchContext,
  app: PipelineApp,
  mode: string,
  counts: PipelineResult['counts'][string],
): AsyncGenerator<RunRecord> {
  const { window, incremental } = context;
  const options = context.job.fetch ?? {};
  const problem = chatAccessProblem(app, mode);
  if (problem) throw new DifyConfigError('dify.console', problem);
  const previous = context.states.get(app.id) ?? { watermark: null, recent: {}, pending: {} };
  const horizon = window.to.getTime() - context.overlapMs;
  const next: AppState = {
    watermark: incremental ? window.to.toISOString() : previous.watermark,
    recent: {},
    pending: {},
  };
  for (const [id, at] of Object.entries(previous.recent)) if (new Date(at).getTime() >= horizon) next.recent[id] = at;
  const from =
    incremental && previous.watermark
      ? new Date(new Date(previous.watermark).getTime() - context.overlapMs)
      : window.from;
  const to = window.to;
  const limit = pLimit(options.concurrency ?? FETCH_DEFAULTS.concurrency);
  const chatflow = mode === 'advanced-chat';
  context.conversations?.touch(app.id);

  const toRun = async ({ message, record, sessionId }: Pending): Promise<RunRecord | undefined> => {
    if (!chatflow || !message || !record.workflowRunId) return undefined;
    let detail;
    let nodes;
    let enrichmentError: RunRecord['enrichmentError'] = null;
    try {
      detail = await app.client.runDetail(record.workflowRunId, app.id);
      if (detail && options.withNodeExecutions) nodes = await app.client.nodeExecutions(record.workflowRunId, app.id);
    } catch (error) {
      if (!DifyLogsError.isInstance(error) || DifyAuthError.isInstance(error)) throw error;
      enrichmentError = {
        code: error.code,
        message: app.client.scrub(error.message),
        stage: detail === undefined ? 'detail' : 'nodes',
      };
    }
    const run = toRunRecord({
      appId: app.id,
      item: chatflowLogItem(message, detail, sessionId),
      detail,
      nodes,
      enrichmentError,
      includeNodeData: options.includeNodeData ?? false,
      endpoint: 'chatflow run',
    });
    return context.privacy.run({
      ...run,
      runId: run.runId ?? record.workflowRunId,
      conversationId: record.conversationId,
      messageId: record.messageId,
    });
  };

  try {
    // Messages of the window (chat apps: from every conversation updated since it began; completion apps: from
    // the conversations created in it), a bounded chunk at a time: each chunk in time order (the order the
    // reports list them in), enriched a batch at a time. Memory holds one chunk, whatever the window holds.
    const batch = Math.max(16, (options.concurrency ?? FETCH_DEFAULTS.concurrency) * 4);
    const chunk: Pending[] = [];
    const drain = async function* (): AsyncGenerator<RunRecord> {
      chunk.sort(
        (a, b) =>
          a.record.createdAt.localeCompare(b.record.createdAt) || a.record.messageId.localeCompare(b.record.messageId),
      );
      for (let start = 0; start < chunk.length; start += batch) {
        const slice = chunk.slice(start, start + batch);
        const runs = await Promise.all(slice.map((found) => limit(() => toRun(found))));
        for (const [index, found] of slice.entries()) {
          const run = runs[index];
          // A chatflow's model is in its workflow: the run's first model node, when node executions were read.
          const model = run?.nodes?.find((node) => node.modelName !== null);
          const record =
            model && found.record.modelName === undefined
              ? { ...found.record, ...modelFields({ provider: model.modelProvider, name: model.modelName }) }
              : found.record;
          if (incremental && Date.parse(record.createdAt) >= horizon) next.recent[record.messageId] = record.createdAt;
          context.conversations?.add(record);
          await context.onMessage?.(record);
          if (!run) continue;
          context.analyzer.add(run);
          counts.records += 1;
          yield run;
        }
      }
      chunk.length = 0;
    };
    for await (const found of windowMessages(app, mode, { from, to, limit })) {
      const record = context.privacy.message(found.record);
      // The conversation as it is now (a newer version replaces an older one in the archive and the sinks).
      if (found.conversation) await context.onConversation?.(context.privacy.conversation(found.conversation));
      if (incremental && record.messageId in previous.recent) continue;
      // Dify's own message is kept only where its run is read (chatflows): memory holds the records otherwise.
      chunk.push({ record, sessionId: found.sessionId, ...(chatflow ? { message: found.message } : {}) });
      if (chunk.length >= MESSAGE_CHUNK) yield* drain();
    }
    yield* drain();
  } catch (error) {
    if (DifyAuthError.isInstance(error) && error.code === 'forbidden') {
      throw new DifyConfigError(
        'dify.console',
        `app ${app.id} is ${withArticle(mode)} app: the console refused its conversations (HTTP 403); ` +
          'the account needs the editor role or above (or use an admin key)',
      );
    }
    throw error;
  }
  context.nextStates.set(app.id, next);
}
