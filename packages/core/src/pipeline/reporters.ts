import type { PeriodSummary } from './summary.js';

/** Turns a period summary into one report file. Issue-level formats (CSV, HTML, Excel) plug in here. */
export interface Reporter {
  readonly format: string;
  readonly extension: string;
  readonly contentType: string;
  render(summary: PeriodSummary): string | Uint8Array;
}

export const jsonReporter: Reporter = {
  format: 'json',
  extension: 'json',
  contentType: 'application/json',
  render: (summary) => `${JSON.stringify(summary, null, 2)}\n`,
};

/** Escapes text for a Markdown table cell: pipes and line breaks would break the table. */
export function markdownCell(value: unknown): string {
  return String(value ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`);

export const markdownReporter: Reporter = {
  format: 'markdown',
  extension: 'md',
  contentType: 'text/markdown; charset=utf-8',
  render(summary) {
    const lines = [
      `# ${markdownCell(summary.job)}: ${summary.window.from} → ${summary.window.to}`,
      '',
      `Time zone ${summary.window.timezone}. Generated ${summary.generatedAt} (run ${summary.runId}).`,
      '',
      `- Runs: **${summary.runs}**, success rate ${percent(summary.successRate)}`,
      `- Tokens: ${summary.totalTokens}, price ${summary.totalPrice.toFixed(6)}`,
      `- Mean duration: ${summary.meanElapsedSeconds === null ? 'n/a' : `${summary.meanElapsedSeconds.toFixed(2)} s`}`,
      '',
      '| App | Runs | Succeeded | Failed | Partial | Running | Tokens | Enrichment failures |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...summary.apps.map(
        (app) =>
          `| ${markdownCell(app.appId)} | ${app.runs} | ${app.byStatus.succeeded ?? 0} | ${app.byStatus.failed ?? 0} | ${app.byStatus['partial-succeeded'] ?? 0} | ${app.byStatus.running ?? 0} | ${app.totalTokens} | ${app.enrichmentFailures} |`,
      ),
    ];
    const errors = summary.apps.flatMap((app) => Object.entries(app.errors).map(([message, count]) => ({ app: app.appId, message, count })));
    if (errors.length > 0) {
      lines.push('', '## Errors', '', '| App | Error | Count |', '|---|---|---:|');
      for (const error of errors.sort((a, b) => b.count - a.count).slice(0, 20)) lines.push(`| ${markdownCell(error.app)} | ${markdownCell(error.message)} | ${error.count} |`);
    }
    if (summary.failedApps.length > 0) {
      lines.push('', '## Apps that could not be read', '');
      for (const failed of summary.failedApps) lines.push(`- ${markdownCell(failed.appId)}: ${markdownCell(failed.error)}`);
    }
    return `${lines.join('\n')}\n`;
  },
};

export const defaultReporters: Record<string, Reporter> = { json: jsonReporter, markdown: markdownReporter };
