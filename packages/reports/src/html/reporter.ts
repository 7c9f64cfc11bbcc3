import { DifyConfigError } from '@dify-logs/core';
import type { ReportAnalysis } from '@dify-logs/core/pipeline';
import type { Reporter } from '@dify-logs/core/adapter-kit';
import { buildCharts } from './charts.js';
import { chartJsSource } from './chartjs.js';
import { renderConversations } from './conversations.js';
import { renderEmptyState, renderComparison, renderHeader, renderKeyFacts } from './sections.js';
import { renderFailedApps, renderTables } from './tables.js';
import { renderChartSection, renderPage } from './template.js';

export interface HtmlReporterOptions {
  /** The page title; default `dify-logs report: <job>`. */
  title?: string;
  /** Rows per table at most (the page says how many were left out); default 200. */
  maxTableRows?: number;
}

export const DEFAULT_MAX_TABLE_ROWS = 200;

function maxRows(options: HtmlReporterOptions): number {
  const value = options.maxTableRows ?? DEFAULT_MAX_TABLE_ROWS;
  if (!Number.isInteger(value) || value < 1)
    throw new DifyConfigError('maxTableRows', `must be a whole number of at least 1, got ${String(value)}`);
  return value;
}

/**
 * The HTML report of one period as a string: a single self-contained page (Chart.js embedded, nothing
 * loaded from the network) with key facts, the comparison with the previous period, charts and sortable
 * tables. Every value from the logs is escaped. The same analysis gives the same page.
 */
export async function renderHtml(analysis: ReportAnalysis, options: HtmlReporterOptions = {}): Promise<string> {
  const rows = maxRows(options);
  const title = options.title ?? `dify-logs report: ${analysis.job}`;
  const sections = [renderHeader(analysis, title)];
  const charts = analysis.runs > 0 ? buildCharts(analysis) : [];
  if (analysis.runs === 0)
    sections.push(renderEmptyState(analysis.conversations !== undefined && analysis.conversations.messages > 0));
  sections.push(renderKeyFacts(analysis));
  if (analysis.comparison !== null) sections.push(renderComparison(analysis, analysis.comparison));
  if (analysis.runs > 0) {
    sections.push(
      renderChartSection(charts),
      '<section id="tables"><h2>Tables</h2>',
      renderTables(analysis, rows),
      '</section>',
    );
  } else if (analysis.failedApps.length > 0) {
    sections.push(renderFailedApps(analysis, rows));
  }
  if (analysis.conversations) sections.push(renderConversations(analysis, analysis.conversations, rows));
  return renderPage({ title, body: sections.join('\n'), charts, chartJs: await chartJsSource() });
}

/**
 * The `html` report format: one self-contained page per period, from the analysis alone (records are
 * not needed, so the writer has no `add`).
 */
export function htmlReporter(options: HtmlReporterOptions = {}): Reporter {
  maxRows(options);
  return {
    format: 'html',
    start: () => ({
      finish: async (analysis) => [
        { extension: 'html', contentType: 'text/html; charset=utf-8', body: await renderHtml(analysis, options) },
      ],
    }),
  };
}
