import { definePlugin, type SchedulerDatabaseOptions } from '@dify-logs/core/adapter-kit';
import type { RedisDatabase } from './database.js';

/**
 * `worker.databaseUrl: redis://…`: the workers' jobs, locks, pipeline state and run history in Redis. ioredis loads on
 * open.
 */
export const databasePlugin = definePlugin({
  kind: 'database',
  type: 'redis',
  description: "Redis for the workers' jobs, locks, pipeline state and run history",
  schemes: ['redis', 'rediss'],
  async open(url: string, options: SchedulerDatabaseOptions): Promise<RedisDatabase> {
    const { openRedisDatabase } = await import('./database.js');
    return openRedisDatabase(url, options);
  },
});

/** The plugins of this package (one: Redis has no sink). */
export const plugins = [databasePlugin] as const;
/** Every plugin of this package: register with `plugins: [...plugin]`. */
export const plugin = plugins;
