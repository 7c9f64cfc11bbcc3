import type { AppState } from '../adapters/state.js';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import { DifyNetworkError } from '../errors/network-error.js';
import { exportRuns, type ExportProgress } from '../export/export-runs.js';
import { FETCH_DEFAULTS } from '../export/defaults.js';
import type { Logger } from '../logging/logger.js';
import { isTerminalStatus, type RunRecord } from '../records/schema.js';
import { applyDetail } from './repoll.js';
import type { PipelineApp, PipelineJob, PipelineResult } from './types.js';
import { CONVERSATION_APP_MODES } from '../client/endpoints/chat.js';
import { fetchChatApp } from './chat-fetch.js';
import type { FetchContext, FetchInputs, FetchOutcome } from './fetch-context.js';
import type { ResolvedWindow } from '../time/window.js';
import { parseVersion, versionAtLeast } from '../client/server-version.js';
import { toIsoTime } from '../records/time.js';
import { toArchivedRunRecord } from '../records/archived.js';

/**
 * Streams the records of every app of the job, one app after the other. An app that fails is
 * recorded and skipped (its state is not advanced); the others go on. The outcome fills as the records are read.
 */
export function fetchStage(inputs: FetchInputs): { records: AsyncGenerator<RunRecord>; outcome: FetchOutcome } {
  const outcome: FetchOutcome = { counts: {}, nextStates: new Map(), problems: [] };
  return { records: fetchApps({ ...inputs, ...outcome }), outcome };
}

async function* fetchApps(context: FetchContext): AsyncGenerator<RunRecord> {
  for (const app of context.job.apps) {
    const counts = { records: 0, unfinished: 0, repolled: 0, cached: 0, salvaged: 0 };
    context.counts[app.id] = counts;
    context.analyzer.touch(app.id);
    try {
      const mode = app.mode ?? (await detectMode(app, context.logger));
      if (CONVERSATION_APP_MODES.includes(mode)) yield* fetchChatApp(context, app, mode, counts);
      else yield* fetchApp(context, app, counts);
    } catch (error) {
      const message = app.client.scrub(error instanceof Error ? error.message : String(error));
      const code = DifyLogsError.isInstance(error) ? error.code : 'error';
      context.problems.push({ stage: 'fetch', appId: app.id, code, message });
      context.analyzer.failApp(app.id, message);
      context.nextStates.delete(app.id);
      context.logger.error({ appId: app.id, code, err: message }, 'app could not be read; the other apps go on');
      context.onEvent({ type: 'app-failed', appId: app.id, error: message });
    }
  }
}

/**
 * The window's runs that Dify's retention archived (`workflow-archived-logs`, 1.13+, newest first, page and limit
 * only): read page by page until a row is older than the window; one request when the archive holds nothing of it.
 * Releases before 1.13 (when the client knows the release) are not asked. Records carry `archived: true`.
 */
async function* archivedRuns(
  app: PipelineApp,
  window: ResolvedWindow,
  listedRuns: Set<string>,
  offered: { archiveOffered?: boolean },
): AsyncGenerator<RunRecord> {
  const version = await app.client.serverVersion();
  offered.archiveOffered = false;
  if (version !== null && parseVersion(version) !== null && !versionAtLeast(version, '1.13.0')) return;
  const fromMs = window.from.getTime();
  const toMs = window.to.getTime();
  for (let page = 1; ; page += 1) {
    const result = await app.client.archivedLogPage(app.id, { page, limit: 100 });
    offered.archiveOffered = result !== null;
    if (!result) return;
    for (const item of result.data) {
      const at = Date.parse(toIsoTime(item.created_at) ?? '');
      if (Number.isNaN(at) || at >= toMs) continue;
      if (at < fromMs) return;
      if (item.workflow_run?.id && listedRuns.has(item.workflow_run.id)) continue;
      yield toArchivedRunRecord(app.id, item);
    }
    if (!result.has_more || result.data.length === 0) return;
  }
}

/**
 * An app's mode when the configuration does not say: from `/v1/info` with its Service API key, else from the
 * console's app list. `workflow` when Dify answers with an error (the workflow path then reports what Dify says);
 * a network error (no answer at all) fails the app at once.
 */
async function detectMode(app: PipelineApp, logger: Logger): Promise<string> {
  try {
    if (app.client.logSurface === 'service') return (await app.client.appInfo()).mode;
    for await (const listed of app.client.apps()) if (listed.id === app.id) return listed.mode;
  } catch (error) {
    // Dify did not answer at all (refused, unreachable, timed out after every retry): the workflow path would meet the
    // same, after retrying again.
    if (DifyNetworkError.isInstance(error)) throw error;
    logger.debug(
      { appId: app.id, err: error instanceof Error ? error.message : String(error) },
      'could not tell the app mode; reading it as a workflow app',
    );
  }
  return 'workflow';
}

async function* fetchApp(
  context: FetchContext,
  app: PipelineJob['apps'][number],
  counts: PipelineResult['counts'][string],
): AsyncGenerator<RunRecord> {
  const { window, incremental } = context;
  const options = context.job.fetch ?? {};
  const previous = context.states.get(app.id) ?? { watermark: null, recent: {}, pending: {} };
  const horizon = window.to.getTime() - context.overlapMs;
  const next: AppState = {
    watermark: incremental ? window.to.toISOString() : previous.watermark,
    recent: {},
    pending: {},
  };
  for (const [logId, loggedAt] of Object.entries(previous.recent))
    if (new Date(loggedAt).getTime() >= horizon) next.recent[logId] = loggedAt;
  const listedRuns = new Set<string>();

  const emit = (record: RunRecord): RunRecord | undefined => {
    if (incremental && !isTerminalStatus(record.status) && record.runId) {
      next.pending[record.runId] = JSON.stringify({ ...record, nodes: null });
      counts.unfinished += 1;
      return undefined;
    }
    if (incremental && new Date(record.loggedAt).getTime() >= horizon) next.recent[record.logId] = record.loggedAt;
    context.analyzer.add(record);
    counts.records += 1;
    return record;
  };

  // Each app resumes from its own watermark; the run's window starts at the oldest of them.
  const from =
    incremental && previous.watermark
      ? new Date(new Date(previous.watermark).getTime() - context.overlapMs)
      : window.from;
  let fetched: Readonly<ExportProgress> | undefined;
  const records = exportRuns(app.client, {
    appId: app.id,
    createdAfter: from,
    createdBefore: window.to,
    keyword: options.keyword,
    status: options.status,
    withDetails: options.withDetails ?? FETCH_DEFAULTS.withDetails,
    withNodeExecutions: options.withNodeExecutions ?? FETCH_DEFAULTS.withNodeExecutions,
    includeNodeData: options.includeNodeData ?? FETCH_DEFAULTS.includeNodeData,
    concurrency: options.concurrency ?? FETCH_DEFAULTS.concurrency,
    skipLogId: incremental ? (logId) => logId in previous.recent : undefined,
    runCache: context.runCache,
    redact: context.privacy.run,
    logger: context.logger,
    onProgress: (progress) => {
      counts.cached = progress.cached;
      fetched = progress;
      context.onEvent({ type: 'progress', appId: app.id, progress });
    },
    onDroppedRow: (row) => {
      const where = `${row.endpoint} list request ${row.page}, row ${row.position}`;
      const message = `${where}: ${row.field}: ${row.problem}; the row was left out`;
      context.problems.push({ stage: 'fetch', appId: app.id, code: 'dropped_row', message });
    },
  });
  for await (const record of records) {
    if (record.runId) listedRuns.add(record.runId);
    const out = emit(record);
    if (out) yield out;
  }
  counts.salvaged = fetched?.salvaged ?? 0;
  context.analyzer.noteFetch({ salvaged: counts.salvaged, droppedRows: fetched?.droppedRows ?? 0 });

  // An explicit window may reach back past Dify's retention (1.13+ archives old runs out of the logs): read the archive
  // too.
  if (!incremental && app.client.hasConsole && (app.mode ?? 'workflow') === 'workflow') {
    for await (const record of archivedRuns(app, window, listedRuns, counts)) {
      counts.archived = (counts.archived ?? 0) + 1;
      const out = emit(context.privacy.run(record));
      if (out) yield out;
    }
  }

  // Runs unfinished at an earlier pull whose log rows are no longer in the window: ask for them directly.
  for (const [runId, stored] of Object.entries(previous.pending)) {
    if (listedRuns.has(runId)) continue;
    const record = JSON.parse(stored) as RunRecord;
    const detail = await app.client.runDetail(runId, app.id);
    if (detail === null) {
      context.logger.warn({ appId: app.id, runId }, 'an unfinished run is gone from Dify; dropping it');
      continue;
    }
    const nodes =
      options.withNodeExecutions && isTerminalStatus(detail.status ?? null)
        ? await app.client.nodeExecutions(runId, app.id)
        : undefined;
    counts.repolled += 1;
    const out = emit(context.privacy.run(applyDetail(record, detail, nodes, options.includeNodeData ?? false)));
    if (out) yield out;
  }
  context.nextStates.set(app.id, next);
}
