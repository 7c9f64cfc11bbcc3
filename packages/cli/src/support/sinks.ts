import type { DifyLogsConfig, Logger, Sink } from '@dify-logs/core';

/** The configured sinks; each package is loaded only when configured (the drivers cost startup time otherwise). */
export async function openSinks(config: DifyLogsConfig, logger?: Logger): Promise<Sink[]> {
  const sinks: Sink[] = [];
  const { postgres, mongodb } = config.sinks ?? {};
  if (postgres) {
    const { createPostgresSink } = await import('@dify-logs/sink-postgres');
    sinks.push(createPostgresSink({ connectionString: postgres.databaseUrl, ...(postgres.tablePrefix !== undefined ? { tablePrefix: postgres.tablePrefix } : {}), ...(logger ? { logger } : {}) }));
  }
  if (mongodb) {
    const { createMongoSink } = await import('@dify-logs/sink-mongodb');
    sinks.push(createMongoSink({ connectionString: mongodb.databaseUrl, ...(mongodb.collectionPrefix !== undefined ? { collectionPrefix: mongodb.collectionPrefix } : {}) }));
  }
  return sinks;
}
