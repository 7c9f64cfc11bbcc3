import type { DeploymentRun, StateStore } from '@dify-logs/core/adapter-kit';

/** What the cron scheduler keeps between restarts (one StateStore document). */
export interface SchedulerState {
  version: 1;
  paused: string[];
  /** The last tick run per deployment (for catch-up after downtime). */
  lastScheduled: Record<string, string>;
  /** Newest first. */
  runs: DeploymentRun[];
  /** Log lines of the newest runs, by run id. */
  logs: Record<string, string[]>;
}

export const SCHEDULER_DOCUMENT = 'scheduler/cron';

export async function loadSchedulerState(store: StateStore): Promise<SchedulerState> {
  const stored = (await store.readDocument(SCHEDULER_DOCUMENT)) as SchedulerState | undefined;
  if (stored?.version === 1) {
    // A run still `running` in the stored history was cut off by a crash.
    for (const run of stored.runs)
      if (run.status === 'running')
        Object.assign(run, {
          status: 'failed',
          finishedAt: run.startedAt,
          error: 'interrupted: the scheduler stopped during the run',
        });
    stored.logs ??= {};
    return stored;
  }
  return { version: 1, paused: [], lastScheduled: {}, runs: [], logs: {} };
}

export function saveSchedulerState(store: StateStore, state: SchedulerState): Promise<void> {
  return store.writeDocument(SCHEDULER_DOCUMENT, state);
}
