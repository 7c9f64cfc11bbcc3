import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';
import type { PostgresDatabase, PostgresDatabaseOptions } from './database.js';

const { secretText } = configValues;

/** `sinks.postgres`. */
export const postgresSection = z.strictObject({
  databaseUrl: secretText,
  tablePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_]{0,40}$/, 'letters, digits and _ (at most 40)')
    .optional(),
});

/**
 * `sinks.postgres`: runs and node executions as rows in PostgreSQL (idempotent upserts). pg loads when the sink is
 * created; a sink naming the workers' database uses the same pool.
 */
export const sinkPlugin = definePlugin({
  kind: 'sink',
  type: 'postgres',
  description: 'runs and node executions as PostgreSQL rows',
  schema: postgresSection,
  env: [
    {
      name: 'SINK_POSTGRES_URL',
      key: 'sinks.postgres.databaseUrl',
      description: 'PostgreSQL the runs and node executions are written to',
      required: true,
    },
  ],
  async create(section: z.output<typeof postgresSection>, context) {
    const { createPostgresSink } = await import('./postgres-sink.js');
    return createPostgresSink({
      connectionString: section.databaseUrl,
      ...(section.tablePrefix !== undefined ? { tablePrefix: section.tablePrefix } : {}),
      logger: context.logger,
    });
  },
});

/** `worker.databaseUrl: postgres://…`: the workers' jobs, locks, pipeline state and run history in PostgreSQL. */
export const databasePlugin = definePlugin({
  kind: 'database',
  type: 'postgres',
  description: "PostgreSQL for the workers' jobs, locks, pipeline state and run history",
  schemes: ['postgres', 'postgresql'],
  async open(url: string, options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const { openPostgresDatabase } = await import('./database.js');
    return openPostgresDatabase(url, options);
  },
});

/** Both plugins of this package: register with `plugins: [...plugins]`. */
export const plugins = [databasePlugin, sinkPlugin] as const;
/** Every plugin of this package (as `@dify-logs/reports` does: a package may hold several). */
export const plugin = plugins;
