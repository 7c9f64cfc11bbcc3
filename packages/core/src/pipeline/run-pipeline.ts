import { randomBytes } from 'node:crypto';
import type { AppState } from '../adapters/state.js';
import { DifyConfigError } from '../errors/config-error.js';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import { compactTimestamp } from '../adapters/keys.js';
import { silentLogger } from '../logging/logger.js';
import { fetchStage } from './fetch-stage.js';
import { toNdjson } from '../records/ndjson.js';
import { createArchiveWriter, type ArchiveWriter } from '../archive/archive-writer.js';
import { CONVERSATIONS, MESSAGES } from '../archive/dataset.js';
import { openChatSpool, writeChatPartitions } from './chat-partitions.js';
import type { RunRecord } from '../records/schema.js';
import { failureMessage } from './messages.js';
import { notifyStage, type NotifyOutcome } from './notify-stage.js';
import { validateTemplates } from './templates.js';
import { validateAlertPolicy } from '../alerts/evaluate.js';
import { defaultReporters } from './reporters.js';
import { createAnalyzer } from '../analysis/analyzer.js';
import { createConversationAnalyzer } from '../analysis/conversations.js';
import { openJsonLineSpool, type JsonLineSpool } from './json-line-spool.js';
import { beginRun, endRun, recoverKilledRun } from './run-journal.js';
import { openReportWriters, type ReportWriters } from './report-stage.js';
import { afterStore } from './after-store.js';
import type {
  PipelineDeps,
  PipelineJob,
  PipelineProblem,
  PipelineResult,
  PipelineStage,
  SinkOutcome,
} from './types.js';
import { resolveWindow } from '../time/window.js';
import { retentionNotice } from './retention.js';
import { createPrivacyPolicy } from '../privacy/policy.js';
import { analysisStage } from './analysis-stage.js';
import { storeStage, type StoreOutcome } from './store-stage.js';
import { nothingReadError, takeBack, type StoredSoFar } from './outcomes.js';
import type { PausedRun, ReportAnalysis } from '../analysis/types.js';
import type { StoredObject } from '../adapters/storage.js';
import type { WorkspaceCheck } from '../client/endpoints/workspaces.js';
import type { AlertEvent } from '../alerts/types.js';

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
 * Configuration mistakes throw `DifyConfigError`; everything else is reported in the result. Each stage (a module
 * beside this one) returns its outcome; this function wires them and assembles the result from those outcomes.
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
  const report = job.report ?? {};
  const archive = job.archive ?? {};
  const notify = job.notify ?? {};
  const formats = report.formats ?? ['json', 'markdown'];
  const reporters = { ...defaultReporters, ...deps.reporters };
  for (const format of formats)
    if (!reporters[format])
      throw new DifyConfigError(
        'job.report.formats',
        `no reporter for format ${JSON.stringify(format)} (have ${Object.keys(reporters).join(', ')})`,
      );
  const notifyOn = notify.on ?? ['failure', 'report-ready'];
  if (notify.alerts) validateAlertPolicy(notify.alerts, 'job.notify.alerts');
  if (notify.templates) validateTemplates(notify.templates, 'job.notify.templates');
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
  const resultWindow = { from: window.from.toISOString(), to: window.to.toISOString(), timezone };

  await beginRun(deps.state, job.name, {
    runId,
    startedAt: now.toISOString(),
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    incremental,
    apps: job.apps.map((app) => app.id),
  });
  const timings: PipelineResult['timings'] = {};
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

  const privacy = createPrivacyPolicy(job.privacy);
  const analyzer = createAnalyzer({
    job: job.name,
    runId,
    window: resultWindow,
    generatedAt: now.toISOString(),
    consoleUrl: job.apps[0]!.client.webUrl,
    explorerUrl: report.explorerUrl,
    prices: report.prices,
  });
  const conversations = createConversationAnalyzer({ timezone });
  // Chat apps' messages of the window, stored as NDJSON beside the run archive.
  const messages = openChatSpool(MESSAGES, 'dify-logs-messages-');
  // Their conversations, each once per run, as Dify listed them (partitioned and sent to the sinks like the messages).
  const conversationSpool = openChatSpool(CONVERSATIONS, 'dify-logs-conversations-');
  let chatApps = 0;
  let writers: ReportWriters | undefined;
  const fetched = fetchStage({
    job,
    privacy,
    window,
    incremental,
    overlapMs,
    states,
    analyzer,
    logger,
    onEvent,
    runCache: job.fetch?.useRunCache === false ? undefined : deps.state.runs,
    conversations: {
      add: (message) => conversations.add(message),
      touch: (appId) => ((chatApps += 1), conversations.touch(appId)),
    },
    onMessage: async (message) => {
      await messages.add(message);
      gather();
      await writers?.addMessage(message);
      gather();
    },
    onConversation: (conversation) => conversationSpool.add(conversation),
  });
  const save = { job: job.name, app: job.apps.length === 1 ? job.apps[0]!.id : 'all', runId, createdAt: now };
  const reportType = report.type ?? 'daily';
  let partitioned: ArchiveWriter<RunRecord> | undefined;
  // The chat datasets' writers (messages, conversations), aborted when the run fails.
  const chatWriters: Array<{ abort(): Promise<void> }> = [];
  const sinks = deps.sinks ?? [];
  let spool: JsonLineSpool | undefined;
  const pausedRuns: PausedRun[] = [];
  // Everything this run stored, taken back when it fails.
  const written: StoredSoFar = { archive: null, messages: null, reports: [] };
  let workspace: WorkspaceCheck | null = null;
  let runArchive: StoredObject | null = null;
  let analysis: ReportAnalysis | null = null;
  let stored: StoreOutcome;
  let failed = false;
  const result = (
    outcome: Pick<
      PipelineResult,
      | 'status'
      | 'analysis'
      | 'reports'
      | 'archive'
      | 'messages'
      | 'partitions'
      | 'messagePartitions'
      | 'conversationPartitions'
    >,
    after: { notifications?: PipelineResult['notifications']; sinks?: SinkOutcome[]; alerts?: AlertEvent[] },
    problems: PipelineProblem[],
  ): PipelineResult => ({
    runId,
    job: job.name,
    ...outcome,
    window: resultWindow,
    counts: fetched.outcome.counts,
    notifications: after.notifications ?? [],
    sinks: after.sinks ?? [],
    timings,
    problems,
    alerts: after.alerts ?? [],
    workspace,
  });
  // The fetch pass's problems (the apps' and the report formats'), in the order they happened: gathered from each
  // stage's own list after every step that may add to it.
  const passProblems: PipelineProblem[] = [];
  const gathered = { fetch: 0, formats: 0 };
  const gather = () => {
    const formatProblems = writers?.problems ?? [];
    passProblems.push(...fetched.outcome.problems.slice(gathered.fetch), ...formatProblems.slice(gathered.formats));
    gathered.fetch = fetched.outcome.problems.length;
    gathered.formats = formatProblems.length;
  };

  try {
    // The current workspace is account state in Dify: someone may have switched it since the apps were listed.
    const consoleClient = job.apps.find((app) => app.client.hasConsole)?.client;
    if (consoleClient) {
      workspace = await consoleClient.workspace({ expected: job.apps.find((app) => app.workspace)?.workspace?.id });
      if (workspace?.switchedFrom)
        logger.warn(
          { workspace: workspace.id, switchedFrom: workspace.switchedFrom.id },
          'another workspace had become current; switched back to dify.console.workspaceId',
        );
    }
    writers = await openReportWriters(formats, reporters, { job: job.name, runId, window: resultWindow });
    gather();
    if (sinks.length > 0) spool = openJsonLineSpool('dify-logs-sink-');
    const feed = writers;
    const spooled = spool;
    // Whether the records themselves failed (fetch, report writers, the sinks' spool), as opposed to the archive
    // writing them.
    let sourceFailed = false;
    // Fetch, archive and feed the report writers (and the sinks' spool) in one pass: the storage adapter pulls the
    // NDJSON body as records stream in.
    async function* records() {
      try {
        for await (const record of fetched.records) {
          gather();
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
          gather();
          if (spooled) {
            const writing = spooled.add(record);
            if (writing) await writing;
          }
          yield record;
        }
        gather();
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
    runArchive = await timed('fetch', async () => {
      if (archive.mode === false) {
        for await (const record of records()) void record;
        return null;
      }
      if (archive.mode === 'partitioned') {
        const writer = createArchiveWriter(deps.storage, {
          job: job.name,
          runId,
          window: resultWindow,
          now: () => now,
          logger,
          ...(archive.formats?.length ? { formats: archive.formats } : {}),
          ...(archive.ndjson === false ? { ndjson: false } : {}),
        });
        partitioned = writer;
        for await (const record of records()) await archiving(() => writer.add(record));
        return null;
      }
      const object = await archiving(() =>
        deps.storage.saveData({
          ...save,
          type: 'archive',
          extension: 'ndjson',
          contentType: 'application/x-ndjson',
          body: toNdjson(records()),
        }),
      );
      written.archive = object;
      return object;
    });
    // Every app failed (Dify unreachable, every key refused): no report of this period is stored, the failure is
    // notified.
    const nothingRead = nothingReadError(job, fetched.outcome.problems);
    if (nothingRead) throw nothingRead;
    analysis = await analysisStage({
      analyzer,
      conversations: chatApps > 0 ? conversations : undefined,
      pausedRuns,
      workspace,
      retention: retentionNotice(job, window, now, fetched.outcome.counts),
      privacy: privacy.statement,
      previous:
        report.compare !== false
          ? { storage: deps.storage, job: job.name, type: reportType, window: resultWindow }
          : undefined,
      anomalies: report.anomalies,
      logger,
    });

    const period = analysis;
    // Chat parts get copies in the archive's formats that hold them (Parquet); its `ndjson: false` is for runs only.
    const chatArchive = { ...archive, job: job.name, runId, window: resultWindow, now: () => now, logger };
    const track = (writer: { abort(): Promise<void> }) => chatWriters.push(writer);
    const rendered = await timed('report', () => feed.finish(period));
    gather();
    stored = await timed('store', () =>
      storeStage(deps.storage, save, {
        reportType,
        window: resultWindow,
        rendered,
        // With a partitioned archive the messages are partitioned too; otherwise one NDJSON object per run.
        messages: messages.count > 0 && !partitioned ? messages.read() : undefined,
        // Manifests last: until they are written the run's partitions are invisible, and a failure takes them back.
        partitions: partitioned ? () => archiving(() => partitioned!.finish()) : undefined,
        messagePartitions:
          partitioned && messages.count > 0
            ? () => archiving(() => writeChatPartitions(deps.storage, MESSAGES, chatArchive, messages, track))
            : undefined,
        conversationPartitions:
          partitioned && conversationSpool.count > 0
            ? () =>
                archiving(() => writeChatPartitions(deps.storage, CONVERSATIONS, chatArchive, conversationSpool, track))
            : undefined,
        written,
      }),
    );
  } catch (error) {
    failed = true;
    await partitioned?.abort();
    for (const writer of chatWriters) await writer.abort();
    const message = error instanceof Error ? error.message : String(error);
    gather();
    const problems = [
      ...passProblems,
      { stage: stageNow, code: DifyLogsError.isInstance(error) ? error.code : 'error', message },
    ];
    const taken = await takeBack(deps.storage, written, logger, incremental, message);
    let notified: NotifyOutcome | undefined;
    if (notifyOn.includes('failure') && deps.notifiers?.length) {
      notified = await timed('notify', () =>
        notifyStage(deps.notifiers!, failureMessage(job.name, runId, message, now.toISOString()), {
          attempts: deps.notifyAttempts ?? 3,
          logger,
          templates: notify.templates,
        }),
      );
    }
    await endRun(deps.state, job.name);
    return result(
      { status: 'failed', analysis, ...taken, partitions: null, messagePartitions: null, conversationPartitions: null },
      { notifications: notified?.notifications },
      [...problems, ...(notified?.problems ?? [])],
    );
  } finally {
    await writers?.close();
    // The messages go to the sinks too (after the store stage): kept until then.
    if (failed || !spool) await Promise.all([messages.dispose(), conversationSpool.dispose()]);
    if (failed) await spool?.dispose();
  }

  const after = await afterStore({
    job,
    deps,
    runId,
    now,
    window: resultWindow,
    analysis: analysis!,
    stored,
    problems: passProblems,
    spool,
    messages,
    conversations: conversationSpool,
    nextStates: fetched.outcome.nextStates,
    incremental,
    timed,
    logger,
  });
  await endRun(deps.state, job.name);
  logger.info({ status: after.status, runs: analysis!.runs, reports: stored.reports.length }, 'run finished');
  return result({ status: after.status, analysis, archive: runArchive, ...stored }, after, after.problems);
}
