import type { z } from 'zod';
import type { ArchivePartFormat } from '../archive/index.js';
import type { Notifier } from '../adapters/notifier.js';
import type { Reporter } from '../adapters/reporter.js';
import type { Sink } from '../adapters/sink.js';
import type { StateStore } from '../adapters/state.js';
import type { StorageAdapter } from '../adapters/storage.js';
import type { EnvironmentVariable } from '../config/environment.js';
import type { Logger } from '../logging/logger.js';

/**
 * What an adapter package plugs into, and where its section sits in the configuration:
 *
 * | kind        | selected by                                   | its section             |
 * |-------------|-----------------------------------------------|-------------------------|
 * | `storage`   | `storage.type: <type>`                        | `storage.<type>`        |
 * | `notifier`  | `notification.type: [<type>, …]`              | `notification.<type>`   |
 * | `sink`      | its section being present                     | `sinks.<type>`          |
 * | `format`    | `jobs[].outputFormat`, `storage.archiveFormats` | none                  |
 * | `scheduler` | the command or service that starts it        | `worker`                |
 * | `database`  | the scheme of a connection string (`worker.databaseUrl`) | none           |
 * | `service`   | the command or service that starts it (`serve`) | `<type>` (top level) |
 */
export type PluginKind = 'storage' | 'notifier' | 'sink' | 'format' | 'scheduler' | 'database' | 'service';

/** What `create` gets besides its own section. */
export interface PluginContext {
  /** The whole validated configuration (read-only). */
  config: Readonly<Record<string, unknown>> & { storage: { baseDir: string } };
  /** `storage.baseDir` as an absolute path (local files, default state file). */
  baseDir: string;
  /** The folder relative paths start from. */
  cwd: string;
  logger: Logger;
  /** Where console-like output goes (the console notifier). */
  write: (text: string) => void;
  /** The runtime's state store (opened on first use): a scheduler keeps its pause state and history there. */
  state(): Promise<StateStore>;
  /** The registered database plugin opening connection strings of this scheme (`postgres`, `redis`, …), if any. */
  database?(scheme: string): DatabasePlugin | undefined;
}

export interface PluginBase<K extends PluginKind, Section, Product> {
  kind: K;
  /** The name the configuration uses (`s3`, `dingtalk`, `postgres`, `parquet`, `agenda`). */
  type: string;
  /** One line for `config check` and the docs. */
  description?: string;
  /**
   * The zod schema of the plugin's own section (validated as part of the whole configuration: unknown keys are
   * errors that name the key). Absent: the plugin has no section.
   */
  schema?: z.ZodType<Section>;
  /** Environment variables that fill keys of its section (`key` is the whole dotted configuration key). */
  env?: readonly EnvironmentVariable[];
  /**
   * Builds the adapter from its validated section (`undefined` when the plugin has no schema or the section is absent).
   * Heavy dependencies are best imported here (`await import(…)`), so registering a plugin costs nothing.
   */
  create(section: Section, context: PluginContext): Product | Promise<Product>;
}

export type StoragePlugin<Section = unknown> = PluginBase<'storage', Section, StorageAdapter>;
export type NotifierPlugin<Section = unknown> = PluginBase<'notifier', Section, Notifier>;
export type SinkPlugin<Section = unknown> = PluginBase<'sink', Section, Sink>;

/** A report format (`jobs[].outputFormat`) and, optionally, an archive part format (`storage.archiveFormats`). */
export interface FormatProduct {
  reporter?: Reporter;
  archive?: ArchivePartFormat;
}
export interface FormatPlugin extends PluginBase<'format', undefined, FormatProduct> {
  /** Whether `create` gives an archive format (so `storage.archiveFormats` may name it). */
  archive?: boolean;
  /** Whether `create` gives a reporter (so `outputFormat` may name it); default true. */
  report?: boolean;
}

/** A scheduler backend; what `create` returns is the package's own (core runs deployments through `Scheduler`). */
export type SchedulerPlugin<Section = unknown, Product = unknown> = PluginBase<'scheduler', Section, Product>;

/**
 * A long-running service of its own package (`@dify-logs/explorer`: `serve`), owning the top-level section named by
 * its `type` (a name core does not use). What `create` returns is the package's own.
 */
export interface ServicePlugin<Section = unknown, Product = unknown> extends PluginBase<'service', Section, Product> {
  /**
   * The public address of the run explorer this service serves, from its section (`serve.publicUrl`), or undefined.
   * Reports and notifications then link to its pages: `/runs/:runId`, `/runs?app=&status=&from=&to=`,
   * `/errors?app=&from=&to=&signature=` and `/` (see `explorerLinks` of `@dify-logs/core/pipeline`).
   */
  explorerUrl?(section: Section): string | undefined;
}

/**
 * A database several parts of a deployment share (a scheduler's jobs, the pipeline state, the run history), picked by
 * the scheme of a connection string. It has no section: whoever holds the connection string (`worker.databaseUrl`)
 * opens it. What `open` gives is the package's own (`SchedulerDatabase` of `@dify-logs/core/adapter-kit` for a
 * scheduler).
 */
export interface DatabasePlugin<Options = unknown, Product = unknown> {
  kind: 'database';
  /** The database's name (`postgres`, `redis`, `mongodb`). */
  type: string;
  /** One line for `config check` and the docs. */
  description?: string;
  /** The connection string schemes it opens, lower case, without `:` (`postgres`, `postgresql`). */
  schemes: readonly string[];
  env?: readonly EnvironmentVariable[];
  /**
   * Opens the database. The driver is best imported here (`await import(…)`), so registering the plugin costs nothing.
   */
  open(url: string, options: Options): Promise<Product>;
}

// `any` sections: a list of plugins holds many section types; each plugin's `create` is typed by its own definition.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type DifyLogsPlugin =
  | StoragePlugin<any>
  | NotifierPlugin<any>
  | SinkPlugin<any>
  | FormatPlugin
  | SchedulerPlugin<any, any>
  | ServicePlugin<any, any>
  | DatabasePlugin<any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Types a plugin definition (an identity function: it only checks the shape). */
export function definePlugin<const P extends DifyLogsPlugin>(plugin: P): P {
  return plugin;
}
