import type { DuckDBConnection } from '@duckdb/node-api';
import { runStats, type StatsRow } from '../query/stats.js';
import { errorSignatures } from './errors.js';
import { html, money, number, page, percent, seconds, SORT_SCRIPT, type Html } from './html.js';

function statsTable(first: string, rows: StatsRow[], link: (key: string) => string): Html {
  return html`<table class="sortable">
    <thead>
      <tr>
        <th data-sort>${first}</th>
        <th class="num" data-sort>Runs</th>
        <th class="num" data-sort>Failed</th>
        <th class="num" data-sort>Failure rate</th>
        <th class="num" data-sort>p95</th>
        <th class="num" data-sort>Tokens</th>
        <th class="num" data-sort>Cost</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            <td><a href="${link(row.key ?? '')}">${row.key}</a></td>
            <td class="num" data-value="${row.count}">${number(row.count)}</td>
            <td class="num" data-value="${row.failed}">${number(row.failed)}</td>
            <td class="num ${row.failureRate > 0.1 ? 'bad' : ''}" data-value="${row.failureRate}">
              ${percent(row.failureRate)}
            </td>
            <td class="num" data-value="${row.latency.p95 ?? ''}">${seconds(row.latency.p95)}</td>
            <td class="num" data-value="${row.tokens}">${number(row.tokens)}</td>
            <td class="num" data-value="${row.cost}">${money(row.cost)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** `/`: totals, per day and per app, and the top error signatures. */
export async function overviewPage(reader: DuckDBConnection): Promise<string> {
  const byDay = await runStats(reader, {}, 'day');
  const byApp = await runStats(reader, {}, 'app');
  const errors = await errorSignatures(reader, 10);
  const total = byDay.total;
  const card = (label: string, value: string) =>
    html`<div class="card"><span class="muted">${label}</span><b>${value}</b></div>`;
  const body = html`<h1>Overview</h1>
    <div class="cards">
      ${[
        card('Runs', number(total.count)),
        card('Failure rate', percent(total.failureRate)),
        card('p95 run time', seconds(total.latency.p95)),
        card('Tokens', number(total.tokens)),
        card('Cost', money(total.cost)),
      ]}
    </div>
    <h2>Per day</h2>
    ${statsTable('Day', [...byDay.groups].reverse(), (key) => `/runs?from=${key}&to=${key}`)}
    <h2>Per app</h2>
    ${statsTable('App', byApp.groups, (key) => `/runs?app=${encodeURIComponent(key)}`)}
    <h2>Top errors</h2>
    ${errors}`;
  return page('Overview', '/', body, SORT_SCRIPT);
}
