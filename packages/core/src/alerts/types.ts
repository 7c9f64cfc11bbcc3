import type { NotificationSeverity } from '../adapters/notifier.js';

/**
 * One alert rule, checked against every pipeline run's analysis. Each is a plain comparison whose
 * message says what was measured and against which threshold (no black box).
 * - `failure-rate`: failed / finished runs above `threshold` (0..1), when at least `minRuns` finished;
 * - `p95`: p95 run time above `threshold` seconds;
 * - `p95-increase`: p95 up by more than `threshold` (0.5 = +50 %) against the previous period;
 * - `cost`: cost in `currency` above `threshold`;
 * - `new-error`: an error signature never seen before by this job;
 * - `no-runs`: no runs at all, where the previous period had some.
 */
export type AlertRuleKind = 'failure-rate' | 'p95' | 'p95-increase' | 'cost' | 'new-error' | 'no-runs';

export interface AlertRule {
  /** Names the rule in state, messages and routes (default: the kind). Unique per job. */
  id?: string;
  kind: AlertRuleKind;
  severity: 'warning' | 'critical';
  threshold?: number;
  /** Minimum finished runs before `failure-rate` and `p95` judge (default 10). */
  minRuns?: number;
  /** For `cost` (default: the main currency of the period). */
  currency?: string;
}

export interface AlertPolicy {
  rules: AlertRule[];
  /**
   * An alert that stays active is repeated at most this often (default 360 minutes); it is never sent twice in a row
   * otherwise.
   */
  cooldownMinutes?: number;
  /** Notifier names per severity (default: every notifier). */
  routes?: Partial<Record<'warning' | 'critical', string[]>>;
  /** Send a "resolved" message when an active alert clears (default true). */
  notifyResolved?: boolean;
}

export interface ActiveAlert {
  rule: string;
  kind: AlertRuleKind;
  severity: 'warning' | 'critical';
  message: string;
  since: string;
  lastNotifiedAt: string;
}

/** What a job remembers about its alerts between runs (kept in the StateStore as a document). */
export interface AlertState {
  version: 1;
  active: Record<string, ActiveAlert>;
  /** Error signatures seen so far (at most 5,000, oldest dropped). */
  knownErrors: string[];
  /** Runs in the last period judged, for `no-runs`. */
  lastRuns: number | null;
}

export interface AlertEvent {
  rule: string;
  kind: AlertRuleKind;
  severity: NotificationSeverity;
  /** `fired`: new or escalated; `repeated`: still active after the cool-down; `resolved`: cleared. */
  transition: 'fired' | 'repeated' | 'resolved';
  message: string;
}

export const EMPTY_ALERT_STATE: Readonly<AlertState> = Object.freeze({
  version: 1,
  active: {},
  knownErrors: [],
  lastRuns: null,
});
