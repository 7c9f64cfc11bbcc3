import { describe, expect, it } from 'vitest';
import { createAnalyzer, type AlertPolicy, type ReportAnalysis } from '../src/entries/pipeline.js';
import type { AlertState } from '../src/alerts/index.js';
import { EMPTY_ALERT_STATE } from '../src/alerts/types.js';
import { evaluateAlerts, validateAlertPolicy } from '../src/alerts/evaluate.js';
import { run } from './support/records.js';

function analysis(records: Parameters<typeof run>[0][]): ReportAnalysis {
  const analyzer = createAnalyzer({
    job: 'j',
    runId: 'r',
    window: { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z', timezone: 'UTC' },
  });
  records.forEach((overrides, index) => analyzer.add(run({ logId: `l${index}`, runId: `r${index}`, ...overrides })));
  return analyzer.result();
}

const fresh = (): AlertState => ({ ...EMPTY_ALERT_STATE, active: {}, knownErrors: [] });
const at = (iso: string) => new Date(iso);

describe('evaluateAlerts', () => {
  it('p95 and cost rules fire with the measured value and the threshold', () => {
    const slow = analysis(Array.from({ length: 20 }, (_, index) => ({ elapsedTime: 10 + index })));
    const policy: AlertPolicy = {
      rules: [
        { kind: 'p95', threshold: 5, severity: 'warning', minRuns: 5 },
        { kind: 'cost', threshold: 1, severity: 'critical', currency: 'USD' },
      ],
    };
    const { events } = evaluateAlerts(policy, slow, fresh(), at('2026-03-10T00:00:00Z'));
    expect(events).toEqual([
      expect.objectContaining({
        rule: 'p95',
        severity: 'warning',
        transition: 'fired',
        message: expect.stringMatching(/^p95 run time 2\d\.\d\d s is above 5 s\.$/),
      }),
    ]);
  });

  it('repeats a still-active alert only after the cool-down, and escalates at once', () => {
    const policy: AlertPolicy = {
      rules: [{ kind: 'p95', threshold: 1, severity: 'warning', minRuns: 1 }],
      cooldownMinutes: 60,
    };
    const slow = analysis([{ elapsedTime: 5 }]);
    const first = evaluateAlerts(policy, slow, fresh(), at('2026-03-10T00:00:00Z'));
    expect(first.events.map((event) => event.transition)).toEqual(['fired']);
    expect(evaluateAlerts(policy, slow, first.state, at('2026-03-10T00:30:00Z')).events).toEqual([]);
    expect(
      evaluateAlerts(policy, slow, first.state, at('2026-03-10T01:00:00Z')).events.map((event) => event.transition),
    ).toEqual(['repeated']);
    const critical: AlertPolicy = { ...policy, rules: [{ ...policy.rules[0]!, severity: 'critical' }] };
    expect(evaluateAlerts(critical, slow, first.state, at('2026-03-10T00:10:00Z')).events).toEqual([
      expect.objectContaining({ transition: 'fired', severity: 'critical' }),
    ]);
  });

  it(
    'new-error learns on the first run and fires on a ' +
      'signature never seen; no-runs fires after a period with runs',
    () => {
      const policy: AlertPolicy = {
        rules: [
          { kind: 'new-error', severity: 'warning' },
          { kind: 'no-runs', severity: 'critical' },
        ],
      };
      const first = evaluateAlerts(
        policy,
        analysis([{ status: 'failed', error: 'timeout after 30 s' }]),
        fresh(),
        at('2026-03-10T00:00:00Z'),
      );
      expect(first.events).toEqual([]);
      const same = evaluateAlerts(
        policy,
        analysis([{ status: 'failed', error: 'timeout after 31 s' }]),
        first.state,
        at('2026-03-10T01:00:00Z'),
      );
      expect(same.events).toEqual([]);
      const other = evaluateAlerts(
        policy,
        analysis([{ status: 'failed', error: 'quota exceeded' }]),
        same.state,
        at('2026-03-10T02:00:00Z'),
      );
      expect(other.events).toEqual([
        expect.objectContaining({ rule: 'new-error', message: expect.stringContaining('quota exceeded') }),
      ]);
      const silent = evaluateAlerts(policy, analysis([]), other.state, at('2026-03-10T03:00:00Z'));
      expect(silent.events.map((event) => [event.rule, event.transition])).toEqual([
        ['new-error', 'resolved'],
        ['no-runs', 'fired'],
      ]);
    },
  );

  it('names the key of a rule without a threshold or a duplicate id', () => {
    expect(() =>
      validateAlertPolicy({ rules: [{ kind: 'failure-rate', severity: 'warning' }] }, 'jobs.0.alerts'),
    ).toThrow(/jobs\.0\.alerts\.rules\.0\.threshold/);
    expect(() =>
      validateAlertPolicy({
        rules: [
          { kind: 'no-runs', severity: 'warning' },
          { kind: 'no-runs', severity: 'critical' },
        ],
      }),
    ).toThrow(/alerts\.rules\.1\.id/);
  });
});
