import { randomBytes } from 'node:crypto';
import type { Deployment, DeploymentHandler, DeploymentOutcome, DeploymentRun } from '@dify-logs/core/adapter-kit';
import type { Logger } from '@dify-logs/core';
import type { Job } from 'agenda';
import type { AgendaRun, JobData, RunPlan } from './plan.js';
import type { RunHistory } from './state/index.js';

export type { RunPlan } from './plan.js';

export interface ExecutionEnvironment {
  history: RunHistory;
  worker: string;
  lockLifetimeMs: number;
  logger: Logger;
  /** Aborted when the worker stops and its drain time is over. */
  controllers: Set<AbortController>;
  handler: () => DeploymentHandler;
  scheduleRetry: (deployment: Deployment, run: DeploymentRun, delayMs: number) => Promise<void>;
}

/**
 * Runs one planned run: records it, renews the Agenda lock and the heartbeat every third of the lock
 * lifetime, keeps its log lines, records the outcome, and queues a retry of a failed run (a run cut
 * short by the worker stopping is always handed back). Throws on a failed run so Agenda and its
 * dashboard show the failure.
 */
export async function executeRun(
  env: ExecutionEnvironment,
  deployment: Deployment,
  job: Job<JobData>,
  plan: RunPlan,
): Promise<void> {
  const startedAt = new Date().toISOString();
  const scheduledFor = plan.scheduledFor.toISOString();
  const run: AgendaRun = {
    id: plan.runId ?? `${deployment.name}-${scheduledFor.replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`,
    deployment: deployment.name,
    job: deployment.job,
    scheduledFor,
    trigger: plan.trigger,
    attempt: plan.attempt,
    status: 'running',
    startedAt,
    finishedAt: null,
    error: null,
    summary: null,
    parameters: plan.parameters,
    worker: env.worker,
    jobId: String(job.attrs._id),
    heartbeatAt: startedAt,
  };
  const logger = env.logger.child({ deployment: deployment.name, runId: run.id });
  await env.history.save(run);

  const pending: string[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (pending.length === 0) return writing;
    const lines = pending.splice(0);
    writing = writing
      .then(() => env.history.appendLogs(run.id, lines))
      .catch((error: unknown) => logger.warn({ err: String(error) }, 'could not store log lines of the run'));
    return writing;
  };
  const heartbeat = async (): Promise<void> => {
    await job.touch();
    run.heartbeatAt = new Date().toISOString();
    await env.history.save({ ...run });
    await flush();
  };
  const timer = setInterval(
    () =>
      void heartbeat().catch((error: unknown) =>
        logger.warn({ err: String(error) }, 'could not renew the lock of the run'),
      ),
    Math.max(250, env.lockLifetimeMs / 3),
  );
  const controller = new AbortController();
  env.controllers.add(controller);
  logger.info({ trigger: run.trigger, attempt: run.attempt, scheduledFor }, 'deployment run started');

  let outcome: DeploymentOutcome;
  try {
    outcome = await env.handler()(deployment, {
      run: structuredClone(run),
      scheduledFor: plan.scheduledFor,
      parameters: plan.parameters,
      signal: controller.signal,
      touch: heartbeat,
      log: (line) => {
        pending.push(line);
        if (pending.length >= 50) void flush();
      },
    });
  } catch (error) {
    outcome = { status: 'failed', error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearInterval(timer);
    env.controllers.delete(controller);
  }
  const aborted = controller.signal.aborted;
  Object.assign(run, {
    status: outcome.status,
    finishedAt: new Date().toISOString(),
    error: outcome.error ?? (aborted && outcome.status === 'failed' ? 'aborted: the worker stopped' : null),
    summary: outcome.summary ?? null,
  });
  await flush();
  await env.history.save(run);
  logger.info({ status: run.status }, 'deployment run finished');
  if (run.status !== 'failed') return;

  const retries = deployment.retries ?? 2;
  if (aborted || run.attempt <= retries) {
    const delayMs = aborted ? 1000 : (deployment.retryDelaySeconds ?? 60) * 1000 * 2 ** (run.attempt - 1);
    await env
      .scheduleRetry(deployment, run, delayMs)
      .catch((error: unknown) => logger.error({ err: String(error) }, 'could not queue the retry of the run'));
  }
  throw new Error(run.error ?? 'failed');
}
