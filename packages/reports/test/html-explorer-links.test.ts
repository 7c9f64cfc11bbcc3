import type { ReportAnalysis } from '@dify-logs/core/pipeline';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/index.js';
import { HOSTILE_HTML, buildAnalysis } from './fixtures/analysis.js';

const EXPLORER = 'https://logs.example.com/dify';

/** The `<tbody>` of the table with this id. */
function tableBody(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tbody>', start));
}

describe('HTML report links to the run explorer', () => {
  it('links runs to their explorer page and each error signature to its runs when configured', async () => {
    const base = buildAnalysis();
    const analysis: ReportAnalysis = {
      ...base,
      explorerUrl: EXPLORER,
      errors: [{ ...base.errors[0]!, signature: `Timeout ${HOSTILE_HTML}`, samples: [{ appId: 'a', runId: 'r (1)' }] }],
    };
    const html = await renderHtml(analysis);
    const slow = tableBody(html, 'table-slowest-runs');
    const slowRun = base.slowestRuns[0]!;
    expect(slow).toContain(`href="${EXPLORER}/runs/${encodeURIComponent(slowRun.runId!)}"`);
    const errors = tableBody(html, 'table-errors');
    expect(errors).toContain(`href="${EXPLORER}/runs/r%20%281%29"`);
    const explore = /href="([^"]*\/errors\?[^"]*)"[^>]*>all runs</.exec(errors);
    expect(explore).not.toBeNull();
    const url = new URL(explore![1]!.replace(/&amp;/g, '&'));
    expect(url.searchParams.get('signature')).toBe(`Timeout ${HOSTILE_HTML}`);
    expect(url.searchParams.get('from')).toBe(analysis.window.from);
    // The signature in the link's title stays text.
    expect(errors).not.toContain('<script>alert(1)');
  });

  it('keeps the console links and adds no explorer column without one', async () => {
    const html = await renderHtml(buildAnalysis({ consoleUrl: 'https://dify.example.com' }));
    expect(html).not.toContain('/runs/');
    expect(tableBody(html, 'table-errors')).not.toContain('all runs');
    expect(html).toContain('https://dify.example.com/app/');
  });
});
