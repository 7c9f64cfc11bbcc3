import { isAbsolute, resolve } from 'node:path';
import { consoleNotifier } from '../adapters/notifiers.js';
import type { Notifier } from '../adapters/notifier.js';
import type { Reporter, ReportWriter } from '../adapters/reporter.js';
import type { Sink } from '../adapters/sink.js';
import type { StateStore } from '../adapters/state.js';
import type { StorageAdapter } from '../adapters/storage.js';
import type { ArchivePartFormat } from '../archive/archive-writer.js';
import type { EnvironmentVariable } from '../config/environment.js';
import type { DifyLogsConfig } from '../config/schema.js';
import { DEFAULT_STORAGE_TYPE } from '../config/schema.js';
import { DifyConfigError } from '../errors/config-error.js';
import type { Logger } from '../logging/logger.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { PluginContext } from '../plugins/types.js';
import { fileStateStore } from '../state/file-state.js';
import { memoryStateStore } from '../state/memory-state.js';

/** What every job of one runtime shares: storage, state, notifiers, report formats and sinks. */
export interface RuntimeDeps {
  storage: StorageAdapter;
  state: StateStore;
  notifiers: Notifier[];
  /** Report formats beyond core's json and markdown, by format. */
  reporters: Record<string, Reporter>;
  sinks: Sink[];
}

const PACKAGE_OF: Record<string, string> = {
  local: '@dify-logs/storage-local',
  s3: '@dify-logs/storage-s3',
  oss: '@dify-logs/storage-oss',
};

export function pluginContext(
  config: DifyLogsConfig,
  cwd: string,
  logger: Logger,
  write: (text: string) => void,
  state: () => Promise<StateStore>,
  plugins?: PluginRegistry,
): PluginContext {
  const baseDir = isAbsolute(config.storage.baseDir) ? config.storage.baseDir : resolve(cwd, config.storage.baseDir);
  return {
    config: config as unknown as PluginContext['config'],
    baseDir,
    cwd,
    logger,
    write,
    state,
    ...(plugins ? { database: (scheme: string) => plugins.database(scheme) } : {}),
  };
}

/** The configured storage, through its plugin. */
export async function openStorage(
  config: DifyLogsConfig,
  plugins: PluginRegistry,
  context: PluginContext,
): Promise<StorageAdapter> {
  const type = config.storage.type;
  const plugin = plugins.storage(type);
  if (!plugin) {
    const name = PACKAGE_OF[type] ?? `the package of storage type ${type}`;
    throw new DifyConfigError(
      'storage.type',
      `${JSON.stringify(type)} needs its plugin: pass \`plugin\` of ${name} in plugins` +
        (type === DEFAULT_STORAGE_TYPE ? ' (local storage is the default)' : ''),
    );
  }
  if (plugin.schema && config.storage[type] === undefined)
    throw missingSection(plugin, `storage.${type}`, `with storage.type ${type}`);
  return plugin.create(config.storage[type], context);
}

/** The notifiers of the configuration (none when notifications are off). */
export async function openNotifiers(
  config: DifyLogsConfig,
  plugins: PluginRegistry,
  context: PluginContext,
): Promise<Notifier[]> {
  if (!config.notification.enabled) return [];
  return Promise.all(
    [...new Set(config.notification.type)].map((type) => openNotifier(config, plugins, context, type)),
  );
}

/** A plugin's section is missing: the error names the key and the variables that would make it on their own. */
function missingSection(plugin: { env?: readonly EnvironmentVariable[] }, key: string, when: string): DifyConfigError {
  const variables = (plugin.env ?? []).filter((variable) => variable.required).map((variable) => variable.name);
  return new DifyConfigError(key, `is required ${when}${variables.length ? ` (or set ${variables.join(', ')})` : ''}`);
}

export async function openNotifier(
  config: DifyLogsConfig,
  plugins: PluginRegistry,
  context: PluginContext,
  type: string,
): Promise<Notifier> {
  if (type === 'console') return consoleNotifier({ write: context.write });
  const plugin = plugins.notifier(type);
  if (!plugin)
    throw new DifyConfigError(
      'notification.type',
      `${JSON.stringify(type)} needs its plugin: pass \`plugin\` of @dify-logs/notifier-${type} in plugins`,
    );
  const section = config.notification[type];
  if (plugin.schema && section === undefined)
    throw missingSection(plugin, `notification.${type}`, `when notification.type includes ${type}`);
  return plugin.create(section, context);
}

/** A sink per configured `sinks.<type>` section. */
export async function openSinks(
  config: DifyLogsConfig,
  plugins: PluginRegistry,
  context: PluginContext,
): Promise<Sink[]> {
  const sinks: Sink[] = [];
  for (const plugin of plugins.sinks()) {
    const section = config.sinks?.[plugin.type];
    if (section !== undefined) sinks.push(await plugin.create(section, context));
  }
  return sinks;
}

/**
 * Reporters of every registered format plugin (created when first used), by format. Format plugins need no
 * configuration: without a runtime (reports from files) `context` may be left out.
 */
export function formatReporters(plugins: PluginRegistry, context?: PluginContext): Record<string, Reporter> {
  const reporters: Record<string, Reporter> = {};
  for (const plugin of plugins.formats()) {
    if (plugin.report === false) continue;
    reporters[plugin.type] = lazyReporter(
      plugin.type,
      async () => (await plugin.create(undefined, context as PluginContext)).reporter,
    );
  }
  return reporters;
}

/** A reporter whose format plugin is created (and its package loaded) when a report is first started. */
function lazyReporter(format: string, load: () => Promise<Reporter | undefined>): Reporter {
  let loading: Promise<Reporter> | undefined;
  const reporter = () =>
    (loading ??= load().then((loaded) => {
      if (!loaded) throw new DifyConfigError('jobs.outputFormat', `the ${format} plugin writes no reports`);
      return loaded;
    }));
  return {
    format,
    load: reporter,
    start(context) {
      const writer = reporter().then((loaded) => loaded.start(context));
      writer.catch(() => undefined);
      // Once the format's package is loaded, records go straight to its writer (no promise per record).
      let ready: ReportWriter | undefined;
      void writer.then(
        (opened) => (ready = opened),
        () => undefined,
      );
      return {
        add: (record) => (ready ? ready.add?.(record) : writer.then((opened) => opened.add?.(record))),
        addMessage: (message) =>
          ready ? ready.addMessage?.(message) : writer.then((opened) => opened.addMessage?.(message)),
        finish: async (analysis) => (await writer).finish(analysis),
        dispose: async () => (await writer.catch(() => undefined))?.dispose?.(),
      };
    },
  };
}

/** Every registered archive part format (readers accept parts in any of them). */
export async function registeredArchiveFormats(
  plugins: PluginRegistry,
  context?: PluginContext,
): Promise<ArchivePartFormat[]> {
  const formats: ArchivePartFormat[] = [];
  for (const plugin of plugins.formats())
    if (plugin.archive) {
      const archive = (await plugin.create(undefined, context as PluginContext)).archive;
      if (archive) formats.push(archive);
    }
  return formats;
}

/** The archive formats `storage.archiveFormats` names. */
export async function openArchiveFormats(
  config: DifyLogsConfig,
  plugins: PluginRegistry,
  context: PluginContext,
): Promise<ArchivePartFormat[]> {
  const formats: ArchivePartFormat[] = [];
  for (const [index, type] of (config.storage.archiveFormats ?? []).entries()) {
    const archive = (await plugins.format(type)?.create(undefined, context))?.archive;
    if (!archive)
      throw new DifyConfigError(
        `storage.archiveFormats.${index}`,
        `${JSON.stringify(type)} needs a format plugin that writes archive parts`,
      );
    formats.push(archive);
  }
  return formats;
}

export function openState(config: DifyLogsConfig, context: PluginContext): StateStore {
  return config.state.type === 'memory'
    ? memoryStateStore()
    : fileStateStore({
        path: resolve(context.cwd, config.state.path ?? resolve(context.baseDir, '.dify-logs-state.json')),
      });
}
