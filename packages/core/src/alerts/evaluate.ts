import type { ReportAnalysis } from '../analysis/types.js';
import { mainCurrency } from '../analysis/money.js';
import { DifyConfigError } from '../errors/config-error.js';
import { TERMINAL_RUN_STATUSES } from '../records/schema.js';
import type { ActiveAlert, AlertEvent, AlertPolicy, AlertRule, AlertState } from './types.js';

const MAX_KNOWN_ERRORS = 5000;
const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

/** Checks a policy before any run: unknown kinds, missing thresholds, duplicate ids name the key. */
export function validateAlertPolicy(policy: AlertPolicy, key = 'alerts'): void {
  const seen = new Set<string>();
  policy.rules.forEach((rule, index) => {
    const id = rule.id ?? rule.kind;
    if (seen.has(id))
      throw new DifyConfigError(
        `${key}.rules.${index}.id`,
        `${JSON.stringify(id)} is used twice; give each rule of the same kind its own id`,
      );
    seen.add(id);
    const needsThreshold =
      rule.kind === 'failure-rate' || rule.kind === 'p95' || rule.kind === 'p95-increase' || rule.kind === 'cost';
    if (
      needsThreshold &&
      (typeof rule.threshold !== 'number' || !Number.isFinite(rule.threshold) || rule.threshold < 0)
    ) {
      throw new DifyConfigError(`${key}.rules.${index}.threshold`, `the ${rule.kind} rule needs a threshold ≥ 0`);
    }
  });
}

/** Whether a rule is breached now, and the sentence that says so. */
function check(rule: AlertRule, analysis: ReportAnalysis, state: AlertState): string | null {
  const minRuns = rule.minRuns ?? 10;
  const threshold = rule.threshold ?? 0;
  switch (rule.kind) {
    case 'failure-rate': {
      const failed = analysis.byStatus.failed ?? 0;
      const finished = TERMINAL_RUN_STATUSES.reduce((sum, status) => sum + (analysis.byStatus[status] ?? 0), 0);
      if (finished < minRuns || finished === 0) return null;
      const rate = failed / finished;
      return rate > threshold
        ? `Failure rate ${pct(rate)} (${failed} of ${finished} finished runs) is above ${pct(threshold)}.`
        : null;
    }
    case 'p95': {
      const p95 = analysis.latency.p95;
      if (p95 === null || analysis.latency.count < minRuns) return null;
      return p95 > threshold ? `p95 run time ${p95.toFixed(2)} s is above ${threshold} s.` : null;
    }
    case 'p95-increase': {
      const change = analysis.comparison?.p95.change ?? null;
      if (change === null) return null;
      return change > threshold
        ? `p95 run time rose ${pct(change)} against the previous period (` +
            `${analysis.comparison!.p95.previous!.toFixed(2)} s → ` +
            `${analysis.comparison!.p95.current!.toFixed(2)} s); threshold +${pct(threshold)}.`
        : null;
    }
    case 'cost': {
      const currency = rule.currency ?? mainCurrency(analysis.cost);
      const cost = currency ? (analysis.cost[currency] ?? 0) : 0;
      return cost > threshold ? `Cost ${currency} ${cost.toFixed(4)} is above the budget of ${threshold}.` : null;
    }
    case 'new-error': {
      // The first run of a job learns the errors it sees; only later ones are "new".
      if (state.lastRuns === null) return null;
      const known = new Set(state.knownErrors);
      const fresh = analysis.errors.filter((error) => !known.has(error.signature));
      if (fresh.length === 0) return null;
      const first = fresh[0]!;
      return (
        `${fresh.length} new kind(s) of error, e.g. ${first.node ? `in ${first.node}: ` : ''}` +
        `${first.example.slice(0, 200)} (${first.count}×).`
      );
    }
    case 'no-runs': {
      const before = analysis.comparison?.runs.previous ?? state.lastRuns;
      return analysis.runs === 0 && before !== null && before > 0
        ? `No runs in this period; the previous one had ${before}.`
        : null;
    }
  }
}

/**
 * Evaluates a policy on a period's analysis. Returns what to send (new, escalated or repeated alerts;
 * resolved ones) and the next state: an alert that stays active is not sent again until the
 * cool-down has passed, and clears with one "resolved" event.
 */
export function evaluateAlerts(
  policy: AlertPolicy,
  analysis: ReportAnalysis,
  previous: AlertState,
  now: Date,
): { events: AlertEvent[]; state: AlertState } {
  const cooldownMs = (policy.cooldownMinutes ?? 360) * 60_000;
  const at = now.toISOString();
  const active: Record<string, ActiveAlert> = {};
  const events: AlertEvent[] = [];
  for (const rule of policy.rules) {
    const id = rule.id ?? rule.kind;
    const message = check(rule, analysis, previous);
    const before = previous.active[id];
    if (message === null) {
      if (before && policy.notifyResolved !== false)
        events.push({
          rule: id,
          kind: rule.kind,
          severity: 'info',
          transition: 'resolved',
          message: `Resolved: ${before.message}`,
        });
      continue;
    }
    const escalated = before !== undefined && before.severity === 'warning' && rule.severity === 'critical';
    const due = before === undefined || escalated || now.getTime() - Date.parse(before.lastNotifiedAt) >= cooldownMs;
    active[id] = {
      rule: id,
      kind: rule.kind,
      severity: rule.severity,
      message,
      since: before?.since ?? at,
      lastNotifiedAt: due ? at : before!.lastNotifiedAt,
    };
    if (due)
      events.push({
        rule: id,
        kind: rule.kind,
        severity: rule.severity,
        transition: before === undefined || escalated ? 'fired' : 'repeated',
        message,
      });
  }
  const known = new Set(previous.knownErrors);
  for (const error of analysis.errors) known.add(error.signature);
  return {
    events,
    state: { version: 1, active, knownErrors: [...known].slice(-MAX_KNOWN_ERRORS), lastRuns: analysis.runs },
  };
}
