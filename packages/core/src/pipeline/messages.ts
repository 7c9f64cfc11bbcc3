import type { NotificationMessage } from '../adapters/notifier.js';
import type { StoredObject } from '../adapters/storage.js';
import type { PeriodSummary } from './summary.js';

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`);

/** The message for a stored period report: a summary that stands on its own. */
export function reportReadyMessage(summary: PeriodSummary, reports: StoredObject[], partial: boolean): NotificationMessage {
  const failed = summary.byStatus.failed ?? 0;
  return {
    kind: 'report-ready',
    severity: partial || summary.failedApps.length > 0 ? 'warning' : failed > 0 ? 'warning' : 'info',
    title: `${summary.job}: ${summary.runs} runs, ${failed} failed (${summary.window.from.slice(0, 16)} → ${summary.window.to.slice(0, 16)} UTC)`,
    summary: `Success rate ${percent(summary.successRate)}, ${summary.totalTokens} tokens across ${summary.apps.length} app(s).${summary.failedApps.length > 0 ? ` Could not read: ${summary.failedApps.map((app) => app.appId).join(', ')}.` : ''}`,
    facts: [
      { label: 'Runs', value: String(summary.runs) },
      { label: 'Failed', value: String(failed) },
      { label: 'Success rate', value: percent(summary.successRate) },
      { label: 'Tokens', value: String(summary.totalTokens) },
    ],
    links: reports.map((report) => ({ label: report.key.split('.').pop() ?? 'report', url: report.location })),
    job: summary.job,
    runId: summary.runId,
    occurredAt: summary.generatedAt,
  };
}

export function failureMessage(job: string, runId: string, error: string, occurredAt: string): NotificationMessage {
  return {
    kind: 'failure',
    severity: 'error',
    title: `${job}: the run failed`,
    summary: error,
    facts: [{ label: 'Run', value: runId }],
    links: [],
    job,
    runId,
    occurredAt,
  };
}
