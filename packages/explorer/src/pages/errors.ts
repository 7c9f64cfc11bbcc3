import type { DuckDBConnection } from '@duckdb/node-api';
import { html, number, page, SORT_SCRIPT, type Html } from './html.js';

interface SignatureRow {
  signature: string;
  count: number;
  apps: string;
  first: string;
  last: string;
  samples: string[];
  example: string;
}

/** The failed runs' error signatures, most frequent first, with first/last seen and up to three sample runs. */
export async function errorSignatures(reader: DuckDBConnection, limit: number): Promise<Html> {
  const result = await reader.runAndReadAll(
    `SELECT signature, count(*) AS count, string_agg(DISTINCT app_id, ', ') AS apps, min(created_at) AS first,
       max(created_at) AS last, list(coalesce(run_id, log_id) ORDER BY created_at DESC)[1:3] AS samples,
       any_value(error) AS example
     FROM runs WHERE signature IS NOT NULL GROUP BY signature ORDER BY count DESC, signature LIMIT ${limit}`,
  );
  const rows = result.getRowObjectsJS() as unknown as SignatureRow[];
  if (rows.length === 0) return html`<p class="muted">No errors in the archive.</p>`;
  return html`<table class="sortable">
    <thead>
      <tr>
        <th data-sort>Error</th>
        <th class="num" data-sort>Runs</th>
        <th data-sort>Apps</th>
        <th data-sort>First seen</th>
        <th data-sort>Last seen</th>
        <th>Sample runs</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            <td title="${row.example}">
              <a href="/runs?q=${encodeURIComponent(row.example.slice(0, 80))}">${row.signature}</a>
            </td>
            <td class="num" data-value="${Number(row.count)}">${number(Number(row.count))}</td>
            <td>${row.apps}</td>
            <td>${row.first.slice(0, 19).replace('T', ' ')}</td>
            <td>${row.last.slice(0, 19).replace('T', ' ')}</td>
            <td>${row.samples.map((id) => html`<a href="/runs/${encodeURIComponent(id)}">${id.slice(0, 12)}</a> `)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** `/errors`. */
export async function errorsPage(reader: DuckDBConnection): Promise<string> {
  return page(
    'Errors',
    '/errors',
    html`<h1>Errors</h1>
      ${await errorSignatures(reader, 200)}`,
    SORT_SCRIPT,
  );
}
