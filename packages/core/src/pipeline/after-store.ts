import type { AppState } from '../adapters/state.js';
import type { AlertEvent } from '../alerts/types.js';
import type { ReportAnalysis } from '../analysis/types.js';
import type { Logger } from '../logging/logger.js';
import type { ConversationRecord, MessageRecord } from '../records/chat.js';
import { alertStage } from './alert-stage.js';
import type { ChatSpool } from './chat-partitions.js';
import type { JsonLineSpool } from './json-line-spool.js';
import { reportReadyMessage } from './messages.js';
import { notifyStage } from './notify-stage.js';
import { reportLinks } from './outcomes.js';
import { sinkStage } from './sink-stage.js';
import type { StoreOutcome } from './store-stage.js';
import type {
  PipelineDeps,
  PipelineJob,
  PipelineProblem,
  PipelineResult,
  PipelineStage,
  SinkOutcome,
} from './types.js';

/** What a run that stored its reports hands to the stages after: sinks, notifications, alerts, the state. */
export interface AfterStoreInput {
  job: PipelineJob;
  deps: PipelineDeps;
  runId: string;
  now: Date;
  window: PipelineResult['window'];
  analysis: ReportAnalysis;
  stored: StoreOutcome;
  /** The fetch pass's problems: a run with any is `partial`. */
  problems: PipelineProblem[];
  /** The records spooled for the sinks (none without sinks), and the chat spools; each disposed here. */
  spool: JsonLineSpool | undefined;
  messages: ChatSpool;
  conversations: ChatSpool;
  /** The apps' states to commit when the window is incremental and every sink took the records. */
  nextStates: ReadonlyMap<string, AppState>;
  incremental: boolean;
  timed: <T>(stage: PipelineStage, task: () => Promise<T>) => Promise<T>;
  logger: Logger;
}

export interface AfterStoreOutcome {
  status: 'succeeded' | 'partial';
  notifications: PipelineResult['notifications'];
  sinks: SinkOutcome[];
  alerts: AlertEvent[];
  problems: PipelineProblem[];
}

/**
 * The stages after the reports are stored: the sinks (a failing one keeps the watermark, so the next run writes the
 * window again), the report-ready notification, the alerts, then the incremental state. Their failures are problems
 * (`partial`); the stored reports stay.
 */
export async function afterStore(input: AfterStoreInput): Promise<AfterStoreOutcome> {
  const { job, deps, analysis, timed, logger } = input;
  const notify = job.notify ?? {};
  const notifyOn = notify.on ?? ['failure', 'report-ready'];
  const problems = [...input.problems];
  let sinks: SinkOutcome[] = [];
  if (input.spool) {
    const replay = input.spool;
    const { messages, conversations } = input;
    const sunk = await timed('sink', () =>
      sinkStage(deps.sinks ?? [], {
        records: () => replay.read(),
        ...(messages.count > 0 ? { messages: () => messages.values<MessageRecord>() } : {}),
        ...(conversations.count > 0 ? { conversations: () => conversations.values<ConversationRecord>() } : {}),
        context: { job: job.name, runId: input.runId, window: input.window },
        attempts: deps.sinkAttempts ?? 3,
        retryDelayMs: deps.sinkRetryDelayMs,
        logger,
      }),
    ).finally(() => Promise.all([replay.dispose(), messages.dispose(), conversations.dispose()]));
    sinks = sunk.outcomes;
    problems.push(...sunk.problems);
  }
  const sinksFailed = sinks.some((outcome) => !outcome.written);
  if (sinksFailed)
    logger.error(
      { sinks: sinks.filter((outcome) => !outcome.written).map((outcome) => outcome.sink) },
      'a sink failed: the reports stay stored, the watermark stays, the next run writes the window again',
    );

  const partial = problems.length > 0;
  const links = await reportLinks(deps.storage, input.stored.reports, logger);
  const notifications: PipelineResult['notifications'] = [];
  if (deps.notifiers?.length && (notifyOn.includes('report-ready') || (notifyOn.includes('success') && !partial))) {
    const notified = await timed('notify', () =>
      notifyStage(deps.notifiers!, reportReadyMessage(analysis, links, partial), {
        attempts: deps.notifyAttempts ?? 3,
        logger,
        templates: notify.templates,
      }),
    );
    notifications.push(...notified.notifications);
    problems.push(...notified.problems);
  }
  let alerts: AlertEvent[] = [];
  if (notify.alerts && notify.alerts.rules.length > 0) {
    const policy = notify.alerts;
    const sent = await timed('alert', () =>
      alertStage(policy, analysis, {
        job: job.name,
        state: deps.state,
        notifiers: deps.notifiers ?? [],
        links,
        now: input.now,
        attempts: deps.notifyAttempts ?? 3,
        logger,
        templates: notify.templates,
      }),
    );
    alerts = sent.events;
    notifications.push(...sent.notifications);
    problems.push(...sent.problems);
  }
  if (input.incremental && !sinksFailed) {
    await timed('state', async () => {
      for (const [appId, state] of input.nextStates) await deps.state.commit(job.name, appId, state);
    });
  }
  return { status: problems.length > 0 ? 'partial' : 'succeeded', notifications, sinks, alerts, problems };
}
