import type { LatencyStats, Money, ReportAnalysis } from '@dify-logs/core/pipeline';
import { neutralise, type Cell } from '../tabular/neutralise.js';

const text = (value: string | null): Cell => (value === null ? null : neutralise(value));

/** A rate (0–1) as a percentage with two decimals, so the sheet needs no number format. */
const percent = (rate: number | null): Cell => (rate === null ? null : Math.round(rate * 10_000) / 100);

/** The currencies used in `costs`, sorted, so each gets its own numeric column. */
function currencies(costs: Money[]): string[] {
  const codes = new Set<string>();
  for (const cost of costs) for (const code of Object.keys(cost)) codes.add(code);
  return [...codes].sort();
}

const costHeaders = (codes: string[]): string[] => codes.map((code) => neutralise(`Cost (${code})`));
const costCells = (cost: Money, codes: string[]): Cell[] => codes.map((code) => cost[code] ?? null);
const latencyCells = (latency: LatencyStats): Cell[] => [latency.p50, latency.p95];

function facts(analysis: ReportAnalysis): Cell[][] {
  const { window, latency, tokens } = analysis;
  const rows: Cell[][] = [
    [neutralise(`dify-logs report: ${analysis.job}`)],
    ['Window', neutralise(`${window.from} → ${window.to}`)],
    ['Time zone', text(window.timezone)],
    ['Generated', text(analysis.generatedAt)],
    ['Runs', analysis.runs],
    ['Success rate (%)', percent(analysis.successRate)],
    ['Latency p50 (s)', latency.p50],
    ['Latency p95 (s)', latency.p95],
    ['Latency p99 (s)', latency.p99],
    ['Latency max (s)', latency.max],
    ['Tokens (stated by Dify)', tokens.stated],
    ['Tokens (recomputed from nodes)', tokens.effective],
    ['Prompt tokens', tokens.promptTokens],
    ['Completion tokens', tokens.completionTokens],
  ];
  const codes = currencies([analysis.cost]);
  if (codes.length === 0) rows.push(['Cost', 'none priced']);
  for (const code of codes) rows.push([neutralise(`Cost (${code})`), analysis.cost[code] ?? null]);
  rows.push(['Enrichment failures', analysis.enrichmentFailures], ['Lost runs', analysis.lostRuns]);
  for (const [status, count] of Object.entries(analysis.byStatus).sort(([a], [b]) => a.localeCompare(b))) {
    rows.push([neutralise(`Runs ${status}`), count]);
  }
  return rows;
}

/** A titled table after a blank row: title, header, rows. */
const table = (title: string, header: Cell[], rows: Cell[][]): Cell[][] => [[], [title], header, ...rows];

/** The Summary sheet, row by row: key facts of the period, then the per-app, per-model and per-node tables. */
export function summaryRows(analysis: ReportAnalysis): Cell[][] {
  const appCodes = currencies(analysis.apps.map((app) => app.cost));
  const modelCodes = currencies(analysis.models.map((model) => model.cost));
  const nodeCodes = currencies(analysis.nodes.map((node) => node.cost));
  const rows = [
    ...facts(analysis),
    ...table(
      'Apps',
      [
        'App',
        'Runs',
        'Succeeded',
        'Failed',
        'Success rate (%)',
        'p50 (s)',
        'p95 (s)',
        'Tokens',
        'Enrichment failures',
        ...costHeaders(appCodes),
      ],
      analysis.apps.map((app) => [
        text(app.appId),
        app.runs,
        app.byStatus.succeeded ?? 0,
        app.byStatus.failed ?? 0,
        percent(app.successRate),
        ...latencyCells(app.latency),
        app.tokens,
        app.enrichmentFailures,
        ...costCells(app.cost, appCodes),
      ]),
    ),
    ...table(
      'Models',
      [
        'Provider',
        'Model',
        'Calls',
        'Tokens',
        'Prompt tokens',
        'Completion tokens',
        'p50 (s)',
        'p95 (s)',
        ...costHeaders(modelCodes),
      ],
      analysis.models.map((model) => [
        text(model.provider),
        text(model.model),
        model.calls,
        model.tokens,
        model.promptTokens,
        model.completionTokens,
        ...latencyCells(model.latency),
        ...costCells(model.cost, modelCodes),
      ]),
    ),
    ...table(
      'Nodes',
      ['Node', 'Type', 'Executions', 'Failed', 'p50 (s)', 'p95 (s)', 'Tokens', ...costHeaders(nodeCodes)],
      analysis.nodes.map((node) => [
        text(node.title),
        text(node.type),
        node.executions,
        node.failed,
        ...latencyCells(node.latency),
        node.tokens,
        ...costCells(node.cost, nodeCodes),
      ]),
    ),
  ];
  if (analysis.failedApps.length > 0) {
    rows.push(
      ...table(
        'Apps that could not be read',
        ['App', 'Error'],
        analysis.failedApps.map((failed) => [text(failed.appId), text(failed.error)]),
      ),
    );
  }
  return rows;
}
