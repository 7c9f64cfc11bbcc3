import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FILTER_PARAMETERS, readFilter } from '../query/filters.js';
import { BadParameterError, Parameters } from '../query/params.js';
import { listRuns, runJson } from '../query/runs.js';
import { GROUPS, runStats } from '../query/stats.js';
import {
  CONVERSATION_PARAMETERS,
  conversationTranscript,
  listConversations,
  readConversationFilter,
} from '../query/conversations.js';
import type { Logger } from '@dify-logs/core';
import type { RunReader } from '../index/records.js';

/** A handler of GET requests; it answers or returns false (not found). */
export type Route = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;

export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export function sendJson(response: ServerResponse, status: number, body: unknown | { raw: string }): void {
  const text = typeof body === 'object' && body !== null && 'raw' in body ? String(body.raw) : JSON.stringify(body);
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  response.end(text);
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** `/api/runs`, `/api/runs/:runId`, `/api/stats`, `/api/conversations`, `/api/conversations/:id`. */
export function apiRoute(reader: DuckDBConnection, runs: RunReader): Route {
  return async (_request, response, url) => {
    const path = url.pathname;
    if (path === '/api/runs') {
      const parameters = new Parameters(url.searchParams, [...FILTER_PARAMETERS, 'limit', 'cursor']);
      const filter = readFilter(parameters);
      const limit = parameters.number('limit', 1, MAX_LIMIT, true) ?? DEFAULT_LIMIT;
      const cursor = parameters.text('cursor', 2000);
      sendJson(response, 200, await listRuns(reader, filter, { limit, ...(cursor ? { cursor } : {}) }));
      return true;
    }
    if (path === '/api/stats') {
      const parameters = new Parameters(url.searchParams, [...FILTER_PARAMETERS, 'groupBy']);
      const filter = readFilter(parameters);
      const groupBy = parameters.oneOf('groupBy', GROUPS);
      sendJson(response, 200, await runStats(reader, filter, groupBy));
      return true;
    }
    if (path === '/api/conversations') {
      const parameters = new Parameters(url.searchParams, CONVERSATION_PARAMETERS);
      const filter = readConversationFilter(parameters);
      const limit = parameters.number('limit', 1, MAX_LIMIT, true) ?? DEFAULT_LIMIT;
      const cursor = parameters.text('cursor', 2000);
      sendJson(response, 200, await listConversations(reader, filter, { limit, ...(cursor ? { cursor } : {}) }));
      return true;
    }
    const conversation = /^\/api\/conversations\/([^/]+)$/.exec(path);
    if (conversation) {
      new Parameters(url.searchParams, []);
      const id = decodeURIComponent(conversation[1]!);
      const transcript = await conversationTranscript(reader, id);
      if (transcript === undefined)
        sendJson(response, 404, { error: 'not_found', message: `no archived conversation ${id}` });
      else sendJson(response, 200, transcript);
      return true;
    }
    const run = /^\/api\/runs\/([^/]+)$/.exec(path);
    if (run) {
      new Parameters(url.searchParams, []);
      const id = decodeURIComponent(run[1]!);
      const json = await runJson(reader, runs, id);
      if (json === undefined) sendJson(response, 404, { error: 'not_found', message: `no archived run ${id}` });
      else sendJson(response, 200, { raw: json });
      return true;
    }
    return false;
  };
}

export interface ServerOptions {
  routes: Route[];
  authenticate: (request: IncomingMessage) => boolean;
  /** Basic credentials are configured: a browser is asked for them. */
  basicRealm: boolean;
  logger: Logger;
}

/** A read-only server: GET and HEAD only, every request authenticated, errors answered as JSON. */
export function createExplorerServer(options: ServerOptions): Server {
  return createServer((request, response) => {
    void handle(request, response, options);
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, options: ServerOptions): Promise<void> {
  try {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      sendJson(response, 405, { error: 'method_not_allowed', message: 'the explorer is read-only (GET, HEAD)' });
      return;
    }
    if (!options.authenticate(request)) {
      if (options.basicRealm) response.setHeader('www-authenticate', 'Basic realm="dify-logs", charset="UTF-8"');
      sendJson(response, 401, { error: 'unauthorized', message: 'credentials required' });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://explorer.invalid');
    for (const route of options.routes) if (await route(request, response, url)) return;
    sendJson(response, 404, { error: 'not_found', message: `no page ${url.pathname}` });
  } catch (error) {
    if (error instanceof BadParameterError) {
      sendJson(response, 400, { error: 'bad_parameter', parameter: error.parameter, message: error.message });
      return;
    }
    if (error instanceof URIError) {
      sendJson(response, 400, { error: 'bad_path', message: 'the path is not valid percent-encoding' });
      return;
    }
    options.logger.error({ err: error, url: request.url }, 'explorer request failed');
    if (!response.headersSent) sendJson(response, 500, { error: 'internal', message: 'the request failed' });
    else response.destroy();
  }
}
