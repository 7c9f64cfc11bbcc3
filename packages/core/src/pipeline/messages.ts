import type { NotificationMessage } from '../adapters/notifier.js';
import type { ReportAnalysis } from '../analysis/types.js';
import { explorerMessageLinks } from '../analysis/explorer-links.js';
import { money, percent, seconds } from './reporters.js';

/** The message for a stored period report: a summary that stands on its own. */
export function reportReadyMessage(
  summary: ReportAnalysis,
  links: NotificationMessage['links'],
  partial: boolean,
): NotificationMessage {
  const failed = summary.byStatus.failed ?? 0;
  const flags = summary.comparison?.flags ?? [];
  const critical = flags.some((flag) => flag.severity === 'critical');
  return {
    kind: 'report-ready',
    severity: critical
      ? 'error'
      : partial || summary.failedApps.length > 0 || failed > 0 || flags.length > 0
        ? 'warning'
        : 'info',
    title:
      `${summary.job}: ${summary.runs} runs, ${failed} failed ` +
      `(${summary.window.from.slice(0, 16)} → ${summary.window.to.slice(0, 16)} UTC)`,
    summary: [
      `Success rate ${percent(summary.successRate)}, p95 ${seconds(summary.latency.p95)}, ` +
        `${summary.tokens.effective} tokens, cost ${money(summary.cost)} across ${summary.apps.length} app(s).`,
      summary.failedApps.length > 0 ? `Could not read: ${summary.failedApps.map((app) => app.appId).join(', ')}.` : '',
      summary.errors[0] ? `Top failure (${summary.errors[0].count}×): ${summary.errors[0].example.slice(0, 200)}` : '',
      ...flags.map((flag) => `${flag.severity === 'critical' ? 'CRITICAL' : 'Warning'}: ${flag.message}`),
    ]
      .filter(Boolean)
      .join('\n'),
    facts: [
      { label: 'Runs', value: String(summary.runs) },
      { label: 'Failed', value: String(failed) },
      { label: 'Success rate', value: percent(summary.successRate) },
      { label: 'p95', value: seconds(summary.latency.p95) },
      { label: 'Tokens', value: String(summary.tokens.effective) },
      { label: 'Cost', value: money(summary.cost) },
    ],
    links: [...links, ...explorerMessageLinks(summary, 'report')],
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
