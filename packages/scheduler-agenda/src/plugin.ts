import type { PluginContext } from '@dify-logs/core/adapter-kit';
import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { nonEmpty, secretText, wholeNumber, decimal, flag } = configValues;

/** The `worker` section: Agenda on a shared database, the HTTP port for health, metrics and the dashboard. */
export const workerSection = z
  .strictObject({
    /**
     * `mongodb://…` (the default backend), `postgres://…` or `redis://…`: jobs, locks, pipeline state and run history.
     */
    databaseUrl: secretText.optional(),
    /** Prefix of tables, collections or keys: separates tenants sharing one database. */
    prefix: nonEmpty.optional(),
    /** This worker's name in locks and the run history (default host:pid). */
    name: nonEmpty.optional(),
    host: nonEmpty.default('127.0.0.1'),
    /** 0 turns the HTTP server off. */
    port: wholeNumber(0, 65_535).default(9464),
    concurrency: wholeNumber(1, 64).default(2),
    /** A run not renewed for this long is taken over by another worker; it is renewed every third of it while alive. */
    lockLifetimeSeconds: wholeNumber(10).default(600),
    processEverySeconds: decimal(0.1).default(5),
    /** On SIGTERM/SIGINT: wait this long for running runs, then hand them back. */
    drainSeconds: wholeNumber(0).default(60),
    /** The Agendash dashboard at /dashboard: off unless credentials are set (basic auth, or a bearer token). */
    dashboard: z
      .strictObject({ username: nonEmpty.optional(), password: secretText.optional(), token: secretText.optional() })
      .optional(),
    /** Ask for the dashboard credentials on /metrics too. */
    metricsAuth: flag.default(false),
  })
  .superRefine((worker, context) => {
    const dashboard = worker.dashboard;
    if (dashboard && !dashboard.token && !(dashboard.username && dashboard.password)) {
      context.addIssue({ code: 'custom', path: ['dashboard'], message: 'needs `username` and `password`, or `token`' });
    }
  });

export type WorkerSection = z.output<typeof workerSection>;

/** What `worker.databaseUrl` is for, when it is missing. */
export const NO_DATABASE =
  'is not set: set DIFY_LOGS_DATABASE_URL (or MONGODB_URL) to mongodb://…, postgres://… ' +
  'or redis://… (and register the plugin of @dify-logs/mongodb, @dify-logs/postgres or ' +
  '@dify-logs/redis) — the workers share jobs, locks, state and run history there. On ' +
  'one machine without a database, `dify-logs schedule start` runs the same deployments.';

/**
 * The Agenda scheduler: `create` opens `worker.databaseUrl` through the `database` plugin of its scheme (registered
 * from
 * `@dify-logs/mongodb`, `@dify-logs/postgres` or `@dify-logs/redis`; the driver loads then) and
 * gives the database and a scheduler on it. `startWorker(runtime)` does the rest of a worker.
 */
export const plugin = definePlugin({
  kind: 'scheduler',
  type: 'agenda',
  description: 'Agenda on MongoDB, PostgreSQL or Redis: several workers share jobs, locks, state and run history',
  schema: workerSection,
  env: [
    {
      name: 'MONGODB_URL',
      key: 'worker.databaseUrl',
      description: 'database of `dify-logs worker` (MongoDB)',
      required: true,
    },
    {
      name: 'DIFY_LOGS_DATABASE_URL',
      key: 'worker.databaseUrl',
      description: 'database of `dify-logs worker`: mongodb://, postgres:// or redis:// (wins over MONGODB_URL)',
      required: true,
    },
    {
      name: 'WORKER_PORT',
      key: 'worker.port',
      description: 'port of /healthz, /readyz, /metrics and /dashboard (0: off)',
    },
    { name: 'DASHBOARD_USERNAME', key: 'worker.dashboard.username', description: 'dashboard basic auth user' },
    { name: 'DASHBOARD_PASSWORD', key: 'worker.dashboard.password', description: 'dashboard basic auth password' },
    { name: 'DASHBOARD_TOKEN', key: 'worker.dashboard.token', description: 'dashboard bearer token' },
  ],
  async create(worker: WorkerSection, context: PluginContext) {
    const { openWorkerParts } = await import('./worker.js');
    return openWorkerParts(worker, context);
  },
});
