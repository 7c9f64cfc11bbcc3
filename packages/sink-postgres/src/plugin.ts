import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { secretText } = configValues;

/** `sinks.postgres`. */
export const postgresSection = z.strictObject({
  databaseUrl: secretText,
  tablePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_]{0,40}$/, 'letters, digits and _ (at most 40)')
    .optional(),
});

/** `sinks.postgres`: runs and node executions as rows in PostgreSQL (idempotent upserts). pg loads when the sink is created. */
export const plugin = definePlugin({
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
