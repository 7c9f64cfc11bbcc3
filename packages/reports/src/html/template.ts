import { createHash } from 'node:crypto';
import { escapeHtml, jsonForScript, scriptSource } from './escape.js';
import type { ChartSpec } from './charts.js';
import { PAGE_SCRIPT } from './page-script.js';

const CSS = `
:root { color-scheme: light; --ink: #1d2733; --muted: #5d6b7b; --line: #dfe4ea; --panel: #ffffff; --page: #f4f6f9; \
--accent: #3b6fd8; --good: #1f8a5b; --bad: #c23b3b; --warn: #b7791f; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", \
Roboto, "Helvetica Neue", Arial, "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 12px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 32px 0 12px; }
h3 { font-size: 15px; margin: 0 0 8px; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.page-header { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; }
.meta { display: flex; flex-wrap: wrap; gap: 8px 32px; margin: 0; }
.meta dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.zone { color: var(--muted); }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; }
.fact { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.transcript { border: 1px solid var(--line); border-radius: 10px; padding: 10px 16px; margin: 12px 0; }
.transcript .turn { border-top: 1px solid var(--line); padding: 6px 0; }
.transcript .question, .transcript .answer { white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; }
.transcript .question::before { content: 'Q '; color: var(--muted); }
.transcript .answer::before { content: 'A '; color: var(--muted); }
.transcript .when, .transcript .note, .transcript .detail { color: var(--muted); font-size: 12px; }
.fact .label { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.fact .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.fact .detail { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.fact.good .value { color: var(--good); }
.fact.bad .value { color: var(--bad); }
.breakdowns { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; }
.breakdown { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; flex: 1 \
1 220px; }
.breakdown ul { list-style: none; margin: 0; padding: 0; }
.breakdown li { display: flex; justify-content: space-between; gap: 12px; border-top: 1px solid var(--line); padding: \
3px 0; }
.breakdown li:first-child { border-top: 0; }
.breakdown .key { overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
.chart { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin: 0; \
min-width: 0; }
.chart figcaption { font-weight: 600; margin-bottom: 8px; }
.chart-box { position: relative; width: 100%; }
.table-section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; \
margin-bottom: 16px; }
.table-section .count { color: var(--muted); font-weight: 400; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
td { max-width: 420px; overflow-wrap: anywhere; }
td.wrap { min-width: 240px; white-space: pre-wrap; }
td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
th { background: #f0f3f7; font-weight: 600; white-space: nowrap; }
.num { text-align: right; white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: #a4afbc; font-size: 11px; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; color: var(--accent); }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; color: var(--accent); }
table.compare { max-width: 720px; background: var(--panel); border: 1px solid var(--line); }
td.good { color: var(--good); }
td.bad { color: var(--bad); }
.samples { list-style: none; margin: 0; padding: 0; }
a { color: var(--accent); }
.note { color: var(--muted); margin: 6px 0; }
.empty { color: var(--muted); font-style: italic; margin: 4px 0; }
.flags { list-style: none; padding: 0; margin: 12px 0 0; }
.flag { border-left: 4px solid var(--warn); background: #fff8e8; padding: 8px 12px; margin-bottom: 8px; border-radius: \
4px; overflow-wrap: anywhere; }
.flag.critical { border-color: var(--bad); background: #fdecec; }
.badge { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; \
padding: 1px 6px; border-radius: 4px; background: var(--warn); color: #fff; }
.flag.critical .badge { background: var(--bad); }
.flag .metric { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); }
.empty-state { background: var(--panel); border: 1px dashed var(--line); border-radius: 10px; padding: 40px 24px; \
text-align: center; margin-top: 24px; }
.empty-state h2 { margin: 0 0 8px; }
footer { color: var(--muted); font-size: 12px; margin: 32px 0 8px; text-align: center; }
@media print { body { background: #fff; } .chart, .table-section, .fact { break-inside: avoid; } }
`;

/**
 * A CSP source for an inline script: browsers that know hashes then ignore `'unsafe-inline'` and run only these
 * scripts.
 */
const scriptHash = (source: string) => `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;

export interface PageParts {
  title: string;
  /** Sections, already escaped. */
  body: string;
  charts: ChartSpec[];
  chartJs: string;
}

/** The chart section: one canvas per chart spec (charts without data were already left out). */
export function renderChartSection(charts: ChartSpec[]): string {
  if (charts.length === 0)
    return '<section id="charts"><h2>Charts</h2><p class="empty">No data to chart in this period.</p></section>';
  const figures = charts.map(
    (chart) =>
      `<figure class="chart"><figcaption>${escapeHtml(chart.title)}</figcaption><div ` +
      `class="chart-box" style="height:${Math.round(chart.height)}px"><canvas id="${escapeHtml(chart.id)}` +
      `" role="img" aria-label="${escapeHtml(chart.title)}"></canvas></div></figure>`,
  );
  return `<section id="charts"><h2>Charts</h2><div class="charts">\n${figures.join('\n')}\n</div></section>`;
}

/**
 * The whole page: one self-contained file. The Content-Security-Policy allows nothing to load (no
 * network, no frames, no fonts), only the page's two inline scripts (by hash, `'unsafe-inline'` as the
 * fallback for old browsers), inline styles and data: images. Chart data is JSON in a non-executed
 * script element, escaped so no value can end the element.
 */
export function renderPage(parts: PageParts): string {
  const chartJs = scriptSource(parts.chartJs);
  const pageScript = scriptSource(PAGE_SCRIPT);
  const policy = [
    "default-src 'none'",
    `script-src 'unsafe-inline' ${scriptHash(chartJs)} ${scriptHash(pageScript)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dify-logs">
<title>${escapeHtml(parts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${parts.body}
<footer>Generated by dify-logs. Charts drawn with Chart.js (MIT licence), embedded in this file: the report opens \
offline.</footer>
</main>
<script type="application/json" id="report-data">${jsonForScript({ charts: parts.charts })}</script>
<script>${chartJs}</script>
<script>${pageScript}</script>
</body>
</html>
`;
}
