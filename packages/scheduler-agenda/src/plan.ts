import type { Deployment, DeploymentRun } from '@dify-logs/core/adapter-kit';
import type { Logger } from '@dify-logs/core';
import type { Job } from 'agenda';
import type { RunHistory } from './state/index.js';

/** What an Agenda job carries: the recurring job only its deployment; a one-time job the run it stands for. */
export interface JobData {
  deployment: string;
  kind?: 'once';
  /** Uniqueness key of a one-time job (`manual:<run id>`, `retry:<run id>`, `tick:<deployment>:<tick>`). */
  key?: string;
  trigger?: DeploymentRun['trigger'];
  scheduledFor?: string;
  attempt?: number;
  parameters?: Record<string, unknown>;
  runId?: string;
}

/** A run as this scheduler stores it: the contract's fields plus the Agenda job and the last heartbeat. */
export interface AgendaRun extends DeploymentRun {
  jobId: string;
  heartbeatAt: string;
}

export interface RunPlan {
  runId?: string;
  scheduledFor: Date;
  trigger: DeploymentRun['trigger'];
  attempt: number;
  parameters: Record<string, unknown>;
}

/** A running run is alive while its worker renews the heartbeat (every third of the lock lifetime). */
export function isLive(run: DeploymentRun, lockLifetimeMs: number, now = Date.now()): boolean {
  const heartbeat = (run as Partial<AgendaRun>).heartbeatAt ?? run.startedAt;
  return now - Date.parse(heartbeat) < lockLifetimeMs / 2;
}

export interface PlanInput {
  job: Job<JobData>;
  deployment: Deployment;
  history: RunHistory;
  lockLifetimeMs: number;
  /** This worker is running the deployment already. */
  busyHere: boolean;
  logger: Logger;
  /** The tick a recurring job stands for when it fires now. */
  scheduledTick: () => Date;
}

const TICK_TRIGGERS = new Set<DeploymentRun['trigger']>(['schedule', 'catch-up']);

/**
 * Decides what an Agenda job that just fired runs, from the shared history: a run of this job whose
 * worker died is taken over (recorded failed, run again as a retry); a deployment alive elsewhere is
 * not run twice at once (a tick is skipped, a one-time run postponed); a tick that already ran is
 * not run again. Undefined: nothing to run.
 */
export async function planRun(input: PlanInput): Promise<RunPlan | undefined> {
  const { job, deployment, history, lockLifetimeMs, logger } = input;
  const data = job.attrs.data;
  const jobId = String(job.attrs._id);
  const recent = await history.list({ deployment: deployment.name, limit: 50 });
  const running = recent.filter((run) => run.status === 'running') as AgendaRun[];

  const orphan = running.find((run) => run.jobId === jobId && !isLive(run, lockLifetimeMs));
  if (orphan) {
    logger.warn(
      { deployment: deployment.name, runId: orphan.id, worker: orphan.worker },
      'taking over a run whose worker stopped answering',
    );
    await history.save({
      ...orphan,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      error: `interrupted: worker ${orphan.worker ?? '?'} stopped answering; taken over`,
    });
  }

  if (input.busyHere || running.some((run) => run.jobId !== jobId && isLive(run, lockLifetimeMs))) {
    if (data.kind === 'once') {
      job.attrs.nextRunAt = new Date(Date.now() + Math.min(30_000, lockLifetimeMs / 4));
      logger.info(
        { deployment: deployment.name, trigger: data.trigger },
        'the deployment is running elsewhere: this run waits',
      );
    } else {
      logger.warn({ deployment: deployment.name }, 'still running: this tick is skipped');
    }
    return undefined;
  }

  if (orphan)
    return {
      scheduledFor: new Date(orphan.scheduledFor),
      trigger: 'retry',
      attempt: orphan.attempt + 1,
      parameters: orphan.parameters ?? { ...deployment.parameters },
    };

  const plan: RunPlan =
    data.kind === 'once'
      ? {
          ...(data.runId ? { runId: data.runId } : {}),
          scheduledFor: new Date(data.scheduledFor ?? Date.now()),
          trigger: data.trigger ?? 'manual',
          attempt: data.attempt ?? 1,
          parameters: data.parameters ?? { ...deployment.parameters },
        }
      : {
          scheduledFor: input.scheduledTick(),
          trigger: 'schedule',
          attempt: 1,
          parameters: { ...deployment.parameters },
        };

  if (TICK_TRIGGERS.has(plan.trigger)) {
    const tick = plan.scheduledFor.toISOString();
    if (recent.some((run) => run.scheduledFor === tick && TICK_TRIGGERS.has(run.trigger))) {
      logger.info({ deployment: deployment.name, tick }, 'this tick ran already');
      return undefined;
    }
  }
  if (plan.runId && (await history.get(plan.runId))) return undefined;
  return plan;
}
