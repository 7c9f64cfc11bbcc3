import { TERMINAL_RUN_STATUSES, type RunRecord } from '../records/schema.js';

export interface AppSummary {
  appId: string;
  runs: number;
  byStatus: Record<string, number>;
  totalTokens: number;
  totalPrice: number;
  /** Sum of elapsed seconds of finished runs, for the mean. */
  elapsedSeconds: number;
  slowestSeconds: number | null;
  enrichmentFailures: number;
  lostRuns: number;
  /** Most frequent errors, message → count (at most 20 distinct messages kept). */
  errors: Record<string, number>;
}

export interface PeriodSummary {
  job: string;
  runId: string;
  window: { from: string; to: string; timezone: string };
  generatedAt: string;
  runs: number;
  byStatus: Record<string, number>;
  successRate: number | null;
  totalTokens: number;
  totalPrice: number;
  meanElapsedSeconds: number | null;
  apps: AppSummary[];
  failedApps: Array<{ appId: string; error: string }>;
}

const MAX_ERRORS = 20;

/** Folds records into per-app counters as they stream past; memory does not depend on the number of runs. */
export function createSummaryBuilder() {
  const apps = new Map<string, AppSummary>();
  const failedApps: PeriodSummary['failedApps'] = [];

  function app(appId: string): AppSummary {
    let summary = apps.get(appId);
    if (!summary) {
      summary = { appId, runs: 0, byStatus: {}, totalTokens: 0, totalPrice: 0, elapsedSeconds: 0, slowestSeconds: null, enrichmentFailures: 0, lostRuns: 0, errors: {} };
      apps.set(appId, summary);
    }
    return summary;
  }

  return {
    add(record: RunRecord): void {
      const summary = app(record.appId);
      summary.runs += 1;
      const status = record.status ?? 'lost';
      summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
      summary.totalTokens += record.totalTokens ?? 0;
      summary.totalPrice += (record.nodes ?? []).reduce((sum, node) => sum + (node.totalPrice ?? 0), 0);
      if (record.finishedAt && record.elapsedTime !== null) {
        summary.elapsedSeconds += record.elapsedTime;
        summary.slowestSeconds = Math.max(summary.slowestSeconds ?? 0, record.elapsedTime);
      }
      if (record.enrichmentError) summary.enrichmentFailures += 1;
      if (!record.runId) summary.lostRuns += 1;
      if (record.error) {
        const message = record.error.length > 200 ? `${record.error.slice(0, 197)}...` : record.error;
        if (message in summary.errors || Object.keys(summary.errors).length < MAX_ERRORS) summary.errors[message] = (summary.errors[message] ?? 0) + 1;
      }
    },
    /** Makes sure an app with no runs still appears (an empty period is a result, not an error). */
    touch(appId: string): void {
      app(appId);
    },
    failApp(appId: string, error: string): void {
      app(appId);
      failedApps.push({ appId, error });
    },
    build(meta: Pick<PeriodSummary, 'job' | 'runId' | 'window' | 'generatedAt'>): PeriodSummary {
      const list = [...apps.values()];
      const byStatus: Record<string, number> = {};
      for (const summary of list) for (const [status, count] of Object.entries(summary.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + count;
      const runs = list.reduce((sum, summary) => sum + summary.runs, 0);
      const finished = TERMINAL_RUN_STATUSES.reduce((sum, status) => sum + (byStatus[status] ?? 0), 0);
      const finishedElapsed = list.reduce((sum, summary) => sum + summary.elapsedSeconds, 0);
      return {
        ...meta,
        runs,
        byStatus,
        successRate: finished === 0 ? null : (byStatus.succeeded ?? 0) / finished,
        totalTokens: list.reduce((sum, summary) => sum + summary.totalTokens, 0),
        totalPrice: list.reduce((sum, summary) => sum + summary.totalPrice, 0),
        meanElapsedSeconds: finished === 0 ? null : finishedElapsed / finished,
        apps: list,
        failedApps: [...failedApps],
      };
    },
  };
}
