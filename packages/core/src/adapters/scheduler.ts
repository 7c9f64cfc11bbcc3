import { DifyConfigError } from '../errors/config-error.js';
import { assertTimezone } from '../time/window.js';

/**
 * A scheduled deployment: one configured job run on a cron schedule, with parameters (the original
 * plan's `deployments.yaml`: name, schedule, timezone, parameters, tags).
 */
export interface Deployment {
  /** Letters, digits, `_`, `-`; unique per scheduler. */
  name: string;
  /** The configured job it runs. */
  job: string;
  /** Cron expression: 5 fields, or 6 with seconds first. */
  schedule: string;
  /** IANA zone of the schedule and of window templates (default UTC). */
  timezone?: string;
  /** Passed to the handler as they are (e.g. a window: `{ from: '{{yesterday}}', to: '{{today}}' }`). */
  parameters?: Record<string, unknown>;
  tags?: string[];
  /** Defined but not scheduled until resumed. */
  paused?: boolean;
  /** Extra attempts of a failed run (default 2), waiting `retryDelaySeconds` × 2^attempt (default 60). */
  retries?: number;
  retryDelaySeconds?: number;
  /**
   * Missed ticks (scheduler down) run on start, oldest first, at most this many per deployment (default 7; 0: none).
   */
  catchUp?: number;
}

export type DeploymentRunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** One run of a deployment, as the run history keeps it. */
export interface DeploymentRun {
  id: string;
  deployment: string;
  job: string;
  /** The tick it stands for (its window templates resolve at this time). */
  scheduledFor: string;
  trigger: 'schedule' | 'manual' | 'catch-up' | 'retry' | 'backfill';
  /** 1 for the first attempt. */
  attempt: number;
  status: DeploymentRunStatus;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** What the handler returned (counts, report locations…). */
  summary: Record<string, unknown> | null;
  /** The parameters the run was given (the deployment's, merged with the trigger's). */
  parameters?: Record<string, unknown>;
  /** The worker (process) that ran it, where the scheduler knows several. */
  worker?: string;
}

/** One run with its own log lines (capped by the scheduler). */
export interface DeploymentRunDetail {
  run: DeploymentRun;
  logs: string[];
}

export interface DeploymentContext {
  run: Readonly<DeploymentRun>;
  scheduledFor: Date;
  /** Parameters of the deployment, merged with the trigger's. */
  parameters: Record<string, unknown>;
  /** Aborted when the scheduler stops and the drain time is over. */
  signal: AbortSignal;
  /** Tells a distributed scheduler the run is alive (extends its lock); a no-op in one process. */
  touch(): Promise<void>;
  /** Adds a line to the run's own log, kept with the run in the history (capped). */
  log(line: string): void;
}

export interface DeploymentOutcome {
  status: 'succeeded' | 'partial' | 'failed';
  summary?: Record<string, unknown>;
  error?: string;
}

/** Runs one deployment run. Throwing counts as `failed` with the error's message. */
export type DeploymentHandler = (deployment: Deployment, context: DeploymentContext) => Promise<DeploymentOutcome>;

/**
 * Runs deployments on their schedules. Implementations: `@dify-logs/scheduler-cron` (one process) and
 * `@dify-logs/scheduler-agenda` (several workers on a shared database). Checked by `testScheduler`.
 * Rules: a deployment never runs twice at once; a failed run is retried with back-off up to `retries`;
 * `stop` stops scheduling, waits up to `drainMs` for running runs, then aborts them; every run is in the
 * history (`runs`), newest first.
 */
export interface Scheduler {
  readonly name: string;
  /** Registers the deployments (replacing earlier ones) and the function that runs them. Before `start`. */
  define(deployments: Deployment[], handler: DeploymentHandler): Promise<void>;
  /** Starts scheduling (and runs missed ticks, see `catchUp`). */
  start(): Promise<void>;
  stop(options?: { drainMs?: number }): Promise<void>;
  /** Runs a deployment now (outside its schedule); resolves with the run once it has started. */
  trigger(deployment: string, parameters?: Record<string, unknown>): Promise<DeploymentRun>;
  pause(deployment: string): Promise<void>;
  resume(deployment: string): Promise<void>;
  runs(query?: { deployment?: string; status?: DeploymentRunStatus; limit?: number }): Promise<DeploymentRun[]>;
  /** One run of the history with its log lines; undefined when unknown. */
  run(id: string): Promise<DeploymentRunDetail | undefined>;
  /** The next `count` ticks of a deployment. */
  next(deployment: string, count?: number): Date[];
}

const DEPLOYMENT_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Checks deployments before a scheduler takes them: names (letters, digits, `_`, `-`; unique), time
 * zones, and schedules through the scheduler's own cron parser (`checkSchedule` throws on a bad one).
 * Errors name the key (`deployments.2.schedule`).
 */
export function assertDeployments(
  deployments: Deployment[],
  checkSchedule: (schedule: string, timezone: string) => void,
): void {
  for (const [index, deployment] of deployments.entries()) {
    if (!DEPLOYMENT_NAME.test(deployment.name))
      throw new DifyConfigError(
        `deployments.${index}.name`,
        `${JSON.stringify(deployment.name)} may only hold letters, digits, _ and -`,
      );
    if (deployments.findIndex((other) => other.name === deployment.name) !== index)
      throw new DifyConfigError(`deployments.${index}.name`, `${JSON.stringify(deployment.name)} is used twice`);
    const timezone = deployment.timezone ?? 'UTC';
    assertTimezone(timezone);
    try {
      checkSchedule(deployment.schedule, timezone);
    } catch (error) {
      throw new DifyConfigError(
        `deployments.${index}.schedule`,
        `${JSON.stringify(deployment.schedule)} is not a cron expression: ${(error as Error).message}`,
      );
    }
  }
}
