export { openRedisDatabase, type RedisDatabase } from './database.js';
export { redisStateStore, type RedisStateStoreOptions } from './state.js';
export { redisRunHistory, type RedisRunHistoryOptions } from './run-history.js';
export type { RedisOptions } from './connection.js';
export { plugin, plugins, databasePlugin } from './plugin.js';
