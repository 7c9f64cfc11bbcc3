export { openPostgresDatabase, type PostgresDatabase, type PostgresDatabaseOptions } from './database.js';
export { postgresStateStore, type PostgresStateStoreOptions } from './state.js';
export { postgresRunHistory, type PostgresRunHistoryOptions } from './run-history.js';
export type { PostgresOptions } from './connection.js';
export { createPostgresSink, type PostgresSink, type PostgresSinkOptions } from './postgres-sink.js';
export {
  MIGRATIONS,
  applyMigrations,
  latestVersion,
  type Migration,
  type MigrateOptions,
  type SchemaPart,
} from './migrations.js';
export { tablesFor, type Tables } from './tables.js';
export { leasePool, type PoolLease } from './pool.js';
export { plugin, plugins, databasePlugin, sinkPlugin, postgresSection } from './plugin.js';
