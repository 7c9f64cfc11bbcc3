import type { Reporter } from '../adapters/reporter.js';
import type { LatencyStats, Money, ReportAnalysis } from '../analysis/types.js';
import { markdownConversations } from './markdown-conversations.js';
import { describePrivacy } from '../privacy/policy.js';
import { explorerLinks } from '../analysis/explorer-links.js';

/** The JSON report: the whole report object (`ReportAnalysis`, schemaVersion 1), pretty-printed. */
export const jsonReporter: Reporter = {
  format: 'json',
  start: () => ({
    finish: (analysis) => [
      { extension: 'json', contentType: 'application/json', body: `${JSON.stringify(analysis, null, 2)}\n` },
    ],
  }),
};

export { markdownCell } from './markdown-cell.js';
import { markdownCell } from './markdown-cell.js';

export const percent = (value: number | null): string => (value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`);
export const seconds = (value: number | null): string =>
  value === null
    ? 'n/a'
    : value >= 100
      ? `${value.toFixed(0)} s`
      : value >= 10
        ? `${value.toFixed(1)} s`
        : `${value.toFixed(2)} s`;
export const money = (value: Money): string => {
  const parts = Object.entries(value).filter(([, amount]) => amount !== 0);
  return parts.length === 0 ? '0' : parts.map(([currency, amount]) => `${currency} ${amount.toFixed(4)}`).join(', ');
};
const integer = (value: number) => value.toLocaleString('en-US');
const latency = (stats: LatencyStats) =>
  `p50 ${seconds(stats.p50)}, p95 ${seconds(stats.p95)}, p99 ${seconds(stats.p99)}`;
const change = (value: number | null, points = false) =>
  value === null
    ? 'n/a'
    : points
      ? `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pt`
      : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;

/** A cell written as it is (a link this module built); every other cell is escaped. */
class MarkdownSource {
  constructor(readonly text: string) {}
}
/** A Markdown link: the text escaped, the URL one `explorerLinks` made (encoded, parentheses included). */
const link = (text: string, url: string) => new MarkdownSource(`[${markdownCell(text)}](${url})`);

function table(header: string[], align: string[], rows: unknown[][]): string[] {
  const cell = (value: unknown) => (value instanceof MarkdownSource ? value.text : markdownCell(value));
  return [
    `| ${header.join(' | ')} |`,
    `|${align.join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

/**
 * The Markdown report: summary, comparison, apps, top failures, slowest nodes, models. Safe in DingTalk, WeCom and
 * GitHub.
 */
export function renderMarkdown(analysis: ReportAnalysis): string {
  const failed = analysis.byStatus.failed ?? 0;
  const { workspace, retention, tokens } = analysis;
  const explorer = explorerLinks(analysis.explorerUrl);
  const period = { from: analysis.window.from, to: analysis.window.to };
  const lines = [
    `# ${markdownCell(analysis.job)}: ${analysis.window.from} → ${analysis.window.to}`,
    '',
    `Time zone ${markdownCell(analysis.window.timezone)}. ` +
      `Generated ${analysis.generatedAt} (run ${markdownCell(analysis.runId)}).`,
    ...(workspace
      ? [
          `Dify workspace ${markdownCell(workspace.name ?? workspace.id)} (${markdownCell(workspace.id)}` +
            `${workspace.pinned ? '' : ", the account's current workspace"}).`,
        ]
      : []),
    ...(retention
      ? [
          `The window starts before Dify's log retention (${retention.days} days` +
            `${retention.assumed ? ", Dify's default when its log cleanup is on; set dify.retentionDays" : ''}): ` +
            `runs before ${retention.cutoff} may have been deleted, and Dify offered no archive of them for ` +
            `${retention.apps.map((app) => markdownCell(app)).join(', ')}.`,
        ]
      : []),
    ...(analysis.privacy ? [markdownCell(describePrivacy(analysis.privacy))] : []),
    '',
    `- Runs: **${integer(analysis.runs)}**, failed ${integer(failed)}, success rate ${percent(analysis.successRate)}`,
    `- Run time: ${latency(analysis.latency)}`,
    `- Tokens: ${integer(tokens.effective)}` +
      (tokens.effective !== tokens.stated
        ? ` (Dify stated ${integer(tokens.stated)}; ${tokens.mismatchedRuns} runs recomputed from their nodes)`
        : ''),
    `- Cost: ${money(analysis.cost)}`,
    ...(explorer
      ? [
          `- Explore: ${link('these runs', explorer.overview(period)).text}` +
            (failed > 0 ? `, ${link('the failed ones', explorer.runs({ ...period, status: 'failed' })).text}` : ''),
        ]
      : []),
  ];
  if (analysis.enrichmentFailures > 0 || analysis.lostRuns > 0)
    lines.push(`- Without detail: ${analysis.enrichmentFailures} enrichment failures, ${analysis.lostRuns} lost runs`);
  const comparison = analysis.comparison;
  if (comparison) {
    lines.push('', `## Compared with ${comparison.previous.from} → ${comparison.previous.to}`, '');
    lines.push(
      ...table(
        ['Metric', 'Now', 'Before', 'Change'],
        ['---', '---:', '---:', '---:'],
        [
          ['Runs', comparison.runs.current, comparison.runs.previous, change(comparison.runs.change)],
          [
            'Success rate',
            percent(comparison.successRate.current),
            percent(comparison.successRate.previous),
            change(comparison.successRate.change, true),
          ],
          [
            'p95 run time',
            seconds(comparison.p95.current),
            seconds(comparison.p95.previous),
            change(comparison.p95.change),
          ],
          [
            `Cost${comparison.cost.currency ? ` (${comparison.cost.currency})` : ''}`,
            comparison.cost.current.toFixed(4),
            comparison.cost.previous.toFixed(4),
            change(comparison.cost.change),
          ],
        ],
      ),
    );
    for (const flag of comparison.flags)
      lines.push('', `> **${flag.severity === 'critical' ? 'CRITICAL' : 'Warning'}**: ${markdownCell(flag.message)}`);
  }
  lines.push('', '## Apps', '');
  lines.push(
    ...table(
      ['App', 'Runs', 'Succeeded', 'Failed', 'Success rate', 'p95', 'Tokens', 'Cost'],
      ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
      analysis.apps.map((app) => [
        app.appId,
        app.runs,
        app.byStatus.succeeded ?? 0,
        app.byStatus.failed ?? 0,
        percent(app.successRate),
        seconds(app.latency.p95),
        app.tokens,
        money(app.cost),
      ]),
    ),
  );
  if (analysis.errors.length > 0) {
    lines.push('', '## Top failures', '');
    lines.push(
      ...table(
        ['Count', 'Node', 'Error', 'Last seen', ...(explorer ? ['Runs'] : [])],
        ['---:', '---', '---', '---', ...(explorer ? ['---'] : [])],
        analysis.errors
          .slice(0, 10)
          .map((error) => [
            error.count,
            error.node ?? '(run)',
            error.example.length > 160 ? `${error.example.slice(0, 159)}…` : error.example,
            error.lastSeen,
            ...(explorer ? [link('open', explorer.errors({ ...period, signature: error.signature }))] : []),
          ]),
      ),
    );
    if (analysis.otherErrors > 0) lines.push('', `And ${analysis.otherErrors} more errors of other kinds.`);
  }
  const slowNodes = analysis.nodes
    .filter((node) => node.latency.p95 !== null)
    .sort((a, b) => b.latency.p95! - a.latency.p95!)
    .slice(0, 10);
  if (slowNodes.length > 0) {
    lines.push('', '## Slowest nodes', '');
    lines.push(
      ...table(
        ['Node', 'Type', 'Runs', 'Failed', 'p50', 'p95', 'Tokens'],
        ['---', '---', '---:', '---:', '---:', '---:', '---:'],
        slowNodes.map((node) => [
          node.title,
          node.type,
          node.executions,
          node.failed,
          seconds(node.latency.p50),
          seconds(node.latency.p95),
          node.tokens,
        ]),
      ),
    );
  }
  if (analysis.models.length > 0) {
    lines.push('', '## Models', '');
    lines.push(
      ...table(
        ['Model', 'Calls', 'Tokens', 'Prompt', 'Completion', 'Cost'],
        ['---', '---:', '---:', '---:', '---:', '---:'],
        analysis.models
          .slice(0, 10)
          .map((model) => [
            model.model,
            model.calls,
            model.tokens,
            model.promptTokens,
            model.completionTokens,
            money(model.cost),
          ]),
      ),
    );
  }
  if (analysis.pausedRuns?.length) {
    lines.push('', '## Paused runs', '', 'Waiting for a person (a Human Input form) or another reason Dify gives.', '');
    lines.push(
      ...table(
        ['App', 'Run', 'Started', 'Paused at', 'Waits at'],
        ['---', '---', '---', '---', '---'],
        analysis.pausedRuns.map((run) => [
          run.appId,
          run.runId,
          run.createdAt,
          run.pausedAt ?? 'n/a',
          run.nodes
            .map(
              (node) =>
                `${node.nodeTitle ?? node.nodeId} ` +
                `(${node.type === 'human_input' ? `form ${node.formId ?? 'n/a'}` : node.type})`,
            )
            .join('; ') || 'n/a',
        ]),
      ),
    );
  }
  if (analysis.conversations) lines.push(...markdownConversations(analysis.conversations, table, { percent, seconds }));
  if (analysis.failedApps.length > 0) {
    lines.push('', '## Apps that could not be read', '');
    for (const failedApp of analysis.failedApps)
      lines.push(`- ${markdownCell(failedApp.appId)}: ${markdownCell(failedApp.error)}`);
  }
  return `${lines.join('\n')}\n`;
}

export const markdownReporter: Reporter = {
  format: 'markdown',
  start: () => ({
    finish: (analysis) => [
      { extension: 'md', contentType: 'text/markdown; charset=utf-8', body: renderMarkdown(analysis) },
    ],
  }),
};

export const defaultReporters: Record<string, Reporter> = { json: jsonReporter, markdown: markdownReporter };
