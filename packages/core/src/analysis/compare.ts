import { mainCurrency } from './money.js';
import type { AnomalyFlag, Comparison, ReportAnalysis } from './types.js';

/**
 * When a change is an anomaly. Each rule is one comparison with the previous period of the same
 * length; a change twice the threshold is `critical`, else `warning`. Periods with fewer than
 * `minRuns` runs on both sides are not judged (too few to mean anything).
 */
export interface AnomalyThresholds {
  /** Run volume up or down by more than this fraction (default 0.5: ±50 %). */
  volumeChange: number;
  /** Success rate down by more than this many points (default 0.05: 5 points). */
  successRateDrop: number;
  /** p95 run latency up by more than this fraction (default 0.5). */
  p95Increase: number;
  /** Cost up by more than this fraction (default 0.5). */
  costIncrease: number;
  /** Default 20. */
  minRuns: number;
}

export const DEFAULT_ANOMALY_THRESHOLDS: Readonly<AnomalyThresholds> = Object.freeze({
  volumeChange: 0.5,
  successRateDrop: 0.05,
  p95Increase: 0.5,
  costIncrease: 0.5,
  minRuns: 20,
});

const relative = (current: number | null, previous: number | null): number | null =>
  current === null || previous === null || previous === 0 ? null : (current - previous) / previous;
const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

/** Compares a period with the previous one and flags what crossed a threshold. */
export function compareAnalyses(
  current: ReportAnalysis,
  previous: ReportAnalysis,
  thresholds: Partial<AnomalyThresholds> = {},
): Comparison {
  const rules = { ...DEFAULT_ANOMALY_THRESHOLDS, ...thresholds };
  const currency = mainCurrency(current.cost) ?? mainCurrency(previous.cost);
  const costNow = currency ? (current.cost[currency] ?? 0) : 0;
  const costBefore = currency ? (previous.cost[currency] ?? 0) : 0;
  const comparison: Comparison = {
    previous: { from: previous.window.from, to: previous.window.to },
    runs: { current: current.runs, previous: previous.runs, change: relative(current.runs, previous.runs) },
    successRate: {
      current: current.successRate,
      previous: previous.successRate,
      change:
        current.successRate === null || previous.successRate === null
          ? null
          : current.successRate - previous.successRate,
    },
    p95: {
      current: current.latency.p95,
      previous: previous.latency.p95,
      change: relative(current.latency.p95, previous.latency.p95),
    },
    cost: { currency, current: costNow, previous: costBefore, change: relative(costNow, costBefore) },
    flags: [],
  };
  if (Math.max(current.runs, previous.runs) < rules.minRuns) return comparison;
  const flag = (metric: AnomalyFlag['metric'], size: number, threshold: number, message: string) => {
    if (size > threshold)
      comparison.flags.push({ metric, severity: size > 2 * threshold ? 'critical' : 'warning', message });
  };
  const { runs, successRate, p95, cost } = comparison;
  if (runs.change !== null)
    flag(
      'runs',
      Math.abs(runs.change),
      rules.volumeChange,
      `Runs ${runs.change > 0 ? 'rose' : 'fell'} ${pct(Math.abs(runs.change))} (` +
        `${runs.previous} → ${runs.current}); threshold ±${pct(rules.volumeChange)}.`,
    );
  else if (runs.previous === 0 && runs.current >= rules.minRuns)
    comparison.flags.push({
      metric: 'runs',
      severity: 'warning',
      message: `${runs.current} runs after a period with none.`,
    });
  if (successRate.change !== null)
    flag(
      'successRate',
      -successRate.change,
      rules.successRateDrop,
      `Success rate fell ${(-successRate.change * 100).toFixed(1)} points (${pct(successRate.previous!)}` +
        ` → ${pct(successRate.current!)}); threshold ${(rules.successRateDrop * 100).toFixed(1)} points.`,
    );
  if (p95.change !== null)
    flag(
      'p95',
      p95.change,
      rules.p95Increase,
      `p95 run time rose ${pct(p95.change)} (${p95.previous!.toFixed(2)} s ` +
        `→ ${p95.current!.toFixed(2)} s); threshold +${pct(rules.p95Increase)}.`,
    );
  if (cost.change !== null)
    flag(
      'cost',
      cost.change,
      rules.costIncrease,
      `Cost rose ${pct(cost.change)} (${currency} ${cost.previous.toFixed(4)}` +
        ` → ${cost.current.toFixed(4)}); threshold +${pct(rules.costIncrease)}.`,
    );
  return comparison;
}
