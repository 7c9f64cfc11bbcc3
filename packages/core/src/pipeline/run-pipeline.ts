import { randomBytes } from 'node:crypto';
import type { AppState } from '../adapters/state.js';
import { DifyConfigError } from '../errors/config-error.js';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import { compactTimestamp } from '../adapters/keys.js';
import { silentLogger } from '../logging/logger.js';
import { fetchStage } from './fetch-stage.js';
import { toNdjson } from '../records/ndjson.js';
import { createArchiveWriter } from '../archive/archive-writer.js';
import { failureMessage, reportReadyMessage } from './messages.js';
import { notifyStage } from './notify-stage.js';
import { alertStage } from './alert-stage.js';
import { validateTemplates } from './templates.js';
import { validateAlertPolicy } from '../alerts/evaluate.js';
import { defaultReporters } from './reporters.js';
import { createAnalyzer } from '../analysis/analyzer.js';
import { createConversationAnalyzer } from '../analysis/conversations.js';
import { openJsonLineSpool, type JsonLineSpool } from './json-line-spool.js';
import { beginRun, endRun, recoverKilledRun } from './run-journal.js';
import { openReportWriters, type ReportWriters } from './report-stage.js';
import { sinkStage } from './sink-stage.js';
import type { PipelineDeps, PipelineJob, PipelineProblem, PipelineResult, PipelineStage } from './types.js';
import { resolveWindow } from '../time/window.js';
import { retentionNotice } from './retention.js';
import { analysisStage } from './analysis-stage.js';
import { storeStage } from './store-stage.js';
import { nothingReadError, reportLinks, takeBack } from './outcomes.js';
import type { PausedRun } from '../analysis/types.js';

const JOB_NAME = /^[A-Za-z0-9_-]+$/;
/** Paused runs listed in a report (they wait for a person; a long list would hide the rest of the report). */
const MAX_PAUSED_RUNS = 50;

/**
 * Runs a job once: fetch (and enrich) every app's window, store the records as an NDJSON archive,
 * render and store the reports, notify, then advance the incremental state. Failure semantics:
 * - one app failing is recorded and the others go on (`partial`); when every app fails the run is `failed`
 *   (nothing read: no report is stored for the period, the failure is notified, the state does not move);
 * - a report format that fails to render is recorded, the other formats are stored (`partial`);
 * - a storage failure fails the run (`failed`, stage `archive` when the archive write failed): the state does not move,
 *   so the next run redoes an incremental window; an explicit window is redone only when the run is repeated;
 * - a notifier failing after retries is recorded (`partial`); the stored reports stay.
 * Configuration mistakes throw `DifyConfigError`; everything else is reported in the result.
 */
export async function runPipeline(job: PipelineJob, deps: PipelineDeps): Promise<PipelineResult> {
  if (!JOB_NAME.test(job.name))
    throw new DifyConfigError('job.name', `${JSON.stringify(job.name)} may only hold letters, digits, _ and -`);
  if (job.apps.length === 0) throw new DifyConfigError('job.apps', 'the job has no apps');
  const now = deps.now?.() ?? new Date();
  const runId = deps.runId ?? `${compactTimestamp(now)}-${randomBytes(3).toString('hex')}`;
  const logger = (deps.logger ?? silentLogger).child({ job: job.name, runId });
  const onEvent = deps.onEvent ?? (() => {});
  const timezone = job.timezone ?? 'UTC';
  const formats = job.formats ?? ['json', 'markdown'];
  const reporters = { ...defaultReporters, ...deps.reporters };
  for (const format of formats)
    if (!reporters[format])
      throw new DifyConfigError(
        'job.formats',
        `no reporter for format ${JSON.stringify(format)} (have ${Object.keys(reporters).join(', ')})`,
      );
  const notifyOn = job.notifyOn ?? ['failure', 'report-ready'];
  if (job.alerts) validateAlertPolicy(job.alerts, 'job.alerts');
  if (job.templates) validateTemplates(job.templates, 'job.templates');
  const incremental = job.window.mode === 'incremental';
  const overlapMs = (job.window.mode === 'incremental' ? (job.window.overlapMinutes ?? 10) : 0) * 60_000;

  const states = new Map<string, AppState>();
  for (const app of job.apps) states.set(app.id, await deps.state.read(job.name, app.id));
  await recoverKilledRun(deps.storage, deps.state, job.name, states, logger);
  const watermarks = [...states.values()].map((state) => state.watermark);
  // With several apps the window starts at the oldest watermark; apps skip what they already counted by log id.
  const oldest = watermarks.includes(null)
    ? null
    : (watermarks.filter((mark): mark is string => mark !== null).sort()[0] ?? null);
  const window = resolveWindow(job.window, { now, timezone, watermark: oldest });

  await beginRun(deps.state, job.name, {
    runId,
    startedAt: now.toISOString(),
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    incremental,
    apps: job.apps.map((app) => app.id),
  });
  const problems: PipelineProblem[] = [];
  const timings: PipelineResult['timings'] = {};
  const result: PipelineResult = {
    runId,
    job: job.name,
    status: 'succeeded',
    window: { from: window.from.toISOString(), to: window.to.toISOString(), timezone },
    analysis: null,
    counts: {},
    reports: [],
    archive: null,
    messages: null,
    partitions: null,
    notifications: [],
    sinks: [],
    timings,
    problems,
    alerts: [],
    workspace: null,
  };
  let stageNow: PipelineStage = 'fetch';
  const timed = async <T>(stage: PipelineStage, task: () => Promise<T>): Promise<T> => {
    stageNow = stage;
    onEvent({ type: 'stage-start', stage });
    const started = performance.now();
    try {
      return await task();
    } finally {
      timings[stage] = Math.round(performance.now() - started);
      onEvent({ type: 'stage-end', stage, ms: timings[stage]! });
    }
  };

  const analyzer = createAnalyzer({
    job: job.name,
    runId,
    window: result.window,
    generatedAt: now.toISOString(),
    consoleUrl: job.apps[0]!.client.webUrl,
    prices: job.prices,
  });
  const nextStates = new Map<string, AppState>();
  const runCache = job.useRunCache === false ? undefined : deps.state.runs;
  const conversations = createConversationAnalyzer({ timezone });
  // Chat apps' messages of the window, stored as NDJSON beside the run archive.
  const messages = openJsonLineSpool('dify-logs-messages-');
  let chatApps = 0;
  let writers: ReportWriters | undefined;
  const fetched = fetchStage({
    job,
    window,
    incremental,
    overlapMs,
    states,
    nextStates,
    analyzer,
    counts: result.counts,
    problems,
    logger,
    onEvent,
    runCache,
    conversations: {
      add: (message) => conversations.add(message),
      touch: (appId) => ((chatApps += 1), conversations.touch(appId)),
    },
    onMessage: async (message) => {
      await messages.add(message);
      await writers?.addMessage(message);
    },
  });
  const save = { job: job.name, app: job.apps.length === 1 ? job.apps[0]!.id : 'all', runId, createdAt: now };
  const reportType = job.reportType ?? 'daily';
  let partitioned: ReturnType<typeof createArchiveWriter> | undefined;
  const sinks = deps.sinks ?? [];
  let spool: JsonLineSpool | undefined;
  const pausedRuns: PausedRun[] = [];

  try {
    // The current workspace is account state in Dify: someone may have switched it since the apps were listed.
    const consoleClient = job.apps.find((app) => app.client.hasConsole)?.client;
    if (consoleClient) {
      result.workspace = await consoleClient.workspace({
        expected: job.apps.find((app) => app.workspace)?.workspace?.id,
      });
      if (result.workspace?.switchedFrom)
        logger.warn(
          { workspace: result.workspace.id, switchedFrom: result.workspace.switchedFrom.id },
          'another workspace had become current; switched back to dify.console.workspaceId',
        );
    }
    writers = await openReportWriters(formats, reporters, { job: job.name, runId, window: result.window }, problems);
    if (sinks.length > 0) spool = openJsonLineSpool('dify-logs-sink-');
    const feed = writers;
    const spooled = spool;
    // Whether the records themselves failed (fetch, report writers, the sinks' spool), as opposed to the archive writing them.
    let sourceFailed = false;
    // Fetch, archive and feed the report writers (and the sinks' spool) in one pass: the storage adapter pulls the NDJSON body as records stream in.
    async function* records() {
      try {
        for await (const record of fetched) {
          if (record.pause && record.runId && pausedRuns.length < MAX_PAUSED_RUNS)
            pausedRuns.push({
              appId: record.appId,
              runId: record.runId,
              createdAt: record.createdAt,
              pausedAt: record.pause.pausedAt,
              nodes: record.pause.nodes,
            });
          const pending = feed.add(record);
          if (pending) await pending;
          if (spooled) {
            const writing = spooled.add(record);
            if (writing) await writing;
          }
          yield record;
        }
      } catch (error) {
        sourceFailed = true;
        throw error;
      }
    }
    /** Runs an archive write; its own failure (not one of the records it pulls) is the `archive` stage's problem. */
    const archiving = async <T>(write: () => Promise<T>): Promise<T> => {
      try {
        return await write();
      } catch (error) {
        if (!sourceFailed) stageNow = 'archive';
        throw error;
      }
    };
    await timed('fetch', async () => {
      if (job.archive === false) {
        for await (const record of records()) void record;
        return;
      }
      if (job.archive === 'partitioned') {
        const writer = createArchiveWriter(deps.storage, {
          job: job.name,
          runId,
          window: result.window,
          now: () => now,
          logger,
          ...(deps.archiveFormats?.length ? { formats: deps.archiveFormats } : {}),
          ...(deps.archiveNdjson === false ? { ndjson: false } : {}),
        });
        partitioned = writer;
        for await (const record of records()) await archiving(() => writer.add(record));
        return;
      }
      result.archive = await archiving(() =>
        deps.storage.saveData({
          ...save,
          type: 'archive',
          extension: 'ndjson',
          contentType: 'application/x-ndjson',
          body: toNdjson(records()),
        }),
      );
    });
    // Every app failed (Dify unreachable, every key refused): no report of this period is stored, the failure is notified.
    const nothingRead = nothingReadError(job, problems);
    if (nothingRead) throw nothingRead;
    const analysis = await analysisStage({
      analyzer,
      conversations: chatApps > 0 ? conversations : undefined,
      pausedRuns,
      workspace: result.workspace,
      retention: retentionNotice(job, window, now, result.counts),
      previous:
        job.compare !== false
          ? { storage: deps.storage, job: job.name, type: reportType, window: result.window }
          : undefined,
      anomalies: job.anomalies,
      logger,
    });
    result.analysis = analysis;

    const rendered = await timed('report', () => feed.finish(analysis));
    const stored = await timed('store', () =>
      storeStage(deps.storage, save, {
        reportType,
        window: result.window,
        rendered,
        messages: messages.count > 0 ? messages.read() : undefined,
        // Manifests last: until they are written the run's partitions are invisible, and a failure takes them back.
        partitions: partitioned ? () => archiving(() => partitioned!.finish()) : undefined,
        onStored: (object) => result.reports.push(object),
        onMessages: (object) => (result.messages = object),
      }),
    );
    result.partitions = stored.partitions;
  } catch (error) {
    await partitioned?.abort();
    const message = error instanceof Error ? error.message : String(error);
    problems.push({ stage: stageNow, code: DifyLogsError.isInstance(error) ? error.code : 'error', message });
    result.status = 'failed';
    const taken = await takeBack(
      deps.storage,
      [result.archive, result.messages, ...result.reports],
      logger,
      incremental,
      message,
    );
    Object.assign(result, taken);
    if (notifyOn.includes('failure') && deps.notifiers?.length) {
      result.notifications = await timed('notify', () =>
        notifyStage(deps.notifiers!, failureMessage(job.name, runId, message, now.toISOString()), {
          attempts: deps.notifyAttempts ?? 3,
          logger,
          problems,
          templates: job.templates,
        }),
      );
    }
    await endRun(deps.state, job.name);
    return result;
  } finally {
    await writers?.close();
    await messages.dispose();
    if (result.status === 'failed') await spool?.dispose();
  }

  let sinksFailed = false;
  if (spool) {
    const replay = spool;
    result.sinks = await timed('sink', () =>
      sinkStage(sinks, {
        records: () => replay.read(),
        context: { job: job.name, runId, window: result.window },
        attempts: deps.sinkAttempts ?? 3,
        retryDelayMs: deps.sinkRetryDelayMs,
        logger,
        problems,
      }),
    ).finally(() => replay.dispose());
    sinksFailed = result.sinks.some((outcome) => !outcome.written);
    if (sinksFailed)
      logger.error(
        { sinks: result.sinks.filter((outcome) => !outcome.written).map((outcome) => outcome.sink) },
        'a sink failed: the reports stay stored, the watermark stays, the next run writes the window again',
      );
  }

  const partial = problems.length > 0;
  const links = await reportLinks(deps.storage, result.reports, logger);
  if (deps.notifiers?.length && (notifyOn.includes('report-ready') || (notifyOn.includes('success') && !partial))) {
    result.notifications = await timed('notify', () =>
      notifyStage(deps.notifiers!, reportReadyMessage(result.analysis!, links, partial), {
        attempts: deps.notifyAttempts ?? 3,
        logger,
        problems,
        templates: job.templates,
      }),
    );
  }
  if (job.alerts && job.alerts.rules.length > 0) {
    const sent = await timed('alert', () =>
      alertStage(job.alerts!, result.analysis!, {
        job: job.name,
        state: deps.state,
        notifiers: deps.notifiers ?? [],
        links,
        now,
        attempts: deps.notifyAttempts ?? 3,
        logger,
        problems,
        templates: job.templates,
      }),
    );
    result.alerts = sent.events;
    result.notifications.push(...sent.notifications);
  }
  if (incremental && !sinksFailed) {
    await timed('state', async () => {
      for (const [appId, state] of nextStates) await deps.state.commit(job.name, appId, state);
    });
  }
  await endRun(deps.state, job.name);
  result.status = problems.length > 0 ? 'partial' : 'succeeded';
  logger.info({ status: result.status, runs: result.analysis?.runs, reports: result.reports.length }, 'run finished');
  return result;
}
