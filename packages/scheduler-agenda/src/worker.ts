import { DifyConfigError, type DifyLogs } from '@dify-logs/core';
import type { PluginContext } from '@dify-logs/core/adapter-kit';
import { createAgendaScheduler, type AgendaScheduler } from './agenda-scheduler.js';
import { openAgendaDatabase, type AgendaDatabase } from './database.js';
import { NO_DATABASE, type WorkerSection } from './plugin.js';
import { createPipelineMetrics, type PipelineMetrics } from './server/pipeline-metrics.js';
import { createWorkerServer, type WorkerServer } from './server/worker-server.js';

/** What the plugin's `create` gives: the shared database and a scheduler on it. */
export interface WorkerParts {
  database: AgendaDatabase;
  scheduler: AgendaScheduler;
}

export async function openWorkerParts(worker: WorkerSection, context: PluginContext): Promise<WorkerParts> {
  if (!worker.databaseUrl) {
    throw new DifyConfigError('worker.databaseUrl', NO_DATABASE);
  }
  // The database plugin of the URL's scheme, from the runtime's plugins (`@dify-logs/postgres`, `/redis`, `/mongodb`).
  const database = await openAgendaDatabase(worker.databaseUrl, {
    ...(worker.prefix ? { prefix: worker.prefix } : {}),
    ...(context.database ? { plugins: (scheme: string) => context.database!(scheme) } : {}),
    logger: context.logger,
  });
  const scheduler = createAgendaScheduler({
    backend: database.backend,
    history: database.history,
    ...(worker.name ? { worker: worker.name } : {}),
    lockLifetimeMs: worker.lockLifetimeSeconds * 1000,
    processEveryMs: worker.processEverySeconds * 1000,
    concurrency: worker.concurrency,
    logger: context.logger,
  });
  return { database, scheduler };
}

export interface StartWorkerOptions {
  /** HTTP port of /healthz, /readyz, /metrics and /dashboard (default `worker.port`; 0: off). */
  port?: number;
  /**
   * The metrics the worker serves; pass the same ones whose `instrumentFetch` the runtime's `fetch` is, to count Dify
   * requests.
   */
  metrics?: PipelineMetrics;
  /** One line per finished run. */
  write?: (line: string) => void;
}

export interface RunningWorker {
  database: AgendaDatabase;
  scheduler: AgendaScheduler;
  server: WorkerServer | undefined;
  /** Whether /dashboard is served (credentials are set). */
  dashboard: boolean;
  /**
   * Waits up to `worker.drainSeconds` for running runs, then stops the server and closes the runtime and the database.
   */
  stop(): Promise<void>;
}

/**
 * A scheduler worker for a runtime: opens `worker.databaseUrl`, moves the runtime's pipeline state onto it (every
 * worker shares watermarks, alert state and run cache), runs the configured deployments with the other workers of the
 * same database, and serves health, readiness, metrics and (with credentials) the Agendash dashboard.
 */
export async function startWorker(runtime: DifyLogs, options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const { plugin } = await import('./plugin.js');
  const worker = plugin.schema.parse(runtime.config.worker ?? {});
  const deployments = runtime.deployments();
  if (deployments.length === 0)
    throw new DifyConfigError('deployments', 'none: add `deployments:` to the configuration, or a `schedule` to a job');
  const { database, scheduler } = await openWorkerParts(worker, runtime.pluginContext());
  try {
    await runtime.useState(database.state);
    const metrics = options.metrics ?? createPipelineMetrics({ collectDefault: true });
    await scheduler.define(
      deployments,
      runtime.deploymentHandler({
        onResult: (deployment, result, seconds) => metrics.observeRun(deployment, result, seconds),
        ...(options.write ? { write: options.write } : {}),
      }),
    );
    await scheduler.start();
    const port = options.port ?? worker.port;
    const dashboard = worker.dashboard;
    const auth = dashboard?.token
      ? { token: dashboard.token }
      : dashboard?.username && dashboard.password
        ? { username: dashboard.username, password: dashboard.password }
        : undefined;
    const server =
      port === 0
        ? undefined
        : await createWorkerServer({
            port,
            host: worker.host,
            metrics,
            metricsAuth: worker.metricsAuth,
            readiness: [
              { name: 'database', check: () => database.ping() },
              { name: 'dify', check: (signal) => difyAnswers(runtime.config.dify.baseUrl, signal) },
            ],
            ...(auth ? { dashboard: { agenda: scheduler.agenda!, auth } } : {}),
            logger: runtime.logger,
          });
    return {
      database,
      scheduler,
      server,
      dashboard: auth !== undefined,
      async stop() {
        await scheduler.stop({ drainMs: worker.drainSeconds * 1000 });
        await server?.close();
        await runtime.close();
        await database.close();
      },
    };
  } catch (error) {
    await scheduler.stop({ drainMs: 0 }).catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** Dify answers at all (any HTTP status below 500): readiness, not a login check. */
async function difyAnswers(baseUrl: string, signal: AbortSignal): Promise<void> {
  const response = await fetch(baseUrl, { signal, redirect: 'manual' });
  await response.body?.cancel();
  if (response.status >= 500) throw new Error(`Dify answered HTTP ${response.status}`);
}
