import { plugin as mongodb } from '@dify-logs/mongodb/plugin';
import { plugin as postgres } from '@dify-logs/postgres/plugin';
import { plugin as redis } from '@dify-logs/redis/plugin';

/** The database plugins the tests open `postgres://`, `redis://` and `mongodb://` with. */
export const DATABASE_PLUGINS = [...postgres, ...redis, ...mongodb];
