import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DifyConfigError, silentLogger, type Logger } from '@dify-logs/core';
import type { Agenda } from 'agenda';
import { createExpressMiddleware } from 'agendash';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { assertDashboardAuth, requireAuth, type DashboardAuth } from './auth.js';
import { runReadinessChecks, type ReadinessCheck } from './readiness.js';
import { publicMessage } from './redact-message.js';
import { rejectCrossSite } from './same-origin.js';

export interface WorkerServerOptions {
  /** 0 picks a free port (see `port` of the result). */
  port: number;
  /** Interface to listen on (default `127.0.0.1`; `0.0.0.0` in a container). */
  host?: string;
  /** Served at `/metrics` (e.g. from `createPipelineMetrics()`). */
  metrics: { registry: Registry };
  /** Run in parallel by `/readyz`. */
  readiness: ReadinessCheck[];
  /** Time each readiness check may take (default 3 000 ms). */
  readinessTimeoutMs?: number;
  /** The Agendash dashboard at `/dashboard/`, only with `auth`. Absent: no dashboard. */
  dashboard?: { agenda: Agenda; auth: DashboardAuth };
  /** Protects `/metrics` too: `true` with the dashboard's credentials, or its own. Default: open. */
  metricsAuth?: boolean | DashboardAuth;
  logger?: Logger;
}

export interface WorkerServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open connections (dashboard event streams included). Idempotent. */
  close(): Promise<void>;
}

function checkOptions(options: WorkerServerOptions): DashboardAuth | undefined {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535)
    throw new DifyConfigError('worker.port', `${JSON.stringify(options.port)} is not a port (0-65535)`);
  const timeout = options.readinessTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0))
    throw new DifyConfigError('worker.readinessTimeoutMs', 'must be a positive number of milliseconds');
  if (options.dashboard) {
    if (!options.dashboard.agenda)
      throw new DifyConfigError('worker.dashboard.agenda', 'the dashboard needs the Agenda instance');
    assertDashboardAuth(options.dashboard.auth, 'worker.dashboard.auth');
  }
  if (options.metricsAuth === true) {
    if (!options.dashboard)
      throw new DifyConfigError(
        'worker.metricsAuth',
        'true reuses worker.dashboard.auth, which is not set: give credentials instead',
      );
    return options.dashboard.auth;
  }
  if (options.metricsAuth) {
    assertDashboardAuth(options.metricsAuth, 'worker.metricsAuth');
    return options.metricsAuth;
  }
  return undefined;
}

/** Agendash answers its own errors with the raw message: pass them through the same redaction. */
const redactErrorBodies: RequestHandler = (_request, response, next) => {
  const json = response.json.bind(response);
  response.json = (body: unknown) => {
    const error = (body as { error?: unknown } | null)?.error;
    return json(
      response.statusCode >= 400 && typeof error === 'string'
        ? { ...(body as object), error: publicMessage(error) }
        : body,
    );
  };
  next();
};

const noStore: RequestHandler = (_request, response, next) => {
  response.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * The HTTP side of a worker, on one port: `/healthz` (the process answers), `/readyz` (its
 * dependencies answer), `/metrics` (Prometheus text) and, when configured with credentials, the
 * Agendash dashboard at `/dashboard/`. Answers never carry stacks or secrets.
 */
export async function createWorkerServer(options: WorkerServerOptions): Promise<WorkerServer> {
  const metricsAuth = checkOptions(options);
  const host = options.host ?? '127.0.0.1';
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 3000;
  const logger = (options.logger ?? silentLogger).child({ component: 'worker-server' });
  const registry = options.metrics.registry;

  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', noStore, (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/readyz', noStore, async (_request, response) => {
    const { ready, checks } = await runReadinessChecks(options.readiness, readinessTimeoutMs);
    if (!ready) logger.warn({ failing: checks.filter((check) => check.status === 'failed') }, 'not ready');
    response.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  });

  const metricsHandlers: RequestHandler[] = metricsAuth ? [requireAuth(metricsAuth)] : [];
  app.get('/metrics', noStore, ...metricsHandlers, async (_request, response) => {
    const text = await registry.metrics();
    response.setHeader('Content-Type', registry.contentType);
    response.end(text); // express's send() would rewrite the content type
  });

  if (options.dashboard) {
    app.use(
      '/dashboard',
      noStore,
      requireAuth(options.dashboard.auth),
      rejectCrossSite(),
      redactErrorBodies,
      (request, response, next) => {
        // The page loads its assets by relative URLs: `/dashboard` must become `/dashboard/`.
        const queryStart = request.originalUrl.indexOf('?');
        const path = queryStart < 0 ? request.originalUrl : request.originalUrl.slice(0, queryStart);
        if (request.method === 'GET' && path === '/dashboard')
          response.redirect(301, `/dashboard/${queryStart < 0 ? '' : request.originalUrl.slice(queryStart)}`);
        else next();
      },
      createExpressMiddleware(options.dashboard.agenda),
    );
  }

  app.use((_request, response) => {
    response.status(404).json({ error: 'not found' });
  });

  const onError: ErrorRequestHandler = (error, request, response, _next) => {
    const fields = (typeof error === 'object' && error !== null ? error : {}) as {
      status?: unknown;
      statusCode?: unknown;
    };
    const status = Number(fields.status ?? fields.statusCode);
    const clientError = Number.isInteger(status) && status >= 400 && status < 500;
    if (!clientError)
      logger.error({ error: publicMessage(error), method: request.method, path: request.path }, 'request failed');
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.status(clientError ? status : 500).json({ error: clientError ? 'bad request' : 'internal error' });
  };
  app.use(onError);

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ error: publicMessage(error) }, 'server error'));
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, dashboard: Boolean(options.dashboard) }, 'worker server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
