import type { RunRecord } from '@dify-logs/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RunReader } from '../index/records.js';
import { runJson } from '../query/runs.js';
import type { Route } from '../server/http.js';
import { conversationTranscript } from '../query/conversations.js';
import { conversationsPage, transcriptPage } from './conversations-page.js';
import { errorsPage } from './errors.js';
import { html, page, sendHtml } from './html.js';
import { overviewPage } from './overview.js';
import { runPage } from './run-page.js';
import { runsPage } from './runs-page.js';

/** The pages: `/`, `/runs`, `/runs/:runId`, `/errors`, `/conversations`, `/conversations/:id`. */
export function pageRoute(reader: DuckDBConnection, runs: RunReader): Route {
  return async (_request, response, url) => {
    const path = url.pathname;
    if (path === '/') sendHtml(response, 200, await overviewPage(reader));
    else if (path === '/runs') sendHtml(response, 200, await runsPage(reader, url));
    else if (path === '/errors') sendHtml(response, 200, await errorsPage(reader));
    else if (path === '/conversations') sendHtml(response, 200, await conversationsPage(reader, url));
    else if (path.startsWith('/conversations/')) {
      const match = /^\/conversations\/([^/]+)$/.exec(path);
      if (!match) return false;
      const id = decodeURIComponent(match[1]!);
      const transcript = await conversationTranscript(reader, id);
      if (transcript === undefined)
        sendHtml(response, 404, page('Not found', '/conversations', html`<h1>No archived conversation ${id}</h1>`));
      else sendHtml(response, 200, transcriptPage(transcript));
    } else {
      const match = /^\/runs\/([^/]+)$/.exec(path);
      if (!match) return false;
      const id = decodeURIComponent(match[1]!);
      const json = await runJson(reader, runs, id);
      if (json === undefined) sendHtml(response, 404, page('Not found', '/runs', html`<h1>No archived run ${id}</h1>`));
      else sendHtml(response, 200, runPage(JSON.parse(json) as RunRecord));
    }
    return true;
  };
}
