import type { DuckDBConnection } from '@duckdb/node-api';
import { FILTER_PARAMETERS, readFilter } from '../query/filters.js';
import { Parameters } from '../query/params.js';
import { listRuns, type RunSummary } from '../query/runs.js';
import { html, number, page, seconds, SORT_SCRIPT } from './html.js';

const time = (iso: string) => iso.slice(0, 19).replace('T', ' ');

function row(run: RunSummary) {
  const id = run.runId ?? run.logId;
  return html`<tr>
    <td data-value="${run.createdAt}"><a href="/runs/${encodeURIComponent(id)}">${time(run.createdAt)}</a></td>
    <td>${run.appId}</td>
    <td class="status-${run.status ?? ''}">${run.status ?? '–'}</td>
    <td class="num" data-value="${run.elapsedTime ?? ''}">${seconds(run.elapsedTime)}</td>
    <td class="num" data-value="${run.totalTokens ?? ''}">${number(run.totalTokens)}</td>
    <td>${run.endUserSessionId ?? ''}</td>
    <td class="bad">${(run.error ?? '').slice(0, 160)}</td>
  </tr>`;
}

/** `/runs`: the list with the API's filters in the query string, newest first, paged with the API's cursor. */
export async function runsPage(reader: DuckDBConnection, url: URL): Promise<string> {
  const parameters = new Parameters(url.searchParams, [...FILTER_PARAMETERS, 'limit', 'cursor']);
  const filter = readFilter(parameters);
  const limit = parameters.number('limit', 1, 500, true) ?? 50;
  const cursor = parameters.text('cursor', 2000);
  const result = await listRuns(reader, filter, { limit, ...(cursor ? { cursor } : {}) });
  const value = (name: string) => url.searchParams.get(name) ?? '';
  const field = (name: string, label: string, size = 12) =>
    html`<label>${label}<input name="${name}" value="${value(name)}" size="${size}" /></label>`;
  const next = new URLSearchParams(url.searchParams);
  if (result.nextCursor) next.set('cursor', result.nextCursor);
  const body = html`<h1>Runs</h1>
    <form class="filters" method="get" action="/runs">
      ${field('q', 'Search errors, inputs, outputs', 28)}${field('app', 'App')}${field('status', 'Status', 10)}
      ${field('from', 'From (day or time)')}${field('to', 'To')}${field('endUser', 'End user')}
      ${field('minElapsed', 'Min. seconds', 6)}${field('minCost', 'Min. cost', 6)}
      <button type="submit">Filter</button> <a href="/runs">Clear</a>
    </form>
    <table class="sortable" id="runs">
      <thead>
        <tr>
          <th data-sort>Started (UTC)</th>
          <th data-sort>App</th>
          <th data-sort>Status</th>
          <th class="num" data-sort>Run time</th>
          <th class="num" data-sort>Tokens</th>
          <th data-sort>End user</th>
          <th data-sort>Error</th>
        </tr>
      </thead>
      <tbody>
        ${result.runs.map(row)}
      </tbody>
    </table>
    ${result.runs.length === 0 ? html`<p class="muted">No run matches.</p>` : ''}
    <p>
      ${cursor ? html`<a href="javascript:history.back()">← Newer</a> ` : ''}${
        result.nextCursor ? html`<a id="older" href="/runs?${next.toString()}">Older →</a>` : ''
      }
    </p>`;
  return page('Runs', '/runs', body, SORT_SCRIPT);
}
