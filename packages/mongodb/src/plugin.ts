import { configValues, definePlugin, z, type SchedulerDatabaseOptions } from '@dify-logs/core/adapter-kit';
import type { MongoDatabase } from './database.js';

const { secretText } = configValues;

/** `sinks.mongodb`. */
export const mongodbSection = z.strictObject({
  databaseUrl: secretText,
  collectionPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_]{0,40}$/, 'letters, digits and _ (at most 40)')
    .optional(),
});

/**
 * `sinks.mongodb`: runs and node executions as MongoDB documents (idempotent upserts). The driver loads when the sink
 * is created.
 */
export const sinkPlugin = definePlugin({
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

/** `worker.databaseUrl: mongodb://…`: the workers' jobs, locks, pipeline state and run history in MongoDB. */
export const databasePlugin = definePlugin({
  kind: 'database',
  type: 'mongodb',
  description: "MongoDB for the workers' jobs, locks, pipeline state and run history",
  schemes: ['mongodb', 'mongodb+srv'],
  async open(url: string, options: SchedulerDatabaseOptions): Promise<MongoDatabase> {
    const { openMongoDatabase } = await import('./database.js');
    return openMongoDatabase(url, options);
  },
});

/** Both plugins of this package: register with `plugins: [...plugins]`. */
export const plugins = [databasePlugin, sinkPlugin] as const;
/** Every plugin of this package (as `@dify-logs/reports` does: a package may hold several). */
export const plugin = plugins;
