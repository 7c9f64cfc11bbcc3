import type { Comparison, ReportAnalysis } from '@dify-logs/core/pipeline';
import { describePrivacy } from '@dify-logs/core';
import { escapeHtml } from './escape.js';
import {
  formatAmount,
  formatChange,
  formatInteger,
  formatPercent,
  formatSeconds,
  formatTime,
  isKnownTimezone,
  moneyEntries,
} from './format.js';

const time = (analysis: ReportAnalysis, iso: string) =>
  `<time datetime="${escapeHtml(iso)}">${escapeHtml(formatTime(iso, analysis.window.timezone))}</time>`;

/** Title, job, window with its time zone, when it was generated and by which pipeline run. */
export function renderHeader(analysis: ReportAnalysis, title: string): string {
  const { window, workspace, retention, privacy } = analysis;
  const zone = isKnownTimezone(window.timezone)
    ? `<span class="zone">${escapeHtml(window.timezone)}</span>`
    : `<span class="zone">UTC (unknown time zone “${escapeHtml(window.timezone)}”)</span>`;
  const workspaceRow = workspace
    ? `<div><dt>Dify workspace</dt><dd>${escapeHtml(workspace.name ?? workspace.id)} ` +
      `<span class="mono">${escapeHtml(workspace.id)}</span>` +
      `${workspace.pinned ? '' : ' (the account’s current workspace)'}</dd></div>\n`
    : '';
  const retentionRow = retention
    ? '<div><dt>Retention</dt><dd>' +
      `The window starts before Dify’s log retention (${retention.days} days` +
      `${retention.assumed ? ', Dify’s default when its log cleanup is on' : ''}): ` +
      `runs before ${time(analysis, retention.cutoff)} may have been deleted; no archive of them for ` +
      `${retention.apps.map((app) => `<span class="mono">${escapeHtml(app)}</span>`).join(', ')}.</dd></div>\n`
    : '';
  const privacyRow = privacy
    ? `<div><dt>Privacy</dt><dd>${escapeHtml(describePrivacy(privacy).replace(/^Personal data: /, ''))}</dd></div>\n`
    : '';
  return `<header class="page-header">
<h1>${escapeHtml(title)}</h1>
<dl class="meta">
<div><dt>Job</dt><dd>${escapeHtml(analysis.job)}</dd></div>
<div><dt>Window</dt><dd>${time(analysis, window.from)} → ${time(analysis, window.to)} ${zone}</dd></div>
${workspaceRow}${retentionRow}${privacyRow}<div><dt>Generated</dt><dd>${time(analysis, analysis.generatedAt)}</dd></div>
<div><dt>Run id</dt><dd class="mono">${escapeHtml(analysis.runId)}</dd></div>
</dl>
</header>`;
}

function fact(label: string, value: string, detail?: string, tone?: 'good' | 'bad'): string {
  return (
    `<div class="fact${tone ? ` ${tone}` : ''}"><div class="label">${escapeHtml(label)}</div><div ` +
    `class="value">${escapeHtml(value)}</div>` +
    `${detail ? `<div class="detail">${escapeHtml(detail)}</div>` : ''}</div>`
  );
}

function counts(title: string, values: Record<string, number>): string {
  const entries = Object.entries(values).sort(
    ([keyA, a], [keyB, b]) => b - a || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0),
  );
  if (entries.length === 0) return '';
  const items = entries
    .map(
      ([key, value]) =>
        `<li><span class="key">${escapeHtml(key)}</span> <span ` +
        `class="num">${escapeHtml(formatInteger(value))}</span></li>`,
    )
    .join('');
  return `<div class="breakdown"><h3>${escapeHtml(title)}</h3><ul>${items}</ul></div>`;
}

/** Runs, success rate, run time, tokens, cost, runs without detail; then runs by status, trigger and version. */
export function renderKeyFacts(analysis: ReportAnalysis): string {
  const failed = analysis.byStatus.failed ?? 0;
  const { tokens, latency } = analysis;
  const costs = moneyEntries(analysis.cost).filter(([, amount]) => amount !== 0);
  const facts = [
    fact('Runs', formatInteger(analysis.runs), `${formatInteger(failed)} failed`),
    fact(
      'Success rate',
      formatPercent(analysis.successRate),
      undefined,
      analysis.successRate === null ? undefined : analysis.successRate >= 0.95 ? 'good' : 'bad',
    ),
    fact(
      'p95 run time',
      formatSeconds(latency.p95),
      `p50 ${formatSeconds(latency.p50)} · p99 ${formatSeconds(latency.p99)}`,
    ),
    fact(
      'Tokens',
      formatInteger(tokens.effective),
      `Dify stated ${formatInteger(tokens.stated)}` +
        `${tokens.mismatchedRuns > 0 ? ` · ${formatInteger(tokens.mismatchedRuns)} runs recomputed` : ''}`,
    ),
    ...(costs.length === 0
      ? [fact('Cost', '0', 'nothing priced')]
      : costs.map(([currency, amount]) => fact(`Cost (${currency})`, formatAmount(amount)))),
    fact(
      'Enrichment failures',
      formatInteger(analysis.enrichmentFailures),
      'runs without detail or nodes',
      analysis.enrichmentFailures > 0 ? 'bad' : undefined,
    ),
    fact(
      'Lost runs',
      formatInteger(analysis.lostRuns),
      'rows Dify no longer has',
      analysis.lostRuns > 0 ? 'bad' : undefined,
    ),
    ...(analysis.failedApps.length > 0
      ? [
          fact(
            'Apps not read',
            formatInteger(analysis.failedApps.length),
            'see the table below: the report misses their runs',
            'bad',
          ),
        ]
      : []),
  ];
  const breakdowns = [
    counts('Runs by status', analysis.byStatus),
    counts('Runs by trigger', analysis.byTrigger),
    counts('Runs by version', analysis.byVersion),
  ].filter(Boolean);
  return `<section id="key-facts"><h2>Key facts</h2>
<div class="facts">${facts.join('\n')}</div>
${breakdowns.length > 0 ? `<div class="breakdowns">${breakdowns.join('\n')}</div>` : ''}
</section>`;
}

/** A change cell, green or red by whether the move is good. */
function changeCell(value: number | null, text: string, higherIsBetter: boolean): string {
  const tone = value === null || value === 0 ? '' : value > 0 === higherIsBetter ? ' good' : ' bad';
  return `<td class="num${tone}">${escapeHtml(text)}</td>`;
}

/** The previous period side by side, and every anomaly flag with its severity. */
export function renderComparison(analysis: ReportAnalysis, comparison: Comparison): string {
  const { runs, successRate, p95, cost } = comparison;
  const amount = (value: number) =>
    cost.currency === null ? formatAmount(value) : `${cost.currency} ${formatAmount(value)}`;
  const rows: Array<[string, string, string, string]> = [
    [
      'Runs',
      formatInteger(runs.current),
      formatInteger(runs.previous),
      changeCell(runs.change, formatChange(runs.change), true),
    ],
    [
      'Success rate',
      formatPercent(successRate.current),
      formatPercent(successRate.previous),
      changeCell(successRate.change, formatChange(successRate.change, true), true),
    ],
    [
      'p95 run time',
      formatSeconds(p95.current),
      formatSeconds(p95.previous),
      changeCell(p95.change, formatChange(p95.change), false),
    ],
    [
      cost.currency === null ? 'Cost' : `Cost (${cost.currency})`,
      amount(cost.current),
      amount(cost.previous),
      changeCell(cost.change, formatChange(cost.change), false),
    ],
  ];
  const body = rows.map(
    ([metric, now, before, change]) =>
      `<tr><th scope="row">${escapeHtml(metric)}</th><td class="num">` +
      `${escapeHtml(now)}</td><td class="num">${escapeHtml(before)}</td>${change}</tr>`,
  );
  const flags =
    comparison.flags.length === 0
      ? '<p class="note">No anomaly crossed its threshold.</p>'
      : `<ul class="flags">${comparison.flags
          .map(
            (flag) =>
              `<li class="flag ${flag.severity === 'critical' ? 'critical' : 'warning'}"><span ` +
              `class="badge">${flag.severity === 'critical' ? 'Critical' : 'Warning'}</span> <span ` +
              `class="metric">${escapeHtml(flag.metric)}</span> ${escapeHtml(flag.message)}</li>`,
          )
          .join('\n')}</ul>`;
  return `<section id="comparison"><h2>Compared with the previous period</h2>
<p class="note">Previous period ${time(analysis, comparison.previous.from)} \
→ ${time(analysis, comparison.previous.to)}.</p>
<div class="table-wrap"><table class="compare"><thead><tr><th scope="col">Metric</th><th scope="col" \
class="num">Now</th><th scope="col" class="num">Before</th><th scope="col" class="num">Change</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table></div>
${flags}
</section>`;
}

/** Shown instead of charts and tables when the period had no runs. */
export function renderEmptyState(withConversations = false): string {
  const rest = withConversations
    ? "so there are no run charts or tables; the chat apps' conversations are below."
    : 'so there are no charts or tables.';
  return (
    `<section class="empty-state" id="no-runs"><h2>No runs in this period</h2><p>Dify ` +
    `logged no workflow runs for this job's apps in the window above, ${rest}</p></section>`
  );
}
