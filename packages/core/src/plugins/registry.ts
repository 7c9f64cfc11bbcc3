import type { z } from 'zod';
import { ENVIRONMENT_VARIABLES, type EnvironmentVariable } from '../config/environment.js';
import { buildConfigSchema, ConfigSchema, type ConfigParts } from '../config/schema.js';
import type {
  DatabasePlugin,
  DifyLogsPlugin,
  FormatPlugin,
  NotifierPlugin,
  SchedulerPlugin,
  ServicePlugin,
  SinkPlugin,
  StoragePlugin,
} from './types.js';

/** The plugins of one runtime, by kind and type, with the configuration schema and environment variables they make. */
export interface PluginRegistry {
  readonly plugins: readonly DifyLogsPlugin[];
  storage(type: string): StoragePlugin | undefined;
  notifier(type: string): NotifierPlugin | undefined;
  sinks(): readonly SinkPlugin[];
  format(type: string): FormatPlugin | undefined;
  formats(): readonly FormatPlugin[];
  scheduler(): SchedulerPlugin | undefined;
  /** The service plugin of a type (`serve`), whose section is the top-level key of that name. */
  service(type: string): ServicePlugin | undefined;
  /** The database plugin opening connection strings of this scheme (`postgres`, `redis`, `mongodb+srv`). */
  database(scheme: string): DatabasePlugin | undefined;
  /** The configuration schema: core's keys plus every plugin's section and type names. */
  readonly schema: z.ZodType;
  readonly parts: ConfigParts;
  /** Core's environment variables and every plugin's. */
  readonly env: readonly EnvironmentVariable[];
}

function ofKind<K extends DifyLogsPlugin['kind']>(
  plugins: readonly DifyLogsPlugin[],
  kind: K,
): Array<Extract<DifyLogsPlugin, { kind: K }>> {
  return plugins.filter((plugin): plugin is Extract<DifyLogsPlugin, { kind: K }> => plugin.kind === kind);
}

/** A plugin list checked for clashes (two plugins of one kind and type, one variable filling two keys). */
export function createPluginRegistry(
  list: ReadonlyArray<DifyLogsPlugin | readonly DifyLogsPlugin[]> = [],
): PluginRegistry {
  // A package may export several plugins as one list (`@dify-logs/reports`: csv, html, xlsx).
  const plugins = list.flat();
  const seen = new Map<string, DifyLogsPlugin>();
  const unique: DifyLogsPlugin[] = [];
  for (const plugin of plugins) {
    if (
      !plugin ||
      typeof plugin !== 'object' ||
      typeof plugin.kind !== 'string' ||
      typeof plugin.type !== 'string' ||
      (plugin.kind === 'database'
        ? typeof plugin.open !== 'function' || !Array.isArray(plugin.schemes)
        : typeof plugin.create !== 'function')
    ) {
      throw new TypeError(
        'plugins: each plugin needs `kind`, `type` and `create` (a database ' +
          'plugin: `schemes` and `open`; import `plugin` from an adapter package)',
      );
    }
    const id = `${plugin.kind}:${plugin.type}`;
    const earlier = seen.get(id);
    if (earlier === plugin) continue; // the same plugin listed twice
    if (earlier) throw new TypeError(`plugins: two ${plugin.kind} plugins are named ${JSON.stringify(plugin.type)}`);
    seen.set(id, plugin);
    unique.push(plugin);
  }
  const schedulers = ofKind(unique, 'scheduler');
  const withWorkerSection = schedulers.filter((plugin) => plugin.schema);
  if (withWorkerSection.length > 1)
    throw new TypeError(
      `plugins: only one scheduler plugin may own the worker section ` +
        `(got ${withWorkerSection.map((plugin) => plugin.type).join(', ')})`,
    );

  const databases = new Map<string, DatabasePlugin>();
  for (const plugin of ofKind(unique, 'database')) {
    for (const scheme of plugin.schemes) {
      const other = databases.get(scheme.toLowerCase());
      if (other)
        throw new TypeError(`plugins: database plugins ${other.type} and ${plugin.type} both open ${scheme}://`);
      databases.set(scheme.toLowerCase(), plugin);
    }
  }

  const env: EnvironmentVariable[] = [...ENVIRONMENT_VARIABLES];
  for (const plugin of unique) {
    for (const variable of plugin.env ?? []) {
      const clash = env.find((known) => known.name === variable.name && known.key !== variable.key);
      if (clash)
        throw new TypeError(
          `plugins: ${plugin.kind} plugin ${plugin.type} reads ${variable.name}` +
            ` into ${variable.key}, which already fills ${clash.key}`,
        );
      if (!env.some((known) => known.name === variable.name && known.key === variable.key)) env.push(variable);
    }
  }

  const sections = <P extends { type: string; schema?: z.ZodType }>(list: readonly P[]) =>
    Object.fromEntries(list.filter((plugin) => plugin.schema).map((plugin) => [plugin.type, plugin.schema!]));
  const storage = ofKind(unique, 'storage');
  const notifiers = ofKind(unique, 'notifier');
  const sinks = ofKind(unique, 'sink');
  const formats = ofKind(unique, 'format');
  const services = ofKind(unique, 'service');
  const coreKeys = new Set(Object.keys(ConfigSchema.shape));
  for (const service of services)
    if (coreKeys.has(service.type) || service.type === 'worker')
      throw new TypeError(`plugins: service plugin ${service.type} would own ${service.type}, a key core uses`);
  const parts: ConfigParts = {
    storage: { types: storage.map((plugin) => plugin.type), sections: sections(storage) },
    notifiers: { types: notifiers.map((plugin) => plugin.type), sections: sections(notifiers) },
    sinks: Object.fromEntries(
      sinks.map((plugin) => [plugin.type, plugin.schema ?? (undefined as never)]).filter(([, schema]) => schema),
    ),
    archiveFormats: formats.filter((plugin) => plugin.archive).map((plugin) => plugin.type),
    reportFormats: formats.filter((plugin) => plugin.report !== false).map((plugin) => plugin.type),
    ...(withWorkerSection[0] ? { worker: withWorkerSection[0].schema! } : {}),
    services: sections(services),
  };
  return {
    plugins: unique,
    storage: (type) => storage.find((plugin) => plugin.type === type),
    notifier: (type) => notifiers.find((plugin) => plugin.type === type),
    sinks: () => sinks,
    format: (type) => formats.find((plugin) => plugin.type === type),
    formats: () => formats,
    scheduler: () => schedulers[0],
    service: (type) => services.find((plugin) => plugin.type === type),
    database: (scheme) => databases.get(scheme.toLowerCase()),
    schema: buildConfigSchema(parts),
    parts,
    env,
  };
}

/**
 * Plugins as given to `createDifyLogs` or `loadConfig`: a list (several packages, or a package's own list) or a
 * registry made once.
 */
export type PluginsOption = ReadonlyArray<DifyLogsPlugin | readonly DifyLogsPlugin[]> | PluginRegistry;

/** The registry of a plugins option: a registry is used as it is (composing the schema is start-up work done once). */
export function toPluginRegistry(plugins: PluginsOption | undefined): PluginRegistry {
  return plugins !== undefined && !Array.isArray(plugins)
    ? (plugins as PluginRegistry)
    : createPluginRegistry((plugins as ReadonlyArray<DifyLogsPlugin | readonly DifyLogsPlugin[]> | undefined) ?? []);
}
