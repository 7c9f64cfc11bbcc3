import { DifyConfigError, type Logger } from '@dify-logs/core';
import type { DatabasePlugin, DifyLogsPlugin, PluginRegistry } from '@dify-logs/core/adapter-kit';
import {
  createPluginRegistry,
  redactConnectionString,
  type DatabaseKind,
  type SchedulerDatabase,
  type SchedulerDatabaseOptions,
} from '@dify-logs/core/adapter-kit';
import type { AgendaBackend } from 'agenda';

export type { DatabaseKind };

/**
 * One database shared by Agenda (jobs and locks), the pipeline state and the run history: what a `database` plugin
 * opens.
 */
export type AgendaDatabase = SchedulerDatabase<AgendaBackend>;

/** Where the database plugins come from: a registry, a list of plugins (`[...postgres]`), or a lookup by scheme. */
export type DatabasePlugins =
  | PluginRegistry
  | ReadonlyArray<DifyLogsPlugin | readonly DifyLogsPlugin[]>
  | ((scheme: string) => DatabasePlugin | undefined);

export interface DatabaseOptions extends SchedulerDatabaseOptions {
  /**
   * The database plugins to pick from by the connection string's scheme (`import { plugin as postgres } from
   * '@dify-logs/postgres/plugin'`, then `plugins: [...postgres]`). `startWorker` and the plugin's `create` pass the
   * runtime's.
   */
  plugins?: DatabasePlugins;
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

/** The package whose database plugin opens a scheme. */
export const DATABASE_PACKAGES: Readonly<Record<string, string>> = {
  mongodb: '@dify-logs/mongodb',
  'mongodb+srv': '@dify-logs/mongodb',
  postgres: '@dify-logs/postgres',
  postgresql: '@dify-logs/postgres',
  redis: '@dify-logs/redis',
  rediss: '@dify-logs/redis',
};

const KINDS: Readonly<Record<string, DatabaseKind>> = {
  mongodb: 'mongodb',
  'mongodb+srv': 'mongodb',
  postgres: 'postgres',
  postgresql: 'postgres',
  redis: 'redis',
  rediss: 'redis',
};

/** The scheme of a connection string, lower case (`postgres`, `mongodb+srv`); not a URL is a DifyConfigError. */
export function databaseScheme(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme)
    throw new DifyConfigError(
      'worker.databaseUrl',
      `${JSON.stringify(redactConnectionString(url))} is not a connection string (mongodb://, postgres:// or redis://)`,
    );
  return scheme;
}

/**
 * Which database a connection string names (`mongodb://`, `mongodb+srv://`, `postgres://`, `postgresql://`, `redis://`,
 * `rediss://`).
 */
export function databaseKind(url: string): DatabaseKind {
  const kind = KINDS[databaseScheme(url)];
  if (!kind)
    throw new DifyConfigError(
      'worker.databaseUrl',
      `${JSON.stringify(redactConnectionString(url))} is not a mongodb://, postgres:// or redis:// connection string`,
    );
  return kind;
}

function lookup(plugins: DatabasePlugins | undefined): (scheme: string) => DatabasePlugin | undefined {
  if (plugins === undefined) return () => undefined;
  if (typeof plugins === 'function') return plugins;
  const registry = Array.isArray(plugins)
    ? createPluginRegistry(plugins as ReadonlyArray<DifyLogsPlugin | readonly DifyLogsPlugin[]>)
    : (plugins as PluginRegistry);
  return (scheme) => registry.database(scheme);
}

/**
 * Opens the shared database through the `database` plugin registered for the connection string's scheme
 * (`@dify-logs/postgres`, `@dify-logs/redis` or `@dify-logs/mongodb`): Agenda's backend, a StateStore and the run
 * history on one pool or client per process. A scheme no registered plugin opens is a DifyConfigError naming
 * `worker.databaseUrl` and the package to install. (A client you already have: the package's own
 * `openPostgresDatabase({ pool })`, `openRedisDatabase({ redis })`, `openMongoDatabase({ mongo })`.)
 */
export async function openAgendaDatabase(url: string, options: DatabaseOptions = {}): Promise<AgendaDatabase> {
  const scheme = databaseScheme(url);
  const plugin = lookup(options.plugins)(scheme);
  if (!plugin) {
    const known = DATABASE_PACKAGES[scheme];
    const shown = JSON.stringify(redactConnectionString(url));
    throw new DifyConfigError(
      'worker.databaseUrl',
      known
        ? `${shown}: ${scheme}:// needs the database plugin of ${known}: install it and register its ` +
            `plugin (\`import { plugin as database } from '${known}/plugin'\`, then \`plugins: [...database]\`)`
        : `${shown}: no database plugin opens ${scheme}:// (mongodb://, postgres:// ` +
            `and redis:// are @dify-logs/mongodb, @dify-logs/postgres and @dify-logs/redis)`,
    );
  }
  const { plugins: _plugins, ...rest } = options;
  return (await plugin.open(url, rest)) as AgendaDatabase;
}
