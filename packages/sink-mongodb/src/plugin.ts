import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { secretText } = configValues;

/** `sinks.mongodb`. */
export const mongodbSection = z.strictObject({
  databaseUrl: secretText,
  collectionPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_]{0,40}$/, 'letters, digits and _ (at most 40)')
    .optional(),
});

/** `sinks.mongodb`: runs and node executions as MongoDB documents (idempotent upserts). The driver loads when the sink is created. */
export const plugin = definePlugin({
  kind: 'sink',
  type: 'mongodb',
  description: 'runs and node executions as MongoDB documents',
  schema: mongodbSection,
  env: [
    {
      name: 'SINK_MONGODB_URL',
      key: 'sinks.mongodb.databaseUrl',
      description: 'MongoDB the runs and node executions are written to',
      required: true,
    },
  ],
  async create(section: z.output<typeof mongodbSection>) {
    const { createMongoSink } = await import('./mongo-sink.js');
    return createMongoSink({
      connectionString: section.databaseUrl,
      ...(section.collectionPrefix !== undefined ? { collectionPrefix: section.collectionPrefix } : {}),
    });
  },
});
