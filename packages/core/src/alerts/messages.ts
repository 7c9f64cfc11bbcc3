import type { NotificationMessage } from '../adapters/notifier.js';
import type { ReportAnalysis } from '../analysis/types.js';
import { explorerMessageLinks } from '../analysis/explorer-links.js';
import type { AlertEvent, AlertRuleKind } from './types.js';

/** Which explorer page an alert of each kind links to, beside the overview. */
const EXPLORER_FOCUS: Record<AlertRuleKind, 'failures' | 'errors' | 'runs' | 'report'> = {
  'failure-rate': 'failures',
  'new-error': 'errors',
  p95: 'runs',
  'p95-increase': 'runs',
  cost: 'report',
  'no-runs': 'report',
};

/**
 * The notification of one alert event: `[CRITICAL] job: failure-rate`, the measured sentence, the period's key facts.
 */
export function alertMessage(
  event: AlertEvent,
  analysis: ReportAnalysis,
  links: NotificationMessage['links'],
): NotificationMessage {
  const label = event.transition === 'resolved' ? 'RESOLVED' : event.severity.toUpperCase();
  return {
    kind: 'alert',
    severity: event.severity,
    title: `[${label}] ${analysis.job}: ${event.rule}${event.transition === 'repeated' ? ' (still active)' : ''}`,
    summary: event.message,
    facts: [
      { label: 'Window', value: `${analysis.window.from.slice(0, 16)} → ${analysis.window.to.slice(0, 16)} UTC` },
      { label: 'Runs', value: String(analysis.runs) },
      { label: 'Failed', value: String(analysis.byStatus.failed ?? 0) },
      { label: 'Rule', value: `${event.kind} (${event.transition})` },
    ],
    links: [...links, ...explorerMessageLinks(analysis, EXPLORER_FOCUS[event.kind])],
    job: analysis.job,
    runId: analysis.runId,
    occurredAt: analysis.generatedAt,
  };
}
