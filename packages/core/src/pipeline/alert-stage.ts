import type { NotificationMessage, Notifier } from '../adapters/notifier.js';
import type { StateStore } from '../adapters/state.js';
import { evaluateAlerts } from '../alerts/evaluate.js';
import { alertMessage } from '../alerts/messages.js';
import { EMPTY_ALERT_STATE, type AlertEvent, type AlertPolicy, type AlertState } from '../alerts/types.js';
import type { ReportAnalysis } from '../analysis/types.js';
import type { Logger } from '../logging/logger.js';
import { notifyStage } from './notify-stage.js';
import type { MessageTemplates } from './templates.js';
import type { PipelineProblem, PipelineResult } from './types.js';

export const alertStateKey = (job: string) => `alerts/${job}`;

/**
 * Evaluates the job's alert policy on the period, sends each event to the notifiers its severity is
 * routed to, and saves the alert state. An event no notifier could deliver is forgotten (a new alert
 * fires again next run; a resolved one stays active), so an alert is never lost to a failing channel.
 */
export async function alertStage(
  policy: AlertPolicy,
  analysis: ReportAnalysis,
  context: {
    job: string;
    state: StateStore;
    notifiers: Notifier[];
    links: NotificationMessage['links'];
    now: Date;
    attempts: number;
    logger: Logger;
    templates?: MessageTemplates;
  },
): Promise<{ events: AlertEvent[]; notifications: PipelineResult['notifications']; problems: PipelineProblem[] }> {
  const stored = (await context.state.readDocument(alertStateKey(context.job))) as AlertState | undefined;
  const previous = stored?.version === 1 ? stored : { ...EMPTY_ALERT_STATE, active: {}, knownErrors: [] };
  const { events, state } = evaluateAlerts(policy, analysis, previous, context.now);
  const notifications: PipelineResult['notifications'] = [];
  const problems: PipelineProblem[] = [];
  for (const event of events) {
    const route =
      event.severity === 'warning' || event.severity === 'critical' ? policy.routes?.[event.severity] : undefined;
    const targets = route ? context.notifiers.filter((notifier) => route.includes(notifier.name)) : context.notifiers;
    const sent =
      targets.length === 0
        ? []
        : await notifyStage(targets, alertMessage(event, analysis, context.links), context).then((outcome) => {
            problems.push(...outcome.problems);
            return outcome.notifications;
          });
    notifications.push(...sent);
    if (targets.length > 0 && sent.every((receipt) => !receipt.delivered)) {
      if (event.transition === 'resolved') state.active[event.rule] = previous.active[event.rule]!;
      else delete state.active[event.rule];
    }
    context.logger.warn({ rule: event.rule, severity: event.severity, transition: event.transition }, event.message);
  }
  await context.state.writeDocument(alertStateKey(context.job), state);
  return { events, notifications, problems };
}
